"""Factories for follow-up actions and the reviews, visits and staff views they come from.

Committed into the test's outer transaction (a commit releases a savepoint), as in
tests/factories.py.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from bench.extensions import db
from bench.models import (
    ActionSource,
    ActionStatus,
    ActionUpdate,
    Authority,
    FollowUpAction,
    KeyArea,
    Review,
    StaffView,
    Visit,
    VisitKind,
    utcnow,
)

_numbers = itertools.count(1)


def _saved(model: Any, defaults: dict[str, Any], fields: dict[str, Any]) -> Any:
    record = model(**{**defaults, **fields})
    db.session.add(record)
    db.session.commit()
    return record


def review(authority: Authority, **fields: Any) -> Review:
    title = f"Review {next(_numbers)}"
    defaults = {"authority_id": authority.id, "title": title, "starts_on": date(2026, 4, 1)}
    return _saved(Review, defaults, fields)


def visit(authority: Authority, **fields: Any) -> Visit:
    defaults = {
        "authority_id": authority.id,
        "kind": VisitKind.VISIT,
        "visited_on": date(2026, 5, 12),
        "title": f"Visit {next(_numbers)}",
    }
    return _saved(Visit, defaults, fields)


def staff_view(authority: Authority, **fields: Any) -> StaffView:
    defaults = {
        "authority_id": authority.id,
        "key_area": KeyArea.STAFF_ACCEPTANCE,
        "body_md": "We need more time with each person.",
        "anonymous": True,
        "submitted_on": date(2026, 6, 1),
    }
    return _saved(StaffView, defaults, fields)


def action(authority: Authority, **fields: Any) -> FollowUpAction:
    """An open action from a review, owned by a named person, with its creation update
    (unless *updates* says otherwise)."""
    updates = fields.pop("updates", None)
    values: dict[str, Any] = {
        "authority_id": authority.id,
        "source": ActionSource.REVIEW,
        "description": f"Action {next(_numbers)}",
        "owner": "Pat Owner",
        "status": ActionStatus.OPEN,
    }
    values.update(fields)
    if values["status"] is ActionStatus.DONE and "completed_on" not in values:
        values["completed_on"] = date(2026, 6, 30)
    first = ActionUpdate(
        status=values["status"],
        rag=values.get("rag"),
        due_on=values.get("due_on"),
        owner=values["owner"],
        at=utcnow(),
    )
    return _saved(FollowUpAction, values, {"updates": [first] if updates is None else updates})
