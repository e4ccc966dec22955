"""Staff views ("you said, we did"): named, or anonymous within the authority.

An anonymous view keeps nothing that joins it back to its author: no user id, session,
address or time of day (``submitted_on`` is a date), and a random primary key in a table
without SQLite's hidden rowid, so neither an id nor storage order tells which came when.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.accounts import User
from bench.models.actions import FollowUpAction
from bench.models.allies import new_public_id
from bench.models.authorities import Authority
from bench.models.base import Base, UTCDateTime, str_enum, utcnow
from bench.models.indicators import KeyArea
from bench.models.reviews import Review


def new_view_id() -> str:
    return secrets.token_urlsafe(16)


class StaffViewStatus(enum.StrEnum):
    NEW = "new"
    RESPONDED = "responded"
    HIDDEN = "hidden"


class StaffView(Base):
    __tablename__ = "staff_views"
    __table_args__ = (
        CheckConstraint("anonymous = (author_user_id IS NULL)", name="anonymous_has_no_author"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(22), primary_key=True, default=new_view_id)
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="SET NULL"), index=True
    )
    key_area: Mapped[KeyArea] = mapped_column(str_enum(KeyArea, "staff_view_key_area"))
    body_md: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_on: Mapped[date] = mapped_column(Date)
    status: Mapped[StaffViewStatus] = mapped_column(
        str_enum(StaffViewStatus, "staff_view_status"), default=StaffViewStatus.NEW
    )
    # Anonymous views reach the team in batches of five: set on a whole batch at once,
    # when its fifth view comes in. Which views came first is not kept, so which views a
    # batch holds can only be remembered, never worked out again later.
    released: Mapped[bool] = mapped_column(Boolean, default=False)
    # Moderation: the text is kept but hidden, with the reason (audited without the author).
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    authority: Mapped[Authority] = relationship()
    review: Mapped[Review | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_user_id])
    responses: Mapped[list[StaffViewResponse]] = relationship(
        back_populates="view", cascade="all, delete-orphan", order_by="StaffViewResponse.id"
    )


class StaffViewResponse(Base):
    """The team's answer ("we did"), optionally linked to an action."""

    __tablename__ = "staff_view_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    view_id: Mapped[str] = mapped_column(
        ForeignKey("staff_views.id", ondelete="CASCADE"), index=True
    )
    body_md: Mapped[str] = mapped_column(Text)
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up_actions.id", ondelete="SET NULL")
    )
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    view: Mapped[StaffView] = relationship(back_populates="responses")
    action: Mapped[FollowUpAction | None] = relationship()
    responded_by: Mapped[User | None] = relationship()
