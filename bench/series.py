"""Series breaks: where an indicator's definition or source changed, a series splits.

Comparisons and trends must not join values across a break without saying so. Later
code reads the breaks with :func:`series_breaks` and splits a series with
:func:`segments` (pure, so it is tested on its own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from bench.admin import queries

T = TypeVar("T")


def series_breaks(indicator_ids: Iterable[int]) -> dict[int, list[tuple[date, str]]]:
    """Each indicator's breaks as (start date of the first period after it, reason).

    Indicators without breaks are absent. One query for all indicators.
    """
    breaks: dict[int, list[tuple[date, str]]] = {}
    for indicator_id, starts_on, reason in queries.series_break_starts(indicator_ids):
        breaks.setdefault(indicator_id, []).append((starts_on, reason))
    return breaks


def segments(
    periods_in_order: Sequence[T],
    break_starts: Iterable[date],
    key: Callable[[T], Any] = lambda period: period,
) -> list[list[T]]:
    """Split a time series at its breaks: no segment spans a break.

    *periods_in_order* are period start dates (or anything *key* maps to one), oldest
    first. A break starting on date *b* opens a new segment at the first period that
    starts on or after *b*; a period that starts before *b* stays in the segment
    before it. Breaks before the first or after the last period split nothing.

    >>> segments([date(2021, 4, 1), date(2022, 4, 1), date(2023, 4, 1)], [date(2022, 4, 1)])
    [[datetime.date(2021, 4, 1)], [datetime.date(2022, 4, 1), datetime.date(2023, 4, 1)]]
    """
    starts = [key(period) for period in periods_in_order]
    if any(later <= earlier for earlier, later in zip(starts, starts[1:], strict=False)):
        raise ValueError("periods must be in time order, each once")
    breaks = sorted(set(break_starts))
    result: list[list[T]] = []
    current: list[T] = []
    next_break = 0
    for period, start in zip(periods_in_order, starts, strict=True):
        crossed = False
        while next_break < len(breaks) and breaks[next_break] <= start:
            crossed = True
            next_break += 1
        if crossed and current:
            result.append(current)
            current = []
        current.append(period)
    if current:
        result.append(current)
    return result
