"""Updates to follow-up actions (issue 11: "every change is an update kept in order"):
appended in order, copied onto the action, audited without text, and a stale update
refused with nothing lost.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bench import audit
from bench.actions import service
from bench.errors import Conflict
from bench.models import (
    ActionStatus,
    ActionUpdate,
    FollowUpAction,
    Rag,
    Role,
)
from tests import factories
from tests import factories_actions as made
from tests.factories_actions import london_today
from tests.pages import check_page, csrf_token, post_form, text_of


@pytest.fixture
def team(app_context, sign_in_as):
    return made.Team(app_context, sign_in_as)


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
    events = made.events("action_updated")
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
    created = team.staff.post("/api/v1/actions", team.body()).get_json()
    team.staff.post(
        f"/api/v1/actions/{created['id']}/updates", {"lock_version": 1, "status": "done"}
    )
    for event_ in made.events("action_created") + made.events("action_updated"):
        assert audit.network_details(event_.action, event_.details) == {}
        assert event_.action in audit.ACTIONS


def test_an_owner_whose_account_ended_stays_until_changed(team, session):
    leaver = factories.user(Role.STAFF, team.authority, name="Lee Leaver")
    action = made.action(team.authority, owner="", owner_user_id=leaver.id)
    leaver.active = False
    session.commit()
    path = f"/api/v1/actions/{action.public_id}/updates"
    kept = team.staff.post(
        path, {"lock_version": 1, "owner_email": leaver.email, "note": "Still theirs"}
    )
    assert kept.status_code == 200, kept.get_data(as_text=True)
    assert kept.get_json()["owner"] == {"name": "Lee Leaver", "email": leaver.email}
    page = team.staff.client.get(f"/actions/{action.public_id}")
    check_page(page)
    # The form cannot offer the leaver again; sent as it stands, it changes nothing.
    form = {"lock_version": "2", "status": "open", "owner_email": "", "owner_name": ""}
    saved = post_form(
        team.staff.client,
        f"/actions/{action.public_id}/updates",
        {**form, "note": "Noted"},
        form_page=f"/actions/{action.public_id}",
    )
    assert saved.status_code == 302
    refused = team.staff.post(
        path, {"lock_version": 3, "owner_email": "someone@example.gov.uk", "note": "x"}
    )
    assert refused.get_json()["errors"][0]["field"] == "owner_email"
