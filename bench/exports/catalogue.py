"""The catalogue as exported files: ``indicators.csv`` and ``issue-types.csv``, each row
placed in CQC's framework where it maps to a quality statement, so that an inspector can
read every other file of the pack by statement.

The catalogue is the network's shared vocabulary (every user sees it), so these files
name no authority and need no anonymity rule. Issue types are the approved ones only:
a proposal is visible to its proposing authority alone, and a merged or rejected type
is no longer one authorities answer about.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import attrgetter

from bench.admin import queries as catalogue_queries
from bench.exports.tables import Column, Section, Table
from bench.issues import queries as issue_queries
from bench.models import (
    EvidenceCategory,
    IssueTypeStatus,
    KeyArea,
    Polarity,
    QualityStatement,
    UnitKind,
)

NOT_MAPPED = "the catalogue maps it to no CQC quality statement: nothing fitted"


def quality_statements() -> list[tuple[str, str]]:
    """CQC's quality statements as (code, official title), in CQC's order (QS1 to QS9)."""
    return [(statement.value, statement.official_title) for statement in QualityStatement]


def _listing(pairs: list[tuple[str, str]]) -> str:
    return "; ".join(f"{code} {text}" for code, text in pairs)


# --- the columns, described once ------------------------------------------------------

CODE = Column(
    "code",
    "Indicator code",
    "The indicator's code in bench's catalogue: stable, and the key other files of the "
    "pack use to name the indicator.",
)
QUALITY_STATEMENT = Column(
    "cqc_quality_statement",
    "CQC quality statement",
    "The quality statement, in CQC's assessment of local authorities' adult social care "
    f"duties, that this is evidence for: {_listing(quality_statements())}.",
    allowed=tuple(statement.value for statement in QualityStatement),
    empty_means=NOT_MAPPED,
)
QUALITY_STATEMENT_TITLE = Column(
    "cqc_quality_statement_title",
    "CQC quality statement title",
    "The official title of the quality statement in cqc_quality_statement, for readers "
    "who do not know the codes.",
    allowed=tuple(statement.official_title for statement in QualityStatement),
    empty_means=NOT_MAPPED,
)

INDICATORS = Table(
    "indicators",
    "Indicators",
    "Every indicator in bench's catalogue: what it measures, how its figures are written "
    "and read, and where it sits in CQC's framework.",
    (
        CODE,
        Column("title", "Title", "The indicator's name as bench's pages show it."),
        Column(
            "definition",
            "Definition",
            "What the indicator counts and how, as the catalogue defines it.",
            empty_means="the catalogue gives no definition",
        ),
        Column(
            "key_area",
            "Key area",
            "Which of the five things a Best Value review watches the indicator belongs to: "
            + _listing([(area.value, area.label) for area in KeyArea])
            + ".",
            allowed=tuple(area.value for area in KeyArea),
        ),
        Column(
            "unit_kind",
            "Unit kind",
            "What kind of figure the indicator is: proportion (numerator out of denominator), "
            "rate (per multiplier people), mean, score, count or currency (pounds).",
            allowed=tuple(kind.value for kind in UnitKind),
        ),
        Column(
            "unit_label",
            "Unit label",
            "The unit as pages print it beside a figure, like 'per 100,000 adults' or "
            "'£ per week'.",
            empty_means="no label beyond the unit kind and multiplier",
        ),
        Column(
            "multiplier",
            "Multiplier",
            "For proportions and rates, value = numerator / denominator x multiplier: 100 "
            "for a percentage, 100000 for a rate per 100,000; 1 for other kinds.",
            type="integer",
        ),
        Column(
            "decimals",
            "Decimal places",
            "How many decimal places the indicator's figures are written to, in every file "
            "of the pack and on bench's pages.",
            type="integer",
            unit="decimal places",
        ),
        Column(
            "polarity",
            "Polarity",
            "Which direction is better: "
            + _listing([(polarity.value, polarity.label.lower()) for polarity in Polarity])
            + ".",
            allowed=tuple(polarity.value for polarity in Polarity),
        ),
        Column(
            "source",
            "Source",
            "Where the figures come from, with the publisher's licence where it needs one.",
            empty_means="the catalogue names no source",
        ),
        Column(
            "is_public",
            "Published under authorities' names",
            "true: a national publication prints this indicator under authorities' names; "
            "false: authorities share it only within the network.",
            type="boolean",
        ),
        Column(
            "is_synthetic",
            "Demo data",
            "true: demo data that no public source has, not real figures for any council.",
            type="boolean",
        ),
        QUALITY_STATEMENT,
        QUALITY_STATEMENT_TITLE,
        Column(
            "cqc_evidence_category",
            "CQC evidence category",
            "What kind of evidence the indicator is, in CQC's categories for local "
            "authorities: "
            + _listing([(category.value, category.label) for category in EvidenceCategory])
            + ".",
            allowed=tuple(category.value for category in EvidenceCategory),
            empty_means="the catalogue gives no evidence category (it has one only with a "
            "quality statement)",
        ),
    ),
)

ISSUE_TYPES = Table(
    "issue-types",
    "Issue types",
    "The known problems in bench's shared catalogue that authorities answer about, with "
    "the indicators that measure them and the CQC quality statement they bear on.",
    (
        Column(
            "code",
            "Issue type code",
            "The issue type's code in bench's catalogue: stable, and the key other files "
            "of the pack use to name the issue.",
        ),
        Column("title", "Title", "The issue type's name as bench's pages show it."),
        Column(
            "description",
            "Description",
            "What the problem looks like, so that authorities recognise it.",
            empty_means="the catalogue gives no description",
        ),
        Column(
            "indicator_codes",
            "Indicators that measure it",
            "The codes of the indicators that measure the issue (see indicators.csv), "
            "separated by single spaces, in code order.",
            empty_means="no indicator measures it",
        ),
        QUALITY_STATEMENT,
        QUALITY_STATEMENT_TITLE,
    ),
)


# --- the rows --------------------------------------------------------------------------


def _statement(statement: QualityStatement | None) -> tuple[str | None, str | None]:
    if statement is None:
        return None, None
    return statement.value, statement.official_title


def indicators_section() -> Section:
    """``indicators.csv``: every indicator, by code. Rows are read when written."""
    return Section(INDICATORS, _indicator_rows())


def _indicator_rows() -> Iterator[tuple[object, ...]]:
    for indicator in sorted(catalogue_queries.indicators(), key=attrgetter("code")):
        category = indicator.cqc_evidence_category
        yield (
            indicator.code,
            indicator.title,
            indicator.definition,
            indicator.key_area.value,
            indicator.unit_kind.value,
            indicator.unit_label,
            indicator.multiplier,
            indicator.decimals,
            indicator.polarity.value,
            indicator.source,
            indicator.is_public,
            indicator.is_synthetic,
            *_statement(indicator.cqc_quality_statement),
            category.value if category is not None else None,
        )


def issue_types_section() -> Section:
    """``issue-types.csv``: the approved issue types, by code. Rows are read when written."""
    return Section(ISSUE_TYPES, _issue_type_rows())


def _issue_type_rows() -> Iterator[tuple[object, ...]]:
    approved = issue_queries.issue_types([IssueTypeStatus.APPROVED])
    for issue_type in sorted(approved, key=attrgetter("code")):
        yield (
            issue_type.code,
            issue_type.title,
            issue_type.description,
            " ".join(sorted(indicator.code for indicator in issue_type.indicators)),
            *_statement(issue_type.cqc_quality_statement),
        )
