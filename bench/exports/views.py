"""Downloads: every comparison view as CSV, the network view for inspectors, and the
inspection pack; each link sits beside the table it downloads."""

from __future__ import annotations

from flask import Blueprint, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow
from bench.csvout import csv_download, download
from bench.exports import service
from bench.models import User

bp = Blueprint("exports", __name__)


def _user() -> User:
    return current_user._get_current_object()


def send(export: service.Export) -> ResponseReturnValue:
    """The export streamed row by row (rows read from the database while the request
    lasts), with what it states about itself in the response headers."""
    return csv_download(
        export.filename,
        export.section.table.header,
        stream_with_context(iter(export.section.rows)),
        bom=export.bom,
        headers=export.headers,
    )


@bp.route("/compare/export/where-we-stand.csv")
@allow(Permission.EXPORT)
def where_we_stand() -> ResponseReturnValue:
    return send(service.where_we_stand(_user(), request.args))


@bp.route("/compare/export/trends.csv")
@allow(Permission.EXPORT)
def trends() -> ResponseReturnValue:
    return send(service.trends(_user(), request.args))


@bp.route("/compare/export/norm-or-exception.csv")
@allow(Permission.EXPORT)
def norm_or_exception() -> ResponseReturnValue:
    return send(service.norm_or_exception(_user(), request.args))


@bp.route("/compare/export/indicators/<indicator_code>.csv")
@allow(Permission.EXPORT)
def indicator(indicator_code: str) -> ResponseReturnValue:
    return send(service.indicator(_user(), indicator_code, request.args))


@bp.route("/compare/network/export/spread.csv")
@allow(Permission.SEE_NETWORK_SPREAD)
def network_spread() -> ResponseReturnValue:
    return send(service.network_spread(_user(), request.args))


@bp.route("/compare/network/export/figures.csv")
@allow(Permission.SEE_NETWORK_SPREAD)
def network_figures() -> ResponseReturnValue:
    return send(service.network_figures(_user(), request.args))


def send_pack(pack: service.PackDownload) -> ResponseReturnValue:
    response = download(
        pack.filename, stream_with_context(pack.chunks), "application/zip", headers=pack.headers
    )
    response.call_on_close(pack.finished)
    return response


@bp.route("/compare/export/inspection-pack.zip")
@allow(Permission.HOLD_GRANTS)
def inspection_pack() -> ResponseReturnValue:
    return send_pack(service.inspection_pack(_user(), request.args))
