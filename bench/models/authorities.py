"""Authorities: member councils, their context figures and their successions."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, Double, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.base import Base, str_enum


class AuthorityType(enum.StrEnum):
    COUNTY = "county"
    UNITARY = "unitary"
    METROPOLITAN_DISTRICT = "metropolitan_district"
    LONDON_BOROUGH = "london_borough"
    OTHER = "other"

    @property
    def label(self) -> str:
        return AUTHORITY_TYPE_LABELS[self]


AUTHORITY_TYPE_LABELS = {
    AuthorityType.COUNTY: "County council",
    AuthorityType.UNITARY: "Unitary authority",
    AuthorityType.METROPOLITAN_DISTRICT: "Metropolitan district",
    AuthorityType.LONDON_BOROUGH: "London borough",
    AuthorityType.OTHER: "Other public body",
}


class Authority(Base):
    """A member council. Replaced authorities keep their history (``ended_on``)."""

    __tablename__ = "authorities"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on > started_on", name="lifetime_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gss_code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[AuthorityType] = mapped_column(str_enum(AuthorityType, "authority_type"))
    region: Mapped[str] = mapped_column(String(100), index=True)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    context_figures: Mapped[list[ContextFigure]] = relationship(
        back_populates="authority", cascade="all, delete-orphan", order_by="ContextFigure.name"
    )
    successions: Mapped[list[Succession]] = relationship(
        foreign_keys="Succession.predecessor_id",
        back_populates="predecessor",
        cascade="all, delete-orphan",
    )

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def __repr__(self) -> str:
        return f"<Authority {self.gss_code}>"


class ContextFigure(Base):
    """A context figure (population, deprivation, ...) used to find statistical neighbours."""

    __tablename__ = "context_figures"
    __table_args__ = (UniqueConstraint("authority_id", "name", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[float] = mapped_column(Double)
    as_of: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300), default="")

    authority: Mapped[Authority] = relationship(back_populates="context_figures")


class Succession(Base):
    """From ``effective_on``, ``successor`` took over (part of) ``predecessor``'s duties."""

    __tablename__ = "successions"
    __table_args__ = (
        UniqueConstraint("predecessor_id", "successor_id"),
        CheckConstraint("predecessor_id <> successor_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"))
    successor_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    effective_on: Mapped[date] = mapped_column(Date)

    predecessor: Mapped[Authority] = relationship(
        foreign_keys=[predecessor_id], back_populates="successions"
    )
    successor: Mapped[Authority] = relationship(foreign_keys=[successor_id])
