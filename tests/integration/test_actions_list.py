"""The authority's actions on one page, overdue first (issue 11): the order, the UK
date, the filters, a review's actions, and no query per row.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from bench.actions import lists
from bench.errors import NotFound
from bench.models import (
    ActionSource,
    ActionStatus,
    Rag,
    Role,
)
from tests import factories
from tests import factories_actions as made
from tests.factories_actions import Member, bearer, london_today
from tests.pages import check_page, text_of


@pytest.fixture
def team(app_context, sign_in_as):
    return made.Team(app_context, sign_in_as)


# --- the list: overdue first ------------------------------------------------------------


def test_the_list_puts_overdue_first_then_by_due_date(team, session):
    today = london_today()
    authority = team.authority
    for description, due in [
        ("Beta, due later", today + timedelta(days=30)),
        ("Alpha, no date", None),
        ("Gamma, overdue a week", today - timedelta(days=7)),
        ("Delta, due today", today),
        ("Epsilon, overdue a day", today - timedelta(days=1)),
        ("Aardvark, due later", today + timedelta(days=30)),
    ]:
        made.action(authority, description=description, due_on=due)
    made.action(authority, description="Zeta, done", status=ActionStatus.DONE)
    made.action(factories.authority(), description="Someone else's")
    page = team.staff.client.get("/actions/")
    check_page(page)
    text = text_of(page)
    order = [
        "Gamma, overdue a week",
        "Epsilon, overdue a day",
        "Delta, due today",
        "Aardvark, due later",
        "Beta, due later",
        "Alpha, no date",
    ]
    assert [text.index(words) for words in order] == sorted(text.index(w) for w in order)
    assert page.get_data(as_text=True).count('govuk-tag--red">Overdue') == 2
    assert "Zeta, done" not in text and "Someone else's" not in text
    assert "Unfinished (6)" in text and "Finished (1)" in text
    finished = text_of(team.staff.client.get("/actions/?show=finished"))
    assert "Zeta, done" in finished and "Gamma" not in finished
    api = team.staff.get("/api/v1/actions").get_json()
    assert [item["description"] for item in api["items"]] == order
    assert [item["overdue"] for item in api["items"]] == [True, True, False, False, False, False]
    overdue = team.staff.get("/api/v1/actions?overdue=true").get_json()["items"]
    assert [item["description"] for item in overdue] == order[:2]
    done = team.staff.get("/api/v1/actions?status=done").get_json()["items"]
    assert [item["description"] for item in done] == ["Zeta, done"]


def test_overdue_means_before_today_in_london(team, session):
    """At 00:30 on 1 April 2027 in London (23:30 UTC on 31 March), an action due on
    31 March is overdue, though it is still 31 March in UTC."""
    made.action(team.authority, description="Due 31 March", due_on=date(2027, 3, 31))
    made.action(team.authority, description="Due 1 April", due_on=date(2027, 4, 1))
    late = datetime(2027, 3, 31, 23, 30, tzinfo=UTC)
    page = lists.list_page(team.staff.user, now=late)
    assert [(a.description, a.overdue) for a in page.actions] == [
        ("Due 31 March", True),
        ("Due 1 April", False),
    ]
    earlier = lists.list_page(team.staff.user, now=late - timedelta(hours=1))
    assert [a.overdue for a in earlier.actions] == [False, False]


def test_the_list_filters_by_review_status_owner_and_rating(team, session):
    other_review = made.review(team.authority, title="Housing 2026")
    made.action(team.authority, description="In review, red", review_id=team.review.id, rag=Rag.RED)
    made.action(
        team.authority,
        description="Other review, in progress",
        review_id=other_review.id,
        status=ActionStatus.IN_PROGRESS,
        owner="",
        owner_user_id=team.analyst.user.id,
    )
    client = team.staff.client

    def shown(query):
        page = client.get(f"/actions/?{query}")
        check_page(page)
        text = text_of(page)
        return [d for d in ("In review, red", "Other review, in progress") if d in text]

    assert shown(f"review={team.review.public_id}") == ["In review, red"]
    assert shown("status=in_progress") == ["Other review, in progress"]
    assert shown(f"owner={team.analyst.user.email}") == ["Other review, in progress"]
    assert shown("owner=Pat+Owner") == ["In review, red"]
    assert shown("rag=red") == ["In review, red"]
    # A value the page does not offer is named and not applied.
    refused = client.get("/actions/?rag=purple&review=not-a-review")
    check_page(refused)
    text = text_of(refused)
    assert "Choose a RAG rating from the list" in text
    assert "Choose a review from the list" in text
    api = team.staff.get(f"/api/v1/actions?review={other_review.public_id}").get_json()
    assert [item["description"] for item in api["items"]] == ["Other review, in progress"]
    unknown = team.staff.get("/api/v1/actions?review=not-a-review")
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["field"] == "review"
    assert team.staff.get("/api/v1/actions?overdue=maybe").status_code == 422
    assert team.staff.get("/api/v1/actions?status=finished").status_code == 422


def test_a_reviews_actions_for_its_page(team, session):
    made.action(
        team.authority,
        description="Done in review",
        review_id=team.review.id,
        status=ActionStatus.DONE,
    )
    made.action(team.authority, description="Open in review", review_id=team.review.id)
    made.action(team.authority, description="Elsewhere")
    shown = lists.of_review(team.staff.user, team.review)
    assert [a.description for a in shown] == ["Open in review", "Done in review"]
    with pytest.raises(NotFound):
        lists.of_review(team.staff.user, made.review(factories.authority()))


# --- no query per row -------------------------------------------------------------------


@contextmanager
def statements_run(session):
    """The SQL statements run on the test's connection inside the block."""
    run = []

    def note(_connection, _cursor, statement, *_rest):
        run.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", note)
    try:
        yield run
    finally:
        event.remove(connection, "before_cursor_execute", note)


def test_query_counts_do_not_grow_with_actions(app_context, sign_in_as, session):
    def statements(size, path):
        authority = factories.authority()
        member = Member(app_context, sign_in_as, Role.STAFF, authority)
        review = made.review(authority)
        visit = made.visit(authority)
        view = made.staff_view(authority)
        indicator = factories.indicator()
        sources = [
            {"source": ActionSource.VISIT, "visit_id": visit.id},
            {"source": ActionSource.STAFF_VIEW, "staff_view_id": view.id},
            {"source": ActionSource.REVIEW},
        ]
        for number in range(size):
            made.action(
                authority,
                review_id=review.id,
                due_on=date(2027, 1, 1) + timedelta(days=number),
                owner_user_id=member.user.id if number % 2 else None,
                indicator_id=indicator.id,
                **sources[number % 3],
            )
        client = member.client if path.startswith("/actions") else member.api
        with statements_run(session) as run:
            assert client.get(path, headers=bearer(member.secret)).status_code == 200
        return len(run)

    for path in ("/actions/", "/api/v1/actions?per_page=500"):
        assert statements(5, path) == statements(50, path), path
