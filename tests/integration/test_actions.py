"""Follow-up actions (issue 11, "Follow-up actions"): adding, listing overdue first,
updating in order, stale updates, access, audit, and no query per row.

Pages and the API go through real HTTP on both databases. The rules tested come from the
issue and the task's decisions: an authority's actions are its own users' (another's is a
404), every change is an update kept in order, a stale update is refused and loses
nothing.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, select

from bench import audit
from bench.actions import service
from bench.dates import LONDON
from bench.errors import Conflict, NotFound
from bench.models import (
    ActionSource,
    ActionStatus,
    ActionUpdate,
    AuditEvent,
    FollowUpAction,
    Rag,
    Role,
    TokenScope,
    utcnow,
)
from tests import factories
from tests import factories_actions as made
from tests.pages import check_page, csrf_token, post_form, text_of


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def london_today() -> date:
    return utcnow().astimezone(LONDON).date()


class Member:
    """A user of the authority: signed in for pages, with a record token for the API."""

    def __init__(self, app, sign_in_as, role, authority, **fields):
        self.client = sign_in_as(role, authority, **fields)
        self.user = self.client.user
        _, self.secret = factories.api_token(self.user, TokenScope.RECORD)
        self.api = app.test_client()

    def get(self, path):
        return self.api.get(path, headers=bearer(self.secret))

    def post(self, path, body):
        return self.api.post(path, headers=bearer(self.secret), json=body)


@pytest.fixture
def team(app_context, sign_in_as):
    """One authority: a member of staff, an analyst colleague, a review and a visit."""
    authority = factories.authority(name="Actionshire Council")

    class Team:
        pass

    found = Team()
    found.authority = authority
    found.staff = Member(app_context, sign_in_as, Role.STAFF, authority, name="Sam Staff")
    found.analyst = Member(app_context, sign_in_as, Role.ANALYST, authority, name="Ann Analyst")
    found.review = made.review(authority, title="Adult social care 2026")
    found.visit = made.visit(authority, title="Visit to a neighbour", review_id=found.review.id)
    return found


def _events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _actions(session):
    return session.scalars(select(FollowUpAction).order_by(FollowUpAction.id)).all()


def _body(team, **fields):
    body = {
        "description": "Shorten the **assessment** queue",
        "source": "visit",
        "source_id": team.visit.public_id,
        "owner_email": team.analyst.user.email,
        "due_on": "2027-03-31",
        "rag": "amber",
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not ...}


# --- adding -----------------------------------------------------------------------------


def test_staff_add_an_action_from_the_page(team, session):
    client = team.staff.client
    page = client.get(f"/actions/new?source=visit&source_id={team.visit.public_id}")
    check_page(page)
    assert "Visit: Visit to a neighbour" in text_of(page)
    form = {
        "description": "Shorten the **assessment** queue",
        "source": "visit",
        "source_id": team.visit.public_id,
        "review": "",
        "owner_email": team.analyst.user.email,
        "owner_name": "",
        "due_on": ["31", "3", "2027"],
        "status": "open",
        "rag": "amber",
        "indicator": "",
        "baseline_period": "",
        "baseline_value": "",
        "target_value": "",
        "target_period": "",
        "issue_type": "",
    }
    response = post_form(client, "/actions/new", form)
    assert response.status_code == 302, text_of(response)
    [action] = _actions(session)
    assert response.headers["Location"] == f"/actions/{action.public_id}"
    # The visit's review is the action's unless another is chosen.
    assert action.review_id == team.review.id and action.visit_id == team.visit.id
    assert action.source is ActionSource.VISIT and action.authority_id == team.authority.id
    assert action.owner_user_id == team.analyst.user.id and action.owner == ""
    assert (action.due_on, action.rag, action.status) == (date(2027, 3, 31), Rag.AMBER, "open")
    [first] = action.updates
    assert (first.status, first.rag, first.owner, first.by_id) == (
        ActionStatus.OPEN,
        Rag.AMBER,
        "Ann Analyst",
        team.staff.user.id,
    )
    shown = client.get(f"/actions/{action.public_id}")
    check_page(shown)
    text = text_of(shown)
    assert "The action has been added" in text
    assert "<strong>assessment</strong>" in shown.get_data(as_text=True)
    for words in ("Visit: Visit to a neighbour", "Ann Analyst", "31 March 2027", "Amber"):
        assert words in text
    assert "Added as open, rated amber, due 31 March 2027, owned by Ann Analyst" in text
    [created] = _events(session, "action_created")
    assert created.actor_id == team.staff.user.id and created.authority_id == team.authority.id
    assert created.details == {
        "action": action.public_id,
        "status": "open",
        "rag": "amber",
        "due_on": "2027-03-31",
        "source": "visit",
    }


def test_the_api_adds_and_reads_an_action(team, session):
    response = team.staff.post(
        "/api/v1/actions", _body(team, owner_email=..., owner_name="Dee Named", rag=None)
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["owner"] == {"name": "Dee Named", "email": None}
    assert created["source"] == {
        "kind": "visit",
        "id": team.visit.public_id,
        "title": "Visit to a neighbour",
    }
    assert created["review"] == {"id": team.review.public_id, "title": "Adult social care 2026"}
    assert (created["status"], created["rag"], created["lock_version"]) == ("open", None, 1)
    read = team.analyst.get(f"/api/v1/actions/{created['id']}").get_json()
    assert read["description"] == "Shorten the **assessment** queue"
    assert [u["owner"] for u in read["updates"]] == ["Dee Named"]
    assert read["chain"] == [] and read["progress"] is None and read["carried_from"] is None


def test_an_action_can_come_from_a_staff_view_or_a_review(team, session):
    view = made.staff_view(team.authority, review_id=team.review.id)
    from_view = team.staff.post(
        "/api/v1/actions", _body(team, source="staff_view", source_id=view.id)
    ).get_json()
    assert from_view["source"]["id"] == view.id
    assert from_view["source"]["title"] == "Staff acceptance, 1 June 2026"
    assert from_view["review"]["id"] == team.review.public_id
    from_review = team.staff.post(
        "/api/v1/actions", _body(team, source="review", source_id=team.review.public_id)
    ).get_json()
    assert from_review["source"]["title"] == "Adult social care 2026"
    assert from_review["review"]["id"] == team.review.public_id
    # The staff view's text is never shown beside the action.
    page = team.staff.client.get(f"/actions/{from_view['id']}")
    assert "more time with each person" not in page.get_data(as_text=True)


def test_a_staff_view_opens_the_form_already_chosen(team, session):
    view = made.staff_view(team.authority)
    theirs = made.staff_view(factories.authority(name="Elsewhere Council"))
    page = team.staff.client.get(f"/actions/new?source=staff_view&source_id={view.id}")
    check_page(page)
    body = page.get_data(as_text=True)
    assert f'value="{view.id}" selected>Staff view: Staff acceptance, 1 June 2026' in body
    assert "more time with each person" not in body
    other = team.staff.client.get(f"/actions/new?source=staff_view&source_id={theirs.id}")
    check_page(other)
    assert "Staff view:" not in text_of(other)


# --- validation: every field named, nothing written ------------------------------------


def _stranger_objects():
    stranger = factories.authority(name="Elsewhere Council")
    return {
        "visit": made.visit(stranger).public_id,
        "review": made.review(stranger).public_id,
        "view": made.staff_view(stranger).id,
        "user": factories.user(Role.STAFF, stranger).email,
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"description": ""}, "description", "Describe the action"),
        ({"description": ...}, "description", "Describe the action"),
        ({"description": "x" * 5001}, "description", "5,000 characters or fewer"),
        ({"description": "a\x07b"}, "description", "Remove the control characters"),
        ({"source": "rumour"}, "source", "Choose where the action came from"),
        ({"source_id": ...}, "source_id", "Choose the visit the action came from"),
        ({"source_id": "no-such-visit"}, "source_id", "one of your authority's visits"),
        ({"source_id": "stranger:visit"}, "source_id", "one of your authority's visits"),
        (
            {"source": "staff_view", "source_id": "stranger:view"},
            "source_id",
            "one of your authority's staff views",
        ),
        (
            {"source": "review", "source_id": "stranger:review"},
            "source_id",
            "one of your authority's reviews",
        ),
        ({"review": "stranger:review"}, "review", "Choose one of your authority's reviews"),
        ({"owner_email": ...}, "owner_email", "Choose who owns the action"),
        ({"owner_name": "Someone Else"}, "owner_name", "not both"),
        ({"owner_email": "stranger:user"}, "owner_email", "an active user of your authority"),
        ({"owner_email": "nobody@example.gov.uk"}, "owner_email", "an active user"),
        ({"owner_email": ..., "owner_name": "n" * 201}, "owner_name", "200 characters"),
        ({"status": "carried_forward"}, "status", "Choose open, in progress, done or dropped"),
        ({"status": "finished"}, "status", "Choose open, in progress, done or dropped"),
        ({"rag": "purple"}, "rag", "Choose red, amber or green"),
        ({"due_on": "31/03/2027"}, "due_on", "Due date must be a real date"),
        ({"due_on": "2027-02-30"}, "due_on", "Due date must be a real date"),
        ({"indicator": "NO-SUCH"}, "indicator", "Choose an indicator from the list"),
        ({"baseline_value": 10}, "indicator", "Choose the indicator"),
        ({"issue_type": "no-such-issue"}, "issue_type", "no issue type in the catalogue"),
        ({"colour": "blue"}, "colour", "Unknown field"),
    ],
)
def test_bad_input_is_refused_naming_the_field(team, session, fields, field, message):
    stranger = _stranger_objects()
    for key, value in list(fields.items()):
        if isinstance(value, str) and value.startswith("stranger:"):
            fields[key] = stranger[value.removeprefix("stranger:")]
    response = team.staff.post("/api/v1/actions", _body(team, **fields))
    assert response.status_code == 422, response.get_data(as_text=True)
    errors = response.get_json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors
    assert _actions(session) == [] and _events(session, "action_created") == []


def test_the_form_shows_every_problem_beside_its_field(team, session):
    other = factories.authority(name="Elsewhere Council")
    response = post_form(
        team.staff.client,
        "/actions/new",
        {
            "description": "",
            "source": "visit",
            "source_id": made.visit(other).public_id,
            "owner_email": "",
            "owner_name": "",
            "due_on": ["31", "13", "2027"],
            "status": "open",
            "rag": "",
        },
    )
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    assert text.startswith("Error: Add a follow-up action")
    for message in (
        "Describe the action",
        "Choose one of your authority's visits",
        "Choose who owns the action",
        "Due date must be a real date",
    ):
        assert message in text
    assert "Elsewhere" not in text
    assert _actions(session) == []


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
    page = service.list_page(team.staff.user, now=late)
    assert [(a.description, a.overdue) for a in page.actions] == [
        ("Due 31 March", True),
        ("Due 1 April", False),
    ]
    earlier = service.list_page(team.staff.user, now=late - timedelta(hours=1))
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


# --- updates, in order ------------------------------------------------------------------


def test_updates_are_appended_in_order_and_copied_onto_the_action(team, session):
    action = made.action(team.authority, description="Recruit two assessors", rag=Rag.RED)
    client = team.staff.client
    path = f"/actions/{action.public_id}"
    first = post_form(
        client,
        f"{path}/updates",
        {
            "lock_version": "1",
            "status": "in_progress",
            "rag": "amber",
            "due_on": ["30", "6", "2027"],
            "owner_email": team.analyst.user.email,
            "owner_name": "",
            "note": "Advert _out_ today",
        },
        form_page=path,
    )
    assert first.status_code == 302, text_of(first)
    second = team.analyst.post(
        f"/api/v1/actions/{action.public_id}/updates",
        {"lock_version": 2, "status": "done", "note": "Both started"},
    )
    assert second.status_code == 200, second.get_data(as_text=True)
    body = second.get_json()
    assert (body["status"], body["rag"], body["due_on"]) == ("done", "amber", "2027-06-30")
    assert body["lock_version"] == 3 and body["completed_on"] == london_today().isoformat()
    assert [(u["status"], u["owner"], u["note"]) for u in body["updates"]] == [
        ("open", "Pat Owner", ""),
        ("in_progress", "Ann Analyst", "Advert _out_ today"),
        ("done", "Ann Analyst", "Both started"),
    ]
    assert [u["by"] for u in body["updates"]][1:] == ["Sam Staff", "Ann Analyst"]
    session.expire_all()
    stored = session.get(FollowUpAction, action.id)
    assert (stored.status, stored.owner_user_id) == (ActionStatus.DONE, team.analyst.user.id)
    page = client.get(path)
    check_page(page)
    text = text_of(page)
    assert text.index("Status: open to in progress") < text.index("Status: in progress to done")
    for words in ("Rating: red to amber", "Owner: Pat Owner to Ann Analyst", "Both started"):
        assert words in text
    assert "<em>out</em>" in page.get_data(as_text=True)
    # Reopening clears the date it was done; the database holds done and its date together.
    reopened = team.staff.post(
        f"/api/v1/actions/{action.public_id}/updates", {"lock_version": 3, "status": "open"}
    ).get_json()
    assert (reopened["status"], reopened["completed_on"]) == ("open", None)
    events = _events(session, "action_updated")
    assert [e.details["changed"] for e in events] == [
        ["due_on", "owner", "rag", "status"],
        ["status"],
        ["status"],
    ]
    # Status, rating and due date only: no note, no owner's name.
    assert "Advert" not in json.dumps([e.details for e in events])
    assert "Ann Analyst" not in json.dumps([e.details for e in events])


def test_an_update_that_changes_nothing_is_refused(team, session):
    action = made.action(team.authority)
    response = team.staff.post(
        f"/api/v1/actions/{action.public_id}/updates", {"lock_version": 1, "status": "open"}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "note"
    assert "Change the status" in response.get_json()["errors"][0]["message"]
    missing = team.staff.post(f"/api/v1/actions/{action.public_id}/updates", {"note": "Hi"})
    assert missing.get_json()["errors"][0]["field"] == "lock_version"
    assert session.scalars(select(ActionUpdate).where(ActionUpdate.action_id == action.id)).all()
    assert len(action.updates) == 1


def test_a_stale_update_is_refused_and_nothing_is_lost(team, session):
    action = made.action(team.authority, description="Review the waiting list")
    path = f"/actions/{action.public_id}"
    first, second = team.staff.client, team.analyst.client
    # Both open the page at version 1.
    first_token, second_token = csrf_token(first, path), csrf_token(second, path)
    state = {"status": "open", "rag": "", "owner_email": "", "owner_name": "Pat Owner"}
    saved = first.post(
        f"{path}/updates",
        data={**state, "lock_version": "1", "note": "First", "csrf_token": first_token},
    )
    assert saved.status_code == 302
    stale = second.post(
        f"{path}/updates",
        data={**state, "lock_version": "1", "note": "Second thoughts", "csrf_token": second_token},
    )
    assert stale.status_code == 409
    check_page(stale)
    text = text_of(stale)
    assert "Someone else updated this action since you opened it" in text
    assert "First" in text  # the latest state is shown
    assert "Second thoughts" in stale.get_data(as_text=True)  # the answer is kept in the form
    notes = session.scalars(
        select(ActionUpdate.note_md).where(ActionUpdate.action_id == action.id)
    ).all()
    assert notes == ["", "First"]
    # Sent again from the page that told them, it is saved.
    again = post_form(
        second, f"{path}/updates", {**state, "lock_version": "2", "note": "Second thoughts"}
    )
    assert again.status_code == 302
    # The API says 409 for a stale version and writes nothing.
    api = team.staff.post(
        f"/api/v1/actions/{action.public_id}/updates",
        {
            "lock_version": 2,
            "note": "Late",
        },
    )
    assert api.status_code == 409 and api.mimetype == "application/problem+json"
    assert "Someone else updated this action" in api.get_json()["detail"]
    session.expire_all()
    assert len(session.get(FollowUpAction, action.id).updates) == 3


def test_only_one_of_two_writers_at_the_same_version_wins(team, session):
    """The version check is in the write itself: a writer that read version 1 before
    another saved cannot overwrite it, whatever the order of reads."""
    action = made.action(team.authority)
    reader = service.detail(team.staff.user, action.public_id).action
    service.post_update(team.analyst.user, action.public_id, {"lock_version": 1, "note": "A"})
    with pytest.raises(Conflict):
        service.post_update(
            team.staff.user, action.public_id, {"lock_version": reader.lock_version, "note": "B"}
        )
    assert [u.note_md for u in session.get(FollowUpAction, action.id).updates] == ["", "A"]


def test_the_network_log_shows_only_that_actions_changed(team, session):
    created = team.staff.post("/api/v1/actions", _body(team)).get_json()
    team.staff.post(
        f"/api/v1/actions/{created['id']}/updates", {"lock_version": 1, "status": "done"}
    )
    for event_ in _events(session, "action_created") + _events(session, "action_updated"):
        assert audit.network_details(event_.action, event_.details) == {}
        assert event_.action in audit.ACTIONS


def test_a_reviews_actions_for_its_page(team, session):
    made.action(
        team.authority,
        description="Done in review",
        review_id=team.review.id,
        status=ActionStatus.DONE,
    )
    made.action(team.authority, description="Open in review", review_id=team.review.id)
    made.action(team.authority, description="Elsewhere")
    shown = service.of_review(team.staff.user, team.review)
    assert [a.description for a in shown] == ["Open in review", "Done in review"]
    with pytest.raises(NotFound):
        service.of_review(team.staff.user, made.review(factories.authority()))


# --- access -----------------------------------------------------------------------------


def test_another_authoritys_action_is_not_found(team, session, sign_in_as):
    stranger = factories.authority(name="Strangeshire Council")
    theirs = made.action(stranger, description="Strangeshire's secret plan")
    for client_path in (f"/actions/{theirs.public_id}",):
        assert team.staff.client.get(client_path).status_code == 404
    refused = post_form(
        team.staff.client,
        f"/actions/{theirs.public_id}/updates",
        {"lock_version": "1", "note": "Mine now"},
        form_page="/actions/",
    )
    assert refused.status_code == 404
    assert team.staff.get(f"/api/v1/actions/{theirs.public_id}").status_code == 404
    api = team.staff.post(
        f"/api/v1/actions/{theirs.public_id}/updates", {"lock_version": 1, "note": "Mine"}
    )
    assert api.status_code == 404
    listing = text_of(team.staff.client.get("/actions/"))
    assert "secret plan" not in listing and "Strangeshire" not in listing
    assert len(session.get(FollowUpAction, theirs.id).updates) == 1
    for role in (Role.INSPECTOR, Role.NETWORK_ADMIN):
        outsider = sign_in_as(role)
        assert outsider.get(f"/actions/{theirs.public_id}").status_code == 403
        assert outsider.get("/actions/").status_code == 403


@pytest.mark.parametrize("role", [Role.STAFF, Role.ANALYST, Role.AUTHORITY_ADMIN])
def test_every_user_of_the_authority_sees_and_updates_its_actions(team, sign_in_as, role):
    action = made.action(team.authority, description="Shared with everyone")
    colleague = sign_in_as(role, team.authority)
    assert "Shared with everyone" in text_of(colleague.get("/actions/"))
    path = f"/actions/{action.public_id}"
    response = post_form(
        colleague,
        f"{path}/updates",
        {"lock_version": "1", "status": "in_progress", "owner_name": "Pat Owner"},
        form_page=path,
    )
    assert response.status_code == 302


def test_a_read_token_cannot_write(team, session):
    _, secret = factories.api_token(team.staff.user, TokenScope.READ)
    response = team.staff.api.post("/api/v1/actions", headers=bearer(secret), json=_body(team))
    assert response.status_code == 403 and _actions(session) == []
    assert team.staff.api.get("/api/v1/actions", headers=bearer(secret)).status_code == 200


# --- XSS: every text field inert --------------------------------------------------------

PAYLOADS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '"><svg onload=alert(1)>',
]


class _Markup(HTMLParser):
    """What in a page could run: script bodies, event handlers, script URLs, embeds."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        if tag in ("img", "svg", "iframe", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert" in data:
            self.found.append(f"script: {data}")


def runnable(body: str) -> list[str]:
    parser = _Markup()
    parser.feed(body)
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_fields_render_inert(team, session, payload):
    """Description, note and owner's name: Markdown sanitised or text escaped, so the
    payload shows as words and nothing in the page can run it."""
    review = made.review(team.authority, title=f"Review {payload}")
    created = team.staff.post(
        "/api/v1/actions",
        _body(
            team,
            description=f"Do it {payload}",
            owner_email=...,
            owner_name=f"Owner {payload}",
            source="review",
            source_id=review.public_id,
        ),
    ).get_json()
    updated = team.staff.post(
        f"/api/v1/actions/{created['id']}/updates",
        {"lock_version": 1, "note": f"Note {payload}", "owner_name": f"New {payload}"},
    )
    assert updated.status_code == 200
    for path in ("/actions/", f"/actions/{created['id']}", f"/actions/?owner=New+{payload}"):
        page = team.staff.client.get(path)
        check_page(page)
        assert runnable(page.get_data(as_text=True)) == [], path
    assert f"New {payload}" in text_of(team.staff.client.get(f"/actions/{created['id']}"))


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
