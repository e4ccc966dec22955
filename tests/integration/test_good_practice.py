"""Good practice for the whole network (issue 11: "an edited copy with attribution
removed, published in the next release round, after the author confirms a checklist of
identifying details; nothing links the copy back except for its own authority").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bench import audit
from bench.dates import LONDON
from bench.models import (
    AuditEvent,
    GoodPracticeItem,
    GoodPracticeSource,
    GoodPracticeStatus,
    KeyArea,
    Role,
    ShareLevel,
    TokenScope,
    utcnow,
)
from bench.sharing import goodpractice
from tests import factories, factories_sharing
from tests.factories_sharing import Scene
from tests.pages import check_page, csrf_token, text_of

NOTE = "Hostbury Council triages every referral on the day, with a duty social worker."
CLEAN = "Triage every referral on the day it arrives, with a duty social worker on call."
TICKED = {
    "no_place_names": "y",
    "no_service_names": "y",
    "no_staff_names": "y",
    "no_matching_figures": "y",
}
CHECKED = re.compile(r'name="checked" type="hidden" value="([0-9a-f]*)"')


@pytest.fixture
def scene(app_context, sign_in_as):
    return Scene(sign_in_as)


@pytest.fixture
def note(scene):
    return factories_sharing.note(scene.visit, NOTE)


@pytest.fixture
def release(session):
    """The next release round: in five days, at 09:30 UTC."""
    moment = (utcnow() + timedelta(days=5)).replace(hour=9, minute=30, second=0, microsecond=0)
    factories.period("2025-26", released_at=moment)
    return moment.astimezone(LONDON).date()


def _path(note):
    return f"/sharing/notes/{note.public_id}/good-practice"


def _submit(client, note, *, schedule=False, **data):
    form = {"title": "Same-day triage", "body": CLEAN, **data}
    form["schedule" if schedule else "check"] = "Go"
    return client.post(_path(note), data={**form, "csrf_token": csrf_token(client, _path(note))})


def _items(session):
    return session.scalars(select(GoodPracticeItem).order_by(GoodPracticeItem.id)).all()


def _publish(scene, session, note, **data):
    """Schedule a clean copy; returns the item."""
    response = _submit(scene.client("own"), note, schedule=True, **TICKED, **data)
    assert response.status_code == 302, text_of(response)
    return _items(session)[-1]


def test_the_copy_starts_from_the_note_and_must_be_edited(scene, session, note, release):
    own = scene.client("own")
    page = own.get(_path(note))
    check_page(page)
    html = page.get_data(as_text=True)
    assert NOTE in html and "Visit to Hostbury: What they do differently" in html
    assert f"It will appear on {release:%-d %B %Y}" in text_of(page)
    unedited = _submit(own, note, schedule=True, body=NOTE, **TICKED)
    assert unedited.status_code == 200
    text = text_of(unedited)
    assert "Error:" in text and "it is still the note's text word for word" in text
    assert "“Hostbury Council” names a council" in text
    assert _items(session) == []


@pytest.mark.parametrize(
    ("body", "finding"),
    [
        ("As they do in Hostbury, triage on the day.", "“Hostbury” names a council"),
        ("Ask visitshire council how.", "“visitshire council” names a council"),
        ("Their code is {code}.", "“{code}” names a council"),
        ("Write to duty.team@example.gov.uk for the form.", "is an email address"),
        ("Ring 01632 960 123 to ask.", "“01632 960 123” is a phone number"),
        ("Ring +44 20 7946 0000 to ask.", "is a phone number"),
    ],
)
def test_hard_findings_block_publishing(scene, session, note, release, body, finding):
    body = body.format(code=scene.host.gss_code)
    finding = finding.format(code=scene.host.gss_code)
    response = _submit(scene.client("own"), note, schedule=True, body=body, **TICKED)
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    assert finding in text
    assert "Take out the identifying details the check found before publishing (1 found)" in text
    assert _items(session) == []


def test_every_checklist_line_must_be_confirmed(scene, session, note, release):
    response = _submit(scene.client("own"), note, schedule=True, no_staff_names="y")
    assert response.status_code == 200
    text = text_of(response)
    assert "Confirm that the copy names no place" in text
    assert "Confirm that the copy names no service or product" in text
    assert "Confirm that the copy names no member of staff" not in text
    assert "Confirm that no figure in the copy matches a published value" in text
    assert _items(session) == []


def test_warnings_are_shown_before_the_copy_is_scheduled(scene, session, note, release):
    indicator = factories.indicator(decimals=1)
    factories.value(scene.visitor, indicator, factories.period("2023-24"), value=72.46)
    body = f"{CLEAN} Jane Smith set it up; it reached 72.5% (see https://example.org/x)."
    own = scene.client("own")
    first = _submit(own, note, schedule=True, body=body, **TICKED)
    assert first.status_code == 200
    text = text_of(first)
    assert "The check found details that may identify" in text
    for words in (
        "“Jane Smith” may name a person or a service",
        "“72.5” matches a published figure",
        "“https://example.org/x” is a web address",
    ):
        assert words in text
    assert _items(session) == []
    seen = CHECKED.search(first.get_data(as_text=True)).group(1)
    second = _submit(own, note, schedule=True, body=body, checked=seen, **TICKED)
    assert second.status_code == 302
    assert len(_items(session)) == 1
    # Text changed after the check: its warnings are shown again first.
    third = _submit(own, note, schedule=True, body=body + " More.", checked=seen, **TICKED)
    assert third.status_code == 200 and len(_items(session)) == 1


def test_the_figure_check_is_no_oracle_on_the_hosts_figures(scene, session, note, release):
    """Motivated intruder: the "matches a published figure" warning must not tell a
    visitor whether a number is the host's network-only or not-yet-released figure. It
    checks the writer's own figures and the host's figures that are public under its name
    (a public indicator past its release), nothing else."""
    private = factories.indicator(decimals=1)
    public = factories.indicator(decimals=1, is_public=True)
    released, coming = factories.period("2023-24"), factories.period("2024-25", released=False)
    past, future = utcnow() - timedelta(days=30), utcnow() + timedelta(days=30)
    factories.value(scene.host, private, released, value=61.04, visible_from=past)  # network-only
    factories.value(scene.host, public, coming, value=48.26, visible_from=future)  # not yet out
    factories.value(scene.host, public, released, value=33.31, visible_from=past)  # public
    own = scene.client("own")
    body = f"{CLEAN} It went from 61.0 to 48.3, then 33.3."
    text = text_of(_submit(own, note, schedule=True, body=body, **TICKED))
    assert "“33.3” matches a published figure" in text
    assert "“61.0” matches" not in text
    assert "“48.3” matches" not in text


def test_a_clean_copy_appears_on_the_release_date(scene, session, note, release):
    own = scene.client("own")
    checked = _submit(own, note)
    assert "Nothing that looks like a name" in text_of(checked)
    item = _publish(scene, session, note, key_area=KeyArea.USER_SATISFACTION.value)
    assert item.status is GoodPracticeStatus.SCHEDULED and item.published_on == release
    page = text_of(own.get(f"/sharing/notes/{note.public_id}"))
    assert (
        f"Your good-practice copy will appear to the whole network on {release:%-d %B %Y}" in page
    )
    assert f"Appears on {release:%-d %B %Y}" in page
    # Not before its date, to anyone (its own council included); on it, to everyone.
    for who in ("own", "peer", "inspector"):
        assert "Same-day triage" not in text_of(scene.client(who).get("/sharing/good-practice"))
        assert scene.client(who).get(f"/sharing/good-practice/{item.public_id}").status_code == 404
    the_day = datetime.combine(release, datetime.min.time(), tzinfo=LONDON) + timedelta(hours=1)
    assert goodpractice.listing({}, now=the_day - timedelta(hours=2)).items == []
    assert [found.public_id for found in goodpractice.listing({}, now=the_day).items] == [
        item.public_id
    ]


def test_with_no_round_scheduled_the_copy_waits_for_the_next(scene, session, note, app_context):
    item = _publish(scene, session, note)
    assert item.published_on is None and item.status is GoodPracticeStatus.SCHEDULED
    assert "once one is scheduled" in text_of(
        scene.client("own").get(f"/sharing/notes/{note.public_id}")
    )
    result = app_context.test_cli_runner().invoke(args=["goodpractice", "publish"])
    assert result.exit_code == 0 and "0 good-practice items dated; 0 published" in result.output
    later = (utcnow() + timedelta(days=9)).replace(hour=9, minute=30)
    factories.period("2026-27", released_at=later)
    result = app_context.test_cli_runner().invoke(args=["goodpractice", "publish"])
    assert "1 good-practice items dated; 0 published" in result.output
    item = session.get(GoodPracticeItem, item.id, populate_existing=True)
    assert item.published_on == later.astimezone(LONDON).date()


def test_the_daily_run_publishes_what_is_due_and_pages_do_not_wait_for_it(
    scene, session, note, app_context
):
    yesterday = utcnow().astimezone(LONDON).date() - timedelta(days=1)
    due = factories_sharing.good_practice(
        note, scene.visitor, status=GoodPracticeStatus.SCHEDULED, published_on=yesterday
    )
    assert due.title in text_of(scene.client("peer").get("/sharing/good-practice"))
    result = app_context.test_cli_runner().invoke(args=["goodpractice", "publish"])
    assert "0 good-practice items dated; 1 published" in result.output
    due = session.get(GoodPracticeItem, due.id, populate_existing=True)
    assert due.status is GoodPracticeStatus.PUBLISHED


def test_a_page_read_dates_waiting_copies_once_a_round_is_scheduled(scene, session, note):
    item = _publish(scene, session, note)
    moment = utcnow() + timedelta(days=3)
    factories.period("2026-27", released_at=moment)
    scene.client("peer").get("/sharing/good-practice")
    item = session.get(GoodPracticeItem, item.id, populate_existing=True)
    assert item.published_on == moment.astimezone(LONDON).date()


def test_nothing_on_the_item_links_back(scene, session, note, release, app_context):
    item = _publish(scene, session, note, key_area=KeyArea.STAFF_ACCEPTANCE.value)
    # The row: a fresh random id, no creator, no creation time, nothing of the note's.
    assert set(GoodPracticeItem.__table__.columns.keys()) == {
        "id",
        "public_id",
        "title",
        "body_md",
        "key_area",
        "issue_type_id",
        "indicator_id",
        "published_on",
        "status",
    }
    assert item.public_id not in (note.public_id, scene.visit.public_id)
    source = session.scalars(select(GoodPracticeSource)).one()
    assert (source.note_id, source.authority_id) == (note.id, scene.visitor.id)
    assert source.checklist_confirmed and source.confirmed_by_id == scene.user("own").id
    # Time passes to the release date.
    item.published_on = utcnow().astimezone(LONDON).date()
    session.commit()
    giveaways = [
        scene.visitor.name,
        scene.visitor.gss_code,
        scene.host.name,
        scene.host.gss_code,
        "Visitshire",
        "Hostbury",
        note.public_id,
        scene.visit.public_id,
        scene.user("own").name,
    ]
    for who in ("own", "own_admin", "host", "peer", "inspector"):
        for path in ("/sharing/good-practice", f"/sharing/good-practice/{item.public_id}"):
            response = scene.client(who).get(path)
            assert response.status_code == 200, (who, path)
            check_page(response)
            main = re.search(r"<main.*</main>", response.get_data(as_text=True), re.S).group(0)
            assert "Same-day triage" in main
            for giveaway in giveaways:
                assert giveaway not in main, (who, path, giveaway)
    _, secret = factories.api_token(scene.user("peer"), TokenScope.READ)
    answer = app_context.test_client().get(
        "/api/v1/good-practice", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 200
    (shown,) = answer.get_json()["items"]
    assert set(shown) == {
        "id",
        "title",
        "body",
        "key_area",
        "issue_type",
        "indicator",
        "published_on",
    }
    assert shown["id"] == item.public_id and shown["key_area"] == "staff_acceptance"
    for giveaway in giveaways:
        assert giveaway not in answer.get_data(as_text=True)
    # The note's own council sees where it came from (on the note's sharing page, and in
    # the note's shares in the API); the network's log has no trace of it at all.
    _, own_secret = factories.api_token(scene.user("own"), TokenScope.READ)
    mine = app_context.test_client().get(
        f"/api/v1/notes/{note.public_id}/shares",
        headers={"Authorization": f"Bearer {own_secret}"},
    )
    assert mine.get_json()["good_practice"][0]["id"] == item.public_id
    (event,) = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "good_practice_scheduled")
    ).all()
    assert event.authority_id == scene.visitor.id
    assert "good_practice_scheduled" in audit.kept_from_network_log()


def test_withdrawing_hides_the_item(scene, session, note, release, sign_in_as):
    item = _publish(scene, session, note)
    item.published_on = utcnow().astimezone(LONDON).date()
    session.commit()
    path = f"/sharing/good-practice/{item.public_id}"
    assert scene.client("peer").get(path).status_code == 200
    # Only the note's own council may withdraw it.
    peer = scene.client("peer")
    refused = peer.post(f"{path}/withdraw", data={"csrf_token": csrf_token(peer, path)})
    assert refused.status_code == 404
    own = scene.client("own_admin")
    response = own.post(f"{path}/withdraw", data={"csrf_token": csrf_token(own, path)})
    assert response.status_code == 302
    assert response.location.endswith(f"/sharing/notes/{note.public_id}")
    assert "Withdrawn: nobody else sees it" in text_of(own.get(response.location))
    assert scene.client("peer").get(path).status_code == 404
    assert item.title not in text_of(scene.client("peer").get("/sharing/good-practice"))
    assert goodpractice.listing({}).items == []
    again = own.post(
        f"{path}/withdraw", data={"csrf_token": csrf_token(own, "/sharing/good-practice")}
    )
    assert "already been withdrawn" in text_of(own.get(again.location))
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "good_practice_withdrawn")
    ).all()
    assert [event.authority_id for event in events] == [scene.visitor.id]
    admin = sign_in_as(Role.NETWORK_ADMIN)
    log = text_of(admin.get("/admin/audit/"))
    assert "good-practice" not in log


def test_the_list_is_by_date_then_title_and_filters(scene, session, note, app_context):
    today = utcnow().astimezone(LONDON).date()
    issue = factories.issue_type(title="Slow triage")
    indicator = factories.indicator(title="Referrals seen on the day")
    older = factories_sharing.good_practice(
        title="Zebra crossings", published_on=today - timedelta(days=40)
    )
    beta = factories_sharing.good_practice(
        title="Beta", issue_type_id=issue.id, key_area=KeyArea.COST_EFFICIENCY
    )
    alpha = factories_sharing.good_practice(title="Alpha", indicator_id=indicator.id)
    factories_sharing.good_practice(title="Withdrawn", status=GoodPracticeStatus.WITHDRAWN)
    factories_sharing.good_practice(title="Future", published_on=today + timedelta(days=1))
    titles = [item.title for item in goodpractice.listing({}).items]
    assert titles == [alpha.title, beta.title, older.title]
    page = scene.client("inspector").get("/sharing/good-practice")
    check_page(page)
    text = text_of(page)
    assert text.index("Alpha") < text.index("Beta") < text.index("Zebra")
    assert "Withdrawn" not in text.split("Show good practice")[1] and "Future" not in text
    assert [i.title for i in goodpractice.listing({"issue_type": issue.code}).items] == ["Beta"]
    assert [i.title for i in goodpractice.listing({"indicator": indicator.code}).items] == ["Alpha"]
    assert [i.title for i in goodpractice.listing({"key_area": "cost_efficiency"}).items] == [
        "Beta"
    ]
    # The filter form's "all" options are empty values.
    everything = scene.client("own").get("/sharing/good-practice?key_area=&issue_type=&indicator=")
    assert everything.status_code == 200 and "Zebra" in text_of(everything)
    filtered = scene.client("own").get(f"/sharing/good-practice?issue_type={issue.code}")
    assert "Beta" in text_of(filtered) and "Alpha" not in text_of(filtered)
    _, secret = factories.api_token(scene.user("inspector"), TokenScope.READ)
    api = app_context.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    listed = api.get("/api/v1/good-practice?per_page=2", headers=headers).get_json()
    assert [item["title"] for item in listed["items"]] == ["Alpha", "Beta"]
    assert listed["total"] == 3 and listed["next"].endswith("page=2")
    for query, field in (
        ("issue_type=nope", "issue_type"),
        ("indicator=nope", "indicator"),
        ("key_area=nope", "key_area"),
        ("colour=red", "colour"),
    ):
        response = api.get(f"/api/v1/good-practice?{query}", headers=headers)
        assert response.status_code == 422, query
        assert response.get_json()["errors"][0]["field"] == field
    assert scene.client("own").get("/sharing/good-practice?issue_type=nope").status_code == 422


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)> [a](javascript:alert(1))'


def test_text_fields_render_inert(scene, session, note, app_context):
    item = factories_sharing.good_practice(title=XSS, body_md=XSS)
    for path in ("/sharing/good-practice", f"/sharing/good-practice/{item.public_id}"):
        response = scene.client("peer").get(path)
        check_page(response)
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html and "<img" not in html
        assert 'href="javascript' not in html
    # Typed into the copy form: escaped there too, and in the check's findings.
    response = _submit(scene.client("own"), note, title=XSS, body=XSS)
    html = response.get_data(as_text=True)
    check_page(response)
    assert "<script>alert" not in html and "<img" not in html


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"title": "x" * 201}, "200 characters or fewer"),
        ({"body": "   "}, "Enter the good practice"),
        ({"key_area": "nope"}, "Select a key area from the list"),
        ({"issue_type": "nope"}, "Select an issue type from the list"),
        ({"indicator": "nope"}, "Select an indicator from the list"),
    ],
)
def test_copy_validation_messages(scene, session, note, release, data, field_message):
    response = _submit(scene.client("own"), note, schedule=True, **TICKED, **data)
    assert response.status_code == 200
    check_page(response)
    assert field_message in text_of(response)
    assert _items(session) == []


def test_only_the_notes_own_council_makes_a_copy(scene, session, note, release):
    factories_sharing.share(note, ShareLevel.ALLIES)
    for who in ("host", "other_ally"):
        client = scene.client(who)
        response = client.post(
            _path(note),
            data={"title": "t", "body": "b", "check": "Go", **TICKED,
                  "csrf_token": csrf_token(client, "/sharing/with-us")},
        )  # fmt: skip
        assert response.status_code == 404
    assert _items(session) == []


def test_released_at_in_the_past_is_not_the_next_round(scene, session, note):
    factories.period("2024-25", released_at=datetime(2025, 12, 1, 9, 30, tzinfo=UTC))
    item = _publish(scene, session, note)
    assert item.published_on is None
