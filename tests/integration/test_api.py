"""The JSON API: personal tokens, the token role table, lists, values, errors, OpenAPI.

Every call goes through real HTTP with an ``Authorization: Bearer`` header on a client
that holds no cookie, as a script would.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from sqlalchemy import event, func, select

from bench.extensions import db
from bench.models import (
    ApiToken,
    AuditEvent,
    IssueFlag,
    IssueType,
    IssueTypeStatus,
    Role,
    TokenScope,
    UnitKind,
    Value,
    utcnow,
)
from bench.security import token_hash
from tests import factories
from tests.integration import access_rows
from tests.pages import check_page, post_form, text_of

SECRET = re.compile(r"bench_[A-Za-z0-9_-]{43}")
PUBLISHING_ROLES = (Role.ANALYST, Role.AUTHORITY_ADMIN)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api(app_context):
    """A client with no cookies: only the token it sends counts."""
    return app_context.test_client()


def token_for(role, authority=None, scope=TokenScope.READ, **fields):
    user = factories.user(role, authority)
    token, secret = factories.api_token(user, scope, **fields)
    return user, token, secret


def assert_problem(response, status):
    """An RFC 9457 problem: the media type and the four members, with the right status."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    return body


def events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


# --- tokens in the account pages ------------------------------------------------------


def test_a_token_is_shown_once_stored_hashed_and_works(app_context, sign_in_as, session, api):
    analyst = sign_in_as(Role.ANALYST)
    form = analyst.get("/account/tokens/new")
    check_page(form)
    assert "Read and publish" in text_of(form)

    response = post_form(
        analyst,
        "/account/tokens/new",
        {"name": "Nightly upload", "scope": "publish", "expires_in_days": "30"},
    )
    assert response.status_code == 200  # rendered in this response: no redirect, no URL
    check_page(response)
    assert response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(response.get_data(as_text=True)).group(0)
    assert secret not in response.headers.get("Set-Cookie", "")

    token = session.scalars(select(ApiToken)).one()
    assert token.user_id == analyst.user.id
    assert token.name == "Nightly upload" and token.scope is TokenScope.PUBLISH
    assert token.token_hash == token_hash(secret) and token.prefix == secret[:12]
    assert timedelta(days=29, hours=23) < token.expires_at - utcnow() <= timedelta(days=30)
    [event] = events(session, "api_token_created")
    assert event.actor_id == analyst.user.id and event.subject_id == token.id
    assert event.details["scope"] == "publish" and event.details["prefix"] == token.prefix
    assert secret not in json.dumps(event.details)

    listing = analyst.get("/account/tokens")
    check_page(listing)
    assert token.prefix in text_of(listing) and "Nightly upload" in text_of(listing)
    assert secret not in listing.get_data(as_text=True)

    assert api.get("/api/v1/indicators", headers=bearer(secret)).status_code == 200
    assert session.get(ApiToken, token.id).last_used_at is not None


def test_the_account_page_links_to_tokens_and_the_reference(sign_in_as):
    page = sign_in_as(Role.STAFF).get("/account")
    body = page.get_data(as_text=True)
    assert 'href="/account/tokens"' in body and 'href="/api/reference"' in body


@pytest.mark.parametrize("role", [Role.STAFF, Role.INSPECTOR, Role.NETWORK_ADMIN])
def test_users_who_cannot_publish_get_read_tokens_only(sign_in_as, session, role):
    client = sign_in_as(role)
    form = client.get("/account/tokens/new")
    assert 'value="publish"' not in form.get_data(as_text=True)
    refused = post_form(client, "/account/tokens/new", {"name": "Sneaky", "scope": "publish"})
    assert refused.status_code == 200
    check_page(refused)
    assert "Your role cannot publish, so your tokens can only read" in text_of(refused)
    assert session.scalars(select(ApiToken)).all() == []
    made = post_form(client, "/account/tokens/new", {"name": "Reader", "scope": "read"})
    assert SECRET.search(made.get_data(as_text=True))


@pytest.mark.parametrize("role", [Role.STAFF, Role.ANALYST, Role.AUTHORITY_ADMIN])
def test_authority_users_may_make_record_tokens(sign_in_as, session, role):
    client = sign_in_as(role)
    assert 'value="record"' in client.get("/account/tokens/new").get_data(as_text=True)
    made = post_form(client, "/account/tokens/new", {"name": "Notes", "scope": "record"})
    assert SECRET.search(made.get_data(as_text=True))
    assert session.scalars(select(ApiToken.scope)).all() == [TokenScope.RECORD]


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.NETWORK_ADMIN])
def test_people_outside_an_authority_get_no_record_tokens(sign_in_as, session, role):
    client = sign_in_as(role)
    assert 'value="record"' not in client.get("/account/tokens/new").get_data(as_text=True)
    refused = post_form(client, "/account/tokens/new", {"name": "Notes", "scope": "record"})
    assert refused.status_code == 200
    assert session.scalars(select(ApiToken)).all() == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter a name for the token"),
        ({"name": "x" * 101}, "Token name must be 100 characters or fewer"),
        ({"scope": ""}, "Select what the token may do"),
        ({"scope": "admin"}, "Select what the token may do"),
        ({"expires_in_days": "0"}, "Enter a whole number of days from 1 to 366"),
        ({"expires_in_days": "367"}, "Enter a whole number of days from 1 to 366"),
        ({"expires_in_days": "1_000"}, "Enter a whole number of days from 1 to 366"),
        ({"expires_in_days": "３０"}, "Enter a whole number of days from 1 to 366"),
        ({"expires_in_days": "-5"}, "Enter a whole number of days from 1 to 366"),
    ],
)
def test_token_form_validation_messages(sign_in_as, session, fields, message):
    analyst = sign_in_as(Role.ANALYST)
    data = {"name": "Script", "scope": "read", "expires_in_days": "", **fields}
    response = post_form(analyst, "/account/tokens/new", data)
    assert response.status_code == 200
    check_page(response)
    assert message in text_of(response)
    assert session.scalars(select(ApiToken)).all() == []


def test_a_revoked_token_stops_working(sign_in_as, session, api):
    analyst = sign_in_as(Role.ANALYST)
    token, secret = factories.api_token(analyst.user, name="Old script")
    assert api.get("/api/v1/periods", headers=bearer(secret)).status_code == 200
    response = post_form(
        analyst, f"/account/tokens/{token.id}/revoke", {}, form_page="/account/tokens"
    )
    assert response.status_code == 302
    page = analyst.get("/account/tokens")
    assert "The token Old script has been revoked" in text_of(page)
    assert "Revoked" in text_of(page)
    assert session.get(ApiToken, token.id).revoked_at is not None
    [event] = events(session, "api_token_revoked")
    assert event.actor_id == analyst.user.id and event.details["name"] == "Old script"
    assert_problem(api.get("/api/v1/periods", headers=bearer(secret)), 401)
    # Revoking again changes nothing and records nothing.
    post_form(analyst, f"/account/tokens/{token.id}/revoke", {}, form_page="/account/tokens")
    assert len(events(session, "api_token_revoked")) == 1


def test_nobody_revokes_someone_elses_token(sign_in_as, session, api):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    colleague = factories.user(Role.ANALYST, admin.user.authority)
    token, secret = factories.api_token(colleague)
    response = post_form(
        admin, f"/account/tokens/{token.id}/revoke", {}, form_page="/account/tokens"
    )
    assert response.status_code == 404
    assert session.get(ApiToken, token.id).revoked_at is None
    assert colleague.name not in text_of(admin.get("/account/tokens"))
    assert api.get("/api/v1/periods", headers=bearer(secret)).status_code == 200


# --- authentication -----------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer bench_not-a-real-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["missing", "empty", "unknown", "basic"],
)
def test_no_live_token_is_a_401(api, session, headers):
    response = api.get("/api/v1/indicators", headers=headers)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_a_401(api, session):
    _, _, secret = token_for(Role.ANALYST, expires_at=utcnow() - timedelta(seconds=1))
    assert_problem(api.get("/api/v1/indicators", headers=bearer(secret)), 401)
    _, _, fresh = token_for(Role.ANALYST, expires_at=utcnow() + timedelta(days=1))
    assert api.get("/api/v1/indicators", headers=bearer(fresh)).status_code == 200


def test_a_deactivated_users_token_is_a_401(sign_in_as, session, api):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    colleague = factories.user(Role.ANALYST, admin.user.authority)
    _, secret = factories.api_token(colleague)
    assert api.get("/api/v1/indicators", headers=bearer(secret)).status_code == 200
    post_form(admin, f"/users/{colleague.id}/deactivate", {}, form_page="/users/")
    assert_problem(api.get("/api/v1/indicators", headers=bearer(secret)), 401)


def test_a_session_cookie_alone_never_authenticates_the_api(sign_in_as, session):
    analyst = sign_in_as(Role.ANALYST)  # a signed-in browser
    assert analyst.get("/").status_code == 200
    assert_problem(analyst.get("/api/v1/indicators"), 401)
    assert_problem(analyst.get("/api/v1/values"), 401)
    assert_problem(analyst.post("/api/v1/values", json={"values": []}), 401)
    # The same browser with a token is authenticated by the token alone.
    _, secret = factories.api_token(analyst.user)
    assert analyst.get("/api/v1/indicators", headers=bearer(secret)).status_code == 200


def test_tokens_are_not_accepted_by_pages(api, session):
    _, _, secret = token_for(Role.ANALYST)
    response = api.get("/account", headers=bearer(secret))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_last_used_is_written_at_most_once_a_minute(api, session):
    _, token, secret = token_for(Role.STAFF)
    api.get("/api/v1/periods", headers=bearer(secret))
    first = session.get(ApiToken, token.id).last_used_at
    api.get("/api/v1/periods", headers=bearer(secret))
    session.expire_all()
    assert session.get(ApiToken, token.id).last_used_at == first
    record = session.get(ApiToken, token.id)
    record.last_used_at = utcnow() - timedelta(minutes=2)
    session.commit()
    api.get("/api/v1/periods", headers=bearer(secret))
    session.expire_all()
    assert session.get(ApiToken, token.id).last_used_at > first


# --- the role x route table for tokens ----------------------------------------------

OWN_DATA = {Role.STAFF: 200, Role.ANALYST: 200, Role.AUTHORITY_ADMIN: 200}
# (method, path) -> (scope, role) -> status; a missing role means 403.
# A publish token for a role that cannot publish is what a token becomes when its user's
# role changes after it was made: it must not publish.
API_ROUTES = {
    ("GET", "/api/v1/indicators"): {scope: dict.fromkeys(Role, 200) for scope in TokenScope},
    ("GET", "/api/v1/periods"): {scope: dict.fromkeys(Role, 200) for scope in TokenScope},
    ("GET", "/api/v1/issue-types"): {scope: dict.fromkeys(Role, 200) for scope in TokenScope},
    ("GET", "/api/v1/values"): {scope: OWN_DATA for scope in TokenScope},
    # An empty batch reaches validation (422) only where publishing is allowed.
    ("POST", "/api/v1/values"): {
        TokenScope.READ: {},
        TokenScope.PUBLISH: dict.fromkeys(PUBLISHING_ROLES, 422),
        TokenScope.MANAGE: {},  # managing is not publishing
        TokenScope.RECORD: {},
    },
    ("POST", "/api/v1/flags"): {
        TokenScope.READ: {},
        TokenScope.PUBLISH: dict.fromkeys(PUBLISHING_ROLES, 422),
        TokenScope.MANAGE: {},
        TokenScope.RECORD: {},
    },
    ("GET", "/api/v1/openapi.json"): {scope: dict.fromkeys(Role, 200) for scope in TokenScope},
    # No period is released in this test: own-data roles reach the service's 404.
    ("GET", "/api/v1/standing"): {scope: dict.fromkeys(OWN_DATA, 404) for scope in TokenScope},
    ("GET", "/api/v1/norms"): {scope: dict.fromkeys(OWN_DATA, 404) for scope in TokenScope},
    ("GET", "/api/v1/comparisons/<indicator_code>"): {
        scope: dict.fromkeys(OWN_DATA, 404) for scope in TokenScope
    },
    ("GET", "/api/v1/peer-groups"): {scope: OWN_DATA for scope in TokenScope},
    # Authority admins list their authority's grants, inspectors their own; only a manage
    # token of an authority admin grants (an empty body: 422) or revokes (no such grant).
    ("GET", "/api/v1/grants"): {
        scope: dict.fromkeys((Role.AUTHORITY_ADMIN, Role.INSPECTOR), 200) for scope in TokenScope
    },
    ("POST", "/api/v1/grants"): {
        TokenScope.READ: {},
        TokenScope.PUBLISH: {},
        TokenScope.MANAGE: {Role.AUTHORITY_ADMIN: 422},
        TokenScope.RECORD: {},
    },
    ("POST", "/api/v1/grants/<grant_id>/revoke"): {
        TokenScope.READ: {},
        TokenScope.PUBLISH: {},
        TokenScope.MANAGE: {Role.AUTHORITY_ADMIN: 404},
        TokenScope.RECORD: {},
    },
    # Inspectors only; no period is released in this test, so they reach the service's 404.
    ("GET", "/api/v1/network"): {scope: {Role.INSPECTOR: 404} for scope in TokenScope},
    ("GET", "/api/v1/network/<indicator_code>"): {
        scope: {Role.INSPECTOR: 404} for scope in TokenScope
    },
    # Allies: authority admins; writes only with a manage token (a manage token whose
    # user is no longer an admin is refused). An empty body is a 422; the ids name nothing.
    ("POST", "/api/v1/ally-requests"): {
        TokenScope.READ: {},
        TokenScope.PUBLISH: {},
        TokenScope.MANAGE: {Role.AUTHORITY_ADMIN: 422},
        TokenScope.RECORD: {},
    },
    ("GET", "/api/v1/ally-requests"): {scope: {Role.AUTHORITY_ADMIN: 200} for scope in TokenScope},
    ("POST", "/api/v1/ally-requests/<request_id>/accept"): {
        TokenScope.READ: {},
        TokenScope.PUBLISH: {},
        TokenScope.MANAGE: {Role.AUTHORITY_ADMIN: 404},
        TokenScope.RECORD: {},
    },
    ("POST", "/api/v1/ally-requests/<request_id>/decline"): {
        TokenScope.READ: {},
        TokenScope.PUBLISH: {},
        TokenScope.MANAGE: {Role.AUTHORITY_ADMIN: 404},
        TokenScope.RECORD: {},
    },
    ("GET", "/api/v1/allies"): {scope: {Role.AUTHORITY_ADMIN: 200} for scope in TokenScope},
    ("DELETE", "/api/v1/allies/<alliance_id>"): {
        TokenScope.READ: {},
        TokenScope.PUBLISH: {},
        TokenScope.MANAGE: {Role.AUTHORITY_ADMIN: 404},
        TokenScope.RECORD: {},
    },
}
# Each product area's rows (reviews, visits, actions, staff views, search) sit beside its
# page rows in tests/integration/access_rows/.
API_ROUTES.update(access_rows.API_ROUTES)
EMPTY_BATCHES = {"/api/v1/values": {"values": []}, "/api/v1/flags": {"flags": []}}


def test_the_token_table_covers_every_api_route(app):
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == set(API_ROUTES)


@pytest.mark.parametrize("scope", list(TokenScope), ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_token_role_route_table(api, session, role, scope):
    _, _, secret = token_for(role, scope=scope)
    failures = []
    for (method, path), expected in API_ROUTES.items():
        if method == "GET":
            response = api.get(path, headers=bearer(secret))
        elif method == "DELETE":
            response = api.delete(path, headers=bearer(secret))
        else:
            response = api.open(
                path, method=method, headers=bearer(secret), json=EMPTY_BATCHES.get(path, {})
            )
        want = expected[scope].get(role, 403)
        if response.status_code != want:
            failures.append(f"{method} {path}: {response.status_code}, expected {want}")
        elif want >= 400:
            assert_problem(response, want)
    assert failures == []


# --- lists and pagination -----------------------------------------------------------


@contextmanager
def _statements():
    """The SQL statements run meanwhile."""
    seen: list[str] = []

    def _record(_connection, _cursor, statement, *_arguments):  # noqa: ANN001, ANN202
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)


def test_lists_come_in_pages_in_a_fixed_order(api, session):
    for code in ("C", "A", "E", "B", "D"):
        factories.indicator(code=f"IND-{code}")
    _, _, secret = token_for(Role.STAFF)
    first = api.get("/api/v1/indicators?per_page=2", headers=bearer(secret))
    assert first.mimetype == "application/json"
    body = first.get_json()
    assert [item["code"] for item in body["items"]] == ["IND-A", "IND-B"]
    assert (body["page"], body["per_page"], body["total"]) == (1, 2, 5)
    assert body["next"] == "/api/v1/indicators?page=2&per_page=2"
    second = api.get(body["next"], headers=bearer(secret)).get_json()
    assert [item["code"] for item in second["items"]] == ["IND-C", "IND-D"]
    last = api.get(second["next"], headers=bearer(secret)).get_json()
    assert [item["code"] for item in last["items"]] == ["IND-E"]
    assert last["next"] is None and last["total"] == 5
    beyond = api.get("/api/v1/indicators?page=4&per_page=2", headers=bearer(secret)).get_json()
    assert beyond["items"] == [] and beyond["next"] is None and beyond["total"] == 5
    with _statements() as statements:
        everything = api.get("/api/v1/indicators?per_page=500", headers=bearer(secret))
    everything = everything.get_json()
    assert everything["total"] == 5 and everything["next"] is None
    # A page that is not full is the last: its total needs no count of its own.
    assert not [sql for sql in statements if "count(" in sql and "indicators" in sql]
    assert everything["items"][0]["unit_kind"] == "proportion"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("per_page=501", "per_page", "per_page must be from 1 to 500"),
        ("per_page=0", "per_page", "per_page must be from 1 to 500"),
        ("page=0", "page", "page must be 1 or more"),
        ("page=two", "page", "Enter a number"),
        ("page=1_000", "page", "Enter a number"),
        ("page=１", "page", "Enter a number"),
        ("page=1.5", "page", "Enter a number"),
        ("authority=1", "authority", "Unknown field."),
    ],
)
def test_bad_query_parameters_are_a_422_naming_the_field(api, session, query, field, message):
    _, _, secret = token_for(Role.STAFF)
    body = assert_problem(api.get(f"/api/v1/values?{query}", headers=bearer(secret)), 422)
    assert body["type"] == "/api/reference#validation-failed"
    assert body["errors"] == [{"row": None, "field": field, "message": message}]


def test_periods_with_release_dates_and_approved_issue_types(api, session):
    factories.period("2023-24", released=False)
    factories.period("2022-23")
    dp = factories.indicator(code="DP-PCT")
    session.add_all(
        [
            IssueType(code="slow-dp", title="Slow direct payments", indicators=[dp]),
            IssueType(code="proposal", title="Proposed", status=IssueTypeStatus.PROPOSED),
        ]
    )
    session.commit()
    _, _, secret = token_for(Role.NETWORK_ADMIN)
    periods = api.get("/api/v1/periods", headers=bearer(secret)).get_json()["items"]
    assert [(p["code"], p["released_at"]) for p in periods] == [
        ("2022-23", "2023-12-01T00:00:00+00:00"),
        ("2023-24", None),
    ]
    issue_types = api.get("/api/v1/issue-types", headers=bearer(secret)).get_json()
    assert issue_types["total"] == 1
    assert issue_types["items"][0]["code"] == "slow-dp"
    assert issue_types["items"][0]["indicators"] == ["DP-PCT"]


# --- own values ---------------------------------------------------------------------


@pytest.fixture
def figures(session):
    """Two authorities' figures: ours in two periods (one corrected), a stranger's."""
    ours, theirs = factories.authority(), factories.authority(name="Strangershire Council")
    dp = factories.indicator(code="DP-PCT")
    cost = factories.indicator(
        code="COST", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False
    )
    old, new = factories.period("2021-22"), factories.period("2022-23")
    factories.value(ours, dp, old, numerator=10, denominator=40)
    factories.value(ours, dp, new, numerator=11, denominator=40, is_latest=False)
    factories.value(ours, dp, new, numerator=12, denominator=40, revision=2, note="corrected")
    factories.value(ours, cost, new, value=812.5)
    factories.value(theirs, dp, new, numerator=33, denominator=99)
    return ours, theirs


def _values(api, secret, query=""):
    response = api.get(f"/api/v1/values{query}", headers=bearer(secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_values_are_the_own_authoritys_latest_revisions(api, session, figures):
    ours, theirs = figures
    _, _, secret = token_for(Role.STAFF, ours)
    body = _values(api, secret)
    rows = [(v["period"], v["indicator"], v["revision"], v["numerator"]) for v in body["items"]]
    assert rows == [
        ("2021-22", "DP-PCT", 1, 10.0),
        ("2022-23", "COST", 1, None),
        ("2022-23", "DP-PCT", 2, 12.0),
    ]
    assert body["items"][2]["value"] == pytest.approx(30.0)
    assert body["items"][2]["note"] == "corrected"
    assert body["total"] == 3
    # The stranger's user sees only the stranger's figure, and neither names the other.
    _, _, their_secret = token_for(Role.ANALYST, theirs)
    theirs_body = _values(api, their_secret)
    assert [(v["numerator"], v["denominator"]) for v in theirs_body["items"]] == [(33.0, 99.0)]
    for text in (json.dumps(body), json.dumps(theirs_body)):
        assert ours.name not in text and theirs.name not in text
        assert ours.gss_code not in text and theirs.gss_code not in text


def test_values_filters(api, session, figures):
    ours, _ = figures
    _, _, secret = token_for(Role.ANALYST, ours)
    by_period = _values(api, secret, "?period=2022-23")
    assert [v["indicator"] for v in by_period["items"]] == ["COST", "DP-PCT"]
    by_both = _values(api, secret, "?period=2022-23&indicator=DP-PCT")
    assert [(v["period"], v["indicator"]) for v in by_both["items"]] == [("2022-23", "DP-PCT")]
    paged = _values(api, secret, "?indicator=DP-PCT&per_page=1")
    assert paged["total"] == 2
    path, _, query = paged["next"].partition("?")
    assert path == "/api/v1/values"
    assert parse_qs(query) == {"indicator": ["DP-PCT"], "page": ["2"], "per_page": ["1"]}
    body = assert_problem(api.get("/api/v1/values?period=1999-00", headers=bearer(secret)), 422)
    assert body["errors"] == [
        {"row": None, "field": "period", "message": "No period has the code 1999-00"}
    ]


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.NETWORK_ADMIN])
def test_users_without_an_authority_have_no_own_values(api, session, figures, role):
    _, _, secret = token_for(role)
    assert_problem(api.get("/api/v1/values", headers=bearer(secret)), 403)


# --- publishing ---------------------------------------------------------------------


@pytest.fixture
def catalogue(session):
    return {
        "dp": factories.indicator(
            code="DP-PCT", unit_kind=UnitKind.PROPORTION, multiplier=100, has_counts=True
        ),
        "cost": factories.indicator(
            code="COST", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False,
            plausible_min=300, plausible_max=3000,
        ),
        "period": factories.period("2022-23"),
    }  # fmt: skip


GOOD_BATCH = [
    {"indicator": "DP-PCT", "period": "2022-23", "numerator": 30, "denominator": 120},
    {
        "indicator": "COST",
        "period": "2022-23",
        "value": 812.5,
        "status": "final",
        "note": "audited",
    },
]


def publish(api, secret, body):
    return api.post("/api/v1/values", headers=bearer(secret), json=body)


def latest(session, authority_id):
    return session.scalars(
        select(Value)
        .where(Value.authority_id == authority_id, Value.is_latest)
        .order_by(Value.indicator_id)
    ).all()


def test_publishing_a_batch_then_the_same_then_a_correction(api, session, catalogue):
    user, _, secret = token_for(Role.ANALYST, scope=TokenScope.PUBLISH)
    response = publish(api, secret, {"values": GOOD_BATCH})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {
        "added": 2, "corrected": 0, "unchanged": 0, "queried": 0, "warnings": [],
    }  # fmt: skip
    values = latest(session, user.authority_id)
    assert [(v.numerator, v.denominator, v.value, v.source) for v in values] == [
        (30.0, 120.0, 25.0, "api"),
        (None, None, 812.5, "api"),
    ]
    assert values[1].status.value == "final" and values[1].note == "audited"
    assert all(v.published_by_id == user.id for v in values)
    [event] = events(session, "values_published")
    assert event.actor_id == user.id and event.details["source"] == "api"

    again = publish(api, secret, {"values": GOOD_BATCH}).get_json()
    assert (again["added"], again["corrected"], again["unchanged"]) == (0, 0, 2)
    corrected = [{**GOOD_BATCH[0], "numerator": 36}]
    outcome = publish(api, secret, {"values": corrected}).get_json()
    assert outcome["corrected"] == 1
    assert [v.revision for v in latest(session, user.authority_id)] == [2, 1]


def test_a_batch_with_any_problem_writes_nothing(api, session, catalogue):
    user, _, secret = token_for(Role.AUTHORITY_ADMIN, scope=TokenScope.PUBLISH)
    bad = [
        GOOD_BATCH[0],
        {"indicator": "DP-PCT", "period": "2022-23", "numerator": 130, "denominator": 120},
        {"indicator": "NOPE", "period": "2022-23", "value": 1},
        {"indicator": "COST", "period": "2022-23", "value": "1_000"},
    ]
    body = assert_problem(publish(api, secret, {"values": bad}), 422)
    assert body["type"] == "/api/reference#validation-failed"
    errors = {(e["row"], e["field"]) for e in body["errors"]}
    assert {(2, "numerator"), (3, "indicator"), (4, "value")} <= errors
    assert {e["row"] for e in body["errors"]} == {2, 3, 4}
    assert latest(session, user.authority_id) == []
    assert events(session, "values_published") == []


@pytest.mark.parametrize(
    ("body", "row", "field", "message"),
    [
        ({}, None, "values", "Send the values to publish as a list"),
        ({"values": []}, None, "values", "Send from 1 to 10,000 values in one request"),
        ({"values": ["DP-PCT"]}, 1, "row", "Invalid input type."),
        ({"values": [{"period": "2022-23"}]}, 1, "indicator", "Enter the indicator code"),
        ({"values": [{**GOOD_BATCH[1], "colour": "red"}]}, 1, "colour", "Unknown field"),
        # The authority is always the token user's own: a body cannot name one.
        ({"values": [GOOD_BATCH[0], {**GOOD_BATCH[1], "authority": "E99999999"}]}, 2, "authority",
         "Unknown field"),
        ({"values": [{**GOOD_BATCH[1], "value": True}]}, 1, "value", "Enter a number"),
    ],
)  # fmt: skip
def test_batch_validation_names_row_and_field(api, session, catalogue, body, row, field, message):
    user, _, secret = token_for(Role.ANALYST, scope=TokenScope.PUBLISH)
    problem = assert_problem(publish(api, secret, body), 422)
    matching = [e for e in problem["errors"] if (e["row"], e["field"]) == (row, field)]
    assert matching and matching[0]["message"].startswith(message), problem["errors"]
    assert latest(session, user.authority_id) == []


@pytest.mark.parametrize(
    "data",
    [b"{not json", b"[1, 2]", b'{"values": [{"indicator": "COST", "value": NaN}]}', b"\xff\xfe"],
    ids=["broken", "list", "nan", "bad-utf8"],
)
def test_a_body_that_is_not_a_json_object_is_a_400(api, session, catalogue, data):
    _, _, secret = token_for(Role.ANALYST, scope=TokenScope.PUBLISH)
    response = api.post(
        "/api/v1/values", headers=bearer(secret), data=data, content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert body["detail"] == "The request body must be a JSON object"


def test_a_read_token_cannot_publish(api, session, catalogue):
    user, _, secret = token_for(Role.ANALYST, scope=TokenScope.READ)
    body = assert_problem(publish(api, secret, {"values": GOOD_BATCH}), 403)
    assert "scope" in body["detail"]
    assert latest(session, user.authority_id) == []


def test_a_publish_token_stops_publishing_when_its_user_cannot(api, session, catalogue):
    user, _, secret = token_for(Role.ANALYST, scope=TokenScope.PUBLISH)
    user.role = Role.STAFF
    session.commit()
    assert_problem(publish(api, secret, {"values": GOOD_BATCH}), 403)
    assert latest(session, user.authority_id) == []
    assert api.get("/api/v1/values", headers=bearer(secret)).status_code == 200


# --- known issues ------------------------------------------------------------------


def record(api, secret, body):
    return api.post("/api/v1/flags", headers=bearer(secret), json=body)


def flags_of(session, authority_id):
    return session.scalars(
        select(IssueFlag).where(IssueFlag.authority_id == authority_id).order_by(IssueFlag.id)
    ).all()


def test_recording_known_issues(api, session):
    slow, backlog = factories.issue_type(code="slow-dp"), factories.issue_type(code="backlog")
    user, _, secret = token_for(Role.AUTHORITY_ADMIN, scope=TokenScope.PUBLISH)
    body = {
        "flags": [
            {"issue_type": "slow-dp", "answer": "reported", "status": "open",
             "severity": "high", "since": "2021-03", "tried": "Peer support", "share_tried": True},
            {"issue_type": "backlog", "answer": "not_an_issue"},
        ]
    }  # fmt: skip
    response = record(api, secret, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    answers = response.get_json()["flags"]
    assert [(a["issue_type"], a["answer"], a["status"], a["since"]) for a in answers] == [
        ("slow-dp", "reported", "open", "2021-03"),
        ("backlog", "not_an_issue", None, None),
    ]
    flags = flags_of(session, user.authority_id)
    assert [(f.issue_type_id, f.severity and f.severity.value) for f in flags] == [
        (slow.id, "high"),
        (backlog.id, None),
    ]
    assert all(f.updated_by_id == user.id for f in flags)
    assert [e.details["issue_type"] for e in events(session, "flag_recorded")] == [
        "slow-dp",
        "backlog",
    ]


def test_a_flag_batch_with_any_problem_records_nothing(api, session):
    factories.issue_type(code="slow-dp")
    factories.issue_type(code="idea", status=IssueTypeStatus.PROPOSED)
    user, _, secret = token_for(Role.ANALYST, scope=TokenScope.PUBLISH)
    body = {
        "flags": [
            {"issue_type": "slow-dp", "answer": "not_an_issue"},
            {"issue_type": "slow-dp", "answer": "reported"},
            {"issue_type": "idea", "answer": "not_an_issue"},
            "slow-dp",
        ]
    }
    problem = assert_problem(record(api, secret, body), 422)
    found = {(e["row"], e["field"]) for e in problem["errors"]}
    assert {(2, "status"), (2, "severity"), (3, "issue_type"), (4, "item")} <= found
    assert flags_of(session, user.authority_id) == []
    assert events(session, "flag_recorded") == []
    missing = assert_problem(record(api, secret, {"flags": "slow-dp"}), 422)
    assert missing["errors"] == [
        {"row": None, "field": "flags", "message": "Send the answers to record as a list"}
    ]


def test_a_read_token_cannot_record_flags(api, session):
    factories.issue_type(code="slow-dp")
    user, _, secret = token_for(Role.ANALYST)
    body = {"flags": [{"issue_type": "slow-dp", "answer": "not_an_issue"}]}
    assert_problem(record(api, secret, body), 403)
    assert flags_of(session, user.authority_id) == []


# --- errors -------------------------------------------------------------------------


def test_api_errors_are_problems_and_pages_keep_their_design(api, client, session, monkeypatch):
    _, _, secret = token_for(Role.ANALYST)
    assert_problem(api.get("/api/v1/no-such-thing", headers=bearer(secret)), 404)
    assert_problem(api.get("/api/v1/no-such-thing"), 404)
    assert_problem(api.post("/api/v1/no-such-thing", json={}), 404)
    assert_problem(api.post("/api/v1/indicators", headers=bearer(secret), json={}), 405)
    not_allowed = api.delete("/api/v1/indicators", headers=bearer(secret))
    assert_problem(not_allowed, 405)
    assert "GET" in not_allowed.headers["Allow"]
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    check_page(page)


def test_a_body_too_large_is_a_413_problem(app_context, api, session, catalogue, monkeypatch):
    monkeypatch.setitem(app_context.config, "MAX_CONTENT_LENGTH", 1000)
    _, _, secret = token_for(Role.ANALYST, scope=TokenScope.PUBLISH)
    body = {"values": [GOOD_BATCH[1]] * 50}
    assert_problem(publish(api, secret, body), 413)


def test_an_unexpected_failure_is_a_500_problem_that_leaks_nothing(api, session, monkeypatch):
    from bench.api import service

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service, "periods", broken)
    _, _, secret = token_for(Role.STAFF)
    response = api.get("/api/v1/periods", headers=bearer(secret))
    assert_problem(response, 500)
    assert "database" not in response.get_data(as_text=True)


# --- the OpenAPI document and the reference page ------------------------------------


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_the_openapi_document_is_public_and_complete(app, api, session):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert document["security"] == [{"bearerAuth": []}]
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    # Flask writes path parameters <name>, OpenAPI {name}.
    routes = {(method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)) for method, path in API_ROUTES}
    assert documented == routes
    parameters = document["paths"]["/api/v1/comparisons/{indicator_code}"]["get"]["parameters"]
    assert {"name": "indicator_code", "in": "path"}.items() <= next(
        p for p in parameters if p["name"] == "indicator_code"
    ).items()
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    assert document["paths"]["/api/v1/values"]["post"]["x-token-scope"] == "publish"
    assert document["paths"]["/api/v1/values"]["get"]["x-token-scope"] == "read"
    assert document["paths"]["/api/v1/flags"]["post"]["x-token-scope"] == "publish"
    for ref in set(_refs(document)):
        kind, name = ref.removeprefix("#/components/").split("/")
        assert name in document["components"][kind], ref
    unauthorized = document["components"]["responses"]["Unauthorized"]
    assert "application/problem+json" in unauthorized["content"]


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_the_reference_page_is_drawn_from_the_document(sign_in_as, session, role):
    page = sign_in_as(role).get("/api/reference")
    assert page.status_code == 200
    check_page(page)
    text = text_of(page)
    for path in ("/api/v1/indicators", "/api/v1/values", "/api/v1/flags", "/api/v1/openapi.json"):
        assert path in text
    for words in ("Authorization: Bearer", "application/problem+json", "per_page", "curl"):
        assert words in text
    assert 'id="schema-Problem"' in page.get_data(as_text=True)


def test_values_published_through_the_api_count_once(api, session, catalogue):
    """One request, one transaction: the outcome counts match the rows written."""
    user, _, secret = token_for(Role.ANALYST, scope=TokenScope.PUBLISH)
    publish(api, secret, {"values": GOOD_BATCH})
    total = session.scalar(
        select(func.count()).select_from(Value).where(Value.authority_id == user.authority_id)
    )
    assert total == 2


@pytest.mark.parametrize("number", ["9" * 400, "1e400", "-" + "9" * 400])
def test_a_number_too_big_for_a_float_is_a_422_naming_row_and_field(
    api, session, catalogue, number
):
    """A JSON number of 400 digits is a Python integer no float can hold: it was a server
    error; written with an exponent it reads as infinity. Either way: refused, nothing
    written, and the message names the row and field."""
    user, _, secret = token_for(Role.ANALYST, scope=TokenScope.PUBLISH)
    body = '{"values": [{"indicator": "COST", "period": "2022-23", "value": ' + number + "}]}"
    response = api.post(
        "/api/v1/values", headers={**bearer(secret), "Content-Type": "application/json"},
        data=body,
    )  # fmt: skip
    assert response.status_code == 422, response.get_data(as_text=True)
    errors = response.get_json(force=True)["errors"]
    assert [(error["row"], error["field"]) for error in errors] == [(1, "value")]
    assert latest(session, user.authority_id) == []
