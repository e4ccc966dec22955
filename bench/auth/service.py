"""Account rules: signing in and out, server-side sessions, passwords, invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from bench import audit, messages, security
from bench.auth import queries
from bench.errors import Conflict, InvalidInput, NotFound
from bench.extensions import db
from bench.models import AUTHORITY_ROLES, Authority, Invitation, Role, User, utcnow

PASSWORD_MIN = 12
PASSWORD_MAX = 200


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str


def _start_session(user: User, now: datetime) -> str:
    token = security.new_token()
    lifetime: timedelta = current_app.config["PERMANENT_SESSION_LIFETIME"]
    queries.add_session(user, security.token_hash(token), now, now + lifetime)
    return token


def sign_in(email: str, password: str) -> SignedIn:
    """Check the credentials and open a session. One message for every failure."""
    user = queries.user_by_email(email.strip())
    if user is None or not user.active:
        security.verify_password(None, password)  # same cost as a real check
        audit.record(
            "sign_in_failed", actor=None, authority_id=None, details={"reason": "credentials"}
        )
        db.session.commit()
        raise InvalidInput(messages.SIGN_IN_FAILED, field="email")
    if not security.verify_password(user.password_hash, password):
        audit.record("sign_in_failed", actor=user, authority_id=user.authority_id)
        db.session.commit()
        raise InvalidInput(messages.SIGN_IN_FAILED, field="email")
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    now = utcnow()
    token = _start_session(user, now)
    audit.record("signed_in", actor=user, authority_id=user.authority_id, subject=user)
    db.session.commit()
    user.session_token = token
    return SignedIn(user, token)


def load_user_for_session(token: str) -> User | None:
    """The user behind a session token, or None when the session has ended."""
    record = queries.live_session(security.token_hash(token), utcnow())
    if record is None:
        return None
    user = record.user
    user.session_token = token
    return user


def sign_out(user: User) -> None:
    if user.session_token:
        queries.end_session(security.token_hash(user.session_token), utcnow(), "signed_out")
    audit.record("signed_out", actor=user, authority_id=user.authority_id, subject=user)
    db.session.commit()


def validate_new_password(password: str, confirmation: str, field: str = "password") -> None:
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(messages.PASSWORD_TOO_SHORT.format(min=PASSWORD_MIN), field=field)
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(messages.PASSWORD_TOO_LONG.format(max=PASSWORD_MAX), field=field)
    if password != confirmation:
        raise InvalidInput(messages.PASSWORDS_DIFFER, field="confirm_password")


def change_password(user: User, current: str, new: str, confirmation: str) -> SignedIn:
    """Change the password, end every session (this one too) and open a fresh one."""
    if not security.verify_password(user.password_hash, current):
        raise InvalidInput(messages.CURRENT_PASSWORD_WRONG, field="current_password")
    validate_new_password(new, confirmation, field="new_password")
    now = utcnow()
    user.password_hash = security.hash_password(new)
    queries.end_all_sessions(user.id, now, "password_changed")
    token = _start_session(user, now)
    audit.record("password_changed", actor=user, authority_id=user.authority_id, subject=user)
    db.session.commit()
    user.session_token = token
    return SignedIn(user, token)


def create_user(
    *, email: str, name: str, password: str, role: Role, authority: Authority | None
) -> User:
    """Create an account directly (the ``flask users create`` command)."""
    email = email.strip().lower()
    if role in AUTHORITY_ROLES and authority is None:
        raise InvalidInput(messages.AUTHORITY_REQUIRED, field="authority")
    if role not in AUTHORITY_ROLES and authority is not None:
        raise InvalidInput(f"A {role.label.lower()} belongs to no authority", field="authority")
    if queries.user_by_email(email) is not None:
        raise Conflict(messages.EMAIL_TAKEN, field="email")
    validate_new_password(password, password)
    user = User(
        email=email,
        name=name.strip(),
        password_hash=security.hash_password(password),
        role=role,
        authority=authority,
    )
    queries.add(user)
    audit.record("user_created", actor=None, authority_id=user.authority_id, subject=user)
    db.session.commit()
    return user


# --- invitations ----------------------------------------------------------------


def open_invitation(token: str) -> Invitation:
    invitation = queries.invitation_by_token_hash(security.token_hash(token))
    now = utcnow()
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
    ):
        raise NotFound(messages.INVITATION_INVALID)
    return invitation


def accept_invitation(token: str, password: str, confirmation: str) -> SignedIn:
    invitation = open_invitation(token)
    validate_new_password(password, confirmation)
    if queries.user_by_email(invitation.email) is not None:
        raise NotFound(messages.INVITATION_INVALID)
    now = utcnow()
    user = User(
        email=invitation.email,
        name=invitation.name,
        password_hash=security.hash_password(password),
        role=invitation.role,
        authority_id=invitation.authority_id,
        created_at=now,
    )
    queries.add(user)
    invitation.accepted_at = now
    token_for_session = _start_session(user, now)
    audit.record(
        "invitation_accepted", actor=user, authority_id=user.authority_id, subject=invitation
    )
    db.session.commit()
    user.session_token = token_for_session
    return SignedIn(user, token_for_session)
