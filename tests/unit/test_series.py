"""Splitting a time series at its breaks (bench.series.segments)."""

from datetime import date

import pytest

from bench.series import segments

YEARS = [date(year, 4, 1) for year in range(2018, 2024)]  # 2018-19 to 2023-24


def test_no_breaks_one_segment():
    assert segments(YEARS, []) == [YEARS]


def test_a_break_starts_a_new_segment_at_its_period():
    # A definition change from 2021-22 on: 2018-19 to 2020-21, then 2021-22 to 2023-24.
    assert segments(YEARS, [date(2021, 4, 1)]) == [YEARS[:3], YEARS[3:]]


def test_several_breaks_in_any_order():
    breaks = [date(2022, 4, 1), date(2019, 4, 1)]
    assert segments(YEARS, breaks) == [YEARS[:1], YEARS[1:4], YEARS[4:]]


def test_a_break_between_period_starts_splits_before_the_next_period():
    # A break from 1 July 2020 (a quarter) in a series of financial years: 2020-21 began
    # before it and stays with the old series; 2021-22 is the first after it.
    assert segments(YEARS, [date(2020, 7, 1)]) == [YEARS[:3], YEARS[3:]]


def test_breaks_outside_the_series_split_nothing():
    assert segments(YEARS, [date(2010, 4, 1), date(2018, 4, 1), date(2030, 4, 1)]) == [YEARS]


def test_two_breaks_before_one_period_make_one_split():
    assert segments(YEARS, [date(2020, 7, 1), date(2021, 1, 1)]) == [YEARS[:3], YEARS[3:]]


def test_a_gap_in_the_series_is_not_a_break():
    gappy = [YEARS[0], YEARS[3], YEARS[5]]
    assert segments(gappy, []) == [gappy]


def test_items_are_split_by_their_key():
    values = [(start, float(number)) for number, start in enumerate(YEARS)]
    result = segments(values, [date(2020, 4, 1)], key=lambda pair: pair[0])
    assert result == [values[:2], values[2:]]


def test_empty_series():
    assert segments([], [date(2020, 4, 1)]) == []


@pytest.mark.parametrize("periods", [[YEARS[1], YEARS[0]], [YEARS[0], YEARS[0]]])
def test_periods_must_be_in_time_order(periods):
    with pytest.raises(ValueError, match="time order"):
        segments(periods, [])
