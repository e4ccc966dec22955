"""Known issues: the shared catalogue of issue types and authorities' flags."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.accounts import User
from bench.models.authorities import Authority
from bench.models.base import Base, UTCDateTime, str_enum, utcnow
from bench.models.cqc import QualityStatement
from bench.models.indicators import Indicator


class IssueTypeStatus(enum.StrEnum):
    APPROVED = "approved"
    PROPOSED = "proposed"
    MERGED = "merged"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return self.value.capitalize()


issue_type_indicators = Table(
    "issue_type_indicators",
    Base.metadata,
    Column("issue_type_id", ForeignKey("issue_types.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True),
)


class IssueType(Base):
    """A known problem from the shared catalogue, linked to the indicators measuring it."""

    __tablename__ = "issue_types"
    __table_args__ = (
        CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_has_target"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[IssueTypeStatus] = mapped_column(
        str_enum(IssueTypeStatus, "issue_type_status"), default=IssueTypeStatus.APPROVED
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("issue_types.id", ondelete="RESTRICT")
    )
    proposed_by_authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("authorities.id", ondelete="SET NULL")
    )
    # The CQC quality statement the issue bears on (bench.models.cqc); network admins set it.
    cqc_quality_statement: Mapped[QualityStatement | None] = mapped_column(
        str_enum(QualityStatement, "cqc_quality_statement")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    indicators: Mapped[list[Indicator]] = relationship(
        secondary=issue_type_indicators, order_by="Indicator.code"
    )


class FlagAnswer(enum.StrEnum):
    REPORTED = "reported"
    NOT_AN_ISSUE = "not_an_issue"

    @property
    def label(self) -> str:
        return "Reported" if self is FlagAnswer.REPORTED else "Not an issue for us"


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    IMPROVING = "improving"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class IssueFlag(Base):
    """An authority's answer about one issue type. Silence (no row) is not "no"."""

    __tablename__ = "issue_flags"
    __table_args__ = (
        UniqueConstraint("authority_id", "issue_type_id"),
        CheckConstraint(
            "(answer = 'reported') = (status IS NOT NULL)", name="status_when_reported"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="RESTRICT"))
    issue_type_id: Mapped[int] = mapped_column(
        ForeignKey("issue_types.id", ondelete="RESTRICT"), index=True
    )
    answer: Mapped[FlagAnswer] = mapped_column(str_enum(FlagAnswer, "flag_answer"))
    status: Mapped[FlagStatus | None] = mapped_column(str_enum(FlagStatus, "flag_status"))
    since: Mapped[date | None] = mapped_column(Date)
    severity: Mapped[Severity | None] = mapped_column(str_enum(Severity, "severity"))
    tried: Mapped[str] = mapped_column(Text, default="")
    share_tried: Mapped[bool] = mapped_column(Boolean, default=False)
    open_to_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    authority: Mapped[Authority] = relationship()
    issue_type: Mapped[IssueType] = relationship()
    updated_by: Mapped[User | None] = relationship()
