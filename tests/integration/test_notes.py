"""Notes of a visit (issue 11): written in sections, Markdown rendered sanitised, every
save a revision with who and when, soft deletion; and two editors on one note, where the
second's stale save is told, shown both versions and never lost (REVIEWS-AND-EXPORTS.md
8.1, after Whitehall's "This document has been saved since you opened it")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bench.models import (
    AuditEvent,
    NoteDraft,
    NoteSection,
    Role,
    TokenScope,
    VisitNote,
    VisitNoteRevision,
)
from tests import factories, factories_visits
from tests.pages import check_page, csrf_token, parse, post_form, text_of


@pytest.fixture
def net(app_context, sign_in_as):
    net = factories_visits.Network().sign_in_recorder(app_context, sign_in_as, name="Sam Staff")
    net.visit = factories_visits.visit(net.own, net.host, title="Direct payments visit")
    return net


def _notes(session):
    return session.scalars(select(VisitNote).order_by(VisitNote.id)).all()


def _revisions(session, note_id):
    return session.scalars(
        select(VisitNoteRevision)
        .where(VisitNoteRevision.note_id == note_id)
        .order_by(VisitNoteRevision.number)
    ).all()


def _events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def test_writing_a_note_on_the_page(net, session):
    visit_page = net.client.get(f"/visits/{net.visit.public_id}")
    check_page(visit_page)
    new = f"/visits/{net.visit.public_id}/notes/new?section=what_we_could_adopt"
    assert f'href="{new}"' in visit_page.get_data(as_text=True).replace("&amp;", "&")
    form = net.client.get(new)
    check_page(form)
    assert 'value="what_we_could_adopt" checked' in form.get_data(as_text=True)
    response = post_form(
        net.client,
        f"/visits/{net.visit.public_id}/notes/new",
        {
            "section": "what_we_could_adopt",
            "body": "## Peer support\n\n- people who *use* direct payments\n- a **named** lead",
            "publish": "y",
        },
        form_page=new,
    )
    assert response.status_code == 302
    assert response.location == f"/visits/{net.visit.public_id}"
    (note,) = _notes(session)
    assert note.section is NoteSection.WHAT_WE_COULD_ADOPT and note.revision_number == 1
    (revision,) = _revisions(session, note.id)
    assert revision.author_id == net.user.id and revision.number == 1
    shown = net.client.get(response.location).get_data(as_text=True)
    # Rendered: the note's heading sits below the page's own (h2 becomes h3).
    assert "<h3>Peer support</h3>" in shown
    assert "<em>use</em>" in shown and "<strong>named</strong>" in shown
    (event,) = _events(session, "note_written")
    assert event.details == {
        "note": note.public_id,
        "visit": net.visit.public_id,
        "section": "what_we_could_adopt",
        "revision": 1,
    }


def test_note_validation_names_the_field(net, session):
    path = f"/visits/{net.visit.public_id}/notes/new"
    response = post_form(net.client, path, {"body": "  ", "publish": "y"})
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    assert "Select the section the note belongs in" in text and "Enter the note" in text
    body = response.get_data(as_text=True)
    assert 'href="#section"' in body and 'href="#body"' in body
    assert _notes(session) == []
    api = net.api.post(
        f"/api/v1/visits/{net.visit.public_id}/notes",
        headers=net.headers,
        json={"section": "gossip", "body": "x" * 100_001},
    )
    assert api.status_code == 422
    assert {(e["field"], e["message"]) for e in api.get_json()["errors"]} == {
        ("section", "Select the section the note belongs in"),
        ("body", "The note must be 100,000 characters or fewer"),
    }
    assert _notes(session) == []


def test_revising_keeps_every_revision_with_who_and_when(net, session, sign_in_as):
    note = factories_visits.note(net.visit, body="First line\nSecond line", author=net.user)
    colleague = sign_in_as(Role.ANALYST, net.own, name="Ann Analyst")
    edit = f"/visits/notes/{note.public_id}/edit"
    form = net.client.get(edit)
    check_page(form)
    assert 'name="revision" type="hidden" value="1"' in form.get_data(as_text=True)
    saved = post_form(
        colleague,
        edit,
        {"body": "First line\nA better second line", "revision": "1", "change_summary": "Clearer"},
    )
    assert saved.status_code == 302 and saved.location == f"/visits/notes/{note.public_id}"
    revisions = _revisions(session, note.id)
    assert [(r.number, r.author_id) for r in revisions] == [
        (1, net.user.id),
        (2, colleague.user.id),
    ]
    assert session.get(VisitNote, note.id).revision_number == 2
    listing = net.client.get(f"/visits/notes/{note.public_id}/revisions")
    check_page(listing)
    text = text_of(listing)
    assert "Revision 2 (current) Ann Analyst" in text and "Clearer" in text
    first = net.client.get(f"/visits/notes/{note.public_id}/revisions/1")
    check_page(first)
    assert "Second line" in text_of(first)
    diff = net.client.get(f"/visits/notes/{note.public_id}/revisions/2").get_data(as_text=True)
    assert "<del>Second line</del>" in diff and "<ins>A better second line</ins>" in diff
    assert net.client.get(f"/visits/notes/{note.public_id}/revisions/3").status_code == 404
    (event,) = _events(session, "note_revised")
    assert event.details["revision"] == 2 and "line" not in str(event.details)


def test_two_editors_on_one_note_lose_nothing(net, session, sign_in_as):
    """Both open revision 1; the first saves; the second is told, shown both versions,
    keeps their text as a draft, and can save it on top."""
    note = factories_visits.note(net.visit, body="The original", author=net.user)
    colleague = sign_in_as(Role.ANALYST, net.own, name="Ann Analyst")
    edit = f"/visits/notes/{note.public_id}/edit"
    token_one, token_two = csrf_token(net.client, edit), csrf_token(colleague, edit)
    first = colleague.post(
        edit, data={"csrf_token": token_two, "body": "Ann's version", "revision": "1"}
    )
    assert first.status_code == 302
    second = net.client.post(
        edit,
        data={"csrf_token": token_one, "body": "Sam's version", "revision": "1", "publish": "y"},
    )
    assert second.status_code == 409
    page = check_page(second)
    assert page.h1 == "This note has been saved since you opened it"
    text = text_of(second)
    assert "Theirs: the note now" in text and "Ann's version" in text
    assert "Yours: not saved yet" in text and "Sam's version" in text
    assert "Revision 2" in text and "Ann Analyst" in text
    # Nothing applied; the second editor's text is kept as their draft.
    assert [r.body_md for r in _revisions(session, note.id)] == ["The original", "Ann's version"]
    (draft,) = session.scalars(select(NoteDraft)).all()
    assert (draft.user_id, draft.note_id, draft.body_md) == (net.user.id, note.id, "Sam's version")
    assert draft.base_revision_number == 1
    # The conflict page offers Sam's text again, on top of revision 2: saving applies it.
    body = second.get_data(as_text=True)
    assert 'name="revision" type="hidden" value="2"' in body
    token = parse(body).csrf_tokens[0]
    again = net.client.post(
        edit, data={"csrf_token": token, "body": "Sam's version", "revision": "2", "publish": "y"}
    )
    assert again.status_code == 302
    assert [r.body_md for r in _revisions(session, note.id)][-1] == "Sam's version"
    assert session.scalars(select(NoteDraft)).all() == []  # published: the draft goes


def test_the_api_refuses_a_stale_revision_with_409(net, session):
    note = factories_visits.note(net.visit, body="One", author=net.user)
    path = f"/api/v1/notes/{note.public_id}"
    ok = net.api.put(path, headers=net.headers, json={"body": "Two", "revision": 1})
    assert ok.status_code == 200
    assert ok.get_json()["revision"] == 2 and ok.get_json()["body"] == "Two"
    stale = net.api.put(path, headers=net.headers, json={"body": "Mine", "revision": 1})
    assert stale.status_code == 409
    assert stale.mimetype == "application/problem+json"
    problem = stale.get_json()
    assert problem["current_revision"] == 2 and "current revision is 2" in problem["detail"]
    assert [r.body_md for r in _revisions(session, note.id)] == ["One", "Two"]
    assert session.scalars(select(NoteDraft)).all() == []
    missing = net.api.put(path, headers=net.headers, json={"body": "Mine"})
    assert missing.status_code == 422
    assert missing.get_json()["errors"] == [
        {
            "row": None,
            "field": "revision",
            "message": "Send the number of the revision your edit started from",
        }
    ]


def test_writing_and_reading_through_the_api(net, session):
    path = f"/api/v1/visits/{net.visit.public_id}/notes"
    made = net.api.post(
        path,
        headers=net.headers,
        json={"section": "good_practice_seen", "body": "Weekly *triage*", "change_summary": "x"},
    )
    assert made.status_code == 201
    note = made.get_json()
    assert note["html"] == "<p>Weekly <em>triage</em></p>\n"
    assert note["revision"] == 1 and note["visit"] == net.visit.public_id
    assert note["host"] == {"label": net.host.name, "gss_code": net.host.gss_code}
    assert [r["number"] for r in note["revisions"]] == [1]
    listed = net.api.get(path, headers=net.headers).get_json()["notes"]
    assert [item["id"] for item in listed] == [note["id"]]
    one = net.api.get(f"/api/v1/visits/{net.visit.public_id}", headers=net.headers).get_json()
    assert [item["id"] for item in one["notes"]] == [note["id"]] and one["note_count"] == 1
    read = net.api.get(f"/api/v1/notes/{note['id']}", headers=net.headers).get_json()
    assert read["body"] == "Weekly *triage*" and read["recorded_by"] == net.own.name


def test_a_read_token_cannot_write(net, session):
    _, secret = factories.api_token(net.user, TokenScope.READ)
    note = factories_visits.note(net.visit)
    for method, path, body in (
        ("post", f"/api/v1/visits/{net.visit.public_id}/notes", {"section": "x", "body": "y"}),
        ("put", f"/api/v1/notes/{note.public_id}", {"body": "y", "revision": 1}),
        ("post", "/api/v1/visits", {}),
    ):
        assert (
            getattr(net.api, method)(
                path, headers=factories_visits.bearer(secret), json=body
            ).status_code
            == 403
        )


def test_deleting_is_soft_and_hides_the_note(net, session):
    note = factories_visits.note(net.visit, body="Regrettable", author=net.user)
    factories_visits.draft(net.user, net.visit, body="An edit", note_=note)
    confirm = net.client.get(f"/visits/notes/{note.public_id}/delete")
    check_page(confirm)
    response = post_form(net.client, f"/visits/notes/{note.public_id}/delete", {})
    assert response.status_code == 302 and response.location == f"/visits/{net.visit.public_id}"
    kept = session.get(VisitNote, note.id)
    assert kept.deleted_at is not None and len(_revisions(session, note.id)) == 1
    for path in (f"/visits/notes/{note.public_id}", f"/visits/notes/{note.public_id}/edit"):
        assert net.client.get(path).status_code == 404
    assert net.api.get(f"/api/v1/notes/{note.public_id}", headers=net.headers).status_code == 404
    assert "Regrettable" not in text_of(net.client.get(f"/visits/{net.visit.public_id}"))
    # Its draft has nothing to go back into: it is not offered.
    assert "An edit" not in text_of(net.client.get("/visits/"))
    (event,) = _events(session, "note_deleted")
    assert event.details["note"] == note.public_id


def test_another_councils_note_cannot_be_edited_or_deleted(net, session, sign_in_as):
    note = factories_visits.note(net.visit, body="Ours")
    outsider = sign_in_as(Role.AUTHORITY_ADMIN, net.peer)
    for path in ("edit", "delete", "revisions", "revisions/1"):
        assert outsider.get(f"/visits/notes/{note.public_id}/{path}").status_code == 404
    token = csrf_token(outsider, "/account")
    for path in ("edit", "delete"):
        response = outsider.post(
            f"/visits/notes/{note.public_id}/{path}",
            data={"csrf_token": token, "body": "Theirs", "revision": "1", "publish": "y"},
        )
        assert response.status_code == 404
    assert [r.body_md for r in _revisions(session, note.id)] == ["Ours"]
    assert session.get(VisitNote, note.id).deleted_at is None
