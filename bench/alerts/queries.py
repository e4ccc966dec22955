"""Reads and writes for alerts (flush only; the service commits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy import delete as delete_rows
from sqlalchemy.orm import joinedload

from bench.extensions import db
from bench.models import (
    AlertState,
    Follow,
    Indicator,
    IssueType,
    IssueTypeStatus,
    Notification,
    User,
)


def indicator_by_code(code: str) -> Indicator | None:
    return db.session.scalars(
        select(Indicator).where(Indicator.code == code).order_by(Indicator.id)
    ).first()


def approved_issue_type_by_code(code: str) -> IssueType | None:
    return db.session.scalars(
        select(IssueType)
        .where(IssueType.code == code, IssueType.status == IssueTypeStatus.APPROVED)
        .order_by(IssueType.id)
    ).first()


def follow_of(user_id: int, indicator_id: int | None, issue_type_id: int | None) -> Follow | None:
    query = select(Follow).where(Follow.user_id == user_id)
    if indicator_id is not None:
        query = query.where(Follow.indicator_id == indicator_id)
    else:
        query = query.where(Follow.issue_type_id == issue_type_id)
    return db.session.scalars(query.order_by(Follow.id)).first()


def follows_of(user_id: int) -> list[Follow]:
    return list(
        db.session.scalars(
            select(Follow)
            .options(joinedload(Follow.indicator), joinedload(Follow.issue_type))
            .where(Follow.user_id == user_id)
            .order_by(Follow.created_at, Follow.id)
        )
    )


def followed_ids(user_id: int) -> list[tuple[int | None, int | None]]:
    rows = db.session.execute(
        select(Follow.indicator_id, Follow.issue_type_id)
        .where(Follow.user_id == user_id)
        .order_by(Follow.id)
    )
    return [(indicator_id, issue_type_id) for indicator_id, issue_type_id in rows]


def all_follows() -> list[Follow]:
    """Every follow of an active user, with its target, grouped by user."""
    return list(
        db.session.scalars(
            select(Follow)
            .join(User, User.id == Follow.user_id)
            .where(User.active.is_(True))
            .options(joinedload(Follow.indicator), joinedload(Follow.issue_type))
            .order_by(Follow.user_id, Follow.id)
        )
    )


def users(user_ids: list[int]) -> dict[int, User]:
    rows = db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id))
    return {user.id: user for user in rows}


def states(user_ids: list[int]) -> dict[tuple[int, str], AlertState]:
    rows = db.session.scalars(
        select(AlertState).where(AlertState.user_id.in_(user_ids)).order_by(AlertState.id)
    )
    return {(state.user_id, state.key): state for state in rows}


def add(record: object) -> None:
    db.session.add(record)
    db.session.flush()


def delete(record: object) -> None:
    db.session.delete(record)
    db.session.flush()


def notifications(user_id: int, offset: int, limit: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )


def notification_count(user_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user_id)
        )
        or 0
    )


# The request memo (bench.kept.request_memo) where the header's count, read with the
# session (bench.auth.queries.live_session), waits for the header: user id -> count.
UNREAD = "unread notifications"

# Run on a page whose count was not read with the session: built once, the user bound.
_UNREAD = select(func.count(Notification.id)).where(
    Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)
)


def unread_count(user_id: int) -> int:
    return db.session.scalar(_UNREAD, {"user_id": user_id}) or 0


def mark_read(user_id: int, now: datetime) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
    db.session.flush()
    return result.rowcount or 0


def unsent() -> list[tuple[Notification, str]]:
    """Notifications not yet emailed, with the address of their user."""
    rows = db.session.execute(
        select(Notification, User.email)
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), User.active.is_(True))
        .order_by(Notification.id)
    )
    return [(notification, email) for notification, email in rows]


def forget_states(user_id: int, prefix: str) -> None:
    """Drop what the check remembered for one target (keys starting with *prefix*)."""
    db.session.execute(
        delete_rows(AlertState).where(
            AlertState.user_id == user_id, AlertState.key.startswith(prefix, autoescape=True)
        )
    )
    db.session.flush()
