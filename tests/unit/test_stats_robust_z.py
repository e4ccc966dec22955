"""Robust z-scores, worked by hand from DESIGN.md's formula (value - median) / (1.4826 MAD)."""

import numpy as np
import pytest

from bench.stats import NoSpreadWarning, robust_z


def test_robust_z_worked_by_hand():
    # Median 3; absolute deviations 2, 1, 0, 1, 97, so MAD = 1; missing values ignored.
    scores = robust_z([1, 2, 3, 4, 100, np.nan])
    expected = np.array([-2, -1, 0, 1, 97]) / 1.4826
    assert scores[:5] == pytest.approx(expected)
    assert np.isnan(scores[5])


def test_an_even_number_of_values_uses_the_middle_two():
    # Median (2 + 4) / 2 = 3; deviations 2, 1, 1, 7 -> MAD (1 + 2) / 2 = 1.5.
    assert robust_z([1, 2, 4, 10]) == pytest.approx(np.array([-2, -1, 1, 7]) / (1.4826 * 1.5))


def test_each_row_is_its_own_group():
    scores = robust_z([[1, 2, 3, 4, 100], [10, 20, 30, 40, 1000]])
    assert scores.shape == (2, 5)
    assert scores[0] == pytest.approx(scores[1])
    assert robust_z([[1, 10], [2, 20], [3, 30]], axis=0)[:, 1] == pytest.approx(
        np.array([-10, 0, 10]) / (1.4826 * 10)
    )


def test_no_spread_gives_nan_with_a_warning():
    with pytest.warns(NoSpreadWarning, match="1 group"):
        scores = robust_z([[5, 5, 5, 6], [1, 2, 3, 4]])
    assert np.isnan(scores[0]).all() and not np.isnan(scores[1]).any()


def test_a_group_with_no_values_is_missing_without_a_warning():
    assert np.isnan(robust_z([np.nan, np.nan])).all()


def test_nan_policy():
    values = [[1, 2, 3, np.nan], [1, 2, 3, 4]]
    assert np.isnan(robust_z(values, nan_policy="propagate")[0]).all()
    assert not np.isnan(robust_z(values, nan_policy="propagate")[1]).any()
    with pytest.raises(ValueError, match="NaN"):
        robust_z(values, nan_policy="raise")
    with pytest.raises(ValueError, match="nan_policy"):
        robust_z(values, nan_policy="ignore")
