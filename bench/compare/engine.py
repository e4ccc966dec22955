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


def _quantile_of_sorted(ordered: np.ndarray, count: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile (type 7) of each row of *ordered* (sorted along its last axis, NaN
    last), *count* the values present in each row."""
    position = q * (count - 1)
    low = np.clip(np.floor(position).astype(np.intp), 0, None)
    high = np.clip(low + 1, None, np.maximum(count - 1, 0))
    fraction = position - low
    # Flat positions: row r's k-th value is at r * width + k.
    start = np.arange(0, count.size * ordered.shape[-1], ordered.shape[-1]).reshape(count.shape)
    flat = ordered.reshape(-1)
    lower_value = flat.take(start + low)
    upper_value = flat.take(start + high)
    return np.where(count > 0, lower_value + fraction * (upper_value - lower_value), np.nan)


def _quartiles_and_mad(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quartiles (type 7, as numpy and Excel), the MAD and the count of values of each row
    of *rows* (groups along the last axis, NaN for no figure), which it sorts in place.

    One sort instead of np.nanquantile's per-slice work: NaN sorts last, so each row's n
    present values are its first n, and a quantile is read off by position. The absolute
    deviations are taken from the sorted rows (the same values), in place, and sorted.
    """
    count = np.count_nonzero(~np.isnan(rows), axis=-1)
    rows.sort(axis=-1)
    quartiles = np.stack([_quantile_of_sorted(rows, count, q) for q in (0.25, 0.5, 0.75)])
    deviations = np.abs(np.subtract(rows, quartiles[1][..., None], out=rows), out=rows)
    deviations.sort(axis=-1)
    return quartiles, _quantile_of_sorted(deviations, count, 0.5), count


def _phi(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spiegelhalter's over-dispersion factor of each row of z-scores (last axis): the mean
    square after winsorising at the 10th and 90th percentiles; and how many areas made it."""
    ordered = np.sort(z, axis=-1)
    count = np.count_nonzero(~np.isnan(z), axis=-1)
    low = _quantile_of_sorted(ordered, count, WINSORISE)[..., None]
    high = _quantile_of_sorted(ordered, count, 1 - WINSORISE)[..., None]
    squares = np.square(np.clip(z, low, high, out=ordered), out=ordered)
    squares[np.isnan(squares)] = 0  # as np.nansum does, without its copy
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = squares.sum(axis=-1) / count
    return np.where(count > 0, phi, np.nan), count


def _scale(y: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """The variance-stabilising transform (Spiegelhalter 2005, Table I): arcsine square
    root for proportions, square root for rates."""
    with np.errstate(invalid="ignore"):
        return np.where(rate, np.sqrt(np.clip(y, 0, None)), np.arcsin(np.sqrt(np.clip(y, 0, 1))))


def _stabilised(y: np.ndarray, target: np.ndarray, n: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """z-scores on the variance-stabilising scale: (scale(y) - scale(target)) / s, with
    s = 1 / (2 sqrt(n))."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (_scale(y, rate) - _scale(target, rate)) * 2 * np.sqrt(n)


def _group_index(groups: Partition | Lists, authorities: int) -> tuple[np.ndarray, np.ndarray]:
    """Every comparison group as a row of authority indexes, padded with *authorities* (an
    index past the last, which gathers a blank), and the row of each authority's group.

    Lists: one row per authority, itself first, then its peers. Partitions: one row per
    group, since such groups split the network (one grouped pass, not a gather per
    authority); authorities in no group (label -1) point at a row with no members.
    """
    if isinstance(groups, Lists):
        peers = np.where(groups.members >= 0, groups.members, authorities)
        itself = np.arange(authorities)
        return np.concatenate([itself[:, None], peers], axis=1), itself
    labels = np.asarray(groups.labels)
    grouped = np.flatnonzero(labels >= 0)
    _, group_of = np.unique(labels[grouped], return_inverse=True)
    sizes = np.bincount(group_of)
    row_of = np.full(authorities, len(sizes))
    row_of[grouped] = group_of
    width = max(int(sizes.max(initial=0)), 1)
    index = np.full((len(sizes) + int(len(grouped) < authorities), width), authorities)
    order = np.argsort(group_of, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rows = group_of[order]
    index[rows, np.arange(len(order)) - starts[rows]] = grouped[order]
    return index, row_of


def _gather(array: np.ndarray, index: np.ndarray, blank: float) -> np.ndarray:
    """Columns of *array* (A, C) gathered into groups: (C, groups, members), contiguous
    along the members, with *blank* where *index* points past the last authority."""
    padded = np.empty((array.shape[1], array.shape[0] + 1))
    padded[:, :-1] = array.T
    padded[:, -1] = blank
    return padded[:, index]


def _member_sums(array: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Sums of the rows of *array* (A, C) over each group's members: (groups, C).

    Short rows (neighbour lists) are added one member at a time, so that no (groups x
    members x columns) block is ever made: at national scale that block would be 9 MB, and
    fresh memory of that size costs more than the additions on a busy machine. Either way
    the members are added in order, as a loop over them would.
    """
    padded = np.zeros((array.shape[0] + 1, array.shape[1]))
    padded[:-1] = array
    if index.shape[1] > 32:
        return padded[index].sum(axis=1)
    total = padded[index[:, 0]]
    for slot in range(1, index.shape[1]):
        total += padded[index[:, slot]]
    return total


def _group_summaries(network: Network, groups: Partition | Lists) -> dict[str, np.ndarray]:
    """Counts and order statistics of each authority's group, (A, I) each; pooled sums and
    the over-dispersion factor of the count columns (``columns``), (A, C) each.

    The groups are gathered into (column, group, member) blocks and every statistic is
    taken along the members: order statistics of every column; sums and the
    over-dispersion factor only of the count columns (the others have no pooled value).
    Each block is worked in place and let go before the next is made, so the memory a
    classification touches stays small.
    """
    value, num, den = network.summarised()
    index, row_of = _group_index(groups, value.shape[0])
    q, mad, count = _quartiles_and_mad(_gather(value, index, np.nan))
    out = {
        name: statistic.T[row_of]
        for name, statistic in (
            ("count", count.astype(float)),
            ("q1", q[0]),
            ("q2", q[1]),
            ("q3", q[2]),
            ("mad", mad),
        )
    }

    columns = np.flatnonzero(network.counts)
    c_num, c_den = num[:, columns], den[:, columns]
    counted = ~np.isnan(c_num) & ~np.isnan(c_den)
    filled = np.zeros((len(c_num), 3 * len(columns)))
    sum_num, sum_den, sum_den2 = np.split(filled, 3, axis=1)
    np.copyto(sum_num, c_num, where=counted)
    np.copyto(sum_den, c_den, where=counted)
    np.square(sum_den, out=sum_den2)
    sum_num, sum_den, sum_den2 = np.split(_member_sums(filled, index), 3, axis=1)
    rate = network.rate[columns]
    with np.errstate(invalid="ignore", divide="ignore"):
        own_scale = np.where(counted, _scale(c_num / c_den, rate), np.nan)
        centre = _scale(sum_num / sum_den, rate)
        root = np.sqrt(c_den)
    z = _gather(own_scale, index, np.nan)
    z -= centre.T[..., None]
    z *= 2
    z *= _gather(root, index, np.nan)
    phi, areas = _phi(z)
    del z
    out.update(
        columns=columns,
        num=sum_num[row_of],
        den=sum_den[row_of],
        den2=sum_den2[row_of],
        phi=phi.T[row_of],
        areas=areas.astype(float).T[row_of],
    )
    return out


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
    value = network.value
    shape = value.shape
    present = ~np.isnan(value)
    # Peers are the group's contributors other than the authority itself.
    contributes = present if network.excluded is None else present & ~network.excluded
    peers = summary["count"] - contributes
    median = summary["q2"]
    difference = value - median
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = 1.4826 * summary["mad"]
        z = difference / spread
    # No spread: level with the median scores 0, anything else has no score.
    flat = spread == 0
    if flat.any():
        z[flat] = np.where(difference[flat] == 0, 0.0, np.nan)
    # Every cell's robust standing first; the count cells judged by their interval below.
    size = np.abs(z)
    level = (size > 2).astype(int) + (size > 3)  # NORM, POSSIBLE or EXCEPTION
    direction = (difference > 0).astype(int) - (difference < 0)
    method = np.full(shape, METHOD_ROBUST)
    target = np.full(shape, np.nan)
    significance = np.zeros(shape, dtype=int)
    phi_shown = np.full(shape, np.nan)
    tau2_shown = np.full(shape, np.nan)
    columns = summary["columns"]
    if columns.size:
        c = _funnel_columns(network, summary, adjustment)
        target[:, columns] = c["pooled"] * network.multiplier[columns]
        significance[:, columns] = c["significance"]
        has_counts = c["has_counts"]
        level[:, columns] = np.where(has_counts, np.abs(c["significance"]), level[:, columns])
        direction[:, columns] = np.where(
            has_counts, np.sign(c["significance"]), direction[:, columns]
        )
        method[:, columns] = np.where(
            c["adjusted"],
            METHOD_FUNNEL_ADJUSTED,
            np.where(has_counts, METHOD_FUNNEL, METHOD_ROBUST),
        )
        phi_shown[:, columns] = np.where(c["judged"], summary["phi"], np.nan)
        tau2_shown[:, columns] = np.where(c["adjusted"], c["tau2"], np.nan)
    direction[level == NORM] = 0
    level[peers < k] = TOO_FEW_PEERS
    level[~present] = NO_FIGURE
    return KindResult(
        peers=peers,
        target=target,
        median=median,
        lower_quartile=summary["q1"],
        upper_quartile=summary["q3"],
        z=z,
        significance=significance,
        level=level,
        direction=direction,
        method=method,
        phi=phi_shown,
        tau2=tau2_shown,
        adjustment=adjustment,
    )


def _funnel_columns(
    network: Network, summary: dict[str, np.ndarray], adjustment: str
) -> dict[str, np.ndarray]:
    """The count columns' interval test against the pooled value, (A, C) each: which cells
    it judged, their significance (-2..+2), and where the funnel was widened."""
    columns = summary["columns"]
    num, den = network.numerator[:, columns], network.denominator[:, columns]
    rate = network.rate[columns]
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = summary["num"] / summary["den"]  # per unit, not yet x multiplier
    has_counts = ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    significance = np.zeros(num.shape, dtype=int)
    for rate_kind, kind in ((False, "proportion"), (True, "rate")):
        cells = has_counts & (rate == rate_kind) & ~np.isnan(pooled)
        if cells.any():
            significance[cells] = stats.compare_to_benchmark(
                kind, num[cells], den[cells], pooled[cells]
            )
    # Cells the interval test could not judge fall back to the robust score.
    has_counts &= np.abs(significance) <= 2
    significance[~has_counts] = 0
    # Over-dispersed groups (Spiegelhalter 2005): widen the limits by sqrt(phi), i.e.
    # judge the area's z-score divided by it, when enough areas show the excess.
    phi, areas = summary["phi"], summary["areas"]
    judged = has_counts & (areas >= FEWEST_AREAS)
    adjusted = judged & (phi > 1 + 2 * np.sqrt(2 / np.maximum(areas, 1)))
    with np.errstate(invalid="ignore", divide="ignore"):
        weights, weights2 = 4 * summary["den"], 16 * summary["den2"]
        tau2 = np.clip((areas * phi - (areas - 1)) / (weights - weights2 / weights), 0, None)
    if adjusted.any():
        with np.errstate(invalid="ignore", divide="ignore"):
            plain_z = _stabilised(num / den, pooled, den, rate)
            if adjustment == "multiplicative":
                own_z = plain_z / np.sqrt(phi)
            else:
                own_z = plain_z / np.sqrt(1 + 4 * den * tau2)
        widened = np.where(
            np.abs(own_z) > Z_998, 2, np.where(np.abs(own_z) > Z_95, 1, 0)
        ) * np.sign(own_z)
        significance = np.where(adjusted, np.nan_to_num(widened).astype(int), significance)
    return {
        "pooled": pooled,
        "has_counts": has_counts,
        "significance": significance,
        "judged": judged,
        "adjusted": adjusted,
        "tau2": tau2,
    }


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
