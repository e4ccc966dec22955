"""Search finds only what its user may read, and names a host only to those who may know it.

A unique word is planted in a note; for each reader the page and the API either find it,
or answer exactly as they do for a word that is nowhere (no result, no snippet, a count of
0, a "no results" page identical in shape). bench.visits.visibility is the rule; DESIGN.md
Anonymity 1, 7 and 14 and the issue's "Sharing, per note" are the source.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bench.models import AuditEvent, GoodPracticeStatus, Role, ShareLevel, utcnow
from tests import factories
from tests import factories_search as fs
from tests.pages import check_page

PLANTED = "zorblaxian"
NOWHERE = "quuxvelder"  # as long as PLANTED, in no document


@pytest.fixture
def world(app_context, sign_in_as):
    """A visiting council with two allies (one it visited) and a stranger; a searcher for
    each, and inspectors with a current, an expired and no grant for the visitor."""
    own = factories.authority(name="Ownshire Council")
    host = factories.authority(name="Hostshire Council", gss_code="E10000099")
    ally = factories.authority(name="Allyshire Council")
    other = factories.authority(name="Othershire Council")
    factories.alliance(own, host)
    factories.alliance(own, ally)
    api = app_context.test_client()

    def searcher(role, authority=None):
        return fs.Searcher(sign_in_as(role, authority), api)

    inspectors = {name: searcher(Role.INSPECTOR) for name in ("granted", "expired", "none")}
    factories.grant(inspectors["granted"].user, own)
    past = datetime.now(UTC) - timedelta(days=40)
    factories.grant(
        inspectors["expired"].user, own, starts_at=past, expires_at=past + timedelta(days=30)
    )
    return SimpleNamespace(
        own=own,
        host=host,
        ally=ally,
        other=other,
        visit=fs.visit(own, host, title="Visit to Hostshire Council"),
        readers={
            "own": searcher(Role.STAFF, own),
            "host": searcher(Role.STAFF, host),
            "ally": searcher(Role.ANALYST, ally),
            "other": searcher(Role.AUTHORITY_ADMIN, other),
            **{f"inspector {name}": reader for name, reader in inspectors.items()},
        },
        admin=searcher(Role.NETWORK_ADMIN),
    )


def assert_not_found(reader, words=PLANTED):
    """No result, snippet or count, and the same page as for a word that is nowhere."""
    assert reader.found(words) == []
    body = reader.api(words).get_json()
    assert (body["total"], body["items"], body["next"]) == (0, [], None)
    planted, nowhere = reader.page(words), reader.page(NOWHERE)
    check_page(planted)
    assert fs.shape(planted, words) == fs.shape(nowhere, NOWHERE)


def assert_found(reader, words=PLANTED):
    items = reader.found(words)
    assert len(items) == 1, items
    return items[0]


def check(world, finders):
    for name, reader in world.readers.items():
        try:
            if name in finders:
                assert_found(reader)
            else:
                assert_not_found(reader)
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from None
    # Network admins may not search at all.
    assert world.admin.page(PLANTED).status_code == 403
    assert world.admin.api(PLANTED).status_code == 403


def test_a_private_note_is_found_by_its_own_council_only(world):
    fs.note(world.visit, f"The {PLANTED} rota works well.")
    check(world, {"own"})


def test_shared_with_the_host_the_host_finds_it_and_no_other_ally(world):
    fs.note(world.visit, f"The {PLANTED} rota works well.", shared_with=(ShareLevel.HOST,))
    check(world, {"own", "host"})


def test_shared_with_all_allies_every_ally_finds_it_while_allied(world):
    note = fs.note(world.visit, f"The {PLANTED} rota.", shared_with=(ShareLevel.ALLIES,))
    check(world, {"own", "host", "ally"})
    # The alliance with Allyshire ends: the note is hidden from it again.
    fs.end_alliance(world.own, world.ally)
    check(world, {"own", "host"})
    # The share is revoked: the host no longer finds it either.
    fs.revoke(note, ShareLevel.ALLIES)
    check(world, {"own"})


def test_shared_with_inspectors_only_a_current_grant_finds_it(world, session):
    fs.note(world.visit, f"The {PLANTED} rota.", shared_with=(ShareLevel.INSPECTOR,))
    check(world, {"own", "inspector granted"})
    # Each search that showed the note is a use of the grant in Ownshire's audit log;
    # searches that found nothing left no trace.
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "grant_used").order_by(AuditEvent.id)
    ).all()
    inspector = world.readers["inspector granted"].user
    assert events and {(e.actor_id, e.authority_id) for e in events} == {
        (inspector.id, world.own.id)
    }
    assert {event.details["page"] for event in events} == {"search"}


def test_a_deleted_note_is_found_by_no_one(world, session):
    note = fs.note(world.visit, f"The {PLANTED} rota.", shared_with=tuple(ShareLevel))
    note.deleted_at = utcnow()
    session.commit()
    check(world, set())


def test_updates_and_actions_are_their_own_councils_only(world):
    review = fs.review(world.own)
    fs.review_update(review, f"We are considering a {PLANTED} pilot.")
    check(world, {"own"})


def test_actions_are_their_own_councils_only(world):
    fs.action(world.own, f"Pilot the {PLANTED} rota in two teams")
    check(world, {"own"})


def test_good_practice_is_for_everyone_once_out(world, session):
    item = fs.good_practice("An item", f"A {PLANTED} rota.", status=GoodPracticeStatus.SCHEDULED)
    check(world, set())  # scheduled: not out yet
    for status, published_on, finders in (
        # Published for a release round still to come.
        (GoodPracticeStatus.PUBLISHED, date.today() + timedelta(days=2), set()),
        # Out: every authority user and inspector, whoever wrote it.
        (GoodPracticeStatus.PUBLISHED, date.today() - timedelta(days=1), set(world.readers)),
        (GoodPracticeStatus.WITHDRAWN, date.today() - timedelta(days=1), set()),
    ):
        item = fs.fresh(item)
        item.status, item.published_on = status, published_on
        session.commit()
        check(world, finders)
        if finders:
            found = assert_found(world.readers["other"])
            assert found["url"] == f"/sharing/good-practice/{item.public_id}"


def test_a_copy_waiting_for_a_release_round_is_found_once_it_is_dated_and_out(world, session):
    # Scheduled with no round set yet: no date, so nothing to index until it gets one.
    item = fs.good_practice(
        "A waiting item",
        f"A {PLANTED} rota.",
        status=GoodPracticeStatus.SCHEDULED,
        published_on=None,
    )
    check(world, set())
    item = fs.fresh(item)
    item.status, item.published_on = GoodPracticeStatus.PUBLISHED, date.today()
    session.commit()
    check(world, set(world.readers))


# --- the host's name ----------------------------------------------------------------


HOST_WORDS = ("Hostshire", "Hostshire Council", "E10000099")


def _names_host(text):
    return any(name.lower() in text.lower() for name in HOST_WORDS)


def test_the_host_is_named_only_to_those_who_may_know_it(world, session):
    fs.note(
        world.visit,
        f"Hostshire Council runs the {PLANTED} rota; ask Hostshire's lead (E10000099).",
        shared_with=(ShareLevel.ALLIES, ShareLevel.INSPECTOR),
    )
    readers = world.readers
    # The visiting council and the host itself: matched and shown by name.
    for name in ("own", "host"):
        assert_found(readers[name], "Hostshire")
        item = assert_found(readers[name])
        assert item["title"] == "Visit to Hostshire Council: What they do differently"
        assert "Hostshire" in item["snippet"]
    # Another ally, and an inspector the host has not consented to: the name is never
    # matched, and never shown in a title, snippet or anywhere on the page.
    for name in ("ally", "inspector granted"):
        for words in HOST_WORDS:
            assert_not_found(readers[name], words)
        item = assert_found(readers[name])
        assert item["title"] == "Visit to [the host council]: What they do differently"
        assert not _names_host(item["snippet"] + item["snippet_html"])
        assert "[the host council]" in item["snippet"]
        page = readers[name].page(PLANTED)
        assert not _names_host(page.get_data(as_text=True))


def test_an_inspector_sees_the_host_named_with_its_consent(world):
    fs.note(
        world.visit,
        f"Hostshire runs the {PLANTED} rota.",
        shared_with=(ShareLevel.HOST, ShareLevel.INSPECTOR),
        host_consented=True,
    )
    inspector = world.readers["inspector granted"]
    assert "Hostshire" in assert_found(inspector, "Hostshire")["snippet"]


def test_consent_counts_only_while_the_host_can_read_the_note(world):
    # Consent given while shared with the host; the host share is gone (never made here),
    # so the inspector searches and reads the text with the host's names taken out.
    fs.note(
        world.visit,
        f"Hostshire runs the {PLANTED} rota.",
        shared_with=(ShareLevel.INSPECTOR,),
        host_consented=True,
    )
    inspector = world.readers["inspector granted"]
    assert "Hostshire" not in assert_found(inspector)["snippet"]
    assert_not_found(inspector, "Hostshire")


def test_after_the_alliance_ends_the_visitor_no_longer_names_its_former_host(world):
    fs.note(world.visit, f"Hostshire runs the {PLANTED} rota.")
    fs.end_alliance(world.own, world.host)
    own = world.readers["own"]
    assert_not_found(own, "Hostshire")
    item = assert_found(own)
    assert item["title"].startswith("Visit to [the host council]")
    assert not _names_host(item["snippet"])
