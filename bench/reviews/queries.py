"""Reads and writes for reviews (flush only; the service commits).

Every read names the authority: another authority's review, update or pin is never
found, so it is a 404 and not a refusal.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from bench.api.queries import paged
from bench.extensions import db
from bench.models import (
    AUTHORITY_ROLES,
    Indicator,
    Period,
    Review,
    ReviewEvidence,
    ReviewTeamMember,
    ReviewUpdate,
    User,
)


def _with_parts(query: Select) -> Select:
    """A review with everything its page or API answer shows beside its own columns."""
    return query.options(
        joinedload(Review.period),
        joinedload(Review.previous_review),
        selectinload(Review.key_areas),
        selectinload(Review.team).joinedload(ReviewTeamMember.user),
    )


def reviews_of(authority_id: int) -> Select[tuple[Review]]:
    """The authority's reviews, newest start first."""
    return _with_parts(
        select(Review)
        .where(Review.authority_id == authority_id)
        .order_by(Review.starts_on.desc(), Review.created_at.desc(), Review.public_id)
    )


def reviews_page(authority_id: int, page: int, per_page: int) -> tuple[list[Review], int]:
    """One page of the authority's reviews, and how many it has."""
    return paged(reviews_of(authority_id), page, per_page)


def all_reviews_of(authority_id: int) -> list[Review]:
    return list(db.session.scalars(reviews_of(authority_id)).unique())


def review_of(authority_id: int, public_id: str, *, lock: bool = False) -> Review | None:
    """One of the authority's reviews by its public id; locked (and read afresh) for a
    change, so that two saves take turns and the second sees the first's version."""
    query = _with_parts(
        select(Review).where(Review.authority_id == authority_id, Review.public_id == public_id)
    ).order_by(Review.id)
    if lock:
        query = query.with_for_update(of=Review).execution_options(populate_existing=True)
    return db.session.scalars(query).unique().first()


def chain(authority_id: int) -> dict[int, int | None]:
    """Each of the authority's reviews and the review it follows: for finding loops."""
    rows = db.session.execute(
        select(Review.id, Review.previous_review_id)
        .where(Review.authority_id == authority_id)
        .order_by(Review.id)
    )
    return {review_id: previous_id for review_id, previous_id in rows}


def following(review_ids: list[int]) -> dict[int, list[Review]]:
    """The reviews that follow each of *review_ids* (name it as their previous review)."""
    found: dict[int, list[Review]] = {review_id: [] for review_id in review_ids}
    if not review_ids:
        return found
    rows = db.session.scalars(
        select(Review)
        .where(Review.previous_review_id.in_(review_ids))
        .order_by(Review.starts_on, Review.public_id)
    )
    for review in rows:
        found[review.previous_review_id].append(review)
    return found


def updates(
    authority_id: int, review_id: int | None, page: int, per_page: int
) -> tuple[list[ReviewUpdate], int]:
    """Updates on the authority's reviews (or one of them), newest first."""
    query = (
        select(ReviewUpdate)
        .join(Review, Review.id == ReviewUpdate.review_id)
        .options(joinedload(ReviewUpdate.posted_by), joinedload(ReviewUpdate.review))
        .where(Review.authority_id == authority_id)
        .order_by(ReviewUpdate.posted_at.desc(), ReviewUpdate.id.desc())
    )
    if review_id is not None:
        query = query.where(ReviewUpdate.review_id == review_id)
    return paged(query, page, per_page)


def evidence_of(review_id: int) -> list[ReviewEvidence]:
    """A review's pinned comparisons, newest first."""
    return list(
        db.session.scalars(
            select(ReviewEvidence)
            .options(
                joinedload(ReviewEvidence.indicator),
                joinedload(ReviewEvidence.period),
                joinedload(ReviewEvidence.pinned_by),
            )
            .where(ReviewEvidence.review_id == review_id)
            .order_by(ReviewEvidence.pinned_at.desc(), ReviewEvidence.id.desc())
        )
    )


def colleagues(authority_id: int) -> list[User]:
    """The authority's active users, by name: who can be put on a team."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.authority_id == authority_id,
                User.active.is_(True),
                User.role.in_(AUTHORITY_ROLES),
            )
            .order_by(User.name, User.email)
        )
    )


def users_by_email(authority_id: int, emails: list[str]) -> dict[str, User]:
    """The authority's users (active or not) with these email addresses."""
    if not emails:
        return {}
    rows = db.session.scalars(
        select(User)
        .where(
            User.authority_id == authority_id,
            User.role.in_(AUTHORITY_ROLES),
            User.email.in_(emails),
        )
        .order_by(User.id)
    )
    return {user.email: user for user in rows}


def periods() -> list[Period]:
    return list(db.session.scalars(select(Period).order_by(Period.starts_on.desc(), Period.code)))


def period_by_code(code: str) -> Period | None:
    return db.session.scalars(select(Period).where(Period.code == code).order_by(Period.id)).first()


def indicators() -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).order_by(Indicator.title, Indicator.code)))


def indicator_by_code(code: str) -> Indicator | None:
    return db.session.scalars(
        select(Indicator).where(Indicator.code == code).order_by(Indicator.id)
    ).first()


def add(record: object) -> None:
    db.session.add(record)
    db.session.flush()
