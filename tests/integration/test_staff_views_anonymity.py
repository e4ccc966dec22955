"""An anonymous staff view leaves nothing that names its author (issue 11, "Staff views").

Read the database after, as an intruder with a copy of it would: every table, every row
the request created or changed. Then the audit log, the server's log lines, what the
author's browser was sent, and the daily limit (counted in the rate-limit storage, never
beside the views). And the release rule: the team sees anonymous views of a round only
in fives or at the round's end, so timing tells nothing.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from bench import messages
from bench.limits import limiter
from bench.models import (
    ApiToken,
    AuditEvent,
    Base,
    Review,
    ReviewStatus,
    Role,
    StaffView,
    TokenScope,
    UserSession,
    utcnow,
)
from bench.staffviews import limit
from bench.staffviews.service import today
from tests import factories, factories_staffviews
from tests.pages import check_page, post_form, text_of

USERS = ("users", "user_sessions", "api_tokens")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


class Council:
    """An authority with a staff author (signed in, with a record token) and an admin."""

    def __init__(self, app, sign_in_as):
        self.authority = factories.authority()
        self.author_client = sign_in_as(Role.STAFF, self.authority, name="Alex Author")
        self.author = self.author_client.user
        self.token, self.secret = factories.api_token(self.author, TokenScope.RECORD)
        self.admin = sign_in_as(Role.AUTHORITY_ADMIN, self.authority)
        self.api = app.test_client()

    def give_page(self, body, anonymous="true", review=""):
        data = {"key_area": "staff_acceptance", "review": review, "body": body}
        return post_form(self.author_client, "/staff-views/", {**data, "anonymous": anonymous})

    def give_api(self, body, anonymous=True, secret=None, **fields):
        payload = {"key_area": "cost_efficiency", "body": body, "anonymous": anonymous, **fields}
        return self.api.post(
            "/api/v1/staff-views", headers=bearer(secret or self.secret), json=payload
        )


@pytest.fixture
def council(app_context, sign_in_as):
    return Council(app_context, sign_in_as)


def _cell(value):
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def snapshot(session):
    """Every row of every table, as values (tables read whole: this is the intruder)."""
    session.expire_all()
    return {
        table.name: Counter(
            tuple(_cell(value) for value in row) for row in session.execute(select(table))
        )
        for table in Base.metadata.sorted_tables
    }


def written(before, after):
    """The rows a request created or changed, by table."""
    return {
        name: list((after[name] - before[name]).elements())
        for name in after
        if after[name] - before[name]
    }


def traces(session, user):
    """What would name the author if it sat in a row: ids of the user, their sessions
    and tokens (in columns pointing at them), and their email, name and secrets' hashes."""
    sessions = session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    ids = {
        "users": {user.id},
        "user_sessions": {record.id for record in sessions},
        "api_tokens": {record.id for record in tokens},
    }
    words = {user.email, user.name}
    words |= {record.token_hash for record in [*sessions, *tokens]}
    words |= {record.prefix for record in tokens}
    return ids, words


def assert_nothing_names(new_rows, ids, words):
    for name, rows in new_rows.items():
        table = Base.metadata.tables[name]
        for row in rows:
            for column, value in zip(table.columns, row, strict=True):
                for key in column.foreign_keys:
                    target = key.column.table.name
                    assert value not in ids.get(target, set()), (name, column.name)
                if isinstance(value, str):
                    assert not any(word in value for word in words), (name, column.name)


@pytest.mark.parametrize("channel", ["page", "api"])
def test_an_anonymous_view_writes_one_row_that_names_nobody(council, session, caplog, channel):
    ids, words = traces(session, council.author)
    before = snapshot(session)
    events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    with caplog.at_level(logging.DEBUG):
        if channel == "page":
            response = council.give_page("The rota changes too late to plan childcare")
            assert response.status_code == 302
            assert response.headers["Location"] == "/staff-views/"
        else:
            response = council.give_api("The rota changes too late to plan childcare")
            assert response.status_code == 201
            assert response.get_json()["id"] is None
            assert response.get_json()["anonymous"] is True
    new_rows = written(before, snapshot(session))
    # One row, in one table: no session, token, audit, notification or any other row.
    assert list(new_rows) == ["staff_views"] and len(new_rows["staff_views"]) == 1
    assert_nothing_names(new_rows, ids, words)
    view = session.scalars(select(StaffView)).one()
    assert view.anonymous and view.author_user_id is None
    assert view.submitted_on == today()  # a date, in the UK; nothing holds a time of day
    assert view.hidden_at is None and view.hidden_by_id is None
    assert session.get(ApiToken, council.token.id).last_used_at is None
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    for record in caplog.records:
        line = record.getMessage()
        assert not any(word in line for word in words) and view.id not in line
    # What the author's browser is sent next names no view either.
    after = council.author_client.get("/staff-views/")
    check_page(after)
    if channel == "page":
        assert messages.STAFF_VIEW_GIVEN_ANONYMOUSLY in text_of(after)
    assert view.id not in after.get_data(as_text=True)
    assert view.id not in response.get_data(as_text=True)


def test_a_named_view_records_its_author(council, session):
    response = council.give_api("Put the rota online", anonymous=False)
    assert response.status_code == 201
    view = session.scalars(select(StaffView)).one()
    assert response.get_json()["id"] == view.id
    assert response.get_json()["key_area"] == "cost_efficiency"
    assert not view.anonymous and view.author_user_id == council.author.id
    page = council.give_page("Name me too", anonymous="false")
    assert page.status_code == 302
    followed = council.author_client.get("/staff-views/")
    assert messages.STAFF_VIEW_GIVEN_NAMED in text_of(followed)


def test_the_daily_limit_counts_named_and_anonymous_alike_apart_from_the_views(council, session):
    for number in range(5):
        assert council.give_api(f"Anonymous {number}").status_code == 201
        assert council.give_page(f"Named {number}", anonymous="false").status_code == 302
    storage = limiter.limiter.storage
    keys = [key for key in storage.storage if key.startswith(limit.KEY_PREFIX)]
    # One count for the user today, under a keyed hash: no id, no view, no day in it.
    assert len(keys) == 1 and re.fullmatch(r"[0-9a-f]{64}", keys[0][len(limit.KEY_PREFIX) :])
    assert storage.get(keys[0]) == 10
    view_ids = session.scalars(select(StaffView.id)).all()
    assert not any(view_id in keys[0] for view_id in view_ids)
    assert keys[0] != limit.counter_key(council.author.id, today() + timedelta(days=1))
    # It is gone by the end of the day (UK time).
    midnight = time.time() + limit.seconds_left(utcnow())
    assert storage.get_expiry(keys[0]) <= midnight + 1

    refused = council.give_page("An eleventh, anonymous")
    assert refused.status_code == 200
    check_page(refused)
    assert messages.STAFF_VIEW_PER_DAY.format(limit=10) in text_of(refused)
    api_refused = council.give_api("An eleventh, through the API", anonymous=False)
    assert api_refused.status_code == 429
    assert api_refused.get_json()["detail"] == messages.STAFF_VIEW_PER_DAY.format(limit=10)
    assert session.scalar(select(func.count()).select_from(StaffView)) == 10
    # Another user of the council has their own count.
    colleague = factories.user(Role.STAFF, council.authority)
    _, secret = factories.api_token(colleague, TokenScope.RECORD)
    assert council.give_api("A colleague's view", secret=secret).status_code == 201


def test_the_limit_is_configurable(app_context, council, session):
    app_context.config["STAFF_VIEWS_PER_DAY"] = 2
    try:
        assert council.give_api("One").status_code == 201
        assert council.give_api("Two").status_code == 201
        assert council.give_api("Three").status_code == 429
    finally:
        del app_context.config["STAFF_VIEWS_PER_DAY"]


def test_invalid_views_are_not_counted(council, session):
    for _ in range(12):
        assert council.give_api("   ").status_code == 422
    assert council.give_api("Counted").status_code == 201


# --- the release rule ------------------------------------------------------------------


def _team_texts(client, texts):
    page = client.get("/staff-views/team")
    assert page.status_code == 200
    check_page(page)
    body = text_of(page)
    return body, {one for one in texts if one in body}


def test_the_team_sees_anonymous_views_in_fives_and_all_at_the_rounds_end(
    app_context, council, session, sign_in_as
):
    member = sign_in_as(Role.STAFF, council.authority)
    review = factories_staffviews.review(council.authority, team=[member.user])
    texts = [f"Anonymous view number {n} about the review" for n in range(1, 8)]

    def give(number):
        response = council.give_api(texts[number - 1], review=review.public_id)
        assert response.status_code == 201

    for number in range(1, 5):
        give(number)
    for client in (council.admin, member):
        body, shown = _team_texts(client, texts)
        assert shown == set() and "fewer than 5 anonymous views waiting" in body.lower()
    give(5)
    for client in (council.admin, member):
        assert _team_texts(client, texts)[1] == set(texts[:5])
    give(6)
    give(7)
    # Still the first five: the two later ones wait for three more, or the round's end.
    body, shown = _team_texts(member, texts)
    assert shown == set(texts[:5]) and "fewer than 5 anonymous views waiting" in body.lower()
    # A named view is shown at once.
    assert council.give_api("Named, at once", False, review=review.public_id).status_code == 201
    assert "Named, at once" in _team_texts(member, texts)[0]
    assert "Alex Author" in _team_texts(member, texts)[0]
    api_rounds = council.api.get("/api/v1/staff-views", headers=bearer(council.secret))
    assert api_rounds.get_json()["rounds"] == []  # the author is on no team

    # Requests end the session the factories used: read the review afresh to close it.
    session.get(Review, review.id).status = ReviewStatus.CLOSED
    session.commit()
    body, shown = _team_texts(member, texts)
    assert shown == set(texts) and "waiting" not in body


def test_a_months_round_ends_with_the_month(council, session):
    earlier = factories_staffviews.last_month()
    for number in range(3):
        factories_staffviews.staff_view(
            council.authority, body_md=f"Last month {number}", submitted_on=earlier
        )
    factories_staffviews.staff_view(council.authority, body_md="This month, waiting")
    body = text_of(council.admin.get("/staff-views/team"))
    assert all(f"Last month {number}" in body for number in range(3))
    assert f"{earlier:%B %Y}" in body and f"{today():%B %Y}" in body
    assert "This month, waiting" not in body
    assert earlier.isoformat() not in body  # the round, never the date


def test_a_round_with_no_views_yet_reads_the_same_as_one_with_four(council, session):
    """The team cannot tell the first anonymous view came in: the page is unchanged."""
    review = factories_staffviews.review(council.authority)
    empty = text_of(council.admin.get("/staff-views/team"))
    assert council.give_api("First", review=review.public_id).status_code == 201
    assert text_of(council.admin.get("/staff-views/team")) == empty


def test_waiting_views_share_one_row_version_on_postgresql(council, session, backend):
    """PostgreSQL stamps each row version with the transaction that wrote it (xmin): the
    waiting views are all written again with each new one, so theirs cannot be told apart
    or ordered."""
    if backend != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    for number in range(3):
        assert council.give_api(f"Waiting {number}").status_code == 201
    versions = session.execute(text("SELECT DISTINCT xmin::text FROM staff_views")).all()
    assert len(versions) == 1
