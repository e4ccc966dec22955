"""Review visits to allies, their notes (revisioned), drafts, sharing and good practice.

Patterns from REVIEWS-AND-EXPORTS.md 8.1: immutable revisions with a mutable head
(GDS content-publisher), visibility as rows read inside the query (MoJ case notes), and an
anonymised good-practice copy that nothing links back to except for its own authority.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bench.models.accounts import User
from bench.models.allies import new_public_id
from bench.models.authorities import Authority
from bench.models.base import Base, UTCDateTime, str_enum, utcnow
from bench.models.indicators import Indicator, KeyArea
from bench.models.issues import IssueType
from bench.models.reviews import Review


class VisitKind(enum.StrEnum):
    VISIT = "visit"
    MEETING = "meeting"


class VisitStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    WRITTEN_UP = "written_up"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Visit(Base):
    """A visit to an ally (or a meeting with one), recorded by the visiting authority.

    ``host_authority_id`` is set only when the two were allies when the visit was
    recorded (DESIGN.md, Anonymity 7); pages name the host only while the alliance lasts.
    """

    __tablename__ = "visits"
    __table_args__ = (CheckConstraint("host_authority_id <> authority_id", name="not_self"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    host_authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("authorities.id", ondelete="SET NULL"), index=True
    )
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[VisitKind] = mapped_column(str_enum(VisitKind, "visit_kind"))
    status: Mapped[VisitStatus] = mapped_column(
        str_enum(VisitStatus, "visit_status"), default=VisitStatus.PLANNED
    )
    visited_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    # Who went (besides the users in VisitVisitor) and who was met: free text.
    people: Mapped[str] = mapped_column(Text, default="")
    met_people: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    authority: Mapped[Authority] = relationship(foreign_keys=[authority_id])
    host_authority: Mapped[Authority | None] = relationship(foreign_keys=[host_authority_id])
    review: Mapped[Review | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    topics: Mapped[list[VisitTopic]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitTopic.id"
    )
    visitors: Mapped[list[VisitVisitor]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitVisitor.id"
    )
    notes: Mapped[list[VisitNote]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitNote.id"
    )


class VisitTopic(Base):
    """An issue type or an indicator a visit discussed (exactly one of the two)."""

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


class VisitVisitor(Base):
    """A user of the visiting authority who went."""

    __tablename__ = "visit_visitors"
    __table_args__ = (UniqueConstraint("visit_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    visit: Mapped[Visit] = relationship(back_populates="visitors")
    user: Mapped[User] = relationship()


class NoteSection(enum.StrEnum):
    WHAT_THEY_DO_DIFFERENTLY = "what_they_do_differently"
    WHAT_WE_COULD_ADOPT = "what_we_could_adopt"
    WHAT_TO_ASK_NEXT = "what_to_ask_next"
    GOOD_PRACTICE_SEEN = "good_practice_seen"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class VisitNote(Base):
    """The head of a note: points at its current revision. Deleted notes are kept."""

    __tablename__ = "visit_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    section: Mapped[NoteSection] = mapped_column(str_enum(NoteSection, "note_section"))
    # The number of the current revision (revisions are numbered 1, 2, ... per note).
    revision_number: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    visit: Mapped[Visit] = relationship(back_populates="notes")
    created_by: Mapped[User | None] = relationship()
    revisions: Mapped[list[VisitNoteRevision]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="VisitNoteRevision.number"
    )
    shares: Mapped[list[NoteShare]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="NoteShare.id"
    )


class VisitNoteRevision(Base):
    """One save of a note: never changed once written."""

    __tablename__ = "visit_note_revisions"
    __table_args__ = (UniqueConstraint("note_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("visit_notes.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    body_md: Mapped[str] = mapped_column(Text)
    change_summary: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    note: Mapped[VisitNote] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()


class NoteDraft(Base):
    """A user's autosaved, unpublished text: private to them, kept on the server (never in
    the browser of a shared council PC) so it survives an expired session."""

    __tablename__ = "note_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    section: Mapped[NoteSection] = mapped_column(str_enum(NoteSection, "draft_section"))
    # None for a new note; else the note being edited and the revision the edit started from.
    note_id: Mapped[int | None] = mapped_column(ForeignKey("visit_notes.id", ondelete="CASCADE"))
    base_revision_number: Mapped[int | None] = mapped_column()
    body_md: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShareLevel(enum.StrEnum):
    HOST = "host"
    ALLIES = "allies"
    NETWORK_GOOD_PRACTICE = "network_good_practice"
    INSPECTOR = "inspector"


class NoteShare(Base):
    """Who else may read a note: one row a level; no row means own authority only."""

    __tablename__ = "note_shares"
    __table_args__ = (
        Index(
            "uq_note_shares_live_level",
            "note_id",
            "level",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("visit_notes.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[ShareLevel] = mapped_column(str_enum(ShareLevel, "share_level"))
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Inspector level: the host's admins agreed that an inspector may see it named, or
    # refused (or withdrew their consent); neither set: the request awaits an answer.
    host_consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    host_consented_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    host_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    note: Mapped[VisitNote] = relationship(back_populates="shares")


class ResponseKind(enum.StrEnum):
    REPLY = "reply"
    CORRECTION = "correction"


class ResponseStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class HostResponse(Base):
    """The host's reply to a note shared with it, or a correction the author decides on."""

    __tablename__ = "host_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("visit_notes.id", ondelete="CASCADE"), index=True
    )
    revision_number: Mapped[int] = mapped_column()
    host_authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[ResponseKind] = mapped_column(str_enum(ResponseKind, "response_kind"))
    body_md: Mapped[str] = mapped_column(Text)
    # A correction: the note's text as the host proposes it.
    proposed_body_md: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ResponseStatus] = mapped_column(
        str_enum(ResponseStatus, "response_status"), default=ResponseStatus.OPEN
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    note: Mapped[VisitNote] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class GoodPracticeStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class GoodPracticeItem(Base):
    """An anonymised, edited copy of a note, for the whole network.

    Nothing on this row leads back to the note or its authority: a fresh random id, no
    creator, no creation time; it appears on the date of the next release round. The
    link back sits in :class:`GoodPracticeSource`, read only by the author's authority.
    """

    __tablename__ = "good_practice_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True, default=new_public_id)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    key_area: Mapped[KeyArea | None] = mapped_column(str_enum(KeyArea, "good_practice_key_area"))
    issue_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("issue_types.id", ondelete="SET NULL")
    )
    indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicators.id", ondelete="SET NULL")
    )
    # The release round's date: the item is shown from then on (date only). None while
    # no release round is scheduled: the item waits for the next one.
    published_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[GoodPracticeStatus] = mapped_column(
        str_enum(GoodPracticeStatus, "good_practice_status"),
        default=GoodPracticeStatus.SCHEDULED,
    )

    issue_type: Mapped[IssueType | None] = relationship()
    indicator: Mapped[Indicator | None] = relationship()


class GoodPracticeSource(Base):
    """Which note an item came from: read only for the note's own authority."""

    __tablename__ = "good_practice_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("good_practice_items.id", ondelete="CASCADE"), unique=True
    )
    note_id: Mapped[int] = mapped_column(ForeignKey("visit_notes.id", ondelete="CASCADE"))
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    # The identifying-details checklist the author confirmed, as ticked.
    checklist_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[GoodPracticeItem] = relationship()
    note: Mapped[VisitNote] = relationship()
