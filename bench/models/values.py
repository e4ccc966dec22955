"""Published values. A correction adds a revision; nothing is overwritten."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from bench.models.accounts import User
from bench.models.authorities import Authority
from bench.models.base import Base, UTCDateTime, str_enum, utcnow
from bench.models.indicators import Indicator, Period, UnitKind


class ValueStatus(enum.StrEnum):
    PROVISIONAL = "provisional"
    FINAL = "final"


class Value(Base):
    """One revision of one authority's figure for one indicator and period.

    ``is_latest`` marks the current revision; the write path keeps it (a partial unique
    index allows one per authority, indicator and period). It is cheaper to read than a
    "no later revision exists" rule (PERFORMANCE.md).
    """

    __tablename__ = "values"
    __table_args__ = (
        UniqueConstraint("authority_id", "indicator_id", "period_id", "revision"),
        # unit_kind copies the indicator's, enforced by this composite key, so that the
        # database itself can hold proportions to numerator <= denominator.
        ForeignKeyConstraint(
            ["indicator_id", "unit_kind"],
            ["indicators.id", "indicators.unit_kind"],
            name="fk_values_indicator_unit_kind",
            onupdate="CASCADE",
            ondelete="RESTRICT",
        ),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint("denominator IS NULL OR denominator > 0", name="denominator_positive"),
        CheckConstraint("numerator IS NULL OR numerator >= 0", name="numerator_not_negative"),
        CheckConstraint(
            "unit_kind <> 'proportion' OR numerator IS NULL OR numerator <= denominator",
            name="proportion_numerator_within_denominator",
        ),
        CheckConstraint(
            "(numerator IS NULL) = (denominator IS NULL)", name="numerator_with_denominator"
        ),
        Index(
            "uq_values_latest",
            "authority_id",
            "indicator_id",
            "period_id",
            unique=True,
            sqlite_where=text("is_latest"),
            postgresql_where=text("is_latest"),
        ),
        Index("ix_values_period_indicator_latest", "period_id", "indicator_id", "is_latest"),
        # An authority's newest revision, read on each of its staff's pages
        # (bench.compare.queries.data_state): 3 ms at national scale without it.
        Index("ix_values_authority_id_id", "authority_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="RESTRICT"))
    indicator_id: Mapped[int] = mapped_column(Integer)
    unit_kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind, "value_unit_kind"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="RESTRICT"))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    is_latest: Mapped[bool] = mapped_column(Boolean, default=True)
    numerator: Mapped[float | None] = mapped_column(Double)
    denominator: Mapped[float | None] = mapped_column(Double)
    value: Mapped[float | None] = mapped_column(Double)
    status: Mapped[ValueStatus] = mapped_column(
        str_enum(ValueStatus, "value_status"), default=ValueStatus.PROVISIONAL
    )
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(40), default="form")
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When peers may first see this revision: the period's release for values published
    # before it; the next release round for late values and corrections (DESIGN.md,
    # Anonymity 12). None: not yet scheduled (the period has no release date).
    visible_from: Mapped[datetime | None] = mapped_column(UTCDateTime)

    authority: Mapped[Authority] = relationship()
    indicator: Mapped[Indicator] = relationship(foreign_keys=[indicator_id])
    period: Mapped[Period] = relationship()
    published_by: Mapped[User | None] = relationship()


def visible_to_peers(now: datetime) -> ColumnElement[bool]:
    """Revisions peers may see at *now* (DESIGN.md, Anonymity 12).

    The period must be released, and a revision published after the release (a late
    figure or a correction) waits for its release round. Join ``Period`` to use it.
    """
    return and_(
        Period.released_at.is_not(None),
        Period.released_at <= now,
        or_(Value.visible_from.is_(None), Value.visible_from <= now),
    )


# What the comparisons read besides the values: an insert, update or delete in any of them
# moves a counter in data_state through a trigger on the table (migration 0013), whatever
# path wrote it. A migration that rebuilds one of these tables on SQLite (batch_alter_table
# copies the table) must create its triggers again: tests/integration/test_migrations.py
# checks every one is there at head.
TABLES_THE_COMPARISONS_READ = (
    "authorities",
    "context_figures",
    "indicators",
    "peer_group_members",
    "peer_groups",
    "periods",
    "series_breaks",
    # These three move data_state.issues_version instead: only the groups' admission and
    # Norm or exception? read the known issues, so an edit does not reclassify the figures.
    "issue_flags",
    "issue_type_indicators",
    "issue_types",
)


class DataState(Base):
    """One row: counters that every committed change to the tables the comparisons read
    has moved on (see TABLES_THE_COMPARISONS_READ), read once a request as part of the
    comparison cache's key: ``version`` for what the engine classifies, ``issues_version``
    for the known issues. Publishing also takes this row's lock, so that figures commit
    in the order they are numbered (bench.publishing.queries.lock_publishing)."""

    __tablename__ = "data_state"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    issues_version: Mapped[int] = mapped_column(BigInteger, default=0)
