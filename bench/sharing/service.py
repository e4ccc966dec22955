"""Sharing a note: its own authority's users choose who else may read it.

No share row: the note is the visiting authority's alone. One row a level (with the
host, with all allies, with inspectors under a current grant); revoking sets
``revoked_at`` and keeps the row, so the sharing history stays. Sharing with the host
needs the host to be an ally now; a share with the host or with allies takes effect only
while the alliances last (:mod:`bench.visits.visibility` checks that on every read).
The whole network never gets the note: an edited, anonymised copy instead
(:mod:`bench.sharing.goodpractice`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bench import audit, messages
from bench.dates import LONDON
from bench.errors import Conflict, InvalidInput, NotFound
from bench.extensions import db
from bench.models import (
    GoodPracticeSource,
    GoodPracticeStatus,
    NoteShare,
    ResponseKind,
    ResponseStatus,
    ShareLevel,
    User,
    VisitNote,
    utcnow,
)
from bench.sharing import queries
from bench.sharing.reading import ShownNote, own_authority, pair, reader, shown
from bench.sharing.schemas import SHARE_LEVELS, ShareBodySchema
from bench.validation import load


def level_words(level: ShareLevel) -> str:
    return messages.SHARE_LEVEL_WORDS[level.value]


@dataclass(frozen=True)
class LevelState:
    """One level on the sharing page: live or not, and whether it can be added now."""

    level: ShareLevel
    words: str
    share: NoteShare | None
    why_not: str | None = None  # why it cannot be added now


@dataclass(frozen=True)
class HistoryRow:
    words: str
    shared_at: datetime
    shared_by: str | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class CopyView:
    """A good-practice copy of the note, as its own authority sees it."""

    public_id: str
    status: GoodPracticeStatus
    published_on: date | None
    shown: bool  # the network sees it now

    @property
    def withdrawable(self) -> bool:
        return self.status is not GoodPracticeStatus.WITHDRAWN


@dataclass(frozen=True)
class SharingPage:
    note: ShownNote
    levels: list[LevelState]
    history: list[HistoryRow]
    copies: list[CopyView]
    responses: int
    open_corrections: int


def _copy(source: GoodPracticeSource) -> CopyView:
    item = source.item
    today = utcnow().astimezone(LONDON).date()
    shown_now = (
        item.status is not GoodPracticeStatus.WITHDRAWN
        and item.published_on is not None
        and item.published_on <= today
    )
    return CopyView(item.public_id, item.status, item.published_on, shown_now)


def own_note(user: User, public_id: str, *, lock: bool = False) -> tuple[int, VisitNote]:
    authority_id = own_authority(user)
    note = queries.own_note(authority_id, public_id, lock=lock)
    if note is None:
        raise NotFound("No such note")
    return authority_id, note


def allied_now_for(note: VisitNote) -> bool:
    """Whether the note's visiting and host authorities are allies now."""
    found = pair(note.visit)
    return found is not None and found in queries.allied_pairs([found])


def _why_not(level: ShareLevel, note: VisitNote, allied_now: bool) -> str | None:
    if level is not ShareLevel.HOST:
        return None
    if note.visit.host_authority_id is None:
        return messages.SHARE_NO_HOST
    return None if allied_now else messages.SHARE_HOST_NOT_ALLY


def sharing_page(user: User, public_id: str) -> SharingPage:
    """The note's sharing page: its levels, their history, its good-practice copies and
    how many host responses it has."""
    authority_id, note = own_note(user, public_id)
    allied_now = allied_now_for(note)
    text = queries.revision_text(note.id, note.revision_number) or ""
    every = queries.shares_of(note.id)
    live = {share.level: share for share in every if share.revoked_at is None}
    people = queries.user_names([share.shared_by_id for share in every])
    responses = queries.responses_of(note.id)
    return SharingPage(
        note=shown(reader(user), note, text, allied_now=allied_now),
        levels=[
            LevelState(
                level, level_words(level), live.get(level), _why_not(level, note, allied_now)
            )
            for level in SHARE_LEVELS
        ],
        history=[
            HistoryRow(
                level_words(share.level),
                share.shared_at,
                people.get(share.shared_by_id or 0),
                share.revoked_at,
            )
            for share in every
            if share.level in SHARE_LEVELS
        ],
        copies=[_copy(source) for source in queries.copies_of(note.id, authority_id)],
        responses=len(responses),
        open_corrections=sum(
            1
            for response in responses
            if response.kind is ResponseKind.CORRECTION and response.status is ResponseStatus.OPEN
        ),
    )


def _recorded(
    added: bool, user: User, authority_id: int, note: VisitNote, share: NoteShare
) -> NoteShare:
    """Audit a change of level (the level only: never whom it names) and commit it."""
    where = {"actor": user, "authority_id": authority_id, "subject": share}
    details = {"note": note.public_id, "level": share.level.value}
    if added:
        audit.record("note_share_added", **where, details=details)
    else:
        audit.record("note_share_revoked", **where, details=details)
    db.session.commit()
    return share


def add_share(user: User, public_id: str, data: Any, now: datetime | None = None) -> NoteShare:
    """Share the note at one more level; audited with the level only."""
    now = now or utcnow()
    authority_id, note = own_note(user, public_id, lock=True)
    level = ShareLevel(load(ShareBodySchema(), data)["level"])
    why_not = _why_not(level, note, allied_now_for(note))
    if why_not is not None:
        raise InvalidInput(why_not, field="level")
    if queries.live_share(note.id, level) is not None:
        raise Conflict(messages.SHARE_ALREADY, field="level")
    share = NoteShare(note_id=note.id, level=level, shared_by_id=user.id, shared_at=now)
    queries.add(share)
    return _recorded(True, user, authority_id, note, share)


def parse_level(text: str) -> ShareLevel:
    """A level named in a path or form; anything else names nothing."""
    if text not in SHARE_LEVELS:
        raise NotFound("No such level")
    return ShareLevel(text)


def revoke_share(
    user: User, public_id: str, level_text: str, now: datetime | None = None
) -> NoteShare:
    """Stop sharing the note at one level; the row stays, for the history."""
    now = now or utcnow()
    authority_id, note = own_note(user, public_id, lock=True)
    level = parse_level(level_text)
    share = queries.live_share(note.id, level, lock=True)
    if share is None:
        raise Conflict(messages.SHARE_NOT_SHARED, field="level")
    share.revoked_at = now
    return _recorded(False, user, authority_id, note, share)


# --- the API's view ---------------------------------------------------------------------


def share_out(share: NoteShare) -> dict[str, Any]:
    return {
        "level": share.level.value,
        "shared_at": share.shared_at,
        "revoked_at": share.revoked_at,
        "live": share.revoked_at is None,
        "host_consented": share.host_consented_at is not None,
    }


def note_shares(user: User, public_id: str) -> dict[str, Any]:
    """The note's levels, live and revoked, and its good-practice copies: for its own
    authority only (anyone else's note is not found)."""
    authority_id, note = own_note(user, public_id)
    return {
        "note": note.public_id,
        "shares": [
            share_out(share) for share in queries.shares_of(note.id) if share.level in SHARE_LEVELS
        ],
        "good_practice": [
            {"id": copy.public_id, "status": copy.status.value, "published_on": copy.published_on}
            for copy in map(_copy, queries.copies_of(note.id, authority_id))
        ],
    }
