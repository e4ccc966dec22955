"""Statistical neighbours: each authority's nearest others on its context figures."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bench.stats._checks import floats
from bench.stats.results import TooFewValuesWarning, warn

#: DESIGN.md's default size of a computed neighbour group.
DEFAULT_K = 15


def nearest_neighbours(
    context: ArrayLike, k: int = DEFAULT_K, weights: ArrayLike | None = None
) -> NDArray[np.int_]:
    """Indices of each authority's *k* nearest other authorities on standardised context.

    Parameters
    ----------
    context : array_like, 2-D
        One row per authority, one column per context figure (population, deprivation
        score, rurality ...); NaN where a figure is missing.
    k : int, optional
        How many neighbours; 15 by default (DESIGN.md).
    weights : array_like, optional
        One non-negative weight per column; equal weights by default.

    Returns
    -------
    numpy.ndarray of int, shape (authorities, k)
        Row i lists row indices of the others, nearest first; never i itself. -1 fills
        the end of a row when fewer than k others share a figure with it (with a
        `TooFewValuesWarning`).

    Notes
    -----
    Each column becomes z-scores, ``(x - mean) / sd`` over the authorities that have the
    figure (population sd, as ``scipy.stats.zscore``); a column with no spread carries no
    information and is left out. The distance between two authorities is the weighted
    Euclidean distance ``sqrt(sum_f w_f (z_if - z_jf)^2)`` over the figures both have,
    scaled up by ``sum of all weights / sum of the shared ones`` inside the root so that
    a missing figure neither shrinks nor grows the distance on average (as scikit-learn's
    ``nan_euclidean_distances``). Equal distances keep the lower index first, so the
    result never depends on anything but the figures and their order. This is the shape
    of CIPFA's nearest-neighbour model, not its published groups (import those). All
    pairs are compared at once, so memory grows with authorities^2 x figures: a few MB
    for the ~400 UK councils.

    References
    ----------
    .. [1] CIPFA (2019) Nearest neighbours model: technical guidance.
    .. [2] Dixon, J. K. (1979) Pattern recognition with partly missing data. IEEE
       Transactions on Systems, Man and Cybernetics 9, 617-621.
    """
    (figures,) = floats(context)
    if figures.ndim != 2:
        raise ValueError("context must be 2-D: one row per authority, one column per figure")
    if k < 1:
        raise ValueError("k must be at least 1")
    size, columns = figures.shape
    weight = np.ones(columns) if weights is None else np.asarray(weights, dtype=float)
    if weight.shape != (columns,) or not np.all(weight >= 0):
        raise ValueError(f"weights must be {columns} non-negative numbers, one per column")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: left out below
        spread = np.nanstd(figures, axis=0)
        scores = (figures - np.nanmean(figures, axis=0)) / np.where(spread > 0, spread, np.nan)
    weight = np.where(spread > 0, weight, 0.0)

    present = ~np.isnan(scores)
    gaps = np.nan_to_num(scores[:, None, :] - scores[None, :, :]) ** 2
    shared = (present[:, None, :] & present[None, :, :]) @ weight
    with np.errstate(divide="ignore", invalid="ignore"):
        squared = (gaps @ weight) * (weight.sum() / shared)
    squared[~(shared > 0)] = np.inf
    np.fill_diagonal(squared, np.inf)

    order = np.argsort(squared, axis=1, kind="stable")[:, :k]
    found = np.isfinite(np.take_along_axis(squared, order, axis=1))
    short = int(np.count_nonzero(~found.all(axis=1)))
    if short:
        warn(f"{short} authorities have fewer than {k} neighbours", TooFewValuesWarning)
    result = np.full((size, k), -1, dtype=int)
    result[:, : order.shape[1]] = np.where(found, order, -1)
    return result
