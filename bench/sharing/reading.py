"""A note as one reader may see it: the host named or not, its name taken out or not.

Every page and API answer of the sharing area shows notes through :func:`shown`, which
asks :mod:`bench.visits.visibility` how to name the host; nothing here decides who may
read a note (the queries do, through the same module).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup

from bench.access import Permission, has_permission
from bench.errors import NotFound
from bench.markdown import render
from bench.models import User, Visit, VisitNote, utcnow
from bench.visits import visibility
from bench.visits.visibility import Reader


@dataclass(frozen=True)
class ShownNote:
    public_id: str
    title: str
    section: str
    visited_on: date
    visiting: str  # the visiting council's name: every reader of a note may know it
    host: str  # the host's name, or words in its place
    host_named: bool
    body_md: str  # with the host's name taken out where it may not be seen
    revision_number: int
    updated_at: datetime

    @property
    def body(self) -> Markup:
        return render(self.body_md)


def reader(user: User, now: datetime | None = None) -> Reader:
    """Who is reading; anyone who may read no note at all finds nothing."""
    found = visibility.reader_for(user, now or utcnow())
    if found is None:
        raise NotFound("No notes")
    return found


def own_authority(user: User) -> int:
    """The authority of a user who records visits (staff, analysts, admins)."""
    if not has_permission(user, Permission.RECORD_VISITS) or user.authority_id is None:
        raise NotFound("No authority")
    return user.authority_id


def pair(visit: Visit) -> tuple[int, int] | None:
    """The visiting and host authorities, as an alliance stores them; None without a host."""
    if visit.host_authority_id is None:
        return None
    return (
        min(visit.authority_id, visit.host_authority_id),
        max(visit.authority_id, visit.host_authority_id),
    )


def shown(
    who: Reader,
    note: VisitNote,
    body_md: str,
    *,
    allied_now: bool,
    host_consented: bool = False,
) -> ShownNote:
    """*note* (with its current text *body_md*) as *who* may see it."""
    visit = note.visit
    title = f"{visit.title}: {note.section.label}"
    named = visibility.may_name_host(
        who, visit, allied_now=allied_now, host_consented=host_consented
    )
    if visit.host_authority is not None and not named:
        names = visibility.names_of(visit.host_authority)
        title = visibility.redact(title, names)
        body_md = visibility.redact(body_md, names)
    return ShownNote(
        public_id=note.public_id,
        title=title,
        section=note.section.label,
        visited_on=visit.visited_on,
        visiting=visit.authority.name,
        host=visibility.host_label(
            who, visit, allied_now=allied_now, host_consented=host_consented
        ),
        host_named=named,
        body_md=body_md,
        revision_number=note.revision_number,
        updated_at=note.updated_at,
    )


def redact_for(who: Reader, visit: Visit, text: str, *, allied_now: bool) -> str:
    """Other text about a note (a host's reply) with the host's name taken out where
    *who* may not see it."""
    if visit.host_authority is None or visibility.may_name_host(
        who, visit, allied_now=allied_now, host_consented=False
    ):
        return text
    return visibility.redact(text, visibility.names_of(visit.host_authority))
