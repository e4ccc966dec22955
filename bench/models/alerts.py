"""Alerts: what a user follows, what bench told them, and what it last saw for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.base import Base, UTCDateTime, utcnow
from bench.models.indicators import Indicator
from bench.models.issues import IssueType


class Follow(Base):
    """A user follows one indicator or one issue type (exactly one of the two)."""

    __tablename__ = "follows"
    __table_args__ = (
        CheckConstraint(
            "(indicator_id IS NULL) <> (issue_type_id IS NULL)", name="exactly_one_target"
        ),
        UniqueConstraint("user_id", "indicator_id"),
        UniqueConstraint("user_id", "issue_type_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE")
    )
    issue_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("issue_types.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    indicator: Mapped[Indicator | None] = relationship()
    issue_type: Mapped[IssueType | None] = relationship()


class Notification(Base):
    """One thing bench told a user: shown in the app, emailed once (emailed_at)."""

    __tablename__ = "notifications"
    # The header counts a user's unread notifications on every page.
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlertState(Base):
    """What the alert check last saw for one user and target, to notice a change."""

    __tablename__ = "alert_states"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))  # e.g. "indicator:12:neighbours"
    value: Mapped[str] = mapped_column(String(120))  # a band, a label or a period id
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
