"""Factories for staff views and what they refer to: a review with its team, an action.

Views made here are written as the service would write them (anonymous ones without an
author); tests that check what giving a view writes give it through pages and the API.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from bench.extensions import db
from bench.models import (
    Authority,
    FollowUpAction,
    KeyArea,
    Review,
    ReviewTeamMember,
    StaffView,
    User,
)
from bench.staffviews.service import today

_numbers = itertools.count(1)


def review(authority_: Authority, team: list[User] = (), **fields: Any) -> Review:
    """A review of *authority_*, taking views until a month from today, with *team*."""
    number = next(_numbers)
    values: dict[str, Any] = {
        "authority_id": authority_.id,
        "title": f"Review of adult social care {number}",
        "starts_on": today() - timedelta(days=30),
        "ends_on": today() + timedelta(days=30),
    }
    values.update(fields)
    record = Review(**values)
    db.session.add(record)
    db.session.flush()
    for member in team:
        db.session.add(ReviewTeamMember(review_id=record.id, user_id=member.id))
    db.session.commit()
    return record


def action(authority_: Authority, **fields: Any) -> FollowUpAction:
    values: dict[str, Any] = {
        "authority_id": authority_.id,
        "description": f"Publish waiting times weekly {next(_numbers)}",
    }
    values.update(fields)
    record = FollowUpAction(**values)
    db.session.add(record)
    db.session.commit()
    return record


def staff_view(authority_: Authority, author: User | None = None, **fields: Any) -> StaffView:
    """An anonymous view (a named one when *author* is given), this month, no review."""
    values: dict[str, Any] = {
        "authority_id": authority_.id,
        "key_area": KeyArea.STAFF_ACCEPTANCE,
        "body_md": f"Rotas are published too late {next(_numbers)}",
        "anonymous": author is None,
        "author_user_id": author.id if author else None,
        "submitted_on": today(),
    }
    values.update(fields)
    record = StaffView(**values)
    db.session.add(record)
    db.session.commit()
    return record


def last_month() -> date:
    return today().replace(day=1) - timedelta(days=1)
