"""Which of a viewer's peer groups may show figures: for each indicator in a period, and
for each issue type (DESIGN.md, Anonymity 9).

Everything the users of one authority can see counts as one viewer's knowledge: its
standard groups (every published version of its nearest neighbours, computed neighbours,
same type, same region, all) and every custom group its users saved. Once per data version
and period, for every authority at once, the memberships become bit signatures (one bit a
group, :func:`signatures_of`) and :func:`bench.disclosure.admit_network` admits every
viewer's groups in order, column by column, counting only the peers that contribute.

Every page, API response, chart, alert and export asks :class:`ViewerAdmission`; nothing
else decides whether peers' figures of a group may be shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def signatures_of(
    network_groups: NetworkGroups, customs: Mapping[int, Sequence[CandidateGroup]]
) -> tuple[np.ndarray, int]:
    """(A, A) uint64 signatures, and how many groups: bit j of [a, p] is set when p is in
    a's j-th group in admission order (the standard kinds, then a's custom groups by age).
    Custom groups beyond the 64 bits a signature holds are left out (never admitted)."""
    out = disclosure.signatures(
        np.stack([membership(network_groups.groups[kind.key]) for kind in network_groups.kinds])
    )
    first = len(network_groups.kinds)
    position = {int(a): i for i, a in enumerate(network_groups.authority_ids)}
    most = first
    for authority_id, groups in customs.items():
        row = position.get(authority_id)
        if row is None:
            continue
        for offset, group in enumerate(groups[: disclosure.MAX_GROUPS - first]):
            columns = [position[p] for p in group.peers if p in position and position[p] != row]
            out[row, columns] |= np.uint64(1) << np.uint64(first + offset)
            most = max(most, first + offset + 1)
    return out, most


@dataclass(frozen=True)
class Withheld:
    """Why a group shows no figures for one column."""

    too_few: bool  # fewer than k of the group's own peers contribute
    beside: tuple[str, ...]  # the groups admitted before it for this column


@dataclass
class NetworkAdmission:
    """Every authority's admitted groups for every column of one period (whole arrays)."""

    network_groups: NetworkGroups
    customs: Mapping[int, Sequence[CandidateGroup]]
    signatures: np.ndarray  # (A, A) uint64
    admitted: np.ndarray  # (A, G, C) bool; C = indicators then issue types
    peers: np.ndarray  # (A, G, C) contributing peers in each group
    indicator_column: dict[tuple[int, int], int]  # (period id, indicator id) -> column
    issue_column: dict[int, int]
    k: int

    def viewer(self, authority_id: int, period_id: int) -> ViewerAdmission:
        """One viewer's admission for the indicators of one period (and every issue type)."""
        ids = self.network_groups.authority_ids
        row = int(np.flatnonzero(ids == authority_id)[0])
        signature = self.signatures[row]
        standard = [
            CandidateGroup(kind.key, kind.label, _peer_ids(ids, signature, bit))
            for bit, kind in enumerate(self.network_groups.kinds)
        ]
        customs = list(self.customs.get(authority_id, []))
        customs = customs[: disclosure.MAX_GROUPS - len(standard)]
        groups = standard + customs
        period = {
            indicator_id: column
            for (period_of, indicator_id), column in self.indicator_column.items()
            if period_of == period_id
        }
        picked = list(period.values())
        split = len(self.indicator_column)
        admitted, peers = self.admitted[row, : len(groups)], self.peers[row, : len(groups)]
        return ViewerAdmission(
            groups=groups,
            indicators=admitted[:, picked],
            issues=admitted[:, split:],
            indicator_column={indicator_id: c for c, indicator_id in enumerate(period)},
            issue_column=self.issue_column,
            indicator_peers=peers[:, picked],
            issue_peers=peers[:, split:],
            k=self.k,
        )


def admit_all(
    network_groups: NetworkGroups,
    customs: Mapping[int, Sequence[CandidateGroup]],
    indicator_contributors: np.ndarray,
    issue_contributors: np.ndarray,
    indicator_column: dict[tuple[int, int], int],
    issue_column: dict[int, int],
    k: int,
    listed: np.ndarray | None = None,
    listed_columns: np.ndarray | None = None,
) -> NetworkAdmission:
    """Admit every authority's groups for every column: contributors are (A, I) and (A, J)
    bool over the network's authorities (rows as in *network_groups*).

    *listed* (A, L), when given, marks for the indicator columns *listed_columns* the
    peers that appear in a view's list, those without a figure in its group figures (a
    count shown as "<5") too: there a group is admitted only when the atoms hold both for
    the peers with a figure and for every listed row, so neither a group figure nor a
    "<5" row can be pinned to fewer than k councils. Columns where the two are the same
    need not be given.
    """
    signatures, groups = signatures_of(network_groups, customs)
    blocks = [indicator_contributors, issue_contributors]
    extra = 0 if listed is None else listed.shape[1]
    if extra:
        blocks.append(listed)
    contributors = np.concatenate(blocks, axis=1)
    admitted = disclosure.admit_network(signatures, contributors, groups, k)
    if extra:
        admitted[:, :, listed_columns] &= admitted[:, :, -extra:]
        admitted, contributors = admitted[:, :, :-extra], contributors[:, :-extra]
    size = len(signatures)
    bits = (signatures[:, None, :] >> np.arange(groups, dtype=np.uint64)[None, :, None]) & 1
    peers = bits.astype(np.float32).reshape(size * groups, size) @ contributors.astype(np.float32)
    return NetworkAdmission(
        network_groups=network_groups,
        customs=customs,
        signatures=signatures,
        admitted=admitted,
        peers=np.rint(peers).astype(np.int16).reshape(size, groups, -1),  # at most 32,767 peers
        indicator_column=indicator_column,
        issue_column=issue_column,
        k=k,
    )


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

    def shown(self) -> int:
        """How many (group, indicator) pairs show peers' figures: admitted, with at least k
        contributing peers. What the rule leaves, for the note and the benchmark."""
        return int((self.indicators & (self.indicator_peers >= self.k)).sum())

    def withheld(
        self, key: str, indicator_id: int | None = None, issue_type_id: int | None = None
    ) -> Withheld | None:
        """Why *key* shows nothing for the column, or None when it is admitted."""
        row = self._row(key)
        if row is None:
            return Withheld(True, ())
        if issue_type_id is not None:
            table, peers = self.issues, self.issue_peers
            column = self.issue_column.get(issue_type_id)
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


def _peer_ids(ids: np.ndarray, signature: np.ndarray, bit: int) -> frozenset[int]:
    inside = ((signature >> np.uint64(bit)) & np.uint64(1)).astype(bool)
    return frozenset(ids[inside].tolist())


def structural_refusal(
    network_groups: NetworkGroups,
    authority_id: int,
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
    groups = [*customs, new]
    if len(network_groups.kinds) + len(groups) > disclosure.MAX_GROUPS:
        return 0  # no room for another group: refuse rather than leave it unjudged
    ids = network_groups.authority_ids
    row = int(np.flatnonzero(ids == authority_id)[0])
    signatures, count = signatures_of(network_groups, {authority_id: groups})
    admitted = disclosure.admit_by_atoms(signatures[row], existing, count, k)
    failing = np.flatnonzero(~admitted[-1])
    return int(failing[0]) if failing.size else None
