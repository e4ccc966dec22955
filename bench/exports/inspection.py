"""The inspection pack: one ZIP, for an authority an inspector holds a current grant for.

Its figures against its peers (every released period), trends, its known issues and their
prevalence, the catalogue with its CQC mapping, its reviews, visits, notes and actions
shared with inspectors, staff views' summary and "you said, we did"; a printable summary
organised by CQC quality statement, ``README.txt``, ``data-dictionary.csv`` and
``datapackage.json`` with every file's size and hash.

Everything comes from the same read model and page objects as the pages: the pack lays
out what :mod:`bench.compare` and the records' own rules have already disclosed. Peer
labels are drawn afresh for every indicator and period of every pack (DESIGN.md,
Anonymity 2 and 12: a label that joined a peer's rows across indicators would put its
network-only figures beside its public ones).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from bench.compare import engine
from bench.compare import indicator as compare_indicator
from bench.compare import norms as compare_norms
from bench.compare import service as compare
from bench.exports import catalogue, comparisons, records
from bench.exports.pack import Blob, Member, Package
from bench.exports.tables import CONFIDENTIAL, NOT_AVAILABLE, Column, Section, Table
from bench.models import Indicator, IssueType

QUALITY_STATEMENT = Column(
    "cqc_quality_statement",
    "CQC quality statement",
    "The CQC quality statement (QS1 to QS9) the indicator or issue evidences, from the "
    "catalogue (indicators.csv, issue-types.csv).",
    empty_means="the catalogue maps it to no quality statement",
)


def _with_statement(table: Table, description: str) -> Table:
    return Table(table.name, table.title, description, (QUALITY_STATEMENT, *table.columns))


STANDING = _with_statement(
    comparisons.WHERE_WE_STAND,
    "The authority's figure on every indicator in every released period against the chosen "
    "peer group: its own figure, exact, with its interval; the group's median, quartiles "
    "and pooled value to the indicator's decimals; the classification.",
)
ISSUES = _with_statement(
    comparisons.NORMS,
    "Every known issue: the authority's own answer and how common it is among the group's "
    "peers (counts with cell-key noise), in the latest released period.",
)

PEER_FIGURES = Table(
    "peer-figures",
    "The authority against every peer",
    "For every indicator and released period: the authority's row, identified, and every "
    "peer's, labelled afresh for that indicator and period only (a label means nothing in "
    "another row of another indicator or period, nor in another pack) and ordered by value.",
    (
        comparisons.INDICATOR_CODE,
        comparisons.PERIOD,
        comparisons.GROUP,
        Column("authority_label", "Peer", "A peer's label within this indicator and period "
               "of this pack only.", empty_means="the authority's own row"),
        Column("authority_gss_code", "GSS code", "The authority's GSS code.",
               empty_means="a peer's row"),
        Column("authority_name", "Authority", "The authority's name.",
               empty_means="a peer's row"),
        *comparisons.INDICATOR.columns[3:],
    ),
)  # fmt: skip


@dataclass
class Contents:
    """What the pack's summary and README report, gathered while its tables are built."""

    authority_name: str
    authority_code: str
    group: str = ""
    periods: list[str] = field(default_factory=list)
    standings: list[compare.Standing] = field(default_factory=list)  # latest period
    issues: list[compare_norms.IssueStanding] = field(default_factory=list)


def _statement(subject: Indicator | IssueType) -> str:
    statement = getattr(subject, "cqc_quality_statement", None)
    return statement.value if statement is not None else ""


def _standing_rows(pages: list[compare.StandingPage]) -> Iterator[Sequence[object]]:
    for page in pages:
        section = comparisons.where_we_stand(page)
        standings = [s for _, items in page.sections for s in items]
        for standing, row in zip(standings, section.rows, strict=True):
            yield [_statement(standing.indicator), *row]


def _peer_rows(
    view: compare.Viewing, pages: list[compare.StandingPage], labels: comparisons.Labels
) -> Iterator[Sequence[object]]:
    for standing_page in pages:
        for _, standings in standing_page.sections:
            for standing in standings:
                scope = (
                    f"{standing_page.period.code}|{standing.indicator.code}|"
                    f"{standing_page.group.key}"
                )
                page = compare_indicator.from_standing(
                    view, standing.indicator, standing_page, series=False,
                    ties=labels.rng(f"ties|{scope}"),
                )  # fmt: skip
                rows = list(comparisons.indicator(page).rows)
                own, peers = rows[0], rows[1:]
                names = labels.numbers(scope, len(peers))
                base = own[:3]
                yield [*base, "", view.named_code, view.authority_name, *own[3:]]
                for label, peer in zip(names, peers, strict=True):
                    yield [*base, label, "", "", *peer[3:]]


def _issue_rows(page: compare_norms.NormPage) -> Iterator[Sequence[object]]:
    section = comparisons.norms(page)
    by_code = {
        item.issue_type.code: item.issue_type
        for item in page.shared + page.own + page.elsewhere + page.quiet
    }
    for row in section.rows:
        yield [_statement(by_code[str(row[0])]), *row]


def members(
    view: compare.Viewing, group_key: str | None, labels: comparisons.Labels, package: Package
) -> tuple[Iterator[Member], Contents]:
    """The pack's members, built lazily as the ZIP streams, and the contents the summary
    reports (filled in by the time the summary, the last data member, is written)."""
    contents = Contents(view.authority_name, view.named_code or "")
    periods = view.periods

    def generate() -> Iterator[Member]:
        pages = [
            compare.where_we_stand(view, group_key, period.code, custom=True) for period in periods
        ]
        latest = pages[-1]
        contents.group = latest.group.label
        contents.periods = [page.period.label for page in pages]
        contents.standings = [s for _, items in latest.sections for s in items]
        norm_page = compare_norms.norm_or_exception(view, latest.group.key, latest.period.code)
        contents.issues = norm_page.shared + norm_page.own + norm_page.elsewhere
        contents.issues += norm_page.quiet
        yield catalogue.indicators_section()
        yield catalogue.issue_types_section()
        yield Section(STANDING, _standing_rows(pages))
        yield Section(PEER_FIGURES, _peer_rows(view, pages, labels))
        yield comparisons.trends(latest)
        yield Section(ISSUES, _issue_rows(norm_page))
        yield from records.sections(view.user, view.authority_id, view.now)
        yield Blob(
            "summary.html",
            summary_html(view, contents, package),
            title="Printable summary",
            description="The pack's summary for print: organised by CQC quality statement.",
        )

    return generate(), contents


def _render(name: str, **context: object) -> str:
    """A file of the pack from its template, with none of the pages' context (no signed-in
    user, no navigation): it is rendered while the ZIP streams, and is a file, not a page."""
    return current_app.jinja_env.get_template(name).render(**context)


def _level(standing: compare.Standing) -> str:
    if standing.level in (engine.POSSIBLE, engine.EXCEPTION):
        return standing.words
    return standing.words if standing.level != engine.NORM else "The norm"


def summary_html(view: compare.Viewing, contents: Contents, package: Package) -> str:
    """A printable page: by quality statement, where the authority is an exception and
    which of its known issues are the norm among peers; no score or rating."""
    statements = catalogue.quality_statements()
    by_statement: dict[str, tuple[list, list]] = {code: ([], []) for code, _ in statements}
    unmapped: tuple[list, list] = ([], [])
    for standing in contents.standings:
        code = _statement(standing.indicator)
        (by_statement.get(code, unmapped))[0].append(standing)
    for item in contents.issues:
        code = _statement(item.issue_type)
        (by_statement.get(code, unmapped))[1].append(item)
    return _render(
        "exports/summary.html",
        view=view,
        contents=contents,
        package=package,
        statements=[(code, title, *by_statement[code]) for code, title in statements],
        unmapped=unmapped,
        level=_level,
        withheld_codes={CONFIDENTIAL: "confidential", NOT_AVAILABLE: "not available"},
    )


def readme(view: compare.Viewing, package: Package, tables: list[Table], window: str) -> str:
    return _render("exports/README.txt", view=view, package=package, tables=tables, window=window)


def planned_tables() -> list[Table]:
    """Every table a pack holds, in order (for its README, written first)."""
    return [
        catalogue.INDICATORS,
        catalogue.ISSUE_TYPES,
        STANDING,
        PEER_FIGURES,
        comparisons.TRENDS,
        ISSUES,
        *records.TABLES,
    ]


def created(view: compare.Viewing) -> datetime:
    """The pack's creation time as it states it: the as-of moment when it reproduces a
    date (so the same request gives the same bytes), else now."""
    return view.now
