"""Exports: who may download which table, as of when, and what each file says about itself.

Every export starts from the one read model of the comparison pages
(:func:`bench.compare.service.viewing`: the viewer, the authority, the grant, audited once)
and the page object the view renders, so a file holds what its page shows and nothing
else. Each download is audited; an inspector's grant is checked at the moment of the
request, so a grant's end stops new exports at once.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validates

from bench import audit, disclosure
from bench.compare import indicator as compare_indicator
from bench.compare import network, norms
from bench.compare import queries as compare_queries
from bench.compare import service as compare
from bench.errors import NotFound
from bench.exports import comparisons, inspection
from bench.exports.pack import Blob, Manifest, Package, stream_zip
from bench.exports.tables import Section
from bench.extensions import db
from bench.models import InspectorGrant, Period, User, utcnow
from bench.validation import load

METHODS_PATH = "/methods"


class ExportQuerySchema(Schema):
    """The query of every export: the view's own choices, and ``as_of`` and ``bom``."""

    class Meta:
        unknown = "exclude"  # the page's other arguments (e.g. a return path) are ignored

    group = fields.String(load_default=None)
    period = fields.String(load_default=None)
    authority = fields.String(load_default=None)
    as_of = fields.Date(
        load_default=None,
        error_messages={"invalid": "as_of must be a date written YYYY-MM-DD, e.g. 2026-04-30."},
    )
    bom = fields.Boolean(load_default=False, truthy={"1", "true", "yes"}, falsy={"0", "false"})

    @validates("as_of")
    def _not_future(self, value: date | None, **_: Any) -> None:
        if value is not None and value > utcnow().date():
            raise ValidationError("as_of cannot be in the future: give today or an earlier date.")


@dataclass
class Export:
    """One CSV to send: its name, the table and rows, and what it states about itself."""

    filename: str
    section: Section
    bom: bool
    headers: dict[str, str] = field(default_factory=dict)


def query(args: Mapping[str, Any]) -> dict[str, Any]:
    return load(ExportQuerySchema(), dict(args))


def data_version(now: datetime) -> str:
    """A short fingerprint of the figures peers could see at *now* and the release round:
    the same for every export read as of the same moment, whatever was corrected since."""
    state = compare_queries.visible_state(now)
    digest = hashlib.sha256(repr(state).encode()).hexdigest()[:12]
    return f"{now:%Y-%m}.{digest}"


def thresholds() -> str:
    k = disclosure.min_peers()
    return (
        f"k={k} (no group figure from fewer than {k} peers); small counts 1-"
        f"{disclosure.SMALL_COUNT_MAX} shown as <{disclosure.SMALL_COUNT_MAX + 1}; peer "
        "figures to the indicator's decimals; denominators in bands of at least k peers; "
        "counts of answers with cell-key noise of at most 2"
    )


def _headers(now: datetime, as_of: date | None) -> dict[str, str]:
    return {
        "Bench-As-Of": (as_of or now.date()).isoformat(),
        "Bench-Data-Version": data_version(now),
        "Bench-Methods": METHODS_PATH,
        "Bench-Thresholds": thresholds(),
        "Cache-Control": "no-store",
    }


def _audit(user: User, view: compare.Viewing | None, what: str, **details: Any) -> None:
    db.begin_write()
    audit.record(
        "export_downloaded",
        actor=user,
        authority_id=view.authority_id if view is not None else None,
        details={
            "file": what,
            "as_of": view.as_of.isoformat() if view and view.as_of else None,
            "grant": view.grant_id if view is not None else None,
            **details,
        },
    )
    db.session.commit()


def _name(*parts: str | None) -> str:
    """bench-...-YYYY-MM-DD: lower case with dashes, from bench's own codes only."""
    words = [str(part).lower().replace(" ", "-") for part in parts if part]
    return "-".join(["bench", *words])


def _view(user: User, arguments: dict[str, Any]) -> compare.Viewing:
    return compare.viewing(user, arguments["authority"], as_of=arguments["as_of"])


# What one comparison export builds from the viewing: the table and rows, the period and
# group it is of (they name the file), and what else its audit event records.
Built = tuple[Section, Period, compare.GroupOption, dict[str, str]]


def _comparison(
    user: User, args: Mapping[str, Any], what: str, build: Callable[..., Built]
) -> Export:
    """One comparison view as a file: the viewing worked out (and a grant audited) once,
    the page built as its view builds it, the export audited, the file named from bench's
    own codes (the authority's only where the viewer may see it named: an inspector under
    a grant)."""
    arguments = query(args)
    view = _view(user, arguments)
    section, period, group, details = build(view, arguments)
    when = (view.as_of or view.now.date()).isoformat()
    name = _name(what, view.named_code, period.code, group.key, when)
    _audit(user, view, what, period=period.code, group=group.key, **details)
    return Export(f"{name}.csv", section, arguments["bom"], _headers(view.now, view.as_of))


def where_we_stand(user: User, args: Mapping[str, Any]) -> Export:
    def build(view: compare.Viewing, arguments: dict[str, Any]) -> Built:
        page = compare.where_we_stand(view, arguments["group"], arguments["period"], custom=True)
        return comparisons.where_we_stand(page), page.period, page.group, {}

    return _comparison(user, args, "where-we-stand", build)


def trends(user: User, args: Mapping[str, Any]) -> Export:
    def build(view: compare.Viewing, arguments: dict[str, Any]) -> Built:
        page = compare.where_we_stand(view, arguments["group"], arguments["period"], custom=True)
        return comparisons.trends(page), page.period, page.group, {}

    return _comparison(user, args, "trends", build)


def indicator(user: User, args: Mapping[str, Any], indicator_code: str) -> Export:
    def build(view: compare.Viewing, arguments: dict[str, Any]) -> Built:
        # Tied peers in a fresh order, or, for a file that reproduces a date, in the
        # order that request always gets (the same bytes).
        ties = comparisons.Labels(fresh_seed(view, f"indicator|{request_key(arguments)}"))
        page = compare_indicator.indicator_page(
            view,
            indicator_code,
            arguments["group"],
            arguments["period"],
            series=False,
            ties=ties.rng(indicator_code),
        )
        details = {"indicator": page.indicator.code}
        return comparisons.indicator(page), page.period, page.group, details

    return _comparison(user, args, f"indicator-{indicator_code}", build)


def norm_or_exception(user: User, args: Mapping[str, Any]) -> Export:
    def build(view: compare.Viewing, arguments: dict[str, Any]) -> Built:
        page = norms.norm_or_exception(view, arguments["group"], arguments["period"])
        return comparisons.norms(page), page.standing.period, page.group, {}

    return _comparison(user, args, "norm-or-exception", build)


def network_spread(user: User, args: Mapping[str, Any]) -> Export:
    """Every indicator's spread in every released period (inspectors), anonymised."""
    arguments = query(args)
    now = compare.moment_of(arguments["as_of"])
    periods = compare.released_periods(now)
    if not periods:
        raise NotFound("No period has been released yet")
    overviews = [network.overview(user, period.code, now) for period in periods]
    spreads = [spread for page in overviews for _, items in page.sections for spread in items]
    _audit(user, None, "network-spread")
    name = _name("network-spread", (arguments["as_of"] or now.date()).isoformat())
    section = Section(comparisons.NETWORK_SPREAD, comparisons.spread_rows(spreads))
    return Export(f"{name}.csv", section, arguments["bom"], _headers(now, arguments["as_of"]))


def network_figures(user: User, args: Mapping[str, Any]) -> Export:
    """Every council's figure, unlabelled, for every indicator and released period: the
    full-network export, streamed period by period."""
    arguments = query(args)
    now = compare.moment_of(arguments["as_of"])
    periods = compare.released_periods(now)
    if not periods:
        raise NotFound("No period has been released yet")
    network.require_inspector(user)  # before anything is streamed
    _audit(user, None, "network-figures")

    def rows() -> Iterator[Sequence[object]]:
        for period in periods:
            for indicator, listed in network.listings(user, period, now):
                yield from comparisons.figure_rows(indicator, period, listed)

    name = _name("network-figures", (arguments["as_of"] or now.date()).isoformat())
    section = Section(comparisons.NETWORK_FIGURES, rows())
    return Export(f"{name}.csv", section, arguments["bom"], _headers(now, arguments["as_of"]))


def request_key(arguments: Mapping[str, Any]) -> str:
    return "|".join(f"{key}={arguments[key]}" for key in ("group", "period", "authority"))


def fresh_seed(view: compare.Viewing, what: str) -> bytes:
    """The seed of an export's peer labels: fresh for every export; for one reproduced
    with ``as_of``, fixed by the request (the same user, view and date give the same
    bytes), and never the same for two different requests or users."""
    if view.as_of is None:
        return secrets.token_bytes(32)
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"{view.user.id}|{view.authority_id}|{view.as_of}|{what}".encode()
    return hashlib.sha256(key + b"|bench export labels|" + message).digest()


@dataclass
class PackDownload:
    filename: str
    chunks: Iterator[bytes]
    headers: dict[str, str]
    finished: Callable[[], None]  # call once the response is closed


def inspection_pack(user: User, args: Mapping[str, Any]) -> PackDownload:
    """The inspection pack for the authority an inspector names, under a current grant:
    streamed as it is built. Audited when it starts (who, which grant, as of when) and
    again, with every file's size and SHA-256, when the last byte has been written."""
    arguments = query(args)
    if not arguments["authority"]:
        raise NotFound("No authority")
    view = _view(user, arguments)
    if view.grant_id is None:
        raise NotFound("No authority")
    if not view.periods:
        raise NotFound("No period has been released yet")
    grant = db.session.get(InspectorGrant, view.grant_id)
    when = (view.as_of or view.now.date()).isoformat()
    window = (
        f"granted by the authority from {grant.starts_at:%Y-%m-%d} until "
        f"{grant.expires_at:%Y-%m-%d} (UTC)"
    )
    version = data_version(view.now)
    package = Package(
        name="bench-inspection-pack",
        title=f"Inspection pack: {view.authority_name}",
        version=version,
        created=inspection.created(view),
        description=(
            "An authority's figures against its anonymised peers, its known issues, and "
            "the reviews, visits, notes, actions and staff views it shared with inspectors."
        ),
        properties={
            "bench:as_of": when,
            "bench:release_round": f"{view.now:%Y-%m}",
            "bench:data_version": version,
            "bench:methods": METHODS_PATH,
            "bench:thresholds": {
                "k": disclosure.min_peers(),
                "small_count_max": disclosure.SMALL_COUNT_MAX,
                "noise_bound": 2,
                "summary": thresholds(),
            },
            "bench:exported_for": {"role": "inspector", "grant": window},
            "bench:caveats": [
                "Peer labels mean something within one indicator and period of this pack only.",
                "Peer groups and the catalogue are as they stand today; figures, notes and "
                "actions as they stood on the as-of date.",
            ],
        },
    )
    labels = comparisons.Labels(fresh_seed(view, f"inspection-pack|{request_key(arguments)}"))
    readme = Blob(
        "README.txt",
        inspection.readme(view, package, inspection.planned_tables(), window),
        title="Read me",
        description="What the pack holds, for people who will not open JSON.",
    )
    members, _ = inspection.members(view, arguments["group"], labels, package)
    manifest = Manifest()
    _audit(user, view, "inspection-pack", group=arguments["group"])

    chunks = stream_zip(
        itertools.chain([readme], members), date_time=view.now, package=package, manifest=manifest
    )
    app = current_app._get_current_object()

    def finished() -> None:
        """Once the response is closed (sent, or the client went away): the files'
        sizes and hashes in the authority's audit log, in a context of its own (the
        request's is gone by then)."""
        with app.app_context():
            db.begin_write()
            audit.record(
                "export_completed" if manifest.complete else "export_interrupted",
                actor=db.session.get(User, user.id),
                authority_id=view.authority_id,
                details={
                    "file": "inspection-pack",
                    "grant": view.grant_id,
                    "as_of": when,
                    "files": [
                        {"path": item.path, "bytes": item.bytes, "sha256": item.sha256}
                        for item in manifest.files
                    ],
                },
            )
            db.session.commit()

    name = _name("inspection-pack", view.named_code, when)
    return PackDownload(f"{name}.zip", chunks, _headers(view.now, view.as_of), finished)
