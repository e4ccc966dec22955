"""Comparison pages: where we stand, and the methods behind every figure."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup

from bench.access import Permission, allow, may_use
from bench.alerts import service as alerts
from bench.compare import indicator, network, service
from bench.compare.norms import norm_or_exception
from bench.kept import KeptItems, rendered

bp = Blueprint("compare", __name__)


def _viewing() -> service.Viewing:
    """Who views which authority: the signed-in user's own, or the one an inspector's
    ``?authority=`` names under a current grant (audited once per request)."""
    return service.viewing(current_user._get_current_object(), request.args.get("authority"))


@bp.route("/compare/")
@allow(Permission.SEE_OWN_DATA, Permission.COMPARE)
def where_we_stand() -> ResponseReturnValue:
    page = service.where_we_stand(
        _viewing(), request.args.get("group"), request.args.get("period"), custom=True
    )
    return render_template(
        "compare/where_we_stand.html",
        page=page,
        tables=_standing_tables(page, request.args.get("show")),
        title="Where we stand",
    )


# Where we stand's tables, rendered: most of the page's size and of its time. Kept under
# their built page's key (the authority, what it is built from, the choices) and all else
# the template reads: the rows shown, which of them the user follows, whether the user may
# follow. The rows hold no CSRF token (the Follow buttons belong to one form outside them).
TABLES = KeptItems(size=256)


def _standing_tables(page: service.StandingPage, show: str | None) -> Markup:
    user = current_user._get_current_object()
    show = show if show in service.SUMMARY_KEYS else None
    may_follow = (may_use(user, "alerts.follow"), may_use(user, "alerts.unfollow"))
    on_page = {standing.indicator.id for standing in page.standings}
    following = alerts.followed(user).indicators & on_page if any(may_follow) else frozenset()
    key = None if page.cache_key is None else (page.cache_key, show, may_follow, following)
    return rendered(
        TABLES, key, "compare/_standing.html", page=page, show=show, following=following
    )


@bp.route("/compare/norms")
@allow(Permission.SEE_OWN_DATA, Permission.COMPARE)
def norms() -> ResponseReturnValue:
    page = norm_or_exception(_viewing(), request.args.get("group"), request.args.get("period"))
    return render_template("compare/norms.html", page=page, title="Norm or exception?")


@bp.route("/compare/indicators/<indicator_code>")
@allow(Permission.SEE_OWN_DATA, Permission.COMPARE)
def indicator_view(indicator_code: str) -> ResponseReturnValue:
    page = indicator.indicator_page(
        _viewing(), indicator_code, request.args.get("group"), request.args.get("period")
    )
    return render_template("compare/indicator.html", page=page, title=page.indicator.title)


@bp.route("/compare/network/")
@allow(Permission.SEE_NETWORK_SPREAD)
def network_overview() -> ResponseReturnValue:
    page = network.overview(current_user._get_current_object(), request.args.get("period"))
    return render_template("compare/network.html", page=page, title="The network's spread")


@bp.route("/compare/network/indicators/<indicator_code>")
@allow(Permission.SEE_NETWORK_SPREAD)
def network_indicator(indicator_code: str) -> ResponseReturnValue:
    page = network.indicator_page(
        current_user._get_current_object(), indicator_code, request.args.get("period")
    )
    return render_template(
        "compare/network_indicator.html",
        page=page,
        title=f"{page.indicator.title} across the network",
    )


@bp.route("/compare/network/issues")
@allow(Permission.SEE_NETWORK_SPREAD)
def network_issues() -> ResponseReturnValue:
    items = network.prevalence(current_user._get_current_object())
    return render_template(
        "compare/network_issues.html", items=items, title="Known issues across the network"
    )


@bp.route("/methods")
@allow(Permission.ANY_SIGNED_IN)
def methods() -> ResponseReturnValue:
    return render_template("compare/methods.html", title="How bench compares")
