"""The engine's whole-array paths agree, cell for cell, with a plain reference.

The reference below classifies one authority on one indicator at a time, with a loop over
the members of its group and bench.stats' own functions (quartiles, compare_to_benchmark),
following the rules in the engine's and DESIGN.md's words. The engine's grouped passes
(one row per group for partitions, an index matrix for lists, sort-based medians and
MADs, over-dispersion on the count columns only, exact Poisson quantiles once per count)
must give the same figures on random networks with ties, gaps, groups below the
anonymity minimum, value-only indicators, groups with no spread, over-dispersed funnels,
rates with few events, authorities in no group, and cells left out of group figures.
"""

import warnings

import numpy as np
import pytest

from bench import stats
from bench.compare import engine

K = 5
PROPORTIONS, RATES, VALUES = 4, 3, 4


def random_network(seed: int, authorities: int = 48) -> engine.Network:
    rng = np.random.default_rng(seed)
    indicators = PROPORTIONS + RATES + VALUES
    counts = np.arange(indicators) < PROPORTIONS + RATES
    rate = counts & (np.arange(indicators) >= PROPORTIONS)
    effect = np.exp(rng.normal(0, 0.3, (authorities, indicators)))  # over-dispersion
    den = rng.choice([40, 300, 5000, 20000], (authorities, indicators)) + rng.integers(
        0, 30, (authorities, indicators)
    )
    share = np.clip(rng.uniform(0.1, 0.6, indicators) * effect, 0, 1)
    num = rng.binomial(den, share).astype(float)
    events = rng.poisson(den * rng.uniform(2e-4, 3e-3, indicators) * effect).astype(float)
    num = np.where(rate, events, num)
    den = den.astype(float)
    multiplier = np.where(rate, 1000.0, 100.0)
    value = num / den * multiplier
    # Value-only indicators: whole numbers (ties), one of them mostly a single value (no
    # spread in many groups).
    whole = np.round(rng.normal(20, 4, (authorities, VALUES)))
    whole[:, -1] = np.where(rng.random(authorities) < 0.85, 7.0, whole[:, -1])
    value[:, ~counts] = whole
    num[:, ~counts] = np.nan
    den[:, ~counts] = np.nan
    # Gaps: whole cells, and a few count cells with a value but no numerator (judged by
    # the robust score instead).
    gaps = rng.random(value.shape) < 0.1
    for array in (value, num, den):
        array[gaps] = np.nan
    num[(rng.random(value.shape) < 0.03) & counts] = np.nan
    excluded = rng.random(value.shape) < 0.06 if seed % 2 else None
    return engine.Network(
        authority_ids=np.arange(authorities),
        indicator_ids=np.arange(indicators),
        counts=counts,
        rate=rate,
        multiplier=multiplier,
        value=value,
        numerator=num,
        denominator=den,
        excluded=excluded,
    )


def random_groups(seed: int, authorities: int = 48) -> list[engine.Partition | engine.Lists]:
    rng = np.random.default_rng(seed + 1000)
    members = np.array([rng.choice(authorities, 9, replace=False) for _ in range(authorities)])
    members[members == np.arange(authorities)[:, None]] = -1
    members[rng.random(members.shape) < 0.3] = -1  # short lists: some below k peers
    return [
        engine.Partition(np.zeros(authorities, dtype=int)),
        # Groups of 3 to 20 or so (some below k), and some authorities in none.
        engine.Partition(
            rng.choice([-1, 0, 1, 2, 3, 7], authorities, p=[0.1, 0.4, 0.25, 0.1, 0.1, 0.05])
        ),
        engine.Lists(members),
    ]


def group_of(groups: engine.Partition | engine.Lists, a: int) -> list[int]:
    if isinstance(groups, engine.Partition):
        label = groups.labels[a]
        return [] if label < 0 else [int(m) for m in np.flatnonzero(groups.labels == label)]
    return [a, *(int(m) for m in groups.members[a] if m >= 0)]


def scale(y: float, rate: bool) -> float:
    if rate:
        return np.sqrt(max(y, 0))
    return np.arcsin(np.sqrt(min(max(y, 0), 1)))


def reference(network: engine.Network, groups, k: int, adjustment: str) -> dict:
    """Every field of KindResult, one cell at a time."""
    shape = network.value.shape
    floats = ("peers", "target", "median", "lower_quartile", "upper_quartile", "z", "phi", "tau2")
    out = {name: np.full(shape, np.nan) for name in floats}
    for name in ("significance", "level", "direction", "method"):
        out[name] = np.zeros(shape, dtype=int)
    left_out = np.zeros(shape, bool) if network.excluded is None else network.excluded
    for a in range(shape[0]):
        members = group_of(groups, a)
        for i in range(shape[1]):
            kept = [m for m in members if not left_out[m, i]]
            values = network.value[kept, i]
            lower, median, upper, count = stats.quartiles(values)
            mad = float(np.median(np.abs(values[~np.isnan(values)] - median))) if count else np.nan
            own = network.value[a, i]
            present = not np.isnan(own)
            peers = count - (present and not left_out[a, i])
            spread = 1.4826 * mad
            # No spread: level with the median scores 0, anything else has no score.
            z = (own - median) / spread if spread > 0 else 0.0 if own == median else np.nan
            level = 2 if abs(z) > 3 else 1 if abs(z) > 2 else 0
            direction = int(np.sign(own - median)) if present and count else 0
            method, significance = engine.METHOD_ROBUST, 0
            phi = tau2 = np.nan
            if network.counts[i]:
                rate = bool(network.rate[i])
                both = [
                    m
                    for m in kept
                    if not np.isnan(network.numerator[m, i])
                    and not np.isnan(network.denominator[m, i])
                ]
                n_sum = network.numerator[both, i].sum()
                d_sum = network.denominator[both, i].sum()
                pooled = n_sum / d_sum if d_sum else np.nan
                out["target"][a, i] = pooled * network.multiplier[i]
                x, n = network.numerator[a, i], network.denominator[a, i]
                if not np.isnan(x) and not np.isnan(n) and n > 0:
                    # No pooled value (no other member has counts): judged level with it.
                    kind = "rate" if rate else "proportion"
                    code = (
                        0
                        if np.isnan(pooled)
                        else int(stats.compare_to_benchmark(kind, x, n, pooled))
                    )
                    if abs(code) <= 2:
                        method, significance = engine.METHOD_FUNNEL, code
                # Over-dispersion: z-scores of the members on the stabilised scale,
                # winsorised at 10% and 90%.
                scores = np.array(
                    [
                        (
                            scale(network.numerator[m, i] / network.denominator[m, i], rate)
                            - scale(pooled, rate)
                        )
                        * 2
                        * np.sqrt(network.denominator[m, i])
                        for m in both
                    ]
                )
                scores = scores[~np.isnan(scores)]
                areas = scores.size
                if areas:
                    low, high = np.quantile(scores, [0.1, 0.9])
                    phi = float(np.mean(np.clip(scores, low, high) ** 2))
                    weights = 4 * network.denominator[both, i]
                    spread_of_weights = weights.sum() - (weights**2).sum() / weights.sum()
                    with np.errstate(invalid="ignore", divide="ignore"):
                        tau2 = max(0.0, (areas * phi - (areas - 1)) / spread_of_weights)
                judged = method == engine.METHOD_FUNNEL and areas >= engine.FEWEST_AREAS
                if judged and phi > 1 + 2 * np.sqrt(2 / areas):
                    plain = (scale(x / n, rate) - scale(pooled, rate)) * 2 * np.sqrt(n)
                    if adjustment == "multiplicative":
                        own_z = plain / np.sqrt(phi)
                    else:
                        own_z = plain / np.sqrt(1 + 4 * n * tau2)
                    size = 2 if abs(own_z) > engine.Z_998 else 1 if abs(own_z) > engine.Z_95 else 0
                    significance = int(size * np.sign(own_z))
                    method = engine.METHOD_FUNNEL_ADJUSTED
                    out["tau2"][a, i] = tau2
                if judged:
                    out["phi"][a, i] = phi
                if method != engine.METHOD_ROBUST:
                    level, direction = abs(significance), int(np.sign(significance))
            if level == engine.NORM:
                direction = 0
            if peers < k:
                level = engine.TOO_FEW_PEERS
            if not present:
                level = engine.NO_FIGURE
            out["peers"][a, i] = peers
            out["median"][a, i], out["lower_quartile"][a, i] = median, lower
            out["upper_quartile"][a, i], out["z"][a, i] = upper, z
            out["significance"][a, i], out["level"][a, i] = significance, level
            out["direction"][a, i], out["method"][a, i] = direction, method
    return out


@pytest.mark.parametrize("adjustment", engine.ADJUSTMENTS)
@pytest.mark.parametrize("seed", range(4))
def test_the_engine_agrees_with_the_reference_cell_for_cell(seed, adjustment):
    network = random_network(seed)
    for groups in random_groups(seed):
        result = engine.classify(network, groups, K, adjustment)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", stats.StatsWarning)
            expected = reference(network, groups, K, adjustment)
        for name, wanted in expected.items():
            got = getattr(result, name)
            if wanted.dtype.kind == "i":
                assert got.tolist() == wanted.tolist(), (name, type(groups).__name__)
            else:
                np.testing.assert_allclose(
                    got, wanted, rtol=1e-12, atol=1e-12, err_msg=f"{name} {groups}"
                )


def test_the_random_networks_reach_every_path():
    """The networks above are worth checking against: every level, every method, both
    reasons for no classification, groups with no spread."""
    seen = {"level": set(), "method": set()}
    flat = 0
    for seed in range(4):
        network = random_network(seed)
        for groups in random_groups(seed):
            result = engine.classify(network, groups, K)
            seen["level"] |= set(np.unique(result.level).tolist())
            seen["method"] |= set(np.unique(result.method[result.level >= 0]).tolist())
            flat += int(((result.upper_quartile == result.lower_quartile) & (result.z == 0)).sum())
    assert seen["level"] == {
        engine.NO_FIGURE,
        engine.TOO_FEW_PEERS,
        engine.NORM,
        engine.POSSIBLE,
        engine.EXCEPTION,
    }
    assert seen["method"] == {
        engine.METHOD_FUNNEL,
        engine.METHOD_FUNNEL_ADJUSTED,
        engine.METHOD_ROBUST,
    }
    assert flat > 0
