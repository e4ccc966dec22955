"""Anonymity rules as plain functions (DESIGN.md, Anonymity 3, 4, 9 and 10)."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from bench.disclosure import (
    CandidateGroup,
    DenominatorBand,
    admit,
    conflict_size,
    denominator_bands,
    group_statistic_allowed,
    peer_count_text,
    rounded_denominator,
    shown,
    shown_interval,
    significant,
    small_counts,
)

K = 5


def group(key, peers):
    return CandidateGroup(key, key, frozenset(peers))


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (range(15), range(15), 0),  # the same group: nothing to difference
        (range(15), range(14), 1),  # one member apart: that member's figures leak
        (range(15), range(11), 4),  # k - 1 apart: still a leak
        (range(15), range(10), 0),  # k apart: as anonymous as any group statistic
        (range(10), range(100, 120), 0),  # disjoint groups reveal nothing by difference
        (range(3), range(40), 0),  # the small group has nothing the big one lacks; 37 apart
        (range(12), [*range(10), 50, 51], 2),  # each lacks 2 of the other's
    ],
)
def test_conflicts_when_1_to_k_minus_1_members_differ(first, second, expected):
    assert conflict_size(frozenset(first), frozenset(second), K) == expected


def test_groups_are_admitted_in_order_each_against_those_before():
    neighbours = group("neighbours", range(15))
    same_type = group("same type", range(14))  # the neighbours minus one council
    region = group("region", range(100, 130))
    everyone = group("all", range(200))
    result = admit([neighbours, same_type, region, everyone], K)
    assert [a.admitted for a in result] == [True, False, True, True]
    assert result[1].conflicts_with is neighbours and result[1].differing == 1


def test_a_withheld_group_does_not_block_later_ones():
    first = group("a", range(15))
    blocked = group("b", range(14))
    later = group("c", range(13))  # conflicts with a (2 apart), not judged against b
    result = admit([first, blocked, later], K)
    assert [a.admitted for a in result] == [True, False, False]
    assert result[2].conflicts_with is first


def test_k_counts_peers_only():
    assert not group_statistic_allowed(4, k=5)
    assert group_statistic_allowed(5, k=5)


@pytest.mark.parametrize(
    ("count", "text"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (1234, "1,234"), (None, "–")]
)
def test_small_counts_are_shown_as_under_five(count, text):
    assert peer_count_text(count) == text


@pytest.mark.parametrize(
    ("denominator", "rounded"),
    [(278794, 280000), (10796, 11000), (550, 550), (94, 94), (1.234, 1.2), (0, 0)],
)
def test_denominators_to_two_significant_figures(denominator, rounded):
    assert rounded_denominator(denominator) == rounded


def test_a_group_below_k_is_not_admitted_and_blocks_nothing():
    tiny = group("tiny", range(2))
    bigger = group("bigger", range(6))  # 4 apart from tiny, but tiny shows nothing
    result = admit([tiny, bigger], K)
    assert [a.admitted for a in result] == [False, True]
    assert result[0].conflicts_with is None


# --- rule 10: precision ------------------------------------------------------------------


def published(decimals):
    return SimpleNamespace(decimals=decimals)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (45.311645, 1, 45.3),  # 7,919 / 17,477: the full figure is an exact fraction
        (685.8110289317561, 0, 686.0),
        (0.08103727714748785, 2, 0.08),
        (-0.04, 1, 0.0),
        (12.25, 1, 12.2),  # as the page prints it (binary 12.25 rounds half to even)
        (None, 1, None),
        (math.nan, 1, None),
        (math.inf, 1, None),
    ],
)
def test_figures_about_peers_leave_at_the_published_decimals(value, decimals, expected):
    figure = shown(value, published(decimals))
    assert figure == expected
    if figure is not None:
        assert repr(figure) != "-0.0"
        # The same figure the page prints for it.
        assert f"{figure:.{decimals}f}" == f"{value:.{decimals}f}".replace("-0.0", "0.0")


def test_intervals_are_rounded_end_by_end():
    assert shown_interval((11.04999, 15.7712), published(1)) == (11.0, 15.8)
    assert shown_interval(None, published(1)) is None
    assert shown_interval((math.nan, 2.0), published(1)) is None


def test_significant_figures():
    assert significant(39.69132552040812) == 40.0
    assert significant(0.0012345) == 0.0012
    assert significant(None) is None


def test_small_counts_element_wise():
    counts = np.array([np.nan, 0, 1, 4, 5, 1234])
    assert small_counts(counts).tolist() == [False, False, True, True, False, False]


# --- rule 10: denominators in bands -------------------------------------------------------


def test_a_worked_example_of_bands():
    # 987 is alone in 500 to 1,000, so it joins its neighbours in 1,000 to 2,000.
    bands = denominator_bands([987, 1010, 1049, 1100, 1190, 1234], 5)
    assert set(bands) == {DenominatorBand(500, 2000)}
    assert bands[0].middle == 1000


def test_two_bands_of_five():
    bands = denominator_bands([150, 160, 170, 180, 190, 1500, 1600, 1700, 1800, 1900], 5)
    assert bands == [DenominatorBand(100, 200)] * 5 + [DenominatorBand(1000, 2000)] * 5


def test_a_last_band_short_of_k_joins_the_one_below():
    bands = denominator_bands([110, 120, 130, 140, 150, 3000], 5)
    assert set(bands) == {DenominatorBand(100, 5000)}


def test_fewer_than_k_denominators_show_none():
    assert denominator_bands([100, 200, 300, 400], 5) == [None] * 4
    assert denominator_bands([100, None, 300, math.nan, 0, 500, 600], 5) == [None] * 7


def test_peers_without_a_denominator_have_no_band():
    bands = denominator_bands([None, 100, 110, 120, 130, 140], 5)
    assert bands[0] is None and set(bands[1:]) == {DenominatorBand(100, 200)}


def _nice(number):
    mantissa = number / 10 ** math.floor(math.log10(number) + 1e-9)
    return any(math.isclose(mantissa, step) for step in (1, 2, 5, 10))


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("k", [3, 5, 8])
def test_every_band_holds_k_peers_and_has_nice_edges(seed, k):
    # Populations from hundreds to a million, as councils' denominators are.
    rng = np.random.default_rng(seed)
    size = int(rng.integers(k, 160))
    denominators = np.exp(rng.uniform(np.log(50), np.log(2_000_000), size)).round()
    bands = denominator_bands(list(denominators), k)
    held = {}
    for denominator, band in zip(denominators, bands, strict=True):
        assert band.low <= denominator < band.high
        held[band] = held.get(band, 0) + 1
    assert all(count >= k for count in held.values())
    assert all(_nice(band.low) and _nice(band.high) for band in held)
    ordered = sorted(held, key=lambda band: band.low)
    assert all(a.high <= b.low for a, b in zip(ordered, ordered[1:], strict=False))
