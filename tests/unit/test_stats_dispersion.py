"""Over-dispersion (Spiegelhalter 2005), worked by hand on a group built for round numbers."""

import math

import numpy as np
import pytest

from bench.stats import (
    TooFewValuesWarning,
    adjusted_funnel,
    dispersion,
    proportion_funnel,
    ratio_funnel,
    z_scores,
)

Z95 = 1.959963984540054  # Phi^-1(0.975)

# Ten areas each expecting 100 events, observed squares so that on the square-root scale
# (s = 1 / (2 sqrt 100) = 0.05) the z-scores are whole: (sqrt(O / 100) - 1) / 0.05.
OBSERVED = np.array([49, 64, 81, 81, 100, 100, 121, 121, 144, 169], dtype=float)
EXPECTED = np.full(10, 100.0)
Z = [-6, -4, -2, -2, 0, 0, 2, 2, 4, 6]
# Winsorised at the 10% and 90% quantiles (linear interpolation, position 0.9 and 8.1 of
# 0..9): -6 + 0.9 * 2 = -4.2 and 4 + 0.1 * 2 = 4.2.
PHI = (2 * 4.2**2 + 2 * 4**2 + 4 * 2**2) / 10  # 8.328
# DerSimonian-Laird with w = 1 / s^2 = 400 each: sum w - sum w^2 / sum w = 4000 - 400.
TAU2 = (10 * PHI - 9) / 3600


def test_z_scores_on_the_variance_stabilising_scale():
    assert z_scores("ratio", OBSERVED, EXPECTED, 1.0) == pytest.approx(Z)
    # Proportion 0.6 of 100 against 0.5: (asin(sqrt 0.6) - asin(sqrt 0.5)) * 2 * sqrt(100).
    assert z_scores("proportion", 60, 100, 0.5) == pytest.approx(
        (math.asin(math.sqrt(0.6)) - math.pi / 4) * 20
    )
    assert np.isnan(z_scores("rate", [5, np.nan], [0, 10], 0.5)).all()


def test_dispersion_worked_by_hand():
    estimate = dispersion("ratio", OBSERVED, EXPECTED, 1.0)
    assert estimate.phi == pytest.approx(PHI)
    assert estimate.tau2 == pytest.approx(TAU2)
    assert estimate.threshold == pytest.approx(1 + 2 * math.sqrt(2 / 10))
    assert estimate.count == 10 and estimate.overdispersed


def test_multiplicative_limits_worked_by_hand():
    limits = adjusted_funnel("ratio", OBSERVED, EXPECTED, 1.0, at=[100, 400])
    half = Z95 * math.sqrt(PHI) * np.array([0.05, 0.025])
    assert limits.adjustment == "multiplicative"
    assert limits.lower == pytest.approx((1 - half) ** 2)
    assert limits.upper == pytest.approx((1 + half) ** 2)


def test_additive_limits_worked_by_hand():
    limits = adjusted_funnel("ratio", OBSERVED, EXPECTED, 1.0, 0.998, method="additive")
    half = 3.090232306167813 * math.sqrt(0.05**2 + TAU2)  # Phi^-1(0.999)
    assert limits.adjustment == "additive" and limits.confidence == 0.998
    assert limits.lower == pytest.approx(np.full(10, (1 - half) ** 2))
    assert limits.upper == pytest.approx(np.full(10, (1 + half) ** 2))
    assert limits.dispersion.tau2 == pytest.approx(TAU2)


def test_a_group_within_chance_keeps_the_plain_limits():
    observed = np.array([95, 105, 100, 98, 102, 100, 99, 101, 100, 100], dtype=float)
    limits = adjusted_funnel("ratio", observed, EXPECTED, 1.0)
    assert limits.adjustment == "none" and not limits.dispersion.overdispersed
    np.testing.assert_allclose(np.array(limits), np.array(ratio_funnel(EXPECTED)))
    proportions = adjusted_funnel("proportion", observed / 2, EXPECTED, 0.5, at=[50, 500])
    np.testing.assert_allclose(np.array(proportions), np.array(proportion_funnel(0.5, [50, 500])))


def test_limits_stay_on_the_scale():
    # A proportion's limits never leave [0, 1], a ratio's never go below 0.
    numerators = np.array([0, 2, 5, 10, 20, 30, 40, 45, 48, 50], dtype=float)
    limits = adjusted_funnel("proportion", numerators, np.full(10, 50.0), 0.5, at=[1, 10, 1000])
    assert (limits.lower >= 0).all() and (limits.upper <= 1).all()
    assert limits.lower[0] == 0 and limits.upper[0] == 1
    ratio = adjusted_funnel("ratio", OBSERVED, EXPECTED, 1.0, at=[0.5])
    assert ratio.lower[0] == 0


def test_few_areas_are_questionable():
    with pytest.warns(TooFewValuesWarning, match="only 4 areas"):
        estimate = dispersion("ratio", OBSERVED[:4], EXPECTED[:4], 1.0)
    assert estimate.count == 4
    with pytest.warns(TooFewValuesWarning):
        assert np.isnan(dispersion("ratio", [5], [5], 1.0).phi)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="method"):
        adjusted_funnel("ratio", OBSERVED, EXPECTED, 1.0, method="both")
    with pytest.raises(ValueError, match="kind"):
        dispersion("mean", OBSERVED, EXPECTED, 1.0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        z_scores("proportion", 1, 2, 50)
    with pytest.raises(ValueError, match="positive"):
        z_scores("rate", 1, 2, 0)
