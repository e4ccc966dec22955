"""Reads of the audit log, a page at a time, newest first.

``authority_id`` None means every event (network admins); an authority's admins always
pass their own authority's id. ``left_out`` names actions whose events a log leaves out.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from bench.extensions import db
from bench.models import AuditEvent, Authority


def _scoped(
    query: Select, authority_id: int | None, action: str, left_out: Collection[str]
) -> Select:
    if authority_id is not None:
        query = query.where(AuditEvent.authority_id == authority_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if left_out:
        query = query.where(AuditEvent.action.not_in(sorted(left_out)))
    return query


def count(authority_id: int | None, action: str, left_out: Collection[str] = ()) -> int:
    query = _scoped(select(func.count()).select_from(AuditEvent), authority_id, action, left_out)
    return int(db.session.scalar(query) or 0)


def events(
    authority_id: int | None,
    action: str,
    offset: int,
    limit: int,
    left_out: Collection[str] = (),
) -> list[tuple[AuditEvent, str | None]]:
    """(event, name of its authority or None), with each event's actor loaded."""
    query = (
        select(AuditEvent, Authority.name)
        .outerjoin(Authority, Authority.id == AuditEvent.authority_id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = db.session.execute(_scoped(query, authority_id, action, left_out))
    return [(event, name) for event, name in rows]


def actions(authority_id: int | None, left_out: Collection[str] = ()) -> list[str]:
    """The actions that occur in the log, for the filter."""
    query = _scoped(select(AuditEvent.action).distinct(), authority_id, "", left_out).order_by(
        AuditEvent.action
    )
    return list(db.session.scalars(query))
