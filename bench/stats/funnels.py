"""Funnel plot control limits and comparison with a benchmark, the PHE/OHID way.

A funnel plot sets each area's figure against its denominator (its precision): the
control limits say how far from the target a figure may fall by chance alone, at 95%
("two sigma") and 99.8% ("three sigma"). `compare_to_benchmark` gives the same verdict
for each area from its own confidence interval.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from bench.stats._checks import critical_value, floats, scalar
from bench.stats.intervals import checked_counts, rate_limits, wilson_limits
from bench.stats.results import Interval

Kind = Literal["proportion", "rate", "ratio"]
KINDS = ("proportion", "rate", "ratio")

#: The two levels of the funnel and of `compare_to_benchmark`.
INNER, OUTER = 0.95, 0.998


class Significance(IntEnum):
    """Codes of `compare_to_benchmark` (plain ints in its result array)."""

    ABOVE_99_8 = 2
    ABOVE_95 = 1
    NOT_SIGNIFICANT = 0
    BELOW_95 = -1
    BELOW_99_8 = -2
    #: A numerator, denominator or benchmark was missing or impossible.
    NOT_COMPARED = 99


def pooled_value(numerators: ArrayLike, denominators: ArrayLike) -> float:
    """The group's pooled value ``sum(numerators) / sum(denominators)``: a funnel's target.

    Areas where either figure is missing are left out of both sums. NaN when nothing is
    left or the denominators sum to 0. (PHEindicatormethods ``phe_funnels`` uses the same
    "average" as the baseline.)
    """
    x, n = floats(numerators, denominators)
    both = ~np.isnan(x) & ~np.isnan(n)
    total = n[both].sum()
    return float(x[both].sum() / total) if total > 0 else np.nan


def proportion_funnel(
    target: ArrayLike, denominators: ArrayLike, confidence: float = 0.95
) -> Interval:
    """Control limits for a proportion at each denominator.

    Parameters
    ----------
    target : float or array_like
        The proportion the group is compared with, in [0, 1]: usually the peer group's
        `pooled_value`, or a chosen benchmark.
    denominators : array_like
        Where to give the limits: the areas' denominators, or a grid for drawing.
    confidence : float, optional
        Two-sided level between 0 and 1: 0.95 (the default) and 0.998 make the funnel.

    Returns
    -------
    Interval
        ``(lower, upper)`` proportions, clipped to [0, 1]; ``value`` the target. NaN where
        a denominator is missing or not positive.

    Notes
    -----
    ``target -/+ z sqrt(target (1 - target) / n)``, z = Phi^-1(0.5 + confidence / 2).
    These are exactly the proportions whose Wilson score interval (`wilson_interval`)
    just touches the target, so an area outside the funnel is one that
    `compare_to_benchmark` calls significantly different, and the other way round.
    DESIGN.md mentions exact binomial limits; we follow the PHE tools instead, so that
    figures can be checked against Fingertips and PHEindicatormethods.

    References
    ----------
    .. [1] Spiegelhalter, D. J. (2005) Funnel plots for comparing institutional
       performance. Statistics in Medicine 24, 1185-1202.
    .. [2] Office for Health Improvement and Disparities, Fingertips technical guidance,
       "Funnel plots"; PHEindicatormethods ``phe_funnels`` (R/Funnels.R).
    """
    z = critical_value(confidence)
    p, n = floats(target, denominators)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("a proportion's target must be between 0 and 1")
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(p * (1 - p) / np.where(n > 0, n, np.nan))
    return Interval(
        scalar(np.clip(p - half, 0, 1)),
        scalar(np.clip(p + half, 0, 1)),
        value=scalar(p),
        method="normal approximation (where the Wilson interval meets the target)",
        confidence=confidence,
    )


def poisson_funnel_counts(expected: NDArray, confidence: float) -> tuple[NDArray, NDArray]:
    """Observed counts on the exact Poisson control limits around *expected* events.

    The lower limit is the count O whose exact upper confidence limit equals the expected
    count, the upper limit the count whose exact lower limit does: with the regularised
    incomplete gamma function P, ``P(O_lower + 1, E) = 1 - a/2`` and
    ``P(O_upper, E) = a/2`` (a = 1 - confidence), solved for O by
    `scipy.special.gdtrib`. A lower limit below 0 is 0.
    """
    tail = (1 - confidence) / 2
    usable = expected > 0
    safe = np.where(usable, expected, 1.0)
    lower = np.maximum(special.gdtrib(1.0, 1 - tail, safe) - 1, 0.0)
    upper = special.gdtrib(1.0, tail, safe)
    return np.where(usable, lower, np.nan), np.where(usable, upper, np.nan)


def ratio_funnel(expected: ArrayLike, confidence: float = 0.95, benchmark: float = 1.0) -> Interval:
    """Exact Poisson control limits for a ratio observed / expected at each expected count.

    Parameters
    ----------
    expected : array_like
        Expected events (the x axis of an indirectly standardised ratio's funnel).
    confidence : float, optional
        Two-sided level between 0 and 1; 0.95 by default.
    benchmark : float, optional
        The ratio compared with; 1 (as expected) by default.

    Returns
    -------
    Interval
        ``(lower, upper)`` ratios (multiply by 100 for an ISR-style index); ``value`` the
        benchmark. NaN where *expected* is missing or not positive.

    Notes
    -----
    With E = benchmark x expected, the limits are O / expected for the counts O on the
    exact Poisson limits around E (see `poisson_funnel_counts`), treating O as continuous
    so the funnel is smooth. PHEindicatormethods tabulates the same curve indexed by
    observed events: at O events its lower limit sits at the expected count equal to O's
    exact upper confidence limit.

    References
    ----------
    .. [1] Spiegelhalter, D. J. (2005) Funnel plots for comparing institutional
       performance. Statistics in Medicine 24, 1185-1202.
    .. [2] Office for Health Improvement and Disparities, Fingertips technical guidance,
       "Funnel plots"; PHEindicatormethods ``phe_funnels(statistic = "ratio")``.
    """
    critical_value(confidence)
    (e,) = floats(expected)
    lower, upper = poisson_funnel_counts(benchmark * e, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        return Interval(
            scalar(lower / e),
            scalar(upper / e),
            value=benchmark,
            method="exact Poisson",
            confidence=confidence,
        )


def rate_funnel(
    target_rate: float,
    denominators: ArrayLike,
    confidence: float = 0.95,
    multiplier: float = 1,
) -> Interval:
    """Exact Poisson control limits for a rate at each denominator.

    Parameters
    ----------
    target_rate : float
        The rate compared with, per *multiplier* (e.g. the group's pooled rate per 100,000).
    denominators : array_like
        Populations (or person-years) at which to give the limits.
    confidence : float, optional
        Two-sided level between 0 and 1; 0.95 by default.
    multiplier : float, optional
        Scale of the rates, e.g. 100000; 1 by default.

    Returns
    -------
    Interval
        ``(lower, upper)`` rates per *multiplier*; ``value`` the target. NaN where a
        denominator is missing or not positive.

    Notes
    -----
    At denominator n the expected count is E = target_rate / multiplier x n; the limits
    are O / n x multiplier for the counts O on the exact Poisson limits around E (see
    `ratio_funnel`). For several years of data pass the total person-years.

    References
    ----------
    .. [1] Spiegelhalter, D. J. (2005) Funnel plots for comparing institutional
       performance. Statistics in Medicine 24, 1185-1202.
    .. [2] Office for Health Improvement and Disparities, Fingertips technical guidance,
       "Funnel plots"; PHEindicatormethods ``phe_funnels(statistic = "rate")``.
    """
    critical_value(confidence)
    (n,) = floats(denominators)
    lower, upper = poisson_funnel_counts(target_rate / multiplier * n, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        return Interval(
            scalar(lower / n * multiplier),
            scalar(upper / n * multiplier),
            value=target_rate,
            method="exact Poisson",
            confidence=confidence,
        )


def compare_to_benchmark(
    kind: Kind, numerators: ArrayLike, denominators: ArrayLike, benchmark: ArrayLike
) -> NDArray[np.int_]:
    """Whether each area is significantly above or below a benchmark, at 95% and 99.8%.

    Parameters
    ----------
    kind : {"proportion", "rate", "ratio"}
        ``"proportion"``: Wilson score intervals, the benchmark a proportion.
        ``"rate"``: `rate_interval` (exact Poisson below 10 events, Byar's from 10), the
        benchmark in the units of numerator / denominator (no multiplier).
        ``"ratio"``: numerators observed, denominators expected events, the same
        intervals; the benchmark usually 1.
    numerators, denominators : array_like
        One figure per area.
    benchmark : float or array_like
        What each area is compared with; broadcast with the figures.

    Returns
    -------
    numpy.ndarray of int
        One `Significance` code per area (a scalar for scalar inputs): +2 / -2 when the 99.8%
        interval lies wholly above / below the benchmark, +1 / -1 when only the 95% interval does, 0
        when the benchmark is inside the 95% interval, and 99 (``NOT_COMPARED``) where a figure or
        the benchmark is missing, a denominator is 0, or a figure is impossible (with an
        `InvalidValueWarning`).

    Notes
    -----
    An interval that only touches the benchmark is not significant, as in
    PHEindicatormethods ``phe_funnel_significance``. For proportions the verdict matches
    `proportion_funnel` drawn around the same benchmark exactly.

    References
    ----------
    .. [1] Office for Health Improvement and Disparities, Fingertips technical guidance,
       "Comparing with a benchmark" and "Confidence intervals".
    .. [2] PHEindicatormethods ``phe_funnel_significance`` (R/Funnels.R).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    x, n = checked_counts(numerators, denominators, proportion=kind == "proportion")
    (target,) = floats(benchmark)
    codes = np.zeros(np.broadcast_shapes(x.shape, target.shape), dtype=int)
    for level, code in ((INNER, 1), (OUTER, 2)):
        if kind == "proportion":
            lower, upper = wilson_limits(x, n, critical_value(level))
        else:
            lower, upper = rate_limits(x, n, level)
        codes[lower > target] = code
        codes[upper < target] = -code
    codes[np.isnan(x) | ~(n > 0) | np.isnan(target)] = Significance.NOT_COMPARED
    return scalar(codes)
