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

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError

from bench import audit, messages
from bench.access import Permission, has_permission
from bench.actions import queries
from bench.actions.progress import Progress, measure, target_on_the_right_side
from bench.actions.queries import FINISHED, UNFINISHED, Filters
from bench.actions.schemas import ActionInSchema, UpdateInSchema
from bench.actions.shown import (
    ActionDetail,
    ActionView,
    Lookups,
    action_view,
    markdown_literal,
    owner_name,
)
from bench.api import queries as api_queries
from bench.api.service import Page
from bench.dates import LONDON
from bench.errors import Conflict, NotFound, RowError, ValidationFailed
from bench.extensions import db
from bench.models import (
    ActionSource,
    ActionStatus,
    ActionUpdate,
    FollowUpAction,
    Period,
    Polarity,
    Rag,
    Review,
    User,
    utcnow,
)


def _own(user: Any) -> int:
    """The user's authority, for users who record visits; anyone else finds nothing."""
    if not has_permission(user, Permission.RECORD_VISITS) or user.authority_id is None:
        raise NotFound("No authority")
    return user.authority_id


def london_today(now: datetime) -> date:
    """Today in the UK: an action due yesterday is overdue from midnight, UK time."""
    return now.astimezone(LONDON).date()


def _lookups(actions: list[FollowUpAction]) -> Lookups:
    return Lookups(
        staff_views=queries.staff_views_by_id(a.staff_view_id or "" for a in actions),
        public_ids=queries.public_ids(a.carried_from_id for a in actions),
        carried_into=queries.carried_into(a.id for a in actions if a.status.finished),
    )


def _views(actions: list[FollowUpAction], today: date, **options: bool) -> list[ActionView]:
    lookups = _lookups(actions)
    return [action_view(action, today, lookups, **options) for action in actions]


# --- lists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    """The actions page: one tab (unfinished or finished), its filters and choices.

    ``rejected`` names each filter whose value is not one offered (it is not applied).
    """

    actions: list[ActionView]
    finished: bool
    unfinished_count: int
    finished_count: int
    reviews: list[Review]
    owners: list[tuple[str, str]]
    carry_offers: list[tuple[Review, int]]
    rejected: dict[str, str]


FILTER_WORDS = {"status": "status", "review": "review", "owner": "owner", "rag": "RAG rating"}


def _chosen(
    value: str | None, offered: Mapping[str, Any], name: str, rejected: dict[str, str]
) -> Any:
    """The filter's value if the page offers it; otherwise none, and the reason."""
    if not value:
        return None
    if value not in offered:
        rejected[name] = messages.ACTION_FILTER_UNKNOWN.format(name=FILTER_WORDS[name])
        return None
    return offered[value]


def list_page(
    user: User,
    *,
    finished: bool = False,
    status: str | None = None,
    review: str | None = None,
    owner: str | None = None,
    rag: str | None = None,
    now: datetime | None = None,
) -> ListPage:
    """The authority's unfinished actions (or its finished ones), overdue first, filtered
    by status, review, owner and rating among the values the page offers."""
    authority_id = _own(user)
    today = london_today(now or utcnow())
    tab = FINISHED if finished else UNFINISHED
    reviews = queries.reviews_of(authority_id)
    owners = queries.owners(authority_id)
    rejected: dict[str, str] = {}
    chosen_status = _chosen(status, {s.value: s for s in tab}, "status", rejected)
    chosen_review = _chosen(review, {r.public_id: r for r in reviews}, "review", rejected)
    filters = Filters(
        statuses=(chosen_status,) if chosen_status else tab,
        review_id=chosen_review.id if chosen_review else None,
        owner=_chosen(owner, {key: key for key, _ in owners}, "owner", rejected),
        rag=_chosen(rag, {r.value: r for r in Rag}, "rag", rejected),
    )
    found_actions = queries.listed(queries.actions(authority_id, filters, today))
    counts = queries.counts(authority_id)
    return ListPage(
        actions=_views(found_actions, today),
        finished=finished,
        unfinished_count=sum(counts.get(s, 0) for s in UNFINISHED),
        finished_count=sum(counts.get(s, 0) for s in FINISHED),
        reviews=reviews,
        owners=owners,
        carry_offers=queries.carry_offers(authority_id, filters.review_id),
        rejected=rejected,
    )


def api_list(
    user: User,
    *,
    page: int,
    per_page: int,
    status: ActionStatus | None = None,
    review: str | None = None,
    overdue: bool | None = None,
    now: datetime | None = None,
) -> Page[ActionView]:
    """One page of the authority's actions, in the page's order: unfinished ones unless a
    status is asked for. An unknown review is a validation error naming the filter."""
    authority_id = _own(user)
    today = london_today(now or utcnow())
    review_id = None
    if review is not None:
        found = queries.review_of(authority_id, review)
        if found is None:
            raise ValidationFailed([RowError(None, "review", messages.ACTION_REVIEW_UNKNOWN)])
        review_id = found.id
    statuses = (status,) if status is not None else UNFINISHED
    filters = Filters(statuses=statuses, review_id=review_id, overdue=overdue)
    items, total = api_queries.paged(queries.actions(authority_id, filters, today), page, per_page)
    return Page(_views(items, today), page, per_page, total)


def of_review(user: User, review: Review, now: datetime | None = None) -> list[ActionView]:
    """Every action of one of the authority's reviews, unfinished first (overdue first),
    then the finished ones: for the review's own page."""
    authority_id = _own(user)
    if review.authority_id != authority_id:
        raise NotFound("No such review")
    today = london_today(now or utcnow())
    found = [
        action
        for statuses in (UNFINISHED, FINISHED)
        for action in queries.listed(
            queries.actions(authority_id, Filters(statuses, review_id=review.id), today)
        )
    ]
    return _views(found, today)


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
    action = _found(_own(user), public_id)
    today = london_today(now)
    earlier = queries.chain(action)
    views = _views([action, *earlier], today, with_updates=True)
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


def period_open_for_measure(period: Period, now: datetime) -> bool:
    """A baseline or a target period is released, or still to come: not ended yet, or
    with its release set for later. An ended period with no release set is neither."""
    if period.is_released(now) or period.ends_on >= london_today(now):
        return True
    return period.released_at is not None and period.released_at > now


def choices(user: User, now: datetime | None = None) -> Choices:
    now = now or utcnow()
    authority_id = _own(user)
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
    return queries.active_users(_own(user))


def staff_view_title(user: User, view_id: str) -> str | None:
    """How the form names a staff view it was opened from (key area and date), or None."""
    view = queries.staff_view_of(_own(user), view_id)
    if view is None:
        return None
    return f"Staff view: {view.key_area.label}, {view.submitted_on:%-d %B %Y}"


# --- adding -----------------------------------------------------------------------------


def _problems(error: ValidationError) -> dict[str, list[str]]:
    found = error.messages if isinstance(error.messages, dict) else {"body": error.messages}
    return {
        name: [str(m) for m in (value if isinstance(value, list) else [value])]
        for name, value in found.items()
    }


def _failed(problems: Mapping[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(
        [RowError(None, name, message) for name, said in problems.items() for message in said]
    )


def _load(schema: Any, data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    try:
        return schema.load(data), {}
    except ValidationError as error:
        valid = error.valid_data if isinstance(error.valid_data, dict) else {}
        return valid, _problems(error)


def _owner(authority_id: int, loaded: dict[str, Any], problems: dict[str, list[str]]) -> Any:
    """(user, name): the owner the input names, checked against the authority's users."""
    email = loaded.get("owner_email")
    if email:
        found = queries.active_user(authority_id, email)
        if found is None:
            problems.setdefault("owner_email", [messages.ACTION_OWNER_UNKNOWN])
        return found, ""
    return None, loaded.get("owner_name") or ""


def _source(
    authority_id: int, loaded: dict[str, Any], problems: dict[str, list[str]]
) -> dict[str, Any]:
    """The source object and the review, each the authority's own."""
    source, source_id = loaded.get("source"), loaded.get("source_id")
    found: dict[str, Any] = {"visit_id": None, "staff_view_id": None, "review_id": None}
    default_review = None
    if source is not None and source_id:
        unknown = messages.ACTION_SOURCE_UNKNOWN[source.value]
        if source is ActionSource.VISIT:
            visit = queries.visit_of(authority_id, source_id)
            found["visit_id"] = visit.id if visit else None
            default_review = visit.review_id if visit else None
            known = visit is not None
        elif source is ActionSource.STAFF_VIEW:
            view = queries.staff_view_of(authority_id, source_id)
            found["staff_view_id"] = view.id if view else None
            default_review = view.review_id if view else None
            known = view is not None
        else:
            review = queries.review_of(authority_id, source_id)
            default_review = review.id if review else None
            known = review is not None
        if not known:
            problems.setdefault("source_id", [unknown])
    if loaded.get("review"):
        review = queries.review_of(authority_id, loaded["review"])
        if review is None:
            problems.setdefault("review", [messages.ACTION_REVIEW_UNKNOWN])
        elif (
            source is ActionSource.REVIEW and source_id and default_review not in (None, review.id)
        ):
            problems.setdefault("review", [messages.ACTION_REVIEW_NOT_SOURCE])
        else:
            found["review_id"] = review.id
    else:
        found["review_id"] = default_review
    return found


def _period(code: str | None, name: str, now: datetime, problems: dict[str, list[str]]) -> Any:
    if not code:
        return None
    period = queries.period(code)
    if period is None:
        problems.setdefault(name, [messages.ACTION_PERIOD_UNKNOWN])
    elif not period_open_for_measure(period, now):
        problems.setdefault(name, [messages.ACTION_PERIOD_CLOSED.format(period=period.label)])
    return period


def _measure(
    loaded: dict[str, Any], now: datetime, problems: dict[str, list[str]]
) -> dict[str, Any]:
    """The indicator, its baseline and its target, checked against the catalogue."""
    found: dict[str, Any] = {"indicator_id": None, "baseline_period_id": None}
    found |= {"target_period_id": None, "baseline_value": None, "target_value": None}
    if not loaded.get("indicator"):
        return found
    indicator = queries.indicator(loaded["indicator"])
    if indicator is None:
        problems.setdefault("indicator", [messages.ACTION_INDICATOR_UNKNOWN])
    baseline = _period(loaded.get("baseline_period"), "baseline_period", now, problems)
    target = _period(loaded.get("target_period"), "target_period", now, problems)
    if baseline is not None and target is not None and target.starts_on <= baseline.starts_on:
        problems.setdefault("target_period", [messages.ACTION_TARGET_NOT_AFTER])
    baseline_value, target_value = loaded.get("baseline_value"), loaded.get("target_value")
    if (
        indicator is not None
        and baseline_value is not None
        and target_value is not None
        and not target_on_the_right_side(indicator.polarity, baseline_value, target_value)
    ):
        worse = "lower" if indicator.polarity is Polarity.HIGHER_IS_BETTER else "higher"
        said = messages.ACTION_TARGET_WRONG_WAY.format(
            worse=worse, polarity=indicator.polarity.label.lower()
        )
        problems.setdefault("target_value", [said])
    found.update(
        indicator_id=indicator.id if indicator else None,
        baseline_period_id=baseline.id if baseline else None,
        target_period_id=target.id if target else None,
        baseline_value=baseline_value,
        target_value=target_value,
    )
    return found


@dataclass(frozen=True)
class _NewAction:
    """A new action's input, loaded and checked against the authority's own records."""

    loaded: dict[str, Any]
    owner_user: User | None
    owner_name: str
    where: dict[str, Any]
    measured: dict[str, Any]
    issue_type_id: int | None
    problems: dict[str, list[str]]


def _checked(authority_id: int, data: Any, now: datetime) -> _NewAction:
    loaded, problems = _load(ActionInSchema(), data)
    owner_user, named = _owner(authority_id, loaded, problems)
    where = _source(authority_id, loaded, problems)
    measured = _measure(loaded, now, problems)
    issue_type = None
    if loaded.get("issue_type"):
        issue_type = queries.issue_type(loaded["issue_type"])
        if issue_type is None:
            problems.setdefault("issue_type", [messages.ISSUE_TYPE_UNKNOWN])
    return _NewAction(
        loaded, owner_user, named, where, measured, issue_type.id if issue_type else None, problems
    )


def problems_with_new(user: User, data: Any, now: datetime | None = None) -> list[RowError]:
    """Every problem :func:`create` would find with *data*, without writing anything: a
    form whose own checks failed still shows what only the database can tell."""
    return _failed(_checked(_own(user), data, now or utcnow()).problems).errors


def create(user: User, data: Any, now: datetime | None = None) -> ActionView:
    """Add an action to the user's authority; its first update records the creation.

    Raises :class:`ValidationFailed` naming every field with a problem; nothing is
    written then.
    """
    now = now or utcnow()
    authority_id = _own(user)
    checked = _checked(authority_id, data, now)
    if checked.problems:
        raise _failed(checked.problems)
    loaded, owner_user, named = checked.loaded, checked.owner_user, checked.owner_name
    where, measured = checked.where, checked.measured
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
        issue_type_id=checked.issue_type_id,
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
    authority_id = _own(user)
    action = _found(authority_id, public_id)
    loaded, problems = _load(UpdateInSchema(), data)
    if problems:
        raise _failed(problems)
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
    if loaded.get("owner_email") or loaded.get("owner_name"):
        owner_user, named = _owner(authority_id, loaded, problems)
        if problems:
            raise _failed(problems)
        state.update(owner_user_id=owner_user.id if owner_user else None, owner=named)
        shown_owner = owner_user.name if owner_user else named
    changed = [
        name
        for name in ("status", "rag", "due_on", "owner_user_id", "owner")
        if state[name] != getattr(action, name)
    ]
    note = loaded.get("note") or ""
    if not changed and not note.strip():
        raise _failed({"note": [messages.ACTION_NOTHING_CHANGED]})
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
    authority_id = _own(user)
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
    authority_id = _own(user)
    review = queries.review_of(authority_id, review_public_id)
    if review is None:
        raise NotFound("No such review")
    carried = carry_into(user, review, now)
    db.session.commit()
    assert review.previous_review is not None  # noqa: S101 - carry_into checked it
    return Carried(review, review.previous_review, carried)
