"""Drafts (issue 11: "drafts autosaved so a long note survives an expired session and is
offered back after sign-in"), and the editor's timeout warning.

The editor's script posts the text as JSON with the CSRF token in a header; the Save draft
button does the same without JavaScript. Drafts live on the server, for their writer
alone; the tests expire a session mid-edit, sign in again, and restore the text.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bench.models import NoteDraft, NoteSection, Role, UserSession, utcnow
from tests import factories, factories_visits
from tests.pages import check_page, csrf_token, post_form, sign_in, text_of


@pytest.fixture
def net(app_context, sign_in_as):
    net = factories_visits.Network()
    net.client = sign_in_as(Role.STAFF, net.own)
    net.user = net.client.user
    net.visit = factories_visits.visit(net.own, net.host, title="Triage visit")
    net.note = factories_visits.note(net.visit, body="Published text", author=net.user)
    return net


def _autosave(client, visit, body, page=None):
    token = csrf_token(client, page or f"/visits/{visit.public_id}/notes/new")
    return client.post(
        f"/visits/{visit.public_id}/drafts",
        json=body,
        headers={"X-CSRFToken": token},
    )


def _drafts(session):
    return session.scalars(select(NoteDraft).order_by(NoteDraft.id)).all()


def _expire_sessions(session, user):
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()


def test_the_script_autosaves_a_new_note(net, session):
    body = {"note": None, "section": "what_to_ask_next", "revision": None, "body": "Ask about"}
    response = _autosave(net.client, net.visit, body)
    assert response.status_code == 200
    answer = response.get_json()
    assert re.fullmatch(r"Draft saved at [0-9]{2}:[0-9]{2}", answer["message"])
    assert answer["saved_at"].endswith("Z")
    # Saving again replaces the draft: one a writer, a visit and a note (or new note).
    _autosave(net.client, net.visit, {**body, "body": "Ask about their triage"})
    (draft,) = _drafts(session)
    assert (draft.user_id, draft.visit_id, draft.note_id) == (net.user.id, net.visit.id, None)
    assert draft.section is NoteSection.WHAT_TO_ASK_NEXT
    assert draft.body_md == "Ask about their triage"
    # Emptied: nothing worth keeping.
    _autosave(net.client, net.visit, {**body, "body": "  "})
    assert _drafts(session) == []


def test_autosave_needs_the_csrf_token_and_a_json_object(net, session):
    path = f"/visits/{net.visit.public_id}/drafts"
    assert net.client.post(path, json={"body": "x"}).status_code == 400
    token = csrf_token(net.client, f"/visits/{net.visit.public_id}/notes/new")
    headers = {"X-CSRFToken": token}
    bad = net.client.post(path, json=["x"], headers=headers)
    assert bad.status_code == 422 and bad.get_json() == {
        "error": "The request body must be a JSON object"
    }
    long = net.client.post(path, json={"body": "x" * 100_001}, headers=headers)
    assert long.status_code == 422
    assert long.get_json()["error"] == "The note must be 100,000 characters or fewer"
    assert _drafts(session) == []


def test_a_draft_names_only_the_writers_own_visits_and_notes(net, session):
    theirs = factories_visits.visit(net.peer, None, title="Theirs")
    their_note = factories_visits.note(theirs)
    other_visit = factories_visits.visit(net.own, None, title="Another of ours")
    assert _autosave(net.client, theirs, {"body": "x"}).status_code == 404
    mismatched = _autosave(net.client, other_visit, {"note": net.note.public_id, "body": "x"})
    assert mismatched.status_code == 404
    stranger = _autosave(net.client, net.visit, {"note": their_note.public_id, "body": "x"})
    assert stranger.status_code == 404
    assert _drafts(session) == []


def test_save_draft_works_without_javascript(net, session):
    new = f"/visits/{net.visit.public_id}/notes/new"
    response = post_form(
        net.client, new, {"section": "good_practice_seen", "body": "Half", "save_draft": "y"}
    )
    assert response.status_code == 302 and response.location == f"{new}?draft=restore"
    (draft,) = _drafts(session)
    assert draft.section is NoteSection.GOOD_PRACTICE_SEEN and draft.body_md == "Half"
    page = net.client.get(response.location)
    check_page(page)
    body = page.get_data(as_text=True)
    assert ">Half</textarea>" in body and 'value="good_practice_seen" checked' in body
    assert "Draft saved at" in text_of(page)
    edit = f"/visits/notes/{net.note.public_id}/edit"
    post_form(net.client, edit, {"body": "Edited half", "revision": "1", "save_draft": "y"})
    edits = [d for d in _drafts(session) if d.note_id == net.note.id]
    assert [(d.body_md, d.base_revision_number) for d in edits] == [("Edited half", 1)]
    assert net.note.revision_number == 1  # nothing published


def test_a_draft_survives_an_expired_session_and_is_offered_after_sign_in(net, session):
    edit = f"/visits/notes/{net.note.public_id}/edit"
    saved = _autosave(
        net.client,
        net.visit,
        {"note": net.note.public_id, "revision": "1", "body": "A long note, nearly done"},
        page=edit,
    )
    assert saved.status_code == 200
    token = csrf_token(net.client, edit)
    _expire_sessions(session, net.user)
    # The session ended mid-edit: the save is sent to sign in, and nothing is published.
    lost = net.client.post(edit, data={"csrf_token": token, "body": "Final", "revision": "1"})
    assert lost.status_code == 302 and lost.location.startswith("/sign-in")
    assert net.client.get(edit).status_code == 302
    signed_in = sign_in(net.client, net.user.email, factories.PASSWORD)
    assert signed_in.status_code == 302
    landing = net.client.get(signed_in.location)
    assert "You have 1 unsaved draft of visit notes" in text_of(landing)
    offered = net.client.get(edit)
    check_page(offered)
    text = text_of(offered)
    assert "You have 1 unsaved draft" in text and "Restore" in text
    assert ">Published text</textarea>" in offered.get_data(as_text=True)
    restored = net.client.get(f"{edit}?draft=restore")
    check_page(restored)
    assert ">A long note, nearly done</textarea>" in restored.get_data(as_text=True)
    published = post_form(
        net.client, edit, {"body": "A long note, nearly done", "revision": "1", "publish": "y"}
    )
    assert published.status_code == 302
    assert _drafts(session) == []  # published: the draft goes


def test_drafts_are_listed_and_discarded(net, session, sign_in_as):
    factories_visits.draft(net.user, net.visit, body="New idea")
    factories_visits.draft(net.user, net.visit, body="An edit", note_=net.note)
    listing = net.client.get("/visits/")
    check_page(listing)
    text = text_of(listing)
    assert "You have 2 unsaved drafts" in text
    assert "A new note in “What we could adopt” on Triage visit" in text
    colleague = sign_in_as(Role.ANALYST, net.own)
    assert "unsaved draft" not in text_of(colleague.get("/visits/"))  # a writer's own
    response = post_form(
        net.client,
        f"/visits/{net.visit.public_id}/drafts/discard",
        {"note": net.note.public_id},
        form_page="/visits/",
    )
    assert response.status_code == 302
    assert [d.body_md for d in _drafts(session)] == ["New idea"]
    post_form(net.client, f"/visits/{net.visit.public_id}/drafts/discard", {}, form_page="/visits/")
    assert _drafts(session) == []


def test_drafts_expire(net, session, app_context):
    app_context.config["NOTE_DRAFT_DAYS"] = 10
    try:
        old = factories_visits.draft(
            net.user, net.visit, body="Old", saved_at=utcnow() - timedelta(days=11)
        )
        factories_visits.draft(net.user, net.visit, body="Recent", note_=net.note)
        text = text_of(net.client.get("/visits/"))
        assert "You have 1 unsaved draft" in text and "Old" not in text
        result = app_context.test_cli_runner().invoke(args=["visits", "purge-drafts"])
        assert result.exit_code == 0 and "Deleted 1 expired drafts" in result.output
        assert [d.body_md for d in _drafts(session)] == ["Recent"]
        assert session.get(NoteDraft, old.id) is None
    finally:
        app_context.config["NOTE_DRAFT_DAYS"] = 30


def test_the_editor_warns_before_the_session_ends_and_can_stay_signed_in(net, session):
    page = net.client.get(f"/visits/notes/{net.note.public_id}/edit").get_data(as_text=True)
    # The session ends when idle (30 minutes) sooner than at its 8 hours from signing in.
    seconds = int(re.search(r'data-expires-in="([0-9]+)"', page)[1])
    assert 30 * 60 - 60 < seconds <= 30 * 60
    assert 'data-extendable="true"' in page
    assert 'data-warn-before="120"' in page and "Stay signed in" in page
    assert 'src="/static/js/notes.js"' in page and "<script>" not in page.split("</main>")[0]
    (record,) = session.scalars(select(UserSession).where(UserSession.user_id == net.user.id))
    expires_at = record.expires_at
    session.execute(
        update(UserSession)
        .where(UserSession.id == record.id)
        .values(last_seen_at=utcnow() - timedelta(minutes=28, seconds=30))
    )
    session.commit()
    token = csrf_token(net.client, "/visits/")  # a page: activity, counted once a minute
    assert net.client.post("/visits/session", json={}).status_code == 400  # no token
    response = net.client.post("/visits/session", json={}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert 30 * 60 - 60 < response.get_json()["expires_in"] <= 30 * 60
    assert response.get_json()["extendable"] is True
    extended = session.scalars(select(UserSession).where(UserSession.id == record.id)).one()
    session.refresh(extended)
    assert extended.last_seen_at > utcnow() - timedelta(seconds=30)
    assert extended.expires_at == expires_at  # the absolute limit never moves
