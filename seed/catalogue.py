"""Definitions the demo network loads: indicators, periods, issue types, reorganisations.

Real definitions come from seed/data/oflog-asc/README.md; synthetic indicators borrow
their definitions, units, polarity and spreads from public sources (see README.md,
"Demo network").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench.models import (
    AuthorityType,
    EvidenceCategory,
    KeyArea,
    Polarity,
    QualityStatement,
    UnitKind,
)

OFLOG_SOURCE = (
    "Office for Local Government (Oflog), Local Authority Data Explorer, adult social care "
    "measures. Contains public sector information licensed under the Open Government "
    "Licence v3.0."
)
SYNTHETIC_SOURCE = "Synthetic demo data: not real figures for any council."

AUTHORITY_TYPES = {
    "Counties": AuthorityType.COUNTY,
    "Unitary Authorities": AuthorityType.UNITARY,
    "Metropolitan Districts": AuthorityType.METROPOLITAN_DISTRICT,
    "London Boroughs": AuthorityType.LONDON_BOROUGH,
}


@dataclass(frozen=True)
class Reorganisation:
    predecessors: tuple[str, ...]
    successors: tuple[str, ...]
    effective_on: date


REORGANISATIONS = (
    Reorganisation(("E06000028", "E06000029"), ("E06000058",), date(2019, 4, 1)),
    Reorganisation(("E10000009",), ("E06000059",), date(2019, 4, 1)),
    Reorganisation(("E10000002",), ("E06000060",), date(2020, 4, 1)),
    Reorganisation(("E10000021",), ("E06000061", "E06000062"), date(2021, 4, 1)),
)


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    title: str
    key_area: KeyArea
    unit_kind: UnitKind
    multiplier: int
    polarity: Polarity
    definition: str
    source: str
    unit_label: str = ""
    has_counts: bool = False
    is_public: bool = False
    is_synthetic: bool = False
    plausible_min: float | None = None
    plausible_max: float | None = None
    decimals: int = 1


REAL_INDICATORS = (
    IndicatorDefinition(
        "ASC1",
        "Carer-reported quality of life",
        KeyArea.USER_SATISFACTION,
        UnitKind.SCORE,
        1,
        Polarity.HIGHER_IS_BETTER,
        "Mean quality-of-life score, 0 to 12, reported by carers in the biennial Survey of "
        "Adult Carers in England.",
        OFLOG_SOURCE,
        unit_label="score out of 12",
        is_public=True,
        plausible_min=0,
        plausible_max=12,
    ),
    IndicatorDefinition(
        "ASC2",
        "Quality of life impact of adult social care",
        KeyArea.NATIONAL_FRAMEWORK,
        UnitKind.SCORE,
        1,
        Polarity.HIGHER_IS_BETTER,
        "How far care and support improves users' social care-related quality of life "
        "(adjusted impact score from the Adult Social Care Survey).",
        OFLOG_SOURCE,
        unit_label="impact score",
        is_public=True,
        plausible_min=0,
        plausible_max=1,
        decimals=2,
    ),
    IndicatorDefinition(
        "ASC3",
        "Ease of finding information about services: service users",
        KeyArea.USER_SATISFACTION,
        UnitKind.PROPORTION,
        100,
        Polarity.HIGHER_IS_BETTER,
        "Service users who found it very or fairly easy to find information about services, "
        "out of those who tried.",
        OFLOG_SOURCE,
        is_public=True,
        plausible_min=0,
        plausible_max=100,
    ),
    IndicatorDefinition(
        "ASC4",
        "Ease of finding information about support: carers",
        KeyArea.USER_SATISFACTION,
        UnitKind.PROPORTION,
        100,
        Polarity.HIGHER_IS_BETTER,
        "Carers who found it very or fairly easy to find information about support, out of "
        "those who tried.",
        OFLOG_SOURCE,
        is_public=True,
        plausible_min=0,
        plausible_max=100,
    ),
    IndicatorDefinition(
        "ASC5",
        "Outcome of short-term services: sequel to service",
        KeyArea.NATIONAL_FRAMEWORK,
        UnitKind.PROPORTION,
        100,
        Polarity.HIGHER_IS_BETTER,
        "Short-term (reablement) episodes ending with no ongoing support or support of a "
        "lower level, out of completed episodes.",
        OFLOG_SOURCE,
        is_public=True,
        plausible_min=0,
        plausible_max=100,
    ),
    IndicatorDefinition(
        "ASC6",
        "Requests for support resulting in a service",
        KeyArea.LOCAL_PRIORITIES,
        UnitKind.RATE,
        100_000,
        Polarity.NEITHER,
        "Requests for support from new clients that resulted in a service, per 100,000 adults.",
        OFLOG_SOURCE,
        is_public=True,
        plausible_min=0,
        plausible_max=30_000,
        decimals=0,
    ),
    IndicatorDefinition(
        "ASC7",
        "Adult social care workforce turnover",
        KeyArea.STAFF_ACCEPTANCE,
        UnitKind.PROPORTION,
        100,
        Polarity.NEITHER,
        "Staff who left in the year, out of filled posts (Skills for Care estimates). Lower "
        "is usually read as better.",
        OFLOG_SOURCE,
        is_public=True,
        plausible_min=0,
        plausible_max=100,
    ),
)

SYNTHETIC_INDICATORS = (
    IndicatorDefinition(
        "DP-PCT",
        "Adults receiving direct payments",
        KeyArea.NATIONAL_FRAMEWORK,
        UnitKind.PROPORTION,
        100,
        Polarity.HIGHER_IS_BETTER,
        "Adults receiving long-term community support who receive a direct payment (in full "
        "or in part), out of all adults receiving long-term community support at 31 March "
        "(ASCOF 3D part 2a, formerly 1C(2a)).",
        SYNTHETIC_SOURCE,
        has_counts=True,
        is_synthetic=True,
        plausible_min=0,
        plausible_max=100,
    ),
    IndicatorDefinition(
        "ADM65",
        "Permanent admissions to care homes, people aged 65 and over",
        KeyArea.NATIONAL_FRAMEWORK,
        UnitKind.RATE,
        100_000,
        Polarity.LOWER_IS_BETTER,
        "Council-supported permanent admissions of people aged 65 and over to residential "
        "and nursing care homes, per 100,000 population aged 65 and over (ASCOF 2A part 2).",
        SYNTHETIC_SOURCE,
        has_counts=True,
        is_synthetic=True,
        plausible_min=0,
        plausible_max=2_000,
        decimals=0,
    ),
    IndicatorDefinition(
        "WAIT-ASSESS",
        "People waiting for a care needs assessment",
        KeyArea.LOCAL_PRIORITIES,
        UnitKind.RATE,
        100_000,
        Polarity.LOWER_IS_BETTER,
        "People waiting for a Care Act needs assessment at the end of the year, per 100,000 "
        "adults.",
        SYNTHETIC_SOURCE,
        has_counts=True,
        is_synthetic=True,
        plausible_min=0,
        plausible_max=5_000,
        decimals=0,
    ),
    IndicatorDefinition(
        "SAT",
        "Users satisfied with their care and support",
        KeyArea.USER_SATISFACTION,
        UnitKind.PROPORTION,
        100,
        Polarity.HIGHER_IS_BETTER,
        "Respondents to the Adult Social Care Survey who are extremely or very satisfied "
        "with their care and support, out of all respondents (ASCOF 3A).",
        SYNTHETIC_SOURCE,
        has_counts=True,
        is_synthetic=True,
        plausible_min=0,
        plausible_max=100,
    ),
    IndicatorDefinition(
        "WF-VAC",
        "Adult social care vacancy rate",
        KeyArea.STAFF_ACCEPTANCE,
        UnitKind.PROPORTION,
        100,
        Polarity.LOWER_IS_BETTER,
        "Vacant posts out of all posts (filled and vacant) in adult social care in the area "
        "(Skills for Care method).",
        SYNTHETIC_SOURCE,
        has_counts=True,
        is_synthetic=True,
        plausible_min=0,
        plausible_max=100,
    ),
    IndicatorDefinition(
        "COST-RES65",
        "Gross cost per week of residential care, people aged 65 and over",
        KeyArea.COST_EFFICIENCY,
        UnitKind.CURRENCY,
        1,
        Polarity.NEITHER,
        "Gross spend on externally commissioned residential care for people aged 65 and "
        "over, divided by resident weeks.",
        SYNTHETIC_SOURCE,
        unit_label="£ per week",
        is_synthetic=True,
        plausible_min=300,
        plausible_max=3_000,
        decimals=0,
    ),
)


@dataclass(frozen=True)
class IssueTypeDefinition:
    code: str
    title: str
    description: str
    indicator_codes: tuple[str, ...] = field(default_factory=tuple)
    # Demo only: the share of councils that report it, and of the rest that answer "no".
    reported_share: float = 0.3
    answered_no_share: float = 0.5


ISSUE_TYPES = (
    IssueTypeDefinition(
        "slow-direct-payments",
        "Slow direct-payments take-up",
        "Few eligible people choose a direct payment, or take-up grows slowly after a new "
        "scheme starts.",
        ("DP-PCT",),
        0.72,
        0.6,
    ),
    IssueTypeDefinition(
        "social-worker-recruitment",
        "Social worker recruitment and retention",
        "Vacancies are hard to fill and experienced social workers leave.",
        ("WF-VAC", "ASC7"),
        0.45,
        0.5,
    ),
    IssueTypeDefinition(
        "assessment-waiting-lists",
        "Assessment waiting lists",
        "People wait too long for a Care Act needs assessment.",
        ("WAIT-ASSESS",),
        0.55,
        0.5,
    ),
    IssueTypeDefinition(
        "delayed-discharge",
        "Delayed hospital discharges",
        "People medically fit to leave hospital wait for care to be arranged.",
        ("ASC5",),
        0.4,
        0.5,
    ),
    IssueTypeDefinition(
        "home-care-market",
        "Home-care market sustainability",
        "Providers leave the market or cannot recruit, and fees do not cover costs.",
        ("COST-RES65",),
        0.35,
        0.5,
    ),
    IssueTypeDefinition(
        "carers-assessment-backlog",
        "Carers' assessments backlog",
        "Carers wait for an assessment of their own needs.",
        ("ASC1", "ASC4"),
        0.25,
        0.6,
    ),
    IssueTypeDefinition(
        "reablement-capacity",
        "Reablement capacity",
        "Not enough short-term reablement to meet demand, so people go straight to long-term care.",
        ("ASC5", "ADM65"),
        0.3,
        0.5,
    ),
    IssueTypeDefinition(
        "care-home-admissions",
        "High permanent care-home admissions",
        "More older people move permanently into care homes than community support would need.",
        ("ADM65",),
        0.15,
        0.6,
    ),
    IssueTypeDefinition(
        "information-and-advice",
        "Hard-to-find information and advice",
        "Users and carers find it hard to find information about services and support.",
        ("ASC3", "ASC4"),
        0.12,
        0.6,
    ),
    IssueTypeDefinition(
        "transitions",
        "Transitions from children's services",
        "Young people moving to adult social care meet gaps in planning and support.",
        (),
        0.2,
        0.5,
    ),
)


# --- the catalogue's CQC mapping (seed/data/cqc) --------------------------------------

CQC_MAPPING_FILE = Path(__file__).resolve().parent / "data" / "cqc" / "mapping.csv"


@dataclass(frozen=True)
class CqcMapping:
    """One catalogue row's place in CQC's framework (see seed/data/cqc/README.md)."""

    kind: str  # "indicator" or "issue_type"
    code: str
    quality_statement: QualityStatement
    evidence_category: EvidenceCategory | None


def read_cqc_mapping(path: Path = CQC_MAPPING_FILE) -> tuple[CqcMapping, ...]:
    """The mapping file, checked as it is read: a wrong code fails the seed loudly."""
    known = {
        "indicator": {d.code for d in (*REAL_INDICATORS, *SYNTHETIC_INDICATORS)},
        "issue_type": {d.code for d in ISSUE_TYPES},
    }
    mappings = []
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            kind, code = row["kind"], row["code"]
            if code not in known.get(kind, ()):
                raise ValueError(f"{path.name} line {line}: no demo {kind} {code!r}")
            category = row["cqc_evidence_category"]
            if category and kind != "indicator":
                raise ValueError(f"{path.name} line {line}: only indicators have a category")
            mappings.append(
                CqcMapping(
                    kind,
                    code,
                    QualityStatement(row["cqc_quality_statement"]),
                    EvidenceCategory(category) if category else None,
                )
            )
    return tuple(mappings)
