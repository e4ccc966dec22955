"""The yardstick for the engine: a whole-network numpy classification doing the same work.

PERFORMANCE.md sets the engine's goal against "numpy over the whole network at once",
measured in the same run. This module is that baseline, written for the benchmarks (the
product never imports it). For one period and one peer-group kind it gives every
authority a code on every indicator, as bench's rules do:

- count indicators: the authority's own interval at 95% and 99.8% (Wilson for
  proportions; exact Poisson below 10 events, Byar's from 10, for rates) against the
  group's pooled value, sum of numerators over sum of denominators;
- value-only indicators: the robust z, (x - median) / (1.4826 MAD), over the group, |z| <= 2
  the norm, <= 3 a possible exception, beyond an exception (a group with no spread: the
  norm);
- polarity applied: codes -2..2 from exception worse to exception better ("neither" keeps
  above as better); 8 no figure of its own, 9 fewer than k peers (the authority itself
  not counted) with a figure.

How: each kind becomes an index matrix (one row per group for partitions, which split
the network; one row per authority, itself then its neighbours, for lists), padded with
an index that gathers a blank; one gather per array, a sort-based NaN median along the
members, scipy.special for the exact Poisson quantiles. No loop over authorities or
indicators.

It does less than the engine, by design: no over-dispersion (the engine widens an
over-dispersed group's funnel), no quartiles, no robust z for count indicators, no cells
left out of group figures (``Network.excluded``). Codes therefore agree with the engine's
everywhere except where the engine widened a funnel (`compare.run_engine` counts both).

`trends` is the same yardstick for the trend statistics: Theil-Sen slope and the
Mann-Kendall p-value (normal approximation with the tie correction) of every series.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from bench.compare import engine

MAD_SCALE = 1.4826
Z_95, Z_998 = 1.959964, 3.090232  # two-sided 95% and 99.8%
NO_VALUE, TOO_FEW = 8, 9


def group_matrix(groups: engine.Partition | engine.Lists, authorities: int):
    """(index, row_of): each comparison group as a row of authority indexes padded with
    *authorities* (a blank row), and the row of each authority's group."""
    if isinstance(groups, engine.Lists):
        members = np.where(groups.members >= 0, groups.members, authorities)
        return np.column_stack([np.arange(authorities), members]), np.arange(authorities)
    labels = np.where(groups.labels >= 0, groups.labels, groups.labels.max() + 1)
    _, row_of = np.unique(labels, return_inverse=True)
    sizes = np.bincount(row_of)
    order = np.argsort(row_of, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    index = np.full((len(sizes), sizes.max()), authorities)
    index[row_of[order], np.arange(authorities) - starts[row_of[order]]] = order
    return index, row_of


def _gathered(array: np.ndarray, index: np.ndarray) -> np.ndarray:
    """(A, C) -> (groups, members, C), NaN for padding."""
    return np.concatenate([array, np.full((1, array.shape[1]), np.nan)])[index]


def _nanmedian(x: np.ndarray, axis: int) -> np.ndarray:
    """Median ignoring NaN along *axis*, by one sort."""
    ordered = np.sort(x, axis=axis)
    n = (~np.isnan(x)).sum(axis=axis, keepdims=True)
    low = np.take_along_axis(ordered, np.maximum(n - 1, 0) // 2, axis)
    high = np.take_along_axis(ordered, np.minimum(n // 2, x.shape[axis] - 1), axis)
    return ((low + high) / 2).squeeze(axis)


def _wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    root = z * np.sqrt(z * z + 4 * x * (1 - x / n))
    scale = 2 * (n + z * z)
    return (2 * x + z * z - root) / scale, (2 * x + z * z + root) / scale


def _poisson(x: np.ndarray, z: float, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Limits of a count: exact Poisson below 10 events, Byar's from 10."""
    lower, upper = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    small, big = x < 10, x >= 10
    xs, xb = x[small], x[big]
    lower[small] = np.where(xs > 0, special.gammaincinv(np.where(xs > 0, xs, 1), alpha / 2), 0)
    upper[small] = special.gammaincinv(xs + 1, 1 - alpha / 2)
    a = 1 - 1 / (9 * xb) - z / (3 * np.sqrt(xb))
    lower[big] = xb * (a * a * a)
    b = 1 - 1 / (9 * (xb + 1)) + z / (3 * np.sqrt(xb + 1))
    upper[big] = (xb + 1) * (b * b * b)
    return lower, upper


def classify(
    network: engine.Network, groups: engine.Partition | engine.Lists, polarity, k: int
) -> np.ndarray:
    """Codes (A, I) of every authority on every indicator against its group; *polarity*
    (I,) is +1 higher is better, -1 lower is better, 0 neither."""
    authorities = network.value.shape[0]
    index, row_of = group_matrix(groups, authorities)
    counted = np.flatnonzero(network.counts)
    valued = np.flatnonzero(~network.counts)
    proportion = ~network.rate[counted]
    sign = np.where(polarity == 0, 1, polarity)
    codes = np.empty(network.value.shape, np.int8)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = network.value
        present = ~np.isnan(own)
        peers = (~np.isnan(_gathered(own, index))).sum(axis=1)[row_of] - present

        x, n = network.numerator[:, counted], network.denominator[:, counted]
        numerators, denominators = _gathered(x, index), _gathered(n, index)
        both = ~np.isnan(numerators) & ~np.isnan(denominators)
        pooled = (
            np.where(both, numerators, 0).sum(axis=1) / np.where(both, denominators, 0).sum(axis=1)
        )[row_of]
        limits = np.full((4, *x.shape), np.nan)
        xp, np_ = x[:, proportion], n[:, proportion]
        limits[0][:, proportion], limits[1][:, proportion] = _wilson(xp, np_, Z_95)
        limits[2][:, proportion], limits[3][:, proportion] = _wilson(xp, np_, Z_998)
        xr, nr = x[:, ~proportion], n[:, ~proportion]
        for level, (z, alpha) in enumerate(((Z_95, 0.05), (Z_998, 0.002))):
            low, high = _poisson(xr, z, alpha)
            limits[2 * level][:, ~proportion] = low / nr
            limits[2 * level + 1][:, ~proportion] = high / nr
        lower95, upper95, lower998, upper998 = limits
        level = np.select(
            [pooled < lower998, pooled < lower95, pooled > upper998, pooled > upper95],
            [2, 1, -2, -1],
            0,
        )
        codes[:, counted] = level * sign[counted]

        values = own[:, valued]
        block = _gathered(values, index)
        median = _nanmedian(block, 1)
        mad = _nanmedian(np.abs(block - median[:, None, :]), 1)[row_of]
        z = np.where(mad > 0, (values - median[row_of]) / (MAD_SCALE * mad), 0)
        size = np.abs(z)
        level = np.where(size <= 2, 0, np.where(size <= 3, 1, 2)) * np.sign(z)
        codes[:, valued] = level * sign[valued]
    codes[peers < k] = TOO_FEW
    codes[~present] = NO_VALUE
    return codes


def trends(times: np.ndarray, cube: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Theil-Sen slope and Mann-Kendall p-value of every series of *cube* (P, A, I)."""
    periods = cube.shape[0]
    series = np.moveaxis(cube, 0, -1).reshape(-1, periods)
    later, earlier = np.triu_indices(periods, 1)[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        change = series[:, later] - series[:, earlier]
        slope = _nanmedian(change / (times[later] - times[earlier]), 1)
        statistic = (change > 0).sum(axis=1) - (change < 0).sum(axis=1)
        count = (~np.isnan(series)).sum(axis=1)
        tie = (series[:, :, None] == series[:, None, :]).sum(axis=-1)  # 0 where missing
        ties = np.where(tie > 0, (tie - 1) * (2 * tie + 5), 0).sum(axis=1)
        variance = (count * (count - 1) * (2 * count + 5) - ties) / 18
        p_value = np.where(
            variance > 0, 2 * special.ndtr(-np.abs(statistic) / np.sqrt(variance)), np.nan
        )
    return slope.reshape(cube.shape[1:]), p_value.reshape(cube.shape[1:])
