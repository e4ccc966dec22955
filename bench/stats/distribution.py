"""Distributions of values across authorities: quartiles, quantile bands, robust z-scores.

Pure numpy: no Flask, no database (import-linter holds this module to that).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bench.stats._checks import NanPolicy, apply_nan_policy, floats, scalar
from bench.stats.results import NoSpreadWarning, warn

#: Scales the median absolute deviation to the standard deviation of a normal distribution.
MAD_SCALE = 1.4826


class Quartiles(NamedTuple):
    """Lower quartile, median and upper quartile, with how many values made them."""

    lower: float
    median: float
    upper: float
    count: int


def quartiles(values: ArrayLike) -> Quartiles:
    """Quartiles of the non-missing *values* (NaN is ignored).

    Parameters
    ----------
    values : array_like
        The values; NaN marks a missing value.

    Returns
    -------
    Quartiles
        ``(lower, median, upper, count)``; all NaN with ``count == 0`` when nothing is left.

    Notes
    -----
    Uses linear interpolation between order statistics (Hyndman and Fan type 7, the
    default of R's ``quantile`` and of numpy), as spreadsheets' ``QUARTILE.INC`` does, so
    figures can be checked in Excel.

    References
    ----------
    .. [1] Hyndman, R. J. and Fan, Y. (1996) Sample quantiles in statistical packages.
       The American Statistician 50, 361-365.
    """
    array = np.asarray(values, dtype=float)
    present = array[~np.isnan(array)]
    if present.size == 0:
        return Quartiles(np.nan, np.nan, np.nan, 0)
    lower, median, upper = np.quantile(present, [0.25, 0.5, 0.75])
    return Quartiles(float(lower), float(median), float(upper), int(present.size))


def quantile_bands(values: ArrayLike, n: int, invert: bool = False) -> NDArray[np.int_]:
    """Assign each value a band from 1 to *n* by rank, the Fingertips way.

    Parameters
    ----------
    values : array_like
        One value per area; NaN marks a missing value.
    n : int
        The number of bands (4 for quartiles, 5 for quintiles, 10 for deciles).
    invert : bool, optional
        As ``invert`` in PHEindicatormethods' ``phe_quantile``: when True the highest
        values fall in band 1; when False (the default here) the lowest values do.

    Returns
    -------
    numpy.ndarray of int
        The band of each value; 0 where the value is missing, and 0 everywhere when fewer
        values than bands are present (``phe_quantile`` assigns none then either).

    Notes
    -----
    With ``N`` present values and ``rank`` the minimum rank among ties (1 = lowest after
    inversion), the band is ``floor((n + 1) - ceil(((N + 1) - rank) / (N / n)))``, raised
    to 1 where it comes out 0. Ties therefore always share a band.

    References
    ----------
    .. [1] Office for Health Improvement and Disparities, PHEindicatormethods,
       ``phe_quantile`` (R/Quantiles.R), and the OHID technical guide "Assigning
       deprivation categories".
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    array = np.asarray(values, dtype=float)
    bands = np.zeros(array.shape, dtype=int)
    present = ~np.isnan(array)
    count = int(present.sum())
    if count < n or count == 0:
        return bands
    adjusted = array[present]
    if invert:
        adjusted = adjusted.max() - adjusted
    # Minimum rank among ties: 1 + the number of values strictly below.
    ordered = np.sort(adjusted)
    rank = np.searchsorted(ordered, adjusted, side="left") + 1
    band = np.floor((n + 1) - np.ceil(((count + 1) - rank) / (count / n))).astype(int)
    band[band == 0] = 1
    bands[present] = band
    return bands


def robust_z(values: ArrayLike, *, axis: int = -1, nan_policy: NanPolicy = "omit") -> NDArray:
    """Robust z-score of each value: ``(value - median) / (1.4826 x MAD)``.

    Parameters
    ----------
    values : array_like
        One value per area; a 2-D array is scored row by row (with ``axis=-1``).
    axis : int, optional
        The axis holding one group's values; the last by default.
    nan_policy : {"omit", "propagate", "raise"}, optional
        Missing values are left out of the median and MAD (the default), blank their
        whole group, or raise.

    Returns
    -------
    numpy.ndarray
        The scores, shaped as *values*; NaN where the value is missing, and for the whole
        group (with a `NoSpreadWarning`) where the MAD is 0, as when more than half the
        values are equal.

    Notes
    -----
    MAD = median(|value - median|). Scaled by 1.4826 (1 / Phi^-1(0.75)) it estimates the
    standard deviation of normally distributed values, so the score reads like an
    ordinary z-score while one extreme authority cannot mask another. DESIGN.md calls
    ``|z| <= 2`` the norm and ``|z| > 3`` an exception (see `classify`).

    References
    ----------
    .. [1] Iglewicz, B. and Hoaglin, D. C. (1993) How to detect and handle outliers. ASQC
       Quality Press.
    .. [2] Leys, C. et al. (2013) Detecting outliers: do not use standard deviation around
       the mean, use absolute deviation around the median. Journal of Experimental Social
       Psychology 49, 764-766.
    """
    (array,) = floats(values)
    blanked = apply_nan_policy(array, nan_policy, axis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN groups: NaN is right
        median = np.nanmedian(array, axis=axis, keepdims=True)
        mad = np.nanmedian(np.abs(array - median), axis=axis, keepdims=True)
    flat = (mad == 0) & ~blanked
    if flat.any():
        warn(f"{int(flat.sum())} group(s) with no spread (MAD 0) have NaN scores", NoSpreadWarning)
    with np.errstate(divide="ignore", invalid="ignore"):
        return scalar(np.where(mad > 0, (array - median) / (MAD_SCALE * mad), np.nan))
