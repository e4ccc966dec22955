"""Over-dispersion in funnel plots: when areas differ by more than chance (Spiegelhalter 2005).

With large denominators almost every area falls outside plain funnel limits, because
real areas differ in ways the chance model ignores. Spiegelhalter's remedy: estimate
the excess from the areas' z-scores, after pulling in the most extreme (winsorising,
so the outliers being looked for do not hide themselves), and widen the limits by it:
multiplicatively (phi) or by an additive between-area variance (tau^2).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bench.stats._checks import critical_value, floats, scalar
from bench.stats.funnels import KINDS, Kind, proportion_funnel, rate_funnel, ratio_funnel
from bench.stats.intervals import checked_counts
from bench.stats.results import Dispersion, FunnelLimits, TooFewValuesWarning, warn

#: Below this many areas over-dispersion cannot be judged with any confidence.
FEWEST_AREAS = 10
#: Spiegelhalter's winsorising: the lowest and highest 10% are pulled in.
WINSORISE = 0.1


def _transformed(kind: Kind, target: float) -> tuple:
    """The variance-stabilising scale of *kind*: (transform, back-transform, its top)."""
    if kind == "proportion":
        if not 0 <= target <= 1:
            raise ValueError("a proportion's target must be between 0 and 1")
        return (lambda p: np.arcsin(np.sqrt(p))), (lambda y: np.sin(y) ** 2), np.pi / 2
    if not target > 0:
        raise ValueError("a rate's or ratio's target must be positive")
    return np.sqrt, np.square, np.inf


def z_scores(
    kind: Kind, numerators: ArrayLike, denominators: ArrayLike, target: float
) -> NDArray[np.float64]:
    """Each area's z-score against *target* on the variance-stabilising scale.

    ``(g(y) - g(target)) / s`` with, for a proportion y = numerator / denominator,
    g = arcsin(sqrt(.)) and s = 1 / (2 sqrt(n)); for a rate (numerator / denominator,
    target in the same units) or a ratio (observed / expected, target usually 1),
    g = sqrt and s = 1 / (2 sqrt(denominator)) (Spiegelhalter 2005, Table I). NaN where a
    figure is missing or a denominator is not positive.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    x, n = checked_counts(numerators, denominators, proportion=kind == "proportion")
    return scalar(_scores(kind, x, n, target))


def _scores(kind: Kind, x: NDArray, n: NDArray, target: float) -> NDArray:
    forward, _, _ = _transformed(kind, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where(n > 0, n, np.nan)
        return (forward(x / n) - forward(target)) * 2 * np.sqrt(n)


def dispersion(
    kind: Kind,
    numerators: ArrayLike,
    denominators: ArrayLike,
    target: float,
    *,
    winsorise: float = WINSORISE,
) -> Dispersion:
    """Estimate a group's over-dispersion from its winsorised z-scores.

    Parameters
    ----------
    kind : {"proportion", "rate", "ratio"}
        As in `compare_to_benchmark`.
    numerators, denominators : array_like
        One figure per area; areas with a missing figure are left out.
    target : float
        The funnel's centre (pooled value or benchmark), in the figures' units.
    winsorise : float, optional
        Share pulled in at each end; 0.1 (Spiegelhalter's 10%) by default.

    Returns
    -------
    Dispersion
        ``phi``, ``tau2``, ``threshold``, ``count`` and ``overdispersed``; NaN figures
        with fewer than 2 areas. A `TooFewValuesWarning` below 10 areas.

    Notes
    -----
    With I areas' z-scores (`z_scores`) winsorised at the ``winsorise`` and
    ``1 - winsorise`` quantiles (linear interpolation), ``phi = sum(z_w^2) / I``. Under
    chance alone I x phi is roughly chi-square on I degrees of freedom, so the group
    counts as over-dispersed when phi exceeds ``1 + 2 sqrt(2 / I)`` (two standard
    deviations). The additive between-area variance is DerSimonian and Laird's,
    ``tau2 = max(0, (I phi - (I - 1)) / (sum w - sum w^2 / sum w))`` with w = 1 / s^2.

    References
    ----------
    .. [1] Spiegelhalter, D. J. (2005) Funnel plots for comparing institutional
       performance. Statistics in Medicine 24, 1185-1202 (sections 6 and 7).
    .. [2] Spiegelhalter, D. J. (2005) Handling over-dispersion of performance indicators.
       Quality and Safety in Health Care 14, 347-351.
    .. [3] DerSimonian, R. and Laird, N. (1986) Meta-analysis in clinical trials.
       Controlled Clinical Trials 7, 177-188.
    """
    if not 0 <= winsorise < 0.5:
        raise ValueError("winsorise must be at least 0 and below 0.5")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    x, n = checked_counts(numerators, denominators, proportion=kind == "proportion")
    scores = _scores(kind, x, n, target)
    usable = ~np.isnan(scores)
    scores, weights = scores[usable], 4 * n[usable]  # w = 1 / s^2
    count = int(scores.size)
    if count < FEWEST_AREAS:
        warn(f"only {count} areas: over-dispersion cannot be judged reliably", TooFewValuesWarning)
    if count < 2:
        return Dispersion(np.nan, np.nan, np.nan, count, False)
    low, high = np.quantile(scores, [winsorise, 1 - winsorise])
    phi = float(np.mean(np.clip(scores, low, high) ** 2))
    threshold = 1 + 2 * np.sqrt(2 / count)
    spread = weights.sum() - (weights**2).sum() / weights.sum()
    tau2 = max(0.0, (count * phi - (count - 1)) / spread) if spread > 0 else 0.0
    return Dispersion(phi, tau2, float(threshold), count, bool(phi > threshold))


def adjusted_funnel(
    kind: Kind,
    numerators: ArrayLike,
    denominators: ArrayLike,
    target: float,
    confidence: float = 0.95,
    *,
    method: Literal["multiplicative", "additive"] = "multiplicative",
    at: ArrayLike | None = None,
    winsorise: float = WINSORISE,
) -> FunnelLimits:
    """Funnel limits, widened for over-dispersion when the group is over-dispersed.

    Parameters
    ----------
    kind : {"proportion", "rate", "ratio"}
        As in `compare_to_benchmark`; a rate's target and limits are in the units of
        numerator / denominator (multiply them by the indicator's multiplier to show).
    numerators, denominators : array_like
        The group's figures, one per area, from which `dispersion` is estimated.
    target : float
        The funnel's centre: the group's `pooled_value` or a benchmark.
    confidence : float, optional
        Two-sided level between 0 and 1; 0.95 by default.
    method : {"multiplicative", "additive"}, optional
        The adjustment to use if one is needed.
    at : array_like, optional
        Denominators (expected counts for a ratio) at which to give the limits; the
        areas' own by default.
    winsorise : float, optional
        As in `dispersion`.

    Returns
    -------
    FunnelLimits
        ``(lower, upper)`` at each of *at*, with ``adjustment`` (``"none"`` or *method*)
        and the ``dispersion`` estimate that chose it.

    Notes
    -----
    Not over-dispersed: the plain limits (`proportion_funnel`, `rate_funnel`,
    `ratio_funnel`). Over-dispersed, on the scale of `z_scores`, with s = 1 / (2 sqrt(n))
    and z = Phi^-1(0.5 + confidence/2): multiplicative ``g(target) -/+ z sqrt(phi) s``;
    additive ``g(target) -/+ z sqrt(s^2 + tau2)``; then transformed back (clipped to the
    scale's range, so a proportion stays in [0, 1] and a rate non-negative).

    References
    ----------
    .. [1] Spiegelhalter, D. J. (2005) Funnel plots for comparing institutional
       performance. Statistics in Medicine 24, 1185-1202.
    """
    if method not in ("multiplicative", "additive"):
        raise ValueError(f"method must be 'multiplicative' or 'additive', not {method!r}")
    z = critical_value(confidence)
    estimate = dispersion(kind, numerators, denominators, target, winsorise=winsorise)
    (where,) = floats(denominators if at is None else at)
    if not estimate.overdispersed:
        if kind == "proportion":
            plain = proportion_funnel(target, where, confidence)
        elif kind == "rate":
            plain = rate_funnel(target, where, confidence)
        else:
            plain = ratio_funnel(where, confidence, benchmark=target)
        lower, upper, method_used, adjustment = plain.lower, plain.upper, plain.method, "none"
    else:
        forward, backward, bound = _transformed(kind, target)
        with np.errstate(divide="ignore", invalid="ignore"):
            variance = 1 / (4 * np.where(where > 0, where, np.nan))
        if method == "multiplicative":
            half = z * np.sqrt(estimate.phi * variance)
        else:
            half = z * np.sqrt(variance + estimate.tau2)
        centre = forward(target)
        lower = scalar(backward(np.clip(centre - half, 0, bound)))
        upper = scalar(backward(np.clip(centre + half, 0, bound)))
        method_used, adjustment = f"{method} over-dispersion (Spiegelhalter 2005)", method
    return FunnelLimits(
        lower,
        upper,
        value=target,
        method=method_used,
        confidence=confidence,
        adjustment=adjustment,
        dispersion=estimate,
    )
