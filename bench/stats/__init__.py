"""bench's statistics: pure functions over whole numpy arrays.

No Flask, no database, no other part of bench (import-linter enforces this), so the
methods can be read, tested and reused on their own. Methods follow the PHE/OHID
technical guidance and Spiegelhalter's funnel plots (DESIGN.md, Statistics); each
function's docstring gives its formula and sources.
"""

from bench.stats.classification import Classification, classify
from bench.stats.dispersion import adjusted_funnel, dispersion, z_scores
from bench.stats.distribution import Quartiles, quantile_bands, quartiles, robust_z
from bench.stats.funnels import (
    Significance,
    compare_to_benchmark,
    pooled_value,
    proportion_funnel,
    rate_funnel,
    ratio_funnel,
)
from bench.stats.intervals import byars_interval, mean_interval, rate_interval, wilson_interval
from bench.stats.neighbours import nearest_neighbours
from bench.stats.noise import cell_key, perturb_count
from bench.stats.prevalence import PrevalenceLabel, prevalence
from bench.stats.results import (
    Dispersion,
    FunnelLimits,
    Interval,
    InvalidValueWarning,
    NoSpreadWarning,
    Prevalence,
    StatsWarning,
    TooFewValuesWarning,
    Trend,
)
from bench.stats.trend import trend

__all__ = [
    "Classification",
    "Dispersion",
    "FunnelLimits",
    "Interval",
    "InvalidValueWarning",
    "NoSpreadWarning",
    "Prevalence",
    "PrevalenceLabel",
    "Quartiles",
    "Significance",
    "StatsWarning",
    "TooFewValuesWarning",
    "Trend",
    "adjusted_funnel",
    "byars_interval",
    "cell_key",
    "classify",
    "compare_to_benchmark",
    "dispersion",
    "mean_interval",
    "nearest_neighbours",
    "perturb_count",
    "pooled_value",
    "prevalence",
    "proportion_funnel",
    "quantile_bands",
    "quartiles",
    "rate_funnel",
    "rate_interval",
    "ratio_funnel",
    "robust_z",
    "trend",
    "wilson_interval",
    "z_scores",
]
