"""Issue prevalence: DESIGN.md's words and thresholds, and the Wilson interval."""

import numpy as np
import pytest

from bench.stats import InvalidValueWarning, PrevalenceLabel, prevalence
from tests.unit.stats_reference import rows


@pytest.mark.parametrize(
    ("reporting", "answering", "viewer_reports", "label"),
    [
        (5, 10, False, "the norm"),  # from 50%
        (10, 10, True, "the norm"),
        (2, 10, False, "common"),  # from 20%
        (4, 9, False, "common"),
        (1, 10, False, "uncommon"),
        (0, 10, False, "uncommon"),
        (0, 10, True, "only you"),  # the viewer reports it, no peer does
        (0, 0, True, "only you"),
        (0, 0, False, "no answers"),
    ],
)
def test_labels_follow_design(reporting, answering, viewer_reports, label):
    result = prevalence(reporting, answering, viewer_reports=viewer_reports)
    assert result.label == label
    assert label in set(PrevalenceLabel)


def test_the_interval_is_wilsons():
    row = next(
        row
        for row in rows("wilson_proportion_ci")
        if row["x"] == 65 and row["n"] == 100 and row["confidence"] == 0.95
    )
    proportion, lower, upper, label = prevalence(65, 100)
    assert proportion == pytest.approx(row["expected_value"])
    assert (lower, upper) == pytest.approx((row["expected_lower"], row["expected_upper"]), rel=1e-9)
    assert label == PrevalenceLabel.NORM


def test_whole_arrays_at_once():
    result = prevalence([0, 3, 0], [10, 10, 0], viewer_reports=[True, True, False])
    assert result.label.tolist() == ["only you", "common", "no answers"]
    assert result.proportion[:2] == pytest.approx([0, 0.3]) and np.isnan(result.proportion[2])
    assert np.isnan(result.lower[2]) and result.upper.shape == (3,)


def test_more_reporting_than_answering_is_impossible():
    with pytest.warns(InvalidValueWarning):
        result = prevalence(6, 5)
    assert np.isnan(result.proportion)
