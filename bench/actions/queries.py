"""Reads and writes for follow-up actions (flush only; the service commits).

Every read is scoped to one authority: another authority's action, review, visit or
staff view is simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, update
from sqlalchemy.orm import aliased, joinedload, selectinload

from bench.extensions import db
from bench.models import (
    AUTHORITY_ROLES,
    ActionStatus,
    ActionUpdate,
    FollowUpAction,
    Indicator,
    IssueType,
    IssueTypeStatus,
    Period,
    Rag,
    Review,
    StaffView,
    User,
    Value,
    Visit,
)

UNFINISHED = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
FINISHED = (ActionStatus.DONE, ActionStatus.DROPPED, ActionStatus.CARRIED_FORWARD)


def _overdue(today: date) -> Any:
    return and_(
        FollowUpAction.status.in_(UNFINISHED),
        FollowUpAction.due_on.is_not(None),
        FollowUpAction.due_on < today,
    )


@dataclass(frozen=True)
class Filters:
    """Which of an authority's actions a list shows; None is "any"."""

    statuses: tuple[ActionStatus, ...] = UNFINISHED
    review_id: int | None = None
    owner: str | None = None  # a user's email or a named owner's name
    rag: Rag | None = None
    overdue: bool | None = None


def actions(authority_id: int, filters: Filters, today: date) -> Select[tuple[FollowUpAction]]:
    """The authority's actions: overdue first (due before *today*), then by due date (none
    last), then by description. Owner and review come in the same statement."""
    query = (
        select(FollowUpAction)
        .options(joinedload(FollowUpAction.owner_user), joinedload(FollowUpAction.review))
        .where(
            FollowUpAction.authority_id == authority_id,
            FollowUpAction.status.in_(filters.statuses),
        )
        .order_by(
            case((_overdue(today), 0), else_=1),
            FollowUpAction.due_on.is_(None),
            FollowUpAction.due_on,
            FollowUpAction.description,
            FollowUpAction.public_id,
        )
    )
    if filters.review_id is not None:
        query = query.where(FollowUpAction.review_id == filters.review_id)
    if filters.rag is not None:
        query = query.where(FollowUpAction.rag == filters.rag)
    if filters.overdue is not None:
        overdue = _overdue(today)
        query = query.where(overdue if filters.overdue else ~overdue)
    if filters.owner is not None:
        owner = aliased(User)
        query = query.outerjoin(owner, owner.id == FollowUpAction.owner_user_id).where(
            or_(
                owner.email == filters.owner,
                and_(FollowUpAction.owner_user_id.is_(None), FollowUpAction.owner == filters.owner),
            )
        )
    return query


def listed(query: Select[tuple[FollowUpAction]]) -> list[FollowUpAction]:
    return list(db.session.scalars(query).unique())


def counts(authority_id: int) -> dict[ActionStatus, int]:
    rows = db.session.execute(
        select(FollowUpAction.status, func.count(FollowUpAction.id))
        .where(FollowUpAction.authority_id == authority_id)
        .group_by(FollowUpAction.status)
        .order_by(FollowUpAction.status)
    )
    return {status: int(count) for status, count in rows}


def owners(authority_id: int) -> list[tuple[str, str]]:
    """(filter key, name) of everyone who owns one of the authority's actions, A to Z."""
    users = db.session.execute(
        select(User.email, User.name)
        .join(FollowUpAction, FollowUpAction.owner_user_id == User.id)
        .where(FollowUpAction.authority_id == authority_id)
        .distinct()
        .order_by(User.name, User.email)
    )
    named = db.session.scalars(
        select(FollowUpAction.owner)
        .where(
            FollowUpAction.authority_id == authority_id,
            FollowUpAction.owner_user_id.is_(None),
            FollowUpAction.owner != "",
        )
        .distinct()
        .order_by(FollowUpAction.owner)
    )
    found = [(email, name) for email, name in users] + [(name, name) for name in named]
    return sorted(found, key=lambda pair: (pair[1].lower(), pair[0]))


def action_of(authority_id: int, public_id: str) -> FollowUpAction | None:
    return db.session.scalars(
        select(FollowUpAction)
        .options(
            joinedload(FollowUpAction.owner_user),
            joinedload(FollowUpAction.review),
            joinedload(FollowUpAction.visit),
            joinedload(FollowUpAction.indicator),
            joinedload(FollowUpAction.baseline_period),
            joinedload(FollowUpAction.target_period),
            joinedload(FollowUpAction.issue_type),
            selectinload(FollowUpAction.updates).joinedload(ActionUpdate.by),
        )
        .where(FollowUpAction.authority_id == authority_id, FollowUpAction.public_id == public_id)
        .order_by(FollowUpAction.id)
        # Fresh from the database even if this session already holds it: an update just
        # written, or an action just carried, shows at once.
        .execution_options(populate_existing=True)
    ).first()


def chain(action: FollowUpAction) -> list[FollowUpAction]:
    """Every earlier action *action* was carried from, oldest first, with their updates."""
    if action.carried_from_id is None:
        return []
    ancestors = (
        select(FollowUpAction.id, FollowUpAction.carried_from_id)
        .where(FollowUpAction.id == action.carried_from_id)
        .cte("ancestors", recursive=True)
    )
    parent = aliased(FollowUpAction)
    ancestors = ancestors.union(
        select(parent.id, parent.carried_from_id).join(
            ancestors, parent.id == ancestors.c.carried_from_id
        )
    )
    found = db.session.scalars(
        select(FollowUpAction)
        .options(
            joinedload(FollowUpAction.review),
            joinedload(FollowUpAction.owner_user),
            selectinload(FollowUpAction.updates).joinedload(ActionUpdate.by),
        )
        .where(
            FollowUpAction.id.in_(select(ancestors.c.id)),
            FollowUpAction.authority_id == action.authority_id,
        )
        .order_by(FollowUpAction.created_at, FollowUpAction.id)
        .execution_options(populate_existing=True)
    ).unique()
    return list(found)


def _public_ids_by(key: Any, values: Iterable[int | None]) -> dict[int, str]:
    wanted = [value for value in values if value is not None]
    if not wanted:
        return {}
    rows = db.session.execute(
        select(key, FollowUpAction.public_id).where(key.in_(wanted)).order_by(FollowUpAction.id)
    )
    return {found: public_id for found, public_id in rows}


def carried_into(action_ids: Iterable[int]) -> dict[int, str]:
    """For each action that was carried forward, the public id of the one that continues it."""
    return _public_ids_by(FollowUpAction.carried_from_id, action_ids)


def public_ids(action_ids: Iterable[int | None]) -> dict[int, str]:
    return _public_ids_by(FollowUpAction.id, action_ids)


# --- what an action may name ---------------------------------------------------------


def reviews_of(authority_id: int) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.authority_id == authority_id)
            .order_by(Review.starts_on.desc(), Review.title, Review.id)
        )
    )


def _authoritys(model: Any, authority_id: int, key: Any, value: str, *options: Any) -> Any:
    """The authority's own record of *model* whose *key* is *value*, or None."""
    return db.session.scalars(
        select(model)
        .options(*options)
        .where(model.authority_id == authority_id, key == value)
        .order_by(key)
    ).first()


def review_of(authority_id: int, public_id: str) -> Review | None:
    previous = joinedload(Review.previous_review)
    return _authoritys(Review, authority_id, Review.public_id, public_id, previous)


def visits_of(authority_id: int) -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit)
            .where(Visit.authority_id == authority_id)
            .order_by(Visit.visited_on.desc(), Visit.title, Visit.id)
        )
    )


def visit_of(authority_id: int, public_id: str) -> Visit | None:
    return _authoritys(Visit, authority_id, Visit.public_id, public_id)


def staff_view_of(authority_id: int, view_id: str) -> StaffView | None:
    return _authoritys(StaffView, authority_id, StaffView.id, view_id)


def staff_views_by_id(view_ids: Iterable[str]) -> dict[str, StaffView]:
    ids = [view_id for view_id in view_ids if view_id]
    if not ids:
        return {}
    found = db.session.scalars(
        select(StaffView).where(StaffView.id.in_(ids)).order_by(StaffView.id)
    )
    return {view.id: view for view in found}


def active_users(authority_id: int) -> list[User]:
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


def active_user(authority_id: int, email: str) -> User | None:
    return db.session.scalars(
        select(User)
        .where(
            User.authority_id == authority_id,
            func.lower(User.email) == email.lower(),
            User.active.is_(True),
            User.role.in_(AUTHORITY_ROLES),
        )
        .order_by(User.id)
    ).first()


def indicators() -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).order_by(Indicator.title, Indicator.code)))


def indicator(code: str) -> Indicator | None:
    return db.session.scalars(
        select(Indicator).where(Indicator.code == code).order_by(Indicator.id)
    ).first()


def periods() -> list[Period]:
    return list(db.session.scalars(select(Period).order_by(Period.starts_on, Period.code)))


def period(code: str) -> Period | None:
    return db.session.scalars(select(Period).where(Period.code == code).order_by(Period.id)).first()


def issue_types() -> list[IssueType]:
    return list(
        db.session.scalars(
            select(IssueType)
            .where(IssueType.status == IssueTypeStatus.APPROVED)
            .order_by(IssueType.title, IssueType.code)
        )
    )


def issue_type(code: str) -> IssueType | None:
    return db.session.scalars(
        select(IssueType)
        .where(IssueType.code == code, IssueType.status == IssueTypeStatus.APPROVED)
        .order_by(IssueType.id)
    ).first()


# --- progress from released figures ---------------------------------------------------


def own_released_values(
    authority_id: int, indicator_id: int, since: date, now: datetime
) -> list[tuple[Period, Value]]:
    """The authority's own current figures for one indicator in periods that start on or
    after *since* and whose release has passed at *now*, oldest first. Its own figures
    only: no other authority's value is read."""
    rows = db.session.execute(
        select(Period, Value)
        .join(Value, Value.period_id == Period.id)
        .where(
            Value.authority_id == authority_id,
            Value.indicator_id == indicator_id,
            Value.is_latest.is_(True),
            Value.value.is_not(None),
            Period.starts_on >= since,
            Period.released_at.is_not(None),
            Period.released_at <= now,
        )
        .order_by(Period.starts_on, Period.code)
    )
    return [(found_period, value) for found_period, value in rows]


# --- writes ---------------------------------------------------------------------------


def add(record: object) -> None:
    db.session.add(record)
    db.session.flush()


def compare_and_set(action_id: int, seen_version: int, values: dict[str, Any]) -> bool:
    """Write *values* onto the action only if nobody has since (its lock_version is still
    *seen_version*), in one statement, so that two writers cannot both succeed."""
    result = db.session.execute(
        update(FollowUpAction)
        .where(FollowUpAction.id == action_id, FollowUpAction.lock_version == seen_version)
        .values(lock_version=seen_version + 1, **values)
    )
    db.session.flush()
    return (result.rowcount or 0) == 1


def refresh(record: object) -> None:
    db.session.refresh(record)


def unfinished_of_review(review_id: int) -> list[FollowUpAction]:
    """The review's open and in-progress actions, locked (PostgreSQL) until the carry
    commits, oldest first."""
    return list(
        db.session.scalars(
            select(FollowUpAction)
            .options(joinedload(FollowUpAction.owner_user))
            .where(
                FollowUpAction.review_id == review_id,
                FollowUpAction.status.in_(UNFINISHED),
            )
            .order_by(FollowUpAction.created_at, FollowUpAction.id)
            .with_for_update(of=FollowUpAction)
        ).unique()
    )


def mark_carried(action_id: int) -> bool:
    """Mark an action carried forward if it is still unfinished, in one statement: of two
    requests carrying the same review at once, only one carries each action."""
    result = db.session.execute(
        update(FollowUpAction)
        .where(FollowUpAction.id == action_id, FollowUpAction.status.in_(UNFINISHED))
        .values(status=ActionStatus.CARRIED_FORWARD, lock_version=FollowUpAction.lock_version + 1)
    )
    db.session.flush()
    return (result.rowcount or 0) == 1


def carry_offers(authority_id: int, review_id: int | None = None) -> list[tuple[Review, int]]:
    """Each of the authority's reviews whose previous review still has unfinished actions,
    with how many: what the actions list offers to carry forward."""
    unfinished = (
        select(FollowUpAction.review_id, func.count(FollowUpAction.id).label("count"))
        .where(
            FollowUpAction.authority_id == authority_id,
            FollowUpAction.status.in_(UNFINISHED),
        )
        .group_by(FollowUpAction.review_id)
        .subquery()
    )
    query = (
        select(Review, unfinished.c.count)
        .options(joinedload(Review.previous_review))
        .join(unfinished, unfinished.c.review_id == Review.previous_review_id)
        .where(Review.authority_id == authority_id)
        .order_by(Review.starts_on.desc(), Review.id)
    )
    if review_id is not None:
        query = query.where(Review.id == review_id)
    return [(review, int(count)) for review, count in db.session.execute(query)]
