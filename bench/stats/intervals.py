"""Confidence intervals for proportions, counts, rates and means, the PHE/OHID way.

Every function works element-wise on whole arrays (inputs broadcast together) and returns
an `Interval` that unpacks as ``lower, upper``. Missing inputs (NaN) and zero
denominators give NaN limits silently; impossible inputs (negative counts, a numerator
above its denominator) give NaN with an `InvalidValueWarning`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from bench.stats._checks import (
    NanPolicy,
    apply_nan_policy,
    critical_value,
    discard_invalid,
    floats,
    scalar,
)
from bench.stats.results import Interval, TooFewValuesWarning, warn

#: Below this many events rate_interval uses exact Poisson limits, from it Byar's.
BYARS_FROM = 10


def wilson_limits(x: NDArray, n: NDArray, z: float) -> tuple[NDArray, NDArray]:
    """Wilson score limits for checked arrays (no validation; used across the package)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = 2 * x + z**2
        spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
        scale = 2 * (n + z**2)
        lower = np.clip((centre - spread) / scale, 0, 1)
        upper = np.clip((centre + spread) / scale, 0, 1)
    usable = n > 0
    return np.where(usable, lower, np.nan), np.where(usable, upper, np.nan)


def byars_limits(x: NDArray, z: float) -> tuple[NDArray, NDArray]:
    """Byar's limits for checked counts; the lower limit is NaN where it would be negative."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    return np.where((lower >= 0) & (x > 0), lower, np.nan), upper


def poisson_limits(x: NDArray, confidence: float) -> tuple[NDArray, NDArray]:
    """Exact Poisson limits for checked counts, from chi-square quantiles.

    ``chi2.ppf(q, 2x) / 2`` is the regularised incomplete gamma inverse ``P^-1(x, q)``
    (scipy computes it so, as ``2 gammaincinv(df / 2, q)``): called directly, the same
    numbers without scipy.stats' per-call overhead. The inverse is costly and counts repeat
    (whole numbers of events), so it is worked out once for each distinct count.
    """
    tail = (1 - confidence) / 2
    counts, each = np.unique(np.ravel(x), return_inverse=True)
    with np.errstate(invalid="ignore"):
        lower = np.where(
            counts == 0, 0.0, special.gammaincinv(np.where(counts > 0, counts, np.nan), tail)
        )
        upper = special.gammaincinv(counts + 1, 1 - tail)
    shape = np.shape(x)
    return lower[each].reshape(shape), upper[each].reshape(shape)


def rate_limits(x: NDArray, denominator: NDArray, confidence: float) -> tuple[NDArray, NDArray]:
    """Limits of x / denominator: exact Poisson below `BYARS_FROM` events, Byar's from it.

    The exact limits are worked out only for the counts below `BYARS_FROM`.
    """
    lower, upper = (
        np.array(limit, dtype=float) for limit in byars_limits(x, critical_value(confidence))
    )
    small = x < BYARS_FROM
    if small.any():
        lower[small], upper[small] = poisson_limits(x[small], confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(denominator > 0, 1 / denominator, np.nan)
    return lower * scale, upper * scale


def checked_counts(numerators: ArrayLike, denominators: ArrayLike, proportion: bool):
    """Numerators and denominators as float arrays, impossible pairs set to NaN."""
    x, n = floats(numerators, denominators)
    invalid = (x < 0) | (n < 0)
    what = "negative count or denominator"
    if proportion:
        invalid |= x > n
        what += ", or numerator above denominator"
    discard_invalid(invalid, what, x, n)
    return x, n


def wilson_interval(successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95) -> Interval:
    """Wilson score interval for the proportion ``successes / trials``.

    Parameters
    ----------
    successes : array_like
        Numerators (need not be integers, as in PHEindicatormethods).
    trials : array_like
        Denominators; broadcast with *successes*.
    confidence : float, optional
        Two-sided confidence level between 0 and 1; 0.95 by default (0.998 for the outer
        funnel limits).

    Returns
    -------
    Interval
        ``(lower, upper)`` as proportions in [0, 1], with ``value`` the proportion itself.
        NaN where an input is missing or ``trials`` is 0; NaN and an
        `InvalidValueWarning` where a count is negative or ``successes > trials``.

    Notes
    -----
    With z = Phi^-1(0.5 + confidence / 2), x successes and n trials the limits are
    ``(2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))``: the proportions p for
    which ``|x/n - p| <= z sqrt(p(1 - p)/n)``. The interval never leaves [0, 1] and
    behaves at 0 and n successes, unlike the Wald interval.

    References
    ----------
    .. [1] Wilson, E. B. (1927) Probable inference, the law of succession, and statistical
       inference. Journal of the American Statistical Association 22, 209-212.
    .. [2] Newcombe, R. G. and Altman, D. G. (2000) Proportions and their differences. In
       Altman, D. G. et al. (eds) Statistics with confidence, 2nd edn. BMJ Books, 46-48.
    .. [3] Office for Health Improvement and Disparities, Fingertips technical guidance,
       "Confidence intervals"; PHEindicatormethods ``phe_proportion`` (R/Proportions.R).
    """
    z = critical_value(confidence)
    x, n = checked_counts(successes, trials, proportion=True)
    lower, upper = wilson_limits(x, n, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(n > 0, x / n, np.nan)
    return Interval(
        scalar(lower),
        scalar(upper),
        value=scalar(value),
        method="Wilson score",
        confidence=confidence,
    )


def byars_interval(count: ArrayLike, confidence: float = 0.95) -> Interval:
    """Confidence interval for a count of events by Byar's approximation.

    Parameters
    ----------
    count : array_like
        Observed numbers of events.
    confidence : float, optional
        Two-sided confidence level between 0 and 1; 0.95 by default.

    Returns
    -------
    Interval
        ``(lower, upper)`` counts, ``value`` the count. The lower limit is NaN where the
        approximation makes it negative (a count of 0, or 1 at 99.8%), as in
        PHEindicatormethods; NaN and an `InvalidValueWarning` for negative counts.

    Notes
    -----
    Byar's approximation to the exact Poisson limits, with z = Phi^-1(0.5 + confidence/2):
    ``lower = x (1 - 1/(9x) - z/(3 sqrt x))^3``,
    ``upper = (x + 1) (1 - 1/(9(x + 1)) + z/(3 sqrt(x + 1)))^3``.
    It is accurate from about 10 events; below that use `rate_interval`, which switches
    to exact limits.

    References
    ----------
    .. [1] Breslow, N. E. and Day, N. E. (1987) Statistical methods in cancer research,
       volume II: the design and analysis of cohort studies. IARC, Lyon, 69.
    .. [2] Office for Health Improvement and Disparities, Fingertips technical guidance,
       "Confidence intervals" (Byar's method).
    """
    z = critical_value(confidence)
    (x,) = floats(count)
    discard_invalid(x < 0, "negative count", x)
    lower, upper = byars_limits(x, z)
    return Interval(
        scalar(lower),
        scalar(upper),
        value=scalar(x),
        method="Byar's approximation",
        confidence=confidence,
    )


def rate_interval(
    count: ArrayLike, denominator: ArrayLike, confidence: float = 0.95, multiplier: float = 1
) -> Interval:
    """Confidence interval for the rate ``count / denominator * multiplier``.

    Parameters
    ----------
    count : array_like
        Observed numbers of events (for a standardised ratio, the observed deaths).
    denominator : array_like
        Populations or person-years (for a ratio, the expected events); broadcast with
        *count*.
    confidence : float, optional
        Two-sided confidence level between 0 and 1; 0.95 by default.
    multiplier : float, optional
        Scale of the rate, e.g. 100000 for a rate per 100,000; 1 by default.

    Returns
    -------
    Interval
        ``(lower, upper)`` rates in the units of ``multiplier``, ``value`` the rate. NaN
        where an input is missing or the denominator is 0; NaN and an
        `InvalidValueWarning` where a count or denominator is negative.

    Notes
    -----
    The PHE convention: below 10 events the exact Poisson limits
    ``chi2.ppf(a/2, 2x) / 2`` and ``chi2.ppf(1 - a/2, 2x + 2) / 2`` (a = 1 - confidence;
    lower 0 for no events); from 10 events Byar's approximation (`byars_interval`).
    Either is divided by the denominator and multiplied by *multiplier*.

    References
    ----------
    .. [1] Office for Health Improvement and Disparities, Fingertips technical guidance,
       "Confidence intervals"; PHEindicatormethods ``phe_rate`` (R/Rates.R).
    .. [2] Breslow, N. E. and Day, N. E. (1987) Statistical methods in cancer research,
       volume II. IARC, Lyon.
    """
    critical_value(confidence)
    x, n = checked_counts(count, denominator, proportion=False)
    lower, upper = rate_limits(x, n, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(n > 0, x / n, np.nan)
    return Interval(
        scalar(lower * multiplier),
        scalar(upper * multiplier),
        value=scalar(value * multiplier),
        method=f"exact Poisson below {BYARS_FROM} events, Byar's from {BYARS_FROM}",
        confidence=confidence,
    )


def mean_interval(
    values: ArrayLike,
    confidence: float = 0.95,
    *,
    axis: int = -1,
    nan_policy: NanPolicy = "omit",
) -> Interval:
    """Student's t confidence interval for the mean of *values* along *axis*.

    Parameters
    ----------
    values : array_like
        The values; a 2-D array gives one interval per row (with ``axis=-1``). Pad rows of
        unequal length with NaN.
    confidence : float, optional
        Two-sided confidence level between 0 and 1; 0.95 by default.
    axis : int, optional
        The axis along which the mean is taken; the last by default.
    nan_policy : {"omit", "propagate", "raise"}, optional
        Missing values are left out (the default), make the whole result NaN, or raise.

    Returns
    -------
    Interval
        ``(lower, upper)``, ``value`` the mean. NaN, with a `TooFewValuesWarning`, where
        fewer than 2 values are present.

    Notes
    -----
    ``mean -/+ t(n - 1) * s / sqrt(n)``, with s the sample standard deviation (n - 1 in
    the denominator) and t(n - 1) the 0.5 + confidence/2 quantile of Student's t with
    n - 1 degrees of freedom.

    References
    ----------
    .. [1] Student (1908) The probable error of a mean. Biometrika 6, 1-25.
    .. [2] Office for Health Improvement and Disparities, Fingertips technical guidance,
       "Confidence intervals" (means); PHEindicatormethods ``phe_mean`` (R/Means.R).
    """
    critical_value(confidence)
    (array,) = floats(values)
    blanked = np.squeeze(apply_nan_policy(array, nan_policy, axis), axis=axis)
    present = ~np.isnan(array)
    count = present.sum(axis=axis)
    filled = np.where(present, array, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = filled.sum(axis=axis) / count
        deviations = np.where(present, array - np.expand_dims(mean, axis), 0.0)
        sd = np.sqrt((deviations**2).sum(axis=axis) / (count - 1))
        half = stats.t.ppf(0.5 + confidence / 2, count - 1) * sd / np.sqrt(count)
    too_few = (count < 2) & ~blanked
    if too_few.any():
        warn(f"{int(too_few.sum())} mean(s) with fewer than 2 values are NaN", TooFewValuesWarning)
    enough = count >= 2
    return Interval(
        scalar(np.where(enough, mean - half, np.nan)),
        scalar(np.where(enough, mean + half, np.nan)),
        value=scalar(mean),
        method="Student's t",
        confidence=confidence,
    )
