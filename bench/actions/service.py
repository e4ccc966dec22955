"""Follow-up actions: from visits, reviews and staff views, kept in order, carried forward.

Rules (issue 11, "Follow-up actions"):

- An action belongs to an authority. Every user of it who records visits (staff,
  analysts, authority admins) sees all of its actions, adds them and posts updates;
  another authority's action is not found; inspectors and network admins have no access.
- Every change (status, rating, due date, owner, a note) is an :class:`ActionUpdate`
  appended in order and never edited; the latest state is copied onto the action. The
  first update is the creation. An update names the version of the action it was
  written against (``lock_version``): a stale one is refused, never silently applied.
- An unfinished action (open, in progress) is carried into the next review as a new
  action that points back at it (``carried_from_id``); the old one becomes
  ``carried_forward``. Carrying twice carries nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from bench import audit, messages
from bench.actions import queries
from bench.actions.checks import (
    checked,
    failed,
    load_collecting,
    london_today,
    own_authority,
    owner_of,
    period_open_for_measure,
)
from bench.actions.lists import views_of
from bench.actions.progress import Progress, measure
from bench.actions.schemas import ActionUpdateInSchema
from bench.actions.shown import ActionDetail, ActionView, markdown_literal, owner_name
from bench.errors import Conflict, NotFound
from bench.extensions import db
from bench.models import (
    ActionStatus,
    ActionUpdate,
    FollowUpAction,
    Period,
    Review,
    User,
    utcnow,
)

# --- one action ---------------------------------------------------------------------------


def _found(authority_id: int, public_id: str) -> FollowUpAction:
    action = queries.action_of(authority_id, public_id)
    if action is None:
        raise NotFound("No such action")
    return action


def _progress(action: FollowUpAction, now: datetime) -> Progress | None:
    indicator, baseline, target = action.indicator, action.baseline_period, action.target_period
    if indicator is None or baseline is None or target is None:
        return None
    if action.baseline_value is None or action.target_value is None:
        return None
    figures = queries.own_released_values(
        action.authority_id, indicator.id, baseline.starts_on, now
    )
    return measure(
        indicator, (baseline, action.baseline_value), (target, action.target_value), figures
    )


def detail(user: User, public_id: str, now: datetime | None = None) -> ActionDetail:
    """One of the authority's actions with its updates, the chain of earlier actions it
    was carried from, and its progress from the authority's own released figures."""
    now = now or utcnow()
    action = _found(own_authority(user), public_id)
    today = london_today(now)
    earlier = queries.chain(action)
    views = views_of([action, *earlier], today, with_updates=True)
    return ActionDetail(action=views[0], chain=views[1:], progress=_progress(action, now))


def as_fields(view: ActionView) -> dict[str, Any]:
    """A view's fields as a mapping (shallow), for the API's schemas."""
    return {name.name: getattr(view, name.name) for name in fields(view)}


# --- what the forms offer ---------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    reviews: list[Review]
    visits: list[Any]
    users: list[User]
    indicators: list[Any]
    periods: list[Period]
    issue_types: list[Any]


def choices(user: User, now: datetime | None = None) -> Choices:
    now = now or utcnow()
    authority_id = own_authority(user)
    return Choices(
        reviews=queries.reviews_of(authority_id),
        visits=queries.visits_of(authority_id),
        users=queries.active_users(authority_id),
        indicators=queries.indicators(),
        periods=[p for p in queries.periods() if period_open_for_measure(p, now)],
        issue_types=queries.issue_types(),
    )


def owners_to_choose(user: User) -> list[User]:
    """The authority's active users, any of whom may own an action."""
    return queries.active_users(own_authority(user))


def staff_view_title(user: User, view_id: str) -> str | None:
    """How the form names a staff view it was opened from (key area and date), or None."""
    view = queries.staff_view_of(own_authority(user), view_id)
    if view is None:
        return None
    return f"Staff view: {view.key_area.label}, {view.submitted_on:%-d %B %Y}"


def create(user: User, data: Any, now: datetime | None = None) -> ActionView:
    """Add an action to the user's authority; its first update records the creation.

    Raises :class:`ValidationFailed` naming every field with a problem; nothing is
    written then.
    """
    now = now or utcnow()
    authority_id = own_authority(user)
    found = checked(authority_id, data, now)
    if found.problems:
        raise failed(found.problems)
    loaded, owner_user, named = found.loaded, found.owner_user, found.owner_name
    where, measured = found.where, found.measured
    status = loaded["status"]
    action = FollowUpAction(
        authority_id=authority_id,
        source=loaded["source"],
        description=loaded["description"],
        owner_user_id=owner_user.id if owner_user else None,
        owner=named,
        due_on=loaded.get("due_on"),
        status=status,
        rag=loaded.get("rag"),
        completed_on=london_today(now) if status is ActionStatus.DONE else None,
        issue_type_id=found.issue_type_id,
        created_by_id=user.id,
        created_at=now,
        **where,
        **measured,
    )
    action.updates = [
        ActionUpdate(
            status=status,
            rag=action.rag,
            due_on=action.due_on,
            owner=owner_user.name if owner_user else named,
            note_md="",
            by_id=user.id,
            at=now,
        )
    ]
    queries.add(action)
    audit.record(
        "action_created",
        actor=user,
        authority_id=authority_id,
        subject=action,
        details=_audit_state(action, source=action.source.value),
    )
    db.session.commit()
    return detail(user, action.public_id, now).action


def _audit_state(action: FollowUpAction, **extra: Any) -> dict[str, Any]:
    """What the audit log keeps of an action: its state, never its text."""
    return {
        "action": action.public_id,
        "status": action.status.value,
        "rag": action.rag.value if action.rag else None,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        **extra,
    }


# --- updating ---------------------------------------------------------------------------


def post_update(user: User, public_id: str, data: Any, now: datetime | None = None) -> ActionDetail:
    """Append an update to one of the authority's actions, written against the version
    of it the user last read (``lock_version``).

    Raises :class:`Conflict` when the action has changed since (nothing is written) or
    was carried forward; :class:`ValidationFailed` naming each field with a problem, or
    when the update changes nothing and has no note.
    """
    now = now or utcnow()
    authority_id = own_authority(user)
    action = _found(authority_id, public_id)
    loaded, problems = load_collecting(ActionUpdateInSchema(), data)
    if problems:
        raise failed(problems)
    if action.status is ActionStatus.CARRIED_FORWARD:
        raise Conflict(messages.ACTION_CARRIED_FROZEN)
    if loaded["lock_version"] != action.lock_version:
        raise Conflict(messages.ACTION_STALE)
    state = {
        "status": loaded.get("status", action.status),
        "rag": loaded.get("rag", action.rag),
        "due_on": loaded.get("due_on", action.due_on),
        "owner_user_id": action.owner_user_id,
        "owner": action.owner,
    }
    shown_owner = owner_name(action)
    email = loaded.get("owner_email")
    # Naming the user who owns it already changes nothing, even one whose account has
    # since been deactivated (who could not be chosen anew).
    same_user = bool(
        email and action.owner_user and email.lower() == action.owner_user.email.lower()
    )
    if (email or loaded.get("owner_name")) and not same_user:
        owner_user, named = owner_of(authority_id, loaded, problems)
        if problems:
            raise failed(problems)
        state.update(owner_user_id=owner_user.id if owner_user else None, owner=named)
        shown_owner = owner_user.name if owner_user else named
    changed = [
        name
        for name in ("status", "rag", "due_on", "owner_user_id", "owner")
        if state[name] != getattr(action, name)
    ]
    note = loaded.get("note") or ""
    if not changed and not note.strip():
        raise failed({"note": [messages.ACTION_NOTHING_CHANGED]})
    if state["status"] is ActionStatus.DONE:
        done_before = action.status is ActionStatus.DONE
        state["completed_on"] = action.completed_on if done_before else london_today(now)
    else:
        state["completed_on"] = None
    if not queries.compare_and_set(action.id, loaded["lock_version"], state):
        raise Conflict(messages.ACTION_STALE)
    queries.add(
        ActionUpdate(
            action_id=action.id,
            status=state["status"],
            rag=state["rag"],
            due_on=state["due_on"],
            owner=shown_owner,
            note_md=note,
            by_id=user.id,
            at=now,
        )
    )
    queries.refresh(action)
    words = sorted({"owner" if name.startswith("owner") else name for name in changed})
    audit.record(
        "action_updated",
        actor=user,
        authority_id=authority_id,
        subject=action,
        details=_audit_state(action, changed=words, note=bool(note.strip())),
    )
    db.session.commit()
    return detail(user, public_id, now)


# --- carrying forward -------------------------------------------------------------------


# What a carried action keeps of the old one: everything but its review and history.
CARRIED_FIELDS = (
    "source",
    "visit_id",
    "staff_view_id",
    "description",
    "owner_user_id",
    "owner",
    "due_on",
    "status",
    "rag",
    "indicator_id",
    "baseline_period_id",
    "baseline_value",
    "target_value",
    "target_period_id",
    "issue_type_id",
)


@dataclass(frozen=True)
class Carried:
    review: Review
    previous: Review
    actions: list[FollowUpAction]


def carry_into(user: User, review: Review, now: datetime | None = None) -> list[FollowUpAction]:
    """Carry every unfinished action of *review*'s previous review into *review*, without
    committing (for a service that creates the review and commits once).

    Each becomes a new action with the same fields, this review, and the old one as
    ``carried_from``; the old one becomes ``carried_forward``. An action already carried
    is finished, so it is never carried twice, even by two requests at once.
    """
    now = now or utcnow()
    authority_id = own_authority(user)
    if review.authority_id != authority_id:
        raise NotFound("No such review")
    previous = review.previous_review
    if previous is None or previous.authority_id != authority_id:
        raise Conflict(messages.ACTION_NO_PREVIOUS_REVIEW)
    came = messages.ACTION_CARRIED_FROM_NOTE.format(review=markdown_literal(previous.title))
    went = messages.ACTION_CARRIED_INTO_NOTE.format(review=markdown_literal(review.title))
    carried = []
    for old in queries.unfinished_of_review(previous.id):
        # As it stood: marking it carried forward changes its status in the session too.
        kept = {name: getattr(old, name) for name in CARRIED_FIELDS}
        if not queries.mark_carried(old.id):
            continue  # another request carried it first
        entry = {"rag": old.rag, "due_on": old.due_on, "owner": owner_name(old)}
        entry |= {"by_id": user.id, "at": now}
        new = FollowUpAction(
            authority_id=authority_id,
            review_id=review.id,
            carried_from_id=old.id,
            created_by_id=user.id,
            created_at=now,
            **kept,
        )
        new.updates = [ActionUpdate(status=kept["status"], note_md=came, **entry)]
        queries.add(new)
        status = ActionStatus.CARRIED_FORWARD
        queries.add(ActionUpdate(action_id=old.id, status=status, note_md=went, **entry))
        audit.record(
            "action_carried_forward",
            actor=user,
            authority_id=authority_id,
            subject=new,
            details=_audit_state(
                new,
                carried_from=old.public_id,
                review=review.public_id,
                previous_review=previous.public_id,
            ),
        )
        carried.append(new)
    return carried


def carry_forward(user: User, review_public_id: str, now: datetime | None = None) -> Carried:
    """Carry the unfinished actions of the review's previous review into it (see
    :func:`carry_into`), as one user action. Another authority's review is not found."""
    authority_id = own_authority(user)
    review = queries.review_of(authority_id, review_public_id)
    if review is None:
        raise NotFound("No such review")
    carried = carry_into(user, review, now)
    db.session.commit()
    assert review.previous_review is not None  # noqa: S101 - carry_into checked it
    return Carried(review, review.previous_review, carried)
