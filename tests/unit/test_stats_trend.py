"""Theil-Sen slopes and Mann-Kendall p-values: worked by hand and checked against scipy.stats."""

import math

import numpy as np
import pytest
from scipy import stats

from bench.stats import TooFewValuesWarning, Trend, trend


def _two_sided(z):
    return math.erfc(abs(z) / math.sqrt(2))


def test_a_steady_rise_worked_by_hand():
    # 5 values rising by 1: every pair slope 1; S = 10 pairs up; no ties, so
    # var(S) = n(n - 1)(2n + 5) / 18 = 5 * 4 * 15 / 18; tau = 1.
    result = trend([0, 1, 2, 3, 4], [1, 2, 3, 4, 5])
    assert isinstance(result, Trend)
    slope, p_value = result
    assert slope == 1
    assert p_value == pytest.approx(_two_sided(10 / math.sqrt(5 * 4 * 15 / 18)), rel=1e-12)
    assert result.tau == 1 and result.intercept == 1 and result.count == 5


def test_ties_worked_by_hand():
    # Values 1, 2, 2, 3: pair slopes 1, 0.5, 2/3, 0, 0.5, 1, median (0.5 + 2/3) / 2.
    # S = 5 (five pairs up, one tied); one tie group of 2 takes 2 * 1 * 9 off the variance:
    # var = (4 * 3 * 13 - 18) / 18. tau-b = 5 / sqrt(6 * (6 - 1)).
    result = trend([0, 1, 2, 3], [1, 2, 2, 3])
    assert result.slope == pytest.approx((0.5 + 2 / 3) / 2)
    assert result.p_value == pytest.approx(_two_sided(5 / math.sqrt((156 - 18) / 18)), rel=1e-12)
    assert result.tau == pytest.approx(5 / math.sqrt(30))
    assert result.intercept == pytest.approx(2 - result.slope * 1.5)


@pytest.mark.parametrize("seed", range(6))
def test_every_series_matches_scipy_one_at_a_time(seed):
    generator = np.random.default_rng(seed)
    periods = np.array([2012, 2013, 2014, 2015, 2017, 2018, 2019, 2020, 2021, 2023], dtype=float)
    # Rounded so that ties occur; gaps where a council did not publish.
    values = np.round(generator.normal(size=(50, periods.size)) + 0.2 * np.arange(10), 0)
    values[generator.random(values.shape) < 0.15] = np.nan
    values[:, :2][generator.random((50, 2)) < 0.5] = np.nan
    result = trend(periods, values)
    for row, series in enumerate(values):
        present = ~np.isnan(series)
        if present.sum() < 3 or np.unique(series[present]).size < 2:
            continue
        theil_sen = stats.theilslopes(series[present], periods[present])
        kendall = stats.kendalltau(periods[present], series[present], method="asymptotic")
        assert result.slope[row] == pytest.approx(theil_sen.slope, rel=1e-12, abs=1e-12)
        assert result.intercept[row] == pytest.approx(theil_sen.intercept, rel=1e-9, abs=1e-9)
        assert result.p_value[row] == pytest.approx(kendall.pvalue, rel=1e-9)
        assert result.tau[row] == pytest.approx(kendall.statistic, rel=1e-12)
        assert result.count[row] == present.sum()


def test_the_order_of_the_periods_does_not_matter():
    generator = np.random.default_rng(7)
    values = np.round(generator.normal(size=(20, 8)), 1)
    order = generator.permutation(8)
    forwards = trend(np.arange(8), values)
    shuffled = trend(np.arange(8)[order], values[:, order])
    for name in ("slope", "p_value", "tau", "intercept"):
        assert getattr(shuffled, name) == pytest.approx(getattr(forwards, name))


def test_shapes_one_series_gives_scalars_and_more_dimensions_are_kept():
    single = trend([1, 2, 3], [3.0, 1.0, 2.0])
    assert np.ndim(single.slope) == np.ndim(single.p_value) == 0
    many = trend(np.arange(4), np.arange(24, dtype=float).reshape(2, 3, 4))
    assert many.slope.shape == many.p_value.shape == many.count.shape == (2, 3)
    assert (many.slope == 1).all()


def test_series_with_fewer_than_two_values_have_no_trend():
    with pytest.warns(TooFewValuesWarning, match="2 series"):
        result = trend([0, 1, 2], [[np.nan, 1, np.nan], [np.nan] * 3, [1, 2, 3]])
    assert np.isnan(result.slope[:2]).all() and np.isnan(result.p_value[:2]).all()
    assert result.slope[2] == 1 and result.count.tolist() == [1, 0, 3]


def test_a_flat_series_has_a_zero_slope_and_no_p_value():
    # All values tied: S = 0 and var(S) = 0, as scipy's kendalltau returns NaN.
    result = trend([0, 1, 2, 3], [5, 5, 5, 5])
    assert result.slope == 0 and np.isnan(result.p_value) and np.isnan(result.tau)


def test_nan_policy():
    values = [[1, 2, np.nan, 4], [1, 2, 3, 4]]
    assert trend(range(4), values).slope.tolist() == [1, 1]
    propagated = trend(range(4), values, nan_policy="propagate")
    assert np.isnan(propagated.slope[0]) and propagated.slope[1] == 1
    with pytest.raises(ValueError, match="NaN"):
        trend(range(4), values, nan_policy="raise")


@pytest.mark.parametrize("periods", [[0, 1, 1], [0, 1, np.nan], [[0, 1, 2]]])
def test_periods_must_be_distinct_numbers(periods):
    with pytest.raises(ValueError, match="periods"):
        trend(periods, [1, 2, 3])
    with pytest.raises(ValueError, match="at least 2 periods"):
        trend([2020], [[1.0], [2.0]])


def test_values_need_one_column_per_period():
    with pytest.raises(ValueError, match="one column per period"):
        trend([0, 1, 2], [[1, 2], [3, 4]])
