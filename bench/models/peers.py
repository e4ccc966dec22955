"""Peer groups that are stored: published and computed nearest neighbours, custom groups.

"All", "same type" and "same region" are derived from authorities' attributes when
needed; their kinds are listed here so every part of bench names groups the same way.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.accounts import User
from bench.models.authorities import Authority
from bench.models.base import Base, UTCDateTime, str_enum, utcnow


class PeerGroupKind(enum.StrEnum):
    ALL = "all"
    SAME_TYPE = "same_type"
    SAME_REGION = "same_region"
    PUBLISHED_NEIGHBOURS = "published_neighbours"
    COMPUTED_NEIGHBOURS = "computed_neighbours"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {
            PeerGroupKind.ALL: "All authorities",
            PeerGroupKind.SAME_TYPE: "Same type",
            PeerGroupKind.SAME_REGION: "Same region",
            PeerGroupKind.PUBLISHED_NEIGHBOURS: "Published nearest neighbours",
            PeerGroupKind.COMPUTED_NEIGHBOURS: "Computed nearest neighbours",
            PeerGroupKind.CUSTOM: "Custom group",
        }[self]


STORED_KINDS = (
    PeerGroupKind.PUBLISHED_NEIGHBOURS,
    PeerGroupKind.COMPUTED_NEIGHBOURS,
    PeerGroupKind.CUSTOM,
)


class PeerGroup(Base):
    """One authority's stored peer group. Published lists are versioned, never replaced."""

    __tablename__ = "peer_groups"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('published_neighbours', 'computed_neighbours', 'custom')",
            name="stored_kind",
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("kind = 'custom' OR name = ''", name="only_custom_named"),
        Index(
            "uq_peer_groups_authority_kind_version",
            "authority_id",
            "kind",
            "version",
            unique=True,
            sqlite_where=text("kind <> 'custom'"),
            postgresql_where=text("kind <> 'custom'"),
        ),
        Index(
            "uq_peer_groups_custom_name",
            "authority_id",
            "name",
            unique=True,
            sqlite_where=text("kind = 'custom' AND deleted_at IS NULL"),
            postgresql_where=text("kind = 'custom' AND deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PeerGroupKind] = mapped_column(str_enum(PeerGroupKind, "peer_group_kind"))
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(120), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A deleted custom group is kept: its figures were seen, so it stays in the authority's
    # knowledge when groups are admitted (DESIGN.md, Anonymity 9), though never offered.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    authority: Mapped[Authority] = relationship()
    created_by: Mapped[User | None] = relationship()
    members: Mapped[list[PeerGroupMember]] = relationship(
        back_populates="peer_group", cascade="all, delete-orphan"
    )


class PeerGroupMember(Base):
    __tablename__ = "peer_group_members"

    peer_group_id: Mapped[int] = mapped_column(
        ForeignKey("peer_groups.id", ondelete="CASCADE"), primary_key=True
    )
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    peer_group: Mapped[PeerGroup] = relationship(back_populates="members")
    authority: Mapped[Authority] = relationship()
