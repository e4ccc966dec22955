"""Intervals for proportions, counts, rates and means against PHEindicatormethods' figures.

Expected values come from tests/unit/reference (see its README.md), never from bench.
"""

import copy

import numpy as np
import pytest

from bench.stats import (
    Interval,
    InvalidValueWarning,
    TooFewValuesWarning,
    byars_interval,
    mean_interval,
    rate_interval,
    wilson_interval,
)
from tests.unit.stats_reference import rows

# The reference prints 15 to 17 significant digits (R and Excel doubles).
CLOSE = {"rel": 1e-9}


def _label(row):
    return f"{row['source']}@{row['confidence']}"


@pytest.mark.parametrize("row", rows("wilson_proportion_ci"), ids=_label)
def test_wilson_interval_matches_the_reference(row):
    result = wilson_interval(row["x"], row["n"], row["confidence"])
    scale = row["multiplier"]
    assert result.value * scale == pytest.approx(row["expected_value"], **CLOSE)
    assert result.lower * scale == pytest.approx(row["expected_lower"], **CLOSE)
    assert result.upper * scale == pytest.approx(row["expected_upper"], **CLOSE)


@pytest.mark.parametrize("row", rows("byars_count_ci"), ids=_label)
def test_byars_interval_matches_the_reference(row):
    lower, upper = byars_interval(row["x"], row["confidence"])
    if np.isnan(row["expected_lower"]):  # NA in the source: the approximation goes negative
        assert np.isnan(lower)
    else:
        assert lower == pytest.approx(row["expected_lower"], **CLOSE)
    assert upper == pytest.approx(row["expected_upper"], **CLOSE)


@pytest.mark.parametrize("row", rows("rate_ci"), ids=_label)
def test_rate_interval_matches_the_reference(row):
    result = rate_interval(row["x"], row["n"], row["confidence"], row["multiplier"])
    assert result.value == pytest.approx(row["expected_value"], **CLOSE)
    assert result.lower == pytest.approx(row["expected_lower"], **CLOSE)
    assert result.upper == pytest.approx(row["expected_upper"], **CLOSE)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_one_call_on_whole_arrays_gives_every_reference_row(confidence):
    table = [
        row
        for row in rows("rate_ci")
        if row["confidence"] == confidence and row["multiplier"] == 100000
    ]
    assert len(table) >= 9
    x, n = (np.array([row[key] for row in table]) for key in ("x", "n"))
    lower, upper = rate_interval(x, n, confidence, multiplier=100000)
    assert lower.shape == upper.shape == x.shape
    assert lower == pytest.approx([row["expected_lower"] for row in table], **CLOSE)
    assert upper == pytest.approx([row["expected_upper"] for row in table], **CLOSE)
    # The reference switches method at 10 events; so must we (both sides are in the table).
    assert {row["expected_method"] for row in table if row["x"] < 10} == {"Exact"}
    assert {row["expected_method"] for row in table if row["x"] >= 10} == {"Byars"}


def _groups():
    values = rows("mean_inputs")
    groups = {
        area: [row["value"] for row in values if row["area"] == area] for area in ("Area1", "Area2")
    }
    groups["No grouping"] = [row["value"] for row in values]
    return groups


@pytest.mark.parametrize("row", rows("mean_ci"), ids=lambda row: row["group"])
def test_mean_interval_matches_the_reference(row):
    values = _groups()[row["group"]]
    assert len(values) == row["expected_count"]
    inner = mean_interval(values, 0.95)
    outer = mean_interval(values, 0.998)
    assert inner.value == pytest.approx(row["expected_mean"], **CLOSE)
    assert inner == pytest.approx((row["expected_lower95"], row["expected_upper95"]), **CLOSE)
    assert outer == pytest.approx((row["expected_lower998"], row["expected_upper998"]), **CLOSE)


def test_mean_interval_gives_one_interval_per_row_of_a_padded_array():
    groups = _groups()
    reference = {row["group"]: row for row in rows("mean_ci")}
    width = max(len(values) for values in groups.values())
    padded = np.full((3, width), np.nan)
    for index, values in enumerate(groups.values()):
        padded[index, : len(values)] = values
    lower, upper = mean_interval(padded)
    assert lower == pytest.approx(
        [reference[group]["expected_lower95"] for group in groups], **CLOSE
    )
    assert upper == pytest.approx(
        [reference[group]["expected_upper95"] for group in groups], **CLOSE
    )


def test_results_unpack_as_lower_upper_and_say_how_they_were_made():
    result = wilson_interval(65, 100)
    lower, upper = result
    assert isinstance(result, Interval) and isinstance(result, tuple) and len(result) == 2
    assert (lower, upper) == (result.lower, result.upper)
    assert result.method == "Wilson score" and result.confidence == 0.95
    assert result.value == 0.65
    # Copying (and pickling, which uses the same __reduce__) keeps the extra attributes.
    duplicate = copy.deepcopy(result)
    assert duplicate == result and duplicate.method == result.method
    assert duplicate.value == result.value
    assert result._replace(lower=0.0).method == "Wilson score"


def test_scalars_give_scalars_and_arrays_broadcast():
    assert np.ndim(wilson_interval(1, 10).lower) == 0
    lower, upper = wilson_interval([[1], [2]], [10, 20, 40])
    assert lower.shape == upper.shape == (2, 3)
    assert rate_interval([1, 20], 1000).lower.shape == (2,)


def test_no_successes_and_all_successes_reach_the_ends_of_the_scale():
    lower, upper = wilson_interval([0, 10], [10, 10])
    assert lower[0] == 0 and upper[1] == 1
    assert 0 < upper[0] < 1 and 0 < lower[1] < 1


def test_missing_figures_and_zero_denominators_give_nan_without_warning():
    lower, upper = wilson_interval([np.nan, 5, 0], [10, np.nan, 0])
    assert np.isnan(lower).all() and np.isnan(upper).all()
    rate = rate_interval([np.nan, 5, 0], [100, 0, 0])
    assert np.isnan(rate.lower).all() and np.isnan(rate.value).all()
    assert np.isnan(byars_interval(np.nan).upper)


def test_no_events_have_an_exact_lower_limit_of_zero():
    # Exact Poisson upper limit for 0 events: -ln(0.025) = 3.6889 (chi-square, 2 df).
    lower, upper = rate_interval(0, 1)
    assert lower == 0
    assert upper == pytest.approx(-np.log(0.025), rel=1e-12)


def test_impossible_figures_become_nan_with_a_warning():
    with pytest.warns(InvalidValueWarning, match="2 value"):
        lower, _ = wilson_interval([11, -1, 5], [10, 10, 10])
    assert np.isnan(lower[:2]).all() and not np.isnan(lower[2])
    with pytest.warns(InvalidValueWarning):
        assert np.isnan(rate_interval(-3, 100).upper)
    with pytest.warns(InvalidValueWarning):
        assert np.isnan(byars_interval(-3).upper)


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5])
def test_a_confidence_level_outside_0_to_1_is_refused(confidence):
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 10, confidence)


def test_a_mean_needs_two_values():
    with pytest.warns(TooFewValuesWarning, match="1 mean"):
        lower, upper = mean_interval([[1.0, np.nan], [1.0, 3.0]])
    assert np.isnan(lower[0]) and np.isnan(upper[0]) and not np.isnan(lower[1])


def test_mean_interval_nan_policy():
    values = [[1.0, 2.0, np.nan], [1.0, 2.0, 4.0]]
    kept = mean_interval(values).value
    assert kept == pytest.approx([1.5, 7 / 3])
    propagated = mean_interval(values, nan_policy="propagate")
    assert np.isnan(propagated.value[0]) and propagated.value[1] == pytest.approx(7 / 3)
    with pytest.raises(ValueError, match="NaN"):
        mean_interval(values, nan_policy="raise")
