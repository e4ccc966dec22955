"""Factories for visits, notes and their sharing (the visits area builds the pages that
make visits and notes; these make them directly, committed into the test's transaction).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from bench.extensions import db
from bench.models import (
    Authority,
    GoodPracticeItem,
    GoodPracticeSource,
    GoodPracticeStatus,
    HostResponse,
    NoteSection,
    NoteShare,
    ResponseKind,
    ShareLevel,
    User,
    Visit,
    VisitKind,
    VisitNote,
    VisitNoteRevision,
    utcnow,
)

_numbers = itertools.count(1)


def visit(authority: Authority, host: Authority | None = None, **fields: Any) -> Visit:
    number = next(_numbers)
    values: dict[str, Any] = {
        "authority_id": authority.id,
        "host_authority_id": host.id if host is not None else None,
        "kind": VisitKind.VISIT,
        "visited_on": date(2026, 10, 1) + timedelta(days=number),
        "title": f"Visit {number}",
    }
    values.update(fields)
    record = Visit(**values)
    db.session.add(record)
    db.session.commit()
    return record


def note(
    visit_: Visit,
    body: str = "They triage every referral on the day it comes in.",
    *,
    author: User | None = None,
    section: NoteSection = NoteSection.WHAT_THEY_DO_DIFFERENTLY,
    revisions: list[str] | None = None,
) -> VisitNote:
    """A note whose revisions are *revisions* (or just *body*), the last one current."""
    texts = revisions or [body]
    now = utcnow()
    record = VisitNote(
        visit_id=visit_.id,
        section=section,
        revision_number=len(texts),
        created_by_id=author.id if author else None,
        created_at=now,
        updated_at=now,
    )
    db.session.add(record)
    db.session.flush()
    for number, text in enumerate(texts, start=1):
        db.session.add(
            VisitNoteRevision(
                note_id=record.id,
                number=number,
                body_md=text,
                author_id=author.id if author else None,
                created_at=now,
            )
        )
    db.session.commit()
    return record


def share(note_: VisitNote, level: ShareLevel, **fields: Any) -> NoteShare:
    values: dict[str, Any] = {"note_id": note_.id, "level": level, "shared_at": utcnow()}
    values.update(fields)
    record = NoteShare(**values)
    db.session.add(record)
    db.session.commit()
    return record


def host_response(
    note_: VisitNote, host: Authority, kind: ResponseKind = ResponseKind.REPLY, **fields: Any
) -> HostResponse:
    values: dict[str, Any] = {
        "note_id": note_.id,
        "revision_number": note_.revision_number,
        "host_authority_id": host.id,
        "kind": kind,
        "body_md": "Thank you for coming.",
        "created_at": utcnow(),
    }
    values.update(fields)
    record = HostResponse(**values)
    db.session.add(record)
    db.session.commit()
    return record


def good_practice(
    note_: VisitNote | None = None, authority: Authority | None = None, **fields: Any
) -> GoodPracticeItem:
    """An item (published yesterday unless *fields* say otherwise), with its source row
    when *note_* and *authority* are given."""
    values: dict[str, Any] = {
        "title": f"Good practice {next(_numbers)}",
        "body_md": "Triage every referral on the day it comes in.",
        "published_on": date.today() - timedelta(days=1),
        "status": GoodPracticeStatus.PUBLISHED,
    }
    values.update(fields)
    record = GoodPracticeItem(**values)
    db.session.add(record)
    db.session.flush()
    if note_ is not None and authority is not None:
        db.session.add(
            GoodPracticeSource(
                item_id=record.id,
                note_id=note_.id,
                authority_id=authority.id,
                checklist_confirmed=True,
            )
        )
    db.session.commit()
    return record


class Scene:
    """Every kind of reader of a note, signed in (DESIGN.md, Anonymity; issue 11's matrix).

    Visitshire visits Hostbury (allies now); Otherton is Visitshire's other ally; Peerford
    is a peer that is no ally; Endedham was an ally and the alliance ended. Inspectors:
    one with a current grant from Visitshire, one with none, one whose grant expired, one
    with a grant from Peerford only.
    """

    def __init__(self, sign_in_as: Any) -> None:
        from bench.models import Role
        from tests import factories

        self.visitor = factories.authority(name="Visitshire Council")
        self.host = factories.authority(name="Hostbury Council")
        self.other = factories.authority(name="Otherton Council")
        self.peer = factories.authority(name="Peerford Council")
        self.ended = factories.authority(name="Endedham Council")
        factories.alliance(self.visitor, self.host)
        factories.alliance(self.visitor, self.other)
        factories.alliance(self.visitor, self.ended, ended_at=utcnow())
        self.clients = {
            "own": sign_in_as(Role.STAFF, self.visitor),
            "own_admin": sign_in_as(Role.AUTHORITY_ADMIN, self.visitor),
            "host": sign_in_as(Role.STAFF, self.host),
            "host_admin": sign_in_as(Role.AUTHORITY_ADMIN, self.host),
            "other_ally": sign_in_as(Role.ANALYST, self.other),
            "peer": sign_in_as(Role.STAFF, self.peer),
            "ended_ally": sign_in_as(Role.STAFF, self.ended),
            "inspector": sign_in_as(Role.INSPECTOR),
            "inspector_no_grant": sign_in_as(Role.INSPECTOR),
            "inspector_expired": sign_in_as(Role.INSPECTOR),
            "inspector_other_grant": sign_in_as(Role.INSPECTOR),
        }
        now = utcnow()
        factories.grant(self.user("inspector"), self.visitor)
        factories.grant(
            self.user("inspector_expired"),
            self.visitor,
            starts_at=now - timedelta(days=30),
            expires_at=now - timedelta(minutes=1),
        )
        factories.grant(self.user("inspector_other_grant"), self.peer)
        self.visit = visit(self.visitor, self.host, title="Visit to Hostbury")
        self.visit_to_ended = visit(self.visitor, self.ended, title="Visit to Endedham")

    def user(self, who: str) -> User:
        return self.clients[who].user

    def client(self, who: str) -> Any:
        return self.clients[who]
