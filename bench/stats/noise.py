"""Small, consistent noise on counts of peers: the ONS cell key method (DESIGN.md Anonymity 10).

Two views whose groups differ by one authority would otherwise give that authority's
answer away by subtraction. Each count is perturbed by a small amount drawn from a key
made from the set of authorities it counts, so the same set always gets the same figure
(asking again reveals nothing) while sets that differ by one member get unrelated noise.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bench.stats._checks import scalar

#: The largest change DESIGN.md's methods page promises for a count of peers.
DEFAULT_MAX_NOISE = 2


def cell_key(members: Iterable[int | str], secret: bytes) -> int:
    """A stable 64-bit key for a set of authorities, for `perturb_count`.

    Parameters
    ----------
    members : iterable of int or str
        The ids of the authorities a count counts (for "3 peers flag this", the three
        that flag it); order and repeats do not matter.
    secret : bytes
        A server-side secret, never shown. Without it anyone who can list candidate sets
        could compute each one's noise and test which set gives the figure shown, which
        is the differencing the noise is there to stop.

    Returns
    -------
    int
        A key in [0, 2**64): HMAC-SHA256 of the sorted, de-duplicated ids.

    Notes
    -----
    The ONS method sums random record keys held with each record; keying a hash of the
    member set by a secret gives the same property (same set, same key; any change to the
    set, an unrelated key) without storing a key per authority.
    """
    if not secret:
        raise ValueError("a cell key needs a non-empty secret")
    payload = "\n".join(sorted({str(member) for member in members})).encode()
    return int.from_bytes(hmac.digest(secret, payload, "sha256")[:8], "big")


def _mix(keys: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64's finaliser: spreads any key's bits evenly over all 64."""
    with np.errstate(over="ignore"):
        mixed = keys + np.uint64(0x9E3779B97F4A7C15)
        mixed = (mixed ^ (mixed >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        mixed = (mixed ^ (mixed >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return mixed ^ (mixed >> np.uint64(31))


_MASK = 0xFFFFFFFFFFFFFFFF


def _mix_one(key: int) -> int:
    """:func:`_mix` for one key, in Python's integers (modulo 2**64, as numpy's uint64)."""
    mixed = (key + 0x9E3779B97F4A7C15) & _MASK
    mixed = ((mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    mixed = ((mixed ^ (mixed >> 27)) * 0x94D049BB133111EB) & _MASK
    return mixed ^ (mixed >> 31)


def perturb_count(
    count: ArrayLike, key: ArrayLike, max_noise: int = DEFAULT_MAX_NOISE
) -> NDArray[np.int_]:
    """Counts of peers with small, consistent noise from the ONS cell key method.

    Parameters
    ----------
    count : array_like of int
        Exact counts (non-negative integers).
    key : int or array_like of int
        One key per count, in [0, 2**64): `cell_key` of the authorities counted.
    max_noise : int, optional
        The largest change to a count; 2 by default.

    Returns
    -------
    numpy.ndarray of int
        The perturbed counts. Each differs from the exact count by at most
        ``min(count, max_noise)``: never negative, 0 stays 0, and the same key and count
        always give the same figure.

    Notes
    -----
    With b = min(count, max_noise), the noise is U1 - U2 for two independent uniform
    integers on 0..b taken from the mixed key's two 32-bit halves: symmetric, mean 0,
    with P(d) = (b + 1 - |d|) / (b + 1)^2 (for b = 2: 0 with 3/9, +/-1 with 2/9 each,
    +/-2 with 1/9 each). Bounding the noise by the count itself keeps small counts
    unbiased and non-negative. The viewer's own figures are never perturbed.

    References
    ----------
    .. [1] Office for National Statistics (2022) Protecting personal data in Census 2021
       results (the cell key method and its perturbation table).
    .. [2] Fraser, B. and Wooton, J. (2005) A proposed method for confidentialising
       tabular output to protect against differencing. UNECE Work Session on Statistical
       Data Confidentiality, Geneva.
    """
    if max_noise < 0 or int(max_noise) != max_noise:
        raise ValueError("max_noise must be a non-negative whole number")
    if isinstance(count, int) and isinstance(key, int) and 0 <= key <= _MASK and count >= 0:
        # One count (a page's "n of your m peers"): the same arithmetic on Python's
        # integers, ten times faster than numpy's on 0-d arrays; the tests hold both equal.
        mixed = _mix_one(key)
        choices = min(count, int(max_noise)) + 1
        return count + (mixed & 0xFFFFFFFF) % choices - (mixed >> 32) % choices  # type: ignore[return-value]
    counts = np.asarray(count)
    if counts.size and not (np.all(counts >= 0) and np.all(np.mod(counts, 1) == 0)):
        raise ValueError("counts must be non-negative whole numbers")
    counts = counts.astype(np.int64)
    keys = np.asarray(key, dtype=np.uint64)
    counts, keys = np.broadcast_arrays(counts, keys)
    mixed = _mix(np.atleast_1d(keys)).reshape(keys.shape)
    choices = np.minimum(counts, int(max_noise)).astype(np.uint64) + np.uint64(1)
    low = (mixed & np.uint64(0xFFFFFFFF)) % choices
    high = (mixed >> np.uint64(32)) % choices
    return scalar(counts + low.astype(np.int64) - high.astype(np.int64))
