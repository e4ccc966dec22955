"""Quartiles and Fingertips quantile bands, against worked examples of the methods."""

import numpy as np
import pytest

from bench.stats import quantile_bands, quartiles


def test_quantile_bands_follow_the_phe_formula_worked_by_hand():
    # PHEindicatormethods phe_quantile: band = floor((n+1) - ceil(((N+1) - rank) / (N/n))).
    # For N = 10 values ranked 1..10 into n = 4 bands (N/n = 2.5), by hand:
    # rank 1: ceil(10/2.5)=4 -> 1; rank 3: ceil(3.2)=4 -> 1; rank 4: ceil(2.8)=3 -> 2;
    # rank 6: ceil(2.0)=2 -> 3; rank 8: ceil(1.2)=2 -> 3; rank 9: ceil(0.8)=1 -> 4.
    values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert quantile_bands(values, 4).tolist() == [1, 1, 1, 2, 2, 3, 3, 3, 4, 4]


def test_invert_puts_the_highest_values_in_band_one():
    values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    # adjusted value = max - value, so 100 ranks first.
    assert quantile_bands(values, 4, invert=True).tolist() == [4, 4, 3, 3, 3, 2, 2, 1, 1, 1]


def test_ties_share_the_minimum_rank_and_so_a_band():
    bands = quantile_bands([1, 2, 2, 2, 2, 3, 4, 5], 4)
    assert len(set(bands[1:5])) == 1


def test_missing_values_get_band_zero_and_do_not_count():
    bands = quantile_bands([np.nan, 10, 20, 30, 40], 4)
    assert bands.tolist() == [0, 1, 2, 3, 4]


def test_fewer_values_than_bands_assigns_none():
    assert quantile_bands([1, 2, 3], 4).tolist() == [0, 0, 0]


def test_quartiles_match_excel_quartile_inc():
    # Excel: QUARTILE.INC({1,2,3,4,5,6,7,8,9,10}, 1) = 3.25, 2 -> 5.5, 3 -> 7.75
    result = quartiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan])
    assert result == pytest.approx((3.25, 5.5, 7.75, 10))


def test_quartiles_of_nothing_are_missing():
    result = quartiles([np.nan])
    assert result.count == 0 and np.isnan(result.median)
