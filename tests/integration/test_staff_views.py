"""Staff views, "you said, we did" (issue 11): who sees what, responses, moderation, bad
input and hostile text, through pages and the API on both databases.

tests/integration/test_staff_views_anonymity.py reads the database after anonymous views
and tests the release rule.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from bench import messages
from bench.extensions import db
from bench.models import (
    AuditEvent,
    KeyArea,
    Review,
    ReviewStatus,
    Role,
    StaffView,
    StaffViewResponse,
    StaffViewStatus,
    TokenScope,
)
from bench.staffviews.service import today
from tests import factories, factories_staffviews
from tests.conftest import DEMO_PASSWORD
from tests.pages import check_page, csrf_token, post_form, sign_in, text_of

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)> [click](javascript:alert(1))'


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def tags(html):
    """Every start tag of a page, with its attributes."""
    parser = _Tags()
    parser.feed(html)
    return parser.found


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


class Person:
    """A user signed in for pages, with a record token for the API."""

    def __init__(self, app, sign_in_as, role, authority, **fields):
        self.client = sign_in_as(role, authority, **fields)
        self.user = self.client.user
        _, self.secret = factories.api_token(self.user, TokenScope.RECORD)
        self.api = app.test_client()

    def get(self, path):
        return self.api.get(path, headers=bearer(self.secret))

    def post(self, path, body=None):
        return self.api.post(path, headers=bearer(self.secret), json=body or {})

    def seen(self):
        return self.get("/api/v1/staff-views").get_json()


@pytest.fixture
def council(app_context, sign_in_as):
    """One council: an admin, a review with a staff team member, a staff author, and a
    colleague on no team; plus another council's admin."""
    authority = factories.authority()
    people = {
        role: Person(app_context, sign_in_as, role_, authority, **fields)
        for role, role_, fields in (
            ("admin", Role.AUTHORITY_ADMIN, {}),
            ("member", Role.STAFF, {}),
            ("author", Role.STAFF, {"name": "Nadia Named"}),
            ("colleague", Role.ANALYST, {}),
        )
    }
    people["stranger"] = Person(app_context, sign_in_as, Role.AUTHORITY_ADMIN, None)
    review = factories_staffviews.review(authority, team=[people["member"].user])
    other_review = factories_staffviews.review(authority)
    return {"authority": authority, "review": review, "other": other_review, **people}


def _view(authority, review=None, anonymous=True, author=None, **fields):
    """A view the team already sees: named, or anonymous and released."""
    return factories_staffviews.staff_view(
        authority, author, review_id=review.id if review else None, released=anonymous, **fields
    )


def test_giving_a_view_on_the_page(council, session):
    author = council["author"]
    page = author.client.get("/staff-views/")
    check_page(page)
    body = text_of(page)
    assert "How anonymous views stay anonymous" in body and "10 views a day" in body
    assert council["review"].title in body and council["other"].title in body
    # Anonymous is the choice already made.
    assert 'value="true" checked' in page.get_data(as_text=True)
    response = post_form(
        author.client,
        "/staff-views/",
        {"key_area": "user_satisfaction", "review": council["review"].public_id, "body": "Hi"},
    )
    assert response.status_code == 302
    view = session.scalars(select(StaffView)).one()
    assert view.anonymous and view.review_id == council["review"].id
    assert view.key_area is KeyArea.USER_SATISFACTION


def test_the_team_is_the_admins_and_the_reviews_team(council, session):
    about_review = _view(council["authority"], council["review"], body_md="About the review")
    about_other = _view(council["authority"], council["other"], body_md="About the other")
    no_review = _view(council["authority"], body_md="About no review")
    texts = {"About the review", "About the other", "About no review"}

    def shown(person):
        page = person.client.get("/staff-views/team")
        return page.status_code, {text for text in texts if text in text_of(page)}

    assert shown(council["admin"]) == (200, texts)
    assert shown(council["member"]) == (200, {"About the review"})
    assert shown(council["colleague"])[0] == 403
    assert shown(council["stranger"]) == (200, set())  # its own council's rounds
    # The API says the same; the team page link is offered only to the team.
    assert council["member"].seen()["on_team"] is True
    assert council["colleague"].seen() == {"on_team": False, "rounds": [], "you_said_we_did": []}
    assert "/staff-views/team" in council["member"].client.get("/staff-views/").text
    assert "/staff-views/team" not in council["colleague"].client.get("/staff-views/").text
    # Answering: the member only about their review; nobody from another council.
    for view, person, status in (
        (about_review, "member", 201),
        (about_other, "member", 404),
        (no_review, "member", 404),
        (no_review, "colleague", 404),
        (no_review, "stranger", 404),
        (no_review, "admin", 201),
    ):
        path = f"/api/v1/staff-views/{view.id}/responses"
        assert council[person].post(path, {"body": "We did"}).status_code == status, person
        page_status = 200 if status == 201 else 404
        assert council[person].client.get(f"/staff-views/{view.id}/hide").status_code == page_status
    # A responded view is read by everyone, and answered only by the team.
    refused = council["colleague"].post(f"/api/v1/staff-views/{no_review.id}/hide", {"reason": "x"})
    assert refused.status_code == 403
    assert council["stranger"].seen()["you_said_we_did"] == []


def test_waiting_anonymous_views_cannot_be_reached_by_id(council, session):
    waiting = factories_staffviews.staff_view(council["authority"], body_md="Still waiting")
    admin = council["admin"]
    assert (
        admin.post(f"/api/v1/staff-views/{waiting.id}/responses", {"body": "x"}).status_code == 404
    )
    assert admin.client.get(f"/staff-views/{waiting.id}/respond").status_code == 404
    assert "Still waiting" not in json.dumps(admin.seen())


def test_responses_are_read_by_all_staff_named_only_where_chosen(council, session):
    action = factories_staffviews.action(council["authority"], description="Weekly **rota**")
    anonymous = _view(council["authority"], body_md="Anonymous and answered")
    named = _view(council["authority"], anonymous=False, author=council["author"].user)
    unanswered = _view(council["authority"], body_md="Not answered yet")
    admin = council["admin"]
    response = post_form(
        admin.client,
        f"/staff-views/{anonymous.id}/respond",
        {"body": "We now publish the rota weekly", "action": action.public_id},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/staff-views/team"
    assert (
        admin.post(f"/api/v1/staff-views/{named.id}/responses", {"body": "Done"}).status_code == 201
    )
    for reader in ("colleague", "member", "author"):
        page = council[reader].client.get("/staff-views/")
        check_page(page)
        body = text_of(page)
        assert "Anonymous and answered" in body and "We now publish the rota weekly" in body
        assert "Follow-up action: Weekly rota" in body
        assert "Nadia Named" in body and "Not answered yet" not in body
        listed = council[reader].seen()["you_said_we_did"]
        assert {item["body"] for item in listed} == {anonymous.body_md, named.body_md}
        by_body = {item["body"]: item for item in listed}
        assert by_body[anonymous.body_md]["author"] is None
        assert by_body[anonymous.body_md]["key_area"] == "staff_acceptance"
        assert by_body[anonymous.body_md]["id"] is None  # staff need no handle on a view
        assert by_body[anonymous.body_md]["responses"][0]["action"]["id"] == action.public_id
        assert by_body[named.body_md]["author"] == "Nadia Named"
    assert session.get(StaffView, anonymous.id).status is StaffViewStatus.RESPONDED
    assert session.get(StaffView, unanswered.id).status is StaffViewStatus.NEW
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "staff_view_responded")
        .order_by(AuditEvent.id)
    ).all()
    assert [event.details for event in events] == [
        {"view": anonymous.id, "action": action.public_id},
        {"view": named.id, "action": None},
    ]
    assert {event.actor_id for event in events} == {admin.user.id}


def test_hiding_a_view_keeps_it_from_staff_and_audits_no_author(council, session):
    author = council["author"].user
    view = _view(council["authority"], anonymous=False, author=author, body_md="Abusive text")
    admin = council["admin"]
    admin.post(f"/api/v1/staff-views/{view.id}/responses", {"body": "We heard you"})
    hidden = post_form(
        admin.client, f"/staff-views/{view.id}/hide", {"reason": "Names a colleague"}
    )
    assert hidden.status_code == 302
    assert "Abusive text" not in council["colleague"].client.get("/staff-views/").text
    assert council["colleague"].seen()["you_said_we_did"] == []
    team = admin.client.get("/staff-views/team")
    check_page(team)
    assert "Hidden views in" in text_of(team) and "Names a colleague" in text_of(team)
    assert "Names a colleague" not in council["colleague"].client.get("/staff-views/").text
    [round_] = [r for r in admin.seen()["rounds"] if r["hidden"]]
    assert round_["hidden"][0]["hidden_reason"] == "Names a colleague"
    # Responding to a hidden view, or hiding it again, is refused.
    again = admin.post(f"/api/v1/staff-views/{view.id}/responses", {"body": "More"})
    assert again.status_code == 409
    assert admin.post(f"/api/v1/staff-views/{view.id}/hide", {"reason": "x"}).status_code == 409
    # Shown again: back to responded, for everyone.
    token = csrf_token(admin.client, "/staff-views/team")
    shown = admin.client.post(f"/staff-views/{view.id}/unhide", data={"csrf_token": token})
    assert shown.status_code == 302
    assert "Abusive text" in council["colleague"].client.get("/staff-views/").text
    assert session.get(StaffView, view.id).status is StaffViewStatus.RESPONDED
    assert admin.post(f"/api/v1/staff-views/{view.id}/unhide").status_code == 409
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(("staff_view_hidden", "staff_view_unhidden")))
        .order_by(AuditEvent.id)
    ).all()
    assert [event.action for event in events] == ["staff_view_hidden", "staff_view_unhidden"]
    assert events[0].details == {"view": view.id, "reason": "Names a colleague"}
    for event in events:
        assert event.actor_id == admin.user.id
        assert author.name not in json.dumps(event.details)
        assert author.email not in json.dumps(event.details)
        assert event.subject_id is None


def test_hostile_text_is_inert_in_views_responses_and_reasons(council, session):
    view = _view(council["authority"], body_md=XSS)
    admin = council["admin"]
    assert admin.post(f"/api/v1/staff-views/{view.id}/responses", {"body": XSS}).status_code == 201
    other = _view(council["authority"], body_md="To hide")
    assert admin.post(f"/api/v1/staff-views/{other.id}/hide", {"reason": XSS}).status_code == 200
    pages = [
        admin.client.get("/staff-views/team"),
        council["colleague"].client.get("/staff-views/"),
        admin.client.get(f"/staff-views/{view.id}/respond"),
        admin.client.get(f"/staff-views/{other.id}/hide"),
    ]
    for page in pages:
        check_page(page)
        html = page.get_data(as_text=True)
        # Left as text, never as a tag, an attribute or a link.
        for tag, attributes in tags(html):
            assert tag not in ("img", "iframe")
            assert not (tag == "script" and "nonce" not in attributes and "src" not in attributes)
            assert not any(name.startswith("on") for name in attributes)
            assert not attributes.get("href", "").lower().startswith("javascript")
        assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"body": "x"}, "key_area", messages.STAFF_VIEW_KEY_AREA_REQUIRED),
        ({"key_area": "morale", "body": "x"}, "key_area", messages.STAFF_VIEW_KEY_AREA_REQUIRED),
        ({"key_area": "cost_efficiency"}, "body", messages.STAFF_VIEW_BODY_REQUIRED),
        ({"key_area": "cost_efficiency", "body": " \n"}, "body", messages.STAFF_VIEW_BODY_REQUIRED),
        (
            {"key_area": "cost_efficiency", "body": "x" * 5001},
            "body",
            messages.STAFF_VIEW_BODY_TOO_LONG.format(max=5000),
        ),
        (
            {"key_area": "cost_efficiency", "body": "a\x01b"},
            "body",
            messages.STAFF_VIEW_CONTROL_CHARACTERS,
        ),
        (
            {"key_area": "cost_efficiency", "body": "x", "anonymous": "perhaps"},
            "anonymous",
            messages.STAFF_VIEW_ANONYMITY_REQUIRED,
        ),
        (
            {"key_area": "cost_efficiency", "body": "x", "review": "no-such-review"},
            "review",
            messages.STAFF_VIEW_REVIEW_UNKNOWN,
        ),
        (
            {"key_area": "cost_efficiency", "body": "x", "author": 1},
            "author",
            messages.FIELD_UNKNOWN,
        ),
    ],
)
def test_bad_views_name_the_field_and_write_nothing(council, session, body, field, message):
    response = council["author"].post("/api/v1/staff-views", body)
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["field"] == field and error["message"].startswith(message)
    assert session.scalar(select(func.count()).select_from(StaffView)) == 0


def test_reviews_of_another_council_or_closed_take_no_views(council, session):
    stranger_review = factories_staffviews.review(council["stranger"].user.authority)
    closed = factories_staffviews.review(council["authority"], status=ReviewStatus.CLOSED)
    ended = factories_staffviews.review(
        council["authority"],
        starts_on=factories_staffviews.last_month().replace(day=1),
        ends_on=factories_staffviews.last_month(),
    )
    for review in (stranger_review, closed, ended):
        body = {"key_area": "cost_efficiency", "body": "x", "review": review.public_id}
        response = council["author"].post("/api/v1/staff-views", body)
        assert response.get_json()["errors"][0]["field"] == "review"
        assert review.title not in council["author"].client.get("/staff-views/").text
    assert session.scalar(select(func.count()).select_from(StaffView)) == 0


def test_the_pages_name_each_field_with_a_problem(council, session):
    author = council["author"]
    empty = post_form(author.client, "/staff-views/", {"body": ""})
    assert empty.status_code == 200
    check_page(empty)
    for message in (messages.STAFF_VIEW_KEY_AREA_REQUIRED, messages.STAFF_VIEW_BODY_REQUIRED):
        assert message in text_of(empty)
    assert text_of(empty).startswith("Error: ")
    view = _view(council["authority"])
    admin = council["admin"]
    blank = post_form(admin.client, f"/staff-views/{view.id}/respond", {"body": " ", "action": ""})
    assert messages.STAFF_VIEW_RESPONSE_REQUIRED in text_of(blank)
    strangers_action = factories_staffviews.action(council["stranger"].user.authority)
    foreign = admin.post(
        f"/api/v1/staff-views/{view.id}/responses",
        {"body": "x", "action": strangers_action.public_id},
    )
    assert foreign.get_json()["errors"][0] == {
        "row": None,
        "field": "action",
        "message": messages.STAFF_VIEW_ACTION_UNKNOWN,
    }
    no_reason = post_form(admin.client, f"/staff-views/{view.id}/hide", {"reason": ""})
    assert messages.STAFF_VIEW_HIDE_REASON_REQUIRED in text_of(no_reason)
    assert session.scalar(select(func.count()).select_from(StaffViewResponse)) == 0
    assert session.get(StaffView, view.id).status is StaffViewStatus.NEW


def test_the_nav_offers_staff_views_to_an_authoritys_users_only(sign_in_as):
    assert 'href="/staff-views/"' in sign_in_as(Role.STAFF).get("/").text
    for role in (Role.INSPECTOR, Role.NETWORK_ADMIN):
        assert 'href="/staff-views/"' not in sign_in_as(role).get("/").text


def test_a_review_team_member_without_an_admin_role_reads_only_their_rounds(council, session):
    month = text_of(council["member"].client.get("/staff-views/team"))
    assert council["review"].title in month and council["other"].title not in month
    admin = text_of(council["admin"].client.get("/staff-views/team"))
    assert council["review"].title in admin and council["other"].title in admin


def test_the_demo_cycle_shows_a_released_batch(demo):
    """Lancashire's demo review: five anonymous views released, one waiting (until the
    review's round ends), a named one; three answered, read by every user."""
    review_id = db.session.scalars(select(StaffView.review_id).order_by(StaffView.id)).first()
    ends_on = db.session.get(Review, review_id).ends_on
    client = demo.test_client()
    assert sign_in(client, "admin@e10000017.demo.example", DEMO_PASSWORD).status_code == 302
    team = text_of(client.get("/staff-views/team"))
    assert "Caseloads are too high" in team and "Our rural teams need pool cars" in team
    assert ("Hybrid working helps retention" in team) == (today() > ends_on)
    staff = demo.test_client()
    assert sign_in(staff, "staff@e10000017.demo.example", DEMO_PASSWORD).status_code == 302
    page = staff.get("/staff-views/")
    check_page(page)
    answered = ("apprenticeship route", "one-page guide", "Two pool cars")
    assert all(words in text_of(page) for words in answered)
