"""An action as its authority's users see it, on pages and in the API alike.

Built from rows the queries have already loaded (owner, review, visit, indicator,
periods, issue type, updates), plus the few lookups a whole list shares, so that a list
costs the same number of statements for five actions as for fifty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bench.actions.progress import Progress
from bench.models import (
    ActionSource,
    ActionStatus,
    ActionUpdate,
    FollowUpAction,
    Indicator,
    IssueType,
    Period,
    Rag,
    StaffView,
)

# Markdown's inline punctuation: escaped, a title written into a note reads as written.
_MARKDOWN_PUNCTUATION = frozenset("\\`*_[]<>!&~|#")
SOURCE_WORDS = {
    ActionSource.VISIT: "Visit",
    ActionSource.REVIEW: "Review",
    ActionSource.STAFF_VIEW: "Staff view",
}
STATUS_TAGS = {
    ActionStatus.OPEN: "govuk-tag--blue",
    ActionStatus.IN_PROGRESS: "govuk-tag--light-blue",
    ActionStatus.DONE: "govuk-tag--green",
    ActionStatus.DROPPED: "govuk-tag--grey",
    ActionStatus.CARRIED_FORWARD: "govuk-tag--purple",
}
RAG_TAGS = {
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--orange",
    Rag.GREEN: "govuk-tag--green",
}


def markdown_literal(text: str) -> str:
    """*text* as Markdown that renders exactly as *text* (for titles put into notes)."""
    return "".join(f"\\{c}" if c in _MARKDOWN_PUNCTUATION else c for c in " ".join(text.split()))


def owner_name(action: FollowUpAction) -> str:
    if action.owner_user is not None:
        return action.owner_user.name
    return action.owner


@dataclass(frozen=True)
class Ref:
    id: str | None
    title: str


@dataclass(frozen=True)
class Owner:
    name: str
    email: str | None


@dataclass(frozen=True)
class Measure:
    period: Period
    value: float


@dataclass(frozen=True)
class Source:
    kind: str
    label: str  # the words a page puts before the title
    id: str | None
    title: str


@dataclass(frozen=True)
class UpdateView:
    status: ActionStatus
    rag: Rag | None
    due_on: date | None
    owner: str
    note: str
    by: str | None
    at: datetime
    first: bool
    changes: list[str]  # what this update changed, in words, for the history


@dataclass(frozen=True)
class ActionView:
    public_id: str
    description: str
    source: Source
    review: Ref | None
    owner: Owner
    due_on: date | None
    overdue: bool
    status: ActionStatus
    rag: Rag | None
    completed_on: date | None
    indicator: Indicator | None
    baseline: Measure | None
    target: Measure | None
    issue_type: IssueType | None
    carried_from: str | None
    carried_into: str | None
    created_at: datetime
    lock_version: int
    updates: list[UpdateView] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status.finished


@dataclass(frozen=True)
class Lookups:
    """What a list of actions shares: the staff views they answer, where they came from
    and where they went."""

    staff_views: dict[str, StaffView]
    public_ids: dict[int, str]  # carried_from_id -> public id
    carried_into: dict[int, str]  # action id -> the public id of its continuation


def is_overdue(action: FollowUpAction, today: date) -> bool:
    return not action.status.finished and action.due_on is not None and action.due_on < today


def _source(action: FollowUpAction, staff_views: dict[str, StaffView]) -> Source:
    label = SOURCE_WORDS[action.source]
    if action.source is ActionSource.VISIT and action.visit is not None:
        visit = action.visit
        return Source(action.source.value, label, visit.public_id, visit.title)
    if action.source is ActionSource.STAFF_VIEW and action.staff_view_id is not None:
        view = staff_views.get(action.staff_view_id)
        # A staff view is named by its key area and date only: never its text or author.
        title = f"{view.key_area.label}, {view.submitted_on:%-d %B %Y}" if view else ""
        return Source(action.source.value, label, action.staff_view_id, title)
    if action.source is ActionSource.REVIEW and action.review is not None:
        return Source(action.source.value, label, action.review.public_id, action.review.title)
    return Source(action.source.value, label, None, "")


def _status_words(status: ActionStatus) -> str:
    return status.label.lower()


def _changes(update: ActionUpdate, before: ActionUpdate | None) -> list[str]:
    if before is None:
        return []
    said = []
    if update.status is not before.status:
        said.append(f"Status: {_status_words(before.status)} to {_status_words(update.status)}")
    if update.rag is not before.rag:
        old = before.rag.value if before.rag else "no rating"
        new = update.rag.value if update.rag else "no rating"
        said.append(f"Rating: {old} to {new}")
    if update.due_on != before.due_on:
        old = f"{before.due_on:%-d %B %Y}" if before.due_on else "none"
        new = f"{update.due_on:%-d %B %Y}" if update.due_on else "none"
        said.append(f"Due date: {old} to {new}")
    if update.owner != before.owner:
        said.append(f"Owner: {before.owner or 'nobody'} to {update.owner or 'nobody'}")
    return said


def updates(action: FollowUpAction) -> list[UpdateView]:
    """The action's updates, oldest first, each with what it changed."""
    shown, before = [], None
    for number, update in enumerate(action.updates):
        shown.append(
            UpdateView(
                status=update.status,
                rag=update.rag,
                due_on=update.due_on,
                owner=update.owner,
                note=update.note_md,
                by=update.by.name if update.by is not None else None,
                at=update.at,
                first=number == 0,
                changes=_changes(update, before),
            )
        )
        before = update
    return shown


def action_view(
    action: FollowUpAction, today: date, lookups: Lookups, *, with_updates: bool = False
) -> ActionView:
    baseline = target = None
    if action.indicator is not None and action.baseline_period is not None:
        baseline = Measure(action.baseline_period, action.baseline_value or 0.0)
    if action.indicator is not None and action.target_period is not None:
        target = Measure(action.target_period, action.target_value or 0.0)
    user = action.owner_user
    review = action.review
    return ActionView(
        public_id=action.public_id,
        description=action.description,
        source=_source(action, lookups.staff_views),
        review=Ref(review.public_id, review.title) if review is not None else None,
        owner=Owner(owner_name(action), user.email if user is not None else None),
        due_on=action.due_on,
        overdue=is_overdue(action, today),
        status=action.status,
        rag=action.rag,
        completed_on=action.completed_on,
        indicator=action.indicator,
        baseline=baseline,
        target=target,
        issue_type=action.issue_type,
        carried_from=lookups.public_ids.get(action.carried_from_id or 0),
        carried_into=lookups.carried_into.get(action.id),
        created_at=action.created_at,
        lock_version=action.lock_version,
        updates=updates(action) if with_updates else [],
    )


@dataclass(frozen=True)
class ActionDetail:
    """One action's page: the action, every earlier action it was carried from (oldest
    first, with their updates), and its progress where it has an indicator."""

    action: ActionView
    chain: list[ActionView]
    progress: Progress | None
