"""One indicator in depth: peers' figures, funnel or distribution, time series, one sentence.

Built on the Where we stand rules (the same groups, admissions, k threshold and
classification), then every peer figure passes through :mod:`bench.disclosure` before it
reaches a table or a chart spec: peers unlabelled and ordered by value, values to the
indicator's published decimal places with no interval, counts 1 to 4 as "<5" with no
rate beside them, denominators only as bands that each hold at least k of the view's peers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench import disclosure, series, stats
from bench.compare import charts, engine, queries, service
from bench.compare import groups as group_kinds
from bench.errors import NotFound
from bench.kept import KeptItems
from bench.models import Indicator, Period, UnitKind
from bench.web import format_value

FUNNEL_POINTS = 60
_TIES = random.SystemRandom()  # breaks ties between peers' rounded figures


@dataclass(frozen=True)
class PeerRow:
    """One anonymous peer: numbered by sorted value in this view only (DESIGN Anonymity 2)."""

    number: int
    value: float | None  # to the indicator's decimals; None where the count is suppressed
    count_text: str  # "<5" for 1 to 4
    band: disclosure.DenominatorBand | None  # at least k of the view's peers share it
    suppressed: bool
    # As the table and the chart's tooltip show them (worked out once a distinct figure
    # and band: the table and the chart read them, "all councils" lists 400 peers).
    value_text: str  # "" where the count is suppressed
    band_text: str

    @property
    def denominator(self) -> float | None:
        """Where a funnel plot draws the peer: its band's geometric middle."""
        return self.band.middle if self.band is not None else None


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
    min_peers: int = 5  # k: the fewest peers a denominator band holds

    @property
    def funnel_kind(self) -> bool:
        return bool(self.funnel)

    @property
    def shown_peers(self) -> list[PeerRow]:
        return [peer for peer in self.peers if not peer.suppressed]


def _from_kept(view: service.Viewing) -> bool:
    """Whether the page may read what is kept per figures version: a reading request for
    now (a past date, or a request that writes, reads the database itself)."""
    return view.as_of is None and service.reading()


def _indicator(code: str, view: service.Viewing) -> Indicator:
    if _from_kept(view):
        indicator = service.kept_indicator(view.now, code)
    else:
        indicator = queries.indicator_by_code(code)
    if indicator is None:
        raise NotFound("No such indicator")
    return indicator


def indicator_page(
    view: service.Viewing,
    indicator_code: str,
    group_key: str | None,
    period_code: str | None,
    *,
    series: bool = True,
    ties: random.Random | None = None,
) -> IndicatorPage:
    """Everything the one-indicator page shows for the viewing authority (without the
    time series and charts when *series* is false: an export of the period's table).
    *ties* orders peers whose shown figures tie (fresh and random unless an export that
    reproduces a date gives its own)."""
    indicator = _indicator(indicator_code, view)
    standing_page = service.where_we_stand(
        view, group_key, period_code, custom=True, only=indicator
    )
    return from_standing(view, indicator, standing_page, series=series, ties=ties)


def from_standing(
    view: service.Viewing,
    indicator: Indicator,
    standing_page: service.StandingPage,
    *,
    series: bool = True,
    ties: random.Random | None = None,
) -> IndicatorPage:
    """The page for one indicator of a Where we stand page already built (the pack builds
    every indicator of every period from one page a period)."""
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
        min_peers=disclosure.min_peers(),
    )
    results, viewer = standing_page.results, standing_page.admission
    for group in viewer.groups:
        if group.key.startswith(group_kinds.RETIRED):
            continue  # a deleted custom group is no longer offered
        why = service.withheld_words(viewer, group.key, page.period, indicator_id=indicator.id)
        if why is not None:
            page.withheld_groups.append((group.label, why))
    if standing.withheld is None:
        # Ids stay on the server: they only pick rows.
        peer_ids = sorted(page.group.peers)
        _peers(page, results, peer_ids, ties or _TIES, view)
    if not series:
        return page
    page.series, page.breaks = _series(indicator, page, view)
    page.main_spec = charts.main_spec(page)
    page.series_spec = charts.series_spec(page)
    return page


# Each indicator's peers as a kept Where we stand page lists them, all but the order of
# ties: their figures, bands and texts in order, and the funnel drawn around them.
# Building them took most of an indicator page's time against all councils (400 peers).
PEERS = KeptItems(size=1024)


@dataclass(frozen=True)
class _Listed:
    """The peers in the order they are listed, ties aside: runs of peers that the order
    cannot tell apart (the same figure as shown; the same band where the count is
    suppressed), each run in no particular order until it is put in a fresh random one
    (:func:`_peers`). Each peer as PeerRow's fields after its number."""

    runs: list[list[tuple[Any, ...]]]
    funnel: list[dict[str, float]]


def _peers(
    page: IndicatorPage,
    results: service.PeriodResults,
    peer_ids: list[int],
    ties: random.Random,
    view: service.Viewing,
) -> None:
    key = None
    if _from_kept(view):
        key = service.authority_key(
            view.now, view.authority_id, "peers", page.indicator.id, page.group.key,
            page.period.id,
        )  # fmt: skip
    listed = PEERS.get(key) if key is not None else None
    if listed is None:
        listed = _listed(page, results, peer_ids)
        if key is not None:
            PEERS.put(key, listed)
    # Ties (common once figures are rounded) fall in a fresh random order each time, never
    # in the order of the authorities' ids (DESIGN.md, Anonymity 2 and 6).
    number = 0
    for run in listed.runs:
        if len(run) > 1:
            run = run.copy()
            ties.shuffle(run)
        for fields in run:
            number += 1
            page.peers.append(PeerRow(number, *fields))
    page.funnel = listed.funnel
    page.sentence = _sentence(page)


def _listed(page: IndicatorPage, results: service.PeriodResults, peer_ids: list[int]) -> _Listed:
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
                float(network.value[row, column]),
                float(network.numerator[row, column]),
                float(network.denominator[row, column]),
            )
        )
    counted = indicator.has_counts
    # Denominators only in bands of at least k of the view's peers, or not at all
    # (Anonymity 10): even two significant figures of a public population (people aged
    # 65 and over, adults) tell the councils of an atom apart.
    bands = disclosure.denominator_bands(
        [denominator if counted else None for *_, denominator in with_figure],
        disclosure.min_peers(),
    )
    value_texts: dict[float, str] = {}
    band_texts: dict[disclosure.DenominatorBand | None, str] = {}
    shown: dict[float, list[tuple[Any, ...]]] = {}
    hidden: dict[float, list[tuple[Any, ...]]] = {}
    shown_bands: list[disclosure.DenominatorBand] = []
    for (value, numerator, _), band in zip(with_figure, bands, strict=True):
        if (band_text := band_texts.get(band)) is None:
            band_text = band_texts[band] = charts.band_text(band)
        if counted and disclosure.is_small(numerator):
            # Only "<5" is shown: a peer's exact count beside its rate would give its
            # denominator back (DESIGN.md, Anonymity 4). Listed after the others, by band.
            fields = (None, disclosure.peer_count_text(numerator), band, True, "", band_text)
            hidden.setdefault(band.low if band is not None else 0, []).append(fields)
            continue
        # A peer's figure to the indicator's decimals only: at full precision it gives its
        # exact fraction, and so its exact denominator, back. No interval either: its
        # width would tell the denominator that the band hides.
        figure = disclosure.shown(value, indicator)
        if (value_text := value_texts.get(figure)) is None:
            value_text = value_texts[figure] = format_value(figure, indicator)
        shown.setdefault(figure, []).append((figure, "", band, False, value_text, band_text))
        if band is not None:
            shown_bands.append(band)
    # Ordered by value (Anonymity 6); suppressed peers last, in an order their rate cannot
    # be read from (their band).
    runs = [shown[figure] for figure in sorted(shown)] + [hidden[low] for low in sorted(hidden)]
    return _Listed(runs, _funnel(page, shown_bands))


def _funnel(page: IndicatorPage, bands: list[disclosure.DenominatorBand]) -> list[dict]:
    """95% and 99.8% limits around the group's pooled value, over the plotted denominators.

    Drawn from the pooled value as shown (to the indicator's decimals), so the limits
    give nothing finer back; over the peers' bands and the viewer's own denominator.
    """
    indicator, standing = page.indicator, page.standing
    target = standing.target
    if not indicator.has_counts or target is None:
        return []
    if not bands:
        return []  # no band holds k peers: no funnel to draw them on
    denominators = [edge for band in bands for edge in (band.low, band.high)]
    if standing.denominator:
        denominators.append(standing.denominator)
    grid = np.geomspace(min(denominators) * 0.8, max(denominators) * 1.25, FUNNEL_POINTS)
    limits = funnel_limits(page, grid)
    return [
        {
            "denominator": _round(n),
            "target": target,
            "lower95": _round(limits["95"][0][i]),
            "upper95": _round(limits["95"][1][i]),
            "lower998": _round(limits["998"][0][i]),
            "upper998": _round(limits["998"][1][i]),
        }
        for i, n in enumerate(grid)
    ]


def funnel_limits(
    page: IndicatorPage, denominators: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The 95% ("95") and 99.8% ("998") limits at *denominators*, around the pooled value
    as shown, widened as the engine judged: what the funnel plot draws (and what an
    export reports at each row's denominator)."""
    indicator, standing = page.indicator, page.standing
    target = standing.target
    multiplier = float(indicator.multiplier)
    limits = {}
    for name, confidence in (("95", 0.95), ("998", 0.998)):
        if standing.phi is not None:
            limits[name] = _widened(indicator, target, denominators, confidence, standing)
            continue
        if indicator.unit_kind is UnitKind.RATE:
            lower, upper = stats.rate_funnel(
                target, denominators, confidence, multiplier=multiplier
            )
        else:
            proportion = min(max(target / multiplier, 0.0), 1.0)
            lower, upper = stats.proportion_funnel(proportion, denominators, confidence)
            lower, upper = np.asarray(lower) * multiplier, np.asarray(upper) * multiplier
        limits[name] = (np.asarray(lower), np.asarray(upper))
    return limits


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


def _sentence(page: IndicatorPage) -> str:
    """The answer in one sentence a person would write: "Your figure for adults receiving
    direct payments is 17.5%: lower than 11 of your 15 peers (nearest neighbours), but
    within the range chance explains: the norm among your peers."

    The counts are exact, over the figures the table lists, as they are listed (to the
    indicator's decimals, against the viewer's own figure as shown): the table gives them
    away, and noise would only contradict it (DESIGN.md, Anonymity 11).
    """
    standing, indicator = page.standing, page.indicator
    listed = [peer.value for peer in page.shown_peers if peer.value is not None]
    if standing.value is None or not listed:
        return ""
    own = disclosure.shown(standing.value, indicator)
    above = sum(1 for value in listed if value > own)
    below = sum(1 for value in listed if value < own)
    total = len(listed)
    side, count = ("lower", above) if above >= below else ("higher", below)
    group = page.group.label if page.group.key.startswith("custom-") else page.group.label.lower()
    if count == 0:
        against = f"the same as all {total} of your peers ({group})"
    elif count == total and total > 1:
        against = f"{side} than all {total} of your peers ({group})"
    else:
        against = f"{side} than {count} of your {total} peers ({group})"
    title = _title_in_sentence(indicator.title)
    start = f"Your figure for {title} is {figure_words(own, indicator)}"
    funnel = standing.method in (engine.METHOD_FUNNEL, engine.METHOD_FUNNEL_ADJUSTED)
    if standing.level == engine.NORM:
        reason = "within the range chance explains"
        if not funnel:
            reason = "within the usual spread of your peers"
        return f"{start}: {against}, but {reason}: the norm among your peers."
    if standing.level in (engine.POSSIBLE, engine.EXCEPTION):
        if funnel:
            limits = "95%" if standing.level == engine.POSSIBLE else "99.8%"
            reason = f"outside the range chance explains (beyond the {limits} limits)"
        else:
            reason = "far from the usual spread of your peers"
        words = service.LEVEL_WORDS[standing.level].lower()
        return f"{start}: {against}, and {reason}: {words}, {standing.judgement} than your peers."
    return f"{start}: {against}."


def _title_in_sentence(title: str) -> str:
    """An indicator's title inside a sentence: lower case unless it starts with an
    abbreviation; a subtitle after a colon in brackets; a trailing phrase after a comma
    closed by a comma ("care homes, people aged 65 and over, is")."""
    if not title[1:2].isupper():
        title = title[:1].lower() + title[1:]
    head, colon, tail = title.partition(": ")
    if colon:
        title = f"{head} ({tail})"
    return f"{title}," if ", " in title else title


def figure_words(value: float, indicator: Indicator) -> str:
    """A figure with its unit, as a sentence reads it: "17.5%", "612 per 100,000",
    "£702 per week", "7.3 out of 12"."""
    figure = format_value(value, indicator)
    label = indicator.unit_label
    if indicator.unit_kind is UnitKind.CURRENCY:
        label = label.removeprefix("£").strip()  # "£ per week": the pound sign is there
    elif indicator.unit_kind is UnitKind.SCORE:
        # "score out of 12": "7.3 out of 12"; a label naming only the score says nothing
        # the title does not.
        label = label.removeprefix("score").strip() if label.startswith("score ") else ""
    elif not label and indicator.unit_kind is UnitKind.RATE:
        label = f"per {indicator.multiplier:,}"
    if figure.endswith("%") or not label:
        return figure
    return f"{figure} {label}"


def _runs(present: list[bool], segment_of: list[int]) -> list[int]:
    """Segment ids such that no line joins across a series break or a missing figure."""
    ids, current, previous = [], 0, None
    for index, (here, segment) in enumerate(zip(present, segment_of, strict=True)):
        if index and (not present[index - 1] or segment != previous):
            current += 1
        ids.append(current if here else -1)
        previous = segment
    return ids


# Series built, per authority, indicator and group: every period's results and the
# authority's own figures are what they are built from (service.authority_key).
SERIES = KeptItems(size=1024)


def _series(
    indicator: Indicator, page: IndicatorPage, view: service.Viewing
) -> tuple[list[SeriesRow], list[str]]:
    """The viewer's figure against the peers' median and middle half, every released period."""
    if not _from_kept(view):
        return _build_series(indicator, page, view)
    key = service.authority_key(view.now, view.authority_id, "series", indicator.id, page.group.key)
    built = SERIES.get(key)
    if built is None:
        built = _build_series(indicator, page, view)
        SERIES.put(key, built)
    return built


def _build_series(
    indicator: Indicator, page: IndicatorPage, view: service.Viewing
) -> tuple[list[SeriesRow], list[str]]:
    periods = page.periods
    authority_id, now = view.authority_id, view.now
    own = {
        period_id: figures.value
        for (period_id, indicator_id), figures in view.own(indicator.id).items()
        if indicator_id == indicator.id
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
                # To the indicator's decimals, as every group figure leaves the service.
                median = disclosure.shown(result.median[row, column], indicator)
                lower = disclosure.shown(result.lower_quartile[row, column], indicator)
                upper = disclosure.shown(result.upper_quartile[row, column], indicator)
        rows.append((period, own.get(period.id), median, lower, upper))
    if _from_kept(view):
        breaks = service.kept_series_breaks(now, indicator.id)
    else:
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
