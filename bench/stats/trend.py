"""Trends over periods: Theil-Sen slope and the Mann-Kendall test, for many series at once."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from bench.stats._checks import NanPolicy, apply_nan_policy, floats, scalar
from bench.stats.results import TooFewValuesWarning, Trend, warn


def _middle(ordered: NDArray, count: NDArray) -> NDArray:
    """Median of each column of *ordered* (sorted, NaN last) whose first *count* are present."""
    low = np.maximum((count - 1) // 2, 0)[None, :]
    high = np.minimum(count // 2, ordered.shape[0] - 1)[None, :]
    middle = (np.take_along_axis(ordered, low, 0) + np.take_along_axis(ordered, high, 0)) / 2
    return np.where(count > 0, middle[0], np.nan)


def trend(periods: ArrayLike, values: ArrayLike, *, nan_policy: NanPolicy = "omit") -> Trend:
    """Theil-Sen slope and Mann-Kendall p-value of every series, computed together.

    Parameters
    ----------
    periods : array_like, 1-D
        The time of each column, as numbers (e.g. 0, 1, 2 ... or the first year of each
        financial year); distinct, in any order.
    values : array_like
        One series per row, one column per period (a 1-D array is a single series). NaN
        marks a gap.
    nan_policy : {"omit", "propagate", "raise"}, optional
        Gaps are left out (the default), blank their whole series, or raise.

    Returns
    -------
    Trend
        Unpacks as ``(slope, p_value)``, one per series (scalars for a single series),
        with ``tau``, ``intercept`` and ``count`` attributes. NaN, with a
        `TooFewValuesWarning`, for series with fewer than 2 values; the p-value and tau
        are NaN where every value of a series is equal.

    Notes
    -----
    Over the pairs of periods i < j where both values are present (broadcast over all
    series at once; no loop over series):

    - slope: the median of (v_j - v_i) / (t_j - t_i), the Theil-Sen estimator; the
      intercept is median(v) - slope x median(t), as scipy's ``theilslopes`` (method
      "separate").
    - S = sum of sign(v_j - v_i) x sign(t_j - t_i), Mann-Kendall's statistic, with
      variance ``(n(n - 1)(2n + 5) - sum_g g(g - 1)(2g + 5)) / 18`` over the groups of g
      tied values; ``p = 2 (1 - Phi(|S| / sqrt(var)))``, with no continuity correction,
      as scipy's ``kendalltau(method="asymptotic")``. tau is Kendall's tau-b. The normal
      approximation is rough below about 10 periods: read the p-value as a guide.

    References
    ----------
    .. [1] Theil, H. (1950) A rank-invariant method of linear and polynomial regression
       analysis. Proceedings of the Royal Netherlands Academy of Sciences 53, 386-392.
    .. [2] Sen, P. K. (1968) Estimates of the regression coefficient based on Kendall's
       tau. Journal of the American Statistical Association 63, 1379-1389.
    .. [3] Mann, H. B. (1945) Nonparametric tests against trend. Econometrica 13, 245-259.
    .. [4] Kendall, M. G. (1975) Rank correlation methods, 4th edn. Charles Griffin.
    """
    (times,) = floats(periods)
    if times.ndim != 1 or not np.all(np.isfinite(times)) or len(np.unique(times)) != times.size:
        raise ValueError("periods must be a 1-D array of distinct, finite numbers")
    if times.size < 2:
        raise ValueError("a trend needs at least 2 periods")
    (array,) = floats(values)
    if array.shape[-1:] != times.shape:
        raise ValueError(f"values need one column per period ({times.size})")
    shape, size = array.shape[:-1], times.size
    blanked = apply_nan_policy(array, nan_policy, -1).reshape(-1)
    order = np.argsort(times)
    times = times[order]
    # Periods down the rows and series across, so each pair of periods is two whole rows.
    series = np.ascontiguousarray(array.reshape(-1, size)[:, order].T)
    present = ~np.isnan(series)
    count = present.sum(axis=0)
    pairs = count * (count - 1) // 2

    # Every pair of periods (earlier, later), one lag at a time: a loop over lags, not over
    # series. Along the way, Mann-Kendall's S (a pair with a gap counts neither up nor
    # down) and each value's tie group (itself and the values equal to it).
    slopes = np.empty((size * (size - 1) // 2, series.shape[1]))
    statistic = np.zeros(series.shape[1], dtype=np.int64)
    group = np.ones(series.shape, dtype=np.int32)
    row = 0
    for lag in range(1, size):
        block = slopes[row : row + size - lag]
        np.subtract(series[lag:], series[:-lag], out=block)
        statistic += ((block > 0).view(np.int8) - (block < 0).view(np.int8)).sum(
            axis=0, dtype=np.int32
        )
        tied = (block == 0).view(np.int8)
        group[:-lag] += tied
        group[lag:] += tied
        block /= (times[lag:] - times[:-lag])[:, None]
        row += size - lag

    tied_pairs = np.where(present, group - 1, 0).sum(axis=0) / 2
    ties = np.where(present, (group - 1) * (2 * group + 5), 0).sum(axis=0)
    variance = (count * (count - 1) * (2 * count + 5) - ties) / 18

    slopes.sort(axis=0)  # NaN last
    slope = _middle(slopes, pairs)
    series.sort(axis=0)
    # The present periods are in order already: the median's rank(s) among them.
    rank = np.cumsum(present, axis=0)
    median_time = (
        times[np.argmax(rank > (count - 1) // 2, axis=0)]
        + times[np.argmax(rank > count // 2, axis=0)]
    ) / 2
    intercept = _middle(series, count) - slope * median_time
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = np.where(
            variance > 0, 2 * special.ndtr(-np.abs(statistic) / np.sqrt(variance)), np.nan
        )
        tau = np.where(variance > 0, statistic / np.sqrt(pairs * (pairs - tied_pairs)), np.nan)

    too_few = (count < 2) & ~blanked
    if too_few.any():
        warn(
            f"{int(too_few.sum())} series with fewer than 2 values have no trend",
            TooFewValuesWarning,
        )

    def shaped(result: NDArray):
        return scalar(result.reshape(shape))

    return Trend(
        shaped(slope),
        shaped(p_value),
        tau=shaped(tau),
        intercept=shaped(intercept),
        count=shaped(count),
    )
