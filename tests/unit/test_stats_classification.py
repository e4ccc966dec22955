"""DESIGN.md's "norm or exception?" rule, case by case."""

import numpy as np
import pytest

from bench.stats import Classification as C
from bench.stats import Significance as S
from bench.stats import classify

SIGNIFICANCE = [
    S.ABOVE_99_8,
    S.ABOVE_95,
    S.NOT_SIGNIFICANT,
    S.BELOW_95,
    S.BELOW_99_8,
    S.NOT_COMPARED,
]


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        (
            1,
            [
                C.EXCEPTION_BETTER,
                C.POSSIBLE_EXCEPTION_BETTER,
                C.NORM,
                C.POSSIBLE_EXCEPTION_WORSE,
                C.EXCEPTION_WORSE,
            ],
        ),
        (
            -1,
            [
                C.EXCEPTION_WORSE,
                C.POSSIBLE_EXCEPTION_WORSE,
                C.NORM,
                C.POSSIBLE_EXCEPTION_BETTER,
                C.EXCEPTION_BETTER,
            ],
        ),
        (
            0,
            [
                C.EXCEPTION_HIGHER,
                C.POSSIBLE_EXCEPTION_HIGHER,
                C.NORM,
                C.POSSIBLE_EXCEPTION_LOWER,
                C.EXCEPTION_LOWER,
            ],
        ),
    ],
)
def test_limits_beyond_998_are_exceptions_between_95_and_998_possible_ones(polarity, expected):
    codes = classify(polarity, significance=SIGNIFICANCE)
    assert codes.tolist() == [*expected, C.NOT_CLASSIFIED]


def test_robust_z_within_2_is_the_norm_beyond_3_an_exception():
    scores = [0, 2, -2, 2.01, -3, 3.01, -3.01, np.nan]
    assert classify(1, robust_z=scores).tolist() == [
        C.NORM,
        C.NORM,
        C.NORM,
        C.POSSIBLE_EXCEPTION_BETTER,
        C.POSSIBLE_EXCEPTION_WORSE,
        C.EXCEPTION_BETTER,
        C.EXCEPTION_WORSE,
        C.NOT_CLASSIFIED,
    ]


def test_polarity_broadcasts_one_per_indicator():
    scores = np.array([[4.0, -2.5], [4.0, -2.5]])
    codes = classify(np.array([[1], [-1]]), robust_z=scores)
    assert codes.tolist() == [
        [C.EXCEPTION_BETTER, C.POSSIBLE_EXCEPTION_WORSE],
        [C.EXCEPTION_WORSE, C.POSSIBLE_EXCEPTION_BETTER],
    ]


def test_a_single_figure_gives_a_single_code():
    assert classify(1, significance=S.ABOVE_95) == C.POSSIBLE_EXCEPTION_BETTER


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="exactly one"):
        classify(1)
    with pytest.raises(ValueError, match="exactly one"):
        classify(1, significance=[0], robust_z=[0.0])
    with pytest.raises(ValueError, match="polarity"):
        classify(2, robust_z=[0.0])
    with pytest.raises(ValueError, match="codes"):
        classify(1, significance=[3])
