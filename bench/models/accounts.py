"""Users, their server-side sessions, invitations and inspector grants."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.authorities import Authority
from bench.models.base import Base, UTCDateTime, str_enum, utcnow


class Role(enum.StrEnum):
    STAFF = "staff"
    ANALYST = "analyst"
    AUTHORITY_ADMIN = "authority_admin"
    INSPECTOR = "inspector"
    NETWORK_ADMIN = "network_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def belongs_to_authority(self) -> bool:
        return self in AUTHORITY_ROLES


ROLE_LABELS = {
    Role.STAFF: "Staff",
    Role.ANALYST: "Analyst",
    Role.AUTHORITY_ADMIN: "Authority admin",
    Role.INSPECTOR: "Inspector",
    Role.NETWORK_ADMIN: "Network admin",
}
AUTHORITY_ROLES = frozenset({Role.STAFF, Role.ANALYST, Role.AUTHORITY_ADMIN})


class User(Base):
    """A person who signs in. Inspectors and network admins belong to no authority."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role IN ('inspector', 'network_admin')) = (authority_id IS NULL)",
            name="authority_matches_role",
        ),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("authorities.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    authority: Mapped[Authority | None] = relationship()

    # Flask-Login: the session token this request was authenticated with. Not a column:
    # the cookie names the session, never the user (DESIGN.md, Accounts).
    session_token = None  # str | None, set per request

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class UserSession(Base):
    """A signed-in session. The cookie holds the token; the database holds its hash."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The absolute end, set when the session starts: nothing moves it later.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Last activity, for idle expiry: written at most once a minute (bench.auth.service).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the password was last entered for this session (signing in counts): tokens,
    # grants and managing users need it recent (BENCH_REAUTH_MINUTES).
    reauthenticated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(40))

    user: Mapped[User] = relationship()


class Invitation(Base):
    """An authority admin's invitation for a new user of their own authority."""

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint("role IN ('staff', 'analyst', 'authority_admin')", name="authority_role"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "invitation_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    authority: Mapped[Authority] = relationship()
    invited_by: Mapped[User | None] = relationship()


def new_public_id() -> str:
    """A random id for URLs and the API: never sequential, so an id tells nothing about
    how many there are or when it was made (16 characters, 96 random bits)."""
    return secrets.token_urlsafe(12)


class InspectorGrant(Base):
    """Time-limited permission, given by an authority admin, for an inspector to see it."""

    __tablename__ = "inspector_grants"
    __table_args__ = (CheckConstraint("expires_at > starts_at", name="expires_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What pages and the API call the grant: the database id stays on the server.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    inspector_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    inspector: Mapped[User] = relationship(foreign_keys=[inspector_id])
    authority: Mapped[Authority] = relationship()
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def is_current(self, at: datetime) -> bool:
        return self.revoked_at is None and self.starts_at <= at < self.expires_at

    def ends_at(self) -> datetime:
        """When the grant stops: revoked early, or at its end."""
        if self.revoked_at is not None and self.revoked_at < self.expires_at:
            return self.revoked_at
        return self.expires_at


class TokenScope(enum.StrEnum):
    READ = "read"
    PUBLISH = "publish"
    # Read, and an authority admin's writes through the API: grant and revoke inspectors'
    # access; ask for, answer and end allies. Never publishing, which has its own scope.
    MANAGE = "manage"
    # Read, and recording reviews, visits, notes, actions and staff views (any user of an
    # authority may); never publishing or managing.
    RECORD = "record"


class ApiToken(Base):
    """A personal API token: shown once, stored hashed, never more than its user may do."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("scope IN ('read', 'publish', 'manage', 'record')", name="known_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[TokenScope] = mapped_column(str_enum(TokenScope, "token_scope"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so users can tell their tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
