"""Downloads: every comparison view as CSV, the network view for inspectors, and the
inspection pack; each link sits beside the table it downloads. The same files are routes
of the API (bench.exports.api): both are made from the one table here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow
from bench.csvout import csv_download, download
from bench.exports import service

bp = Blueprint("exports", __name__)


@dataclass(frozen=True)
class Download:
    """One downloadable file: its endpoint, its page and API rules, who may take it, and
    what the API reference says of it."""

    endpoint: str
    page: str
    api: str  # under /api/v1
    permission: Permission
    summary: str
    description: str
    make: Callable[..., service.Export | service.PackDownload]
    mimetype: str = "text/csv"


DOWNLOADS = (
    Download(
        "where_we_stand", "/compare/export/where-we-stand.csv", "/exports/where-we-stand.csv",
        Permission.EXPORT, "Where we stand, as CSV",
        "Every indicator against one peer group and period, as the page shows it.",
        service.where_we_stand,
    ),
    Download(
        "trends", "/compare/export/trends.csv", "/exports/trends.csv", Permission.EXPORT,
        "Trends, as CSV",
        "The authority's trend on every indicator and how it stands against peers' trends.",
        service.trends,
    ),
    Download(
        "norm_or_exception", "/compare/export/norm-or-exception.csv",
        "/exports/norm-or-exception.csv", Permission.EXPORT, "Norm or exception?, as CSV",
        "Known issues and their prevalence among the group's peers.",
        service.norm_or_exception,
    ),
    Download(
        "indicator", "/compare/export/indicators/<indicator_code>.csv",
        "/exports/indicators/<indicator_code>.csv", Permission.EXPORT,
        "One indicator against the peers, as CSV",
        "Your figure and every peer's, unlabelled and ordered by value, with your interval, "
        "the funnel's limits and the classification.",
        service.indicator,
    ),
    Download(
        "network_spread", "/compare/network/export/spread.csv", "/exports/network/spread.csv",
        Permission.SEE_NETWORK_SPREAD, "The network's spread, as CSV (inspectors)",
        "Every indicator's spread across all councils in every released period.",
        service.network_spread,
    ),
    Download(
        "network_figures", "/compare/network/export/figures.csv",
        "/exports/network/figures.csv", Permission.SEE_NETWORK_SPREAD,
        "Every council's figure, unlabelled, as CSV (inspectors)",
        "Every indicator and released period, ordered by value within each.",
        service.network_figures,
    ),
    Download(
        "inspection_pack", "/compare/export/inspection-pack.zip",
        "/exports/inspection-pack.zip", Permission.HOLD_GRANTS,
        "The inspection pack (inspectors, under a grant)",
        "One ZIP for the authority named by `authority` (a GSS code you hold a current grant "
        "for): its figures against its peers, trends, known issues, the catalogue's CQC "
        "mapping, reviews, visits, notes and actions shared with inspectors, staff views, a "
        "printable summary, README.txt, data-dictionary.csv and datapackage.json "
        "(Frictionless Data Package v2, with every file's hash).",
        service.inspection_pack, "application/zip",
    ),
)  # fmt: skip


def send(made: service.Export | service.PackDownload) -> ResponseReturnValue:
    """The file streamed (rows read from the database while the request lasts), with what
    it states about itself in the response headers; a pack's hashes are audited once the
    response closes."""
    if isinstance(made, service.PackDownload):
        response = download(
            made.filename,
            stream_with_context(made.chunks),
            "application/zip",
            headers=made.headers,
        )
        response.call_on_close(made.finished)
        return response
    return csv_download(
        made.filename,
        made.section.table.header,
        stream_with_context(iter(made.section.rows)),
        bom=made.bom,
        headers=made.headers,
    )


def handler(item: Download) -> Callable[..., ResponseReturnValue]:
    def view(**path: Any) -> ResponseReturnValue:
        return send(item.make(current_user._get_current_object(), request.args, **path))

    view.__name__ = item.endpoint
    view.__doc__ = item.summary
    return allow(item.permission)(view)


for _item in DOWNLOADS:
    bp.add_url_rule(_item.page, _item.endpoint, handler(_item))
