"""Factories for the search tests: reviews, visits with notes, shares, actions and good
practice, made straight from the models (the areas that write them are built apart); and
a user searching through the page and the API.

Each commits, so the search index (kept by bench.search.index on every flush) holds the
document as a user's own action would leave it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bench.extensions import db
from bench.models import (
    ActionUpdate,
    Alliance,
    Authority,
    FollowUpAction,
    GoodPracticeItem,
    GoodPracticeStatus,
    KeyArea,
    NoteSection,
    NoteShare,
    Review,
    ReviewKeyArea,
    ReviewUpdate,
    Role,
    ShareLevel,
    Visit,
    VisitKind,
    VisitNote,
    VisitNoteRevision,
    VisitTopic,
    utcnow,
)
from tests import factories
from tests.pages import text_of


def _save(record: Any) -> Any:
    db.session.add(record)
    db.session.commit()
    return record


def review(authority: Authority, key_areas: tuple[KeyArea, ...] = (), **fields: Any) -> Review:
    values: dict[str, Any] = {
        "authority_id": authority.id,
        "title": "Adult social care review",
        "starts_on": date(2025, 4, 1),
    }
    values.update(fields)
    record = Review(**values)
    record.key_areas = [ReviewKeyArea(key_area=area) for area in key_areas]
    return _save(record)


def review_update(review_: Review, body_md: str, **fields: Any) -> ReviewUpdate:
    return _save(ReviewUpdate(review_id=review_.id, body_md=body_md, **fields))


def visit(
    authority: Authority,
    host: Authority | None = None,
    *,
    issue_types: tuple[Any, ...] = (),
    indicators: tuple[Any, ...] = (),
    **fields: Any,
) -> Visit:
    values: dict[str, Any] = {
        "authority_id": authority.id,
        "host_authority_id": host.id if host else None,
        "kind": VisitKind.VISIT,
        "visited_on": date(2025, 6, 3),
        "title": "Visit about reablement",
    }
    values.update(fields)
    record = Visit(**values)
    record.topics = [VisitTopic(issue_type_id=item.id) for item in issue_types] + [
        VisitTopic(indicator_id=item.id) for item in indicators
    ]
    return _save(record)


def note(
    visit_: Visit,
    body_md: str,
    *,
    shared_with: tuple[ShareLevel, ...] = (),
    host_consented: bool = False,
    at: datetime | None = None,
    section: NoteSection = NoteSection.WHAT_THEY_DO_DIFFERENTLY,
) -> VisitNote:
    """A note at its first revision, shared at each of *shared_with*."""
    record = VisitNote(visit_id=visit_.id, section=section, revision_number=1)
    revision = VisitNoteRevision(number=1, body_md=body_md)
    if at is not None:
        revision.created_at = at
    record.revisions = [revision]
    consent = datetime.now(UTC) if host_consented else None
    record.shares = [
        NoteShare(
            level=level,
            host_consented_at=consent if level is ShareLevel.INSPECTOR else None,
        )
        for level in shared_with
    ]
    return _save(record)


def revise(note_: VisitNote, body_md: str) -> VisitNote:
    """A new revision becomes the current one."""
    number = note_.revision_number + 1
    db.session.add(VisitNoteRevision(note_id=note_.id, number=number, body_md=body_md))
    note_.revision_number = number
    return _save(note_)


def fresh(record: Any) -> Any:
    """*record* as the current session holds it (each request ends the session the test
    made it in, so a change to the old copy would not be saved)."""
    return db.session.get(type(record), record.id)


def revoke(note_: VisitNote, level: ShareLevel) -> None:
    for share in fresh(note_).shares:
        if share.level is level and share.revoked_at is None:
            share.revoked_at = utcnow()
    db.session.commit()


def end_alliance(one: Authority, other: Authority) -> None:
    first, second = sorted((one.id, other.id))
    alliance = db.session.scalars(
        select(Alliance)
        .where(Alliance.first_id == first, Alliance.second_id == second)
        .order_by(Alliance.id)
    ).one()
    alliance.ended_at = utcnow()
    db.session.commit()


def action(authority: Authority, description: str, **fields: Any) -> FollowUpAction:
    return _save(FollowUpAction(authority_id=authority.id, description=description, **fields))


def action_update(action_: FollowUpAction, note_md: str) -> ActionUpdate:
    return _save(ActionUpdate(action_id=action_.id, status=action_.status, note_md=note_md))


def good_practice(title: str, body_md: str, **fields: Any) -> GoodPracticeItem:
    """A published item, out since a year ago, unless *fields* say otherwise."""
    values: dict[str, Any] = {
        "title": title,
        "body_md": body_md,
        "published_on": date(2025, 1, 1),
        "status": GoodPracticeStatus.PUBLISHED,
    }
    values.update(fields)
    return _save(GoodPracticeItem(**values))


# --- searching as a user would ------------------------------------------------------


@pytest.fixture(name="own")
def own_fixture(app_context: Any) -> Authority:
    """The searchers' council (import the fixture into a test module to use it)."""
    return factories.authority(name="Ownshire Council")


@pytest.fixture(name="staff")
def staff_fixture(app_context: Any, sign_in_as: Any, own: Authority) -> Searcher:
    """A staff user of *own*, searching."""
    return Searcher(sign_in_as(Role.STAFF, own), app_context.test_client())


class Searcher:
    """One user, searching through the page (signed in) and the API (a read token)."""

    def __init__(self, page_client: Any, api_client: Any) -> None:
        self.client = page_client
        self.user = page_client.user
        _, secret = factories.api_token(self.user)
        self.api_client = api_client
        self.headers = {"Authorization": f"Bearer {secret}"}

    def page(self, words: str, **filters: Any) -> Any:
        return self.client.get("/search/", query_string={"q": words, **filters})

    def api(self, words: str, **filters: Any) -> Any:
        return self.api_client.get(
            "/api/v1/search", query_string={"q": words, **filters}, headers=self.headers
        )

    def found(self, words: str, **filters: Any) -> list[dict[str, Any]]:
        """The API's items (every page), after checking the page agrees on the count."""
        response = self.api(words, per_page=500, **filters)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        page = self.page(words, **filters)
        assert page.status_code == 200
        count = body["total"]
        heading = f"No results for ‘{words}’" if count == 0 else f"{count} result"
        assert heading in text_of(page)
        return body["items"]

    def titles(self, words: str, **filters: Any) -> list[str]:
        return [item["title"] for item in self.found(words, **filters)]


def shape(response: Any, words: str) -> str:
    """A page with what changes between two requests taken out: the words searched
    for, the CSRF token and the CSP nonce."""
    text = response.get_data(as_text=True).replace(words, "WORDS")
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    return re.sub(r'(name="csrf_token" type="hidden" value=")[^"]*', r"\1", text)
