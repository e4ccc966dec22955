"""Reviews through the JSON API (/api/v1/reviews): the same rules as the pages.

Every call is real HTTP with a bearer token on a client without cookies, as a script
would make it.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from bench.models import AuditEvent, Review, ReviewStatus, ReviewUpdate, Role, TokenScope
from tests import factories, factories_reviews

PUBLIC_ID = re.compile(r"\A[A-Za-z0-9_-]{22}\Z")


class Caller:
    """A user of an authority with a token (record scope unless said), calling the API."""

    def __init__(self, app, role, authority, scope=TokenScope.RECORD, **fields):
        self.user = factories.user(role, authority, **fields)
        _, self.secret = factories.api_token(self.user, scope)
        self.client = app.test_client()

    def _headers(self):
        return {"Authorization": f"Bearer {self.secret}"}

    def get(self, path):
        return self.client.get(path, headers=self._headers())

    def post(self, path, body):
        return self.client.post(path, headers=self._headers(), json=body)

    def put(self, path, body):
        return self.client.put(path, headers=self._headers(), json=body)


def new_review(**changes):
    body = {
        "title": "Home care review",
        "service_scope": "Home care *and* reablement",
        "key_areas": ["user_satisfaction", "staff_acceptance"],
        "period": "2024-25",
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
        "status": "fieldwork",
        "previous_review": None,
    }
    body.update(changes)
    return body


def assert_problem(response, status, field=None, message=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json(force=True)
    if field is not None:
        (error,) = problem["errors"]
        assert error["field"] == field
        assert message in error["message"]
    return problem


@pytest.fixture
def council(app_context):
    authority = factories.authority(name="Apishire Council")
    factories.period("2024-25")

    class Council:
        pass

    council = Council()
    council.authority = authority
    council.staff = Caller(app_context, Role.STAFF, authority, name="Sid Staff")
    council.analyst = Caller(app_context, Role.ANALYST, authority, name="Ana Lyst")
    council.admin = Caller(app_context, Role.AUTHORITY_ADMIN, authority, name="Adm In")
    council.reader = Caller(app_context, Role.STAFF, authority, scope=TokenScope.READ)
    return council


def test_start_read_list_and_change_a_review(council, session):
    started = council.staff.post("/api/v1/reviews", new_review())
    assert started.status_code == 201, started.get_data(as_text=True)
    body = started.get_json()
    assert PUBLIC_ID.match(body["id"])
    assert body["title"] == "Home care review" and body["status"] == "fieldwork"
    assert body["key_areas"] == ["user_satisfaction", "staff_acceptance"]
    assert body["period"] == "2024-25" and body["starts_on"] == "2026-04-01"
    assert body["team"] == [{"user": council.staff.user.email, "name": "Sid Staff", "role": "lead"}]
    assert body["lock_version"] == 1 and body["evidence"] == []
    assert body["previous_review"] is None and body["next_reviews"] == []

    # Every user of the authority reads it, with any token.
    listed = council.reader.get("/api/v1/reviews").get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert "evidence" not in listed["items"][0] and listed["next"] is None
    assert council.reader.get(f"/api/v1/reviews/{body['id']}").get_json() == body

    # A PUT replaces the fields (and the team when sent) from the version read.
    changed = council.staff.put(
        f"/api/v1/reviews/{body['id']}",
        {
            **{key: body[key] for key in ("title", "service_scope", "key_areas", "period")},
            **{key: body[key] for key in ("starts_on", "ends_on", "previous_review")},
            "status": "reporting",
            "lock_version": 1,
            "team": [
                {"user": council.staff.user.email, "role": "lead"},
                {"user": council.analyst.user.email.upper(), "role": "member"},
                {"name": "Pat from Allyshire", "role": "peer_from_ally"},
            ],
        },
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    changed = changed.get_json()
    assert changed["status"] == "reporting" and changed["lock_version"] == 2
    assert changed["team"][1:] == [
        {"user": council.analyst.user.email, "name": "Ana Lyst", "role": "member"},
        {"user": None, "name": "Pat from Allyshire", "role": "peer_from_ally"},
    ]
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("review%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["review_created", "review_status_changed", "review_team_changed"]
    # What GET gives back can be sent back (the team round-trips as it is).
    again = council.analyst.put(
        f"/api/v1/reviews/{body['id']}",
        {key: changed[key] for key in (*new_review(), "team", "lock_version")},
    )
    assert again.status_code == 200 and again.get_json()["lock_version"] == 2  # no change


def test_a_stale_put_is_a_409_and_changes_nothing(council, session):
    review = factories_reviews.review(
        council.authority, team=[council.staff.user, council.analyst.user]
    )
    current = council.staff.get(f"/api/v1/reviews/{review.public_id}").get_json()
    body = {key: current[key] for key in (*new_review(), "lock_version")}
    first = council.analyst.put(f"/api/v1/reviews/{review.public_id}", {**body, "title": "First"})
    assert first.status_code == 200
    second = council.staff.put(f"/api/v1/reviews/{review.public_id}", {**body, "title": "Second"})
    assert_problem(second, 409)
    assert "Someone else saved this review after you opened it" in second.get_json()["detail"]
    session.expire_all()
    assert session.get(Review, review.id).title == "First"
    assert session.get(Review, review.id).lock_version == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": None}, "title", "Enter a title for the review"),
        ({"title": 5}, "title", "Enter a title for the review"),
        ({"title": "t\x00"}, "title", "null character"),
        ({"key_areas": "national_framework"}, "key_areas", "Select at least one key area"),
        ({"key_areas": ["national_framework", "vibes"]}, "key_areas", "Select key areas"),
        ({"period": "2099-00"}, "period", "Select a period from the list"),
        ({"starts_on": "1/4/2027"}, "starts_on", "Enter a real date as year-month-day"),
        ({"starts_on": "２０２７-04-01"}, "starts_on", "Enter a real date as year-month-day"),
        ({"starts_on": "2027-02-30"}, "starts_on", "Enter a real date as year-month-day"),
        ({"ends_on": "2026-01-01"}, "ends_on", "The end date must be the same as or after"),
        ({"status": "done"}, "status", "Select the review's status from the list"),
        ({"previous_review": "nope"}, "previous_review", "Select one of your authority's"),
        ({"team": "me"}, "team", "Send the team as a list of people"),
        ({"team": [{"role": "lead"}]}, "team.0.user", "Choose a colleague or enter the name"),
        ({"team": [{"name": "Al", "role": "boss"}]}, "team.0.role", "Select the person's role"),
        ({"team": [{"name": "Al", "role": "member"}, 3]}, "team.1._schema", "named fields"),
        (
            {"team": [{"user": "nobody@example.gov.uk", "role": "member"}]},
            "team.0.user",
            "Choose a colleague from the list of your authority's active users",
        ),
        ({"team": [{"name": "A", "role": "member"}] * 51}, "team", "at most 50 people"),
        ({"extra": 1}, "extra", "Unknown field: remove it"),
    ],
)
def test_bad_bodies_are_a_422_naming_the_field(council, session, changes, field, message):
    response = council.staff.post("/api/v1/reviews", new_review(**changes))
    assert_problem(response, 422, field, message)
    assert session.scalars(select(Review)).all() == []


def test_a_put_must_send_every_field(council, session):
    review = factories_reviews.review(council.authority, team=[council.staff.user])
    current = council.staff.get(f"/api/v1/reviews/{review.public_id}").get_json()
    body = {key: current[key] for key in (*new_review(), "lock_version")}
    for missing in ("service_scope", "ends_on", "status", "previous_review", "lock_version"):
        partial = {key: value for key, value in body.items() if key != missing}
        response = council.staff.put(f"/api/v1/reviews/{review.public_id}", partial)
        assert_problem(response, 422, missing, "")
    response = council.staff.put(
        f"/api/v1/reviews/{review.public_id}", {**body, "lock_version": "1"}
    )
    assert_problem(response, 422, "lock_version", "Send the lock_version of the review")


def test_who_may_read_and_change(council, session, app_context):
    review = factories_reviews.review(council.authority, team=[council.analyst.user])
    path = f"/api/v1/reviews/{review.public_id}"
    body = {**new_review(), "lock_version": 1}
    # Off the team: reads, but a change is a 403 that says why; an admin may.
    assert council.staff.get(path).status_code == 200
    for call in (
        lambda: council.staff.put(path, body),
        lambda: council.staff.post(f"{path}/updates", {"body": "Hello"}),
        lambda: council.staff.post(
            f"{path}/evidence", {"indicator": "x", "period": "x", "group": "all"}
        ),
    ):
        problem = assert_problem(call(), 403)
        assert "You are not on this review's team" in problem["detail"]
    assert council.admin.put(path, body).status_code == 200
    # A read token cannot write, even for the team.
    reader = Caller(app_context, Role.ANALYST, council.authority, scope=TokenScope.READ)
    assert_problem(reader.post("/api/v1/reviews", new_review()), 403)
    # Another authority's users: not found, whatever they send.
    other = Caller(app_context, Role.AUTHORITY_ADMIN, factories.authority(name="Otherwhere"))
    for response in (
        other.get(path),
        other.put(path, body),
        other.get(f"{path}/updates"),
        other.post(f"{path}/updates", {"body": "Hello"}),
        other.post(f"{path}/evidence", {}),
    ):
        assert_problem(response, 404)
    assert other.get("/api/v1/reviews").get_json()["items"] == []
    # Inspectors and network admins: refused outright.
    for role in (Role.INSPECTOR, Role.NETWORK_ADMIN):
        outsider = Caller(app_context, role, None)
        assert_problem(outsider.get("/api/v1/reviews"), 403)
        assert_problem(outsider.get(path), 403)


def test_updates_are_posted_read_newest_first_and_never_changed(council, session):
    review = factories_reviews.review(council.authority, team=[council.staff.user])
    path = f"/api/v1/reviews/{review.public_id}/updates"
    first = council.staff.post(path, {"body": "We have *started*."})
    assert first.status_code == 201
    second = council.staff.post(path, {"kind": "change_considered", "body": "Maybe merge teams"})
    assert second.status_code == 201
    posted = second.get_json()
    assert posted["kind"] == "change_considered" and posted["review"] == review.public_id
    assert posted["posted_by"] == "Sid Staff" and posted["body"] == "Maybe merge teams"
    listed = council.reader.get(f"{path}?per_page=1").get_json()
    assert [item["body"] for item in listed["items"]] == ["Maybe merge teams"]
    assert listed["total"] == 2
    assert listed["next"] == f"/api/v1/reviews/{review.public_id}/updates?page=2&per_page=1"
    older = council.reader.get(listed["next"]).get_json()
    assert [item["body"] for item in older["items"]] == ["We have *started*."]
    # Read-only once posted: no route changes or removes one.
    assert council.staff.put(path, {"body": "Rewritten"}).status_code == 405
    assert council.staff.client.delete(path, headers=council.staff._headers()).status_code == 405
    for body, field, message in (
        ({}, "body", "Write the update"),
        ({"body": "  \n "}, "body", "Write the update"),
        ({"body": "x" * 10001}, "body", "10000 characters or fewer"),
        ({"body": "Hi", "kind": "rumour"}, "kind", "Select what kind of update this is"),
    ):
        assert_problem(council.staff.post(path, body), 422, field, message)
    assert len(session.scalars(select(ReviewUpdate)).all()) == 2
    (event, _) = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "review_update_posted")
        .order_by(AuditEvent.id)
    ).all()
    assert set(event.details) == {"review", "update", "kind"}  # never the text


def test_the_chain_is_checked_as_on_the_pages(council, session):
    earlier = factories_reviews.review(council.authority, starts_on=date(2024, 4, 1))
    later = council.staff.post(
        "/api/v1/reviews", new_review(previous_review=earlier.public_id)
    ).get_json()
    assert later["previous_review"] == earlier.public_id
    assert council.staff.get(f"/api/v1/reviews/{earlier.public_id}").get_json()["next_reviews"] == [
        later["id"]
    ]
    body = {key: later[key] for key in (*new_review(), "lock_version")}
    response = council.staff.put(
        f"/api/v1/reviews/{later['id']}", {**body, "previous_review": later["id"]}
    )
    assert_problem(response, 422, "previous_review", "A review cannot be its own previous review")
    response = council.staff.put(
        f"/api/v1/reviews/{later['id']}", {**body, "starts_on": "2024-01-01", "ends_on": None}
    )
    assert_problem(response, 422, "previous_review", "The previous review must start before")
    assert session.get(Review, earlier.id).status is ReviewStatus.PLANNING


def test_the_routes_are_documented_with_their_scopes(council):
    document = council.reader.client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert paths["/api/v1/reviews"]["get"]["x-token-scope"] == "read"
    assert paths["/api/v1/reviews"]["post"]["x-token-scope"] == "record"
    change = paths["/api/v1/reviews/{review_id}"]["put"]
    assert change["x-token-scope"] == "record" and "409" in change["description"]
    body = change["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][body.rsplit("/", 1)[-1]]
    assert "lock_version" in schema["required"] and "title" in schema["required"]
    pin = paths["/api/v1/reviews/{review_id}/evidence"]["post"]
    assert pin["x-token-scope"] == "record" and "withheld" in pin["description"]
