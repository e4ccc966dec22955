"""Progress of an action measured by an indicator: the authority's own released figures
set against the baseline and the target it chose.

Only the authority's own figures, and only for periods whose release has passed (the
service reads them; bench.actions.queries.own_released_values). Which way is better comes
from the indicator's polarity; for an indicator where neither is better, from the
baseline towards the target the authority chose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.models import Indicator, Period, Polarity, Value

TOWARDS, AWAY, UNCHANGED = "towards", "away", "unchanged"


@dataclass(frozen=True)
class ProgressRow:
    period: Period
    value: float
    status: str  # provisional or final
    movement: str  # towards (better than the baseline), away or unchanged
    target_reached: bool
    is_baseline_period: bool
    is_target_period: bool


@dataclass(frozen=True)
class Progress:
    indicator: Indicator
    baseline_period: Period
    baseline_value: float
    target_period: Period
    target_value: float
    direction: str | None  # "higher" or "lower" is better; None: hold the baseline
    rows: list[ProgressRow]
    target_met: bool | None  # None until the target period's own figure is released


def _compare(one: float, other: float) -> int:
    """-1, 0 or 1; figures stored as floats compare equal within rounding noise."""
    if math.isclose(one, other, rel_tol=1e-12, abs_tol=1e-9):
        return 0
    return 1 if one > other else -1


def aim(polarity: Polarity, baseline: float, target: float) -> int:
    """+1 when higher is better, -1 when lower is, 0 when the target holds the baseline."""
    if polarity is Polarity.HIGHER_IS_BETTER:
        return 1
    if polarity is Polarity.LOWER_IS_BETTER:
        return -1
    return _compare(target, baseline)


def target_on_the_right_side(polarity: Polarity, baseline: float, target: float) -> bool:
    """A target no worse than the baseline, by the indicator's polarity."""
    return aim(polarity, baseline, target) * _compare(target, baseline) >= 0


def measure(
    indicator: Indicator,
    baseline: tuple[Period, float],
    target: tuple[Period, float],
    figures: list[tuple[Period, Value]],
) -> Progress:
    """Each released figure from the baseline period on: is it on the way from the
    baseline to the target, has it reached the target, and was the target met in the
    target period."""
    baseline_period, baseline_value = baseline
    target_period, target_value = target
    direction = aim(indicator.polarity, baseline_value, target_value)
    rows = []
    for period, value in figures:
        figure = float(value.value)  # the query reads only figures that have one
        change = direction * _compare(figure, baseline_value)
        if direction == 0:
            movement = UNCHANGED if _compare(figure, baseline_value) == 0 else AWAY
        else:
            movement = TOWARDS if change > 0 else AWAY if change < 0 else UNCHANGED
        beyond = _compare(figure, target_value)
        reached = beyond == 0 or (direction != 0 and direction * beyond > 0)
        rows.append(
            ProgressRow(
                period=period,
                value=figure,
                status=value.status.value,
                movement=movement,
                target_reached=reached,
                is_baseline_period=period.id == baseline_period.id,
                is_target_period=period.id == target_period.id,
            )
        )
    in_target = [row for row in rows if row.is_target_period]
    return Progress(
        indicator=indicator,
        baseline_period=baseline_period,
        baseline_value=baseline_value,
        target_period=target_period,
        target_value=target_value,
        direction={1: "higher", -1: "lower"}.get(direction),
        rows=rows,
        target_met=in_target[0].target_reached if in_target else None,
    )
