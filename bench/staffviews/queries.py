"""Reads and writes for staff views. Every read names its authority; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from bench.extensions import db
from bench.models import (
    FollowUpAction,
    Review,
    ReviewStatus,
    ReviewTeamMember,
    StaffView,
    StaffViewResponse,
    StaffViewStatus,
)

_WITH_ALL = (
    joinedload(StaffView.review),
    joinedload(StaffView.author),
    selectinload(StaffView.responses).joinedload(StaffViewResponse.action),
    selectinload(StaffView.responses).joinedload(StaffViewResponse.responded_by),
)

# Any fixed number: PostgreSQL's advisory locks that one authority's anonymous views take
# turns on, so that two views arriving at once never release a batch of other than five.
STAFF_VIEW_LOCK = 0x73766965


def reviews_not_closed(authority_id: int) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.authority_id == authority_id, Review.status != ReviewStatus.CLOSED)
            .order_by(Review.title, Review.public_id)
        )
    )


def review_of(authority_id: int, public_id: str) -> Review | None:
    """One of the authority's reviews; another authority's is None, as if it did not exist."""
    return db.session.scalar(
        select(Review)
        .where(Review.authority_id == authority_id, Review.public_id == public_id)
        .order_by(Review.id)
        .limit(1)
    )


def reviews_by_id(review_ids: Sequence[int]) -> list[Review]:
    if not review_ids:
        return []
    return list(
        db.session.scalars(
            select(Review).where(Review.id.in_(review_ids)).order_by(Review.title, Review.id)
        )
    )


def team_review_ids(authority_id: int, user_id: int) -> list[int]:
    """The reviews of the authority whose team the user is on."""
    return list(
        db.session.scalars(
            select(Review.id)
            .join(ReviewTeamMember, ReviewTeamMember.review_id == Review.id)
            .where(Review.authority_id == authority_id, ReviewTeamMember.user_id == user_id)
            .distinct()
            .order_by(Review.id)
        )
    )


def views_of(authority_id: int, review_ids: Sequence[int] | None = None) -> list[StaffView]:
    """The authority's views (only those about *review_ids* when given), in random-id
    order: the order they came in is not kept anywhere."""
    query = select(StaffView).options(*_WITH_ALL).where(StaffView.authority_id == authority_id)
    if review_ids is not None:
        query = query.where(StaffView.review_id.in_(review_ids))
    return list(db.session.scalars(query.order_by(StaffView.id)))


def responded_views(authority_id: int) -> list[StaffView]:
    return list(
        db.session.scalars(
            select(StaffView)
            .options(*_WITH_ALL)
            .where(
                StaffView.authority_id == authority_id,
                StaffView.status == StaffViewStatus.RESPONDED,
            )
            .order_by(StaffView.id)
        )
    )


def view_of(authority_id: int, view_id: str) -> StaffView | None:
    return db.session.scalar(
        select(StaffView)
        .options(*_WITH_ALL)
        .where(StaffView.authority_id == authority_id, StaffView.id == view_id)
        .order_by(StaffView.id)
        .limit(1)
    )


def action_of(authority_id: int, public_id: str) -> FollowUpAction | None:
    return db.session.scalar(
        select(FollowUpAction)
        .where(FollowUpAction.authority_id == authority_id, FollowUpAction.public_id == public_id)
        .order_by(FollowUpAction.id)
        .limit(1)
    )


def actions_of(authority_id: int, limit: int = 500) -> list[FollowUpAction]:
    """The authority's actions to link a response to: newest first."""
    return list(
        db.session.scalars(
            select(FollowUpAction)
            .where(FollowUpAction.authority_id == authority_id)
            .order_by(FollowUpAction.created_at.desc(), FollowUpAction.id.desc())
            .limit(limit)
        )
    )


def lock_anonymous_views(authority_id: int) -> None:
    """Make the authority's anonymous views take turns until the transaction ends.

    SQLite: a writing request's transaction already holds the write lock. PostgreSQL: a
    transaction-level advisory lock for this authority.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(STAFF_VIEW_LOCK, authority_id)))


def waiting_ids(
    authority_id: int, review_id: int | None, month: tuple[date, date] | None
) -> list[str]:
    """The round's anonymous views not yet shown to the team, in random-id order. A round
    is a review's (*review_id*), or for views about no review a calendar month's (*month*:
    its first and last day)."""
    if review_id is not None:
        in_round = StaffView.review_id == review_id
    else:
        assert month is not None
        first, last = month
        in_round = and_(
            StaffView.review_id.is_(None),
            StaffView.submitted_on >= first,
            StaffView.submitted_on <= last,
        )
    return list(
        db.session.scalars(
            select(StaffView.id)
            .where(
                StaffView.authority_id == authority_id,
                StaffView.anonymous.is_(True),
                StaffView.released.is_(False),
                in_round,
            )
            .order_by(StaffView.id)
        )
    )


def rewrite(view_ids: Sequence[str], *, released: bool) -> None:
    """Write each view's row again, one at a time in random-id order, all in this
    transaction: on PostgreSQL a row's version then carries this transaction's id and a
    place in the table in random-id order, not the ones its own insert left behind, so
    neither tells which of them came in when."""
    for view_id in sorted(view_ids):
        db.session.execute(
            update(StaffView).where(StaffView.id == view_id).values(released=released)
        )


def add(record: object) -> None:
    db.session.add(record)
    db.session.flush()
