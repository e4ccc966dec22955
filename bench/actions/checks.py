"""The rules an action's input must keep that need the authority's own records: its
reviews, visits, staff views and users, the catalogue's indicators, periods and issue
types. The schemas (bench.actions.schemas) hold the rules on shape; these add what only
the database can tell, and gather every problem so that each field is named at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError

from bench import messages
from bench.access import Permission, has_permission
from bench.actions import queries
from bench.actions.progress import target_on_the_right_side
from bench.actions.schemas import ActionInSchema
from bench.dates import LONDON
from bench.errors import NotFound, RowError, ValidationFailed
from bench.models import ActionSource, Period, Polarity, User, utcnow


def own_authority(user: Any) -> int:
    """The user's authority, for users who record visits; anyone else finds nothing."""
    if not has_permission(user, Permission.RECORD_VISITS) or user.authority_id is None:
        raise NotFound("No authority")
    return user.authority_id


def london_today(now: datetime) -> date:
    """Today in the UK: an action due yesterday is overdue from midnight, UK time."""
    return now.astimezone(LONDON).date()


def period_open_for_measure(period: Period, now: datetime) -> bool:
    """A baseline or a target period is released, or still to come: not ended yet, or
    with its release set for later. An ended period with no release set is neither."""
    if period.is_released(now) or period.ends_on >= london_today(now):
        return True
    return period.released_at is not None and period.released_at > now


def problems_of(error: ValidationError) -> dict[str, list[str]]:
    found = error.messages if isinstance(error.messages, dict) else {"body": error.messages}
    return {
        name: [str(m) for m in (value if isinstance(value, list) else [value])]
        for name, value in found.items()
    }


def failed(problems: Mapping[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(
        [RowError(None, name, message) for name, said in problems.items() for message in said]
    )


def load_collecting(schema: Any, data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    try:
        return schema.load(data), {}
    except ValidationError as error:
        valid = error.valid_data if isinstance(error.valid_data, dict) else {}
        return valid, problems_of(error)


def owner_of(authority_id: int, loaded: dict[str, Any], problems: dict[str, list[str]]) -> Any:
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
class NewAction:
    """A new action's input, loaded and checked against the authority's own records."""

    loaded: dict[str, Any]
    owner_user: User | None
    owner_name: str
    where: dict[str, Any]
    measured: dict[str, Any]
    issue_type_id: int | None
    problems: dict[str, list[str]]


def checked(authority_id: int, data: Any, now: datetime) -> NewAction:
    loaded, problems = load_collecting(ActionInSchema(), data)
    owner_user, named = owner_of(authority_id, loaded, problems)
    where = _source(authority_id, loaded, problems)
    measured = _measure(loaded, now, problems)
    issue_type = None
    if loaded.get("issue_type"):
        issue_type = queries.issue_type(loaded["issue_type"])
        if issue_type is None:
            problems.setdefault("issue_type", [messages.ISSUE_TYPE_UNKNOWN])
    return NewAction(
        loaded, owner_user, named, where, measured, issue_type.id if issue_type else None, problems
    )


def problems_with_new(user: User, data: Any, now: datetime | None = None) -> list[RowError]:
    """Every problem :func:`create` would find with *data*, without writing anything: a
    form whose own checks failed still shows what only the database can tell."""
    return failed(checked(own_authority(user), data, now or utcnow()).problems).errors
