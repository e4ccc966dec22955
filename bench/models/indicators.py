"""Indicators (metric definitions) and reporting periods."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Double,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bench.models.base import Base, UTCDateTime, str_enum, utcnow
from bench.models.cqc import EvidenceCategory, QualityStatement


class KeyArea(enum.StrEnum):
    """The five things a Best Value review watches."""

    NATIONAL_FRAMEWORK = "national_framework"
    LOCAL_PRIORITIES = "local_priorities"
    USER_SATISFACTION = "user_satisfaction"
    COST_EFFICIENCY = "cost_efficiency"
    STAFF_ACCEPTANCE = "staff_acceptance"

    @property
    def label(self) -> str:
        return KEY_AREA_LABELS[self]


KEY_AREA_LABELS = {
    KeyArea.NATIONAL_FRAMEWORK: "Performance against the national framework",
    KeyArea.LOCAL_PRIORITIES: "Local political or business priorities",
    KeyArea.USER_SATISFACTION: "User satisfaction",
    KeyArea.COST_EFFICIENCY: "Cost efficiency",
    KeyArea.STAFF_ACCEPTANCE: "Staff acceptance",
}


class UnitKind(enum.StrEnum):
    PROPORTION = "proportion"
    RATE = "rate"
    MEAN = "mean"
    SCORE = "score"
    COUNT = "count"
    CURRENCY = "currency"

    @property
    def can_have_counts(self) -> bool:
        """Whether values of this kind can be numerator / denominator x multiplier."""
        return self in (UnitKind.PROPORTION, UnitKind.RATE)


class Polarity(enum.StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NEITHER = "neither"

    @property
    def label(self) -> str:
        return {
            Polarity.HIGHER_IS_BETTER: "Higher is better",
            Polarity.LOWER_IS_BETTER: "Lower is better",
            Polarity.NEITHER: "Neither higher nor lower is better",
        }[self]


class Indicator(Base):
    """A metric definition. ``value = numerator / denominator * multiplier`` for counts."""

    __tablename__ = "indicators"
    __table_args__ = (
        # Values carry a copy of unit_kind, kept true by this key (see Value).
        UniqueConstraint("id", "unit_kind", name="uq_indicators_id_unit_kind"),
        CheckConstraint("multiplier > 0", name="multiplier_positive"),
        CheckConstraint(
            "plausible_min IS NULL OR plausible_max IS NULL OR plausible_min <= plausible_max",
            name="plausible_range_order",
        ),
        CheckConstraint("decimals BETWEEN 0 AND 6", name="decimals_range"),
        CheckConstraint(
            "NOT has_counts OR unit_kind IN ('proportion', 'rate')", name="counts_need_ratio_unit"
        ),
        # An evidence category places an indicator under a quality statement's evidence.
        CheckConstraint(
            "cqc_evidence_category IS NULL OR cqc_quality_statement IS NOT NULL",
            name="cqc_category_needs_statement",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    key_area: Mapped[KeyArea] = mapped_column(str_enum(KeyArea, "key_area"))
    unit_kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind, "unit_kind"))
    unit_label: Mapped[str] = mapped_column(String(60), default="")
    multiplier: Mapped[int] = mapped_column(Integer, default=1)
    polarity: Mapped[Polarity] = mapped_column(str_enum(Polarity, "polarity"))
    # Whether authorities publish numerator and denominator (funnel plots need them) or
    # only the value (national publications often print just the percentage).
    has_counts: Mapped[bool] = mapped_column(Boolean, default=False)
    definition: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    # A public indicator is one a national publication prints under authorities' names.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # Demo data that no public source has; the product labels it wherever it appears.
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    plausible_min: Mapped[float | None] = mapped_column(Double)
    plausible_max: Mapped[float | None] = mapped_column(Double)
    decimals: Mapped[int] = mapped_column(Integer, default=1)
    # CQC's framework (bench.models.cqc): the quality statement this indicator evidences
    # and what kind of evidence it is; none where nothing fits.
    cqc_quality_statement: Mapped[QualityStatement | None] = mapped_column(
        str_enum(QualityStatement, "cqc_quality_statement")
    )
    cqc_evidence_category: Mapped[EvidenceCategory | None] = mapped_column(
        str_enum(EvidenceCategory, "cqc_evidence_category")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Indicator {self.code}>"


class PeriodKind(enum.StrEnum):
    FINANCIAL_YEAR = "financial_year"
    QUARTER = "quarter"


class Period(Base):
    """A reporting period. Peers see its values only from ``released_at``."""

    __tablename__ = "periods"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(60))
    kind: Mapped[PeriodKind] = mapped_column(str_enum(PeriodKind, "period_kind"))
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def is_released(self, at: datetime) -> bool:
        return self.released_at is not None and self.released_at <= at

    def __repr__(self) -> str:
        return f"<Period {self.code}>"
