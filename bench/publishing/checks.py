"""Plausibility checks on newly published figures: warnings, and queries before release.

Pure: plain data in, findings out (numpy for the arithmetic), so the rules can be read
and tested on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from bench.models import QueryReason

HISTORY_Z = 4.0  # robust distance from the authority's own other periods
FAR_OUT = 3.0  # Tukey's "far out": beyond the quartiles by three interquartile ranges
FLAT = 0.05  # a group with no spread is measured against 5% of its median instead
JUMP = 0.5  # a change of more than half since the previous period
MAD_SCALE = 1.4826


@dataclass(frozen=True)
class Candidate:
    """A figure about to be published."""

    key: int  # the caller's reference (row number)
    indicator_id: int
    period_index: int  # position of the period in time order
    value: float | None


def plain(value: float) -> str:
    """A figure with no unit and as many decimals as it has: the fallback for tests."""
    return f"{value:g}"


@dataclass(frozen=True)
class IndicatorRange:
    code: str
    plausible_min: float | None
    plausible_max: float | None
    # How a figure of this indicator is written for people (its decimal places and unit,
    # "£1,234.5", "17.5%", "412 per 100,000"): a warning quotes figures as pages show them.
    show: Callable[[float], str] = plain


@dataclass(frozen=True)
class PeerRange:
    """How far a figure may stand from peers' before it is "far outside" their range."""

    low: float
    high: float
    period_label: str | None = None  # the released period compared with, if not its own


def far_out_range(
    lower_quartile: float, median: float, upper_quartile: float, decimals: int
) -> tuple[float, float]:
    """Tukey's far-out fences, q1 - 3 IQR and q3 + 3 IQR, from the group statistics a
    publisher is shown as a peer, rounded to the indicator's decimal places first.

    Why these: the warning says "far outside", and Tukey's fences at three interquartile
    ranges are the textbook meaning of far out (about 4.7 standard deviations from the
    mean of normal data, so a real figure rarely trips them). Why rounded: the fences are
    made only of figures the Where we stand page already shows to the publisher, so
    finding the warning's edge by trial and error teaches nothing beyond that page
    (DESIGN.md, Anonymity 13). The interquartile range is at least 5% of the median (a
    group with no spread would otherwise warn on any difference) and one unit of the last
    decimal place shown.
    """
    q1, q2, q3 = (round(x, decimals) for x in (lower_quartile, median, upper_quartile))
    spread = max(q3 - q1, FLAT * abs(q2), 10.0**-decimals)
    return q1 - FAR_OUT * spread, q3 + FAR_OUT * spread


@dataclass(frozen=True)
class Finding:
    key: int
    reason: QueryReason
    message: str


def _robust_distance(value: float, others: np.ndarray) -> float:
    median = float(np.median(others))
    spread = MAD_SCALE * float(np.median(np.abs(others - median)))
    # A flat series has no spread: measure against 5% of its level instead.
    spread = max(spread, 0.05 * abs(median), 1e-9)
    return abs(value - median) / spread


def check(
    candidates: Iterable[Candidate],
    ranges: Mapping[int, IndicatorRange],
    own_history: Mapping[int, Mapping[int, float]],
    peer_ranges: Mapping[tuple[int, int], PeerRange | None],
) -> list[Finding]:
    """Findings for *candidates*.

    ``own_history`` maps indicator -> period index -> the authority's current value;
    ``peer_ranges`` maps (indicator, period index) -> the range of the figures the
    authority sees as a peer, or None where there is none to compare with.
    """
    findings: list[Finding] = []
    for candidate in candidates:
        value = candidate.value
        if value is None:
            continue
        limits = ranges[candidate.indicator_id]
        show = limits.show
        low, high = limits.plausible_min, limits.plausible_max
        if (low is not None and value < low) or (high is not None and value > high):
            findings.append(
                Finding(
                    candidate.key,
                    QueryReason.OUTSIDE_PLAUSIBLE_RANGE,
                    f"{show(value)} is outside the plausible range for {limits.code} "
                    f"({_range_text(low, high, show)})",
                )
            )
        history = own_history.get(candidate.indicator_id, {})
        # Three other periods at least (no array to build for a new series).
        if len(history) - (candidate.period_index in history) >= 3:
            others = np.array(
                [v for index, v in history.items() if index != candidate.period_index],
                dtype=float,
            )
            if _robust_distance(value, others) > HISTORY_Z:
                findings.append(
                    Finding(
                        candidate.key,
                        QueryReason.JUMP_FROM_LAST_YEAR,
                        f"{show(value)} is far from your own figures for other periods "
                        f"({show(float(others.min()))} to {show(float(others.max()))})",
                    )
                )
        previous = history.get(candidate.period_index - 1)
        if previous is not None and abs(value - previous) > JUMP * max(abs(previous), 1e-9):
            findings.append(
                Finding(
                    candidate.key,
                    QueryReason.JUMP_FROM_LAST_YEAR,
                    f"{show(value)} changed by more than half since the previous period "
                    f"({show(previous)})",
                )
            )
        earlier = [index for index in history if index < candidate.period_index - 1]
        if previous is None and earlier and candidate.period_index - 1 >= 0:
            findings.append(
                Finding(
                    candidate.key,
                    QueryReason.BROKEN_SERIES,
                    "There is no figure for the previous period, though earlier periods have "
                    "one: the series is broken",
                )
            )
        peers = peer_ranges.get((candidate.indicator_id, candidate.period_index))
        if peers is not None and not peers.low <= value <= peers.high:
            findings.append(
                Finding(
                    candidate.key,
                    QueryReason.FAR_FROM_PEERS,
                    "This figure is far outside the range of other councils' figures for "
                    + (
                        f"{peers.period_label}, the latest period released to peers"
                        if peers.period_label
                        else "the same period"
                    ),
                )
            )
    return findings


def _range_text(low: float | None, high: float | None, show: Callable[[float], str] = plain) -> str:
    if low is not None and high is not None:
        return f"{show(low)} to {show(high)}"
    if low is not None:
        return f"at least {show(low)}"
    return f"at most {show(high)}" if high is not None else ""
