"""Reads and writes for sharing notes (flush only; the services commit).

Which notes a reader may read is never decided here: every read of another authority's
note goes through :func:`bench.visits.visibility.readable_notes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import joinedload

from bench.extensions import db
from bench.models import (
    Alliance,
    Authority,
    GoodPracticeItem,
    GoodPracticeSource,
    GoodPracticeStatus,
    HostResponse,
    Indicator,
    InspectorGrant,
    KeyArea,
    NoteShare,
    Period,
    ShareLevel,
    User,
    Value,
    Visit,
    VisitNote,
    VisitNoteRevision,
)
from bench.visits.visibility import Reader, readable_notes

T = TypeVar("T")
_WITH_VISIT = (
    joinedload(VisitNote.visit).joinedload(Visit.authority),
    joinedload(VisitNote.visit).joinedload(Visit.host_authority),
)


# --- notes ---------------------------------------------------------------------------


def own_note(authority_id: int, public_id: str, *, lock: bool = False) -> VisitNote | None:
    """One of *authority_id*'s notes (not deleted); another's is None, as if it did not
    exist. *lock*: held for a change to the note or its shares."""
    query = (
        select(VisitNote)
        .join(Visit, Visit.id == VisitNote.visit_id)
        .options(*_WITH_VISIT)
        .where(
            VisitNote.public_id == public_id,
            VisitNote.deleted_at.is_(None),
            Visit.authority_id == authority_id,
        )
        .order_by(VisitNote.id)
    )
    if lock:
        query = query.with_for_update(of=VisitNote)
    return db.session.scalars(query).first()


def readable_note(reader: Reader, public_id: str) -> VisitNote | None:
    """The note *public_id* if *reader* may read it (the one visibility rule), else None."""
    return db.session.scalars(
        readable_notes(reader)
        .options(*_WITH_VISIT)
        .where(VisitNote.public_id == public_id)
        .order_by(VisitNote.id)
    ).first()


def revision_text(note_id: int, number: int) -> str | None:
    return db.session.scalar(
        select(VisitNoteRevision.body_md)
        .where(VisitNoteRevision.note_id == note_id, VisitNoteRevision.number == number)
        .order_by(VisitNoteRevision.id)
    )


def readable_with_text(reader: Reader, *conditions: object) -> list[tuple[VisitNote, str]]:
    """The notes *reader* may read that meet *conditions*, each with its current text,
    most recently changed first."""
    query = (
        readable_notes(reader)
        .add_columns(VisitNoteRevision.body_md)
        .join(
            VisitNoteRevision,
            and_(
                VisitNoteRevision.note_id == VisitNote.id,
                VisitNoteRevision.number == VisitNote.revision_number,
            ),
        )
        .options(*_WITH_VISIT)
        .where(*conditions)
        .order_by(VisitNote.updated_at.desc(), VisitNote.public_id)
    )
    return [(note, body) for note, body in db.session.execute(query)]


# --- shares --------------------------------------------------------------------------


def shares_of(note_id: int) -> list[NoteShare]:
    """Every share of the note, live and revoked, newest first."""
    return list(
        db.session.scalars(
            select(NoteShare)
            .where(NoteShare.note_id == note_id)
            .order_by(NoteShare.shared_at.desc(), NoteShare.id.desc())
        )
    )


def live_share(note_id: int, level: ShareLevel, *, lock: bool = False) -> NoteShare | None:
    query = (
        select(NoteShare)
        .where(
            NoteShare.note_id == note_id,
            NoteShare.level == level,
            NoteShare.revoked_at.is_(None),
        )
        .order_by(NoteShare.id)
    )
    if lock:
        query = query.with_for_update()
    return db.session.scalars(query).first()


def live_shares(note_ids: Iterable[int]) -> dict[int, dict[ShareLevel, NoteShare]]:
    """For each note, its live shares by level."""
    ids = sorted(set(note_ids))
    found: dict[int, dict[ShareLevel, NoteShare]] = {note_id: {} for note_id in ids}
    if not ids:
        return found
    rows = db.session.scalars(
        select(NoteShare)
        .where(NoteShare.note_id.in_(ids), NoteShare.revoked_at.is_(None))
        .order_by(NoteShare.note_id, NoteShare.id)
    )
    for share in rows:
        found[share.note_id][share.level] = share
    return found


def allied_pairs(pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of *pairs* of authorities are allies now, each as (smaller id, larger id)."""
    wanted = {tuple(sorted(pair)) for pair in pairs if None not in pair}
    if not wanted:
        return set()
    rows = db.session.execute(
        select(Alliance.first_id, Alliance.second_id)
        .where(
            Alliance.ended_at.is_(None),
            or_(
                *(
                    and_(Alliance.first_id == first, Alliance.second_id == second)
                    for first, second in sorted(wanted)
                )
            ),
        )
        .order_by(Alliance.id)
    )
    return {(first, second) for first, second in rows}


def current_grants(inspector_id: int, now: datetime) -> list[InspectorGrant]:
    """The inspector's grants that apply now, by the granting authority's name."""
    return list(
        db.session.scalars(
            select(InspectorGrant)
            .join(Authority, Authority.id == InspectorGrant.authority_id)
            .options(joinedload(InspectorGrant.authority))
            .where(
                InspectorGrant.inspector_id == inspector_id,
                InspectorGrant.revoked_at.is_(None),
                InspectorGrant.starts_at <= now,
                InspectorGrant.expires_at > now,
            )
            .order_by(Authority.name, InspectorGrant.public_id)
        )
    )


# --- host responses --------------------------------------------------------------------


def responses_of(note_id: int) -> list[HostResponse]:
    """The host's replies and corrections to a note, in the order they came."""
    return list(
        db.session.scalars(
            select(HostResponse)
            .options(joinedload(HostResponse.author))
            .where(HostResponse.note_id == note_id)
            .order_by(HostResponse.created_at, HostResponse.id)
        )
    )


def response_to(authority_id: int, public_id: str) -> HostResponse | None:
    """A response to one of *authority_id*'s notes, locked for the author's decision."""
    return db.session.scalars(
        select(HostResponse)
        .join(VisitNote, VisitNote.id == HostResponse.note_id)
        .join(Visit, Visit.id == VisitNote.visit_id)
        .where(
            HostResponse.public_id == public_id,
            Visit.authority_id == authority_id,
            VisitNote.deleted_at.is_(None),
        )
        .order_by(HostResponse.id)
        .with_for_update(of=HostResponse)
    ).first()


# --- good practice ---------------------------------------------------------------------


def next_release(now: datetime) -> datetime | None:
    """When the next release round is: the earliest period release after *now*."""
    return db.session.scalar(select(func.min(Period.released_at)).where(Period.released_at > now))


def visible_items(
    today: date,
    key_area: KeyArea | None = None,
    issue_type_id: int | None = None,
    indicator_id: int | None = None,
) -> Select[tuple[GoodPracticeItem]]:
    """Items the network sees on *today*: by published date, newest first, then title.

    A scheduled item is shown from its date whether or not the daily run has marked it
    published yet."""
    query = (
        select(GoodPracticeItem)
        .options(joinedload(GoodPracticeItem.issue_type), joinedload(GoodPracticeItem.indicator))
        .where(
            GoodPracticeItem.status.in_(
                [GoodPracticeStatus.SCHEDULED, GoodPracticeStatus.PUBLISHED]
            ),
            GoodPracticeItem.published_on <= today,
        )
        .order_by(
            GoodPracticeItem.published_on.desc(),
            GoodPracticeItem.title,
            GoodPracticeItem.public_id,
        )
    )
    if key_area is not None:
        query = query.where(GoodPracticeItem.key_area == key_area)
    if issue_type_id is not None:
        query = query.where(GoodPracticeItem.issue_type_id == issue_type_id)
    if indicator_id is not None:
        query = query.where(GoodPracticeItem.indicator_id == indicator_id)
    return query


def fetch(query: Select[tuple[T]]) -> list[T]:
    return list(db.session.scalars(query).unique())


def visible_item(today: date, public_id: str) -> GoodPracticeItem | None:
    return db.session.scalars(
        visible_items(today).where(GoodPracticeItem.public_id == public_id)
    ).first()


def copies_of(note_id: int, authority_id: int) -> list[GoodPracticeSource]:
    """The good-practice copies made from a note, for its own authority, newest first."""
    return list(
        db.session.scalars(
            select(GoodPracticeSource)
            .options(joinedload(GoodPracticeSource.item))
            .where(
                GoodPracticeSource.note_id == note_id,
                GoodPracticeSource.authority_id == authority_id,
            )
            .order_by(GoodPracticeSource.confirmed_at.desc(), GoodPracticeSource.id.desc())
        )
    )


def copy_of(authority_id: int, item_public_id: str) -> GoodPracticeSource | None:
    """The source of one of *authority_id*'s items, locked; another's is None."""
    return db.session.scalars(
        select(GoodPracticeSource)
        .join(GoodPracticeItem, GoodPracticeItem.id == GoodPracticeSource.item_id)
        .options(joinedload(GoodPracticeSource.item), joinedload(GoodPracticeSource.note))
        .where(
            GoodPracticeItem.public_id == item_public_id,
            GoodPracticeSource.authority_id == authority_id,
        )
        .order_by(GoodPracticeSource.id)
        .with_for_update(of=GoodPracticeItem)
    ).first()


def waiting_items(*, lock: bool = False) -> list[GoodPracticeItem]:
    """Scheduled items with no date yet: no release round was scheduled when they were."""
    query = (
        select(GoodPracticeItem)
        .where(
            GoodPracticeItem.status == GoodPracticeStatus.SCHEDULED,
            GoodPracticeItem.published_on.is_(None),
        )
        .order_by(GoodPracticeItem.id)
    )
    if lock:
        query = query.with_for_update()
    return list(db.session.scalars(query))


def due_items(today: date) -> list[GoodPracticeItem]:
    return list(
        db.session.scalars(
            select(GoodPracticeItem)
            .where(
                GoodPracticeItem.status == GoodPracticeStatus.SCHEDULED,
                GoodPracticeItem.published_on <= today,
            )
            .order_by(GoodPracticeItem.id)
            .with_for_update()
        )
    )


def authorities() -> list[Authority]:
    """Every authority the network has had, for the identifying-details check."""
    return list(db.session.scalars(select(Authority).order_by(Authority.id)))


def published_figures(own_id: int, host_id: int | None, now: datetime) -> list[tuple[float, int]]:
    """The figures a good-practice copy's numbers are checked against, with the decimals
    each is shown to: every current figure of the writer's own authority, and the host's
    current figures that are public under its name (a public indicator, visible to peers
    by *now*). Never the host's network-only or unreleased figures: a warning that a
    number matches one would tell the writer that figure (DESIGN.md, Anonymity 12 and 13).
    """
    own = Value.authority_id == own_id
    host_public = (
        and_(
            Value.authority_id == host_id,
            Indicator.is_public.is_(True),
            Value.visible_from <= now,
        )
        if host_id is not None
        else false()
    )
    rows = db.session.execute(
        select(Value.value, Indicator.decimals)
        .join(Indicator, Indicator.id == Value.indicator_id)
        .where(own | host_public, Value.is_latest.is_(True), Value.value.is_not(None))
        .order_by(Value.id)
    )
    return [(float(value), int(decimals)) for value, decimals in rows]


def user_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    ids = sorted({user_id for user_id in user_ids if user_id is not None})
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids)).order_by(User.id))
    return {user_id: name for user_id, name in rows}


def add(record: object) -> None:
    db.session.add(record)
    db.session.flush()
