"""Anonymity rules as plain functions (DESIGN.md, Anonymity 3, 4 and 9)."""

import pytest

from bench.disclosure import (
    CandidateGroup,
    admit,
    conflict_size,
    group_statistic_allowed,
    peer_count_text,
    rounded_denominator,
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
