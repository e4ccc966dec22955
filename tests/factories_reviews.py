"""Factories for reviews, their teams, updates and pinned comparisons (committed into the
test's outer transaction, as in tests.factories)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from bench.extensions import db
from bench.models import (
    Authority,
    Indicator,
    KeyArea,
    Period,
    Review,
    ReviewEvidence,
    ReviewKeyArea,
    ReviewStatus,
    ReviewTeamMember,
    ReviewUpdate,
    TeamRole,
    UpdateKind,
    User,
    utcnow,
)
from tests import factories

_numbers = itertools.count(1)


def review(
    authority: Authority,
    *,
    team: list[User | str] = (),
    key_areas: tuple[KeyArea, ...] = (KeyArea.NATIONAL_FRAMEWORK,),
    **fields: Any,
) -> Review:
    """A review of *authority*; *team*: users (members with accounts) or names."""
    number = next(_numbers)
    values: dict[str, Any] = {
        "authority_id": authority.id,
        "title": f"Review {number}",
        "service_scope": "Adult social care",
        "starts_on": date(2026, 4, 1),
        "status": ReviewStatus.PLANNING,
    }
    values.update(fields)
    if "period_id" not in values and "period" not in values:
        # A period of its own, never released: it changes nothing the comparisons show.
        year = 1900 + number
        values["period"] = factories.period(f"{year}-{(year + 1) % 100:02d}", released=False)
    record = Review(**values)
    record.key_areas = [ReviewKeyArea(key_area=area) for area in key_areas]
    record.team = [
        ReviewTeamMember(user=member, role=TeamRole.MEMBER)
        if isinstance(member, User)
        else ReviewTeamMember(display_name=member, role=TeamRole.MEMBER)
        for member in team
    ]
    db.session.add(record)
    db.session.commit()
    return record


def update(review_: Review, poster: User | None = None, **fields: Any) -> ReviewUpdate:
    values: dict[str, Any] = {
        "review_id": review_.id,
        "kind": UpdateKind.UPDATE,
        "body_md": f"Update {next(_numbers)}",
        "posted_by": poster,
        "posted_at": utcnow() - timedelta(minutes=next(_numbers)),
    }
    values.update(fields)
    record = ReviewUpdate(**values)
    db.session.add(record)
    db.session.commit()
    return record


def evidence(
    review_: Review, indicator: Indicator, period: Period, **fields: Any
) -> ReviewEvidence:
    values: dict[str, Any] = {
        "review_id": review_.id,
        "indicator_id": indicator.id,
        "period_id": period.id,
        "group_key": "type",
        "group_label": "Same type",
        "value_at_pin": 12.5,
        "classification_at_pin": "The norm",
        "data_version": "release round 2026-12, data 0123456789ab",
    }
    values.update(fields)
    record = ReviewEvidence(**values)
    db.session.add(record)
    db.session.commit()
    return record
