"""Factories for visits, notes, their sharing rows and drafts (the base ones are in
tests.factories). Sharing is made here as rows: the pages that share are another area's."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import update

from bench.extensions import db
from bench.models import (
    Alliance,
    Authority,
    NoteDraft,
    NoteSection,
    NoteShare,
    Role,
    ShareLevel,
    TokenScope,
    User,
    Visit,
    VisitKind,
    VisitNote,
    VisitNoteRevision,
    VisitStatus,
    utcnow,
)
from tests import factories

_numbers = itertools.count(1)


def visit(authority: Authority, host: Authority | None = None, **fields: Any) -> Visit:
    """A visit recorded by *authority* (to *host*, which the caller made an ally)."""
    values: dict[str, Any] = {
        "authority_id": authority.id,
        "host_authority_id": host.id if host is not None else None,
        "kind": VisitKind.VISIT,
        "status": VisitStatus.HELD,
        "visited_on": date(2024, 9, 12),
        "title": f"Visit {next(_numbers)}",
    }
    values.update(fields)
    record = Visit(**values)
    db.session.add(record)
    db.session.commit()
    return record


def note(
    visit_: Visit,
    body: str = "What we saw.",
    section: NoteSection = NoteSection.WHAT_THEY_DO_DIFFERENTLY,
    author: User | None = None,
    **fields: Any,
) -> VisitNote:
    """A note with its first revision."""
    now = utcnow()
    author_id = author.id if author is not None else None
    record = VisitNote(
        visit_id=visit_.id,
        section=section,
        revision_number=1,
        created_by_id=author_id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    record.revisions = [
        VisitNoteRevision(number=1, body_md=body, author_id=author_id, created_at=now)
    ]
    db.session.add(record)
    db.session.commit()
    return record


def share(note_: VisitNote, level: ShareLevel, **fields: Any) -> NoteShare:
    """A live share of *note_* at *level* (revoked or consented as *fields* say)."""
    record = NoteShare(note_id=note_.id, level=level, **fields)
    db.session.add(record)
    db.session.commit()
    return record


def draft(
    user: User,
    visit_: Visit,
    body: str = "Half a thought",
    note_: VisitNote | None = None,
    **fields: Any,
) -> NoteDraft:
    values: dict[str, Any] = {
        "user_id": user.id,
        "visit_id": visit_.id,
        "section": note_.section if note_ is not None else NoteSection.WHAT_WE_COULD_ADOPT,
        "note_id": note_.id if note_ is not None else None,
        "base_revision_number": note_.revision_number if note_ is not None else None,
        "body_md": body,
        "saved_at": utcnow(),
    }
    values.update(fields)
    record = NoteDraft(**values)
    db.session.add(record)
    db.session.commit()
    return record


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


class Network:
    """Four councils: *own* is allied with *host* and *ally*; *peer* is no one's ally."""

    def __init__(self) -> None:
        self.own = factories.authority(name="Ownshire County Council")
        self.host = factories.authority(name="Hostbury Borough Council")
        self.ally = factories.authority(name="Allyton District Council")
        self.peer = factories.authority(name="Peerton City Council")
        self.host_alliance = factories.alliance(self.own, self.host)
        self.ally_alliance = factories.alliance(self.own, self.ally)

    def sign_in_recorder(self, app: Any, sign_in_as: Any, **user_fields: Any) -> Network:
        """A staff member of *own*, signed in (``client``) and with a record token for
        the API (``api`` with ``headers``)."""
        self.client = sign_in_as(Role.STAFF, self.own, **user_fields)
        self.user = self.client.user
        _, secret = factories.api_token(self.user, TokenScope.RECORD)
        self.api = app.test_client()
        self.headers = bearer(secret)
        return self


def end_alliance(alliance: Alliance) -> None:
    """End an alliance now (by id: the object may belong to an earlier request's session)."""
    db.session.execute(update(Alliance).where(Alliance.id == alliance.id).values(ended_at=utcnow()))
    db.session.commit()


def revise(note_: VisitNote, body: str, author: User | None = None) -> VisitNoteRevision:
    """A new revision of *note_*, made its current one."""
    note = db.session.get(VisitNote, note_.id)
    note.revision_number += 1
    record = VisitNoteRevision(
        note_id=note.id,
        number=note.revision_number,
        body_md=body,
        author_id=author.id if author is not None else None,
        created_at=utcnow(),
    )
    db.session.add(record)
    db.session.commit()
    return record


def delete(note_: VisitNote) -> None:
    db.session.execute(
        update(VisitNote).where(VisitNote.id == note_.id).values(deleted_at=utcnow())
    )
    db.session.commit()
