"""Full-network classification and "Where we stand" at national scale (PERFORMANCE.md).

400 authorities, 100 indicators (60 with numerators and denominators, 40 values only),
12 periods, 15-neighbour groups. Reported as medians beside two baselines measured in the
same run: a bare whole-network numpy pass (group medians and robust z), and a loop per
authority calling scipy.stats per value (timed on a sample, scaled to the network).
"""

from __future__ import annotations

import time

import numpy as np
from scipy import stats as scipy_stats

from bench.compare import engine
from benchmarks.common import median, timed

AUTHORITIES = 400
INDICATORS = 100
COUNTED = 60
PERIODS = 12
NEIGHBOURS = 15
REGIONS = 9
TYPES = 4


def national_network(seed: int = 1) -> tuple[engine.Network, dict[str, object]]:
    rng = np.random.default_rng(seed)
    denominator = rng.integers(500, 50_000, size=(AUTHORITIES, INDICATORS)).astype(float)
    rates = rng.uniform(0.05, 0.6, size=INDICATORS)
    numerator = rng.binomial(denominator.astype(int), rates).astype(float)
    counts = np.arange(INDICATORS) < COUNTED
    value = np.where(
        counts, numerator / denominator * 100, rng.normal(50, 10, (AUTHORITIES, INDICATORS))
    )
    numerator[:, ~counts] = np.nan
    denominator[:, ~counts] = np.nan
    value[rng.random(value.shape) < 0.03] = np.nan  # gaps
    network = engine.Network(
        authority_ids=np.arange(AUTHORITIES),
        indicator_ids=np.arange(INDICATORS),
        counts=counts,
        rate=np.zeros(INDICATORS, dtype=bool),
        multiplier=np.full(INDICATORS, 100.0),
        value=value,
        numerator=numerator,
        denominator=denominator,
    )
    neighbours = np.array(
        [
            rng.choice(np.delete(np.arange(AUTHORITIES), a), NEIGHBOURS, replace=False)
            for a in range(AUTHORITIES)
        ]
    )
    kinds = {
        "all": engine.Partition(np.zeros(AUTHORITIES, dtype=int)),
        "type": engine.Partition(rng.integers(0, TYPES, AUTHORITIES)),
        "region": engine.Partition(rng.integers(0, REGIONS, AUTHORITIES)),
        "neighbours": engine.Lists(neighbours),
    }
    return network, kinds


def _numpy_baseline(network: engine.Network, labels: np.ndarray) -> np.ndarray:
    """The bare minimum: per-group medians and MADs, robust z for every cell."""
    z = np.empty_like(network.value)
    for label in np.unique(labels):
        rows = labels == label
        block = network.value[rows]
        med = np.nanmedian(block, axis=0)
        mad = np.nanmedian(np.abs(block - med), axis=0)
        z[rows] = (block - med) / (1.4826 * mad)
    return z


def _loop_per_authority(network: engine.Network, labels: np.ndarray, sample: int) -> float:
    """Seconds for the whole network, classifying one value at a time with scipy.stats."""
    start = time.perf_counter()
    for a in range(sample):
        peers = labels == labels[a]
        for i in range(INDICATORS):
            if network.counts[i]:
                num, den = network.numerator[peers, i], network.denominator[peers, i]
                ok = ~np.isnan(num)
                target = num[ok].sum() / den[ok].sum()
                if not np.isnan(network.numerator[a, i]):
                    scipy_stats.binomtest(
                        int(network.numerator[a, i]), int(network.denominator[a, i]), target
                    )
            else:
                column = network.value[peers, i]
                column = column[~np.isnan(column)]
                scipy_stats.median_abs_deviation(column, scale="normal")
    return (time.perf_counter() - start) * AUTHORITIES / sample


def run_engine(repeats: int) -> dict[str, float]:
    network, kinds = national_network()
    figures: dict[str, float] = {}
    for key, groups in kinds.items():
        figures[f"classify_{key}_ms"] = 1000 * median(
            [timed(lambda g=groups: engine.classify(network, g, 5)) for _ in range(repeats)]
        )
    figures["classify_all_kinds_ms"] = 1000 * median(
        [
            timed(lambda: [engine.classify(network, g, 5) for g in kinds.values()])
            for _ in range(repeats)
        ]
    )
    labels = kinds["type"].labels
    figures["numpy_baseline_ms"] = 1000 * median(
        [timed(lambda: _numpy_baseline(network, labels)) for _ in range(repeats)]
    )
    figures["loop_per_authority_s"] = _loop_per_authority(network, labels, sample=10)
    figures["ratio_to_numpy"] = figures["classify_type_ms"] / figures["numpy_baseline_ms"]
    figures["speedup_over_loop"] = (
        figures["loop_per_authority_s"] * 1000 / figures["classify_type_ms"]
    )
    return figures
