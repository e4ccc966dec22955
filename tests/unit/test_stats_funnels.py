"""Funnel limits and benchmark comparison against PHEindicatormethods' published tables.

Expected values come from tests/unit/reference (see its README.md), never from bench.
"""

import numpy as np
import pytest

from bench.stats import (
    InvalidValueWarning,
    Significance,
    compare_to_benchmark,
    pooled_value,
    proportion_funnel,
    rate_funnel,
    ratio_funnel,
)
from tests.unit.stats_reference import column, rows

LEVELS = {"95": 0.95, "998": 0.998, "2s": 0.95, "3s": 0.998}
# The proportion tables print percentages to 6 decimals.
PRINTED = {"abs": 1e-6}
# Across from the nearest limit, far enough that rounding in the tables cannot matter.
NUDGE = 1e-6


def _poisson_tolerance(events):
    """README: the source's bisection is good to ~1e-7; 1e-4 at the smallest counts."""
    return {"rel": 1e-4 if events < 10 else 1e-6}


def _cases():
    numerators = column("funnel_proportion_inputs", "numerator")
    denominators = column("funnel_proportion_inputs", "denominator")
    return {
        "all_areas": (numerators, denominators),
        "denominator_lt_31000": (
            numerators[denominators < 31000],
            denominators[denominators < 31000],
        ),
    }


@pytest.mark.parametrize("case", ["all_areas", "denominator_lt_31000"])
def test_the_pooled_value_is_the_references_baseline(case):
    numerators, denominators = _cases()[case]
    table = [row for row in rows("funnel_proportion_limits") if row["case"] == case]
    assert pooled_value(numerators, denominators) * 100 == pytest.approx(
        table[0]["expected_baseline"], **PRINTED
    )


def test_the_pooled_rate_of_directly_standardised_rates_is_the_references_baseline():
    # phe_funnels derives each area's denominator as events / rate x 100,000.
    events = column("funnel_rate_inputs", "ev")
    rates = column("funnel_rate_inputs", "rate")
    baseline = rows("funnel_rate_limits")[0]
    assert baseline["case"] == "dsr"
    pooled = pooled_value(events, events / rates * 100_000) * 100_000
    assert pooled == pytest.approx(baseline["expected_baseline"], abs=1e-7)


def test_pooled_value_leaves_out_areas_with_a_missing_figure():
    assert pooled_value([1, 2, np.nan, 4], [10, np.nan, 10, 10]) == pytest.approx(5 / 20)
    assert np.isnan(pooled_value([np.nan], [10]))


@pytest.mark.parametrize(
    "row",
    rows("funnel_proportion_limits"),
    ids=lambda row: f"{row['case']}-{row['population']:.0f}",
)
def test_proportion_funnel_matches_the_reference(row):
    target = row["expected_baseline"] / 100
    for level in ("95", "998"):
        lower, upper = proportion_funnel(target, row["population"], LEVELS[level])
        assert lower * 100 == pytest.approx(row[f"expected_lower_{level}"], **PRINTED)
        assert upper * 100 == pytest.approx(row[f"expected_upper_{level}"], **PRINTED)


@pytest.mark.parametrize(
    "row",
    rows("funnel_rate_limits"),
    ids=lambda row: f"{row['case']}-{row['events']:.0f}",
)
def test_rate_funnel_matches_the_reference(row):
    # Each limit sits at the population where `events` is on it; 3 years of data.
    for side in ("lower", "upper"):
        for level in ("95", "998"):
            population = 3 * row[f"expected_{side}_{level}_population_1_year"]
            limits = rate_funnel(row["expected_baseline"], population, LEVELS[level], 100_000)
            limit = limits.lower if side == "lower" else limits.upper
            expected = row[f"expected_{side}_{level}_limit"]
            assert limit == pytest.approx(expected, **_poisson_tolerance(row["events"]))


@pytest.mark.parametrize(
    "row", rows("funnel_ratio_limits"), ids=lambda row: f"{row['observed_events']:.0f}"
)
def test_ratio_funnel_matches_the_reference(row):
    tolerance = _poisson_tolerance(row["observed_events"])
    for level in ("2s", "3s"):
        lower = ratio_funnel(row[f"expected_lower_{level}_exp_events"], LEVELS[level]).lower
        upper = ratio_funnel(row[f"expected_upper_{level}_exp_events"], LEVELS[level]).upper
        assert lower * 100 == pytest.approx(row[f"expected_lower_{level}_isr"], **tolerance)
        assert upper * 100 == pytest.approx(row[f"expected_upper_{level}_isr"], **tolerance)
        # The table's "count" form is the ratio less one (same absolute error as the ratio).
        assert lower - 1 == pytest.approx(
            row[f"expected_lower_{level}_count"], abs=tolerance["rel"] * lower
        )


def test_funnels_work_on_whole_arrays_and_give_nan_without_a_denominator():
    lower, upper = proportion_funnel(0.5, [np.nan, 0, -5, 100])
    assert np.isnan(lower[:3]).all() and np.isnan(upper[:3]).all() and lower[3] < 0.5
    lower, upper = rate_funnel(0.01, [[np.nan, 0], [100, 1000]])
    assert lower.shape == (2, 2) and np.isnan(upper[0]).all() and (upper[1] > 0.01).all()
    assert np.isnan(ratio_funnel([0, np.nan]).lower).all()


def test_a_proportions_target_must_be_a_proportion():
    with pytest.raises(ValueError, match="between 0 and 1"):
        proportion_funnel(80, 1000)


def test_proportions_are_compared_exactly_where_the_reference_funnel_lies():
    # README: the funnel is where an area's Wilson interval just touches the baseline, so
    # an area just outside a limit is significant there and one just inside is not.
    row = next(
        row
        for row in rows("funnel_proportion_limits")
        if row["case"] == "all_areas" and row["population"] > 5000
    )
    n, benchmark = row["population"], row["expected_baseline"] / 100
    limits = {
        key: row[f"expected_{key}"] / 100
        for key in ("lower_95", "upper_95", "lower_998", "upper_998")
    }
    proportions = [
        limits["upper_998"] + NUDGE,
        limits["upper_95"] + NUDGE,
        limits["upper_95"] - NUDGE,
        limits["lower_95"] + NUDGE,
        limits["lower_95"] - NUDGE,
        limits["lower_998"] - NUDGE,
    ]
    codes = compare_to_benchmark("proportion", np.multiply(proportions, n), n, benchmark)
    assert codes.tolist() == [2, 1, 0, 0, -1, -2]


def test_ratios_are_compared_exactly_where_the_reference_funnel_lies():
    # Below 10 events both the funnel and the comparison use exact Poisson limits. At 5
    # events the reference puts the 95% lower limit at 11.668 expected, the 99.8% lower
    # limit at 16.455, the 95% upper at 1.6235 and the 99.8% upper at 0.73937.
    row = next(row for row in rows("funnel_ratio_limits") if row["observed_events"] == 5)
    expected = np.array(
        [
            row["expected_lower_3s_exp_events"] * (1 + NUDGE),
            row["expected_lower_2s_exp_events"] * (1 + NUDGE),
            row["expected_lower_2s_exp_events"] * (1 - NUDGE),
            row["expected_upper_2s_exp_events"] * (1 + NUDGE),
            row["expected_upper_2s_exp_events"] * (1 - NUDGE),
            row["expected_upper_3s_exp_events"] * (1 - NUDGE),
        ]
    )
    codes = compare_to_benchmark("ratio", np.full(6, 5), expected, 1)
    assert codes.tolist() == [-2, -1, 0, 0, 1, 2]


def test_rates_are_compared_exactly_where_the_reference_funnel_lies():
    row = next(
        row for row in rows("funnel_rate_limits") if row["case"] == "dsr" and row["events"] == 5
    )
    benchmark = row["expected_baseline"] / 100_000
    lower_population = 3 * row["expected_lower_95_population_1_year"]
    upper_population = 3 * row["expected_upper_95_population_1_year"]
    populations = [
        lower_population * (1 + NUDGE),
        lower_population * (1 - NUDGE),
        upper_population * (1 + NUDGE),
        upper_population * (1 - NUDGE),
    ]
    codes = compare_to_benchmark("rate", np.full(4, 5), populations, benchmark)
    assert codes.tolist() == [-1, 0, 0, 1]


def test_figures_that_cannot_be_compared_are_marked_so():
    codes = compare_to_benchmark(
        "rate", [5, np.nan, 5, 5], [100, 100, 0, 100], [0.05, 0.05, 0.05, np.nan]
    )
    assert codes.tolist() == [Significance.NOT_SIGNIFICANT] + [Significance.NOT_COMPARED] * 3
    with pytest.warns(InvalidValueWarning):
        codes = compare_to_benchmark("proportion", [11, 5], [10, 10], 0.5)
    assert codes.tolist() == [Significance.NOT_COMPARED, Significance.NOT_SIGNIFICANT]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        compare_to_benchmark("mean", [1], [2], 0.5)
