"""The host's replies to a note shared with it, and corrections its author decides on.

A host (a user of the council visited) reads a note shared with it while the two are
allies, and may reply (Markdown) or propose a correction: the whole corrected text and
a reason. Responses are seen by the host and by the note's own authority only, never by
other allies or inspectors. The note's authority accepts a correction (a new revision
with the proposed text, "Correction from the host accepted", by whoever accepted) or
declines it; a correction made to a revision the note has since moved on from is
accepted only once the user has compared the two versions and confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from bench import audit, messages
from bench.errors import Conflict, InvalidInput, NotFound
from bench.extensions import db
from bench.markdown import render
from bench.models import (
    HostResponse,
    ResponseKind,
    ResponseStatus,
    ShareLevel,
    User,
    VisitNote,
    utcnow,
)
from bench.sharing import queries
from bench.sharing.reading import ShownNote, own_authority, pair, reader, redact_for, shown
from bench.sharing.schemas import CorrectionSchema, ReplySchema
from bench.validation import load
from bench.visits import queries as visit_queries
from bench.visits.visibility import Reader, host_label

VISITOR, HOST = "visitor", "host"


@dataclass(frozen=True)
class ResponseView:
    public_id: str
    kind: ResponseKind
    body_md: str
    proposed_md: str
    status: ResponseStatus
    author: str
    created_at: datetime
    revision_number: int
    stale: bool  # an open correction to a revision the note has moved on from

    @property
    def body(self) -> Markup:
        return render(self.body_md)

    @property
    def proposed(self) -> Markup:
        return render(self.proposed_md)


@dataclass(frozen=True)
class ResponsesPage:
    note: ShownNote
    side: str  # VISITOR: the note's own authority; HOST: the council visited
    responses: list[ResponseView]
    current_md: str  # the note's text, for the host's correction form


@dataclass(frozen=True)
class AcceptPage:
    note: ShownNote
    response: ResponseView
    corrected_md: str  # the revision the host corrected

    @property
    def corrected(self) -> Markup:
        return render(self.corrected_md)


@dataclass(frozen=True)
class _Context:
    who: Reader
    authority_id: int
    note: VisitNote
    side: str
    allied_now: bool
    text: str


def _context(user: User, public_id: str) -> _Context:
    """The note and the user's side of it; anyone but its authority and a host it is
    shared with (while allied) finds nothing."""
    authority_id = own_authority(user)
    who = reader(user)
    note = queries.readable_note(who, public_id)
    if note is None:
        raise NotFound("No such note")
    visit = note.visit
    if visit.authority_id == authority_id:
        side = VISITOR
    elif (
        visit.host_authority_id == authority_id
        and queries.live_share(note.id, ShareLevel.HOST) is not None
    ):
        side = HOST  # readable, so the two are allies now
    else:
        raise NotFound("No such note")
    found = pair(visit)
    allied_now = found is not None and found in queries.allied_pairs([found])
    text = queries.revision_text(note.id, note.revision_number) or ""
    return _Context(who, authority_id, note, side, allied_now, text)


def _view(context: _Context, response: HostResponse) -> ResponseView:
    visit = context.note.visit
    named = context.side == HOST or (context.allied_now and visit.host_authority is not None)
    author = response.author.name if named and response.author else None
    return ResponseView(
        public_id=response.public_id,
        kind=response.kind,
        body_md=redact_for(context.who, visit, response.body_md, allied_now=context.allied_now),
        proposed_md=redact_for(
            context.who, visit, response.proposed_body_md, allied_now=context.allied_now
        ),
        status=response.status,
        author=author
        or f"The host ({host_label(context.who, visit, allied_now=context.allied_now)})",
        created_at=response.created_at,
        revision_number=response.revision_number,
        stale=response.kind is ResponseKind.CORRECTION
        and response.status is ResponseStatus.OPEN
        and response.revision_number != context.note.revision_number,
    )


def responses_page(user: User, public_id: str) -> ResponsesPage:
    context = _context(user, public_id)
    return ResponsesPage(
        note=shown(context.who, context.note, context.text, allied_now=context.allied_now),
        side=context.side,
        responses=[_view(context, found) for found in queries.responses_of(context.note.id)],
        current_md=context.text,
    )


def _host_context(user: User, public_id: str) -> _Context:
    context = _context(user, public_id)
    if context.side != HOST:
        raise NotFound("No such note")
    return context


def _post(user: User, context: _Context, response: HostResponse) -> HostResponse:
    queries.add(response)
    details = {"note": context.note.public_id, "response": response.public_id}
    # Each side's own log; neither names the other council (the logs outlive alliances).
    host = {"actor": user, "authority_id": context.authority_id, "subject": response}
    visitor = {**host, "authority_id": context.note.visit.authority_id}
    if response.kind is ResponseKind.REPLY:
        audit.record("host_reply_sent", **host, details=details)
        audit.record("host_reply_received", **visitor, details=details)
    else:
        audit.record("host_correction_sent", **host, details=details)
        audit.record("host_correction_received", **visitor, details=details)
    db.session.commit()
    return response


def post_reply(user: User, public_id: str, data: Any, now: datetime | None = None) -> HostResponse:
    """The host replies to a note shared with it."""
    context = _host_context(user, public_id)
    fields = load(ReplySchema(), data)
    response = HostResponse(
        note_id=context.note.id,
        revision_number=context.note.revision_number,
        host_authority_id=context.authority_id,
        author_id=user.id,
        kind=ResponseKind.REPLY,
        body_md=fields["body"],
        created_at=now or utcnow(),
    )
    return _post(user, context, response)


def propose_correction(
    user: User, public_id: str, data: Any, now: datetime | None = None
) -> HostResponse:
    """The host proposes the note's whole text corrected, with a reason, against the
    revision it read."""
    context = _host_context(user, public_id)
    fields = load(CorrectionSchema(), data)
    revision = fields["revision"]
    corrected = (
        queries.revision_text(context.note.id, revision)
        if revision <= context.note.revision_number
        else None
    )
    if corrected is None:
        raise InvalidInput(messages.CORRECTION_REVISION_INVALID, field="revision")
    if fields["text"].strip() == corrected.strip():
        raise InvalidInput(messages.CORRECTION_TEXT_UNCHANGED, field="text")
    response = HostResponse(
        note_id=context.note.id,
        revision_number=revision,
        host_authority_id=context.authority_id,
        author_id=user.id,
        kind=ResponseKind.CORRECTION,
        body_md=fields["reason"],
        proposed_body_md=fields["text"],
        created_at=now or utcnow(),
    )
    return _post(user, context, response)


# --- the author's decision ------------------------------------------------------------


def _open_correction(user: User, public_id: str) -> tuple[_Context, HostResponse]:
    authority_id = own_authority(user)
    response = queries.response_to(authority_id, public_id)
    if response is None or response.kind is not ResponseKind.CORRECTION:
        raise NotFound("No such correction")
    context = _context(user, response.note.public_id)
    if response.status is not ResponseStatus.OPEN:
        raise Conflict(messages.CORRECTION_DECIDED)
    return context, response


def correction_to_accept(user: User, public_id: str) -> AcceptPage:
    """An open correction beside the note's current text and the revision it corrected."""
    context, response = _open_correction(user, public_id)
    corrected = queries.revision_text(context.note.id, response.revision_number) or ""
    return AcceptPage(
        note=shown(context.who, context.note, context.text, allied_now=context.allied_now),
        response=_view(context, response),
        corrected_md=redact_for(
            context.who, context.note.visit, corrected, allied_now=context.allied_now
        ),
    )


def _decided(
    user: User,
    context: _Context,
    response: HostResponse,
    status: ResponseStatus,
    now: datetime,
    revision: int | None = None,
) -> str:
    """Record the author's answer (in the note's council's log) and commit it; returns
    the note's id."""
    response.status = status
    response.decided_by_id = user.id
    response.decided_at = now
    details: dict[str, Any] = {"note": context.note.public_id, "response": response.public_id}
    if revision is not None:
        details["revision"] = revision
    where = {"actor": user, "authority_id": context.authority_id, "subject": response}
    if revision is not None:
        audit.record("host_correction_accepted", **where, details=details)
    else:
        audit.record("host_correction_declined", **where, details=details)
    db.session.commit()
    return context.note.public_id


def accept(
    user: User, public_id: str, *, confirmed: bool = False, now: datetime | None = None
) -> str:
    """Accept a correction: the proposed text becomes the note's next revision. Returns
    the note's id. A correction to an older revision needs *confirmed*."""
    now = now or utcnow()
    context, response = _open_correction(user, public_id)
    note = queries.own_note(context.authority_id, context.note.public_id, lock=True)
    assert note is not None  # noqa: S101 - found just above, in the same transaction
    if response.revision_number != note.revision_number and not confirmed:
        # The note has moved on since the correction was proposed: compare, then confirm.
        raise Conflict(messages.CORRECTION_STALE, field="confirm")
    revision = visit_queries.add_revision(
        note, response.proposed_body_md, messages.CORRECTION_SUMMARY, user.id, now
    )
    return _decided(user, context, response, ResponseStatus.ACCEPTED, now, revision.number)


def decline(user: User, public_id: str, now: datetime | None = None) -> str:
    """Decline a correction; the note stays as it is. Returns the note's id."""
    context, response = _open_correction(user, public_id)
    return _decided(user, context, response, ResponseStatus.DECLINED, now or utcnow())
