"""Comparison pages: where we stand, and the methods behind every figure."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow
from bench.compare import indicator, network, service
from bench.compare.norms import norm_or_exception

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
    return render_template("compare/where_we_stand.html", page=page, title="Where we stand")


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
