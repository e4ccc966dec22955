"""The comparison views as tables: each built from the page object the view renders, so an
export shows exactly the figures the page shows (the same groups admitted, the same
figures withheld, to the same decimal places). Nothing here applies an anonymity rule of
its own: it only lays out what :mod:`bench.compare` has already disclosed."""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Iterator, Sequence

import numpy as np

from bench.compare import engine
from bench.compare import indicator as compare_indicator
from bench.compare.indicator import IndicatorPage
from bench.compare.network import Listed, Spread
from bench.compare.norms import IssueStanding, NormPage
from bench.compare.service import Standing, StandingPage
from bench.exports.tables import (
    CONFIDENTIAL,
    NOT_AVAILABLE,
    SUPPRESSION_REASON,
    Column,
    Section,
    Table,
)
from bench.models import Indicator, Period, UnitKind

CLASSIFICATIONS = {
    engine.NO_FIGURE: "no_figure",
    engine.TOO_FEW_PEERS: "too_few_peers",
    engine.NORM: "norm",
    engine.POSSIBLE: "possible_exception",
    engine.EXCEPTION: "exception",
}
METHODS = {
    engine.METHOD_FUNNEL: "funnel",
    engine.METHOD_FUNNEL_ADJUSTED: "funnel_overdispersed",
    engine.METHOD_ROBUST: "robust_z",
}


_c = Column


# --- columns shared by several files ---------------------------------------------------------

INDICATOR_CODE = _c("indicator_code", "Indicator code", "bench's code for the indicator.")
INDICATOR_TITLE = _c("indicator_title", "Indicator", "The indicator's title.")
KEY_AREA = _c("key_area", "Key area", "The key area of a Best Value review it belongs to.")
UNIT = _c(
    "unit",
    "Unit",
    "What the figures count: proportion (to the multiplier, e.g. per cent), rate (per "
    "multiplier), currency, count or other.",
)
PERIOD = _c("period", "Period", "The reporting period, e.g. 2024-25.")
PERIOD_START = _c("period_start", "Period start", "First day of the period.", type="date")
PERIOD_END = _c("period_end", "Period end", "Last day of the period.", type="date")
GROUP = _c("peer_group", "Peer group", "The peer group compared against.")
CLASSIFICATION = _c(
    "classification",
    "Norm or exception",
    "How the figure stands against the group: norm (within what chance or the usual spread "
    "explains), possible_exception (beyond the 95% limits, or a robust score beyond 2), "
    "exception (beyond the 99.8% limits, or beyond 3), no_figure, too_few_peers.",
    allowed=tuple(CLASSIFICATIONS.values()),
)
DIRECTION = _c(
    "direction",
    "Better or worse",
    "For an exception: better or worse where the indicator has a polarity, higher or lower "
    "where it has none.",
    allowed=("better", "worse", "higher", "lower"),
    empty_means="the figure is the norm, or was not classified",
)
WITHHELD = _c(
    "withheld_because",
    "Why withheld",
    "In plain words, why the group's figures are empty.",
    empty_means="nothing is withheld",
)


def _unit(indicator: Indicator) -> str:
    if indicator.unit_kind is UnitKind.PROPORTION and indicator.multiplier == 100:
        return "per cent"
    if indicator.unit_kind is UnitKind.RATE:
        return f"per {indicator.multiplier:,}".replace(",", "")
    return indicator.unit_label or indicator.unit_kind.value


def _indicator_cells(indicator: Indicator) -> list[object]:
    return [indicator.code, indicator.title, indicator.key_area.label, _unit(indicator)]


def _period_cells(period: Period) -> list[object]:
    return [period.label, period.starts_on, period.ends_on]


def _direction(standing: Standing) -> str:
    if standing.level not in (engine.POSSIBLE, engine.EXCEPTION):
        return ""
    return standing.judgement


def _reason(withheld: str | None) -> str:
    """GSS shorthand: withheld under the k threshold is confidential; withheld because the
    group overlaps the viewer's others (anonymity rule 9) is "not available"."""
    if withheld is None:
        return ""
    return NOT_AVAILABLE if "overlap" in withheld or "single out" in withheld else CONFIDENTIAL


# --- Where we stand -------------------------------------------------------------------------

WHERE_WE_STAND = Table(
    "where-we-stand",
    "Where we stand",
    "Every indicator for the authority against one peer group in one period: its own "
    "figure, exact, with its 95% interval, and the group's median, quartiles and pooled "
    "value (to the indicator's published decimal places), with the classification.",
    (
        INDICATOR_CODE,
        INDICATOR_TITLE,
        KEY_AREA,
        UNIT,
        PERIOD,
        PERIOD_START,
        PERIOD_END,
        GROUP,
        _c(
            "value",
            "Your figure",
            "The authority's own figure, exact.",
            type="number",
            empty_means="the authority published no figure for the period",
        ),
        _c(
            "numerator",
            "Numerator",
            "The authority's own numerator.",
            type="number",
            empty_means="the indicator has no counts, or no figure was published",
        ),
        _c(
            "denominator",
            "Denominator",
            "The authority's own denominator.",
            type="number",
            empty_means="the indicator has no counts, or no figure was published",
        ),
        _c(
            "ci_lower_95",
            "95% interval, lower",
            "Lower end of the 95% interval of your "
            "figure (Wilson for proportions, Byar for rates).",
            type="number",
            empty_means="the indicator has no counts",
        ),
        _c(
            "ci_upper_95",
            "95% interval, upper",
            "Upper end of the 95% interval.",
            type="number",
            empty_means="the indicator has no counts",
        ),
        _c(
            "peers_contributing",
            "Peers contributing",
            "Peers whose figures make the group figures (the authority itself not counted).",
            type="integer",
            empty_means="withheld: see suppression_reason",
        ),
        _c(
            "peer_median",
            "Peer median",
            "The group's median, to the indicator's decimals.",
            type="number",
            empty_means="withheld: see suppression_reason",
        ),
        _c(
            "peer_lower_quartile",
            "Peer lower quartile",
            "The group's 25th percentile.",
            type="number",
            empty_means="withheld: see suppression_reason",
        ),
        _c(
            "peer_upper_quartile",
            "Peer upper quartile",
            "The group's 75th percentile.",
            type="number",
            empty_means="withheld: see suppression_reason",
        ),
        _c(
            "peer_pooled_value",
            "Pooled peer value",
            "Counts only: the group's total "
            "numerator over its total denominator, the funnel's target.",
            type="number",
            empty_means="no counts, or withheld: see suppression_reason",
        ),
        CLASSIFICATION,
        DIRECTION,
        _c(
            "method",
            "Method",
            "funnel (counts against the pooled value), "
            "funnel_overdispersed (limits widened because peers vary more than chance) or "
            "robust_z (against the median and spread).",
            allowed=tuple(METHODS.values()),
            empty_means="not classified",
        ),
        _c(
            "pending_correction",
            "Correction pending",
            "true when your latest figure is not "
            "yet visible to peers (it joins their view at the next release round).",
            type="boolean",
        ),
        SUPPRESSION_REASON,
        WITHHELD,
    ),
)


def where_we_stand(page: StandingPage) -> Section:
    def rows() -> Iterator[Sequence[object]]:
        for _, standings in page.sections:
            for standing in standings:
                interval = standing.interval or (None, None)
                yield [
                    *_indicator_cells(standing.indicator),
                    *_period_cells(page.period),
                    page.group.label,
                    standing.value,
                    standing.numerator,
                    standing.denominator,
                    interval[0],
                    interval[1],
                    standing.peers if standing.withheld is None else None,
                    standing.median,
                    standing.lower_quartile,
                    standing.upper_quartile,
                    standing.target,
                    CLASSIFICATIONS[standing.level],
                    _direction(standing),
                    METHODS.get(standing.method, "") if standing.value is not None else "",
                    standing.pending_correction,
                    _reason(standing.withheld),
                    standing.withheld or "",
                ]

    return Section(WHERE_WE_STAND, rows())


# --- Trends ---------------------------------------------------------------------------------

TRENDS = Table(
    "trends",
    "Trends",
    "The authority's trend on every indicator over the released periods (Theil-Sen slope, "
    "Mann-Kendall test), never across a series break, and how it stands against the "
    "peers' trends in the group.",
    (
        INDICATOR_CODE,
        INDICATOR_TITLE,
        KEY_AREA,
        UNIT,
        _c("up_to_period", "Up to period", "The last period of the trend."),
        GROUP,
        _c(
            "slope_per_year",
            "Slope a year",
            "Change a year (Theil-Sen), to the indicator's decimals.",
            type="number",
            empty_means="too few periods for a trend",
        ),
        _c(
            "clear_trend",
            "A clear trend",
            "true when the Mann-Kendall test finds the trend unlikely to be chance (p < 0.05).",
            type="boolean",
            empty_means="too few periods for a trend",
        ),
        _c(
            "since_series_break",
            "Since series break",
            "The period a series break starts the trend from.",
            empty_means="no series break",
        ),
        _c(
            "against_peers",
            "Against peers' trends",
            "How the trend compares with the peers' trends.",
            allowed=("in_line", "faster", "much_faster", "slower", "much_slower"),
            empty_means="not compared: peers' figures withheld, or too few",
        ),
        _c("in_words", "In words", "The sentence the page shows."),
    ),
)


def trends(page: StandingPage) -> Section:
    def rows() -> Iterator[Sequence[object]]:
        for _, standings in page.sections:
            for standing in standings:
                fact = standing.trend_fact
                yield [
                    *_indicator_cells(standing.indicator),
                    page.period.label,
                    page.group.label,
                    fact.slope if fact else None,
                    fact.clear if fact else None,
                    (fact.since or "") if fact else "",
                    (fact.against_peers or "") if fact else "",
                    standing.trend,
                ]

    return Section(TRENDS, rows())


# --- One indicator --------------------------------------------------------------------------

INDICATOR = Table(
    "indicator",
    "One indicator against the peers",
    "The authority's figure and every peer's in the group, unlabelled and ordered by value "
    "(anonymity rule 6): peers to the indicator's decimals, small counts as <5 with no "
    "figure, denominators only in bands that hold at least k peers; the funnel's limits "
    "at each row's denominator.",
    (
        INDICATOR_CODE,
        PERIOD,
        GROUP,
        _c(
            "is_subject_authority",
            "Your authority",
            "true for the authority's own row.",
            type="boolean",
        ),
        _c(
            "value",
            "Figure",
            "The figure: your own exact, a peer's to the indicator's decimals.",
            type="number",
            empty_means="see suppression_reason",
        ),
        _c(
            "count",
            "Count",
            "A peer's count shown only as <5 (1 to 4).",
            allowed=("<5",),
            empty_means="not a small count",
        ),
        _c(
            "denominator_band_low",
            "Denominator band from",
            "A peer's denominator lies in a band from here...",
            type="number",
            empty_means="no band holds k peers",
        ),
        _c(
            "denominator_band_high",
            "Denominator band to",
            "...up to (not including) here.",
            type="number",
            empty_means="no band holds k peers",
        ),
        _c(
            "ci_lower_95",
            "95% interval, lower",
            "Your own figure only.",
            type="number",
            empty_means="a peer (its interval would tell its denominator), or no counts",
        ),
        _c(
            "ci_upper_95",
            "95% interval, upper",
            "Your own figure only.",
            type="number",
            empty_means="a peer, or no counts",
        ),
        _c(
            "limit_lower_95",
            "95% limit, lower",
            "The funnel's lower 95% limit at the row's denominator (a peer's: its band's middle).",
            type="number",
            empty_means="no funnel: no counts, or peers' figures withheld",
        ),
        _c(
            "limit_upper_95",
            "95% limit, upper",
            "The funnel's upper 95% limit.",
            type="number",
            empty_means="no funnel",
        ),
        _c(
            "limit_lower_998",
            "99.8% limit, lower",
            "The funnel's lower 99.8% limit.",
            type="number",
            empty_means="no funnel",
        ),
        _c(
            "limit_upper_998",
            "99.8% limit, upper",
            "The funnel's upper 99.8% limit.",
            type="number",
            empty_means="no funnel",
        ),
        CLASSIFICATION,
        DIRECTION,
        SUPPRESSION_REASON,
    ),
)


def _limits(page: IndicatorPage, denominator: float | None) -> list[float | None]:
    """The funnel's limits at one denominator, as the page's funnel draws them (around
    the pooled value as shown, widened where the engine widened them), to one decimal
    place more than the indicator's."""
    if not page.funnel or not denominator:
        return [None] * 4
    limits = compare_indicator.funnel_limits(page, np.array([float(denominator)]))
    places = page.indicator.decimals + 1
    return [
        round(float(limits[name][side][0]), places) for name in ("95", "998") for side in (0, 1)
    ]


def indicator(page: IndicatorPage) -> Section:
    standing = page.standing
    base = [page.indicator.code, page.period.label, page.group.label]

    def rows() -> Iterator[Sequence[object]]:
        interval = standing.interval or (None, None)
        yield [
            *base, True, standing.value, "", None, None, interval[0], interval[1],
            *_limits(page, standing.denominator), CLASSIFICATIONS[standing.level],
            _direction(standing), "" if standing.value is not None else NOT_AVAILABLE,
        ]  # fmt: skip
        if standing.withheld is not None:
            return
        for peer in page.peers:
            band = peer.band
            yield [
                *base, False, peer.value, peer.count_text if peer.suppressed else "",
                band.low if band else None, band.high if band else None, None, None,
                *_limits(page, peer.denominator), "", "",
                CONFIDENTIAL if peer.suppressed else "",
            ]  # fmt: skip

    return Section(INDICATOR, rows())


# --- Norm or exception? ------------------------------------------------------------------

NORMS = Table(
    "norm-or-exception",
    "Norm or exception? Known issues",
    "Each known issue: the authority's own answer, exact, and how many peers in the group "
    "answered and report it (counts with small cell-key noise, at most 2 either way, the "
    "same for the same set of councils), its prevalence with a 95% Wilson interval, and "
    "whether it is the norm among peers.",
    (
        _c("issue_code", "Issue code", "bench's code for the issue type."),
        _c("issue_title", "Known issue", "The issue type's title."),
        PERIOD,
        GROUP,
        _c(
            "your_answer",
            "Your answer",
            "reported, not_an_issue, or empty if not answered.",
            allowed=("reported", "not_an_issue"),
            empty_means="not answered",
        ),
        _c("your_status", "Your status", "The status of your report.", empty_means="not reported"),
        _c(
            "peers_reporting",
            "Peers reporting",
            "Peers that report it open (noisy).",
            type="integer",
            empty_means="withheld: see suppression_reason",
        ),
        _c(
            "peers_answering",
            "Peers answering",
            "Peers that answered about it (noisy).",
            type="integer",
            empty_means="withheld: see suppression_reason",
        ),
        _c(
            "prevalence",
            "Prevalence",
            "Peers reporting over peers answering, 0 to 1.",
            type="number",
            unit="proportion",
            empty_means="withheld",
        ),
        _c(
            "prevalence_lower_95",
            "Prevalence, lower 95%",
            "Wilson interval, lower.",
            type="number",
            unit="proportion",
            empty_means="withheld",
        ),
        _c(
            "prevalence_upper_95",
            "Prevalence, upper 95%",
            "Wilson interval, upper.",
            type="number",
            unit="proportion",
            empty_means="withheld",
        ),
        _c(
            "label",
            "Among peers",
            "the norm, common, uncommon, rare or only you.",
            empty_means="withheld",
        ),
        _c(
            "peers_resolved_open_to_contact",
            "Resolved, open to contact",
            "Peers that resolved it and are open to contact (noisy).",
            type="integer",
            empty_means="withheld",
        ),
        _c(
            "perturbed",
            "Counts perturbed",
            "true: the counts carry cell-key noise.",
            type="boolean",
        ),
        SUPPRESSION_REASON,
        WITHHELD,
    ),
)


def norms(page: NormPage) -> Section:
    items: list[IssueStanding] = sorted(
        page.shared + page.own + page.elsewhere + page.quiet, key=lambda s: s.issue_type.code
    )

    def rows() -> Iterator[Sequence[object]]:
        for item in items:
            shown = item.withheld is None
            yield [
                item.issue_type.code,
                item.issue_type.title,
                page.standing.period.label,
                page.group.label,
                item.viewer_answer,
                item.viewer_status or "",
                item.reporting,
                item.answering,
                round(item.proportion, 4) if item.proportion is not None else None,
                round(item.lower, 4) if item.lower is not None else None,
                round(item.upper, 4) if item.upper is not None else None,
                item.label,
                item.resolved_open_to_contact,
                shown,
                _reason(item.withheld),
                item.withheld or "",
            ]

    return Section(NORMS, rows())


# --- The network's spread (inspectors) ---------------------------------------------------

NETWORK_SPREAD = Table(
    "network-spread",
    "The network's spread",
    "Every indicator across all councils in each period, anonymised: councils "
    "contributing, median, quartiles, deciles and pooled value, to the indicator's "
    "decimals.",
    (
        INDICATOR_CODE, INDICATOR_TITLE, KEY_AREA, UNIT, PERIOD, PERIOD_START, PERIOD_END,
        _c("councils_contributing", "Councils contributing", "Councils in the figures "
           "(small counts left out).", type="integer", empty_means="withheld"),
        _c("councils_small_count", "Councils with a small count", "Councils listed as <5.",
           type="integer"),
        _c("median", "Median", "To the indicator's decimals.", type="number",
           empty_means="withheld: see suppression_reason"),
        _c("lower_quartile", "Lower quartile", "25th percentile.", type="number",
           empty_means="withheld"),
        _c("upper_quartile", "Upper quartile", "75th percentile.", type="number",
           empty_means="withheld"),
        *(
            _c(f"decile_{d}", f"{d}th percentile", f"The {d}th percentile.", type="number",
               empty_means="withheld")
            for d in range(10, 100, 10)
        ),
        _c("pooled_value", "Pooled value", "Counts only: total numerator over total "
           "denominator.", type="number", empty_means="no counts, or withheld"),
        SUPPRESSION_REASON,
        WITHHELD,
    ),
)  # fmt: skip


def spread_rows(spreads: Sequence[Spread]) -> Iterator[Sequence[object]]:
    for spread in spreads:
        deciles = list(spread.deciles) or [None] * 9
        yield [
            *_indicator_cells(spread.indicator),
            *_period_cells(spread.period),
            spread.contributors if spread.withheld is None else None,
            spread.suppressed,
            spread.median,
            spread.lower_quartile,
            spread.upper_quartile,
            *deciles,
            spread.pooled,
            CONFIDENTIAL if spread.withheld else "",
            spread.withheld or "",
        ]


NETWORK_FIGURES = Table(
    "network-figures",
    "Every council's figure, unlabelled",
    "Every council's figure for every indicator and period, unlabelled and ordered by "
    "value within each indicator and period (never by id or name): to the indicator's "
    "decimals, small counts as <5 with no figure; no denominators and no intervals, "
    "which would tell a council's population back. Rows do not join across indicators "
    "or periods.",
    (
        INDICATOR_CODE,
        PERIOD,
        _c(
            "value",
            "Figure",
            "A council's figure, to the indicator's decimals.",
            type="number",
            empty_means="a small count: see count",
        ),
        _c(
            "count",
            "Count",
            "A council's count shown only as <5.",
            allowed=("<5",),
            empty_means="not a small count",
        ),
        SUPPRESSION_REASON,
    ),
)


def figure_rows(
    indicator: Indicator, period: Period, listed: Sequence[Listed]
) -> Iterator[Sequence[object]]:
    code, label = indicator.code, period.label
    for item in listed:
        if item.value is None:
            yield [code, label, None, item.count_text, CONFIDENTIAL]
        else:
            yield [code, label, item.value, "", ""]


# --- labels --------------------------------------------------------------------------------


class Labels:
    """Peer labels that mean nothing outside one comparison of one export (DESIGN.md,
    Anonymity 2): within a scope (one indicator, period and group) a peer keeps one label,
    a number drawn in a random order; every scope and every export draws afresh from its
    own seed, so no label joins files, views or indicators."""

    def __init__(self, seed: bytes) -> None:
        self._seed = seed

    def rng(self, scope: str) -> random.Random:
        """A shuffle keyed by the seed and *scope* (labels, and the order of tied peers)."""
        digest = hmac.new(self._seed, scope.encode(), hashlib.sha256).digest()
        return random.Random(digest)  # noqa: S311 - an order, not a secret

    def numbers(self, scope: str, count: int) -> list[str]:
        order = list(range(1, count + 1))
        self.rng(f"labels|{scope}").shuffle(order)
        width = max(2, len(str(count)))
        return [f"peer-{number:0{width}d}" for number in order]
