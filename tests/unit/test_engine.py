"""The comparison engine on small hand-made networks where the right answer is obvious."""

import numpy as np
import pytest

from bench import stats
from bench.compare import engine

K = 5


def network(values=None, numerators=None, denominators=None, *, counts=False, rate=False):
    data = np.array(values if values is not None else [np.nan] * len(numerators), dtype=float)
    shape = (len(data), 1)
    num = np.full(shape, np.nan) if numerators is None else np.array(numerators, float)[:, None]
    den = np.full(shape, np.nan) if denominators is None else np.array(denominators, float)[:, None]
    if numerators is not None:
        data = num[:, 0] / den[:, 0] * 100
    return engine.Network(
        authority_ids=np.arange(1, len(data) + 1),
        indicator_ids=np.array([1]),
        counts=np.array([counts]),
        rate=np.array([rate]),
        multiplier=np.array([100.0]),
        value=data[:, None],
        numerator=num,
        denominator=den,
    )


def one_group(size):
    return engine.Partition(np.zeros(size, dtype=int))


def test_robust_scores_find_the_exception_and_keep_the_rest_the_norm():
    # Median 35; absolute deviations 25, 15, 5, 5, 15, 165 -> MAD 15; spread 1.4826 x 15.
    # 200 scores 165 / 22.239 = 7.4: an exception, higher; 10 scores -1.12: the norm.
    result = engine.classify(network([10, 20, 30, 40, 50, 200]), one_group(6), K)
    assert result.median[:, 0].tolist() == [35.0] * 6
    assert result.z[5, 0] == pytest.approx(165 / (1.4826 * 15))
    assert result.z[0, 0] == pytest.approx(-25 / (1.4826 * 15))
    assert result.level[:, 0].tolist() == [0, 0, 0, 0, 0, engine.EXCEPTION]
    assert result.direction[5, 0] == 1
    assert result.method[0, 0] == engine.METHOD_ROBUST


def test_possible_exception_between_two_and_three():
    # Median (30 + 40) / 2 = 35; deviations 25, 15, 5, 5, 5, 32.5 -> MAD (5 + 15) / 2 = 10.
    # 67.5 scores 32.5 / 14.826 = 2.19: a possible exception.
    result = engine.classify(network([10, 20, 30, 40, 40, 67.5]), one_group(6), K)
    assert result.level[5, 0] == engine.POSSIBLE


def test_funnel_classification_against_the_pooled_value():
    # Five councils at 50 of 100 and one at 90 of 100: pooled 340 / 600 = 0.567.
    # 50/100: Wilson 95% interval 0.404 to 0.596 holds 0.567, the norm.
    # 90/100: Wilson 99.8% lower limit about 0.79, above 0.567, an exception, higher.
    data = network(numerators=[50, 50, 50, 50, 50, 90], denominators=[100] * 6, counts=True)
    result = engine.classify(data, one_group(6), K)
    assert result.target[0, 0] == pytest.approx(340 / 600 * 100)
    assert result.level[:, 0].tolist() == [0, 0, 0, 0, 0, engine.EXCEPTION]
    assert result.direction[5, 0] == 1 and result.method[5, 0] == engine.METHOD_FUNNEL


def test_fewer_than_k_peers_gives_no_classification():
    result = engine.classify(network([10, 20, 30, 40, 200]), one_group(5), K)
    assert result.peers[:, 0].tolist() == [4] * 5
    assert (result.level[:, 0] == engine.TOO_FEW_PEERS).all()


def test_missing_figures_are_not_peers_and_not_classified():
    result = engine.classify(network([10, 20, np.nan, 40, 50, 60, 70]), one_group(7), K)
    assert result.level[2, 0] == engine.NO_FIGURE
    assert result.peers[0, 0] == 5  # six figures, itself not counted


def test_partitions_keep_groups_apart():
    labels = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    values = [1, 2, 3, 4, 5, 6, 100, 200, 300, 400, 500, 600]
    result = engine.classify(network(values), engine.Partition(labels), K)
    assert result.median[:, 0].tolist() == [3.5] * 6 + [350.0] * 6


def test_lists_use_each_authoritys_own_peers():
    values = [10, 11, 12, 13, 14, 15, 1000]
    members = np.full((7, 5), -1)
    members[0] = [1, 2, 3, 4, 5]  # authority 0's peers: the five near it
    members[6] = [1, 2, 3, 4, 5]
    result = engine.classify(network(values), engine.Lists(members), K)
    assert result.median[0, 0] == 12.5  # 10..15
    assert result.level[6, 0] == engine.EXCEPTION  # 1000 against 11..15 and itself
    assert result.level[1, 0] == engine.TOO_FEW_PEERS  # no list of its own


def test_trends_set_each_slope_against_the_groups():
    # Five councils rise by 1 a year, one by 10: Theil-Sen gives exactly those slopes
    # (every pairwise slope is equal); the fast riser is an exception within its group.
    times = np.arange(2015.0, 2021.0)
    slopes = np.array([1, 1.1, 0.9, 1.05, 0.95, 10.0])
    cube = (times - 2015)[:, None, None] * slopes[None, :, None] + 50.0
    result = engine.trends(times, cube, {"type": one_group(6)}, K)
    assert result.slope[:, 0] == pytest.approx(slopes)
    assert result.p_value[5, 0] < 0.05  # six rising values: Mann-Kendall S = 15
    against = result.against_peers["type"]
    assert against.level[5, 0] == engine.EXCEPTION and against.direction[5, 0] == 1
    assert against.level[0, 0] == engine.NORM


def test_no_trend_from_fewer_than_three_figures():
    times = np.arange(2015.0, 2021.0)
    cube = np.full((6, 6, 1), np.nan)
    cube[:2, :, 0] = [[1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 7]]
    result = engine.trends(times, cube, {"type": one_group(6)}, K)
    assert np.isnan(result.slope).all()


def test_overdispersed_groups_widen_the_funnel():
    # Twelve councils with large denominators and proportions spread from 30% to 52%:
    # plain 99.8% limits around the pooled value flag most of them; chance explains far
    # less spread than this (phi well above 1 + 2 sqrt(2/12) = 1.82), so the limits are
    # widened by sqrt(phi) and only the council far from the rest stays an exception.
    denominators = [10_000] * 12
    rates = [0.30, 0.32, 0.34, 0.36, 0.38, 0.40, 0.41, 0.42, 0.44, 0.46, 0.48, 0.80]
    numerators = [r * d for r, d in zip(rates, denominators, strict=True)]
    data = network(numerators=numerators, denominators=denominators, counts=True)
    result = engine.classify(data, one_group(12), K)
    phi = result.phi[0, 0]
    # The same factor from the statistics module's own implementation of the method.
    pooled = sum(numerators) / sum(denominators)
    reference = stats.dispersion("proportion", numerators, denominators, pooled)
    assert phi == pytest.approx(reference.phi)
    assert reference.overdispersed
    assert (result.method[:, 0] == engine.METHOD_FUNNEL_ADJUSTED).all()
    assert result.level[11, 0] == engine.EXCEPTION and result.direction[11, 0] == 1
    plain_exceptions = (
        np.abs(stats.compare_to_benchmark("proportion", numerators, denominators, pooled)) == 2
    )
    assert plain_exceptions.sum() > (result.level[:, 0] == engine.EXCEPTION).sum()


def test_the_additive_adjustment_uses_the_between_area_variance():
    denominators = [10_000] * 12
    rates = [0.30, 0.32, 0.34, 0.36, 0.38, 0.40, 0.41, 0.42, 0.44, 0.46, 0.48, 0.80]
    numerators = [r * d for r, d in zip(rates, denominators, strict=True)]
    data = network(numerators=numerators, denominators=denominators, counts=True)
    result = engine.classify(data, one_group(12), K, adjustment="additive")
    pooled = sum(numerators) / sum(denominators)
    reference = stats.dispersion("proportion", numerators, denominators, pooled)
    assert result.tau2[0, 0] == pytest.approx(reference.tau2)
    assert result.adjustment == "additive"
    assert result.level[11, 0] == engine.EXCEPTION
    with pytest.raises(ValueError, match="adjustment"):
        engine.classify(data, one_group(12), K, adjustment="both")


# --- cells left out of group summaries (DESIGN.md, Anonymity 10) ----------------------------


def masked(numerators, denominators, excluded):
    data = network(numerators=numerators, denominators=denominators, counts=True)
    return engine.Network(**{**data.__dict__, "excluded": np.array(excluded)[:, None]})


def test_excluded_cells_stay_out_of_every_group_summary():
    # Six councils at 50 to 90 of 100 and one at 2 of 100 (shown as <5): left out, the
    # group's figures are those of the six alone, as if the small count were not there.
    numerators = [50, 55, 60, 65, 70, 90, 2]
    denominators = [100] * 7
    result = engine.classify(
        masked(numerators, denominators, [False] * 6 + [True]), one_group(7), K
    )
    alone = engine.classify(
        network(numerators=numerators[:6], denominators=denominators[:6], counts=True),
        one_group(6),
        K,
    )
    for name in ("target", "median", "lower_quartile", "upper_quartile"):
        assert getattr(result, name)[:, 0].tolist() == [getattr(alone, name)[0, 0]] * 7
    assert result.target[0, 0] == pytest.approx(390 / 600 * 100)  # not 392 / 700
    # Peers are contributors: the six count 5 each (themselves not counted); the council
    # left out counts all six.
    assert result.peers[:, 0].tolist() == [5] * 6 + [6]
    assert result.level[:6, 0].tolist() == alone.level[:, 0].tolist()


def test_a_council_left_out_is_still_judged_on_its_own_figure():
    # 2 of 100 against the others' pooled 65%: far below (Wilson 99.8% upper limit of
    # 2/100 is about 10%), an exception, lower.
    numerators = [50, 55, 60, 65, 70, 90, 2]
    result = engine.classify(masked(numerators, [100] * 7, [False] * 6 + [True]), one_group(7), K)
    assert result.level[6, 0] == engine.EXCEPTION and result.direction[6, 0] == -1


def test_group_figures_do_not_move_with_an_excluded_count():
    # The attack, tried: whatever the small count (1 to 4), the group's figures are the
    # same (eleven others, so that over-dispersion is judged too).
    others = [40, 45, 50, 52, 55, 60, 62, 65, 70, 80, 90]
    seen = set()
    for count in (1, 2, 3, 4):
        result = engine.classify(
            masked([*others, count], [100] * 12, [False] * 11 + [True]), one_group(12), K
        )
        seen.add(
            tuple(
                float(getattr(result, name)[0, 0])
                for name in ("target", "median", "lower_quartile", "upper_quartile", "phi")
            )
        )
    assert len(seen) == 1
    assert not np.isnan(next(iter(seen))).any()


def test_lists_leave_excluded_cells_out_too():
    numerators = [50, 55, 60, 65, 70, 90, 2]
    members = np.full((7, 6), -1)
    members[0] = [1, 2, 3, 4, 5, 6]  # authority 0's list holds the small count
    result = engine.classify(
        masked(numerators, [100] * 7, [False] * 6 + [True]), engine.Lists(members), K
    )
    assert result.target[0, 0] == pytest.approx(390 / 600 * 100)
    assert result.median[0, 0] == 62.5  # of 50, 55, 60, 65, 70, 90
    assert result.peers[0, 0] == 5


def test_no_mask_changes_nothing():
    numerators = [50, 55, 60, 65, 70, 90, 2]
    plain = engine.classify(
        network(numerators=numerators, denominators=[100] * 7, counts=True), one_group(7), K
    )
    empty = engine.classify(masked(numerators, [100] * 7, [False] * 7), one_group(7), K)
    assert plain.target[0, 0] == empty.target[0, 0] == pytest.approx(392 / 700 * 100)
    assert plain.peers[:, 0].tolist() == empty.peers[:, 0].tolist() == [6] * 7
