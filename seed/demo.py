"""Load the demo network: idempotent, deterministic, and never in production.

Real layer: 157 English councils with their types, regions, reorganisations, published
nearest-neighbour groups and seven Oflog adult social care measures for eight years
(seed/data/oflog-asc). Synthetic layer, labelled as demo data wherever it shows: context
figures, count-based indicators with numerators and denominators, issue flags, visits and
the demo accounts.

Every table is filled by natural key (GSS code, indicator code, email, ...): what exists
is left alone, so running it twice changes nothing.
"""

from __future__ import annotations

import csv
import json
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select

from bench import security
from bench.extensions import db
from bench.models import (
    Authority,
    ContextFigure,
    FlagAnswer,
    FlagStatus,
    Indicator,
    InspectorGrant,
    IssueFlag,
    IssueType,
    PeerGroup,
    PeerGroupKind,
    PeerGroupMember,
    Period,
    PeriodKind,
    Role,
    Severity,
    Succession,
    User,
    Value,
    ValueStatus,
    issue_type_indicators,
)
from seed.catalogue import (
    AUTHORITY_TYPES,
    ISSUE_TYPES,
    REAL_INDICATORS,
    REORGANISATIONS,
    SYNTHETIC_INDICATORS,
    IndicatorDefinition,
    read_cqc_mapping,
)
from seed.reviews import People, load_review_cycle
from seed.tried import TRIED_BY_ISSUE_TYPE

DATA_DIR = Path(__file__).resolve().parent / "data" / "oflog-asc"
DEMO_DOMAIN = "demo.example"
INSPECTOR_EMAIL = "inspector@inspectorate.demo.example"
NETWORK_ADMIN_EMAIL = "netadmin@network.demo.example"
CONTEXT_AS_OF = date(2021, 3, 21)  # census day: the demo's context figures are "as of" it
DEMO_AUTHORITY_WITH_VISITS = "E10000017"  # Lancashire, the README's walkthrough


@dataclass
class SeedReport:
    added: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        if not any(self.added.values()):
            return "The demo network is already loaded; nothing changed."
        parts = ", ".join(f"{count} {name}" for name, count in sorted(self.added.items()))
        return f"Demo network loaded: {parts}."


def demo_email(role: str, gss_code: str) -> str:
    return f"{role}@{gss_code.lower()}.{DEMO_DOMAIN}"


def _rng(*key: object) -> np.random.Generator:
    """A generator fixed by *key*, so each series is the same whatever the load order."""
    return np.random.default_rng(zlib.crc32(":".join(map(str, key)).encode()))


def _read_oflog() -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    with (DATA_DIR / "values.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (DATA_DIR / "nearest_neighbours.json").open(encoding="utf-8") as handle:
        neighbours = json.load(handle)
    return rows, neighbours


def load_demo(password: str) -> SeedReport:
    """Load whatever part of the demo network is missing, in one transaction."""
    report = SeedReport()
    rows, neighbours = _read_oflog()
    try:
        authorities = _authorities(rows, report)
        indicators = _indicators(report)
        periods = _periods(rows, report)
        _context_figures(authorities, report)
        _values_real(rows, authorities, indicators, periods, report)
        _values_synthetic(authorities, indicators, periods, report)
        _published_neighbours(neighbours, authorities, report)
        issue_types = _issue_types(indicators, report)
        _cqc_mapping(indicators, issue_types, report)
        users = _users(authorities, password, report)
        _flags(authorities, issue_types, users, report)
        _review_cycle(authorities, issue_types, indicators, periods, neighbours, users, report)
        _grants(authorities, users, report)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


# --- authorities ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAuthority:
    id: int
    gss_code: str
    name: str
    type: str
    started_on: date | None
    ended_on: date | None

    def exists_in(self, period: Period) -> bool:
        start = period.starts_on
        return (self.started_on is None or self.started_on <= start) and (
            self.ended_on is None or start < self.ended_on
        )


def _authorities(rows: list[dict[str, str]], report: SeedReport) -> dict[str, DemoAuthority]:
    started: dict[str, date] = {}
    ended: dict[str, date] = {}
    for change in REORGANISATIONS:
        for code in change.predecessors:
            ended[code] = change.effective_on
        for code in change.successors:
            started[code] = change.effective_on
    existing = set(db.session.scalars(select(Authority.gss_code)))
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen.setdefault(
            row["gss_code"],
            {
                "gss_code": row["gss_code"],
                "name": row["authority_name"],
                "type": AUTHORITY_TYPES[row["authority_type"]],
                "region": row["region"],
                "started_on": started.get(row["gss_code"]),
                "ended_on": ended.get(row["gss_code"]),
            },
        )
    new = [values for code, values in sorted(seen.items()) if code not in existing]
    if new:
        db.session.execute(insert(Authority), new)
        report.added["authorities"] += len(new)
    by_code = {
        a.gss_code: DemoAuthority(a.id, a.gss_code, a.name, a.type.value, a.started_on, a.ended_on)
        for a in db.session.scalars(select(Authority).order_by(Authority.gss_code))
    }
    existing_pairs = set(
        db.session.execute(select(Succession.predecessor_id, Succession.successor_id)).all()
    )
    successions = [
        {
            "predecessor_id": by_code[old].id,
            "successor_id": by_code[new_code].id,
            "effective_on": change.effective_on,
        }
        for change in REORGANISATIONS
        for old in change.predecessors
        for new_code in change.successors
        if (by_code[old].id, by_code[new_code].id) not in existing_pairs
    ]
    if successions:
        db.session.execute(insert(Succession), successions)
        report.added["successions"] += len(successions)
    return by_code


def _context_figures(authorities: dict[str, DemoAuthority], report: SeedReport) -> None:
    """Synthetic context figures, shaped by council type (demo data, not census counts)."""
    existing = set(db.session.scalars(select(ContextFigure.authority_id).distinct()))
    typical = {  # adults (median), share aged 65+, deprivation score, rural share
        "county": (650_000, 0.24, 16.0, 0.45),
        "unitary": (190_000, 0.21, 22.0, 0.20),
        "metropolitan_district": (260_000, 0.18, 28.0, 0.05),
        "london_borough": (210_000, 0.12, 24.0, 0.0),
    }
    tiny = {"E06000053": 1_800, "E09000001": 7_000}  # Isles of Scilly, City of London
    rows = []
    for code, authority in authorities.items():
        if authority.id in existing:
            continue
        rng = _rng("context", code)
        adults_median, older, deprivation, rural = typical[authority.type]
        adults = tiny.get(code) or float(round(adults_median * rng.lognormal(0, 0.35), -2))
        figures = {
            "adults_18_plus": adults,
            "share_aged_65_plus": float(np.clip(rng.normal(older, 0.03), 0.06, 0.4)),
            "deprivation_score": float(np.clip(rng.normal(deprivation, 5), 5, 45)),
            "rural_share": float(np.clip(rng.normal(rural, 0.1), 0, 0.9)),
        }
        for name, value in figures.items():
            rows.append(
                {
                    "authority_id": authority.id,
                    "name": name,
                    "value": value,
                    "as_of": CONTEXT_AS_OF,
                    "source": "Synthetic demo data",
                }
            )
    if rows:
        db.session.execute(insert(ContextFigure), rows)
        report.added["context figures"] += len(rows)


def _context(authority_id: int) -> dict[str, float]:
    rows = db.session.execute(
        select(ContextFigure.name, ContextFigure.value).where(
            ContextFigure.authority_id == authority_id
        )
    )
    return {name: value for name, value in rows}


# --- indicators, periods, values ----------------------------------------------------


def _indicators(report: SeedReport) -> dict[str, Indicator]:
    existing = {i.code: i for i in db.session.scalars(select(Indicator).order_by(Indicator.code))}
    for definition in (*REAL_INDICATORS, *SYNTHETIC_INDICATORS):
        if definition.code not in existing:
            indicator = Indicator(**_indicator_fields(definition))
            db.session.add(indicator)
            existing[definition.code] = indicator
            report.added["indicators"] += 1
    db.session.flush()
    return existing


def _indicator_fields(definition: IndicatorDefinition) -> dict[str, Any]:
    return {name: getattr(definition, name) for name in definition.__dataclass_fields__}


def _periods(rows: list[dict[str, str]], report: SeedReport) -> dict[str, Period]:
    existing = {p.code: p for p in db.session.scalars(select(Period).order_by(Period.code))}
    for code in sorted({row["financial_year"] for row in rows}):
        if code in existing:
            continue
        first_year = int(code[:4])
        period = Period(
            code=code,
            label=code,
            kind=PeriodKind.FINANCIAL_YEAR,
            starts_on=date(first_year, 4, 1),
            ends_on=date(first_year + 1, 3, 31),
            # National statistics for a year appear in the following autumn.
            released_at=datetime(first_year + 1, 12, 1, tzinfo=UTC),
        )
        db.session.add(period)
        existing[code] = period
        report.added["periods"] += 1
    db.session.flush()
    return existing


def _existing_value_keys() -> set[tuple[int, int, int]]:
    return set(
        db.session.execute(
            select(Value.authority_id, Value.indicator_id, Value.period_id).where(
                Value.is_latest.is_(True)
            )
        ).all()
    )


def _insert_values(rows: list[dict[str, Any]], report: SeedReport, label: str) -> None:
    for start in range(0, len(rows), 2_000):
        db.session.execute(insert(Value), rows[start : start + 2_000])
    report.added[label] += len(rows)


def _value_row(
    authority_id: int, indicator: Indicator, period: Period, **figures: Any
) -> dict[str, Any]:
    return {
        "authority_id": authority_id,
        "indicator_id": indicator.id,
        "unit_kind": indicator.unit_kind,
        "period_id": period.id,
        "revision": 1,
        "is_latest": True,
        "status": ValueStatus.FINAL,
        "note": "",
        "published_at": period.released_at - timedelta(days=60),
        "visible_from": period.released_at,
        "numerator": figures.get("numerator"),
        "denominator": figures.get("denominator"),
        "value": figures["value"],
        **{k: v for k, v in figures.items() if k == "source"},
    }


def _values_real(
    rows: list[dict[str, str]],
    authorities: dict[str, DemoAuthority],
    indicators: dict[str, Indicator],
    periods: dict[str, Period],
    report: SeedReport,
) -> None:
    existing = _existing_value_keys()
    new = []
    for row in rows:
        if not row["value"].strip():
            continue  # a gap in the publication: nothing was published
        authority = authorities[row["gss_code"]]
        indicator = indicators[row["measure_code"]]
        period = periods[row["financial_year"]]
        if (authority.id, indicator.id, period.id) in existing:
            continue
        new.append(
            _value_row(authority.id, indicator, period, value=float(row["value"]), source="oflog")
        )
    if new:
        _insert_values(new, report, "published values (Oflog)")


def _values_synthetic(
    authorities: dict[str, DemoAuthority],
    indicators: dict[str, Indicator],
    periods: dict[str, Period],
    report: SeedReport,
) -> None:
    existing = _existing_value_keys()
    ordered_periods = sorted(periods.values(), key=lambda p: p.starts_on)
    new = []
    for code, authority in authorities.items():
        context = _context(authority.id)
        for definition in SYNTHETIC_INDICATORS:
            indicator = indicators[definition.code]
            series = _synthetic_series(definition.code, code, context, len(ordered_periods))
            for step, period in enumerate(ordered_periods):
                if not authority.exists_in(period):
                    continue
                if (authority.id, indicator.id, period.id) in existing:
                    continue
                figures = series[step]
                new.append(_value_row(authority.id, indicator, period, source="demo", **figures))
    if new:
        _insert_values(new, report, "published values (synthetic)")


def _synthetic_series(
    indicator_code: str, gss_code: str, context: dict[str, float], years: int
) -> list[dict[str, float]]:
    """Plausible figures for one council and indicator over the years (demo data)."""
    rng = _rng("series", indicator_code, gss_code)
    adults = context["adults_18_plus"]
    older = adults * context["share_aged_65_plus"]
    steps = np.arange(years)
    out: list[dict[str, float]] = []

    def proportion(denominators: np.ndarray, rates: np.ndarray, multiplier: int = 100) -> None:
        for denominator, rate in zip(denominators, np.clip(rates, 0.001, 0.999), strict=True):
            denominator = max(int(denominator), 1)
            numerator = int(rng.binomial(denominator, rate))
            out.append(
                {
                    "numerator": float(numerator),
                    "denominator": float(denominator),
                    "value": numerator / denominator * multiplier,
                }
            )

    def rate(denominator: float, rates: np.ndarray, multiplier: int = 100_000) -> None:
        for expected in rates:
            count = int(rng.poisson(max(denominator * expected / multiplier, 0.0)))
            out.append(
                {
                    "numerator": float(count),
                    "denominator": float(round(denominator)),
                    "value": count / round(denominator) * multiplier,
                }
            )

    if indicator_code == "DP-PCT":
        clients = adults * 0.0085 * rng.lognormal(0, 0.15) * (1 + 0.01 * steps)
        base = float(np.clip(rng.normal(0.26, 0.07), 0.08, 0.45))
        slow_start = _slow_direct_payments(gss_code)
        if slow_start:  # a scheme that started low and grows slowly
            rates = base * 0.55 + base * 0.03 * steps
        else:
            rates = base + rng.normal(0, 0.01, years)
        proportion(clients, rates)
    elif indicator_code == "ADM65":
        level = 620 * rng.lognormal(0, 0.25)
        rate(older, level * (1 - 0.03 * steps))
    elif indicator_code == "WAIT-ASSESS":
        level = 450 * rng.lognormal(0, 0.5)
        rate(adults, level * (1.06**steps))
    elif indicator_code == "SAT":
        respondents = np.full(years, min(max(adults / 1_200, 60), 550))
        proportion(
            respondents, np.full(years, rng.normal(0.645, 0.04)) + rng.normal(0, 0.01, years)
        )
    elif indicator_code == "WF-VAC":
        posts = np.full(years, adults * 0.035)
        national = np.array([0.066, 0.068, 0.075, 0.078, 0.070, 0.095, 0.105, 0.099])[:years]
        proportion(posts, national * rng.lognormal(0, 0.2))
    elif indicator_code == "COST-RES65":
        level = 700 * rng.lognormal(0, 0.12)
        for step in steps:
            out.append({"value": float(round(level * 1.05**step * rng.lognormal(0, 0.03), 2))})
    else:
        raise ValueError(f"no demo generator for {indicator_code}")
    return out


def _slow_direct_payments(gss_code: str) -> bool:
    """Demo: about two in three councils have a slow-starting direct-payments scheme."""
    return bool(_rng("slow-dp", gss_code).random() < 0.65)


# --- peer groups ------------------------------------------------------------------------


def _published_neighbours(
    neighbours: dict[str, list[str]], authorities: dict[str, DemoAuthority], report: SeedReport
) -> None:
    existing = set(
        db.session.scalars(
            select(PeerGroup.authority_id).where(
                PeerGroup.kind == PeerGroupKind.PUBLISHED_NEIGHBOURS, PeerGroup.version == 1
            )
        )
    )
    for code, members in sorted(neighbours.items()):
        authority = authorities[code]
        if authority.id in existing:
            continue
        group = PeerGroup(
            kind=PeerGroupKind.PUBLISHED_NEIGHBOURS,
            authority_id=authority.id,
            version=1,
            source="Oflog Local Authority Data Explorer nearest neighbours (NN.json)",
            created_at=datetime(2023, 12, 1, tzinfo=UTC),
        )
        group.members = [
            PeerGroupMember(authority_id=authorities[member].id)
            for member in sorted(set(members) - {code})
        ]
        db.session.add(group)
        report.added["published nearest-neighbour groups"] += 1
    db.session.flush()


# --- issues, users, flags, visits, grants ---------------------------------------------


def _issue_types(indicators: dict[str, Indicator], report: SeedReport) -> dict[str, IssueType]:
    existing = {t.code: t for t in db.session.scalars(select(IssueType).order_by(IssueType.code))}
    for definition in ISSUE_TYPES:
        if definition.code in existing:
            continue
        issue_type = IssueType(
            code=definition.code, title=definition.title, description=definition.description
        )
        db.session.add(issue_type)
        db.session.flush()
        links = [
            {"issue_type_id": issue_type.id, "indicator_id": indicators[code].id}
            for code in definition.indicator_codes
        ]
        if links:
            db.session.execute(insert(issue_type_indicators), links)
        existing[definition.code] = issue_type
        report.added["issue types"] += 1
    return existing


def _cqc_mapping(
    indicators: dict[str, Indicator], issue_types: dict[str, IssueType], report: SeedReport
) -> None:
    """Map the demo catalogue to CQC's framework (seed/data/cqc/mapping.csv), where a row
    has no mapping yet: a network admin's own choice is left alone."""
    for mapping in read_cqc_mapping():
        if mapping.kind == "indicator":
            indicator = indicators[mapping.code]
            if indicator.cqc_quality_statement is None:
                indicator.cqc_quality_statement = mapping.quality_statement
                indicator.cqc_evidence_category = mapping.evidence_category
                report.added["CQC mappings"] += 1
        else:
            issue_type = issue_types[mapping.code]
            if issue_type.cqc_quality_statement is None:
                issue_type.cqc_quality_statement = mapping.quality_statement
                report.added["CQC mappings"] += 1
    db.session.flush()


def _current(authorities: dict[str, DemoAuthority]) -> Iterable[DemoAuthority]:
    return (a for _, a in sorted(authorities.items()) if a.ended_on is None)


def _users(
    authorities: dict[str, DemoAuthority], password: str, report: SeedReport
) -> dict[str, int]:
    existing = {email: id_ for email, id_ in db.session.execute(select(User.email, User.id))}
    # One hash for every demo account: they share the documented demo password, and
    # hashing it 460 times would make seeding slow for no safety gain.
    password_hash = security.hash_password(password)
    wanted: list[dict[str, Any]] = []
    for authority in _current(authorities):
        for role, label in (
            (Role.STAFF, "Staff member"),
            (Role.ANALYST, "Analyst"),
            (Role.AUTHORITY_ADMIN, "Admin"),
        ):
            wanted.append(
                {
                    "email": demo_email(role.value.split("_")[-1], authority.gss_code),
                    "name": f"{label}, {authority.name} (demo)",
                    "role": role,
                    "authority_id": authority.id,
                }
            )
    wanted.append(
        {
            "email": INSPECTOR_EMAIL,
            "name": "Demo inspector",
            "role": Role.INSPECTOR,
            "authority_id": None,
        }
    )
    wanted.append(
        {
            "email": NETWORK_ADMIN_EMAIL,
            "name": "Demo network admin",
            "role": Role.NETWORK_ADMIN,
            "authority_id": None,
        }
    )
    new = [
        {**user, "password_hash": password_hash, "active": True}
        for user in wanted
        if user["email"] not in existing
    ]
    if new:
        db.session.execute(insert(User), new)
        report.added["demo accounts"] += len(new)
        existing = {email: id_ for email, id_ in db.session.execute(select(User.email, User.id))}
    return existing


# Every demo text of what was tried, whatever the issue type (tests look for them).
TRIED = tuple(text for texts in TRIED_BY_ISSUE_TYPE.values() for text in texts)


def _flags(
    authorities: dict[str, DemoAuthority],
    issue_types: dict[str, IssueType],
    users: dict[str, int],
    report: SeedReport,
) -> None:
    existing = set(
        db.session.execute(select(IssueFlag.authority_id, IssueFlag.issue_type_id)).all()
    )
    new = []
    shared = Counter[str]()  # texts shared so far, per issue type
    for authority in _current(authorities):
        analyst = users[demo_email("analyst", authority.gss_code)]
        for definition in ISSUE_TYPES:
            issue_type = issue_types[definition.code]
            rng = _rng("flag", definition.code, authority.gss_code)
            share = definition.reported_share
            if definition.code == "slow-direct-payments":
                share = 0.9 if _slow_direct_payments(authority.gss_code) else 0.4
            answer = _flag_answer(rng, share, definition.answered_no_share)
            if answer is None:
                continue  # silence: this council has not answered
            flag = {
                "authority_id": authority.id,
                "issue_type_id": issue_type.id,
                "answer": answer,
                "status": None,
                "since": None,
                "severity": None,
                "tried": "",
                "share_tried": False,
                "open_to_contact": False,
                "updated_by_id": analyst,
                "updated_at": datetime(2023, 6, 1, tzinfo=UTC),
            }
            if answer is FlagAnswer.REPORTED:
                flag.update(
                    status=FlagStatus(rng.choice(list(FlagStatus), p=[0.55, 0.3, 0.15])),
                    since=date(int(rng.integers(2017, 2023)), int(rng.integers(1, 13)), 1),
                    severity=Severity(rng.choice(list(Severity))),
                )
                flag["tried"], flag["share_tried"] = _what_was_tried(rng, definition.code, shared)
                flag["open_to_contact"] = bool(rng.random() < 0.4)
            # Decided before skipping what exists, so a reload shares the same texts.
            if (authority.id, issue_type.id) not in existing:
                new.append(flag)
    if new:
        db.session.execute(insert(IssueFlag), new)
        report.added["issue flags"] += len(new)


def _what_was_tried(
    rng: np.random.Generator, issue_code: str, shared: Counter[str]
) -> tuple[str, bool]:
    """A reporting council's text of what it tried, from its issue type's own list, and
    whether it shares it.

    Shared texts are dealt from the issue type's list in a fixed shuffled order, each at
    most once in the network, so no group's "What peers have tried" shows one twice;
    once the list is dealt, further councils keep theirs to themselves.
    """
    texts = TRIED_BY_ISSUE_TYPE[issue_code]
    wrote = rng.random() < 0.6
    own = str(rng.choice(texts))
    share = bool(rng.random() < 0.5)
    if not wrote:
        return "", share
    if not share or shared[issue_code] >= len(texts):
        return own, False
    order = _rng("tried", issue_code).permutation(len(texts))
    text = texts[int(order[shared[issue_code]])]
    shared[issue_code] += 1
    return text, True


def _flag_answer(
    rng: np.random.Generator, reported_share: float, answered_no_share: float
) -> FlagAnswer | None:
    if rng.random() < reported_share:
        return FlagAnswer.REPORTED
    if rng.random() < answered_no_share:
        return FlagAnswer.NOT_AN_ISSUE
    return None


def _review_cycle(
    authorities: dict[str, DemoAuthority],
    issue_types: dict[str, IssueType],
    indicators: dict[str, Indicator],
    periods: dict[str, Period],
    neighbours: dict[str, list[str]],
    users: dict[str, int],
    report: SeedReport,
) -> None:
    """Lancashire's reviews, with two of its nearest neighbours as allies (seed/reviews.py)."""
    visitor = authorities[DEMO_AUTHORITY_WITH_VISITS]
    first, second = [code for code in neighbours[visitor.gss_code] if code != visitor.gss_code][:2]
    people = People(
        staff=users[demo_email("staff", visitor.gss_code)],
        analyst=users[demo_email("analyst", visitor.gss_code)],
        admin=users[demo_email("admin", visitor.gss_code)],
        ally_admins=(
            users[demo_email("admin", first)],
            users[demo_email("admin", second)],
        ),
    )
    ally_ids = (authorities[first].id, authorities[second].id)
    if load_review_cycle(visitor.id, ally_ids, people, issue_types, indicators, periods):
        report.added["review cycles"] += 1


def _grants(
    authorities: dict[str, DemoAuthority], users: dict[str, int], report: SeedReport
) -> None:
    inspector = users[INSPECTOR_EMAIL]
    authority = authorities[DEMO_AUTHORITY_WITH_VISITS]
    if db.session.scalar(
        select(InspectorGrant.id).where(InspectorGrant.inspector_id == inspector).limit(1)
    ):
        return
    now = datetime.now(UTC)
    db.session.add(
        InspectorGrant(
            inspector_id=inspector,
            authority_id=authority.id,
            granted_by_id=users[demo_email("admin", authority.gss_code)],
            reason="Demo: inspection of adult social care",
            starts_at=now,
            expires_at=now + timedelta(days=90),
        )
    )
    report.added["inspector grants"] += 1
