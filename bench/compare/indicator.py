"""One indicator in depth: peers' figures, funnel or distribution, time series, one sentence.

Built on the Where we stand rules (the same groups, admissions, k threshold and
classification), then every peer figure passes through :mod:`bench.disclosure` before it
reaches a table or a chart spec: peers unlabelled and ordered by value, counts 1 to 4 as
"<5" with no rate or interval beside them, denominators to two significant figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench import disclosure, series, stats
from bench.compare import charts, engine, queries, service
from bench.compare import groups as group_kinds
from bench.errors import NotFound
from bench.models import Indicator, Period, UnitKind, User, utcnow
from bench.web import format_value

FUNNEL_POINTS = 60


@dataclass(frozen=True)
class PeerRow:
    """One anonymous peer: numbered by sorted value in this view only (DESIGN Anonymity 2)."""

    number: int
    value: float | None  # None where the count is suppressed (Anonymity 12)
    interval: tuple[float, float] | None
    count_text: str  # "<5" for 1 to 4
    denominator: float | None  # rounded to two significant figures
    suppressed: bool


@dataclass(frozen=True)
class SeriesRow:
    period: Period
    value: float | None
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    own_segment: int
    band_segment: int


@dataclass
class IndicatorPage:
    indicator: Indicator
    period: Period
    periods: list[Period]
    group: service.GroupOption
    options: list[service.GroupOption]
    standing: service.Standing
    peers: list[PeerRow] = field(default_factory=list)
    funnel: list[dict[str, float]] = field(default_factory=list)
    series: list[SeriesRow] = field(default_factory=list)
    breaks: list[str] = field(default_factory=list)
    sentence: str = ""
    main_spec: dict[str, Any] | None = None
    series_spec: dict[str, Any] | None = None
    authority_name: str = ""
    authority_code: str | None = None  # for inspectors viewing under a grant
    # (group label, why) for every group of the viewer's that shows no peers' figures for
    # this indicator and period (DESIGN.md, Anonymity 9: say which, and why)
    withheld_groups: list[tuple[str, str]] = field(default_factory=list)

    @property
    def funnel_kind(self) -> bool:
        return bool(self.funnel)

    @property
    def shown_peers(self) -> list[PeerRow]:
        return [peer for peer in self.peers if not peer.suppressed]


def _indicator(code: str) -> Indicator:
    indicator = next((i for i in queries.indicators() if i.code == code), None)
    if indicator is None:
        raise NotFound("No such indicator")
    return indicator


def indicator_page(
    user: User,
    indicator_code: str,
    group_key: str | None,
    period_code: str | None,
    authority_code: str | None = None,
) -> IndicatorPage:
    """Everything the one-indicator page shows for the viewer's authority."""
    authority_id = service.viewer_authority(user, authority_code)
    indicator = _indicator(indicator_code)
    standing_page = service.where_we_stand(
        user, group_key, period_code, authority_code, custom=True
    )
    standing = next(
        s for _, rows in standing_page.sections for s in rows if s.indicator.id == indicator.id
    )
    page = IndicatorPage(
        indicator=indicator,
        period=standing_page.period,
        periods=standing_page.periods,
        group=standing_page.group,
        options=standing_page.options,
        standing=standing,
        authority_name=standing_page.authority_name,
        authority_code=standing_page.authority_code,
    )
    now = utcnow()
    results = service.results_for(page.period, now)
    viewer = service.admission_for(results, authority_id)
    for group in viewer.groups:
        if group.key.startswith(group_kinds.RETIRED):
            continue  # a deleted custom group is no longer offered
        why = service.withheld_words(viewer, group.key, page.period, indicator_id=indicator.id)
        if why is not None:
            page.withheld_groups.append((group.label, why))
    if standing.withheld is None:
        # Ids stay on the server: they only key the noise and pick rows.
        peer_ids = sorted(page.group.peers)
        _peers(page, results, peer_ids)
    page.series, page.breaks = _series(indicator, page, authority_id, now)
    page.main_spec = charts.main_spec(page)
    page.series_spec = charts.series_spec(page)
    return page


def _peer_interval(
    indicator: Indicator, value: float, denominator: float | None
) -> tuple[float, float] | None:
    """A peer's 95% interval from its value and ROUNDED denominator: an interval from the
    exact counts would give the exact denominator back."""
    if not denominator:
        return None
    numerator = value / indicator.multiplier * denominator
    return service._interval(indicator, numerator, denominator)


def _peers(page: IndicatorPage, results: service.PeriodResults, peer_ids: list[int]) -> None:
    indicator = page.indicator
    column = results.column[indicator.id]
    network = results.network
    with_figure = []
    for authority_id in peer_ids:
        row = results.row.get(authority_id)
        if row is None or math.isnan(network.value[row, column]):
            continue
        with_figure.append(
            (
                authority_id,
                float(network.value[row, column]),
                float(network.numerator[row, column]),
                float(network.denominator[row, column]),
            )
        )
    counted = indicator.has_counts
    shown = []
    hidden = []
    for _, value, numerator, denominator in with_figure:
        suppressed = counted and disclosure.is_small(numerator)
        rounded = disclosure.rounded_denominator(denominator) if counted else None
        if rounded is not None and math.isnan(rounded):
            rounded = None
        item = (value, numerator if counted else None, rounded, suppressed)
        (hidden if suppressed else shown).append(item)
    # Ordered by value (Anonymity 6); suppressed peers last, in an order their rate cannot
    # be read from (their rounded denominator).
    shown.sort(key=lambda item: item[0])
    hidden.sort(key=lambda item: item[2] or 0)
    for number, (value, numerator, rounded, suppressed) in enumerate(shown + hidden, start=1):
        page.peers.append(
            PeerRow(
                number=number,
                value=None if suppressed else value,
                interval=None
                if suppressed or not counted
                else _peer_interval(indicator, value, rounded),
                # Only "<5" is shown: a peer's exact count beside its rate would give its
                # denominator back, undoing the rounding (DESIGN.md, Anonymity 4).
                count_text=disclosure.peer_count_text(numerator) if suppressed else "",
                denominator=rounded,
                suppressed=suppressed,
            )
        )
    page.funnel = _funnel(page, results, column)
    page.sentence = _sentence(page, with_figure)


def _funnel(page: IndicatorPage, results: service.PeriodResults, column: int) -> list[dict]:
    """95% and 99.8% limits around the group's pooled value, over the plotted denominators."""
    indicator, standing = page.indicator, page.standing
    target = standing.target
    if not indicator.has_counts or target is None:
        return []
    denominators = [p.denominator for p in page.shown_peers if p.denominator]
    if standing.denominator:
        denominators.append(standing.denominator)
    if not denominators:
        return []
    grid = np.geomspace(min(denominators) * 0.8, max(denominators) * 1.25, FUNNEL_POINTS)
    multiplier = float(indicator.multiplier)
    limits = {}
    for name, confidence in (("95", 0.95), ("998", 0.998)):
        if standing.phi is not None:
            limits[name] = _widened(indicator, target, grid, confidence, standing)
            continue
        if indicator.unit_kind is UnitKind.RATE:
            lower, upper = stats.rate_funnel(target, grid, confidence, multiplier=multiplier)
        else:
            proportion = min(max(target / multiplier, 0.0), 1.0)
            lower, upper = stats.proportion_funnel(proportion, grid, confidence)
            lower, upper = np.asarray(lower) * multiplier, np.asarray(upper) * multiplier
        limits[name] = (np.asarray(lower), np.asarray(upper))
    return [
        {
            "denominator": _round(n),
            "target": _round(target),
            "lower95": _round(limits["95"][0][i]),
            "upper95": _round(limits["95"][1][i]),
            "lower998": _round(limits["998"][0][i]),
            "upper998": _round(limits["998"][1][i]),
        }
        for i, n in enumerate(grid)
    ]


def _widened(
    indicator: Indicator,
    target: float,
    grid: np.ndarray,
    confidence: float,
    standing: service.Standing,
) -> tuple[np.ndarray, np.ndarray]:
    """Limits widened on the variance-stabilising scale as the engine judged (Spiegelhalter
    2005; arcsine square root for proportions, square root for rates): by sqrt(phi), or by
    adding the between-council variance tau^2 to each council's own 1 / (4n)."""
    z = engine.Z_95 if confidence == 0.95 else engine.Z_998
    if standing.adjustment == "additive" and standing.tau2 is not None:
        half = z * np.sqrt(1 / (4 * grid) + standing.tau2)
    else:
        half = z * np.sqrt(standing.phi) / (2 * np.sqrt(grid))
    multiplier = float(indicator.multiplier)
    centre = target / multiplier
    if indicator.unit_kind is UnitKind.RATE:
        root = np.sqrt(max(centre, 0.0))
        lower, upper = np.clip(root - half, 0, None) ** 2, (root + half) ** 2
    else:
        angle = np.arcsin(np.sqrt(min(max(centre, 0.0), 1.0)))
        lower = np.sin(np.clip(angle - half, 0, np.pi / 2)) ** 2
        upper = np.sin(np.clip(angle + half, 0, np.pi / 2)) ** 2
    return lower * multiplier, upper * multiplier


def _round(number: float) -> float:
    """Four significant figures: plenty for drawing, and a short spec."""
    return float(f"{float(number):.4g}")


def _noisy(count: int, members: list[int]) -> int:
    return disclosure.perturbed_peer_count(count, members)


def _sentence(page: IndicatorPage, with_figure: list[tuple[int, float, float, float]]) -> str:
    """ "Your X (v) is lower than n of your m peers ..., but ...: the norm." (Anonymity 10:
    the counts of peers carry cell-key noise keyed by the peers counted.)"""
    standing, indicator = page.standing, page.indicator
    if standing.value is None or not with_figure:
        return ""
    own = standing.value
    above = [a for a, value, *_ in with_figure if value > own]
    below = [a for a, value, *_ in with_figure if value < own]
    everyone = [a for a, *_ in with_figure]
    total = _noisy(len(everyone), everyone)
    if len(above) >= len(below):
        side, members = "lower", above
    else:
        side, members = "higher", below
    count = min(_noisy(len(members), members), total)
    figure = format_value(own, indicator)
    unit = indicator.unit_label or (
        f"per {indicator.multiplier:,}" if indicator.unit_kind is UnitKind.RATE else ""
    )
    if unit and not figure.endswith("%"):
        figure = f"{figure} {unit}"
    title = indicator.title[0].lower() + indicator.title[1:]
    start = (
        f"Your {title} ({figure}) is {side} than {count} of your {total} peers "
        f"({page.group.label.lower()})"
    )
    funnel = standing.method == engine.METHOD_FUNNEL
    if standing.level == engine.NORM:
        reason = (
            "within the range expected by chance"
            if funnel
            else "within the usual spread of your peers"
        )
        return f"{start}, but {reason}: among your peers this is the norm."
    if standing.level in (engine.POSSIBLE, engine.EXCEPTION):
        if funnel:
            limits = "95%" if standing.level == engine.POSSIBLE else "99.8%"
            reason = f"outside the range expected by chance (beyond the {limits} limits)"
        else:
            reason = "far from the usual spread of your peers"
        words = service.LEVEL_WORDS[standing.level].lower()
        return f"{start}, and {reason}: {words} ({standing.judgement})."
    return f"{start}."


def _runs(present: list[bool], segment_of: list[int]) -> list[int]:
    """Segment ids such that no line joins across a series break or a missing figure."""
    ids, current, previous = [], 0, None
    for index, (here, segment) in enumerate(zip(present, segment_of, strict=True)):
        if index and (not present[index - 1] or segment != previous):
            current += 1
        ids.append(current if here else -1)
        previous = segment
    return ids


def _series(
    indicator: Indicator, page: IndicatorPage, authority_id: int, now: Any
) -> tuple[list[SeriesRow], list[str]]:
    """The viewer's figure against the peers' median and middle half, every released period."""
    periods = page.periods
    own = {
        figures[0]: figures[4]
        for figures in queries.own_latest(authority_id)
        if figures[1] == indicator.id
    }
    k = disclosure.min_peers()
    rows = []
    for period in periods:
        results = service.results_for(period, now)
        viewer = service.admission_for(results, authority_id)
        option = next(
            (o for o in service._options(results, authority_id) if o.key == page.group.key), None
        )
        median = lower = upper = None
        result = (
            service.result_for(results, authority_id, option)
            if option is not None and viewer.admitted(option.key, indicator.id)
            else None
        )
        if result is not None:
            row, column = results.row[authority_id], results.column[indicator.id]
            if disclosure.group_statistic_allowed(int(result.peers[row, column]), k):
                median = float(result.median[row, column])
                lower = float(result.lower_quartile[row, column])
                upper = float(result.upper_quartile[row, column])
        rows.append((period, own.get(period.id), median, lower, upper))
    breaks = series.series_breaks([indicator.id]).get(indicator.id, [])
    parts = series.segments(periods, [start for start, _ in breaks], key=lambda p: p.starts_on)
    segment_of = [index for index, part in enumerate(parts) for _ in part]
    own_runs = _runs([r[1] is not None for r in rows], segment_of)
    band_runs = _runs([r[2] is not None for r in rows], segment_of)
    out = [
        SeriesRow(period, value, median, lower, upper, own_runs[i], band_runs[i])
        for i, (period, value, median, lower, upper) in enumerate(rows)
    ]
    notes = []
    for start, reason in breaks:
        first = next((p for p in periods if p.starts_on >= start), None)
        if first is not None and first is not periods[0]:
            notes.append(
                f"{reason.rstrip('.')} from {first.label}: earlier figures are not comparable"
            )
    return out, notes
