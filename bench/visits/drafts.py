"""Drafts: a note's unpublished text, kept on the server for its writer alone.

The editor's script saves the text every 20 seconds or so and when the editor loses
focus; the Save draft button does the same without JavaScript. Nothing is kept in the
browser (council PCs are shared). So a long note survives a session that expires mid-edit:
after signing in again the writer is told about their drafts and restores or discards each.
A draft goes when its note is published or it is discarded, and after NOTE_DRAFT_DAYS.

Each writer has at most one draft of a new note per visit and one of each note's edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from bench import messages
from bench.allies.queries import current_ally_ids
from bench.api.schemas import load
from bench.auth import service as accounts
from bench.errors import InvalidInput, NotFound
from bench.extensions import db
from bench.models import NoteDraft, NoteSection, User, Visit, VisitNote, utcnow
from bench.validation import refuse_nul
from bench.visits import queries
from bench.visits.naming import Naming
from bench.visits.schemas import DraftSchema
from bench.visits.service import own_authority, own_naming, own_reader, own_visit

# GOV.UK's timeout warning: two minutes before the session ends.
WARN_BEFORE_SECONDS = 120
# How often the editor's script saves (it also saves when the editor loses focus).
AUTOSAVE_SECONDS = 20


def draft_days() -> int:
    return int(current_app.config.get("NOTE_DRAFT_DAYS", 30))


def _kept_since(now: datetime) -> datetime:
    return now - timedelta(days=draft_days())


@dataclass(frozen=True)
class DraftView:
    visit_public_id: str
    visit_title: str
    note_public_id: str | None  # None: a new note
    section: NoteSection
    base_revision: int | None
    body: str
    saved_at: datetime


def _view(draft: NoteDraft, visit: Visit, note: VisitNote | None, naming: Naming) -> DraftView:
    return DraftView(
        visit.public_id,
        naming.text(visit.title),
        note.public_id if note is not None else None,
        draft.section,
        draft.base_revision_number,
        naming.text(draft.body_md),
        draft.saved_at,
    )


def mine(user: User, now: datetime | None = None) -> list[DraftView]:
    """The user's drafts on their authority's visits, newest first (none for anyone who
    records no visits)."""
    if user.authority_id is None:
        return []
    now = now or utcnow()
    reader = own_reader(user, now)
    allies = current_ally_ids(own_authority(user))
    return [
        _view(draft, visit, note, own_naming(reader, visit, allies))
        for draft, visit, note in queries.drafts_of(user.id, own_authority(user), _kept_since(now))
    ]


def _store(
    user_id: int,
    visit_id: int,
    note: VisitNote | None,
    section: NoteSection,
    base_revision: int | None,
    body: str,
    now: datetime,
) -> NoteDraft | None:
    """Replace the user's draft of this note (or of a new note on this visit); an empty
    text keeps nothing. The user's expired drafts go at the same time."""
    note_id = note.id if note is not None else None
    queries.delete_drafts(user_id, visit_id, note_id)
    queries.delete_drafts_saved_before(_kept_since(now), user_id)
    if not body.strip():
        return None
    draft = NoteDraft(
        user_id=user_id,
        visit_id=visit_id,
        section=section,
        note_id=note_id,
        base_revision_number=base_revision,
        body_md=body,
        saved_at=now,
    )
    queries.add(draft)
    return draft


def save(user: User, visit_public_id: str, data: Any) -> datetime:
    """Keep the user's unpublished text of a new note on the visit, or of an edit to one
    of its notes (``data["note"]``). Returns when it was saved."""
    now = utcnow()
    visit = own_visit(user, visit_public_id)
    if not isinstance(data, dict):
        raise InvalidInput(messages.API_BAD_JSON, field="body")
    refuse_nul(data)
    fields = load(DraftSchema(), data)
    note = None
    if fields["note"] is not None:
        note = queries.own_note(own_reader(user, now), fields["note"])
        if note is None or note.visit_id != visit.id:
            raise NotFound("No such note")
    section = note.section if note else NoteSection(fields["section"] or list(NoteSection)[0])
    base = fields["revision"] if note is not None else None
    _store(user.id, visit.id, note, section, base, fields["body"], now)
    db.session.commit()
    return now


def keep(user: User, note: VisitNote, body: str, base_revision: int) -> None:
    """Keep text that could not be published (the note was saved since) as the user's
    draft; the caller commits."""
    _store(user.id, note.visit_id, note, note.section, base_revision, body, utcnow())


def discard(user: User, visit_public_id: str, note_public_id: str | None) -> None:
    visit = own_visit(user, visit_public_id)
    note_id = None
    if note_public_id:
        note = queries.own_note(own_reader(user), note_public_id)
        if note is None or note.visit_id != visit.id:
            raise NotFound("No such note")
        note_id = note.id
    queries.delete_drafts(user.id, visit.id, note_id)
    db.session.commit()


def purge_expired(now: datetime | None = None) -> int:
    """Delete every draft older than NOTE_DRAFT_DAYS; returns how many."""
    removed = queries.delete_drafts_saved_before(_kept_since(now or utcnow()))
    db.session.commit()
    return removed


# --- the session behind the editor -----------------------------------------------------


@dataclass(frozen=True)
class SessionLeft:
    """What the editor's timeout warning needs: how long the session has, and whether
    "Stay signed in" can put that off (idleness ends it first) or not (the absolute limit
    from signing in does)."""

    seconds: int
    extendable: bool


def _left(end: accounts.SessionEnd | None) -> SessionLeft | None:
    if end is None:
        return None
    return SessionLeft(max(0, int((end.at - utcnow()).total_seconds())), end.idle)


def session_left(user: User) -> SessionLeft | None:
    """How long the user's session lasts, idle or absolute, whichever ends it sooner
    (None when the request came with no session)."""
    return _left(accounts.session_end(user))


def stay_signed_in(user: User) -> SessionLeft | None:
    """The warning's "Stay signed in": the session counts as active now (its absolute
    limit does not move)."""
    return _left(accounts.extend_session(user))
