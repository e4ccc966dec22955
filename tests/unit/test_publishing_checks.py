"""The "far outside other councils' figures" range: Tukey's far-out fences (Tukey 1977,
Exploratory Data Analysis, ch. 2: "far out" beyond three interquartile ranges from the
quartiles), over the quartiles as shown, to the indicator's decimal places."""

from __future__ import annotations

import pytest

from bench.models import QueryReason
from bench.publishing.checks import Candidate, IndicatorRange, PeerRange, check, far_out_range


def test_fences_are_three_interquartile_ranges_beyond_the_quartiles():
    # q1 10, q3 14: IQR 4, so far out below -2 and above 26.
    assert far_out_range(10, 12, 14, 0) == (-2, 26)


def test_fences_use_the_statistics_as_shown():
    # Quartiles 862.8275 and 971.4975 show as 862.8 and 971.5 at one decimal place:
    # IQR 108.7, upper fence 971.5 + 326.1.
    low, high = far_out_range(862.8275, 917.95, 971.4975, 1)
    assert low == pytest.approx(862.8 - 326.1) and high == pytest.approx(1297.6)


def test_a_flat_group_is_measured_against_five_percent_of_its_median():
    assert far_out_range(100, 100, 100, 1) == pytest.approx((85, 115))
    # and at least one unit of the last decimal place shown
    assert far_out_range(0, 0, 0, 1) == pytest.approx((-0.3, 0.3))


def test_the_warning_names_the_period_compared_with():
    ranges = {1: IndicatorRange("COST", None, None)}
    candidates = [Candidate(1, 1, 3, 500.0), Candidate(2, 1, 4, 500.0), Candidate(3, 1, 5, 50.0)]
    peer_ranges = {(1, 3): PeerRange(80, 120), (1, 4): PeerRange(80, 120, "2022-23"), (1, 5): None}
    found = check(candidates, ranges, {}, peer_ranges)
    assert [(f.key, f.reason) for f in found] == [
        (1, QueryReason.FAR_FROM_PEERS),
        (2, QueryReason.FAR_FROM_PEERS),
    ]
    assert found[0].message.endswith("figures for the same period")
    assert "figures for 2022-23, the latest period released to peers" in found[1].message
