"""Who may see what: the anonymity rules of DESIGN.md applied before anything is shown.

Every figure about peers passes through here before a view, an API response or an export
serialises it. The rules themselves are plain functions over sets and numbers, so each
can be tested on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
from flask import current_app

from bench import stats

SMALL_COUNT_MAX = 4  # a peer's counts from 1 to this are shown as "<5"


def min_peers() -> int:
    """k: the fewest peers a group statistic may come from (never below 3)."""
    return max(3, int(current_app.config["ANONYMITY_MIN_PEERS"]))


def group_statistic_allowed(peer_count: int, k: int | None = None) -> bool:
    """Rule 3: a group statistic needs k contributing peers, the viewer not counted."""
    return peer_count >= (min_peers() if k is None else k)


# --- rule 4: small numbers ----------------------------------------------------------------


def peer_count_text(count: float | None, small: int = SMALL_COUNT_MAX) -> str:
    """A peer's count as it may be shown: 1 to 4 become "<5" (0 is not small)."""
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return "–"
    if 0 < count <= small:
        return f"<{small + 1}"
    return f"{count:,.0f}"


def is_small(count: float | None, small: int = SMALL_COUNT_MAX) -> bool:
    return count is not None and not math.isnan(count) and 0 < count <= small


@lru_cache(maxsize=8)
def _cell_key_secret(secret_key: str) -> bytes:
    """A secret for the cell keys, derived from the app's secret key (never shown)."""
    return hmac.new(secret_key.encode(), b"bench cell-key noise", hashlib.sha256).digest()


# The same sets of peers come back on every page of a group (the same few hundred per
# council): each set's key is worked out once per process (an HMAC over its sorted ids).
@lru_cache(maxsize=65536)
def _cell_key(members: frozenset[int], secret: bytes) -> int:
    return stats.cell_key(members, secret)


def perturbed_peer_count(count: int, members: Iterable[int]) -> int:
    """A count of peers ("n of your m peers are lower") with the ONS cell-key noise, keyed by
    the set of authorities counted: the same set always gives the same figure, and two sets
    that differ by one authority do not give its answer away. At most 2 either way."""
    secret = _cell_key_secret(str(current_app.config["SECRET_KEY"]))
    return int(stats.perturb_count(count, _cell_key(frozenset(members), secret)))


# --- rule 9: atoms of every group one authority's users can see ---------------------------
#
# Peer-group membership is public, so any combination of groups' figures (differences,
# intersections, identical values matched across lists) can isolate the councils that
# belong to exactly the same groups: an atom. Two groups at a time is not enough (three
# groups each five apart can leave an atom of one). So, for each column (an indicator in a
# period, or an issue type), counting only the peers that contribute, every atom of the
# groups admitted must hold 0 or at least k contributors. Groups are admitted in order,
# each only if the atoms still hold with it; a group that is not admitted shows nothing.

MAX_GROUPS = 64  # one bit each in a signature


@dataclass(frozen=True)
class CandidateGroup:
    """A group one authority's users can see; ``peers`` excludes the authority itself."""

    key: str
    label: str
    peers: frozenset[int]


def signatures(memberships: np.ndarray) -> np.ndarray:
    """Each peer's membership pattern as bits: ``memberships`` is (G, ...) bool, groups in
    admission order (G <= 64), e.g. (G, P) for one viewer or (G, V, P) for every viewer;
    bit g of an entry is set when that peer is in group g. Peers with the same signature
    form one atom; signature 0 is in no group."""
    groups = memberships.shape[0]
    if groups > MAX_GROUPS:
        raise ValueError(f"at most {MAX_GROUPS} groups")
    bits = np.left_shift(np.uint64(1), np.arange(groups, dtype=np.uint64))
    bits = bits.reshape((groups,) + (1,) * (memberships.ndim - 1))
    return (memberships.astype(np.uint64) * bits).sum(axis=0, dtype=np.uint64)


def _atoms(signatures: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number each viewer's atoms: ``(atom (V, P) int, keys (V, T) uint64)``; atom t of
    viewer v holds the peers whose signature is ``keys[v, t]`` (0: in none of its groups).
    One sort a row, no loop over viewers."""
    viewers, peers = signatures.shape
    order = np.argsort(signatures, axis=1, kind="stable")
    ordered = np.take_along_axis(signatures, order, axis=1)
    numbered = np.zeros((viewers, peers), dtype=np.int64)
    np.cumsum(ordered[:, 1:] != ordered[:, :-1], axis=1, out=numbered[:, 1:])
    atom = np.empty_like(numbered)
    np.put_along_axis(atom, order, numbered, axis=1)
    keys = np.zeros((viewers, int(numbered[:, -1].max()) + 1 if peers else 1), dtype=np.uint64)
    np.put_along_axis(keys, numbered, ordered, axis=1)
    return atom, keys


def admit_network(
    signatures: np.ndarray, contributors: np.ndarray, groups: int, k: int
) -> np.ndarray:
    """Which groups of every viewer are admitted for each column: (V, groups, C) bool.

    ``signatures`` is (V, P) uint64, one row a viewer (see :func:`signatures`; a viewer's
    own entry is 0, so it is in no atom); ``contributors`` is (P, C) bool. Groups are taken
    in bit order (bit 0 first, DESIGN.md's admission order). For each viewer and column, a
    group is admitted when every atom of it and the groups already admitted for that
    column holds 0 or at least *k* contributing peers. A group with no contributing peer
    is admitted (it shows nothing); one with 1 to k - 1 never is, as it is then itself an
    atom that breaks the rule.

    Atoms that hold for a set of groups hold for every subset (a union of parts each 0 or
    >= k is 0 or >= k), so admitting in order never has to look back. Each atom's count is
    capped at k, which keeps every answer and lets the (viewer, column) pairs with the
    same atoms and capped counts be judged once: whole arrays, no loop over viewers.
    """
    viewers, peers = signatures.shape
    columns = contributors.shape[1]
    atom, keys = _atoms(signatures)
    atoms = keys.shape[1]
    one_hot = (atom[:, None, :] == np.arange(atoms)[None, :, None]).astype(np.float32)
    counts = one_hot.reshape(viewers * atoms, peers) @ contributors.astype(np.float32)
    capped = np.minimum(np.rint(counts).astype(np.int64), k).reshape(viewers, atoms, columns)
    out = np.zeros((viewers, groups, columns), dtype=bool)
    # Each (viewer, column)'s capped counts as one number in base k + 1, with the viewer
    # above them: one 1-D unique finds the distinct problems. That needs the number to fit
    # in 63 bits; viewers with more atoms (many custom groups) go one at a time.
    fits = int(np.floor(52 / np.log2(k + 1)))
    many = atom.max(axis=1) >= fits
    for start in range(0, viewers, 1024):  # 1,024 viewers' numbers fit beside the code
        chunk = np.arange(start, min(start + 1024, viewers))
        few = chunk[~many[chunk]]
        if not few.size:
            continue
        width = min(atoms, fits)
        base = (k + 1) ** np.arange(width, dtype=np.int64)
        code = (capped[few, :width] * base[None, :, None]).sum(axis=1)
        code += np.arange(few.size, dtype=np.int64)[:, None] << np.int64(52)
        _, first, problem_of = np.unique(code.ravel(), return_index=True, return_inverse=True)
        viewer, column = np.divmod(first, columns)
        decided = _admit(keys[few][viewer], capped[few][viewer, :, column], groups, k)
        shape = (few.size, columns, groups)
        out[few] = decided[problem_of.reshape(-1)].reshape(shape).transpose(0, 2, 1)
    for row in np.flatnonzero(many):
        patterns, pattern_of = np.unique(capped[row], axis=1, return_inverse=True)
        repeated = np.repeat(keys[row][None, :], patterns.shape[1], axis=0)
        out[row] = _admit(repeated, patterns.T, groups, k)[pattern_of.reshape(-1)].T
    return out


def admit_by_atoms(
    signature: np.ndarray, contributors: np.ndarray, groups: int, k: int
) -> np.ndarray:
    """One viewer's :func:`admit_network`: (groups, C) bool."""
    return admit_network(signature[None, :], contributors, groups, k)[0]


def _admit(keys: np.ndarray, counts: np.ndarray, groups: int, k: int) -> np.ndarray:
    """Greedy admission for N problems: *keys* (N, T) atom signatures, *counts* (N, T)
    capped contributors; returns (N, groups) bool."""
    problems, atoms = keys.shape
    chosen = np.zeros(problems, dtype=np.uint64)  # groups admitted so far, per problem
    out = np.zeros((problems, groups), dtype=bool)
    last = np.zeros((problems, atoms), dtype=bool)
    last[:, -1] = True
    for group in range(groups):
        bit = np.uint64(1) << np.uint64(group)
        candidate = chosen | bit
        # Each fine atom's coarse atom under the candidate groups is its masked signature;
        # sort each row by it and sum the runs (segment sums from one cumulative sum).
        seen = keys & candidate[:, None]
        order = np.argsort(seen, axis=1)
        ordered = np.take_along_axis(seen, order, axis=1)
        total = np.cumsum(np.take_along_axis(counts, order, axis=1), axis=1)
        ends = last.copy()
        ends[:, :-1] = ordered[:, 1:] != ordered[:, :-1]
        before = np.zeros_like(total)
        before[:, 1:] = np.maximum.accumulate(np.where(ends, total, 0), axis=1)[:, :-1]
        run = total - before
        holds = (~ends | (ordered == 0) | (run == 0) | (run >= k)).all(axis=1)
        out[:, group] = holds
        chosen = np.where(holds, candidate, chosen)
    return out


# --- rule 10: precision, suppressed counts and denominators in bands ------------------------


class HasDecimals(Protocol):
    decimals: int  # the indicator's published decimal places


def shown(value: float | None, indicator: HasDecimals) -> float | None:
    """A figure about peers (a peer's value, a group's pooled value, median or quartile) as
    it may leave the service: to the indicator's published decimal places, never finer.

    A full-precision value gives its exact fraction back (and so, beside a rounded
    denominator, the exact denominator); a full-precision pooled value gives back a
    suppressed count. The viewer's own figures are exact and do not come through here.
    """
    if value is None:
        return None
    figure = float(value)
    if not math.isfinite(figure):
        return None
    return round(figure, indicator.decimals) + 0.0  # + 0.0: no "-0.0"


def shown_interval(
    interval: tuple[float, float] | None, indicator: HasDecimals
) -> tuple[float, float] | None:
    """An interval about peers, each end as :func:`shown` gives it."""
    if interval is None:
        return None
    lower, upper = (shown(end, indicator) for end in interval)
    return None if lower is None or upper is None else (lower, upper)


def significant(value: float | None, figures: int = 2) -> float | None:
    """*value* to a few significant figures (a group's over-dispersion, which has no
    published decimal places of its own)."""
    if value is None or not math.isfinite(value) or value == 0:
        return value
    return float(f"{value:.{figures}g}")


def small_counts(numerator: Any, small: int = SMALL_COUNT_MAX) -> Any:
    """Where counts are 1 to 4 (shown as "<5"), element-wise over a numpy array (NaN is
    not small): the cells a group figure must leave out, or the pooled value (or median)
    would give the count back."""
    return (numerator > 0) & (numerator <= small)


NICE_STEPS = (1, 2, 5)  # band edges: ..., 100, 200, 500, 1,000, 2,000, 5,000, ...


def _nice(step: int) -> float:
    return NICE_STEPS[step % 3] * 10.0 ** (step // 3)


def _nice_step(denominator: float) -> int:
    """The step of the largest nice number at or below *denominator*."""
    step = 3 * math.floor(math.log10(denominator))
    while _nice(step + 1) <= denominator:
        step += 1
    while _nice(step) > denominator:
        step -= 1
    return step


@dataclass(frozen=True)
class DenominatorBand:
    """From *low* up to (not including) *high*: where a peer's denominator lies."""

    low: float
    high: float

    @property
    def middle(self) -> float:
        """Where a funnel plot draws the peers of this band: its geometric middle, as the
        denominator axis is logarithmic."""
        return math.sqrt(self.low * self.high)


def denominator_bands(denominators: Sequence[float | None], k: int) -> list[DenominatorBand | None]:
    """Each peer's denominator band (in the order given), such that every band holds at
    least *k* of these peers; None for a peer with no denominator, and for every peer when
    fewer than *k* have one (then no denominator is shown at all).

    Band edges are fixed nice numbers (1, 2, 5 times a power of ten), never a peer's own
    figure: ascending, neighbouring steps merge until a band holds k peers, and a last
    band short of k joins the one below it. A public population (people aged 65 and over,
    adults) rounded to two significant figures still tells councils apart; a band of k
    peers of the view does not.
    """
    steps = [
        _nice_step(d) if d is not None and math.isfinite(d) and d > 0 else None
        for d in denominators
    ]
    present = sorted(step for step in steps if step is not None)
    if len(present) < k:
        return [None] * len(denominators)
    # Close a band (first step, last step) once it holds k peers, at a step boundary.
    bands: list[list[int]] = []
    held = 0
    for index, step in enumerate(present):
        if held == 0:
            bands.append([step, step])
        bands[-1][1] = step
        held += 1
        boundary = index + 1 == len(present) or present[index + 1] != step
        if held >= k and boundary:
            held = 0
    if held and len(bands) > 1:  # the last band is short of k: it joins the one below
        short = bands.pop()
        bands[-1][1] = short[1]
    ranges = [DenominatorBand(_nice(first), _nice(last + 1)) for first, last in bands]
    by_step: dict[int, DenominatorBand] = {}
    for (first, last), band in zip(bands, ranges, strict=True):
        for step in range(first, last + 1):
            by_step[step] = band
    return [None if step is None else by_step[step] for step in steps]
