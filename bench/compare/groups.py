"""Peer groups of every kind, for the whole network at once and for one viewer.

The kinds are admitted for a viewer in DESIGN.md's order (Anonymity 9): the newest
published nearest neighbours, computed neighbours, same type, same region, all, older
published versions, then custom groups by age.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np

from bench import stats
from bench.compare import queries
from bench.compare.engine import Lists, Partition
from bench.disclosure import CandidateGroup


@dataclass(frozen=True)
class Kind:
    """One kind of peer group: a key for URLs and caches, and words for people."""

    key: str
    label: str
    description: str


PUBLISHED = "neighbours"
COMPUTED = "computed"
SAME_TYPE = "type"
SAME_REGION = "region"
ALL = "all"


def standard_kinds(published_versions: list[int]) -> list[Kind]:
    """The standard kinds in admission order; published versions newest first."""
    newest, *older = sorted(published_versions, reverse=True) or [None]
    kinds = []
    if newest is not None:
        kinds.append(
            Kind(PUBLISHED, "Nearest neighbours", "the published list of 15 statistical neighbours")
        )
    kinds += [
        Kind(COMPUTED, "Computed neighbours", "the 15 councils most like yours on context figures"),
        Kind(SAME_TYPE, "Same type", "councils of the same type"),
        Kind(SAME_REGION, "Same region", "councils in the same region"),
        Kind(ALL, "All councils", "every council that published"),
    ]
    kinds += [
        Kind(f"{PUBLISHED}-v{version}", f"Nearest neighbours (version {version})",
             f"version {version} of the published neighbours, since replaced")
        for version in older
    ]  # fmt: skip
    return kinds


@dataclass
class NetworkGroups:
    """Every standard kind's groups over the network's authorities (rows)."""

    authority_ids: np.ndarray
    kinds: list[Kind]
    groups: dict[str, Partition | Lists]


def existed(row: queries.AuthorityRow, on: date) -> bool:
    """Whether the authority existed on *on* (its lifetime: started_on to ended_on)."""
    return (row.started_on is None or row.started_on <= on) and (
        row.ended_on is None or on < row.ended_on
    )


def build(period_starts_on: date | None, neighbours_k: int) -> NetworkGroups:
    """Every standard kind's groups; same type, same region and all hold the authorities
    that existed when the period started (every authority, whatever its lifetime, when
    *period_starts_on* is None)."""
    authorities = queries.authorities()
    ids = np.array([row.id for row in authorities], dtype=int)
    position = {authority_id: index for index, authority_id in enumerate(ids)}
    existing = np.array(
        [period_starts_on is None or existed(row, period_starts_on) for row in authorities],
        dtype=bool,
    )

    def partition(attribute: str) -> Partition:
        names = sorted({getattr(row, attribute) for row in authorities})
        labels = np.array([names.index(getattr(row, attribute)) for row in authorities])
        return Partition(np.where(existing, labels, -1))

    groups: dict[str, Partition | Lists] = {
        ALL: Partition(np.where(existing, 0, -1)),
        SAME_TYPE: partition("type"),
        SAME_REGION: partition("region"),
        COMPUTED: _computed(authorities, position, neighbours_k),
    }
    published: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for _group, authority_id, version, _created, member in queries.published_groups():
        published[version][authority_id].append(member)
    versions = sorted(published)
    for version in versions:
        key = PUBLISHED if version == versions[-1] else f"{PUBLISHED}-v{version}"
        groups[key] = _lists(published[version], position, len(ids))
    return NetworkGroups(ids, standard_kinds(versions), groups)


def _lists(members: dict[int, list[int]], position: dict[int, int], size: int) -> Lists:
    width = max((len(peers) for peers in members.values()), default=0)
    table = np.full((size, max(width, 1)), -1, dtype=int)
    for authority_id, peers in members.items():
        if authority_id in position:
            row = [position[p] for p in peers if p in position and p != authority_id]
            table[position[authority_id], : len(row)] = row
    return Lists(table)


def _computed(authorities: list[queries.AuthorityRow], position: dict[int, int], k: int) -> Lists:
    """k nearest current councils on standardised context figures (stats.nearest_neighbours)."""
    figures = queries.context_figures()
    names = sorted({name for _, name, _ in figures})
    current = [row.id for row in authorities if row.ended_on is None]
    if not names or len(current) <= 1:
        return Lists(np.full((len(authorities), 1), -1, dtype=int))
    column = {name: index for index, name in enumerate(names)}
    row_of = {authority_id: index for index, authority_id in enumerate(current)}
    context = np.full((len(current), len(names)), np.nan)
    for authority_id, name, value in figures:
        if authority_id in row_of:
            context[row_of[authority_id], column[name]] = value
    nearest = np.asarray(stats.nearest_neighbours(context, k=min(k, len(current) - 1)))
    members = {
        authority_id: [current[j] for j in nearest[row_of[authority_id]] if j >= 0]
        for authority_id in current
    }
    return _lists(members, position, len(authorities))


def peers_of(groups: NetworkGroups, key: str, authority_id: int) -> frozenset[int]:
    """The authority ids of one authority's peers in one kind of group (itself excluded)."""
    index = int(np.flatnonzero(groups.authority_ids == authority_id)[0])
    group = groups.groups[key]
    if isinstance(group, Partition):
        label = group.labels[index]
        if label < 0:
            return frozenset()
        rows = np.flatnonzero(group.labels == label)
    else:
        rows = group.members[index][group.members[index] >= 0]
    return frozenset(int(groups.authority_ids[r]) for r in rows if r != index)


def candidates(groups: NetworkGroups, authority_id: int) -> list[CandidateGroup]:
    """The viewer's standard groups, then its custom groups by age, in admission order."""
    out = [
        CandidateGroup(kind.key, kind.label, peers_of(groups, kind.key, authority_id))
        for kind in groups.kinds
    ]
    return out + custom_candidates(authority_id)


def custom_candidates(authority_id: int) -> list[CandidateGroup]:
    """The authority's custom groups by age (the order they are admitted)."""
    return as_candidates(authority_id, queries.custom_groups(authority_id))


RETIRED = "retired-"  # a deleted custom group: still known, never offered


def as_candidates(authority_id: int, groups: list[queries.CustomGroupRow]) -> list[CandidateGroup]:
    return [
        CandidateGroup(
            f"{RETIRED if group.deleted else 'custom-'}{group.id}",
            f"{group.name} (deleted)" if group.deleted else group.name,
            frozenset(group.members) - {authority_id},
        )
        for group in groups
    ]
