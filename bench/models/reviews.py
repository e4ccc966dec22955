"""Review visits between authorities and their follow-up actions."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.accounts import User
from bench.models.authorities import Authority
from bench.models.base import Base, UTCDateTime, str_enum, utcnow
from bench.models.indicators import Indicator
from bench.models.issues import IssueType


class VisitKind(enum.StrEnum):
    VISIT = "visit"
    MEETING = "meeting"


class Visit(Base):
    """A review visit recorded by the visiting authority (its notes are its own)."""

    __tablename__ = "visits"
    __table_args__ = (CheckConstraint("host_authority_id <> authority_id", name="not_self"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    host_authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("authorities.id", ondelete="SET NULL")
    )
    kind: Mapped[VisitKind] = mapped_column(str_enum(VisitKind, "visit_kind"))
    visited_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    people: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    good_practice: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    authority: Mapped[Authority] = relationship(foreign_keys=[authority_id])
    host_authority: Mapped[Authority | None] = relationship(foreign_keys=[host_authority_id])
    created_by: Mapped[User | None] = relationship()
    topics: Mapped[list[VisitTopic]] = relationship(
        back_populates="visit", cascade="all, delete-orphan"
    )
    actions: Mapped[list[FollowUpAction]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="FollowUpAction.id"
    )


class VisitTopic(Base):
    """An issue type or an indicator a visit looked at (exactly one of the two)."""

    __tablename__ = "visit_topics"
    __table_args__ = (
        CheckConstraint("(issue_type_id IS NULL) <> (indicator_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    issue_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("issue_types.id", ondelete="CASCADE")
    )
    indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE")
    )

    visit: Mapped[Visit] = relationship(back_populates="topics")
    issue_type: Mapped[IssueType | None] = relationship()
    indicator: Mapped[Indicator | None] = relationship()


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class FollowUpAction(Base):
    __tablename__ = "follow_up_actions"
    __table_args__ = (
        CheckConstraint("(status = 'done') = (completed_on IS NOT NULL)", name="done_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    completed_on: Mapped[date | None] = mapped_column(Date)

    visit: Mapped[Visit] = relationship(back_populates="actions")
