"""What the home page shows: the user's authority beside the national picture."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from bench import disclosure
from bench.compare import groups as group_kinds
from bench.compare import service as compare
from bench.home import queries
from bench.models import Indicator, KeyArea, Period, Polarity, utcnow

QUARTILE_NAMES = {
    1: "Lowest quarter",
    2: "Second-lowest quarter",
    3: "Second-highest quarter",
    4: "Highest quarter",
}


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    period: Period
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    released: bool
    national_median: float | None
    national_lower: float | None
    national_upper: float | None
    contributors: int
    quartile: int | None
    withheld_reason: str | None

    @property
    def quartile_name(self) -> str:
        return QUARTILE_NAMES.get(self.quartile or 0, "")

    @property
    def quartile_reading(self) -> str:
        """What the extreme quarters mean, by the indicator's polarity."""
        if self.quartile not in (1, 4) or self.indicator.polarity is Polarity.NEITHER:
            return ""
        high_is_good = self.indicator.polarity is Polarity.HIGHER_IS_BETTER
        return "among the best" if (self.quartile == 4) == high_is_good else "among the worst"


@dataclass(frozen=True)
class KeyAreaSection:
    key_area: KeyArea
    rows: list[IndicatorRow]


def authority_overview(authority_id: int, now: datetime | None = None) -> list[KeyAreaSection]:
    """Each indicator's latest own value beside the national median and quartiles: the
    "all councils" group of the comparison engine, cached per data version, shown only
    where that group is admitted for the indicator (DESIGN.md, Anonymity 9)."""
    now = now or utcnow()
    latest: dict[int, queries.OwnValue] = {}
    for own in queries.own_latest_values(authority_id):
        latest[own.indicator_id] = own  # rows come oldest first: the last one wins
    period_by_id = queries.periods(own.period_id for own in latest.values())
    sections: dict[KeyArea, list[IndicatorRow]] = defaultdict(list)
    for indicator in queries.indicators():
        own = latest.get(indicator.id)
        if own is None:
            continue
        period = period_by_id[own.period_id]
        sections[indicator.key_area].append(_row(indicator, period, own, authority_id, now))
    return [KeyAreaSection(area, sections[area]) for area in KeyArea if sections.get(area)]


def _row(
    indicator: Indicator,
    period: Period,
    own: queries.OwnValue,
    authority_id: int,
    now: datetime,
) -> IndicatorRow:
    common = {
        "indicator": indicator,
        "period": period,
        "value": own.value,
        "numerator": own.numerator,
        "denominator": own.denominator,
        "status": str(own.status),
        "released": period.is_released(now),
    }
    empty = {
        "national_median": None,
        "national_lower": None,
        "national_upper": None,
        "contributors": 0,
        "quartile": None,
    }
    if not period.is_released(now):
        return IndicatorRow(**common, **empty, withheld_reason="unreleased")
    results = compare.results_for(period, now)
    row, column = results.row[authority_id], results.column[indicator.id]
    everyone = results.results[group_kinds.ALL]
    peers = int(everyone.peers[row, column])
    if not disclosure.group_statistic_allowed(peers):
        return IndicatorRow(**common, **empty, withheld_reason="too_few")
    if not compare.admission_for(results, authority_id).admitted(group_kinds.ALL, indicator.id):
        return IndicatorRow(**common, **empty, withheld_reason="withheld")
    lower, median, upper = (
        disclosure.shown(array[row, column], indicator)
        for array in (everyone.lower_quartile, everyone.median, everyone.upper_quartile)
    )
    quartile = None
    if own.value is not None:
        quartile = 1 + int(np.searchsorted([lower, median, upper], own.value, side="right"))
    return IndicatorRow(
        **common,
        national_median=median,
        national_lower=lower,
        national_upper=upper,
        contributors=peers + int(not np.isnan(results.network.value[row, column])),
        quartile=quartile,
        withheld_reason=None,
    )


def network_counts() -> dict[str, int]:
    return queries.network_counts()
