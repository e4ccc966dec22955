"""Who may see what: the anonymity rules of DESIGN.md applied before anything is shown.

Every figure about peers passes through here before a view, an API response or an export
serialises it. The rules themselves are plain functions over sets and numbers, so each
can be tested on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable
from dataclasses import dataclass

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


def rounded_denominator(denominator: float | None) -> float | None:
    """A peer's denominator to two significant figures: enough for a funnel plot, not a
    fingerprint (an exact population identifies a council)."""
    if denominator is None or math.isnan(denominator) or denominator <= 0:
        return denominator
    digits = 2 - int(math.floor(math.log10(abs(denominator)))) - 1
    return float(round(denominator, digits))


# --- rule 10: counts of peers carry cell-key noise -----------------------------------------


def _cell_key_secret() -> bytes:
    """A secret for the cell keys, derived from the app's secret key (never shown)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"bench cell-key noise", hashlib.sha256).digest()


def perturbed_peer_count(count: int, members: Iterable[int]) -> int:
    """A count of peers ("n of your m peers are lower") with the ONS cell-key noise, keyed by
    the set of authorities counted: the same set always gives the same figure, and two sets
    that differ by one authority do not give its answer away. At most 2 either way."""
    key = stats.cell_key(members, _cell_key_secret())
    return int(stats.perturb_count(count, key))


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
    """Each peer's membership pattern as bits: ``memberships`` is (G, P) bool, groups in
    admission order (G <= 64); bit g of the result's entry p is set when peer p is in group
    g. Peers with the same signature form one atom; signature 0 is in no group."""
    groups = memberships.shape[0]
    if groups > MAX_GROUPS:
        raise ValueError(f"at most {MAX_GROUPS} groups")
    bits = np.left_shift(np.uint64(1), np.arange(groups, dtype=np.uint64))
    return (memberships.astype(np.uint64) * bits[:, None]).sum(axis=0, dtype=np.uint64)


def atom_counts(signature: np.ndarray, contributors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The atoms of one viewer's groups and how many of each atom's peers contribute to
    each column: ``(keys (T,), counts (T, C))`` for the T atoms inside some group.

    ``signature`` (P,) comes from :func:`signatures`; ``contributors`` is (P, C) bool.
    """
    keys, atom_of = np.unique(signature, return_inverse=True)
    inside = keys != 0
    rows = np.flatnonzero(inside)
    one_hot = (atom_of.reshape(-1)[None, :] == rows[:, None]).astype(np.float32)  # (T, P)
    counts = one_hot @ contributors.astype(np.float32)
    return keys[inside], np.rint(counts).astype(np.int64)


def admit_by_atoms(
    signature: np.ndarray, contributors: np.ndarray, groups: int, k: int
) -> np.ndarray:
    """Which of one viewer's groups are admitted for each column: (groups, C) bool.

    Groups are taken in bit order (bit 0 first, DESIGN.md's admission order). For each
    column, a group is admitted when every atom of it and the groups already admitted
    for that column holds 0 or at least *k* contributing peers. A group with no
    contributing peer is admitted (it shows nothing); one with 1 to k - 1 never is, as
    it is then itself an atom that breaks the rule.

    Atoms that hold for a set of groups hold for every subset (a union of parts each 0 or
    >= k is 0 or >= k), so admitting in order never has to look back. Each atom's count is
    capped at k, which keeps every answer and lets columns with the same pattern of
    counts be judged once.
    """
    keys, counts = atom_counts(signature, contributors)
    columns = contributors.shape[1]
    if not len(keys):
        return np.ones((groups, columns), dtype=bool)
    capped = np.minimum(counts, k).astype(np.int16)
    patterns, pattern_of = np.unique(capped, axis=1, return_inverse=True)
    admitted = _admit_patterns(keys, patterns.astype(np.int64), groups, k)
    return admitted[:, pattern_of.reshape(-1)]


def _admit_patterns(keys: np.ndarray, counts: np.ndarray, groups: int, k: int) -> np.ndarray:
    """Greedy admission for each column of *counts* (T atoms x U patterns)."""
    chosen = np.zeros(counts.shape[1], dtype=np.uint64)  # groups admitted so far, per column
    out = np.zeros((groups, counts.shape[1]), dtype=bool)
    for group in range(groups):
        bit = np.uint64(1) << np.uint64(group)
        if not np.any(keys & bit):
            out[group] = True  # no peer at all: nothing to show, nothing to give away
            continue
        candidate = chosen | bit
        seen = keys[:, None] & candidate[None, :]  # (T, U): each fine atom's coarse key
        same = seen[:, None, :] == seen[None, :, :]  # (T, T, U)
        coarse = np.einsum("tsu,su->tu", same, counts)
        holds = ((seen == 0) | (coarse == 0) | (coarse >= k)).all(axis=0)
        out[group] = holds
        chosen = np.where(holds, candidate, chosen)
    return out


def smallest_atom(signature: np.ndarray, contributors: np.ndarray, k: int) -> int:
    """The fewest contributors (1 to k - 1) in any atom of all the viewer's groups, or 0
    when every atom holds: how a refusal explains itself."""
    _, counts = atom_counts(signature, contributors)
    small = counts[(counts > 0) & (counts < k)]
    return int(small.min()) if small.size else 0
