"""Reads and writes for stored peer groups: published versions and custom groups."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select

from bench.extensions import db
from bench.models import Authority, ContextFigure, PeerGroup, PeerGroupKind, PeerGroupMember

PUBLISHED = PeerGroupKind.PUBLISHED_NEIGHBOURS


class VersionRow(NamedTuple):
    version: int
    imported_at: datetime
    source: str
    authorities: int


def authority_ids_by_code() -> dict[str, int]:
    rows = db.session.execute(select(Authority.gss_code, Authority.id).order_by(Authority.id))
    return {code: authority_id for code, authority_id in rows}


def current_authorities() -> list[Authority]:
    """Authorities that still exist, by name: the choice for a custom group."""
    return list(
        db.session.scalars(
            select(Authority).where(Authority.ended_on.is_(None)).order_by(Authority.name)
        )
    )


class AuthorityName(NamedTuple):
    id: int
    name: str
    gss_code: str


def authority_names(ids: set[int]) -> dict[int, AuthorityName]:
    """Names and codes of the authorities with *ids*, in one query."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Authority.id, Authority.name, Authority.gss_code)
        .where(Authority.id.in_(sorted(ids)))
        .order_by(Authority.name, Authority.id)
    )
    return {row[0]: AuthorityName(row[0], row[1], row[2]) for row in rows}


def authority(authority_id: int) -> Authority | None:
    return db.session.get(Authority, authority_id)


def context_figure_names() -> list[str]:
    """The names of the context figures that computed neighbours are found on."""
    return list(
        db.session.scalars(select(ContextFigure.name).distinct().order_by(ContextFigure.name))
    )


def latest_published_version() -> int:
    return int(
        db.session.scalar(select(func.max(PeerGroup.version)).where(PeerGroup.kind == PUBLISHED))
        or 0
    )


# Any fixed number: PostgreSQL's advisory lock that imports of published lists take turns on.
PUBLISHED_IMPORT_LOCK = 0x62656E6368


def lock_published_versions() -> None:
    """Make imports of published lists take turns until the transaction ends.

    SQLite: the caller's transaction already holds the write lock (Database.begin_write).
    PostgreSQL: a transaction-level advisory lock, so that custom groups (the same table)
    are never held up; a second import waits here, then reads the first's version.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(PUBLISHED_IMPORT_LOCK)))


def published_lists(version: int) -> dict[int, frozenset[int]]:
    """authority id -> its neighbours' ids, in one published version."""
    rows = db.session.execute(
        select(PeerGroup.authority_id, PeerGroupMember.authority_id)
        .join(PeerGroupMember, PeerGroupMember.peer_group_id == PeerGroup.id)
        .where(PeerGroup.kind == PUBLISHED, PeerGroup.version == version)
        .order_by(PeerGroup.authority_id, PeerGroupMember.authority_id)
    )
    out: dict[int, set[int]] = {}
    for authority_id, member in rows:
        out.setdefault(authority_id, set()).add(member)
    return {authority_id: frozenset(members) for authority_id, members in out.items()}


def published_versions() -> list[VersionRow]:
    """Each published version, newest first, with when, from where and how many lists."""
    rows = db.session.execute(
        select(
            PeerGroup.version,
            func.min(PeerGroup.created_at),
            func.min(PeerGroup.source),
            func.count(PeerGroup.id),
        )
        .where(PeerGroup.kind == PUBLISHED)
        .group_by(PeerGroup.version)
        .order_by(PeerGroup.version.desc())
    )
    return [VersionRow(int(v), at, source or "", int(n)) for v, at, source, n in rows]


def custom_groups(authority_id: int) -> list[PeerGroup]:
    return list(
        db.session.scalars(
            select(PeerGroup)
            .where(
                PeerGroup.kind == PeerGroupKind.CUSTOM,
                PeerGroup.authority_id == authority_id,
                PeerGroup.deleted_at.is_(None),
            )
            .order_by(PeerGroup.created_at, PeerGroup.id)
        )
    )


def custom_group(group_id: int) -> PeerGroup | None:
    group = db.session.get(PeerGroup, group_id)
    live = group is not None and group.kind == PeerGroupKind.CUSTOM and group.deleted_at is None
    return group if live else None


def custom_group_named(authority_id: int, name: str) -> PeerGroup | None:
    return db.session.scalars(
        select(PeerGroup)
        .where(
            PeerGroup.kind == PeerGroupKind.CUSTOM,
            PeerGroup.authority_id == authority_id,
            PeerGroup.deleted_at.is_(None),
            func.lower(PeerGroup.name) == name.lower(),
        )
        .order_by(PeerGroup.id)
    ).first()


def add(record: object) -> None:
    db.session.add(record)
    db.session.flush()


def delete(record: object) -> None:
    db.session.delete(record)
    db.session.flush()
