"""Factories for follow-up actions and the reviews, visits and staff views they come from.

Committed into the test's outer transaction (a commit releases a savepoint), as in
tests/factories.py.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import select

from bench.dates import LONDON
from bench.extensions import db
from bench.models import (
    ActionSource,
    ActionStatus,
    ActionUpdate,
    AuditEvent,
    Authority,
    FollowUpAction,
    KeyArea,
    Review,
    Role,
    StaffView,
    TokenScope,
    Visit,
    VisitKind,
    utcnow,
)
from tests import factories

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


# --- people, requests and what they left ----------------------------------------------


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def all_actions() -> list[FollowUpAction]:
    return list(db.session.scalars(select(FollowUpAction).order_by(FollowUpAction.id)))


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def london_today() -> date:
    return utcnow().astimezone(LONDON).date()


class Member:
    """A user of the authority: signed in for pages, with a record token for the API."""

    def __init__(self, app: Any, sign_in_as: Any, role: Role, authority: Authority, **fields: Any):
        self.client = sign_in_as(role, authority, **fields)
        self.user = self.client.user
        _, self.secret = factories.api_token(self.user, TokenScope.RECORD)
        self.api = app.test_client()

    def get(self, path: str) -> Any:
        return self.api.get(path, headers=bearer(self.secret))

    def post(self, path: str, body: Any) -> Any:
        return self.api.post(path, headers=bearer(self.secret), json=body)


class Team:
    """One authority: a member of staff, an analyst colleague, a review and a visit."""

    def __init__(self, app: Any, sign_in_as: Any):
        self.authority = factories.authority(name="Actionshire Council")
        self.staff = Member(app, sign_in_as, Role.STAFF, self.authority, name="Sam Staff")
        self.analyst = Member(app, sign_in_as, Role.ANALYST, self.authority, name="Ann Analyst")
        self.review = review(self.authority, title="Adult social care 2026")
        self.visit = visit(self.authority, title="Visit to a neighbour", review_id=self.review.id)

    def body(self, **fields: Any) -> dict[str, Any]:
        """A valid API body for a new action; a field given as ... is left out."""
        found = {
            "description": "Shorten the **assessment** queue",
            "source": "visit",
            "source_id": self.visit.public_id,
            "owner_email": self.analyst.user.email,
            "due_on": "2027-03-31",
            "rag": "amber",
            **fields,
        }
        return {key: value for key, value in found.items() if value is not ...}
