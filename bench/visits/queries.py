"""Reads and writes for visits, notes and drafts (flush only; the services commit).

Every read of notes for someone who may not be of the visiting authority goes through
bench.visits.visibility (readable_notes); the rest read only the viewer's own authority's
rows, by its id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import joinedload, selectinload

from bench.extensions import db
from bench.models import (
    Authority,
    Indicator,
    IssueType,
    IssueTypeStatus,
    NoteDraft,
    NoteShare,
    Review,
    ShareLevel,
    User,
    Visit,
    VisitNote,
    VisitNoteRevision,
    VisitTopic,
    VisitVisitor,
)
from bench.visits import visibility
from bench.visits.visibility import Reader, readable_notes


def _visit_options():  # noqa: ANN202 - loader options
    return (
        joinedload(Visit.host_authority),
        joinedload(Visit.review),
        selectinload(Visit.visitors).joinedload(VisitVisitor.user),
        selectinload(Visit.topics).joinedload(VisitTopic.issue_type),
        selectinload(Visit.topics).joinedload(VisitTopic.indicator),
    )


def visits_of(authority_id: int) -> Select[tuple[Visit]]:
    """The authority's visits, newest first."""
    return (
        select(Visit)
        .where(Visit.authority_id == authority_id)
        .options(*_visit_options())
        .order_by(Visit.visited_on.desc(), Visit.created_at.desc(), Visit.public_id)
    )


def note_counts(visit_ids: list[int]) -> dict[int, int]:
    """How many live notes each visit has."""
    if not visit_ids:
        return {}
    rows = db.session.execute(
        select(VisitNote.visit_id, func.count(VisitNote.id))
        .where(VisitNote.visit_id.in_(visit_ids), VisitNote.deleted_at.is_(None))
        .group_by(VisitNote.visit_id)
        .order_by(VisitNote.visit_id)
    )
    return {visit_id: count for visit_id, count in rows}


def visit_of(authority_id: int, public_id: str, *, lock: bool = False) -> Visit | None:
    """One of the authority's visits; another authority's id finds nothing."""
    query = (
        select(Visit)
        .where(Visit.authority_id == authority_id, Visit.public_id == public_id)
        .order_by(Visit.id)
    )
    if lock:
        return db.session.scalars(query.with_for_update()).first()
    return db.session.scalars(query.options(*_visit_options())).first()


def live_notes(reader: Reader, visit_id: int) -> list[tuple[VisitNote, VisitNoteRevision]]:
    """A visit's notes that *reader* may read (all its live notes, for its own authority),
    each with its current revision, by section then age."""
    rows = db.session.execute(
        readable_notes(reader)
        .add_columns(VisitNoteRevision)
        .join(
            VisitNoteRevision,
            (VisitNoteRevision.note_id == VisitNote.id)
            & (VisitNoteRevision.number == VisitNote.revision_number),
        )
        .options(joinedload(VisitNoteRevision.author))
        .where(VisitNote.visit_id == visit_id)
        .order_by(VisitNote.section, VisitNote.created_at, VisitNote.id)
    )
    return [(note, revision) for note, revision in rows]


def own_note(reader: Reader, public_id: str, *, lock: bool = False) -> VisitNote | None:
    """A live note of one of the reader's own authority's visits (to edit, revise or
    delete): read through the visibility rule, then limited to the visiting authority."""
    query = (
        readable_notes(reader)
        .where(Visit.authority_id == reader.authority_id, VisitNote.public_id == public_id)
        .order_by(VisitNote.id)
    )
    if lock:
        query = query.with_for_update(of=VisitNote)
    return db.session.scalars(query).first()


def readable_note(reader: Reader, public_id: str) -> VisitNote | None:
    """The note, if *reader* may read it (the one visibility rule, in this query)."""
    return db.session.scalars(
        readable_notes(reader)
        .where(VisitNote.public_id == public_id)
        .options(
            joinedload(VisitNote.visit).joinedload(Visit.host_authority),
            joinedload(VisitNote.visit).joinedload(Visit.authority),
        )
        .order_by(VisitNote.id)
    ).first()


def revisions(note_id: int) -> list[VisitNoteRevision]:
    return list(
        db.session.scalars(
            select(VisitNoteRevision)
            .options(joinedload(VisitNoteRevision.author))
            .where(VisitNoteRevision.note_id == note_id)
            .order_by(VisitNoteRevision.number)
        )
    )


def revision(note_id: int, number: int) -> VisitNoteRevision | None:
    return db.session.scalars(
        select(VisitNoteRevision)
        .options(joinedload(VisitNoteRevision.author))
        .where(VisitNoteRevision.note_id == note_id, VisitNoteRevision.number == number)
        .order_by(VisitNoteRevision.id)
    ).first()


def host_consented(note_id: int) -> bool:
    """Inspectors may see the host named on the note (visibility.host_consented)."""
    found = db.session.scalar(
        select(VisitNote.id)
        .join(Visit, Visit.id == VisitNote.visit_id)
        .where(VisitNote.id == note_id, visibility.host_consented())
    )
    return found is not None


# --- what a visit may name: the authority's own allies, reviews, users; the catalogue


def authorities(ids: set[int]) -> list[Authority]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Authority).where(Authority.id.in_(ids)).order_by(Authority.name, Authority.id)
        )
    )


def reviews_of(authority_id: int) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.authority_id == authority_id)
            .order_by(Review.starts_on.desc(), Review.public_id)
        )
    )


def active_users(authority_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.authority_id == authority_id, User.active.is_(True))
            .order_by(User.name, User.email)
        )
    )


def approved_issue_types() -> list[IssueType]:
    return list(
        db.session.scalars(
            select(IssueType)
            .where(IssueType.status == IssueTypeStatus.APPROVED)
            .order_by(IssueType.title, IssueType.code)
        )
    )


def indicators() -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).order_by(Indicator.title, Indicator.code)))


# --- drafts ---------------------------------------------------------------------------


def _draft_key(user_id: int, visit_id: int, note_id: int | None):  # noqa: ANN202
    return (
        NoteDraft.user_id == user_id,
        NoteDraft.visit_id == visit_id,
        NoteDraft.note_id.is_(None) if note_id is None else NoteDraft.note_id == note_id,
    )


def draft_for(
    user_id: int, visit_id: int, note_id: int | None, since: datetime
) -> NoteDraft | None:
    """The user's newest draft of a new note on the visit (*note_id* None) or of an
    edit to the note, saved after *since*."""
    return db.session.scalars(
        select(NoteDraft)
        .where(*_draft_key(user_id, visit_id, note_id), NoteDraft.saved_at > since)
        .order_by(NoteDraft.saved_at.desc(), NoteDraft.id.desc())
    ).first()


def drafts_of(
    user_id: int, authority_id: int, since: datetime
) -> list[tuple[NoteDraft, Visit, VisitNote | None]]:
    """The user's drafts on the authority's visits saved after *since*, newest first, each
    with its visit and note; drafts of notes since deleted are left out (there is nothing
    to restore them into)."""
    rows = db.session.execute(
        select(NoteDraft, Visit, VisitNote)
        .join(Visit, Visit.id == NoteDraft.visit_id)
        .outerjoin(VisitNote, VisitNote.id == NoteDraft.note_id)
        .options(joinedload(Visit.host_authority))
        .where(
            NoteDraft.user_id == user_id,
            Visit.authority_id == authority_id,
            NoteDraft.saved_at > since,
            (NoteDraft.note_id.is_(None)) | (VisitNote.deleted_at.is_(None)),
        )
        .order_by(NoteDraft.saved_at.desc(), NoteDraft.id.desc())
    )
    return [(draft, visit, note) for draft, visit, note in rows]


def delete_drafts(user_id: int, visit_id: int, note_id: int | None) -> None:
    db.session.execute(delete(NoteDraft).where(*_draft_key(user_id, visit_id, note_id)))
    db.session.flush()


def delete_drafts_saved_before(moment: datetime, user_id: int | None = None) -> int:
    query = delete(NoteDraft).where(NoteDraft.saved_at <= moment)
    if user_id is not None:
        query = query.where(NoteDraft.user_id == user_id)
    result = db.session.execute(query)
    db.session.flush()
    return result.rowcount or 0


def add(record: object) -> None:
    db.session.add(record)
    db.session.flush()


def add_revision(
    note: VisitNote, body_md: str, change_summary: str, author_id: int | None, now: datetime
) -> VisitNoteRevision:
    """Append a revision to *note* (locked by the caller) and make it the current one."""
    revision = VisitNoteRevision(
        note_id=note.id,
        number=note.revision_number + 1,
        body_md=body_md,
        change_summary=change_summary,
        author_id=author_id,
        created_at=now,
    )
    add(revision)
    note.revision_number = revision.number
    note.updated_at = now
    db.session.flush()
    return revision


def shared_with_host(note_id: int) -> bool:
    """The note is shared with its visit's host now (the host may reply to it)."""
    found = db.session.scalar(
        select(NoteShare.id)
        .where(
            NoteShare.note_id == note_id,
            NoteShare.level == ShareLevel.HOST,
            NoteShare.revoked_at.is_(None),
        )
        .order_by(NoteShare.id)
        .limit(1)
    )
    return found is not None
