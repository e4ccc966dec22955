"""Carrying unfinished actions into the next review, with their history (issue 11: "an
unfinished action is carried into the next review with its history").

Carrying makes a new action in the new review for each open or in-progress action of the
previous review, pointing back at it; the old one becomes carried forward. Carrying
again carries nothing more. The action's page shows the whole chain.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bench.actions import service
from bench.errors import Conflict, NotFound
from bench.models import (
    ActionStatus,
    AuditEvent,
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
def cycle(app_context, sign_in_as):
    """Last year's review with four actions (open, in progress, done, dropped) and this
    year's review after it."""
    authority = factories.authority(name="Carryshire Council")
    client = sign_in_as(Role.STAFF, authority, name="Casey Staff")

    class Cycle:
        pass

    found = Cycle()
    found.authority, found.client, found.user = authority, client, client.user
    found.last = made.review(authority, title="Adults *2025*")
    found.this = made.review(authority, title="Adults 2026", previous_review_id=found.last.id)
    found.open = made.action(
        authority, description="Open one", review_id=found.last.id, rag=Rag.RED, owner="Olu Owner"
    )
    found.going = made.action(
        authority,
        description="Going one",
        review_id=found.last.id,
        status=ActionStatus.IN_PROGRESS,
        owner="",
        owner_user_id=client.user.id,
    )
    found.done = made.action(
        authority, description="Done one", review_id=found.last.id, status=ActionStatus.DONE
    )
    found.dropped = made.action(
        authority, description="Dropped one", review_id=found.last.id, status=ActionStatus.DROPPED
    )
    return found


def _in_review(session, review):
    return session.scalars(
        select(FollowUpAction)
        .where(FollowUpAction.review_id == review.id)
        .order_by(FollowUpAction.id)
    ).all()


def test_the_list_offers_to_carry_and_carrying_twice_carries_once(cycle, session):
    listing = cycle.client.get("/actions/")
    check_page(listing)
    text = text_of(listing)
    assert "2 unfinished actions of Adults *2025* can be carried forward into Adults 2026" in text
    path = f"/actions/carry/{cycle.this.public_id}"
    response = post_form(cycle.client, path, {}, form_page="/actions/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/actions/?review={cycle.this.public_id}"
    after = cycle.client.get(response.headers["Location"])
    check_page(after)
    assert "2 unfinished actions carried forward from Adults *2025*" in text_of(after)
    assert "can be carried forward" not in text_of(after)

    new = _in_review(session, cycle.this)
    assert [(a.description, a.status, a.rag) for a in new] == [
        ("Open one", ActionStatus.OPEN, Rag.RED),
        ("Going one", ActionStatus.IN_PROGRESS, None),
    ]
    assert [a.carried_from_id for a in new] == [cycle.open.id, cycle.going.id]
    assert (new[0].owner, new[1].owner_user_id) == ("Olu Owner", cycle.user.id)
    for action in new:
        [first] = action.updates
        assert first.note_md == r"Carried forward from Adults \*2025\*"
        assert first.by_id == cycle.user.id
    session.expire_all()
    for old in (cycle.open, cycle.going):
        old = session.get(FollowUpAction, old.id)
        assert old.status is ActionStatus.CARRIED_FORWARD
        assert old.updates[-1].note_md == "Carried forward into Adults 2026"
        assert old.updates[-1].status is ActionStatus.CARRIED_FORWARD
    for finished in (cycle.done, cycle.dropped):
        assert session.get(FollowUpAction, finished.id).status is finished.status

    again = post_form(cycle.client, path, {}, form_page="/actions/")
    assert again.status_code == 302
    told = text_of(cycle.client.get(again.headers["Location"]))
    assert "Nothing to carry: every action of Adults *2025* is finished" in told
    assert len(_in_review(session, cycle.this)) == 2
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "action_carried_forward")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.details["carried_from"] for e in events] == [
        cycle.open.public_id,
        cycle.going.public_id,
    ]
    assert all("Open one" not in str(e.details) for e in events)


def test_carry_into_is_there_for_a_review_being_created(cycle, session):
    """The reviews service calls carry_into inside its own unit of work; calling it again
    finds nothing left to carry."""
    carried = service.carry_into(cycle.user, cycle.this)
    assert [a.description for a in carried] == ["Open one", "Going one"]
    assert service.carry_into(cycle.user, cycle.this) == []
    assert service.carry_forward(cycle.user, cycle.this.public_id).actions == []


def test_the_page_shows_the_whole_chain_in_order(cycle, session):
    service.carry_forward(cycle.user, cycle.this.public_id)
    middle = next(a for a in _in_review(session, cycle.this) if a.description == "Open one")
    service.post_update(cycle.user, middle.public_id, {"lock_version": 1, "note": "Halfway there"})
    next_year = made.review(cycle.authority, title="Adults 2027", previous_review_id=cycle.this.id)
    service.carry_forward(cycle.user, next_year.public_id)
    latest = next(a for a in _in_review(session, next_year) if a.description == "Open one")

    page = cycle.client.get(f"/actions/{latest.public_id}")
    check_page(page)
    text = text_of(page)
    assert "Carried from earlier reviews" in text
    # Oldest first: last year's action, then this year's, each with its own history.
    order = [
        "Adults *2025*: Open one",
        "Added as open, rated red",
        "Carried forward into Adults 2026",
        "Adults 2026: Open one",
        "Carried forward from Adults *2025*",
        "Halfway there",
        "Carried forward into Adults 2027",
    ]
    positions = [text.index(words, text.index("Carried from earlier reviews")) for words in order]
    assert positions == sorted(positions)
    assert "Carried forward from Adults 2026" in text[: text.index("Carried from earlier")]

    _, secret = factories.api_token(cycle.user, TokenScope.READ)
    body = (
        cycle.client.application.test_client()
        .get(f"/api/v1/actions/{latest.public_id}", headers=bearer(secret))
        .get_json()
    )
    assert [link["id"] for link in body["chain"]] == [cycle.open.public_id, middle.public_id]
    assert [u["note"] for u in body["chain"][1]["updates"]] == [
        r"Carried forward from Adults \*2025\*",
        "Halfway there",
        "Carried forward into Adults 2027",
    ]
    assert body["carried_from"] == middle.public_id
    assert body["chain"][0]["carried_into"] == middle.public_id


def test_a_carried_action_takes_no_more_updates(cycle, session):
    service.carry_forward(cycle.user, cycle.this.public_id)
    page = cycle.client.get(f"/actions/{cycle.open.public_id}")
    check_page(page)
    text = text_of(page)
    assert "This action was carried forward into a later review" in text
    assert "Post an update" not in text
    with pytest.raises(Conflict):
        service.post_update(
            cycle.user, cycle.open.public_id, {"lock_version": 2, "note": "Too late"}
        )
    assert "Carried forward" in text_of(cycle.client.get("/actions/?show=finished"))


def test_a_review_without_a_previous_one_has_nothing_to_carry(cycle, session):
    response = post_form(
        cycle.client, f"/actions/carry/{cycle.last.public_id}", {}, form_page="/actions/"
    )
    assert response.status_code == 302
    assert "no previous review to carry actions from" in text_of(
        cycle.client.get(response.headers["Location"])
    )


def test_another_authoritys_review_cannot_be_carried(cycle, session):
    stranger = factories.authority()
    earlier = made.review(stranger)
    theirs = made.review(stranger, previous_review_id=earlier.id)
    made.action(stranger, review_id=earlier.id)
    response = post_form(
        cycle.client, f"/actions/carry/{theirs.public_id}", {}, form_page="/actions/"
    )
    assert response.status_code == 404
    with pytest.raises(NotFound):
        service.carry_into(cycle.user, theirs)
    assert _in_review(session, theirs) == []
