"""Sharing a note (issue 11, "Sharing, per note"): who reads it at each level, on every
page and API route of the sharing area, and how its levels are set, kept and audited.

The matrix: every sharing level x every kind of reader (own council, the host ally,
another ally, a peer that is no ally, inspectors with a current grant, with none, with
an expired grant and with another council's grant, an ally whose alliance ended). Who
may read is bench.visits.visibility's rule; these tests hold the pages to it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bench import audit
from bench.models import Alliance, AuditEvent, NoteShare, ShareLevel, TokenScope, utcnow
from tests import factories, factories_sharing
from tests.factories_sharing import Scene
from tests.pages import check_page, csrf_token, text_of

AUTHORITY_READERS = ("own", "host", "other_ally", "peer", "ended_ally")
INSPECTORS = ("inspector", "inspector_no_grant", "inspector_expired", "inspector_other_grant")
# Who reads a note shared at each level (no level: its own council alone).
READS = {
    None: {"own"},
    ShareLevel.HOST: {"own", "host"},
    # The host is one of the visiting council's allies too.
    ShareLevel.ALLIES: {"own", "host", "other_ally"},
    ShareLevel.INSPECTOR: {"own", "inspector"},
}
WORD = "zanzibarquokka"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def scene(app_context, sign_in_as):
    return Scene(sign_in_as)


def _reads(scene, who, word):
    """Whether *who* finds *word* on the page that lists notes shared with them."""
    path = "/sharing/inspected" if who.startswith("inspector") else "/sharing/with-us"
    if who == "own":
        return True  # checked on the note's own pages below
    response = scene.client(who).get(path)
    assert response.status_code == 200, (who, response.status_code)
    check_page(response)
    return word in response.get_data(as_text=True)


@pytest.mark.parametrize("level", list(READS), ids=str)
def test_the_visibility_matrix(scene, session, level):
    note = factories_sharing.note(scene.visit, f"{WORD}: Hostbury Council triages on the day.")
    # A note about the ended ally, shared as widely as the level allows.
    ended_word = "endedwombat"
    ended_note = factories_sharing.note(scene.visit_to_ended, f"{ended_word} at Endedham.")
    if level is not None:
        factories_sharing.share(note, level)
        factories_sharing.share(ended_note, level)
    # The ended ally, its host, reads it at no level; allies and inspectors as ever.
    ended_readers = READS[level] - {"host"} if level is ShareLevel.HOST else READS[level]
    for who in (*AUTHORITY_READERS, *INSPECTORS):
        assert _reads(scene, who, WORD) is (who in READS[level]), (who, level)
        assert _reads(scene, who, ended_word) is (who in ended_readers), (who, level)
    # The note's own pages and its shares in the API: its own council's alone.
    for who in (*AUTHORITY_READERS, *INSPECTORS):
        client = scene.client(who)
        expected = 200 if who == "own" else 403 if who.startswith("inspector") else 404
        for path in (
            f"/sharing/notes/{note.public_id}",
            f"/sharing/notes/{note.public_id}/good-practice",
        ):
            response = client.get(path)
            assert response.status_code == expected, (who, path)
            if expected == 200:
                check_page(response)
                assert WORD in response.get_data(as_text=True)
        # Replies and corrections: the note's council, and the host where shared with it.
        can_respond = who == "own" or (who == "host" and level is ShareLevel.HOST)
        response = client.get(f"/sharing/notes/{note.public_id}/responses")
        want = 200 if can_respond else 403 if who.startswith("inspector") else 404
        assert response.status_code == want, (who, level)
        if not who.startswith("inspector"):
            _, secret = factories.api_token(scene.user(who), TokenScope.READ)
            answer = client.get(f"/api/v1/notes/{note.public_id}/shares", headers=bearer(secret))
            assert answer.status_code == (200 if who == "own" else 404), who


def test_the_host_is_named_only_where_the_rule_allows(scene, session):
    note = factories_sharing.note(scene.visit, "Hostbury Council triages on the day.")
    factories_sharing.share(note, ShareLevel.HOST)
    factories_sharing.share(note, ShareLevel.ALLIES)
    own = text_of(scene.client("own").get(f"/sharing/notes/{note.public_id}"))
    assert "Host Hostbury Council" in own
    host = text_of(scene.client("host").get("/sharing/with-us"))
    assert "Host your council" in host and "Visiting council Visitshire Council" in host
    assert "Shared with you as the host" in host
    other = text_of(scene.client("other_ally").get("/sharing/with-us"))
    assert "Host an ally" in other and "Shared with all allies" in other
    assert "Hostbury" not in other
    assert "[the host council] triages on the day" in other
    # The visit's title names the host too: taken out the same way.
    assert "Visit to [the host council]" in other


def test_an_ended_alliance_hides_the_note_and_the_hosts_name(scene, session):
    note = factories_sharing.note(scene.visit, f"{WORD}: Hostbury Council triages.")
    factories_sharing.share(note, ShareLevel.HOST)
    assert WORD in scene.client("host").get("/sharing/with-us").get_data(as_text=True)
    alliance = session.scalars(
        select(Alliance).where(Alliance.ended_at.is_(None)).order_by(Alliance.id)
    ).first()
    assert {alliance.first_id, alliance.second_id} == {scene.visitor.id, scene.host.id}
    alliance.ended_at = utcnow()
    session.commit()
    assert WORD not in scene.client("host").get("/sharing/with-us").get_data(as_text=True)
    host_page = scene.client("host").get(f"/sharing/notes/{note.public_id}/responses")
    assert host_page.status_code == 404
    own = scene.client("own").get(f"/sharing/notes/{note.public_id}")
    check_page(own)
    text = text_of(own)
    assert "Host a former ally" in text and "Hostbury" not in text
    # The share stays in place, and the page says it gives the host nothing now.
    assert "The host does not read it while your councils are not allies" in text


# --- setting the levels -------------------------------------------------------------------


def _events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _shares(session, *where):
    return session.scalar(select(func.count(NoteShare.id)).where(*where))


def _post(client, path, data):
    token = csrf_token(client, "/sharing/with-us")
    return client.post(path, data={**data, "csrf_token": token})


def test_sharing_and_revoking_from_the_page_keeps_the_history(scene, session):
    note = factories_sharing.note(scene.visit)
    own = scene.client("own")
    page = f"/sharing/notes/{note.public_id}"
    for level in ("host", "allies", "inspector"):
        response = _post(own, f"{page}/shares", {"level": level})
        assert response.status_code == 302 and response.location.endswith(page)
    response = _post(own, f"{page}/shares/revoke", {"level": "host"})
    assert response.status_code == 302
    shown = own.get(page)
    check_page(shown)
    text = text_of(shown)
    assert "The note is no longer shared with the host" in text
    assert "Sharing history" in text and text.count("Still shared") == 2
    rows = session.scalars(select(NoteShare).where(NoteShare.note_id == note.id)).all()
    assert sorted((row.level.value, row.revoked_at is None) for row in rows) == [
        ("allies", True),
        ("host", False),
        ("inspector", True),
    ]
    assert all(row.shared_by_id == scene.user("own").id for row in rows)
    added, revoked = _events(session, "note_share_added"), _events(session, "note_share_revoked")
    assert [event.details["level"] for event in added] == ["host", "allies", "inspector"]
    assert [event.details for event in revoked] == [{"note": note.public_id, "level": "host"}]
    assert {event.authority_id for event in [*added, *revoked]} == {scene.visitor.id}
    # Shared again after a revocation: a new row, the old one kept.
    _post(own, f"{page}/shares", {"level": "host"})
    assert _shares(session, NoteShare.level == ShareLevel.HOST) == 2


@pytest.mark.parametrize(
    ("level", "message"),
    [
        ("", "Select who to share the note with"),
        ("everyone", "Select the host, all allies or inspectors"),
        ("network_good_practice", "making an edited good-practice copy"),
    ],
)
def test_a_bad_level_is_refused_with_a_message(scene, session, level, message):
    note = factories_sharing.note(scene.visit)
    own = scene.client("own")
    response = _post(own, f"/sharing/notes/{note.public_id}/shares", {"level": level})
    assert response.status_code == 302
    assert message in text_of(own.get(f"/sharing/notes/{note.public_id}"))
    assert _shares(session) == 0


def test_the_host_level_needs_a_host_that_is_an_ally_now(scene, session):
    without_host = factories_sharing.note(factories_sharing.visit(scene.visitor, title="Meeting"))
    ended = factories_sharing.note(scene.visit_to_ended)
    own = scene.client("own")
    for note, message in (
        (without_host, "This visit names no host council"),
        (ended, "The host council is not your ally now"),
    ):
        page = f"/sharing/notes/{note.public_id}"
        assert message in text_of(own.get(page))
        _post(own, f"{page}/shares", {"level": "host"})
        assert message in text_of(own.get(page))
    assert _shares(session) == 0


def test_sharing_twice_and_revoking_what_is_not_shared_are_told(scene, session):
    note = factories_sharing.note(scene.visit)
    own = scene.client("own")
    page = f"/sharing/notes/{note.public_id}"
    _post(own, f"{page}/shares", {"level": "allies"})
    _post(own, f"{page}/shares", {"level": "allies"})
    assert "The note is already shared at this level" in text_of(own.get(page))
    _post(own, f"{page}/shares/revoke", {"level": "inspector"})
    assert "The note is not shared at this level" in text_of(own.get(page))
    assert _post(own, f"{page}/shares/revoke", {"level": "nonsense"}).status_code == 404
    assert _shares(session) == 1


def test_another_councils_user_cannot_change_the_levels(scene, session):
    note = factories_sharing.note(scene.visit)
    factories_sharing.share(note, ShareLevel.HOST)
    host = scene.client("host")
    page = f"/sharing/notes/{note.public_id}"
    assert _post(host, f"{page}/shares", {"level": "allies"}).status_code == 404
    assert _post(host, f"{page}/shares/revoke", {"level": "host"}).status_code == 404
    assert _shares(session, NoteShare.revoked_at.is_(None)) == 1


# --- the API ------------------------------------------------------------------------------


def test_the_api_lists_adds_and_revokes_shares(scene, session, app_context):
    note = factories_sharing.note(scene.visit)
    _, secret = factories.api_token(scene.user("own"), TokenScope.RECORD)
    api = app_context.test_client()
    path = f"/api/v1/notes/{note.public_id}/shares"
    added = api.post(path, headers=bearer(secret), json={"level": "host"})
    assert added.status_code == 201, added.get_json()
    assert added.get_json() | {"shared_at": None} == {
        "level": "host",
        "shared_at": None,
        "revoked_at": None,
        "live": True,
        "host_consented": False,
    }
    assert api.post(path, headers=bearer(secret), json={"level": "host"}).status_code == 409
    revoked = api.delete(f"{path}/host", headers=bearer(secret))
    assert revoked.status_code == 200 and revoked.get_json()["live"] is False
    assert api.delete(f"{path}/host", headers=bearer(secret)).status_code == 409
    assert api.delete(f"{path}/everyone", headers=bearer(secret)).status_code == 404
    listed = api.get(path, headers=bearer(secret)).get_json()
    assert listed["note"] == note.public_id and listed["good_practice"] == []
    assert [(share["level"], share["live"]) for share in listed["shares"]] == [("host", False)]
    # A read token reads, and may not share.
    _, reader = factories.api_token(scene.user("own"), TokenScope.READ)
    assert api.get(path, headers=bearer(reader)).status_code == 200
    assert api.post(path, headers=bearer(reader), json={"level": "allies"}).status_code == 403
    # Another council's record token finds no such note.
    _, host_secret = factories.api_token(scene.user("host"), TokenScope.RECORD)
    for response in (
        api.get(path, headers=bearer(host_secret)),
        api.post(path, headers=bearer(host_secret), json={"level": "allies"}),
        api.delete(f"{path}/host", headers=bearer(host_secret)),
    ):
        assert response.status_code == 404
        assert scene.visitor.name not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "level", "Select who to share the note with"),
        ({"level": None}, "level", "Select who to share the note with"),
        ({"level": 3}, "level", "Select who to share the note with"),
        ({"level": "everyone"}, "level", "Select the host, all allies or inspectors"),
        ({"level": "network_good_practice"}, "level", "good-practice copy"),
        ({"level": "host", "extra": 1}, "extra", "Unknown field"),
        ({"level": "a\x00b"}, "level", "null character"),
    ],
)
def test_bad_api_bodies_are_a_422_naming_the_field(
    scene, session, app_context, body, field, message
):
    note = factories_sharing.note(scene.visit)
    _, secret = factories.api_token(scene.user("own"), TokenScope.RECORD)
    response = app_context.test_client().post(
        f"/api/v1/notes/{note.public_id}/shares", headers=bearer(secret), json=body
    )
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["errors"][0]
    assert error["field"] == field and message in error["message"]
    assert _shares(session) == 0


def test_share_events_name_no_host_and_show_only_their_kind_to_the_network(scene, session):
    note = factories_sharing.note(scene.visit)
    _post(scene.client("own"), f"/sharing/notes/{note.public_id}/shares", {"level": "host"})
    for event in _events(session, "note_share_added"):
        assert scene.host.name not in str(event.details)
    assert audit.network_details("note_share_added", {"note": "x", "level": "host"}) == {}


def test_query_counts_do_not_grow_with_notes(app_context, sign_in_as, session):
    """Notes from 2 allies or 9: the same reads for each page that lists them."""
    from sqlalchemy import event

    from bench.models import Role

    def statements(size, who, path):
        reader = factories.authority(name="Reading Council")
        inspector = sign_in_as(Role.INSPECTOR)
        client = sign_in_as(Role.STAFF, reader) if who == "ally" else inspector
        for number in range(size):
            visitor = factories.authority(name=f"Visiting {number}")
            factories.alliance(visitor, reader)
            factories.grant(inspector.user, visitor)
            note = factories_sharing.note(factories_sharing.visit(visitor, reader), "Text.")
            for level in (ShareLevel.HOST, ShareLevel.INSPECTOR):
                factories_sharing.share(note, level)
            factories_sharing.good_practice(title=f"Item {number}")
        count = 0

        def counter(_connection, _cursor, statement, *_args):
            # Each note an inspector reads is one audit event: those rows are the point.
            nonlocal count
            count += not statement.startswith("INSERT INTO audit_events")

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", counter)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(connection, "before_cursor_execute", counter)
        return count

    for who, path in (
        ("ally", "/sharing/with-us"),
        ("ally", "/sharing/good-practice"),
        ("inspector", "/sharing/inspected"),
    ):
        assert statements(2, who, path) == statements(9, who, path), path


def test_note_text_and_titles_render_inert_on_every_sharing_page(scene, session):
    xss = '<script>alert("x")</script><img src=x onerror=alert(1)> [a](javascript:alert(1))'
    visit = factories_sharing.visit(scene.visitor, scene.host, title=xss)
    note = factories_sharing.note(visit, xss)
    for level in (ShareLevel.HOST, ShareLevel.INSPECTOR):
        factories_sharing.share(note, level)
    pages = [
        scene.client("own").get(f"/sharing/notes/{note.public_id}"),
        scene.client("own").get(f"/sharing/notes/{note.public_id}/responses"),
        scene.client("own").get(f"/sharing/notes/{note.public_id}/good-practice"),
        scene.client("host").get("/sharing/with-us"),
        scene.client("host").get(f"/sharing/notes/{note.public_id}/responses"),
        scene.client("inspector").get("/sharing/inspected"),
    ]
    for page in pages:
        assert page.status_code == 200
        check_page(page)
        html = page.get_data(as_text=True)
        assert "&lt;script&gt;" in html
        assert "<script>alert" not in html and "<img" not in html
        assert 'href="javascript' not in html
