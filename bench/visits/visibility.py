"""Who may read a visit note, and under what name the host appears: one rule for every
reader of notes (pages, the API, search with its snippets and counts, exports).

The rule is SQL (:func:`note_readable`), put inside the same query that reads, ranks or
counts notes, as the Ministry of Justice's case-notes service filters by sensitivity in
its query: so no result, snippet or count can come from a note the reader may not see.

A note is readable, while it is not deleted, by:

- every user of the visiting authority (its own notes, whatever their sharing);
- users of the host, when the note is shared with the host and the two authorities are
  allies now (an ended alliance hides it again: DESIGN.md, Anonymity 7);
- users of any authority that is an ally of the visiting authority now, when the note is
  shared with all allies;
- an inspector holding a current grant for the visiting authority, when the note is
  shared with inspectors.

Sharing "with the whole network as good practice" gives no one the note: it makes an
edited, anonymised copy (GoodPracticeItem) that nothing links back to.

Who the host is may be known only to the visiting authority (while allied), the host
itself, and an inspector when the host consented: to everyone else the host is "an
ally", and its name is taken out of the note's title and text (:func:`redact`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from bench.models import (
    AUTHORITY_ROLES,
    Alliance,
    Authority,
    InspectorGrant,
    NoteShare,
    Role,
    ShareLevel,
    User,
    Visit,
    VisitNote,
)

HOST_WORDS = "an ally"
NOT_ALLY_WORDS = "a council that is not an ally"
FORMER_HOST_WORDS = "a former ally"
OWN_HOST_WORDS = "your council"
REDACTED = "[the host council]"


@dataclass(frozen=True)
class Reader:
    """Who is reading, worked out once per request."""

    user_id: int
    authority_id: int | None  # None for inspectors
    inspector: bool
    now: datetime


def reader_for(user: User | None, now: datetime) -> Reader | None:
    """The reader *user* is, or None for someone who may read no note at all (signed
    out, a network admin: DESIGN.md, Anonymity 14)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.role in AUTHORITY_ROLES and user.authority_id is not None:
        return Reader(user.id, user.authority_id, False, now)
    if user.role is Role.INSPECTOR:
        return Reader(user.id, None, True, now)
    return None


def _live_share(level: ShareLevel) -> ColumnElement[bool]:
    return exists().where(
        NoteShare.note_id == VisitNote.id,
        NoteShare.level == level,
        NoteShare.revoked_at.is_(None),
    )


def _allied_with_visitor(authority_id: int) -> ColumnElement[bool]:
    """The reader's authority and the visiting authority are allies now."""
    return exists().where(
        Alliance.ended_at.is_(None),
        or_(
            and_(Alliance.first_id == Visit.authority_id, Alliance.second_id == authority_id),
            and_(Alliance.first_id == authority_id, Alliance.second_id == Visit.authority_id),
        ),
    )


def _current_grant(reader: Reader) -> ColumnElement[bool]:
    return exists().where(
        InspectorGrant.inspector_id == reader.user_id,
        InspectorGrant.authority_id == Visit.authority_id,
        InspectorGrant.revoked_at.is_(None),
        InspectorGrant.starts_at <= reader.now,
        InspectorGrant.expires_at > reader.now,
    )


def note_readable(reader: Reader | None) -> ColumnElement[bool]:
    """A SQL condition on ``VisitNote`` joined to its ``Visit``: the notes *reader* may
    read. Put it in the same statement as the search, ranking or count."""
    if reader is None:
        return false()
    live = VisitNote.deleted_at.is_(None)
    if reader.inspector:
        return and_(live, _live_share(ShareLevel.INSPECTOR), _current_grant(reader))
    own = reader.authority_id
    assert own is not None
    return and_(
        live,
        or_(
            Visit.authority_id == own,
            and_(
                Visit.host_authority_id == own,
                _live_share(ShareLevel.HOST),
                _allied_with_visitor(own),
            ),
            and_(_live_share(ShareLevel.ALLIES), _allied_with_visitor(own)),
        ),
    )


def host_allied(formed_by: datetime | None = None) -> ColumnElement[bool]:
    """The visiting authority and its visit's host are allies now (and, with
    *formed_by*, already were at that moment: an export as published on a date)."""
    return exists().where(
        Alliance.ended_at.is_(None),
        Alliance.formed_at <= formed_by if formed_by is not None else true(),
        or_(
            and_(
                Alliance.first_id == Visit.authority_id,
                Alliance.second_id == Visit.host_authority_id,
            ),
            and_(
                Alliance.first_id == Visit.host_authority_id,
                Alliance.second_id == Visit.authority_id,
            ),
        ),
    )


def host_consented() -> ColumnElement[bool]:
    """A SQL condition on ``VisitNote`` joined to its ``Visit``: inspectors may see the
    host named on this note. The host's consent counts while the host can read the note
    (shared with it, the two allies now) and the note is shared with inspectors."""
    return and_(
        _live_share(ShareLevel.HOST),
        host_allied(),
        exists().where(
            NoteShare.note_id == VisitNote.id,
            NoteShare.level == ShareLevel.INSPECTOR,
            NoteShare.revoked_at.is_(None),
            NoteShare.host_consented_at.is_not(None),
        ),
    )


def host_nameable(reader: Reader) -> ColumnElement[bool]:
    """A SQL condition on ``VisitNote`` joined to its ``Visit`` (never NULL): *reader* may
    know who hosted the visit (:func:`may_name_host`, as SQL): the visiting authority's
    users while the two are allies, the host's users, an inspector the host consented to."""
    if reader.inspector:
        named = host_consented()
    else:
        own = reader.authority_id
        named = or_(
            Visit.host_authority_id == own,
            and_(Visit.authority_id == own, host_allied()),
        )
    return and_(Visit.host_authority_id.is_not(None), named)


def readable_notes(reader: Reader | None):  # noqa: ANN201 - a Select of VisitNote
    """``select(VisitNote)`` joined to its visit, limited to what *reader* may read."""
    return (
        select(VisitNote).join(Visit, Visit.id == VisitNote.visit_id).where(note_readable(reader))
    )


# --- naming the host ---------------------------------------------------------------


def host_label(
    reader: Reader,
    visit: Visit,
    *,
    allied_now: bool,
    host_consented: bool = False,
) -> str:
    """The words a page shows for *visit*'s host to *reader*.

    *allied_now*: the visiting authority and the host are allies now; *host_consented*:
    the host's admins agreed that inspectors may see it named on this note.
    """
    host = visit.host_authority
    if host is None:
        # Recorded without a host: the council was not an ally, and nothing names it.
        return NOT_ALLY_WORDS
    if reader.authority_id == host.id:
        return OWN_HOST_WORDS
    if reader.authority_id == visit.authority_id:
        return host.name if allied_now else FORMER_HOST_WORDS
    if reader.inspector and host_consented:
        return host.name
    return HOST_WORDS


def may_name_host(reader: Reader, visit: Visit, *, allied_now: bool, host_consented: bool) -> bool:
    """Whether *reader* may see the host's name (in labels, titles and note text)."""
    host = visit.host_authority
    if host is None:
        return False
    if reader.authority_id == host.id:
        return True
    if reader.authority_id == visit.authority_id:
        return allied_now
    return reader.inspector and host_consented


_SUFFIXES = re.compile(
    r"\s+(metropolitan borough|royal borough|london borough|borough|city|county|district)?"
    r"\s*council$",
    re.IGNORECASE,
)


def names_of(authority: Authority) -> list[str]:
    """The ways a note may name *authority*: its full name, its name without "Council"
    (and "County Council", "Borough Council", ...), and its GSS code; longest first."""
    full = authority.name.strip()
    short = _SUFFIXES.sub("", full).strip()
    short = re.sub(r"^(london borough of|royal borough of|city of)\s+", "", short, flags=re.I)
    found = {name for name in (full, short, authority.gss_code) if len(name) >= 3}
    return sorted(found, key=len, reverse=True)


def redact(text: str, names: list[str]) -> str:
    """*text* with every one of *names* (whole words, any case) replaced."""
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    return text
