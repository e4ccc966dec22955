"""Who may read a note, and how the host is named to each reader (issue 11's visibility
matrix, for the note's page and the API; DESIGN.md, Anonymity 1, 7 and 8).

Sharing rows are made by a factory (the pages that share are another area's). Every
reader is tried on every sharing level: own authority, the host (an ally), another ally,
a peer that is no one's ally, an inspector with a current grant, without one and with an
expired one, and a network admin; with the host's and the other ally's alliances current,
then ended. Where a reader may not see the host's name, it appears nowhere in what they
get: not its full name, not its short name, not its GSS code.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bench.models import AuditEvent, Role, ShareLevel, TokenScope, utcnow
from tests import factories, factories_visits
from tests.factories_visits import bearer
from tests.pages import check_page, text_of

OWN_NAMED = "named"  # the host's own name, as the visiting authority sees it while allied
READERS = (
    "own",
    "host",
    "ally",
    "peer",
    "inspector",
    "inspector_without_grant",
    "inspector_expired_grant",
    "network_admin",
)
# case -> {reader: the host's label they see}; any reader missing finds nothing (404).
CASES = {
    "own authority only": {"own": OWN_NAMED},
    "shared with the host": {"own": OWN_NAMED, "host": "your council"},
    "shared with all allies": {"own": OWN_NAMED, "host": "your council", "ally": "an ally"},
    "shared with inspectors": {"own": OWN_NAMED, "inspector": "an ally"},
    "shared with inspectors and the host, host consented": {
        "own": OWN_NAMED,
        "host": "your council",
        "inspector": OWN_NAMED,
    },
    # Consent counts while the host can read the note: not once its share is revoked.
    "host consented, then its share revoked": {"own": OWN_NAMED, "inspector": "an ally"},
    "host share revoked": {"own": OWN_NAMED},
    "shared with the host, alliance ended": {"own": "a former ally"},
    "shared with all allies, the other ally's alliance ended": {
        "own": OWN_NAMED,
        "host": "your council",
    },
    "shared with everyone, both alliances ended": {"own": "a former ally", "inspector": "an ally"},
}


@pytest.fixture
def world(app_context, sign_in_as):
    net = factories_visits.Network()
    now = utcnow()
    people = {
        "own": (Role.STAFF, net.own),
        "host": (Role.STAFF, net.host),
        "ally": (Role.ANALYST, net.ally),
        "peer": (Role.AUTHORITY_ADMIN, net.peer),
        "inspector": (Role.INSPECTOR, None),
        "inspector_without_grant": (Role.INSPECTOR, None),
        "inspector_expired_grant": (Role.INSPECTOR, None),
        "network_admin": (Role.NETWORK_ADMIN, None),
    }
    net.clients, net.tokens = {}, {}
    for reader, (role, authority) in people.items():
        client = sign_in_as(role, authority)
        net.clients[reader] = client
        net.tokens[reader] = factories.api_token(client.user, TokenScope.READ)[1]
    factories.grant(net.clients["inspector"].user, net.own)
    factories.grant(
        net.clients["inspector_expired_grant"].user,
        net.own,
        starts_at=now - timedelta(days=40),
        expires_at=now - timedelta(days=10),
    )
    # A grant for another council does not open this one's notes.
    factories.grant(net.clients["inspector_without_grant"].user, net.peer)
    net.visit = factories_visits.visit(
        net.own, net.host, title=f"Visit to {net.host.name}", people="Hostbury's director"
    )
    author = net.clients["own"].user
    net.note = factories_visits.note(
        net.visit, body="Early words about Hostbury's finances", author=author
    )
    factories_visits.revise(
        net.note,
        f"**{net.host.name}** ({net.host.gss_code}) triages weekly; hostbury's lead agreed.",
        author,
    )
    net.api = app_context.test_client()
    return net


HOST, ALLIES, INSPECTOR = ShareLevel.HOST, ShareLevel.ALLIES, ShareLevel.INSPECTOR
REVOKED, CONSENTED = "revoked", "consented"
# case -> (shares, alliances ended)
SETUP = {
    "own authority only": ([], []),
    "shared with the host": ([HOST], []),
    "shared with all allies": ([ALLIES], []),
    "shared with inspectors": ([INSPECTOR], []),
    "shared with inspectors and the host, host consented": (
        [HOST, (INSPECTOR, CONSENTED)],
        [],
    ),
    "host consented, then its share revoked": ([(HOST, REVOKED), (INSPECTOR, CONSENTED)], []),
    "host share revoked": ([(HOST, REVOKED)], []),
    "shared with the host, alliance ended": ([HOST], ["host"]),
    "shared with all allies, the other ally's alliance ended": ([ALLIES], ["ally"]),
    "shared with everyone, both alliances ended": ([HOST, ALLIES, INSPECTOR], ["host", "ally"]),
}


def _share(world, case):
    shares, ended = SETUP[case]
    for share in shares:
        level, how = share if isinstance(share, tuple) else (share, None)
        fields = {}
        if how == REVOKED:
            fields["revoked_at"] = utcnow()
        if how == CONSENTED:
            fields["host_consented_at"] = utcnow()
        factories_visits.share(world.note, level, **fields)
    for side in ended:
        factories_visits.end_alliance(getattr(world, f"{side}_alliance"))


def _host_words(world):
    return [world.host.name, "Hostbury", "hostbury", world.host.gss_code]


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_every_reader_on_every_sharing_level(world, session, case):
    _share(world, case)
    expected = CASES[case]
    path = f"/visits/notes/{world.note.public_id}"
    failures = []
    for reader in READERS:
        page = world.clients[reader].get(path)
        api = world.api.get(
            f"/api/v1{path.removeprefix('/visits')}", headers=bearer(world.tokens[reader])
        )
        refused = 403 if reader == "network_admin" else 404
        if reader not in expected:
            if (page.status_code, api.status_code) != (refused, refused):
                failures.append(
                    f"{reader}: {page.status_code}/{api.status_code}, expected {refused}"
                )
            if reader != "host":  # whose own name heads its every page
                for words in _host_words(world):
                    assert words not in page.get_data(as_text=True), (reader, words)
            continue
        if (page.status_code, api.status_code) != (200, 200):
            failures.append(f"{reader}: {page.status_code}/{api.status_code}, expected 200")
            continue
        check_page(page)
        label = world.host.name if expected[reader] == OWN_NAMED else expected[reader]
        shown = api.get_json()
        assert shown["host"]["label"] == label, reader
        text = text_of(page)
        assert label in text, reader
        named = expected[reader] in (OWN_NAMED, "your council")
        body = page.get_data(as_text=True) + api.get_data(as_text=True)
        if named:
            assert shown["visit_title"] == f"Visit to {world.host.name}", reader
            assert "Hostbury" in shown["body"] and "hostbury's lead" in shown["body"], reader
        else:
            # The name is taken out of the title and the text, in every form, everywhere.
            for words in _host_words(world):
                assert words not in body, (reader, words)
            assert shown["visit_title"] == "Visit to [the host council]", reader
            assert "[the host council]" in shown["body"] and "[the host council]" in text
            assert shown["host"]["gss_code"] is None
        own = reader == "own"
        # Earlier revisions are the visiting council's working record only.
        assert len(shown["revisions"]) == (2 if own else 1), reader
        assert ("Early words" in body) is own, reader
        assert (shown["visit"] is not None) is own, reader
        assert ("Edit the note" in text) is own, reader
        assert shown["recorded_by"] == world.own.name
    assert failures == []


def test_an_inspectors_reads_are_in_the_councils_audit_log(world, session):
    factories_visits.share(world.note, ShareLevel.INSPECTOR)
    inspector = world.clients["inspector"]
    assert inspector.get(f"/visits/notes/{world.note.public_id}").status_code == 200
    response = world.api.get(
        f"/api/v1/notes/{world.note.public_id}", headers=bearer(world.tokens["inspector"])
    )
    assert response.status_code == 200
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "note_read_under_grant")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.authority_id) for e in events] == [(inspector.user.id, world.own.id)] * 2
    assert all(e.details == {"note": world.note.public_id} for e in events)
    # Readers who are not inspectors leave no such event.
    world.clients["own"].get(f"/visits/notes/{world.note.public_id}")
    assert (
        len(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == "note_read_under_grant")
            ).all()
        )
        == 2
    )


def test_a_deleted_note_is_read_by_no_one(world, session):
    for level in (ShareLevel.HOST, ShareLevel.ALLIES, ShareLevel.INSPECTOR):
        factories_visits.share(world.note, level)
    factories_visits.delete(world.note)
    for reader in ("own", "host", "ally", "inspector"):
        response = world.clients[reader].get(f"/visits/notes/{world.note.public_id}")
        assert response.status_code == 404, reader


def test_the_visit_page_is_the_visiting_councils_only(world, session):
    for level in (ShareLevel.HOST, ShareLevel.ALLIES):
        factories_visits.share(world.note, level)
    path = f"/visits/{world.visit.public_id}"
    assert world.clients["own"].get(path).status_code == 200
    for reader in ("host", "ally", "peer"):
        assert world.clients[reader].get(path).status_code == 404, reader
    assert world.clients["inspector"].get(path).status_code == 403
    for reader in ("host", "ally"):
        response = world.api.get(f"/api/v1{path}", headers=bearer(world.tokens[reader]))
        assert response.status_code == 404, reader


def test_the_visiting_council_stops_seeing_the_name_when_the_alliance_ends(world, session):
    own = world.clients["own"]
    assert world.host.name in text_of(own.get("/visits/"))
    factories_visits.end_alliance(world.host_alliance)
    for path in (
        "/visits/",
        f"/visits/{world.visit.public_id}",
        f"/visits/notes/{world.note.public_id}",
        f"/visits/notes/{world.note.public_id}/edit",
        f"/visits/notes/{world.note.public_id}/revisions",
        f"/visits/notes/{world.note.public_id}/revisions/1",
        f"/visits/notes/{world.note.public_id}/revisions/2",
        f"/visits/{world.visit.public_id}/edit",
    ):
        response = own.get(path)
        assert response.status_code == 200, path
        check_page(response)
        body = response.get_data(as_text=True)
        for words in _host_words(world):
            assert words not in body, (path, words)
    assert "a former ally" in text_of(own.get("/visits/"))
    api = world.api.get(
        f"/api/v1/visits/{world.visit.public_id}", headers=bearer(world.tokens["own"])
    )
    assert api.get_json()["host"] == {"label": "a former ally", "gss_code": None}
    for words in _host_words(world):
        assert words not in api.get_data(as_text=True)
