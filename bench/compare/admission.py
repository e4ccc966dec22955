"""Which of a viewer's peer groups may show figures: for each indicator in a period, and
for each issue type (DESIGN.md, Anonymity 9).

Everything the users of one authority can see counts as one viewer's knowledge: its
standard groups (every published version of its nearest neighbours, computed neighbours,
same type, same region, all) and every custom group its users saved. The memberships of
the standard kinds are worked out once per data version and period, for every authority
at once, as bit signatures (one bit a kind, :func:`standard_signatures`); a viewer's
custom groups add bits of their own. :func:`bench.disclosure.admit_by_atoms` then admits
the groups in order, column by column, counting only the peers that contribute.

Every page, API response, chart, alert and export asks :class:`ViewerAdmission`; nothing
else decides whether peers' figures of a group may be shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bench import disclosure
from bench.compare.engine import Lists, Partition
from bench.compare.groups import NetworkGroups
from bench.disclosure import CandidateGroup


def membership(groups: Partition | Lists) -> np.ndarray:
    """(A, A) bool: row a marks the peers of authority a in one kind (a itself left out)."""
    if isinstance(groups, Partition):
        labels = groups.labels
        matrix = (labels[:, None] == labels[None, :]) & (labels >= 0)[:, None]
    else:
        members = groups.members
        size = members.shape[0]
        matrix = np.zeros((size, size), dtype=bool)
        rows, slots = np.nonzero(members >= 0)
        matrix[rows, members[rows, slots]] = True
    np.fill_diagonal(matrix, False)
    return matrix


def standard_signatures(network_groups: NetworkGroups) -> np.ndarray:
    """(A, A) uint64: bit j of [a, p] is set when p is in a's group of the j-th standard
    kind (admission order). Whole arrays over the network, once per data version."""
    size = len(network_groups.authority_ids)
    out = np.zeros((size, size), dtype=np.uint64)
    for bit, kind in enumerate(network_groups.kinds):
        matrix = membership(network_groups.groups[kind.key])
        out |= matrix.astype(np.uint64) << np.uint64(bit)
    return out


@dataclass(frozen=True)
class Withheld:
    """Why a group shows no figures for one column, in words for people."""

    too_few: bool  # fewer than k of the group's own peers contribute
    beside: tuple[str, ...]  # the groups admitted before it for this column


@dataclass
class ViewerAdmission:
    """One viewer's groups (admission order) and where each may show figures."""

    groups: list[CandidateGroup]
    indicators: np.ndarray  # (G, I) bool: admitted for each indicator in this period
    issues: np.ndarray  # (G, J) bool: admitted for each issue type
    indicator_column: dict[int, int]
    issue_column: dict[int, int]
    indicator_peers: np.ndarray  # (G, I) contributing peers of each group
    issue_peers: np.ndarray  # (G, J) answering peers of each group
    k: int

    def _row(self, key: str) -> int | None:
        return next((i for i, group in enumerate(self.groups) if group.key == key), None)

    def admitted(self, key: str, indicator_id: int) -> bool:
        row = self._row(key)
        return row is not None and bool(self.indicators[row, self.indicator_column[indicator_id]])

    def issue_admitted(self, key: str, issue_type_id: int) -> bool:
        row = self._row(key)
        column = self.issue_column.get(issue_type_id)
        return row is not None and column is not None and bool(self.issues[row, column])

    def any_admitted(self, key: str) -> bool:
        """Shows peers' figures for at least one indicator or issue type: admitted there,
        with at least k contributing peers (the group is worth choosing)."""
        row = self._row(key)
        if row is None:
            return False
        return bool(
            (self.indicators[row] & (self.indicator_peers[row] >= self.k)).any()
            or (self.issues[row] & (self.issue_peers[row] >= self.k)).any()
        )

    def partly_withheld(self, key: str) -> bool:
        """Withheld for some indicator that some of the group's peers published."""
        row = self._row(key)
        return row is not None and bool(
            (~self.indicators[row] & (self.indicator_peers[row] > 0)).any()
        )

    def kept(self) -> int:
        """How many (group, indicator) pairs show figures: what the rule costs."""
        return int(self.indicators.sum())

    def withheld(
        self, key: str, indicator_id: int | None = None, issue_type_id: int | None = None
    ) -> Withheld | None:
        """Why *key* shows nothing for the column, or None when it is admitted."""
        row = self._row(key)
        if row is None:
            return Withheld(True, ())
        if issue_type_id is not None:
            table, peers, column = (
                self.issues,
                self.issue_peers,
                self.issue_column.get(issue_type_id),
            )
            if column is None:
                return None
        else:
            table, peers = self.indicators, self.indicator_peers
            column = self.indicator_column[indicator_id]
        if table[row, column]:
            return None
        if 0 < peers[row, column] < self.k:
            return Withheld(True, ())
        before = tuple(
            group.label
            for index, group in enumerate(self.groups[:row])
            if table[index, column] and peers[index, column] > 0
        )
        return Withheld(False, before)


def viewer_admission(
    network_groups: NetworkGroups,
    signatures: np.ndarray,
    row: int,
    customs: Sequence[CandidateGroup],
    indicator_contributors: np.ndarray,
    issue_contributors: np.ndarray,
    indicator_column: dict[int, int],
    issue_column: dict[int, int],
    k: int,
) -> ViewerAdmission:
    """Admit one viewer's groups (standard kinds, then *customs* by age) for every column.

    ``signatures`` is :func:`standard_signatures`; contributors are (A, I) and (A, J) bool
    over the network's authorities (rows as in *network_groups*).
    """
    ids = network_groups.authority_ids
    position = {int(a): i for i, a in enumerate(ids)}
    standard = [
        CandidateGroup(kind.key, kind.label, _peer_ids(ids, signatures[row], bit))
        for bit, kind in enumerate(network_groups.kinds)
    ]
    room = disclosure.MAX_GROUPS - len(standard)
    customs = list(customs)[: max(room, 0)]  # beyond 64 groups, later customs show nothing
    signature = signatures[row].copy()
    for offset, group in enumerate(customs):
        columns = [position[p] for p in group.peers if p in position and position[p] != row]
        signature[columns] |= np.uint64(1) << np.uint64(len(standard) + offset)
    groups = standard + customs
    contributors = np.concatenate([indicator_contributors, issue_contributors], axis=1)
    contributors[row] = False  # the viewer's own figures never count
    admitted = disclosure.admit_by_atoms(signature, contributors, len(groups), k)
    members = (
        (signature[None, :] >> np.arange(len(groups), dtype=np.uint64)[:, None]) & np.uint64(1)
    ).astype(np.float32)
    peers = np.rint(members @ contributors.astype(np.float32)).astype(np.int64)
    split = indicator_contributors.shape[1]
    return ViewerAdmission(
        groups=groups,
        indicators=admitted[:, :split],
        issues=admitted[:, split:],
        indicator_column=indicator_column,
        issue_column=issue_column,
        indicator_peers=peers[:, :split],
        issue_peers=peers[:, split:],
        k=k,
    )


def _peer_ids(ids: np.ndarray, signature: np.ndarray, bit: int) -> frozenset[int]:
    inside = (signature >> np.uint64(bit)) & np.uint64(1)
    return frozenset(int(a) for a in ids[inside.astype(bool)])


def structural_refusal(
    network_groups: NetworkGroups,
    signatures: np.ndarray,
    row: int,
    customs: Sequence[CandidateGroup],
    candidate: frozenset[int],
    existing: np.ndarray,
    k: int,
) -> int | None:
    """Would a new custom group of *candidate* break an atom even when every council that
    exists contributes? ``existing`` is (A, C) bool: which councils existed at the start of
    each period (and today). Returns the first column where it would not be admitted, or
    None when it may be saved (DESIGN.md, Anonymity 9: refused when saved).
    """
    new = CandidateGroup("new", "new group", candidate)
    empty = np.zeros((existing.shape[0], 0), dtype=bool)
    admission = viewer_admission(
        network_groups, signatures, row, [*customs, new], existing, empty, {}, {}, k
    )
    if admission.groups[-1] is not new:
        return 0  # no room for another group: refuse rather than leave it unjudged
    failing = np.flatnonzero(~admission.indicators[-1])
    return int(failing[0]) if failing.size else None
