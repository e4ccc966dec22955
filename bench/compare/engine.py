"""The comparison engine: classify every authority on every indicator at once.

Pure numpy over whole arrays (the statistics come from :mod:`bench.stats`); no Flask, no
database. The service loads a period into a :class:`Network`, describes each peer-group
kind as a :class:`Partition` (same type, same region, all: groups that split the network)
or :class:`Lists` (each authority its own list: nearest neighbours), and caches the
:class:`KindResult` per data version.

Group statistics (pooled target, median, quartiles, spread) are over the whole group, the
authority itself included, as the England value includes every area; the anonymity
threshold counts peers only (DESIGN.md, Anonymity 3). Cells marked in
``Network.excluded`` (peers' small counts, shown as "<5") are left out of every group
statistic, so no pooled value, median or quartile gives such a count back (Anonymity 10),
and do not count as peers; each authority is still judged on its own exact figure.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from bench import stats

# Levels of a classification (DESIGN.md, "Statistics").
NO_FIGURE = -2  # the authority has no figure
TOO_FEW_PEERS = -1  # fewer than k peers contribute
NORM = 0  # within the 95% limits, or |robust z| <= 2
POSSIBLE = 1  # between the 95% and 99.8% limits, or 2 < |robust z| <= 3
EXCEPTION = 2  # beyond the 99.8% limits, or |robust z| > 3

METHOD_FUNNEL = 1
METHOD_ROBUST = 2
METHOD_FUNNEL_ADJUSTED = 3  # funnel widened for over-dispersion

WINSORISE = 0.1  # Spiegelhalter's 10% at each end
FEWEST_AREAS = 10  # below this many, over-dispersion cannot be judged
Z_95, Z_998 = 1.959964, 3.090232


@dataclass(frozen=True)
class Network:
    """One period's figures for every authority (rows) and indicator (columns)."""

    authority_ids: np.ndarray  # (A,)
    indicator_ids: np.ndarray  # (I,)
    counts: np.ndarray  # (I,) bool: published as numerator and denominator
    rate: np.ndarray  # (I,) bool: a rate (Poisson), else a proportion (binomial)
    multiplier: np.ndarray  # (I,)
    value: np.ndarray  # (A, I) NaN where missing
    numerator: np.ndarray  # (A, I)
    denominator: np.ndarray  # (A, I)
    # (A, I) bool, optional: cells left out of every group summary (counts shown as "<5");
    # the authority itself is still classified on its own figure.
    excluded: np.ndarray | None = None

    def summarised(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Value, numerator and denominator as group summaries read them: NaN where
        excluded."""
        out = self.excluded
        if out is None:
            return self.value, self.numerator, self.denominator
        return (
            np.where(out, np.nan, self.value),
            np.where(out, np.nan, self.numerator),
            np.where(out, np.nan, self.denominator),
        )


@dataclass(frozen=True)
class Partition:
    """Groups that split the network: ``labels[a]`` names authority a's group (-1: none)."""

    labels: np.ndarray  # (A,) int


@dataclass(frozen=True)
class Lists:
    """Each authority's own peers: ``members[a]`` indexes them, padded with -1."""

    members: np.ndarray  # (A, M) int


@dataclass(frozen=True)
class KindResult:
    """Every authority's standing on every indicator against one kind of peer group."""

    peers: np.ndarray  # (A, I) peers (the authority not counted) with a figure
    target: np.ndarray  # (A, I) pooled value of the group (counts), in value units
    median: np.ndarray  # (A, I)
    lower_quartile: np.ndarray  # (A, I)
    upper_quartile: np.ndarray  # (A, I)
    z: np.ndarray  # (A, I) robust z of the authority's value within its group
    significance: np.ndarray  # (A, I) -2..+2 against the pooled target (counts only)
    level: np.ndarray  # (A, I) NO_FIGURE, TOO_FEW_PEERS, NORM, POSSIBLE, EXCEPTION
    direction: np.ndarray  # (A, I) +1 above the group, -1 below, 0 level
    method: np.ndarray  # (A, I) METHOD_FUNNEL, METHOD_FUNNEL_ADJUSTED or METHOD_ROBUST
    phi: np.ndarray  # (A, I) the group's over-dispersion factor (counts), NaN where unjudged
    tau2: np.ndarray  # (A, I) between-area variance where the funnel was widened
    adjustment: str = "multiplicative"


def _quantile_of_sorted(ordered: np.ndarray, count: np.ndarray, q: float, axis: int) -> np.ndarray:
    """The q-quantile (type 7) of each slice of *ordered* (sorted, NaN last)."""
    position = q * (count - 1)
    low = np.clip(np.floor(position).astype(int), 0, None)
    high = np.clip(low + 1, None, np.maximum(count - 1, 0))
    fraction = position - low
    lower_value = np.take_along_axis(ordered, np.expand_dims(low, axis), axis).squeeze(axis)
    upper_value = np.take_along_axis(ordered, np.expand_dims(high, axis), axis).squeeze(axis)
    return np.where(count > 0, lower_value + fraction * (upper_value - lower_value), np.nan)


def _quartiles_and_mad(block: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Quartiles (type 7, as numpy and Excel) and the MAD along *axis*, NaN-aware.

    One sort instead of np.nanquantile's per-slice work: NaN sorts last, so each slice's
    n present values are its first n, and the quantile is read off by position.
    """
    ordered = np.sort(block, axis=axis)
    count = (~np.isnan(block)).sum(axis=axis)
    quartiles = np.stack([_quantile_of_sorted(ordered, count, q, axis) for q in (0.25, 0.5, 0.75)])
    deviations = np.sort(np.abs(block - np.expand_dims(quartiles[1], axis)), axis=axis)
    return quartiles, _quantile_of_sorted(deviations, count, 0.5, axis)


def _phi(z: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Spiegelhalter's over-dispersion factor of each slice of z-scores: the mean square
    after winsorising at the 10th and 90th percentiles; and how many areas made it."""
    ordered = np.sort(z, axis=axis)
    count = (~np.isnan(z)).sum(axis=axis)
    low = np.expand_dims(_quantile_of_sorted(ordered, count, WINSORISE, axis), axis)
    high = np.expand_dims(_quantile_of_sorted(ordered, count, 1 - WINSORISE, axis), axis)
    clipped = np.clip(z, low, high)
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.nansum(clipped**2, axis=axis) / count
    return np.where(count > 0, phi, np.nan), count


def _stabilised(y: np.ndarray, target: np.ndarray, n: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """z-scores on the variance-stabilising scale (Spiegelhalter 2005, Table I): arcsine
    square root for proportions, square root for rates; s = 1 / (2 sqrt(n))."""
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(rate, np.sqrt(np.clip(y, 0, None)), np.arcsin(np.sqrt(np.clip(y, 0, 1))))
        centre = np.where(
            rate, np.sqrt(np.clip(target, 0, None)), np.arcsin(np.sqrt(np.clip(target, 0, 1)))
        )
        return (scale - centre) * 2 * np.sqrt(n)


def _group_summaries(network: Network, groups: Partition | Lists) -> dict[str, np.ndarray]:
    """Sums, counts and order statistics of each authority's group, shape (A, I) each."""
    value, num, den = network.summarised()
    present = ~np.isnan(value)
    if isinstance(groups, Partition):
        labels = groups.labels
        out = {name: np.full(value.shape, np.nan) for name in ("q1", "q2", "q3", "mad", "phi")}
        out.update(
            {
                "count": np.zeros(value.shape),
                "num": np.zeros(value.shape),
                "den": np.zeros(value.shape),
                "areas": np.zeros(value.shape),
                "den2": np.zeros(value.shape),
            }
        )
        for label in np.unique(labels[labels >= 0]):
            rows = labels == label
            block = value[rows]
            summary = {"count": present[rows].sum(axis=0)}
            counted = ~np.isnan(num[rows]) & ~np.isnan(den[rows])
            summary["num"] = np.where(counted, num[rows], 0).sum(axis=0)
            summary["den"] = np.where(counted, den[rows], 0).sum(axis=0)
            summary["den2"] = np.where(counted, den[rows] ** 2, 0).sum(axis=0)
            q, mad = _quartiles_and_mad(block, axis=0)
            summary.update(q1=q[0], q2=q[1], q3=q[2], mad=mad)
            with np.errstate(invalid="ignore", divide="ignore"):
                target = summary["num"] / summary["den"]
                rows_num = np.where(counted, num[rows], np.nan)
                rows_den = np.where(counted, den[rows], np.nan)
                z = _stabilised(rows_num / rows_den, target, rows_den, network.rate)
            summary["phi"], summary["areas"] = _phi(z, axis=0)
            for name, column in summary.items():
                out[name][rows] = column
        return out
    # Lists: gather each authority's group (itself first, then its peers).
    members = np.concatenate([np.arange(value.shape[0])[:, None], groups.members], axis=1)
    valid = members >= 0
    safe = np.where(valid, members, 0)
    gathered = np.where(valid[:, :, None], value[safe], np.nan)  # (A, M+1, I)
    g_num = np.where(valid[:, :, None], num[safe], np.nan)
    g_den = np.where(valid[:, :, None], den[safe], np.nan)
    counted = ~np.isnan(g_num) & ~np.isnan(g_den)
    q, mad = _quartiles_and_mad(gathered, axis=1)
    sum_num = np.where(counted, g_num, 0).sum(axis=1)
    sum_den = np.where(counted, g_den, 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        target = (sum_num / sum_den)[:, None, :]
        z = _stabilised(g_num / g_den, target, g_den, network.rate[None, None, :])
    phi, areas = _phi(np.where(counted, z, np.nan), axis=1)
    return {
        "phi": phi,
        "areas": areas,
        "den2": np.where(counted, g_den**2, 0).sum(axis=1),
        "count": (~np.isnan(gathered)).sum(axis=1).astype(float),
        "num": sum_num,
        "den": sum_den,
        "q1": q[0],
        "q2": q[1],
        "q3": q[2],
        "mad": mad,
    }


ADJUSTMENTS = ("multiplicative", "additive")


def classify(
    network: Network, groups: Partition | Lists, k: int, adjustment: str = "multiplicative"
) -> KindResult:
    """Classify every authority on every indicator against its group of one kind.

    *adjustment* says how an over-dispersed group's funnel is widened (Spiegelhalter 2005):
    ``"multiplicative"`` divides each z-score by sqrt(phi); ``"additive"`` adds a
    between-area variance tau^2 (DerSimonian and Laird) to each area's own.
    """
    if adjustment not in ADJUSTMENTS:
        raise ValueError(f"adjustment must be one of {ADJUSTMENTS}")
    summary = _group_summaries(network, groups)
    value, num, den = network.value, network.numerator, network.denominator
    present = ~np.isnan(value)
    # Peers are the group's contributors other than the authority itself.
    contributes = present if network.excluded is None else present & ~network.excluded
    peers = summary["count"] - contributes
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = summary["num"] / summary["den"]  # per unit, not yet × multiplier
        spread = 1.4826 * summary["mad"]
        z = np.where(
            spread > 0,
            (value - summary["q2"]) / spread,
            np.where(value == summary["q2"], 0.0, np.nan),
        )
    target = pooled * network.multiplier
    has_counts = network.counts[None, :] & ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    significance = np.zeros(value.shape, dtype=int)
    for rate_kind, kind in ((False, "proportion"), (True, "rate")):
        cells = has_counts & (network.rate[None, :] == rate_kind) & ~np.isnan(pooled)
        if cells.any():
            significance[cells] = stats.compare_to_benchmark(
                kind, num[cells], den[cells], pooled[cells]
            )
    # Cells the interval test could not judge fall back to the robust score.
    has_counts &= np.abs(significance) <= 2
    significance = np.where(has_counts, significance, 0)
    # Over-dispersed groups (Spiegelhalter 2005): widen the limits by sqrt(phi), i.e.
    # judge the area's z-score divided by it, when enough areas show the excess.
    phi = summary["phi"]
    adjusted = (
        has_counts
        & (summary["areas"] >= FEWEST_AREAS)
        & (phi > 1 + 2 * np.sqrt(2 / np.maximum(summary["areas"], 1)))
    )
    areas = summary["areas"]
    with np.errstate(invalid="ignore", divide="ignore"):
        weights, weights2 = 4 * summary["den"], 16 * summary["den2"]
        tau2 = np.clip((areas * phi - (areas - 1)) / (weights - weights2 / weights), 0, None)
    if adjusted.any():
        with np.errstate(invalid="ignore", divide="ignore"):
            plain_z = _stabilised(num / den, pooled, den, network.rate[None, :])
            if adjustment == "multiplicative":
                own_z = plain_z / np.sqrt(phi)
            else:
                own_z = plain_z / np.sqrt(1 + 4 * den * tau2)
        widened = np.where(
            np.abs(own_z) > Z_998, 2, np.where(np.abs(own_z) > Z_95, 1, 0)
        ) * np.sign(own_z)
        significance = np.where(adjusted, np.nan_to_num(widened).astype(int), significance)
    robust_level = np.where(np.abs(z) > 3, EXCEPTION, np.where(np.abs(z) > 2, POSSIBLE, NORM))
    level = np.where(has_counts, np.abs(significance), robust_level)
    direction = np.where(
        has_counts, np.sign(significance), np.sign(np.nan_to_num(value - summary["q2"]))
    ).astype(int)
    direction = np.where(level == NORM, 0, direction)
    level = np.where(peers < k, TOO_FEW_PEERS, level)
    level = np.where(present, level, NO_FIGURE)
    return KindResult(
        peers=peers,
        target=np.where(network.counts[None, :], target, np.nan),
        median=summary["q2"],
        lower_quartile=summary["q1"],
        upper_quartile=summary["q3"],
        z=z,
        significance=significance,
        level=level.astype(int),
        direction=direction,
        method=np.where(
            adjusted, METHOD_FUNNEL_ADJUSTED, np.where(has_counts, METHOD_FUNNEL, METHOD_ROBUST)
        ),
        phi=np.where(has_counts & (summary["areas"] >= FEWEST_AREAS), phi, np.nan),
        tau2=np.where(adjusted, tau2, np.nan),
        adjustment=adjustment,
    )


@dataclass(frozen=True)
class Trends:
    """Every authority's trend on every indicator, and how it stands against peers'."""

    slope: np.ndarray  # (A, I) Theil-Sen change per period
    p_value: np.ndarray  # (A, I) Mann-Kendall
    count: np.ndarray  # (A, I) periods with a figure
    against_peers: dict[str, KindResult]  # robust z of the slope within each kind's group


def trends(
    times: np.ndarray, cube: np.ndarray, kinds: dict[str, Partition | Lists], k: int
) -> Trends:
    """Trends over *times* (P,) of *cube* (P, A, I), and each slope against its group's."""
    periods, authorities, indicators = cube.shape
    series = np.moveaxis(cube, 0, -1).reshape(-1, periods)
    with warnings.catch_warnings():
        # Series with fewer than two figures have no trend: NaN is the answer.
        warnings.simplefilter("ignore", stats.StatsWarning)
        result = stats.trend(times, series)
    shape = (authorities, indicators)
    slope = np.asarray(result.slope, dtype=float).reshape(shape)
    p_value = np.asarray(result.p_value, dtype=float).reshape(shape)
    count = np.asarray(result.count, dtype=float).reshape(shape)
    slope = np.where(count >= MIN_TREND_PERIODS, slope, np.nan)
    as_values = Network(
        authority_ids=np.arange(authorities),
        indicator_ids=np.arange(indicators),
        counts=np.zeros(indicators, dtype=bool),
        rate=np.zeros(indicators, dtype=bool),
        multiplier=np.ones(indicators),
        value=slope,
        numerator=np.full(shape, np.nan),
        denominator=np.full(shape, np.nan),
    )
    against = {key: classify(as_values, groups, k) for key, groups in kinds.items()}
    return Trends(slope, p_value, count, against)


MIN_TREND_PERIODS = 3  # fewer figures than this make no trend worth reading
