"""Follow-up actions (issue 11, "Follow-up actions"): adding, what an action may name,
access, and text that stays inert.

Pages and the API go through real HTTP on both databases. An authority's actions are
its own users' (another's is a 404); every input is validated naming its field and bad
input writes nothing.
"""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest

from bench.models import (
    ActionSource,
    ActionStatus,
    FollowUpAction,
    Rag,
    Role,
    TokenScope,
)
from tests import factories
from tests import factories_actions as made
from tests.factories_actions import bearer
from tests.pages import check_page, post_form, text_of


@pytest.fixture
def team(app_context, sign_in_as):
    return made.Team(app_context, sign_in_as)


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
    [action] = made.all_actions()
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
    [created] = made.events("action_created")
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
        "/api/v1/actions", team.body(owner_email=..., owner_name="Dee Named", rag=None)
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
        "/api/v1/actions", team.body(source="staff_view", source_id=view.id)
    ).get_json()
    assert from_view["source"]["id"] == view.id
    assert from_view["source"]["title"] == "Staff acceptance, 1 June 2026"
    assert from_view["review"]["id"] == team.review.public_id
    from_review = team.staff.post(
        "/api/v1/actions", team.body(source="review", source_id=team.review.public_id)
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
    response = team.staff.post("/api/v1/actions", team.body(**fields))
    assert response.status_code == 422, response.get_data(as_text=True)
    errors = response.get_json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors
    assert made.all_actions() == [] and made.events("action_created") == []


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
    assert made.all_actions() == []


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
    response = team.staff.api.post("/api/v1/actions", headers=bearer(secret), json=team.body())
    assert response.status_code == 403 and made.all_actions() == []
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
        team.body(
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
