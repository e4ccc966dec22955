"""Best Value reviews: the review, its team, updates to staff and the comparisons it pinned.

A review is not a one-off event: ``previous_review_id`` chains this year's review to last
year's, whose unfinished actions are carried in (bench.models.actions).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.accounts import User
from bench.models.allies import new_public_id
from bench.models.authorities import Authority
from bench.models.base import Base, UTCDateTime, str_enum, utcnow
from bench.models.indicators import Indicator, KeyArea, Period


class ReviewStatus(enum.StrEnum):
    PLANNING = "planning"
    FIELDWORK = "fieldwork"
    REPORTING = "reporting"
    ACTION_PLANNING = "action_planning"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Review(Base):
    """One authority's Best Value review of a service."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("previous_review_id IS NULL OR previous_review_id <> id", name="not_own"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    service_scope: Mapped[str] = mapped_column(Text, default="")
    period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id", ondelete="SET NULL"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus, "review_status"), default=ReviewStatus.PLANNING
    )
    previous_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic locking: a second editor's stale save is told, never silently lost.
    lock_version: Mapped[int] = mapped_column(default=1)

    authority: Mapped[Authority] = relationship()
    period: Mapped[Period | None] = relationship()
    previous_review: Mapped[Review | None] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship()
    key_areas: Mapped[list[ReviewKeyArea]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewKeyArea.key_area"
    )
    team: Mapped[list[ReviewTeamMember]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewTeamMember.id"
    )


class ReviewKeyArea(Base):
    """A key area the review watches (DESIGN.md's five): one fact a row."""

    __tablename__ = "review_key_areas"
    __table_args__ = (UniqueConstraint("review_id", "key_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    key_area: Mapped[KeyArea] = mapped_column(str_enum(KeyArea, "key_area"))

    review: Mapped[Review] = relationship(back_populates="key_areas")


class TeamRole(enum.StrEnum):
    LEAD = "lead"
    MEMBER = "member"
    SPONSOR = "sponsor"
    STAFF_REPRESENTATIVE = "staff_representative"
    LIVED_EXPERIENCE = "lived_experience"
    PEER_FROM_ALLY = "peer_from_ally"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ReviewTeamMember(Base):
    """A user of the authority, or a named person without an account."""

    __tablename__ = "review_team_members"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR display_name <> ''", name="user_or_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[TeamRole] = mapped_column(str_enum(TeamRole, "team_role"), default=TeamRole.MEMBER)

    review: Mapped[Review] = relationship(back_populates="team")
    user: Mapped[User | None] = relationship()


class UpdateKind(enum.StrEnum):
    UPDATE = "update"
    CHANGE_CONSIDERED = "change_considered"
    DECISION = "decision"

    @property
    def label(self) -> str:
        return {"update": "Update", "change_considered": "Change being considered"}.get(
            self.value, "Decision"
        )


class ReviewUpdate(Base):
    """A short update to every user of the authority; read-only once posted."""

    __tablename__ = "review_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    kind: Mapped[UpdateKind] = mapped_column(
        str_enum(UpdateKind, "update_kind"), default=UpdateKind.UPDATE
    )
    body_md: Mapped[str] = mapped_column(Text)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship()
    posted_by: Mapped[User | None] = relationship()


class ReviewEvidence(Base):
    """A comparison the review relied on, pinned: the authority's own classification as it
    stood, never a peer's figure (so nothing pinned outlives the rules on peers)."""

    __tablename__ = "review_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    # The group as the comparison pages name it ("all", "same-type", a custom group's key).
    group_key: Mapped[str] = mapped_column(String(60))
    group_label: Mapped[str] = mapped_column(String(200))
    # The authority's own value and its classification against the group when pinned.
    value_at_pin: Mapped[float | None] = mapped_column()
    classification_at_pin: Mapped[str] = mapped_column(String(60), default="")
    data_version: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    pinned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    pinned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship()
    indicator: Mapped[Indicator] = relationship()
    period: Mapped[Period] = relationship()
    pinned_by: Mapped[User | None] = relationship()
