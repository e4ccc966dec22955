"""Cell-key noise on counts of peers (DESIGN.md Anonymity 10): bounded, consistent, keyed by set."""

import numpy as np
import pytest

from bench.stats import cell_key, perturb_count

SECRET = b"test secret"


def test_the_key_depends_on_the_set_not_its_order_or_repeats():
    assert cell_key([3, 1, 2], SECRET) == cell_key([1, 2, 3, 3], SECRET)
    assert cell_key([1, 2, 3], SECRET) != cell_key([1, 2, 3, 4], SECRET)
    assert cell_key([1, 2, 3], SECRET) != cell_key([1, 2, 3], b"another secret")
    assert 0 <= cell_key([1], SECRET) < 2**64
    with pytest.raises(ValueError, match="secret"):
        cell_key([1], b"")


def test_noise_is_bounded_by_max_noise_and_by_the_count_itself():
    counts = np.repeat(np.arange(8), 500)
    keys = np.arange(counts.size, dtype=np.uint64) * 7919
    noisy = perturb_count(counts, keys, max_noise=2)
    change = noisy - counts
    assert np.abs(change).max() == 2
    assert (np.abs(change) <= np.minimum(counts, 2)).all()
    assert (noisy >= 0).all()
    assert (noisy[counts == 0] == 0).all()


def test_the_same_set_always_gets_the_same_figure():
    key = cell_key(["E06000001", "E06000002", "E06000003"], SECRET)
    first = perturb_count([7, 7, 7], key)
    assert (first == first[0]).all()
    assert perturb_count(7, key) == first[0]


def test_noise_is_symmetric_with_the_documented_shares():
    # b = 2: U1 - U2 for two uniforms on 0..2 -> 0 with 3/9, +-1 with 2/9, +-2 with 1/9.
    keys = np.arange(90_000, dtype=np.uint64)
    change = perturb_count(np.full(keys.size, 10), keys) - 10
    shares = [np.mean(change == value) for value in (-2, -1, 0, 1, 2)]
    assert shares == pytest.approx([1 / 9, 2 / 9, 3 / 9, 2 / 9, 1 / 9], abs=0.01)


def test_no_noise_when_max_noise_is_zero():
    assert perturb_count([0, 3, 9], [1, 2, 3], max_noise=0).tolist() == [0, 3, 9]


@pytest.mark.parametrize("count", [-1, 1.5])
def test_counts_must_be_whole_and_non_negative(count):
    with pytest.raises(ValueError, match="counts"):
        perturb_count(count, 1)


def test_one_count_gives_what_the_arrays_give():
    """A page perturbs one count at a time (Python's integers, for speed); the whole-array
    path is the rule: both must agree on every count and key, the extremes included."""
    rng = np.random.default_rng(20261206)
    keys = np.concatenate(
        [rng.integers(0, 2**64, size=20_000, dtype=np.uint64),
         np.array([0, 1, 2**32 - 1, 2**32, 2**63, 2**64 - 1], dtype=np.uint64)]
    )  # fmt: skip
    counts = rng.integers(0, 400, size=keys.size)
    counts[:50] = np.arange(50) % 4  # the small counts, where the bound is the count itself
    for max_noise in (2, 0, 5):
        wanted = perturb_count(counts, keys, max_noise=max_noise)
        assert [
            perturb_count(int(count), int(key), max_noise=max_noise)
            for count, key in zip(counts, keys, strict=True)
        ] == wanted.tolist()
