"""Statistical neighbours: k nearest on standardised context figures, never oneself."""

import numpy as np
import pytest

from bench.stats import TooFewValuesWarning, nearest_neighbours


def test_nearest_on_one_figure_worked_by_hand():
    # Distances along a line 0, 1, 3, 6, 10 (standardising scales them all alike).
    context = np.array([[0.0], [1.0], [3.0], [6.0], [10.0]])
    assert nearest_neighbours(context, k=2).tolist() == [[1, 2], [0, 2], [1, 0], [2, 4], [3, 2]]


def test_ties_go_to_the_lower_index():
    # Rows 1 and 2 are the same, so they are equally far from everyone else.
    context = [[0.0, 0.0], [1.0, 1.0], [1.0, 1.0], [5.0, 5.0]]
    neighbours = nearest_neighbours(context, k=3)
    assert neighbours[0].tolist() == [1, 2, 3]
    assert neighbours[3].tolist() == [1, 2, 0]
    assert neighbours[1][0] == 2 and neighbours[2][0] == 1


def test_figures_are_standardised_so_units_do_not_matter():
    generator = np.random.default_rng(3)
    context = generator.normal(size=(30, 3))
    rescaled = context * [1000.0, 1.0, 0.01] + [5e5, 0, -3]
    assert (nearest_neighbours(context, k=5) == nearest_neighbours(rescaled, k=5)).all()


def test_weights_shift_the_balance_and_zero_leaves_a_figure_out():
    generator = np.random.default_rng(4)
    context = generator.normal(size=(25, 2))
    first_only = nearest_neighbours(context[:, :1], k=4)
    assert (nearest_neighbours(context, k=4, weights=[1, 0]) == first_only).all()


def test_missing_figures_use_what_both_have_and_nobody_is_their_own_neighbour():
    context = [[0.0, 0.0], [1.0, np.nan], [5.0, 5.0], [np.nan, np.nan]]
    with pytest.warns(TooFewValuesWarning, match="fewer than 2 neighbours"):
        neighbours = nearest_neighbours(context, k=2)
    assert neighbours[1].tolist() == [0, 2]  # compared on the first figure alone
    assert neighbours[3].tolist() == [-1, -1]  # shares no figure with anyone
    assert all(row not in neighbours[row] for row in range(4))
    assert 3 not in neighbours


def test_asking_for_more_neighbours_than_there_are_others_pads_with_minus_one():
    with pytest.warns(TooFewValuesWarning):
        neighbours = nearest_neighbours([[0.0], [1.0], [2.0]], k=15)
    assert neighbours.shape == (3, 15)
    assert neighbours[0, :2].tolist() == [1, 2] and (neighbours[:, 2:] == -1).all()


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="2-D"):
        nearest_neighbours([1.0, 2.0])
    with pytest.raises(ValueError, match="weights"):
        nearest_neighbours([[1.0, 2.0]], weights=[1.0])
    with pytest.raises(ValueError, match="weights"):
        nearest_neighbours([[1.0, 2.0]], weights=[1.0, -1.0])
