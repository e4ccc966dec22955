"""Follow-up actions: from visits, reviews and staff views, carried across reviews.

Every change is an :class:`ActionUpdate` kept in order (append-only, as MHCLG's
assessment store keeps flag updates); the latest status and rating are copied onto the
action. An unfinished action is carried into the next review as a new action whose
``carried_from_id`` points at the old one, so the chain keeps its whole history.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.accounts import User
from bench.models.allies import new_public_id
from bench.models.authorities import Authority
from bench.models.base import Base, UTCDateTime, str_enum, utcnow
from bench.models.indicators import Indicator, Period
from bench.models.issues import IssueType
from bench.models.reviews import Review
from bench.models.visits import Visit


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"
    CARRIED_FORWARD = "carried_forward"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def finished(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.DROPPED, ActionStatus.CARRIED_FORWARD)


class Rag(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class ActionSource(enum.StrEnum):
    VISIT = "visit"
    REVIEW = "review"
    STAFF_VIEW = "staff_view"


class FollowUpAction(Base):
    __tablename__ = "follow_up_actions"
    __table_args__ = (
        CheckConstraint("(status = 'done') = (completed_on IS NOT NULL)", name="done_has_date"),
        CheckConstraint("carried_from_id IS NULL OR carried_from_id <> id", name="not_own"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[ActionSource] = mapped_column(
        str_enum(ActionSource, "action_source"), default=ActionSource.REVIEW
    )
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"), index=True
    )
    # The staff view it answers (a "you said, we did"), by the view's random id.
    staff_view_id: Mapped[str | None] = mapped_column(
        ForeignKey("staff_views.id", ondelete="SET NULL")
    )
    description: Mapped[str] = mapped_column(Text)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    owner: Mapped[str] = mapped_column(String(200), default="")  # a named person, no account
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    rag: Mapped[Rag | None] = mapped_column(str_enum(Rag, "rag"))
    completed_on: Mapped[date | None] = mapped_column(Date)
    indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicators.id", ondelete="SET NULL")
    )
    baseline_period_id: Mapped[int | None] = mapped_column(
        ForeignKey("periods.id", ondelete="SET NULL")
    )
    baseline_value: Mapped[float | None] = mapped_column()
    target_value: Mapped[float | None] = mapped_column()
    target_period_id: Mapped[int | None] = mapped_column(
        ForeignKey("periods.id", ondelete="SET NULL")
    )
    issue_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("issue_types.id", ondelete="SET NULL")
    )
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up_actions.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    authority: Mapped[Authority] = relationship()
    review: Mapped[Review | None] = relationship()
    visit: Mapped[Visit | None] = relationship()
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    indicator: Mapped[Indicator | None] = relationship()
    baseline_period: Mapped[Period | None] = relationship(foreign_keys=[baseline_period_id])
    target_period: Mapped[Period | None] = relationship(foreign_keys=[target_period_id])
    issue_type: Mapped[IssueType | None] = relationship()
    carried_from: Mapped[FollowUpAction | None] = relationship(remote_side=[id])
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionUpdate.id"
    )


class ActionUpdate(Base):
    """One change to an action, in order; never edited."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("follow_up_actions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "update_status"))
    rag: Mapped[Rag | None] = mapped_column(str_enum(Rag, "update_rag"))
    due_on: Mapped[date | None] = mapped_column(Date)
    # Who owned the action after this update, as named then (a user's name or a named
    # person): an owner change is an update like any other, and history keeps the name.
    owner: Mapped[str] = mapped_column(String(200), default="")
    note_md: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[FollowUpAction] = relationship(back_populates="updates")
    by: Mapped[User | None] = relationship()
