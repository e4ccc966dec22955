"""Notes shared with inspectors (issue 11: "with an inspector under a current grant, and
then a note that names a host needs that host's consent, or shows it as 'an ally'").

The host's admins consent, refuse or withdraw consent on "Notes shared with your
council"; the inspector's label and the note's text follow. Every note an inspector
reads is in the visiting council's audit log (DESIGN.md, Anonymity 8).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bench import audit
from bench.models import Alliance, AuditEvent, NoteShare, ShareLevel, utcnow
from bench.sharing import queries
from tests import factories_sharing
from tests.factories_sharing import Scene
from tests.pages import check_page, csrf_token, text_of

TEXT = "Hostbury Council (E-code in the title too) triages referrals on the day."


@pytest.fixture
def scene(app_context, sign_in_as):
    return Scene(sign_in_as)


@pytest.fixture
def note(scene):
    found = factories_sharing.note(scene.visit, f"{TEXT} Its code: {scene.host.gss_code}.")
    factories_sharing.share(found, ShareLevel.HOST)
    factories_sharing.share(found, ShareLevel.INSPECTOR)
    return found


def _inspected(scene, who="inspector"):
    response = scene.client(who).get("/sharing/inspected")
    assert response.status_code == 200
    check_page(response)
    return text_of(response)


def _answer(scene, note, decision, who="host_admin"):
    client = scene.client(who)
    token = csrf_token(client, "/sharing/with-us")
    return client.post(
        f"/sharing/notes/{note.public_id}/consent",
        data={"decision": decision, "csrf_token": token},
    )


def _events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def test_without_consent_an_inspector_sees_an_ally_and_no_name(scene, session, note):
    text = _inspected(scene)
    assert "Visitshire Council" in text  # the granting council is named under the grant
    assert "Host an ally" in text and "Hostbury" not in text
    assert "[the host council] (E-code in the title too) triages" in text
    assert "Visit to [the host council]" in text
    assert scene.host.gss_code not in text and "Its code: [the host council]." in text


def test_the_host_admins_consent_refuse_and_withdraw(scene, session, note):
    # The request is shown to the host's admins only.
    request_words = "May inspectors see your council named on this note?"
    assert request_words in text_of(scene.client("host_admin").get("/sharing/with-us"))
    assert request_words not in text_of(scene.client("host").get("/sharing/with-us"))
    assert "Waiting for your answer" in text_of(scene.client("host_admin").get("/sharing/with-us"))

    assert _answer(scene, note, "consent").status_code == 302
    text = _inspected(scene)
    assert "Host Hostbury Council" in text and "Hostbury Council (E-code" in text
    assert scene.host.gss_code in text
    page = text_of(scene.client("host_admin").get("/sharing/with-us"))
    assert "Inspectors may now see your council named on this note" in page
    assert "You agreed on" in page

    _answer(scene, note, "withdraw")
    text = _inspected(scene)
    assert "Host an ally" in text and "Hostbury" not in text
    assert "You said no on" in text_of(scene.client("host_admin").get("/sharing/with-us"))

    _answer(scene, note, "consent")
    assert "Host Hostbury Council" in _inspected(scene)
    share = queries.live_share(note.id, ShareLevel.INSPECTOR)
    assert share.host_consented_by_id == scene.user("host_admin").id
    actions = [
        event.action
        for event in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.like("host_consent_%"))
            .order_by(AuditEvent.id)
        )
    ]
    assert actions == ["host_consent_given", "host_consent_withdrawn", "host_consent_given"]
    assert {
        event.authority_id
        for event in session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("host_consent_%"))
        )
    } == {scene.host.id}
    assert "host_consent_given" in audit.kept_from_network_log()


def test_refusing_keeps_the_host_unnamed(scene, session, note):
    assert _answer(scene, note, "refuse").status_code == 302
    assert "Host an ally" in _inspected(scene)
    assert "You said no on" in text_of(scene.client("host_admin").get("/sharing/with-us"))
    assert len(_events(session, "host_consent_refused")) == 1


def test_only_the_hosts_admins_answer(scene, session, note):
    assert _answer(scene, note, "consent", who="host").status_code == 403
    assert _answer(scene, note, "consent", who="own_admin").status_code == 404
    share = queries.live_share(note.id, ShareLevel.INSPECTOR)
    assert share.host_consented_at is None and share.host_refused_at is None
    response = _answer(scene, note, "maybe")
    assert response.status_code == 302
    assert "Select whether inspectors may see your council named" in text_of(
        scene.client("host_admin").get("/sharing/with-us")
    )


def test_there_is_nothing_to_consent_to_without_an_inspector_share(scene, session):
    found = factories_sharing.note(scene.visit, TEXT)
    factories_sharing.share(found, ShareLevel.HOST)
    page = text_of(scene.client("host_admin").get("/sharing/with-us"))
    assert "May inspectors see" not in page
    _answer(scene, found, "consent")
    assert "not shared with inspectors" in text_of(
        scene.client("host_admin").get("/sharing/with-us")
    )


def test_consent_counts_only_while_the_host_reads_the_note(scene, session, note):
    _answer(scene, note, "consent")
    assert "Host Hostbury Council" in _inspected(scene)
    host_share = queries.live_share(note.id, ShareLevel.HOST)
    host_share.revoked_at = utcnow()
    session.commit()
    assert "Host an ally" in _inspected(scene)
    host_share = session.get(NoteShare, host_share.id)
    host_share.revoked_at = None
    session.commit()
    assert "Host Hostbury Council" in _inspected(scene)
    for alliance in session.scalars(select(Alliance).order_by(Alliance.id)):
        if {alliance.first_id, alliance.second_id} == {scene.visitor.id, scene.host.id}:
            alliance.ended_at = utcnow()
    session.commit()
    text = _inspected(scene)
    assert "Host an ally" in text and "Hostbury" not in text


def test_every_read_by_an_inspector_is_in_the_visiting_councils_log(scene, session, note):
    second = factories_sharing.note(scene.visit, "A second note.")
    factories_sharing.share(second, ShareLevel.INSPECTOR)
    private = factories_sharing.note(scene.visit, "Not shared.")
    _inspected(scene)
    events = _events(session, "shared_note_read")
    assert len(events) == 2
    assert {event.subject_id for event in events} == {note.id, second.id}
    assert private.id not in {event.subject_id for event in events}
    for event in events:
        assert event.authority_id == scene.visitor.id
        assert event.actor_id == scene.user("inspector").id
        assert event.details["page"] == "shared notes"
        assert event.details["grant"]
    # Each request that shows them records them again; the network's log sees the page only.
    _inspected(scene)
    assert len(_events(session, "shared_note_read")) == 4
    assert audit.network_details("shared_note_read", events[0].details) == {"page": "shared notes"}
    # The visiting council's admins read it in their log.
    log = text_of(scene.client("own_admin").get("/audit/"))
    assert "An inspector read a shared note under a grant" in log


@pytest.mark.parametrize(
    "who", ["inspector_no_grant", "inspector_expired", "inspector_other_grant"]
)
def test_without_a_current_grant_nothing_is_read_or_recorded(scene, session, note, who):
    text = _inspected(scene, who)
    assert "Hostbury" not in text and "triages" not in text
    assert "Visitshire" not in text
    assert _events(session, "shared_note_read") == []
