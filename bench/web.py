"""What every page shares: template helpers, the CSP nonce, security headers."""

from __future__ import annotations

import math
import secrets
from typing import Any

from flask import Flask, g, request
from flask.wrappers import Response
from flask_login import current_user
from markupsafe import Markup

from bench import access
from bench.alerts import service as alerts
from bench.allies import service as allies
from bench.auth.forms import SignOutForm
from bench.dates import london_text, utc_text
from bench.kept import KeptItems, rendered
from bench.models import Indicator, UnitKind

OFLOG_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: Oflog."
)


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def format_number(value: float | None, decimals: int = 1) -> str:
    """Format a figure for reading: thousands separators, fixed decimals, dash if none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{decimals}f}"


def format_value(value: float | None, indicator: Indicator) -> str:
    text = format_number(value, indicator.decimals)
    if text == "–":
        return text
    if indicator.unit_kind is UnitKind.CURRENCY:
        return f"£{text}"
    if indicator.unit_kind is UnitKind.PROPORTION and indicator.multiplier == 100:
        return f"{text}%"
    return text


def unit_text(indicator: Indicator) -> str:
    if indicator.unit_label:
        return indicator.unit_label
    if indicator.unit_kind is UnitKind.RATE:
        return f"per {indicator.multiplier:,}"
    return ""


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "cspNonce": csp_nonce(),
            "can": lambda permission: access.has_permission(
                current_user, access.Permission(permission)
            ),
            # formdata=None: rendering must not read the request body (it may be too large).
            "sign_out_form": SignOutForm(formdata=None) if current_user.is_authenticated else None,
            "oflog_attribution": OFLOG_ATTRIBUTION,
            # Called by the templates that need them, so other pages pay nothing.
            "alert_follows": lambda: alerts.followed(current_user),
        }

    # Offer a link or form only where the route's own rule admits the viewer. A global,
    # not a context variable, so imported macros (the Follow button) can ask too.
    app.add_template_global(_may, "may")
    app.add_template_global(_service_navigation, "service_navigation")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_value, "indicator_value")
    app.add_template_filter(unit_text, "unit_text")
    app.add_template_filter(utc_text, "utc_time")
    app.add_template_filter(london_text, "london_time")


def _may(endpoint: str) -> bool:
    """``may`` in templates, answered once a request for each endpoint: a Where we stand
    page asks for its Follow buttons a hundred times."""
    answers = request.__dict__.setdefault("bench_may", {})
    if endpoint not in answers:
        answers[endpoint] = access.may_use(current_user, endpoint)
    return answers[endpoint]


# The header's sections, rendered: the same for every user of one role and authority on
# one page with the same counts (what may be offered goes by role: access.has_permission).
NAVIGATION = KeptItems(size=1024)


def _service_navigation() -> Markup:
    user = current_user._get_current_object()
    unread = pending = None
    if user.authority_id is not None:
        if _may("alerts.index"):
            unread = alerts.unread_count(user)
        if access.has_permission(user, access.Permission.MANAGE_ALLIES):
            pending = allies.pending_count(user)
    authority = user.authority.name if user.authority is not None else None
    key = (user.role, user.authority_id, authority, request.endpoint, unread, pending)
    return rendered(
        NAVIGATION, key, "_service_navigation.html", unread=unread, pending=pending
    )


# Features bench never uses, refused to its pages and anything they might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()"
)


def register_security_headers(app: Flask) -> None:
    """The one place response headers are set, for every response bench sends: pages,
    redirects, downloads, API answers, error pages (the error mapper's too) and static
    files."""

    @app.after_request
    def _headers(response: Response) -> Response:
        nonce = g.get("csp_nonce")
        script = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; script-src {script}; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # No other window (a link opened from an email, a hostile tab) keeps a handle on
        # a bench page.
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        hsts = app.config.get("STRICT_TRANSPORT_SECURITY")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        # Pages, downloads and API answers carry an authority's figures: no browser or
        # proxy keeps a copy. Static files hold none, and keep Flask's revalidating cache
        # (their names are not versioned, so a long cache would serve stale assets).
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response
