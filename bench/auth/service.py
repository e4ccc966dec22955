"""Account rules: signing in and out, server-side sessions, passwords, invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from bench import audit, messages, security
from bench.access import Permission, has_permission
from bench.auth import passwords, queries
from bench.errors import Conflict, InvalidInput, NotFound
from bench.extensions import db
from bench.models import (
    AUTHORITY_ROLES,
    ApiToken,
    Authority,
    Invitation,
    Role,
    TokenScope,
    User,
    UserSession,
    utcnow,
)


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str


@dataclass(frozen=True)
class SessionEnd:
    """When a session ends if nothing more happens, and which limit ends it: idleness
    (``idle``: any request, or "Stay signed in", puts it off) or the absolute limit from
    signing in, which nothing puts off."""

    at: datetime
    idle: bool


# last_seen_at is what idle expiry reads. Writing it on every request would make every
# page view a write (a row lock and a WAL record on PostgreSQL, the one write lock on
# SQLite); once a minute per signed-in user is a few writes a second at the network's
# busiest, and a session's idle limit (tens of minutes) is then kept to within a minute.
SESSION_TOUCH_INTERVAL = timedelta(minutes=1)


def _idle_limit() -> timedelta:
    return current_app.config["SESSION_IDLE_TIMEOUT"]


def _absolute_limit() -> timedelta:
    return current_app.config["PERMANENT_SESSION_LIFETIME"]


def _start_session(user: User, now: datetime) -> str:
    """A new session: signing in (or choosing a password) is entering the password."""
    token = security.new_token()
    queries.add_session(user, security.token_hash(token), now, now + _absolute_limit())
    return token


def _live_session(token: str, now: datetime) -> UserSession | None:
    """The session behind *token* unless it has ended: signed out, past its absolute
    limit (counted from signing in, so a lower BENCH_SESSION_HOURS applies to sessions
    already open), idle too long, or its user deactivated."""
    return queries.live_session(
        security.token_hash(token),
        now,
        seen_since=now - _idle_limit(),
        started_since=now - _absolute_limit(),
    )


def _session_end(record: UserSession) -> SessionEnd:
    absolute = min(record.expires_at, record.created_at + _absolute_limit())
    idle = record.last_seen_at + _idle_limit()
    return SessionEnd(idle, True) if idle < absolute else SessionEnd(absolute, False)


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


def load_user_for_session(token: str, *, touch: bool = True) -> User | None:
    """The user behind a session token, or None when the session has ended.

    The session's last activity is written (at most once a minute) unless *touch* is
    False: a request that must leave no trace of its sender (bench.access.untraced).
    """
    now = utcnow()
    record = _live_session(token, now)
    if record is None:
        return None
    if touch and now - record.last_seen_at >= SESSION_TOUCH_INTERVAL:
        db.begin_write()  # a page read that writes: take SQLite's write lock first
        record.last_seen_at = now
        db.session.commit()
    user = record.user
    user.session_token = token
    return user


def session_end(user: User) -> SessionEnd | None:
    """When the session this request came with ends (None without one: an API token)."""
    if not user.session_token:
        return None
    record = _live_session(user.session_token, utcnow())
    return _session_end(record) if record is not None else None


def extend_session(user: User) -> SessionEnd | None:
    """Stay signed in, from the editor's timeout warning: the session this request came
    with counts as active now. Its absolute limit does not move. Returns its new end."""
    if not user.session_token:
        return None
    now = utcnow()
    record = _live_session(user.session_token, now)
    if record is None:
        return None
    record.last_seen_at = now
    db.session.commit()
    return _session_end(record)


def sign_out(user: User) -> None:
    if user.session_token:
        queries.end_session(security.token_hash(user.session_token), utcnow(), "signed_out")
    audit.record("signed_out", actor=user, authority_id=user.authority_id, subject=user)
    db.session.commit()


# --- re-authentication: the password again before tokens, grants and managing users --


def recently_authenticated(user: User) -> bool:
    """Whether the password was entered for this session within BENCH_REAUTH_MINUTES
    (signing in counts). False without a session: nothing to have entered it in."""
    if not user.session_token:
        return False
    now = utcnow()
    record = _live_session(user.session_token, now)
    window: timedelta = current_app.config["REAUTHENTICATION_WINDOW"]
    return record is not None and record.reauthenticated_at > now - window


def reauthenticate(user: User, password: str) -> None:
    """Check the signed-in user's password again and note when, on this session only."""
    record = _live_session(user.session_token or "", utcnow())
    if record is None or not security.verify_password(user.password_hash, password):
        audit.record("reauthentication_failed", actor=user, authority_id=user.authority_id)
        db.session.commit()
        raise InvalidInput(messages.REAUTH_WRONG, field="password")
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    now = utcnow()
    record.reauthenticated_at = now
    record.last_seen_at = now
    audit.record("reauthenticated", actor=user, authority_id=user.authority_id, subject=user)
    db.session.commit()


def validate_new_password(
    password: str, confirmation: str, *, email: str, name: str, field: str = "password"
) -> None:
    """The rules for a new password (bench.auth.passwords), for the user it is for."""
    passwords.check(password, confirmation, email=email, name=name, field=field)


def change_password(user: User, current: str, new: str, confirmation: str) -> SignedIn:
    """Change the password, end every session (this one too) and open a fresh one."""
    if not security.verify_password(user.password_hash, current):
        raise InvalidInput(messages.CURRENT_PASSWORD_WRONG, field="current_password")
    validate_new_password(new, confirmation, email=user.email, name=user.name, field="new_password")
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
    validate_new_password(password, password, email=email, name=name)
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
    validate_new_password(password, confirmation, email=invitation.email, name=invitation.name)
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


# --- personal API tokens ----------------------------------------------------------

# Secret scanners recognise a fixed prefix; the stored prefix also shows six random
# characters, so a user can tell their tokens apart without the secret.
TOKEN_SECRET_PREFIX = "bench_"  # noqa: S105 - a label, not a secret
TOKEN_SHOWN_PREFIX_LENGTH = 12
TOKEN_NAME_MAX = 100
TOKEN_DAYS_MAX = 366
# last_used_at is for people reviewing their tokens; a write per API call would be waste.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret, which exists only in this object and the response."""

    token: ApiToken
    secret: str


def token_scopes(user: User) -> list[TokenScope]:
    """The scopes *user* may give a token: never more than the user may do."""
    scopes = [TokenScope.READ]
    if has_permission(user, Permission.PUBLISH):
        scopes.append(TokenScope.PUBLISH)
    if has_permission(user, Permission.MANAGE_AUTHORITY_USERS):
        scopes.append(TokenScope.MANAGE)
    if has_permission(user, Permission.RECORD_VISITS):
        scopes.append(TokenScope.RECORD)
    return scopes


def list_tokens(user: User) -> list[ApiToken]:
    return queries.tokens_of(user.id)


def create_token(user: User, *, name: str, scope: str, expires_in_days: int | None) -> IssuedToken:
    """Make a token for *user*; only its hash is stored, the secret is returned once."""
    name = name.strip()
    if not name:
        raise InvalidInput(messages.TOKEN_NAME_REQUIRED, field="name")
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidInput(messages.TOKEN_NAME_TOO_LONG.format(max=TOKEN_NAME_MAX), field="name")
    if scope not in {allowed.value for allowed in TokenScope}:
        raise InvalidInput(messages.TOKEN_SCOPE_REQUIRED, field="scope")
    if TokenScope(scope) not in token_scopes(user):
        refused = (
            messages.TOKEN_MANAGE_NOT_ALLOWED
            if scope == TokenScope.MANAGE
            else messages.TOKEN_SCOPE_NOT_ALLOWED
        )
        raise InvalidInput(refused, field="scope")
    if expires_in_days is not None and not 1 <= expires_in_days <= TOKEN_DAYS_MAX:
        raise InvalidInput(
            messages.TOKEN_EXPIRY_INVALID.format(max=TOKEN_DAYS_MAX), field="expires_in_days"
        )
    now = utcnow()
    secret = TOKEN_SECRET_PREFIX + security.new_token()
    token = ApiToken(
        user=user,
        name=name,
        scope=TokenScope(scope),
        token_hash=security.token_hash(secret),
        prefix=secret[:TOKEN_SHOWN_PREFIX_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    queries.add(token)
    audit.record(
        "api_token_created",
        actor=user,
        authority_id=user.authority_id,
        subject=token,
        details={
            "name": name,
            "scope": scope,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        },
    )
    db.session.commit()
    return IssuedToken(token, secret)


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of *user*'s own tokens; anyone else's is not found. Revoking twice is
    harmless and records nothing new."""
    token = queries.token_of(user.id, token_id)
    if token is None:
        raise NotFound("No such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            "api_token_revoked",
            actor=user,
            authority_id=user.authority_id,
            subject=token,
            details={"name": token.name, "prefix": token.prefix},
        )
        db.session.commit()
    return token


def authenticate_token(secret: str, *, touch: bool = True) -> ApiToken | None:
    """The live token behind *secret* (not revoked, not expired, its user active).

    Its last use is written (at most once a minute) unless *touch* is False: a request
    that must leave no trace of its sender (bench.access.untraced).
    """
    now = utcnow()
    token = queries.live_token(security.token_hash(secret), now)
    if token is None:
        return None
    if not touch:
        return token
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        db.begin_write()  # an API read that writes: take SQLite's write lock first
        token.last_used_at = now
        db.session.commit()
    return token
