"""Publishing: upload batches awaiting confirmation, series breaks, queries on values."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Double, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.accounts import User
from bench.models.authorities import Authority
from bench.models.base import Base, UTCDateTime, str_enum, utcnow
from bench.models.indicators import Indicator, Period
from bench.models.values import Value


class UploadStatus(enum.StrEnum):
    PREVIEWED = "previewed"
    APPLIED = "applied"
    DISCARDED = "discarded"


class UploadBatch(Base):
    """A validated CSV upload, kept between its preview and its confirmation."""

    __tablename__ = "upload_batches"
    __table_args__ = (CheckConstraint("row_count >= 0", name="row_count_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[UploadStatus] = mapped_column(
        str_enum(UploadStatus, "upload_status"), default=UploadStatus.PREVIEWED
    )
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The plan, made once at upload and kept: what confirming would change (each staged
    # row's kind, the revision it replaces and its warnings; the counts here), and the
    # fingerprint of everything it was made from. The preview shows it; confirming applies
    # it, re-planning first if the fingerprint has changed since (someone published).
    plan_version: Mapped[str | None] = mapped_column(String(64))
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    correction_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    warning_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    authority: Mapped[Authority] = relationship()
    user: Mapped[User | None] = relationship()


class UploadRow(Base):
    """One validated row of an upload, staged until the upload is confirmed or discarded.

    Rows live in the database rather than in memory, so checking and applying a large
    file streams through it in chunks; confirming re-checks them against the figures as
    they are then.
    """

    __tablename__ = "upload_rows"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("upload_batches.id", ondelete="CASCADE"), primary_key=True
    )
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    numerator: Mapped[float | None] = mapped_column(Double)
    denominator: Mapped[float | None] = mapped_column(Double)
    value: Mapped[float | None] = mapped_column(Double)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    # The stored plan for this row: new, correction or unchanged; the revision it would
    # write and the one it replaces (no foreign key: the plan's fingerprint, not the
    # database, says whether it still holds, and the write checks it under the lock);
    # its warnings as a JSON list of [reason, message].
    kind: Mapped[str | None] = mapped_column(String(12))
    revision: Mapped[int | None] = mapped_column(Integer)
    old_value_id: Mapped[int | None] = mapped_column(Integer)
    findings: Mapped[str | None] = mapped_column(Text)


class SeriesBreak(Base):
    """From ``period`` on, an indicator's definition or source changed."""

    __tablename__ = "series_breaks"
    __table_args__ = (UniqueConstraint("indicator_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    indicator: Mapped[Indicator] = relationship()
    period: Mapped[Period] = relationship()


class QueryReason(enum.StrEnum):
    OUTSIDE_PLAUSIBLE_RANGE = "outside_plausible_range"
    FAR_FROM_PEERS = "far_from_peers"
    JUMP_FROM_LAST_YEAR = "jump_from_last_year"
    BROKEN_SERIES = "broken_series"


class QueryStatus(enum.StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    CORRECTED = "corrected"


class ValueQuery(Base):
    """The network's checks query a value back to its publisher before release."""

    __tablename__ = "value_queries"
    __table_args__ = (UniqueConstraint("value_id", "reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("values.id", ondelete="CASCADE"))
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[QueryReason] = mapped_column(str_enum(QueryReason, "query_reason"))
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[QueryStatus] = mapped_column(
        str_enum(QueryStatus, "query_status"), default=QueryStatus.OPEN
    )
    response: Mapped[str] = mapped_column(Text, default="")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    value: Mapped[Value] = relationship()
