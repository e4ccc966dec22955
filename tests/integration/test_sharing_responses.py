"""The host's replies and corrections (issue 11: shared with the host, "who can reply or
propose a correction that the author accepts or declines").

Seen by the host and the note's council only; a correction accepted is a new revision
by whoever accepted; one made to a revision the note has moved on from is accepted only
once the two versions have been compared and the user confirms.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bench import audit
from bench.models import (
    Alliance,
    AuditEvent,
    HostResponse,
    ResponseKind,
    ResponseStatus,
    ShareLevel,
    VisitNoteRevision,
    utcnow,
)
from bench.sharing import queries
from bench.visits import queries as visit_queries
from tests import factories_sharing
from tests.factories_sharing import Scene
from tests.pages import check_page, csrf_token, text_of

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)> [click](javascript:alert(1))'


@pytest.fixture
def scene(app_context, sign_in_as):
    return Scene(sign_in_as)


@pytest.fixture
def note(scene):
    """A note shared with the host and with all allies (so another ally reads it too)."""
    found = factories_sharing.note(scene.visit, "Hostbury Council triages within 2 days.")
    factories_sharing.share(found, ShareLevel.HOST)
    factories_sharing.share(found, ShareLevel.ALLIES)
    return found


def _post(client, path, data, form_page):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_page)})


def _responses_page(note):
    return f"/sharing/notes/{note.public_id}/responses"


def _reply(scene, note, body, who="host"):
    page = _responses_page(note)
    return _post(scene.client(who), f"{page}/reply", {"body": body}, page)


def _correct(scene, note, text, reason="It is one day, not two.", revision=None):
    page = _responses_page(note)
    data = {"text": text, "reason": reason, "revision": revision or note.revision_number}
    return _post(scene.client("host"), f"{page}/correction", data, page)


def _fresh(session, record):
    """*record* as the database has it now (requests end their own sessions)."""
    return session.get(type(record), record.id, populate_existing=True)


def _responses(session):
    return session.scalars(select(HostResponse).order_by(HostResponse.id)).all()


def _events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def test_the_host_replies_and_corrects_and_only_the_two_councils_see_it(scene, session, note):
    page = _responses_page(note)
    host_page = scene.client("host").get(page)
    check_page(host_page)
    assert "Host your council" in text_of(host_page)
    assert _reply(scene, note, "Glad you came. *Do* visit again.").status_code == 302
    assert _correct(scene, note, "Hostbury Council triages within 1 day.").status_code == 302
    assert _reply(scene, note, "One more thing.").status_code == 302
    own = scene.client("own").get(page)
    check_page(own)
    text = text_of(own)
    # In the order they came, each by its author (named: the two are allies now).
    host_name = scene.user("host").name
    first, second, third = (
        text.index("Glad you came"),
        text.index("It is one day, not two"),
        text.index("One more thing"),
    )
    assert first < second < third
    assert f"from {host_name}" in text and "Waiting for an answer" in text
    assert "<em>Do</em>" in own.get_data(as_text=True)
    # Nobody else: another ally reads the note but not the responses.
    for who in ("other_ally", "peer", "ended_ally"):
        assert scene.client(who).get(page).status_code == 404, who
        assert "Glad you came" not in scene.client(who).get("/sharing/with-us").get_data(
            as_text=True
        )
    for who in ("inspector", "inspector_no_grant"):
        assert scene.client(who).get(page).status_code == 403
    # Each side's log has its own event; the visiting council's names no host.
    sent = _events(session, "host_reply_sent")
    received = _events(session, "host_reply_received")
    assert [event.authority_id for event in sent] == [scene.host.id] * 2
    assert [event.authority_id for event in received] == [scene.visitor.id] * 2
    for event in [*received, *_events(session, "host_correction_received")]:
        assert "Hostbury" not in str(event.details)
        assert set(event.details) == {"note", "response"}
    kept_out = set(audit.kept_from_network_log())
    assert {"host_reply_sent", "host_reply_received", "host_correction_sent"} <= kept_out


def test_only_the_host_responds_and_only_while_shared_with_it(scene, session, note):
    for who in ("other_ally", "own"):
        response = _post(
            scene.client(who),
            f"{_responses_page(note)}/reply",
            {"body": "Hello"},
            "/sharing/with-us",
        )
        assert response.status_code == 404, who
    host_share = queries.live_share(note.id, ShareLevel.HOST)
    host_share.revoked_at = utcnow()
    session.commit()
    # Still readable by the host as one of all allies, but no longer shared with it as host.
    assert "triages" in scene.client("host").get("/sharing/with-us").get_data(as_text=True)
    assert scene.client("host").get(_responses_page(note)).status_code == 404
    response = _post(
        scene.client("host"), f"{_responses_page(note)}/reply", {"body": "Hi"}, "/sharing/with-us"
    )
    assert response.status_code == 404
    assert _responses(session) == []


def test_accepting_a_correction_makes_a_revision_by_whoever_accepted(scene, session, note):
    _correct(scene, note, "Hostbury Council triages within 1 day.")
    correction = _responses(session)[0]
    assert correction.kind is ResponseKind.CORRECTION and correction.revision_number == 1
    own = scene.client("own_admin")
    response = _post(
        own, f"/sharing/responses/{correction.public_id}/accept", {}, _responses_page(note)
    )
    assert response.status_code == 302
    note = _fresh(session, note)
    assert note.revision_number == 2
    revision = session.scalars(
        select(VisitNoteRevision).where(
            VisitNoteRevision.note_id == note.id, VisitNoteRevision.number == 2
        )
    ).one()
    assert revision.body_md == "Hostbury Council triages within 1 day."
    assert revision.change_summary == "Correction from the host accepted"
    assert revision.author_id == scene.user("own_admin").id
    correction = _fresh(session, correction)
    assert correction.status is ResponseStatus.ACCEPTED
    assert correction.decided_by_id == scene.user("own_admin").id
    (event,) = _events(session, "host_correction_accepted")
    assert event.authority_id == scene.visitor.id and event.details["revision"] == 2
    # The host reads the corrected note; accepting again is refused.
    assert "within 1 day" in text_of(scene.client("host").get("/sharing/with-us"))
    again = _post(
        own, f"/sharing/responses/{correction.public_id}/accept", {}, _responses_page(note)
    )
    assert "already been accepted or declined" in text_of(own.get(again.location))


def test_declining_leaves_the_note_as_it_was(scene, session, note):
    _correct(scene, note, "Hostbury Council triages within 1 day.")
    correction = _responses(session)[0]
    own = scene.client("own")
    response = _post(
        own, f"/sharing/responses/{correction.public_id}/decline", {}, _responses_page(note)
    )
    assert response.status_code == 302
    note = _fresh(session, note)
    correction = _fresh(session, correction)
    assert note.revision_number == 1 and correction.status is ResponseStatus.DECLINED
    assert len(_events(session, "host_correction_declined")) == 1
    assert "Declined" in text_of(own.get(_responses_page(note)))
    # The host cannot decide; nor can another ally.
    for who in ("host", "other_ally"):
        path = f"/sharing/responses/{correction.public_id}/accept"
        assert scene.client(who).get(path).status_code == 404


def test_a_correction_to_an_older_revision_needs_the_author_to_confirm(scene, session, note):
    _correct(scene, note, "Hostbury Council triages within 1 day.")
    correction = _responses(session)[0]
    # The author edits the note meanwhile.
    locked = queries.own_note(scene.visitor.id, note.public_id, lock=True)
    visit_queries.add_revision(
        locked, "We saw triage within 2 days, and a duty desk.", "", None, utcnow()
    )
    session.commit()
    own = scene.client("own")
    path = f"/sharing/responses/{correction.public_id}/accept"
    shown = _post(own, path, {}, _responses_page(note))
    assert shown.status_code == 200
    check_page(shown)
    text = text_of(shown)
    assert "Error:" in text and "The note has changed since the host proposed" in text
    # Both versions side by side, and the one the host corrected.
    assert "and a duty desk" in text and "within 1 day" in text and "within 2 days" in text
    note = _fresh(session, note)
    assert note.revision_number == 2
    confirmed = _post(own, path, {"confirm": "y"}, path)
    assert confirmed.status_code == 302
    note = _fresh(session, note)
    assert note.revision_number == 3
    assert queries.revision_text(note.id, 3) == "Hostbury Council triages within 1 day."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "reason": "r"}, "Enter the note's text as you propose it"),
        ({"text": "New text", "reason": "  "}, "Enter the reason for the correction"),
        (
            {"text": "Hostbury Council triages within 2 days.", "reason": "r"},
            "Change the text: it is the same as the note's",
        ),
        ({"text": "New", "reason": "r", "revision": "7"}, "not one of this note's"),
        ({"text": "New", "reason": "r", "revision": "x"}, "not one of this note's"),
        ({"text": "New", "reason": "r" * 5001}, "5,000 characters or fewer"),
    ],
)
def test_correction_validation_messages(scene, session, note, data, message):
    page = _responses_page(note)
    response = _post(scene.client("host"), f"{page}/correction", {"revision": "1", **data}, page)
    assert response.status_code == 200
    check_page(response)
    assert message in text_of(response)
    assert _responses(session) == []


@pytest.mark.parametrize(
    ("body", "message"), [("", "Enter your reply"), ("x" * 5001, "5,000 characters or fewer")]
)
def test_reply_validation_messages(scene, session, note, body, message):
    response = _reply(scene, note, body)
    assert response.status_code == 200
    check_page(response)
    assert message in text_of(response) and "Error:" in text_of(response)
    assert _responses(session) == []


def test_replies_and_corrections_render_inert(scene, session, note):
    _reply(scene, note, XSS)
    _correct(scene, note, XSS, reason=XSS)
    correction = _responses(session)[1]
    pages = [
        scene.client("own").get(_responses_page(note)),
        scene.client("host").get(_responses_page(note)),
        scene.client("own").get(f"/sharing/responses/{correction.public_id}/accept"),
    ]
    for page in pages:
        check_page(page)
        html = page.get_data(as_text=True)
        assert "&lt;script&gt;" in html  # shown as text
        assert "<script>alert" not in html and "<img" not in html
        assert 'href="javascript' not in html


def test_without_the_alliance_the_visitor_sees_no_host_name_in_responses(scene, session, note):
    _reply(scene, note, "Hostbury Council is glad you came.")
    for alliance in session.scalars(select(Alliance).order_by(Alliance.id)):
        if {alliance.first_id, alliance.second_id} == {scene.visitor.id, scene.host.id}:
            alliance.ended_at = utcnow()
    session.commit()
    text = text_of(scene.client("own").get(_responses_page(note)))
    assert "[the host council] is glad you came" in text
    assert "Hostbury" not in text and scene.user("host").name not in text
    assert "The host (a former ally)" in text
