"""Allies: two authorities that have both agreed to see each other's identity."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.accounts import User
from bench.models.authorities import Authority
from bench.models.base import Base, UTCDateTime, str_enum, utcnow
from bench.models.issues import IssueType


class AllyRequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


def new_public_id() -> str:
    """A random, unguessable id for URLs and the API (22 characters): never sequential,
    so an id says nothing about how many requests or alliances there are."""
    return secrets.token_urlsafe(16)


class AllyAsk(Base):
    """An authority admin's one request to every peer open to contact about an issue.

    The asker sees only this: never the :class:`AllyRequest` rows it fanned out to, so
    neither who received it, nor how many, nor who declined can be read from it. Its
    status is a matter of time only (open until ``expires_at``).
    """

    __tablename__ = "ally_asks"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    issue_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("issue_types.id", ondelete="SET NULL")
    )
    message: Mapped[str] = mapped_column(Text, default="")
    # Who the asker's side offers as its contact, shared only on acceptance.
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the asker's admins were told the request had closed (the expiry run).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    issue_type: Mapped[IssueType | None] = relationship()


class AllyRequest(Base):
    """An authority admin's request to a peer. A decline looks like silence to the asker."""

    __tablename__ = "ally_requests"
    __table_args__ = (
        CheckConstraint("requester_id <> recipient_id", name="not_self"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    ask_id: Mapped[int] = mapped_column(ForeignKey("ally_asks.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    issue_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("issue_types.id", ondelete="SET NULL")
    )
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AllyRequestStatus] = mapped_column(
        str_enum(AllyRequestStatus, "ally_request_status"), default=AllyRequestStatus.PENDING
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requester: Mapped[Authority] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[Authority] = relationship(foreign_keys=[recipient_id])
    issue_type: Mapped[IssueType | None] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    ask: Mapped[AllyAsk] = relationship()


class Alliance(Base):
    """A mutual reveal. Stored once per pair, lower authority id first."""

    __tablename__ = "alliances"
    __table_args__ = (
        CheckConstraint("first_id < second_id", name="ordered_pair"),
        Index(
            "uq_alliances_current_pair",
            "first_id",
            "second_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    first_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("ally_requests.id", ondelete="SET NULL")
    )
    formed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("authorities.id", ondelete="SET NULL")
    )
    # The contact person and email each side chose to share (the asker's when asking,
    # the recipient's when accepting); shown to the other side while the alliance lasts.
    first_contact_name: Mapped[str] = mapped_column(String(200), default="")
    first_contact_email: Mapped[str] = mapped_column(String(320), default="")
    second_contact_name: Mapped[str] = mapped_column(String(200), default="")
    second_contact_email: Mapped[str] = mapped_column(String(320), default="")

    first: Mapped[Authority] = relationship(foreign_keys=[first_id])
    second: Mapped[Authority] = relationship(foreign_keys=[second_id])
