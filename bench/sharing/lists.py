"""Notes other councils shared: with the reader's council, and with an inspector.

"Shared with your council": the notes of other authorities the user's authority may read
(as the host, or as one of all allies), newest first, each naming the visiting council
(an ally now, or the note could not be read) and the host as the visibility rule says.
The host's admins answer, there, the request to let inspectors see the host named on a
note shared with inspectors too.

"Notes shared with you" (inspectors): per current grant, the granting authority's notes
shared with inspectors, the host named only with its consent (while the alliance lasts)
and its name taken out of the text otherwise. Every note an inspector reads is written
to the visiting authority's audit log (DESIGN.md, Anonymity 8), once per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g

from bench import audit, messages
from bench.access import Permission, has_permission
from bench.errors import Conflict, NotFound
from bench.extensions import db
from bench.models import NoteShare, ShareLevel, User, Visit, utcnow
from bench.sharing import queries
from bench.sharing.reading import ShownNote, own_authority, pair, reader, shown
from bench.sharing.schemas import DecisionSchema
from bench.validation import load

AWAITING, CONSENTED, REFUSED = "awaiting", "consented", "refused"


@dataclass(frozen=True)
class Consent:
    """The host's answer to inspectors seeing it named on one note."""

    state: str  # AWAITING, CONSENTED or REFUSED
    at: datetime | None


@dataclass(frozen=True)
class SharedNote:
    note: ShownNote
    as_host: bool  # shared with the reader's council as the host; else with all allies
    consent: Consent | None  # for the host's admins, where inspectors may read it too


@dataclass(frozen=True)
class Inspected:
    """One authority that granted the inspector access, and its notes shared with them."""

    authority: str  # its name
    expires_at: datetime
    notes: list[ShownNote]


def _consent(share: NoteShare) -> Consent:
    if share.host_consented_at is not None:
        return Consent(CONSENTED, share.host_consented_at)
    if share.host_refused_at is not None:
        return Consent(REFUSED, share.host_refused_at)
    return Consent(AWAITING, None)


def with_us(user: User) -> list[SharedNote]:
    """Other authorities' notes the user's authority may read, newest first."""
    authority_id = own_authority(user)
    who = reader(user)
    rows = queries.readable_with_text(who, Visit.authority_id != authority_id)
    shares = queries.live_shares(note.id for note, _ in rows)
    allied = queries.allied_pairs(filter(None, (pair(note.visit) for note, _ in rows)))
    admin = has_permission(user, Permission.MANAGE_AUTHORITY_USERS)
    found = []
    for note, text in rows:
        live = shares[note.id]
        as_host = note.visit.host_authority_id == authority_id and ShareLevel.HOST in live
        inspector = live.get(ShareLevel.INSPECTOR)
        found.append(
            SharedNote(
                note=shown(who, note, text, allied_now=pair(note.visit) in allied),
                as_host=as_host,
                consent=_consent(inspector) if as_host and admin and inspector else None,
            )
        )
    return found


def answer_consent(user: User, public_id: str, data: Any, now: datetime | None = None) -> str:
    """The host's admins let inspectors see their council named on one note, refuse, or
    withdraw consent given. Returns the message to show."""
    now = now or utcnow()
    authority_id = own_authority(user)
    if not has_permission(user, Permission.MANAGE_AUTHORITY_USERS):
        raise NotFound("No such note")
    note = queries.readable_note(reader(user, now), public_id)
    if (
        note is None
        or note.visit.host_authority_id != authority_id
        or queries.live_share(note.id, ShareLevel.HOST) is None
    ):
        raise NotFound("No such note")
    decision = load(DecisionSchema(), data)["decision"]
    share = queries.live_share(note.id, ShareLevel.INSPECTOR, lock=True)
    if share is None:
        raise Conflict(messages.CONSENT_NOT_ASKED)
    # The host's own log only: the visiting council sees its inspectors' labels change.
    where = {"actor": user, "authority_id": authority_id, "subject": share}
    details = {"note": public_id}
    if decision == "consent":
        share.host_consented_at, share.host_consented_by_id = now, user.id
        share.host_refused_at = None
        audit.record("host_consent_given", **where, details=details)
        words = messages.CONSENT_GIVEN
    elif share.host_consented_at is not None:
        share.host_consented_at, share.host_consented_by_id = None, None
        share.host_refused_at = now
        audit.record("host_consent_withdrawn", **where, details=details)
        words = messages.CONSENT_WITHDRAWN
    else:
        share.host_refused_at = now
        audit.record("host_consent_refused", **where, details=details)
        words = messages.CONSENT_REFUSED
    db.session.commit()
    return words


def _host_consented(shares: dict[ShareLevel, NoteShare], allied_now: bool) -> bool:
    """Consent counts while the host can read the note: shared with it, allies now."""
    inspector = shares.get(ShareLevel.INSPECTOR)
    return (
        inspector is not None
        and inspector.host_consented_at is not None
        and ShareLevel.HOST in shares
        and allied_now
    )


def inspected(user: User) -> list[Inspected]:
    """For each current grant the inspector holds, the notes shared with inspectors;
    each read audited in the visiting authority's log, once per request."""
    now = utcnow()
    who = reader(user, now)
    if not who.inspector:
        raise NotFound("No grants")
    if not queries.current_grants(user.id, now):
        return []
    # This read path writes (every note read is audited): take SQLite's write lock first,
    # then read and record in the one transaction.
    db.begin_write()
    grants = {grant.authority_id: grant for grant in queries.current_grants(user.id, now)}
    rows = queries.readable_with_text(who)
    shares = queries.live_shares(note.id for note, _ in rows)
    allied = queries.allied_pairs(filter(None, (pair(note.visit) for note, _ in rows)))
    notes: dict[int, list[ShownNote]] = {authority_id: [] for authority_id in grants}
    done = g.setdefault("shared_notes_read", set())
    for note, text in rows:
        allied_now = pair(note.visit) in allied
        consented = _host_consented(shares[note.id], allied_now)
        notes[note.visit.authority_id].append(
            shown(who, note, text, allied_now=allied_now, host_consented=consented)
        )
        if note.id not in done:
            grant = grants[note.visit.authority_id]
            audit.record(
                "shared_note_read",
                actor=user,
                authority_id=grant.authority_id,
                subject=note,
                details={"page": "shared notes", "note": note.public_id, "grant": grant.public_id},
            )
            done.add(note.id)
    found = [
        Inspected(grant.authority.name, grant.expires_at, notes[authority_id])
        for authority_id, grant in grants.items()
    ]
    db.session.commit()
    return found
