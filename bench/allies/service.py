"""Allies by mutual consent (DESIGN.md, Anonymity 7 and 8).

An authority admin asks, about one issue type, to contact every council in the network
that reports that issue (open, improving or resolved) and said it is open to contact.
The asker's side sees one :class:`AllyAsk`: what it asked and until when, never who
received it or how many, and a decline changes nothing it can see (its pages, API
answers, notifications and audit log read the same as for silence; the ask closes when
it expires, answered or not). Each recipient's admins see who asks and why, and accept
(choosing the contact they share) or decline. Acceptance makes the two allies: each sees
the other's name and chosen contact, on the Allies pages only, while the alliance lasts.
Either side can end it; from then on neither sees the other's name anywhere.

Names appear in exactly two places: a pending request, to its recipient's admins (the
asker chose to be named); and a current alliance, to both sides' admins. Notifications,
emails and audit details name nobody, because they outlive both. Emails go out with the
alerts run (``flask alerts run``), never during the request, so that no response time
depends on how many councils or people were told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from bench import audit, messages
from bench.access import Permission, has_permission
from bench.allies import queries
from bench.allies.schemas import AskSchema, ContactSchema
from bench.dates import london_text
from bench.errors import Conflict, InvalidInput, NotFound
from bench.extensions import db
from bench.models import (
    Alliance,
    AllyAsk,
    AllyRequest,
    AllyRequestStatus,
    Authority,
    IssueType,
    Notification,
    User,
    utcnow,
)
from bench.validation import load

OPEN, CLOSED = "open", "closed"
CURRENT, ENDED = "current", "ended"


def request_days() -> int:
    return int(current_app.config.get("ALLY_REQUEST_DAYS", 30))


def _own(user: User) -> int:
    """Only an authority's admins ask for and answer allies; anyone else finds nothing."""
    if not has_permission(user, Permission.MANAGE_ALLIES) or user.authority_id is None:
        raise NotFound("No authority")
    return user.authority_id


def _path(endpoint: str, **values: str) -> str:
    """A link for a notification (the expiry run works outside any request)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _notify(
    authority_ids: list[int], kind: str, words: tuple[str, str], link: str, now: datetime
) -> None:
    """Tell the admins of *authority_ids*, in the app; the alerts run emails them."""
    subject, body = words
    queries.add_all(
        [
            Notification(
                user_id=admin.id, kind=kind, subject=subject, body=body, link=link, created_at=now
            )
            for admin in queries.admins_of(authority_ids)
        ]
    )


def _issue_title(issue_type: IssueType | None) -> str:
    return issue_type.title if issue_type is not None else "an issue"


def _issue_code(issue_type: IssueType | None) -> str | None:
    return issue_type.code if issue_type is not None else None


# --- what each side sees ---------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    name: str
    email: str


@dataclass(frozen=True)
class Incoming:
    """A request to the viewer's council: who asks is named (the asker chose to be)."""

    public_id: str
    asked_by: Authority
    issue_type: IssueType | None
    message: str
    received_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Outgoing:
    """The viewer's own request: what and until when, never to whom or with what answer."""

    public_id: str
    issue_type: IssueType | None
    message: str
    your_contact: Contact
    sent_at: datetime
    expires_at: datetime
    status: str  # open until expires_at, then closed: a matter of time only


@dataclass(frozen=True)
class AllianceView:
    """A current alliance in full; an ended one as only when it ended."""

    public_id: str
    status: str
    ally: Authority | None = None
    their_contact: Contact | None = None
    your_contact: Contact | None = None
    issue_type: IssueType | None = None
    asked_by_you: bool | None = None
    formed_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True)
class AlliesPage:
    incoming: list[Incoming]
    current: list[AllianceView]
    ended: list[AllianceView]
    outgoing: list[Outgoing]
    request_days: int


def _incoming(request: AllyRequest) -> Incoming:
    return Incoming(
        request.public_id,
        request.requester,
        request.issue_type,
        request.message,
        request.created_at,
        request.expires_at,
    )


def _outgoing(ask: AllyAsk, now: datetime) -> Outgoing:
    return Outgoing(
        ask.public_id,
        ask.issue_type,
        ask.message,
        Contact(ask.contact_name, ask.contact_email),
        ask.created_at,
        ask.expires_at,
        OPEN if now < ask.expires_at else CLOSED,
    )


def _alliance_view(
    alliance: Alliance, authority_id: int, origin: tuple[int, IssueType | None] | None
) -> AllianceView:
    if alliance.ended_at is not None:
        # Nothing seen while allied is shown again: not the name, the contacts or the issue.
        return AllianceView(alliance.public_id, ENDED, ended_at=alliance.ended_at)
    mine_first = alliance.first_id == authority_id
    first = Contact(alliance.first_contact_name, alliance.first_contact_email)
    second = Contact(alliance.second_contact_name, alliance.second_contact_email)
    asker_id, issue_type = origin if origin is not None else (None, None)
    return AllianceView(
        alliance.public_id,
        CURRENT,
        ally=alliance.second if mine_first else alliance.first,
        their_contact=second if mine_first else first,
        your_contact=first if mine_first else second,
        issue_type=issue_type,
        asked_by_you=None if asker_id is None else asker_id == authority_id,
        formed_at=alliance.formed_at,
    )


def _views(alliances: list[Alliance], authority_id: int) -> list[AllianceView]:
    """Alliances as the viewer sees them; one query for where they all came from."""
    current = [alliance.id for alliance in alliances if alliance.ended_at is None]
    found = queries.origins(current)
    return [_alliance_view(a, authority_id, found.get(a.id)) for a in alliances]


def allies_page(user: User, now: datetime | None = None) -> AlliesPage:
    """The Allies page: requests to answer, allies, ended alliances, the council's asks.

    Reads only: a request past its date shows as closed without being written (the
    expiry run records it).
    """
    now = now or utcnow()
    authority_id = _own(user)
    views = _views(queries.alliances_of(authority_id), authority_id)
    return AlliesPage(
        incoming=[_incoming(r) for r in queries.pending_requests_to(authority_id, now)],
        current=[view for view in views if view.status == CURRENT],
        ended=[view for view in views if view.status == ENDED],
        outgoing=[_outgoing(ask, now) for ask in queries.asks_of(authority_id)],
        request_days=request_days(),
    )


def pending_count(user: Any, now: datetime | None = None) -> int:
    """The header's "Allies (n)": requests to the user's council awaiting an answer."""
    if not has_permission(user, Permission.MANAGE_ALLIES) or user.authority_id is None:
        return 0
    return queries.pending_count(user.authority_id, now or utcnow())


# --- asking ----------------------------------------------------------------------


@dataclass(frozen=True)
class AskPage:
    issue_type: IssueType
    open_until: datetime | None  # the council's own open request about it, if any
    request_days: int


def ask_page(user: User, code: str, now: datetime | None = None) -> AskPage:
    """The page for asking about one approved issue type."""
    authority_id = _own(user)
    issue_type = queries.approved_issue_type(code)
    if issue_type is None:
        raise NotFound("No such issue type")
    already = queries.open_ask(authority_id, issue_type.id, now or utcnow())
    return AskPage(issue_type, already.expires_at if already else None, request_days())


def ask(user: User, data: dict[str, Any], now: datetime | None = None) -> Outgoing:
    """Ask every council open to contact about the issue; the asker learns none of them.

    The contact defaults to the asking admin. However many councils receive it, none or
    many, the asker's side records and sees the same.
    """
    now = now or utcnow()
    authority_id = _own(user)
    fields = load(AskSchema(), {"contact_name": user.name, "contact_email": user.email, **data})
    issue_type = queries.approved_issue_type(fields["issue_type"])
    if issue_type is None:
        raise InvalidInput(messages.ISSUE_TYPE_UNKNOWN, field="issue_type")
    already = queries.open_ask(authority_id, issue_type.id, now)
    if already is not None:
        raise Conflict(
            messages.ALLY_ASK_OPEN.format(expires=london_text(already.expires_at)),
            field="issue_type",
        )
    expires_at = now + timedelta(days=request_days())
    asked = AllyAsk(
        requester_id=authority_id,
        issue_type_id=issue_type.id,
        message=fields["message"],
        contact_name=fields["contact_name"],
        contact_email=fields["contact_email"],
        requested_by_id=user.id,
        created_at=now,
        expires_at=expires_at,
    )
    queries.add(asked)
    allies = queries.current_ally_ids(authority_id)
    recipients = [
        recipient
        for recipient in queries.open_to_contact(issue_type.id, authority_id)
        if recipient not in allies
    ]
    requests = [
        AllyRequest(
            ask_id=asked.id,
            requester_id=authority_id,
            recipient_id=recipient,
            issue_type_id=issue_type.id,
            message=fields["message"],
            status=AllyRequestStatus.PENDING,
            requested_by_id=user.id,
            created_at=now,
            expires_at=expires_at,
        )
        for recipient in recipients
    ]
    queries.add_all(list(requests))
    # The asker's log says what it asked, never to whom or how many.
    audit.record(
        "ally_request_sent",
        actor=user,
        authority_id=authority_id,
        subject=asked,
        details={
            "request": asked.public_id,
            "issue_type": issue_type.code,
            "message": fields["message"],
            "contact_name": fields["contact_name"],
            "contact_email": fields["contact_email"],
        },
    )
    for request in requests:
        audit.record(
            "ally_request_received",
            actor=user,
            authority_id=request.recipient_id,
            subject=request,
            details={"request": request.public_id, "issue_type": issue_type.code},
        )
    subject, body = messages.ALLY_NOTICE_RECEIVED
    words = (
        subject.format(issue=issue_type.title),
        body.format(issue=issue_type.title, expires=london_text(expires_at)),
    )
    _notify(recipients, "ally_request", words, _path("allies.index"), now)
    db.session.commit()
    return _outgoing(asked, now)


# --- answering -------------------------------------------------------------------


def _pending(authority_id: int, public_id: str, now: datetime) -> AllyRequest:
    request = queries.request_to(authority_id, public_id)
    if request is None:
        raise NotFound("No such request")
    if request.status is AllyRequestStatus.PENDING and request.expires_at <= now:
        raise Conflict(messages.ALLY_REQUEST_EXPIRED)
    if request.status is AllyRequestStatus.EXPIRED:
        raise Conflict(messages.ALLY_REQUEST_EXPIRED)
    if request.status is not AllyRequestStatus.PENDING:
        raise Conflict(messages.ALLY_REQUEST_ANSWERED)
    return request


def request_to_answer(user: User, public_id: str, now: datetime | None = None) -> Incoming:
    """A request to the user's council that is still awaiting an answer."""
    return _incoming(_pending(_own(user), public_id, now or utcnow()))


def accept(
    user: User, public_id: str, data: dict[str, Any], now: datetime | None = None
) -> AllianceView:
    """Accept: the two councils become allies, each sharing one contact."""
    now = now or utcnow()
    authority_id = _own(user)
    request = _pending(authority_id, public_id, now)
    fields = load(ContactSchema(), {"contact_name": user.name, "contact_email": user.email, **data})
    if queries.current_alliance(authority_id, request.requester_id) is not None:
        raise Conflict(messages.ALLY_ALREADY_ALLIES)
    asked = queries.ask_by_id(request.ask_id)
    assert asked is not None  # noqa: S101 - ask_id is a non-null foreign key
    request.status = AllyRequestStatus.ACCEPTED
    request.responded_by_id = user.id
    request.responded_at = now
    asker_contact = (asked.contact_name, asked.contact_email)
    own_contact = (fields["contact_name"], fields["contact_email"])
    first_is_asker = request.requester_id < authority_id
    first, second = (asker_contact, own_contact) if first_is_asker else (own_contact, asker_contact)
    alliance = Alliance(
        first_id=min(authority_id, request.requester_id),
        second_id=max(authority_id, request.requester_id),
        request_id=request.id,
        formed_at=now,
        first_contact_name=first[0],
        first_contact_email=first[1],
        second_contact_name=second[0],
        second_contact_email=second[1],
    )
    queries.add(alliance)
    issue_code = _issue_code(request.issue_type)
    # Every reveal is in the audit log (Anonymity 8), on both sides; by the alliance's id,
    # never the other council's name, which is hidden again once the alliance ends.
    audit.record(
        "ally_request_accepted",
        actor=user,
        authority_id=authority_id,
        subject=request,
        details={
            "request": request.public_id,
            "issue_type": issue_code,
            "alliance": alliance.public_id,
            "contact_name": own_contact[0],
            "contact_email": own_contact[1],
        },
    )
    audit.record(
        "alliance_formed",
        actor=user,
        authority_id=request.requester_id,
        subject=alliance,
        details={
            "request": asked.public_id,
            "issue_type": issue_code,
            "alliance": alliance.public_id,
        },
    )
    subject, body = messages.ALLY_NOTICE_ACCEPTED
    title = _issue_title(request.issue_type)
    link = _path("allies.alliance", alliance_id=alliance.public_id)
    _notify([request.requester_id], "ally_accepted", (subject.format(issue=title), body), link, now)
    db.session.commit()
    return _views([alliance], authority_id)[0]


def decline(user: User, public_id: str, now: datetime | None = None) -> str:
    """Decline: recorded on the recipient's side only, so that the asker's side reads
    exactly as if no answer came (Anonymity 7)."""
    now = now or utcnow()
    authority_id = _own(user)
    request = _pending(authority_id, public_id, now)
    request.status = AllyRequestStatus.DECLINED
    request.responded_by_id = user.id
    request.responded_at = now
    audit.record(
        "ally_request_declined",
        actor=user,
        authority_id=authority_id,
        subject=request,
        details={"request": request.public_id, "issue_type": _issue_code(request.issue_type)},
    )
    db.session.commit()
    return request.public_id


# --- alliances -------------------------------------------------------------------


def alliance(user: User, public_id: str) -> AllianceView:
    """One of the council's alliances; another council's id is not found."""
    authority_id = _own(user)
    found = queries.alliance_of(authority_id, public_id)
    if found is None:
        raise NotFound("No such alliance")
    return _views([found], authority_id)[0]


def end(user: User, public_id: str, now: datetime | None = None) -> AllianceView:
    """End an alliance: from now on neither side sees the other's name."""
    now = now or utcnow()
    authority_id = _own(user)
    found = queries.alliance_of(authority_id, public_id, lock=True)
    if found is None:
        raise NotFound("No such alliance")
    if found.ended_at is not None:
        raise Conflict(messages.ALLIANCE_ALREADY_ENDED)
    found.ended_at = now
    found.ended_by_id = authority_id
    other = found.second_id if found.first_id == authority_id else found.first_id
    for side in (authority_id, other):
        audit.record(
            "alliance_ended",
            actor=user,
            authority_id=side,
            subject=found,
            details={"alliance": found.public_id},
        )
    link = _path("allies.alliance", alliance_id=found.public_id)
    _notify([other], "ally_ended", messages.ALLY_NOTICE_ENDED, link, now)
    db.session.commit()
    return _views([found], authority_id)[0]


# --- expiry ----------------------------------------------------------------------


def expire_due(now: datetime) -> int:
    """Record what time has done: pending requests past their date become expired, and
    each ask that has closed is announced to its council's admins, once. The same for
    every ask, answered or not. Run by ``flask alerts run`` and ``flask allies expire``;
    pages never wait for it (they read the dates). Returns the number of asks closed."""
    queries.expire_requests(now)
    closing = queries.asks_to_close(now)
    subject, body = messages.ALLY_NOTICE_CLOSED
    for asked in closing:
        asked.closed_at = now
        title = _issue_title(asked.issue_type)
        words = (subject.format(issue=title), body.format(days=request_days()))
        _notify([asked.requester_id], "ally_closed", words, _path("allies.index"), now)
    db.session.commit()
    return len(closing)
