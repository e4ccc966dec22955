"""Bad input never gives a 500: NUL characters, huge page numbers, odd download names.

PostgreSQL refuses text with a NUL character (``\\x00``) outright, where SQLite stores
it; so most of these failed on PostgreSQL only, with a 500. Every test here runs on both.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from bench.extensions import db
from bench.models import (
    ApiToken,
    Invitation,
    IssueFlag,
    IssueType,
    PeerGroup,
    QueryReason,
    Role,
    TokenScope,
    UploadBatch,
    Value,
    ValueQuery,
)
from tests import factories
from tests.integration.test_access import ANONYMOUS, ROLES, ROUTES, _url
from tests.pages import check_page, csrf_token, text_of

NUL = "\x00"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def assert_refused(response, field: str) -> None:
    """Refused with bench's own page (or problem+json) that names the field."""
    assert response.status_code == 422, (response.status_code, text_of(response)[:300])
    if response.mimetype == "application/problem+json":
        body = response.get_json(force=True)
        assert any(
            error["field"] == field and "null character" in error["message"]
            for error in body["errors"]
        ), body
    else:
        check_page(response)
        text = text_of(response)
        assert f"‘{field}’" in text and "null character" in text, text[:500]


@pytest.fixture
def publisher(sign_in_as):
    return sign_in_as(Role.ANALYST)


# --- the free-text fields the issue names, each with otherwise valid input -------------


def test_token_name(publisher, session):
    before = count(session, ApiToken)
    token = csrf_token(publisher, "/account/tokens/new")
    response = publisher.post(
        "/account/tokens/new",
        data={"csrf_token": token, "name": f"Upload{NUL}script", "scope": "read"},
    )
    assert_refused(response, "name")
    assert count(session, ApiToken) == before


def test_custom_group_name(publisher, session):
    others = [factories.authority() for _ in range(6)]
    token = csrf_token(publisher, "/compare/groups/new")
    response = publisher.post(
        "/compare/groups/new",
        data={
            "csrf_token": token,
            "name": f"Coastal{NUL}",
            "members": [str(a.id) for a in others],
        },
    )
    assert_refused(response, "name")
    assert count(session, PeerGroup) == 0


def test_what_was_tried(publisher, session):
    issue_type = factories.issue_type()
    path = f"/issues/{issue_type.code}/answer"
    token = csrf_token(publisher, path)
    response = publisher.post(
        path,
        data={
            "csrf_token": token,
            "answer": "reported",
            "status": "open",
            "since_month": "3",
            "since_year": "2021",
            "severity": "medium",
            "tried": f"A new pathway{NUL}",
            "share_tried": "y",
        },
    )
    assert_refused(response, "tried")
    assert count(session, IssueFlag) == 0


def test_proposal(publisher, session):
    before = count(session, IssueType)
    token = csrf_token(publisher, "/issues/propose")
    response = publisher.post(
        "/issues/propose",
        data={"csrf_token": token, "title": f"Slow{NUL} reviews", "description": "Reviews lag"},
    )
    assert_refused(response, "title")
    assert count(session, IssueType) == before


def test_value_note(publisher, session):
    indicator = factories.indicator(code="NULNOTE")
    factories.period("2022-23")
    token = csrf_token(publisher, "/publish/value")
    response = publisher.post(
        "/publish/value",
        data={
            "csrf_token": token,
            "indicator": str(indicator.id),
            "period": "2022-23",
            "numerator": "10",
            "denominator": "100",
            "status": "provisional",
            "note": f"Checked{NUL}",
        },
    )
    assert_refused(response, "note")
    assert count(session, Value) == 0


def test_query_answer(publisher, session):
    indicator = factories.indicator()
    value = factories.value(
        publisher.user.authority, indicator, factories.period(), numerator=1, denominator=2
    )
    query = ValueQuery(
        value_id=value.id,
        authority_id=value.authority_id,
        reason=QueryReason.OUTSIDE_PLAUSIBLE_RANGE,
    )
    session.add(query)
    session.commit()
    token = csrf_token(publisher, "/publish/queries")
    response = publisher.post(
        f"/publish/queries/{query.id}/confirm",
        data={"csrf_token": token, "response": f"A new contract{NUL}"},
    )
    assert_refused(response, "response")
    assert session.get(ValueQuery, query.id).response == ""


def test_invitation_name(sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    token = csrf_token(admin, "/users/invite")
    response = admin.post(
        "/users/invite",
        data={
            "csrf_token": token,
            "name": f"New{NUL}Person",
            "email": "new.person@example.gov.uk",
            "role": "staff",
        },
    )
    assert_refused(response, "name")
    assert count(session, Invitation) == 0


def test_upload_file_name(publisher, session):
    token = csrf_token(publisher, "/publish/")
    content = b"indicator,period,numerator,denominator,value,status,note\r\n"
    response = publisher.post(
        "/publish/upload",
        data={"csrf_token": token, "file": (io.BytesIO(content), f"figures{NUL}.csv")},
        content_type="multipart/form-data",
    )
    assert_refused(response, "file")
    assert count(session, UploadBatch) == 0


def test_sign_in_email(client, session):
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": f"someone{NUL}@example.gov.uk", "password": "x"},
    )
    assert_refused(response, "email")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/compare/?group=same-type%00", "group"),
        ("/compare/norms?period=2022-23%00", "period"),
        ("/compare/indicators/NULIND?authority=%00", "authority"),
        ("/publish/value?indicator=%00", "indicator"),
        ("/publish/template.csv?period=2022-23%00", "period"),
        ("/audit/?action=%00", "action"),
        ("/compare/?%00=1", "\\0"),
    ],
)
def test_query_parameters_on_pages(sign_in_as, path, field):
    factories.indicator(code="NULIND")
    client = sign_in_as(Role.AUTHORITY_ADMIN)
    assert_refused(client.get(path), field)


def test_a_path_naming_nothing_is_a_404(publisher):
    assert publisher.get("/issues/issue%00/answer").status_code == 404


# --- the API: query parameters, bodies, paths ------------------------------------------------


@pytest.fixture
def api_secret(app_context):
    user = factories.user(Role.ANALYST)
    _, secret = factories.api_token(user, TokenScope.PUBLISH)
    return secret


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/values?period=2022-23%00",
        "/api/v1/values?indicator=%00",
        "/api/v1/standing?group=%00",
        "/api/v1/norms?period=%00",
        "/api/v1/indicators?page=1%00",
    ],
)
def test_api_query_parameters(client, api_secret, path):
    response = client.get(path, headers=bearer(api_secret))
    assert_refused(response, path.split("?")[1].split("=")[0])


def test_api_path(client, api_secret):
    response = client.get("/api/v1/comparisons/ABC%00", headers=bearer(api_secret))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_api_bodies(client, api_secret, session):
    factories.indicator(code="NULAPI")
    factories.period("2022-23")
    issue_type = factories.issue_type()
    row = {"indicator": "NULAPI", "period": "2022-23", "numerator": 1, "denominator": 2}
    response = client.post(
        "/api/v1/values",
        json={"values": [row, {**row, "period": "2022-23", "note": f"x{NUL}"}]},
        headers=bearer(api_secret),
    )
    assert_refused(response, "note")
    assert response.get_json()["errors"][0]["row"] == 2
    response = client.post(
        "/api/v1/flags",
        json={"flags": [{"issue_type": issue_type.code, "answer": "reported", "tried": NUL}]},
        headers=bearer(api_secret),
    )
    assert_refused(response, "tried")
    response = client.post(
        "/api/v1/values", json={"values": [{f"note{NUL}": "x"}]}, headers=bearer(api_secret)
    )
    assert response.status_code == 422
    assert count(session, Value) == 0
    assert count(session, IssueFlag) == 0


def test_a_token_with_nul_is_simply_wrong(client):
    response = client.get("/api/v1/indicators", headers=bearer(f"bench_{NUL}abc"))
    assert response.status_code == 401


# --- every route, every role: NUL in every query parameter and form field -----------------

# Every query parameter the views read, and a name no view reads.
QUERY_PARAMETERS = ("group", "period", "authority", "indicator", "key_area", "page", "per_page",
                    "action", "next", "unknown")  # fmt: skip


def _form_fields(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', html)) - {
        "csrf_token"
    }


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_nul_anywhere_is_never_a_500(app_context, sign_in_as, role):
    """Walk the role × route table: NUL in each query parameter of every GET, and in every
    field of every form a page shows, posted to every POST route."""
    authority = factories.authority()
    if role == ANONYMOUS:
        client = app_context.test_client()
    else:
        own = authority if Role(role).belongs_to_authority else None
        client = sign_in_as(Role(role), own)
    issue_type = factories.issue_type()
    indicator = factories.indicator()
    period = factories.period("2021-22")
    series_break = factories.series_break(indicator, period)
    ids = {
        "indicator_id": indicator.id,
        "period_id": period.id,
        "break_id": series_break.id,
    }
    fields: set[str] = set()
    failures = []
    gets = [(m, p) for m, p in ROUTES if m == "GET"]
    posts = [(m, p) for m, p in ROUTES if m == "POST" and p != "/sign-out"]
    for _, path in gets:
        url = _url(path, ids, issue_type.code, indicator.code)
        page = client.get(url)
        if page.mimetype == "text/html":
            fields |= _form_fields(page.get_data(as_text=True))
        for name in QUERY_PARAMETERS:
            response = client.get(url, query_string={name: f"1{NUL}"})
            if response.status_code >= 500:
                failures.append(f"GET {url}?{name}: {response.status_code}")
    token_page = "/sign-in" if role == ANONYMOUS else "/account"
    for _, path in posts:
        url = _url(path, ids, issue_type.code, indicator.code)
        token = csrf_token(client, token_page)  # the session's: good for every field
        for name in sorted(fields):
            response = client.post(url, data={"csrf_token": token, name: f"1{NUL}"})
            if response.status_code >= 500:
                failures.append(f"POST {url} {name}: {response.status_code}")
    assert fields, "no form fields found"
    assert failures == []


# --- page numbers beyond any list ------------------------------------------------------------


def test_every_api_list_refuses_a_page_beyond_the_bound(app_context, client):
    """Every API list (the GET routes that answer a page with ``next``), found in the
    app's url_map, answers a page number beyond the bound with 422 problem+json."""
    _, secret = factories.api_token(factories.user(Role.ANALYST))
    lists = []
    for rule in app_context.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and "GET" in rule.methods and not rule.arguments:
            body = client.get(rule.rule, headers=bearer(secret)).get_json()
            if isinstance(body, dict) and "next" in body:
                lists.append(rule.rule)
    assert {"/api/v1/indicators", "/api/v1/values"} <= set(lists)
    for path in lists:
        for page in ("10000000000000000000", "-10000000000000000000"):
            response = client.get(f"{path}?page={page}", headers=bearer(secret))
            assert response.status_code == 422, (path, page, response.status_code)
    from bench.api.schemas import MAX_PAGE

    for path in lists:
        for page in ("10000000000000000000", str(MAX_PAGE + 1)):
            response = client.get(f"{path}?page={page}", headers=bearer(secret))
            assert response.status_code == 422, (path, page, response.status_code)
            assert response.mimetype == "application/problem+json"
            assert response.get_json()["errors"][0]["field"] == "page"
        last = client.get(f"{path}?page={MAX_PAGE}", headers=bearer(secret))
        assert last.status_code == 200, (path, last.get_data(as_text=True))
        assert last.get_json()["items"] == []


# --- download names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        'key_area=x";filename=evil.html',
        "key_area=national_framework%0D%0ASet-Cookie:%20a=b",
        "key_area=national_framework%0A",
        "key_area=no_such_area",
        "period=1999-00",
        "period=2022-23%0D%0A",
    ],
)
def test_template_download_with_an_unknown_value_is_a_404(publisher, query):
    factories.period("2022-23")
    response = publisher.get(f"/publish/template.csv?{query}")
    assert response.status_code == 404, response.headers.get("Content-Disposition")
    assert "Content-Disposition" not in response.headers
    check_page(response)


def test_template_download_names_come_from_known_values(publisher):
    factories.period("2022-23")
    response = publisher.get("/publish/template.csv?key_area=national_framework&period=2022-23")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="bench-template-national_framework.csv"'
    )
    every = publisher.get("/publish/template.csv")
    assert every.headers["Content-Disposition"] == 'attachment; filename="bench-template-all.csv"'
    current = publisher.get("/publish/current.csv")
    assert current.headers["Content-Disposition"] == (
        'attachment; filename="bench-current-values.csv"'
    )


def test_every_download_goes_through_the_one_helper():
    """Content-Disposition is written in one place (bench/csvout.py), nowhere else."""
    from pathlib import Path

    import bench

    root = Path(bench.__file__).parent
    writers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "Content-Disposition" in path.read_text(encoding="utf-8")
    )
    assert writers == ["csvout.py"]


# --- domain errors no view handled --------------------------------------------------------


def _domain_errors():
    from bench import errors

    found, todo = [], [errors.BenchError]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo += kind.__subclasses__()
    return sorted(found, key=lambda kind: kind.__name__)


def _raising(kind):
    from bench.errors import RowError, ValidationFailed

    if kind is ValidationFailed or issubclass(kind, ValidationFailed):
        return kind([RowError(3, "note", "Note must be 1000 characters or fewer")])
    return kind("Enter a title for the issue type", field="title")


@pytest.fixture(scope="module")
def raising_app(app):
    """The application with one extra page that raises whatever domain error it is told
    to, as a service called by a view would (registered before its first request)."""
    from flask import Blueprint

    from bench.access import public
    from tests.conftest import make_app

    application = make_app(app.config["DATABASE_URL"])
    blueprint = Blueprint("raising", __name__)
    kinds = {kind.__name__: kind for kind in _domain_errors()}

    @blueprint.route("/raise/<name>")
    @blueprint.route("/api/v1/raise/<name>")
    @public
    def raise_it(name):
        raise _raising(kinds[name])

    application.register_blueprint(blueprint)
    yield application
    with application.app_context():
        db.engine.dispose()


EXPECTED_STATUS = {
    "BenchError": 422,
    "Conflict": 409,
    "InvalidInput": 422,
    "NotAllowed": 403,
    "NotFound": 404,
    "ValidationFailed": 422,
}


def test_every_domain_error_has_a_status():
    assert sorted(kind.__name__ for kind in _domain_errors()) == sorted(EXPECTED_STATUS)


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
def test_a_domain_error_on_a_page_is_its_status_and_page(raising_app, name):
    with raising_app.app_context():
        response = raising_app.test_client().get(f"/raise/{name}")
    assert response.status_code == EXPECTED_STATUS[name], response.status_code
    check_page(response)
    text = text_of(response)
    assert "Sorry, there is a problem with the service" not in text
    if response.status_code in (409, 422):  # what was wrong, in the user's words
        expected = "Note must be" if name == "ValidationFailed" else "Enter a title"
        assert expected in text


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
def test_a_domain_error_in_the_api_is_its_status_as_a_problem(raising_app, name):
    with raising_app.app_context():
        response = raising_app.test_client().get(f"/api/v1/raise/{name}")
    assert response.status_code == EXPECTED_STATUS[name]
    assert response.mimetype == "application/problem+json"
