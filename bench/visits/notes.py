"""Notes of a visit: written in sections, every save a revision, read by whom the sharing
rules allow.

A note is a head (``VisitNote``) pointing at its current revision; revisions are never
changed (GDS content-publisher's pattern). An edit names the revision it started from: if
someone saved since, nothing is applied, the editor is shown both versions, and their
text is kept as their draft (Whitehall's "This document has been saved since you opened
it"). Deleting is soft: the revisions stay.

Reading goes through bench.visits.visibility: one SQL rule for who may read a note, and
the host's name taken out of the title and text for readers who may not see it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from bench import audit, messages
from bench.allies.queries import current_ally_ids
from bench.api.schemas import load
from bench.errors import Conflict, NotFound
from bench.extensions import db
from bench.markdown import render
from bench.models import (
    NoteSection,
    User,
    Visit,
    VisitKind,
    VisitNote,
    VisitNoteRevision,
    utcnow,
)
from bench.visits import drafts, queries
from bench.visits.naming import Naming, naming_for
from bench.visits.schemas import NoteEditSchema, NoteInSchema
from bench.visits.service import own_naming, own_reader, own_visit
from bench.visits.visibility import reader_for


@dataclass(frozen=True)
class RevisionView:
    number: int
    author: str | None
    saved_at: datetime
    change_summary: str
    body: str
    html: Markup


@dataclass(frozen=True)
class NoteView:
    """One note as one reader may see it."""

    public_id: str
    visit_public_id: str | None  # the visit's page is its own authority's only
    visit_title: str
    visited_on: date
    kind: VisitKind
    recorded_by: str
    host: Naming
    section: NoteSection
    revision: int
    body: str
    html: Markup
    saved_at: datetime
    saved_by: str | None
    own: bool
    revisions: list[RevisionView] = field(default_factory=list)
    # The reader is the host, and the note is shared with it: it may reply or correct.
    host_may_reply: bool = False


def _revision_view(revision: VisitNoteRevision, naming: Naming) -> RevisionView:
    body = naming.text(revision.body_md)
    return RevisionView(
        revision.number,
        revision.author.name if revision.author else None,
        revision.created_at,
        revision.change_summary,
        body,
        render(body),
    )


def _note_view(
    note: VisitNote,
    visit: Visit,
    current: VisitNoteRevision,
    naming: Naming,
    *,
    own: bool,
    history: list[VisitNoteRevision] | None = None,
) -> NoteView:
    shown = _revision_view(current, naming)
    return NoteView(
        public_id=note.public_id,
        visit_public_id=visit.public_id if own else None,
        visit_title=naming.text(visit.title),
        visited_on=visit.visited_on,
        kind=visit.kind,
        recorded_by=visit.authority.name,
        host=naming,
        section=note.section,
        revision=note.revision_number,
        body=shown.body,
        html=shown.html,
        saved_at=shown.saved_at,
        saved_by=shown.author,
        own=own,
        # Earlier revisions are the visiting authority's working record; other readers
        # see the text as it stands.
        revisions=[_revision_view(r, naming) for r in history] if history else [shown],
    )


def _current(note: VisitNote) -> VisitNoteRevision:
    found = queries.revision(note.id, note.revision_number)
    assert found is not None  # noqa: S101 - every note has its current revision
    return found


def _own_note(user: User, public_id: str, *, lock: bool = False) -> tuple[VisitNote, Naming]:
    reader = own_reader(user)
    note = queries.own_note(reader, public_id, lock=lock)
    if note is None:
        raise NotFound("No such note")
    naming = own_naming(reader, note.visit, current_ally_ids(note.visit.authority_id))
    return note, naming


# --- reading ------------------------------------------------------------------------


def read(user: User, public_id: str, now: datetime | None = None) -> NoteView:
    """A note for any reader the sharing rules allow; a 404 for anyone else.

    An inspector's read is written to the visiting authority's audit log (DESIGN.md,
    Anonymity 8).
    """
    reader = reader_for(user, now or utcnow())
    note = queries.readable_note(reader, public_id) if reader is not None else None
    if reader is None or note is None:
        raise NotFound("No such note")
    visit = note.visit
    own = reader.authority_id == visit.authority_id
    allied = visit.host_authority_id in current_ally_ids(visit.authority_id)
    consented = reader.inspector and queries.host_consented(note.id)
    naming = naming_for(reader, visit, allied_now=allied, host_consented=consented)
    view = _note_view(
        note,
        visit,
        _current(note),
        naming,
        own=own,
        history=queries.revisions(note.id) if own else None,
    )
    if reader.authority_id is not None and reader.authority_id == visit.host_authority_id:
        view = replace(view, host_may_reply=queries.shared_with_host(note.id))
    if reader.inspector:
        _audit_inspector_read(user, note, visit)
    return view


def _audit_inspector_read(user: User, note: VisitNote, visit: Visit) -> None:
    db.begin_write()  # this read path writes: take SQLite's write lock first
    audit.record(
        "note_read_under_grant",
        actor=user,
        authority_id=visit.authority_id,
        subject=note,
        details={"note": note.public_id},
    )
    db.session.commit()


def visit_notes(user: User, visit_public_id: str) -> list[NoteView]:
    """The visit's live notes, by section (its own authority only)."""
    reader = own_reader(user)
    visit = own_visit(user, visit_public_id)
    naming = own_naming(reader, visit, current_ally_ids(visit.authority_id))
    return [
        _note_view(note, visit, current, naming, own=True)
        for note, current in queries.live_notes(reader, visit.id)
    ]


def for_editing(user: User, public_id: str) -> NoteView:
    """A note of the user's authority with its history, to edit or to manage."""
    note, naming = _own_note(user, public_id)
    history = queries.revisions(note.id)
    current = next(r for r in history if r.number == note.revision_number)
    return _note_view(note, note.visit, current, naming, own=True, history=history)


# --- writing ------------------------------------------------------------------------


def _details(note: VisitNote, visit: Visit) -> dict[str, Any]:
    """What the audit log says of a note: which, where, which revision; never its text."""
    return {
        "note": note.public_id,
        "visit": visit.public_id,
        "section": note.section.value,
        "revision": note.revision_number,
    }


def _audit_save(user: User, note: VisitNote, visit: Visit) -> None:
    audit.record(
        "note_written" if note.revision_number == 1 else "note_revised",
        actor=user,
        authority_id=visit.authority_id,
        subject=note,
        details=_details(note, visit),
    )


def write(user: User, visit_public_id: str, data: dict[str, Any]) -> NoteView:
    """A new note in one section of a visit: its first revision. The user's draft of a
    new note on this visit has been published, so it goes."""
    now = utcnow()
    visit = own_visit(user, visit_public_id)
    fields = load(NoteInSchema(), data)
    note = VisitNote(
        visit_id=visit.id,
        section=NoteSection(fields["section"]),
        revision_number=1,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    note.revisions = [
        VisitNoteRevision(
            number=1,
            body_md=fields["body"],
            change_summary=fields["change_summary"],
            author_id=user.id,
            created_at=now,
        )
    ]
    queries.add(note)
    queries.delete_drafts(user.id, visit.id, None)
    _audit_save(user, note, visit)
    db.session.commit()
    return for_editing(user, note.public_id)


def revise(
    user: User, public_id: str, data: dict[str, Any], *, keep_draft: bool = False
) -> NoteView:
    """Save a new revision made from revision ``data["revision"]``.

    If someone saved since, nothing is applied and :class:`Conflict` says the current
    revision; with *keep_draft* (the pages) the submitted text is first kept as the user's
    draft, so that it survives whatever they do next.
    """
    note, naming = _own_note(user, public_id, lock=True)
    fields = load(NoteEditSchema(), data)
    visit = note.visit
    if fields["revision"] != note.revision_number:
        if keep_draft:
            drafts.keep(user, note, fields["body"], fields["revision"])
            db.session.commit()
        raise Conflict(
            messages.NOTE_CONFLICT_API.format(revision=note.revision_number), field="revision"
        )
    queries.add_revision(note, fields["body"], fields["change_summary"], user.id, utcnow())
    queries.delete_drafts(user.id, visit.id, note.id)
    _audit_save(user, note, visit)
    db.session.commit()
    return for_editing(user, public_id)


def delete(user: User, public_id: str) -> str:
    """Delete a note (softly: it and its revisions are kept, and shown to no one).
    Returns its visit's id."""
    note, _ = _own_note(user, public_id, lock=True)
    note.deleted_at = utcnow()
    audit.record(
        "note_deleted",
        actor=user,
        authority_id=note.visit.authority_id,
        subject=note,
        details=_details(note, note.visit),
    )
    db.session.commit()
    return note.visit.public_id


# --- revisions ----------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    change: str  # "added", "removed" or "same"
    text: str


@dataclass(frozen=True)
class RevisionPage:
    note: NoteView
    revision: RevisionView
    previous: RevisionView | None
    diff: list[DiffLine]


def changes(before: str, after: str) -> list[DiffLine]:
    """Line by line, what changed from *before* to *after*."""
    words = {"+ ": "added", "- ": "removed", "  ": "same"}
    return [
        DiffLine(words[line[:2]], line[2:])
        for line in difflib.ndiff(before.splitlines(), after.splitlines())
        if line[:2] in words
    ]


def revision(user: User, public_id: str, number: int) -> RevisionPage:
    """One revision of a note of the user's authority, with what it changed."""
    note = for_editing(user, public_id)
    by_number = {r.number: r for r in note.revisions}
    if number not in by_number:
        raise NotFound("No such revision")
    shown, previous = by_number[number], by_number.get(number - 1)
    diff = changes(previous.body if previous else "", shown.body)
    return RevisionPage(note, shown, previous, diff)
