"""Writing to the audit log. Callers commit with the change they record."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from bench.extensions import db
from bench.models import AuditEvent, User, utcnow


def record(
    action: str,
    *,
    actor: User | None,
    authority_id: int | None,
    subject: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction."""
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        authority_id=authority_id,
        action=action,
        subject_type=type(subject).__name__ if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        details=details or {},
        remote_address=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(event)
    return event
