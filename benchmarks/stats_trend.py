"""trend() on 40,000 series of 12 periods, against scipy.stats one series at a time.

The issue's figures: about 23 ms for bench.stats.trend, 13 s for a Python loop calling
``scipy.stats.theilslopes`` and ``kendalltau`` per series. The loop is timed on a sample of
400 series and scaled up by 100, which is fair because its cost is the same per series.
Run with ``python -m benchmarks.stats_trend [repeats]``.
"""

from __future__ import annotations

import json
import sys

import numpy as np
from scipy import stats

from bench.stats import trend
from benchmarks.common import median, timed

SERIES = 40_000
PERIODS = 12
SAMPLE = 400


def _series() -> tuple[np.ndarray, np.ndarray]:
    """Rising noisy series rounded to one decimal (so ties occur), 5% of values missing."""
    generator = np.random.default_rng(2024)
    periods = np.arange(PERIODS, dtype=float)
    values = np.round(generator.normal(size=(SERIES, PERIODS)) + 0.1 * periods, 1)
    values[generator.random(values.shape) < 0.05] = np.nan
    return periods, values


def _scipy_loop(periods: np.ndarray, values: np.ndarray) -> None:
    for series in values:
        present = ~np.isnan(series)
        stats.theilslopes(series[present], periods[present])
        stats.kendalltau(periods[present], series[present], method="asymptotic")


def run_trend(repeats: int) -> dict[str, float]:
    """Median seconds of *repeats* runs of each; ``ratio`` is scipy's time over ours."""
    periods, values = _series()
    trend(periods, values)  # warm-up: imports and first-touch allocations
    ours = median([timed(lambda: trend(periods, values)) for _ in range(repeats)])
    sample = values[:SAMPLE]
    loop = median([timed(lambda: _scipy_loop(periods, sample)) for _ in range(repeats)])
    scipy_estimate = loop * SERIES / SAMPLE
    return {
        "series": SERIES,
        "periods": PERIODS,
        "trend_s": ours,
        "scipy_per_series_s": scipy_estimate,
        "ratio": scipy_estimate / ours,
    }


if __name__ == "__main__":
    print(json.dumps(run_trend(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
