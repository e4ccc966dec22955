"""Reads and writes for accounts. Flush, never commit: services own the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import contains_eager

from bench.alerts.queries import UNREAD
from bench.extensions import db
from bench.kept import request_memo
from bench.models import ApiToken, Invitation, Notification, User, UserSession


def user_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == email.lower())).first()


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def live_session(
    token_hash: str, now: datetime, *, seen_since: datetime, started_since: datetime
) -> UserSession | None:
    """The session with *token_hash* unless it ended: signed out, past its end, last
    seen before *seen_since* (idle), started before *started_since*, or its user inactive.
    """
    parameters = {
        "token_hash": token_hash, "now": now, "seen_since": seen_since,
        "started_since": started_since,
    }  # fmt: skip
    row = db.session.execute(_LIVE_SESSION, parameters).first()
    if row is None:
        return None
    record, unread = row
    # The header's "Notifications (n)" on every page, read here rather than in a round
    # trip of its own: bench.alerts.service.unread_count takes it until the request writes.
    request_memo(UNREAD)[record.user_id] = unread
    return record


# Run on every request: built once, its parameters bound per call.
_LIVE_SESSION = (
    select(
        UserSession,
        select(func.count(Notification.id))
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .correlate(User)
        .scalar_subquery(),
    )
    .join(UserSession.user)
    # The user and their authority in the same query: every page shows both.
    .options(contains_eager(UserSession.user).joinedload(User.authority))
    .where(
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.ended_at.is_(None),
        UserSession.expires_at > bindparam("now"),
        UserSession.last_seen_at > bindparam("seen_since"),
        UserSession.created_at > bindparam("started_since"),
        User.active.is_(True),
    )
    .order_by(UserSession.id)
)


def add_session(user: User, token_hash: str, now: datetime, expires_at: datetime) -> UserSession:
    """A session opened by entering the password *now*: last seen and authenticated now."""
    record = UserSession(
        user=user,
        token_hash=token_hash,
        created_at=now,
        expires_at=expires_at,
        last_seen_at=now,
        reauthenticated_at=now,
    )
    db.session.add(record)
    db.session.flush()
    return record


def end_session(token_hash: str, now: datetime, reason: str) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash, UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


def end_all_sessions(user_id: int, now: datetime, reason: str) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


def invitation_by_token_hash(token_hash: str) -> Invitation | None:
    return db.session.scalars(
        select(Invitation).where(Invitation.token_hash == token_hash).order_by(Invitation.id)
    ).first()


def add(obj: object) -> None:
    db.session.add(obj)
    db.session.flush()


def pending_invitation(email: str, now: datetime) -> Invitation | None:
    return db.session.scalars(
        select(Invitation)
        .where(
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.id)
    ).first()


def tokens_of(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def token_of(user_id: int, token_id: int) -> ApiToken | None:
    return db.session.scalars(
        select(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user_id)
        .order_by(ApiToken.id)
    ).first()


def live_token(token_hash: str, now: datetime) -> ApiToken | None:
    return db.session.scalars(
        select(ApiToken)
        .join(ApiToken.user)
        .where(
            ApiToken.token_hash == token_hash,
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
            User.active.is_(True),
        )
        .order_by(ApiToken.id)
    ).first()
