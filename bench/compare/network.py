"""The inspector's network view: the spread of every council's figures, anonymised.

DESIGN.md's role table: inspectors compare "the network's spread, and a granted authority
against its peers". An inspector belongs to no authority, so there is no viewer to leave
out and no groups of its own: what it sees is the "all councils" group and nothing else.
Every figure comes from the cached network-wide results (:func:`service.results_for`,
the "all" kind), never recomputed, and leaves through :mod:`bench.disclosure`.

Why this keeps the atoms rule (DESIGN.md, Anonymity 9) for a viewer with no authority:
with one group, the atoms are that group and the councils outside it (which show
nothing), so the rule reduces to "the all-councils group has 0 or at least k
contributors" for each indicator and period (and 0 or at least k answering councils for
each issue type). Nothing else is shown: no second group, no council's figures for more
than one indicator in a row (Anonymity 12), no per-council series, no denominators, so
no list can be matched against another to single out fewer than k councils.

An inspector who also holds a grant sees the granted authority's own groups on its pages.
The network's group is that authority's "all councils" peers plus the authority itself,
whose figures the inspector sees named anyway; so the network view adds nothing to what
the grant shows exactly where the granted authority's "all councils" group is admitted
(its atoms hold beside its other groups). Where it is not, the network view withholds
that indicator (or issue type) for as long as the grant lasts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from bench import disclosure, messages, series, stats
from bench.compare import charts, queries, service
from bench.compare import groups as group_kinds
from bench.compare.norms import noisy
from bench.errors import NotFound
from bench.grants import queries as grant_queries
from bench.models import Indicator, IssueType, KeyArea, Period, User, utcnow

DECILES = tuple(q / 10 for q in range(1, 10))


@dataclass(frozen=True)
class Spread:
    """One indicator in one period across the network; figures to its decimal places."""

    indicator: Indicator
    period: Period
    contributors: int  # councils in the group figures (small counts left out); 0 if withheld
    suppressed: int  # councils listed as "<5", in no group figure
    median: float | None = None
    lower_quartile: float | None = None
    upper_quartile: float | None = None
    deciles: tuple[float | None, ...] = ()  # the 10th to the 90th percentile
    pooled: float | None = None  # counts only: the network's pooled value
    withheld: str | None = None  # why no figure is shown, in plain words

    @property
    def shown(self) -> bool:
        return self.withheld is None


@dataclass(frozen=True)
class Listed:
    """One council's figure, unlabelled: to the indicator's decimals, or "<5"."""

    value: float | None
    count_text: str = ""

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class NetworkOverview:
    period: Period
    periods: list[Period]
    sections: list[tuple[str, list[Spread]]]


@dataclass
class NetworkIndicatorPage:
    indicator: Indicator
    period: Period
    periods: list[Period]
    spread: Spread
    values: list[Listed] = field(default_factory=list)
    series: list[Spread] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)  # series break segment of each period
    breaks: list[str] = field(default_factory=list)
    main_spec: dict[str, Any] | None = None
    series_spec: dict[str, Any] | None = None


@dataclass(frozen=True)
class NetworkPrevalence:
    """One issue type across the network: answering and reporting councils, noised."""

    issue_type: IssueType
    reporting: int | None = None
    answering: int | None = None
    proportion: float | None = None
    lower: float | None = None
    upper: float | None = None
    label: str = ""
    withheld: str | None = None


# --- who is viewing ------------------------------------------------------------------


def require_inspector(user: User) -> None:
    """Only a user with no authority of their own has the network view: a council's users
    compare through their own groups, whose atoms leave their own authority out, and a
    second, overlapping view of every council would undo them."""
    if user.authority_id is not None:
        raise NotFound("No network view")


def _granted(user: User, now: datetime) -> list[int]:
    """The authorities whose current grant lets *user* see them named (and their groups)."""
    return [
        grant.authority_id for grant in grant_queries.of_inspector(user.id) if grant.is_current(now)
    ]


def _periods(period_code: str | None, now: datetime) -> tuple[Period, list[Period]]:
    periods = service.released_periods(now)
    if not periods:
        raise NotFound("No period has been released yet")
    return next((p for p in periods if p.code == period_code), periods[-1]), periods


# --- spreads -------------------------------------------------------------------------


def _column(results: service.PeriodResults, indicator: Indicator) -> tuple[np.ndarray, ...]:
    """The "all" group's members, and which of them contribute or are listed as "<5"."""
    network = results.network
    column = results.column[indicator.id]
    members = results.groups.groups[group_kinds.ALL].labels >= 0
    present = members & ~np.isnan(network.value[:, column])
    excluded = (
        network.excluded[:, column]
        if network.excluded is not None
        else np.zeros(len(present), dtype=bool)
    )
    return members, present & ~excluded, present & excluded


def _withheld_by_grant(
    results: service.PeriodResults, granted: list[int], indicator_id: int
) -> bool:
    return any(
        authority_id in results.row
        and not service.admission_for(results, authority_id).admitted(group_kinds.ALL, indicator_id)
        for authority_id in granted
    )


def spread(results: service.PeriodResults, indicator: Indicator, granted: list[int]) -> Spread:
    """The network's spread for one indicator in the results' period."""
    k = disclosure.min_peers()
    period = results.period
    members, contributing, small = _column(results, indicator)
    count = int(contributing.sum())
    if not disclosure.group_statistic_allowed(count, k):
        why = messages.NETWORK_TOO_FEW.format(k=k, period=period.label)
        return Spread(indicator, period, 0, 0, withheld=why)
    if _withheld_by_grant(results, granted, indicator.id):
        why = messages.NETWORK_WITHHELD_BY_GRANT.format(k=k)
        return Spread(indicator, period, 0, 0, withheld=why)
    everyone = results.results[group_kinds.ALL]
    row = int(np.flatnonzero(members)[0])  # a partition: every member has the same figures
    column = results.column[indicator.id]

    def shown(array: np.ndarray) -> float | None:
        return disclosure.shown(float(array[row, column]), indicator)

    values = results.network.value[contributing, column]
    return Spread(
        indicator=indicator,
        period=period,
        contributors=count,
        suppressed=int(small.sum()),
        median=shown(everyone.median),
        lower_quartile=shown(everyone.lower_quartile),
        upper_quartile=shown(everyone.upper_quartile),
        deciles=tuple(disclosure.shown(float(q), indicator) for q in np.quantile(values, DECILES)),
        pooled=shown(everyone.target) if indicator.has_counts else None,
    )


def overview(user: User, period_code: str | None, now: datetime | None = None) -> NetworkOverview:
    """Every indicator's spread across the network in one period, by key area, as it
    stood at *now* (default: now)."""
    require_inspector(user)
    now = now or utcnow()
    period, periods = _periods(period_code, now)
    results = service.results_for(period, now)
    granted = _granted(user, now)
    sections: dict[KeyArea, list[Spread]] = {}
    for indicator in queries.indicators():
        sections.setdefault(indicator.key_area, []).append(spread(results, indicator, granted))
    ordered = [(area.label, sections[area]) for area in KeyArea if area in sections]
    return NetworkOverview(period, periods, ordered)


def _indicator(code: str) -> Indicator:
    indicator = next((i for i in queries.indicators() if i.code == code), None)
    if indicator is None:
        raise NotFound("No such indicator")
    return indicator


def indicator_page(
    user: User, indicator_code: str, period_code: str | None, now: datetime | None = None
) -> NetworkIndicatorPage:
    """One indicator across the network: the spread, every council's figure unlabelled and
    ordered by value, and the median's trend over the released periods."""
    require_inspector(user)
    indicator = _indicator(indicator_code)
    now = now or utcnow()
    period, periods = _periods(period_code, now)
    granted = _granted(user, now)
    results = service.results_for(period, now)
    page = NetworkIndicatorPage(indicator, period, periods, spread(results, indicator, granted))
    if page.spread.shown:
        page.values = _listed(results, indicator)
    page.series = [spread(service.results_for(p, now), indicator, granted) for p in periods]
    breaks = series.series_breaks([indicator.id]).get(indicator.id, [])
    parts = series.segments(periods, [start for start, _ in breaks], key=lambda p: p.starts_on)
    page.segments = [index for index, part in enumerate(parts) for _ in part]
    for start, reason in breaks:
        first = next((p for p in periods if p.starts_on >= start), None)
        if first is not None and first is not periods[0]:
            page.breaks.append(
                f"{reason.rstrip('.')} from {first.label}: earlier figures are not comparable"
            )
    page.main_spec = charts.distribution_spec(page)
    page.series_spec = charts.trend_spec(page)
    return page


def listings(user: User, period: Period, now: datetime) -> Iterator[tuple[Indicator, list[Listed]]]:
    """Every indicator's figures in *period* as its network page lists them: nothing where
    the spread is withheld (an export of the network view, built on the same rules)."""
    require_inspector(user)
    results = service.results_for(period, now)
    granted = _granted(user, now)
    for indicator in queries.indicators():
        if spread(results, indicator, granted).shown:
            yield indicator, _listed(results, indicator)


def _listed(results: service.PeriodResults, indicator: Indicator) -> list[Listed]:
    """Every council's figure, unlabelled: ordered by value (never by id or name), to the
    indicator's decimals; small counts as "<5" with no figure, last.
    No denominator and no interval: either would tell a council's population back."""
    _, contributing, small = _column(results, indicator)
    column = results.column[indicator.id]
    values = [
        disclosure.shown(float(v), indicator) for v in results.network.value[contributing, column]
    ]
    values.sort()
    listed = [Listed(value) for value in values]
    suppressed = results.network.numerator[small, column]
    listed += [Listed(None, disclosure.peer_count_text(float(n))) for n in suppressed]
    return listed


# --- issue prevalence ----------------------------------------------------------------


def prevalence(user: User) -> list[NetworkPrevalence]:
    """Each issue type across the network: reporting ÷ answering councils with a Wilson
    interval. Counts carry the cell-key noise (DESIGN.md, Anonymity 11), keyed by the set
    of councils counted; an issue fewer than k councils answered shows nothing."""
    require_inspector(user)
    now = utcnow()
    k = disclosure.min_peers()
    granted = _granted(user, now)
    history = service.history_for(now) if granted else None
    # Every council's answers, as the admitted "all councils" groups count them.
    answers: dict[int, dict[int, tuple]] = {}
    for flag in queries.flags():
        answers.setdefault(flag[1], {})[flag[0]] = flag
    out = []
    for issue_type in queries.issue_types():
        by_authority = answers.get(issue_type.id, {})
        answering = set(by_authority)
        if not disclosure.group_statistic_allowed(len(answering), k):
            out.append(
                NetworkPrevalence(issue_type, withheld=messages.NETWORK_ISSUE_TOO_FEW.format(k=k))
            )
            continue
        if history is not None and any(
            not history.admission.viewer(authority_id, -1).issue_admitted(
                group_kinds.ALL, issue_type.id
            )
            for authority_id in granted
        ):
            why = messages.NETWORK_WITHHELD_BY_GRANT.format(k=k)
            out.append(NetworkPrevalence(issue_type, withheld=why))
            continue
        reporting = {
            a for a, f in by_authority.items() if f[2] == "reported" and f[3] != "resolved"
        }
        answered = noisy(answering)
        reported = min(noisy(reporting), answered)  # a part never shows as more than its whole
        figures = stats.prevalence(reported, answered)
        out.append(
            NetworkPrevalence(
                issue_type,
                reported,
                answered,
                float(figures.proportion),
                float(figures.lower),
                float(figures.upper),
                str(figures.label),
            )
        )
    return out
