"""Reads for the inspection pack's record files (bench.exports.records), each limited to
what existed at the pack's ``as_of`` moment.

Which notes an inspector may read, and when the host may be named, is never decided
here: :func:`shared_notes` puts bench.visits.visibility's own SQL (``note_readable``,
``host_nameable``) in its statement, and only narrows it further to what was already
shared, and consented to, at ``as_of``. Everything else reads one authority's own rows,
by its id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from bench.extensions import db
from bench.models import (
    ActionUpdate,
    FollowUpAction,
    HostResponse,
    NoteShare,
    Period,
    Review,
    ReviewUpdate,
    Role,
    ShareLevel,
    User,
    Value,
    Visit,
    VisitNote,
    VisitNoteRevision,
    VisitTopic,
)
from bench.visits.visibility import Reader, host_allied, host_nameable, readable_notes

# --- reviews ------------------------------------------------------------------------------


def reviews(authority_id: int, as_of: datetime) -> list[Review]:
    """The authority's reviews recorded by *as_of*, by start date then public id."""
    return list(
        db.session.scalars(
            select(Review)
            .options(
                selectinload(Review.key_areas),
                joinedload(Review.period),
                joinedload(Review.previous_review),
            )
            .where(Review.authority_id == authority_id, Review.created_at <= as_of)
            .order_by(Review.starts_on, Review.public_id)
        )
    )


def review_updates(review_ids: list[int], as_of: datetime) -> list[ReviewUpdate]:
    """The updates posted on *review_ids* by *as_of*, oldest first."""
    if not review_ids:
        return []
    return list(
        db.session.scalars(
            select(ReviewUpdate)
            .options(joinedload(ReviewUpdate.review))
            .where(ReviewUpdate.review_id.in_(review_ids), ReviewUpdate.posted_at <= as_of)
            .order_by(ReviewUpdate.posted_at, ReviewUpdate.public_id)
        )
    )


# --- visits and notes ---------------------------------------------------------------------


def _shared_with_inspectors_at(as_of: datetime) -> ColumnElement[bool]:
    """The note was shared with inspectors at *as_of* (a share made by then and not
    revoked before it)."""
    return exists().where(
        NoteShare.note_id == VisitNote.id,
        NoteShare.level == ShareLevel.INSPECTOR,
        NoteShare.shared_at <= as_of,
        or_(NoteShare.revoked_at.is_(None), NoteShare.revoked_at > as_of),
    )


def _nameable_at(as_of: datetime) -> ColumnElement[bool]:
    """What made the host nameable now was already so at *as_of*: the live inspector
    share's consent, the live host share and the current alliance all date from by then."""
    return and_(
        exists().where(
            NoteShare.note_id == VisitNote.id,
            NoteShare.level == ShareLevel.INSPECTOR,
            NoteShare.revoked_at.is_(None),
            NoteShare.host_consented_at <= as_of,
        ),
        exists().where(
            NoteShare.note_id == VisitNote.id,
            NoteShare.level == ShareLevel.HOST,
            NoteShare.revoked_at.is_(None),
            NoteShare.shared_at <= as_of,
        ),
        host_allied(formed_by=as_of),
    )


def shared_notes(
    reader: Reader, authority_id: int, as_of: datetime
) -> list[tuple[VisitNote, VisitNoteRevision, bool]]:
    """*authority_id*'s notes that *reader* (an inspector) may read now and that were
    shared with inspectors at *as_of*, each with its revision current at *as_of* and
    whether the host may be named on it (now, and already at *as_of*); by visit date,
    visit, section, then note public id. A note written after *as_of* has no row."""
    number_at = (
        select(func.max(VisitNoteRevision.number))
        .where(VisitNoteRevision.note_id == VisitNote.id, VisitNoteRevision.created_at <= as_of)
        .correlate(VisitNote)
        .scalar_subquery()
    )
    nameable = and_(host_nameable(reader), _nameable_at(as_of)).label("nameable")
    rows = db.session.execute(
        readable_notes(reader)
        .add_columns(VisitNoteRevision, nameable)
        .join(
            VisitNoteRevision,
            and_(VisitNoteRevision.note_id == VisitNote.id, VisitNoteRevision.number == number_at),
        )
        .options(
            joinedload(VisitNote.visit).joinedload(Visit.host_authority),
            joinedload(VisitNote.visit).joinedload(Visit.review),
            joinedload(VisitNote.visit)
            .selectinload(Visit.topics)
            .joinedload(VisitTopic.issue_type),
            joinedload(VisitNote.visit).selectinload(Visit.topics).joinedload(VisitTopic.indicator),
        )
        .where(
            Visit.authority_id == authority_id,
            Visit.created_at <= as_of,
            VisitNote.created_at <= as_of,
            _shared_with_inspectors_at(as_of),
        )
        .order_by(Visit.visited_on, Visit.public_id, VisitNote.section, VisitNote.public_id)
    )
    return [(note, revision, bool(named)) for note, revision, named in rows]


def hosts_of_visits(authority_id: int) -> list[Visit]:
    """Every visit of the authority that names a host, with the host loaded: their names
    are taken out of the pack's other free text unless the pack names them."""
    return list(
        db.session.scalars(
            select(Visit)
            .options(joinedload(Visit.host_authority))
            .where(Visit.authority_id == authority_id, Visit.host_authority_id.is_not(None))
            .order_by(Visit.id)
        )
    )


def host_responses(note_ids: list[int], as_of: datetime) -> list[HostResponse]:
    """Replies and corrections to *note_ids* received by *as_of*, in the order they came."""
    if not note_ids:
        return []
    return list(
        db.session.scalars(
            select(HostResponse)
            .options(joinedload(HostResponse.note))
            .where(HostResponse.note_id.in_(note_ids), HostResponse.created_at <= as_of)
            .order_by(HostResponse.created_at, HostResponse.public_id)
        )
    )


# --- actions ------------------------------------------------------------------------------


def actions(authority_id: int, as_of: datetime) -> list[FollowUpAction]:
    """The authority's actions recorded by *as_of* (with everything a row names loaded),
    by creation then public id."""
    return list(
        db.session.scalars(
            select(FollowUpAction)
            .options(
                joinedload(FollowUpAction.review),
                joinedload(FollowUpAction.visit),
                joinedload(FollowUpAction.indicator),
                joinedload(FollowUpAction.baseline_period),
                joinedload(FollowUpAction.target_period),
                joinedload(FollowUpAction.issue_type),
                joinedload(FollowUpAction.carried_from),
                selectinload(FollowUpAction.updates),
            )
            .where(FollowUpAction.authority_id == authority_id, FollowUpAction.created_at <= as_of)
            .order_by(FollowUpAction.created_at, FollowUpAction.public_id)
        )
    )


def updates_by_action(action_ids: Iterable[int], as_of: datetime) -> dict[int, list[ActionUpdate]]:
    """Each action's updates made by *as_of*, in order."""
    ids = sorted(set(action_ids))
    found: dict[int, list[ActionUpdate]] = {action_id: [] for action_id in ids}
    if not ids:
        return found
    rows = db.session.scalars(
        select(ActionUpdate)
        .where(ActionUpdate.action_id.in_(ids), ActionUpdate.at <= as_of)
        .order_by(ActionUpdate.action_id, ActionUpdate.at, ActionUpdate.id)
    )
    for update in rows:
        found[update.action_id].append(update)
    return found


def user_roles_by_name(authority_id: int) -> dict[str, Role]:
    """The roles of the authority's users by name: an owner who is a user is exported
    as their role, never their name."""
    rows = db.session.execute(
        select(User.name, User.role).where(User.authority_id == authority_id).order_by(User.id)
    )
    return {name: role for name, role in rows}


def own_latest_value(
    authority_id: int, indicator_id: int, since: date, as_of: datetime
) -> tuple[Period, Value] | None:
    """The authority's own figure for the indicator in the latest period starting on or
    after *since* that was released by *as_of*, in the revision current at *as_of*
    (corrections since then left out). Its own figures only."""
    revision_at = (
        select(func.max(Value.revision))
        .where(
            Value.authority_id == authority_id,
            Value.indicator_id == indicator_id,
            Value.period_id == Period.id,
            Value.published_at <= as_of,
        )
        .correlate(Period)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(Period, Value)
        .join(Value, Value.period_id == Period.id)
        .where(
            Value.authority_id == authority_id,
            Value.indicator_id == indicator_id,
            Value.revision == revision_at,
            Value.value.is_not(None),
            Period.starts_on >= since,
            Period.released_at.is_not(None),
            Period.released_at <= as_of,
        )
        .order_by(Period.starts_on.desc(), Period.code.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None
