"""The exports' routes of the API (/api/v1): the same files as the pages' download links,
with the same query (``group``, ``period``, ``as_of``, ``bom``; inspectors add
``authority`` under a grant) and the same headers stating the as-of date, data version,
methods and thresholds."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow
from bench.api import API_PREFIX
from bench.api.openapi import operation
from bench.exports import service
from bench.exports.views import send, send_pack

bp = Blueprint("exports_api", __name__, url_prefix=API_PREFIX)

STATES = (
    " The response headers Bench-As-Of, Bench-Data-Version, Bench-Methods and "
    "Bench-Thresholds state what the file was read from; `as_of=YYYY-MM-DD` reproduces "
    "it as published on that date, byte for byte."
)


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


@bp.get("/exports/where-we-stand.csv")
@allow(Permission.EXPORT)
@operation(
    summary="Where we stand, as CSV",
    description="Every indicator against one peer group and period, as the page shows it." + STATES,
    query=service.ExportQuerySchema,
    mimetype="text/csv",
)
def where_we_stand() -> ResponseReturnValue:
    return send(service.where_we_stand(_user(), request.args))


@bp.get("/exports/trends.csv")
@allow(Permission.EXPORT)
@operation(
    summary="Trends, as CSV",
    description="The authority's trend on every indicator and how it stands against "
    "peers' trends." + STATES,
    query=service.ExportQuerySchema,
    mimetype="text/csv",
)
def trends() -> ResponseReturnValue:
    return send(service.trends(_user(), request.args))


@bp.get("/exports/norm-or-exception.csv")
@allow(Permission.EXPORT)
@operation(
    summary="Norm or exception?, as CSV",
    description="Known issues and their prevalence among the group's peers." + STATES,
    query=service.ExportQuerySchema,
    mimetype="text/csv",
)
def norm_or_exception() -> ResponseReturnValue:
    return send(service.norm_or_exception(_user(), request.args))


@bp.get("/exports/indicators/<indicator_code>.csv")
@allow(Permission.EXPORT)
@operation(
    summary="One indicator against the peers, as CSV",
    description="Your figure and every peer's, unlabelled and ordered by value, with "
    "intervals (yours), the funnel's limits and the classification." + STATES,
    query=service.ExportQuerySchema,
    mimetype="text/csv",
)
def indicator(indicator_code: str) -> ResponseReturnValue:
    return send(service.indicator(_user(), indicator_code, request.args))


@bp.get("/exports/network/spread.csv")
@allow(Permission.SEE_NETWORK_SPREAD)
@operation(
    summary="The network's spread, as CSV (inspectors)",
    description="Every indicator's spread across all councils in every released period." + STATES,
    query=service.ExportQuerySchema,
    mimetype="text/csv",
)
def network_spread() -> ResponseReturnValue:
    return send(service.network_spread(_user(), request.args))


@bp.get("/exports/network/figures.csv")
@allow(Permission.SEE_NETWORK_SPREAD)
@operation(
    summary="Every council's figure, unlabelled, as CSV (inspectors)",
    description="Every indicator and released period, ordered by value within each." + STATES,
    query=service.ExportQuerySchema,
    mimetype="text/csv",
)
def network_figures() -> ResponseReturnValue:
    return send(service.network_figures(_user(), request.args))


@bp.get("/exports/inspection-pack.zip")
@allow(Permission.HOLD_GRANTS)
@operation(
    summary="The inspection pack (inspectors, under a grant)",
    description="One ZIP for the authority named by `authority` (a GSS code you hold a "
    "current grant for): its figures against its peers, trends, known issues, the "
    "catalogue's CQC mapping, reviews, visits, notes and actions shared with inspectors, "
    "staff views, a printable summary, README.txt, data-dictionary.csv and "
    "datapackage.json (Frictionless Data Package v2, with every file's hash)." + STATES,
    query=service.ExportQuerySchema,
    mimetype="application/zip",
)
def inspection_pack() -> ResponseReturnValue:
    return send_pack(service.inspection_pack(_user(), request.args))
