"""Security and caching headers on every kind of response, set in one place (bench.web).

A sample of each kind: an HTML page, a redirect, a CSV download, API JSON, an API problem
(problem+json), HTML error pages (404, 403) and a static file. Figures (pages, CSV, JSON)
must never sit in a browser's or proxy's cache (``no-store``); static files carry no
figures and keep their revalidating cache, but get the same security headers.
"""

from __future__ import annotations

import pytest

from bench.models import Role, TokenScope
from tests import factories

# What every response carries, whatever made it.
EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Features bench never uses, refused to the page and anything it embeds.
REFUSED_FEATURES = ("camera", "geolocation", "microphone", "payment", "usb")


@pytest.fixture
def samples(app_context, sign_in_as, session):
    """Path -> (client, kind) for one response of every kind."""
    analyst = sign_in_as(Role.ANALYST)
    staff = sign_in_as(Role.STAFF)
    _, secret = factories.api_token(analyst.user, TokenScope.READ)
    anonymous = app_context.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}
    return [
        ("html page", lambda: analyst.get("/"), 200, "text/html"),
        ("html page, signed out", lambda: anonymous.get("/sign-in"), 200, "text/html"),
        ("redirect", lambda: anonymous.get("/"), 302, None),
        ("csv download", lambda: analyst.get("/publish/current.csv"), 200, "text/csv"),
        ("csv template", lambda: analyst.get("/publish/template.csv"), 200, "text/csv"),
        (
            "api json",
            lambda: anonymous.get("/api/v1/values", headers=bearer),
            200,
            "application/json",
        ),
        (
            "api problem",
            lambda: anonymous.get("/api/v1/values"),
            401,
            "application/problem+json",
        ),
        (
            "api not found",
            lambda: anonymous.get("/api/v1/nothing-here", headers=bearer),
            404,
            "application/problem+json",
        ),
        ("html 404", lambda: analyst.get("/no-such-page"), 404, "text/html"),
        ("html 403", lambda: staff.get("/publish/"), 403, "text/html"),
        ("static", lambda: anonymous.get("/static/favicon.svg"), 200, "image/svg+xml"),
    ]


def _check_security_headers(kind, response):
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, (kind, name, response.headers.get(name))
    policy = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy, kind
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in REFUSED_FEATURES:
        assert f"{feature}=()" in permissions, (kind, feature, permissions)


def test_every_kind_of_response_carries_the_headers(samples):
    for kind, fetch, status, mimetype in samples:
        response = fetch()
        response.close()  # a static file is streamed from an open file
        assert response.status_code == status, (kind, response.status_code)
        if mimetype:
            assert response.mimetype == mimetype, (kind, response.mimetype)
        _check_security_headers(kind, response)
        cache = response.headers.get("Cache-Control", "")
        if kind == "static":
            # Not versioned by name, so a browser revalidates; never shared with figures.
            assert "no-store" not in cache and "no-cache" in cache, cache
        else:
            assert cache == "no-store", (kind, cache)
        # HSTS only where production asks for it: a development server on plain HTTP
        # must not pin a developer's browser to HTTPS for localhost.
        assert "Strict-Transport-Security" not in response.headers, kind


def test_production_sends_strict_transport_security(app_context, samples, monkeypatch):
    import config

    hsts = config.ProductionConfig.STRICT_TRANSPORT_SECURITY
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 31536000
    monkeypatch.setitem(app_context.config, "STRICT_TRANSPORT_SECURITY", hsts)
    for kind, fetch, _status, _mimetype in samples:
        response = fetch()
        response.close()
        assert response.headers.get("Strict-Transport-Security") == hsts, kind
        _check_security_headers(kind, response)
