"""Anonymity rules as plain functions (DESIGN.md, Anonymity 3, 4, 9 and 10)."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from bench.disclosure import (
    DenominatorBand,
    admit_by_atoms,
    admit_network,
    denominator_bands,
    group_statistic_allowed,
    peer_count_text,
    shown,
    shown_interval,
    signatures,
    significant,
    small_counts,
)

K = 5
PEERS = 200


def groups(*members):
    """(G, P) memberships from lists of peer indices, in admission order."""
    matrix = np.zeros((len(members), PEERS), dtype=bool)
    for row, peers in enumerate(members):
        matrix[row, list(peers)] = True
    return matrix


def admitted(memberships, contributors=None, k=K):
    """Admission for one column (every peer contributes unless told otherwise)."""
    if contributors is None:
        contributors = np.ones(PEERS, dtype=bool)
    result = admit_by_atoms(signatures(memberships), contributors[:, None], len(memberships), k)
    return result[:, 0].tolist()


def test_three_groups_pairwise_far_apart_still_isolate_one_council():
    # DESIGN.md's Lancashire and Cumbria: neighbours, same type, same region, every pair
    # at least five apart, yet peer 0 alone is in type and region but not the neighbours.
    neighbours = range(1, 16)
    same_type = [0, *range(1, 10), *range(20, 30)]
    same_region = [0, *range(1, 5), *range(40, 50)]
    memberships = groups(neighbours, same_type, same_region)
    for a, b in ((0, 1), (0, 2), (1, 2)):  # the old pairwise rule admitted all three
        first, second = set(np.flatnonzero(memberships[a])), set(np.flatnonzero(memberships[b]))
        assert len(first - second) >= K and len(second - first) >= K
    assert admitted(memberships) == [True, True, False]


def test_the_four_group_attack_is_caught():
    # P + Q - U - D = {x}: each pair five or more apart, x alone in its atom.
    x = 0
    a, b, c, d = (list(range(s, s + 6)) for s in (10, 20, 30, 40))
    p, q = [x, *a, *b], [*c, *d]
    u, dd = [*a, *c], [*b, *d]
    assert admitted(groups(p, q, u, dd)) == [True, True, True, False]


def test_atoms_count_only_contributing_peers():
    # Two groups five apart, but only two of the five contribute a figure.
    first = range(0, 20)
    second = range(5, 20)
    contributors = np.ones(PEERS, dtype=bool)
    assert admitted(groups(first, second), contributors) == [True, True]
    contributors[[2, 3, 4]] = False
    assert admitted(groups(first, second), contributors) == [True, False]
    # None of the five contributes: nothing to give away, so both are shown.
    contributors[[0, 1]] = False
    assert admitted(groups(first, second), contributors) == [True, True]


def test_a_group_with_fewer_than_k_contributors_is_not_admitted_and_blocks_nothing():
    tiny = range(0, 3)
    bigger = range(0, 9)  # 6 beyond the tiny group: fine once the tiny one is out
    assert admitted(groups(tiny, bigger)) == [False, True]


def test_columns_are_judged_separately_and_in_order():
    neighbours, same_type = range(0, 15), range(0, 14)  # one council apart
    contributors = np.ones((PEERS, 3), dtype=bool)
    contributors[14, 1] = False  # the council between them has no figure in column 1
    contributors[0:5, 2] = False  # column 2: five fewer in both groups
    memberships = groups(neighbours, same_type)
    result = admit_by_atoms(signatures(memberships), contributors, 2, K)
    assert result.tolist() == [[True, True, True], [False, True, False]]


def test_the_viewer_and_peers_in_no_group_are_ignored():
    memberships = groups(range(10, 30))
    assert admitted(memberships) == [True]  # peers 0-9 and 30+ are in no group: no atom


def test_every_viewer_at_once_agrees_with_one_at_a_time():
    rng = np.random.default_rng(7)
    viewers = 30
    memberships = rng.random((viewers, 4, PEERS)) < rng.uniform(0.05, 0.6, (viewers, 4, 1))
    for viewer in range(viewers):
        memberships[viewer, :, viewer] = False  # a viewer is never its own peer
    rows = np.stack([signatures(m) for m in memberships])
    contributors = rng.random((PEERS, 6)) < 0.9
    together = admit_network(rows, contributors, 4, K)
    for viewer in range(viewers):
        alone = admit_by_atoms(rows[viewer], contributors, 4, K)
        assert (together[viewer] == alone).all()


def test_random_networks_never_leave_an_atom_of_1_to_k_minus_1():
    rng = np.random.default_rng(20261206)
    for _ in range(200):
        count = int(rng.integers(2, 7))
        memberships = rng.random((count, 60)) < rng.uniform(0.1, 0.9, size=(count, 1))
        contributors = rng.random((60, 4)) < 0.8
        result = admit_by_atoms(signatures(memberships), contributors, count, K)
        for column in range(4):
            shown = memberships[result[:, column]]
            if not len(shown):
                continue
            patterns = {}
            for peer in np.flatnonzero(shown.any(axis=0) & contributors[:, column]):
                key = tuple(shown[:, peer])
                patterns[key] = patterns.get(key, 0) + 1
            assert all(n >= K for n in patterns.values()), patterns
            # and greedy: a refused group would have broken an atom with those before it
            for group in np.flatnonzero(~result[:, column]):
                before = [g for g in range(group) if result[g, column]]
                trial = memberships[[*before, group]]
                patterns = {}
                for peer in np.flatnonzero(trial.any(axis=0) & contributors[:, column]):
                    key = tuple(trial[:, peer])
                    patterns[key] = patterns.get(key, 0) + 1
                assert any(0 < n < K for n in patterns.values())


def test_k_counts_peers_only():
    assert not group_statistic_allowed(4, k=5)
    assert group_statistic_allowed(5, k=5)


@pytest.mark.parametrize(
    ("count", "text"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (1234, "1,234"), (None, "–")]
)
def test_small_counts_are_shown_as_under_five(count, text):
    assert peer_count_text(count) == text


def _greedy_by_hand(memberships, contributors, k=K):
    """The rule as DESIGN.md states it, with sets: the reference for the array version."""
    shown = []
    for group in range(len(memberships)):
        trial = [*shown, group]
        atoms = {}
        for peer in np.flatnonzero(memberships[trial].any(axis=0) & contributors):
            key = tuple(memberships[trial, peer])
            atoms[key] = atoms.get(key, 0) + 1
        if all(n >= k for n in atoms.values()):
            shown.append(group)
    return [group in shown for group in range(len(memberships))]


def test_many_custom_groups_take_the_one_viewer_path_and_agree_with_the_rule():
    # 30 groups make far more atoms than fit one number per column: the slow path.
    rng = np.random.default_rng(11)
    memberships = rng.random((30, PEERS)) < 0.5
    contributors = rng.random((PEERS, 3)) < 0.9
    result = admit_by_atoms(signatures(memberships), contributors, 30, K)
    for column in range(3):
        assert result[:, column].tolist() == _greedy_by_hand(memberships, contributors[:, column])


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
