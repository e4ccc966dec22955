"""What the home page shows: the user's authority beside the national picture."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from bench import disclosure
from bench.home import queries
from bench.models import Indicator, InspectorGrant, KeyArea, Period, Polarity, User, utcnow
from bench.stats import quantile_bands, quartiles

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
    """Each indicator's latest own value beside the national median and quartiles."""
    now = now or utcnow()
    latest: dict[int, queries.OwnValue] = {}
    for own in queries.own_latest_values(authority_id):
        latest[own.indicator_id] = own  # rows come oldest first: the last one wins
    period_by_id = queries.periods(own.period_id for own in latest.values())
    released_pairs = [
        (own.indicator_id, own.period_id)
        for own in latest.values()
        if period_by_id[own.period_id].is_released(now)
    ]
    national: dict[tuple[int, int], list[tuple[int, float | None]]] = defaultdict(list)
    for indicator_id, period_id, other_id, value in queries.peer_visible_values(
        released_pairs, now
    ):
        if other_id != authority_id:  # the viewer's own figure is always its latest
            national[(indicator_id, period_id)].append((other_id, value))
    for own in latest.values():
        if (own.indicator_id, own.period_id) in national:
            national[(own.indicator_id, own.period_id)].append((authority_id, own.value))

    sections: dict[KeyArea, list[IndicatorRow]] = defaultdict(list)
    for indicator in queries.indicators():
        own = latest.get(indicator.id)
        if own is None:
            continue
        period = period_by_id[own.period_id]
        sections[indicator.key_area].append(
            _row(indicator, period, own, national.get((indicator.id, period.id)), authority_id, now)
        )
    return [KeyAreaSection(area, sections[area]) for area in KeyArea if sections.get(area)]


def _row(
    indicator: Indicator,
    period: Period,
    own: queries.OwnValue,
    others: list[tuple[int, float | None]] | None,
    authority_id: int,
    now: datetime,
) -> IndicatorRow:
    released = period.is_released(now)
    common = {
        "indicator": indicator,
        "period": period,
        "value": own.value,
        "numerator": own.numerator,
        "denominator": own.denominator,
        "status": str(own.status),
        "released": released,
    }
    empty = {
        "national_median": None,
        "national_lower": None,
        "national_upper": None,
        "contributors": 0,
        "quartile": None,
    }
    if not released or not others:
        return IndicatorRow(**common, **empty, withheld_reason="unreleased")
    values = np.array([np.nan if v is None else v for _, v in others], dtype=float)
    is_own = np.array([other_id == authority_id for other_id, _ in others])
    peer_count = int((~np.isnan(values) & ~is_own).sum())
    if not disclosure.group_statistic_allowed(peer_count):
        return IndicatorRow(**common, **empty, withheld_reason="too_few")
    summary = quartiles(values)
    bands = quantile_bands(values, 4)
    own_band = int(bands[is_own][0]) if is_own.any() and own.value is not None else 0
    return IndicatorRow(
        **common,
        national_median=summary.median,
        national_lower=summary.lower,
        national_upper=summary.upper,
        contributors=summary.count,
        quartile=own_band or None,
        withheld_reason=None,
    )


def inspector_grants(user: User) -> list[InspectorGrant]:
    return queries.current_grants(user.id, utcnow())


def network_counts() -> dict[str, int]:
    return queries.network_counts()
