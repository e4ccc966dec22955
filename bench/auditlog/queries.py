"""Reads of the audit log, a page at a time, newest first.

``authority_id`` None means every event (network admins); an authority's admins always
pass their own authority's id.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from bench.extensions import db
from bench.models import AuditEvent, Authority


def _scoped(query: Select, authority_id: int | None, action: str) -> Select:
    if authority_id is not None:
        query = query.where(AuditEvent.authority_id == authority_id)
    if action:
        query = query.where(AuditEvent.action == action)
    return query


def count(authority_id: int | None, action: str) -> int:
    query = _scoped(select(func.count()).select_from(AuditEvent), authority_id, action)
    return int(db.session.scalar(query) or 0)


def events(
    authority_id: int | None, action: str, offset: int, limit: int
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
    rows = db.session.execute(_scoped(query, authority_id, action))
    return [(event, name) for event, name in rows]


def actions(authority_id: int | None) -> list[str]:
    """The actions that occur in the log, for the filter."""
    query = _scoped(select(AuditEvent.action).distinct(), authority_id, "").order_by(
        AuditEvent.action
    )
    return list(db.session.scalars(query))
