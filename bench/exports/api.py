"""The exports' routes of the API (/api/v1): the same files as the pages' download links
(bench.exports.views.DOWNLOADS), with the same query (``group``, ``period``, ``as_of``,
``bom``; inspectors add ``authority`` under a grant) and the same headers stating the
as-of date, data version, methods and thresholds."""

from __future__ import annotations

from flask import Blueprint

from bench.api import API_PREFIX
from bench.api.openapi import operation
from bench.exports import service
from bench.exports.views import DOWNLOADS, handler

bp = Blueprint("exports_api", __name__, url_prefix=API_PREFIX)

STATES = (
    " The response headers Bench-As-Of, Bench-Data-Version, Bench-Methods and "
    "Bench-Thresholds state what the file was read from; `as_of=YYYY-MM-DD` reproduces "
    "it as published on that date, byte for byte."
)

for _item in DOWNLOADS:
    bp.add_url_rule(
        _item.api,
        _item.endpoint,
        operation(
            summary=_item.summary,
            description=_item.description + STATES,
            query=service.ExportQuerySchema,
            mimetype=_item.mimetype,
            errors=(404,),
        )(handler(_item)),
        methods=["GET"],
    )
