"""Defects the OpenAPI contract run (tests/contract) found, each kept as a test that failed
before its fix: through real HTTP with a bearer token, as a script would call the API."""

from __future__ import annotations

import json

import pytest

from bench import messages
from bench.models import Role, TokenScope
from tests import factories, factories_visits


@pytest.fixture
def api(app_context):
    """A client with no cookies: only the token it sends counts."""
    return app_context.test_client()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def token(role: Role, scope: TokenScope) -> str:
    return factories.api_token(factories.user(role), scope)[1]


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json(force=True)


@pytest.mark.parametrize("source_id", ["x" * 101, 5], ids=["too-long", "not-text"])
@pytest.mark.parametrize("source", ["visit", "review", "staff_view"])
def test_a_malformed_action_source_id_is_a_422_naming_the_field(api, session, source, source_id):
    """The field's messages were the per-source dict of messages: too long, marshmallow
    could not format it (a 500); not text, the errors named source_id.visit and so on."""
    body = {"description": "Call the provider", "source": source, "source_id": source_id}
    response = api.post(
        "/api/v1/actions", json=body, headers=bearer(token(Role.STAFF, TokenScope.RECORD))
    )
    errors = problem(response, 422)["errors"]
    assert {"row": None, "field": "source_id", "message": messages.ACTION_SOURCE_ID_INVALID} in (
        errors
    )
    assert all(error["field"] != "source_id" or error["message"] for error in errors)


def _arrays_with_enum(node, path=""):
    if isinstance(node, dict):
        if node.get("type") == "array" and "enum" in node:
            yield path
        for key, value in node.items():
            yield from _arrays_with_enum(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _arrays_with_enum(value, f"{path}/{index}")


def test_a_list_of_choices_lists_them_on_its_items(api, session):
    """apispec put the review's key areas (ContainsOnly) on the list itself: no list equals
    a string, so no valid review could be written from the document."""
    document = api.get("/api/v1/openapi.json").get_json()
    assert list(_arrays_with_enum(document)) == []
    key_areas = document["components"]["schemas"]["ReviewIn"]["properties"]["key_areas"]
    assert "national_framework" in key_areas["items"]["enum"]


def test_codes_are_listed_to_callers_with_a_token(api, session):
    issue_type = factories.issue_type()
    indicator = factories.indicator()
    period = factories.period()
    authority = factories.authority()
    anonymous = api.get("/api/v1/openapi.json").get_json()
    listed = api.get(
        "/api/v1/openapi.json", headers=bearer(token(Role.STAFF, TokenScope.READ))
    ).get_json()
    schemas = listed["components"]["schemas"]
    assert indicator.code in schemas["ValueIn"]["properties"]["indicator"]["enum"]
    assert period.code in schemas["ValueIn"]["properties"]["period"]["enum"]
    assert issue_type.code in schemas["Flag"]["properties"]["issue_type"]["enum"]
    # Never the councils' codes: a staff user's document must not list the network
    # (tests/integration/test_allies_identities.py looks for them everywhere).
    assert authority.gss_code not in json.dumps(listed)
    assert "enum" not in schemas["VisitIn"]["properties"]["host"]
    assert indicator.code in schemas["VisitIn"]["properties"]["indicators"]["items"]["enum"]
    parameters = listed["paths"]["/api/v1/comparisons/{indicator_code}"]["get"]["parameters"]
    code = next(p for p in parameters if p["name"] == "indicator_code")
    assert indicator.code in code["schema"]["enum"]
    assert "enum" not in anonymous["components"]["schemas"]["ValueIn"]["properties"]["indicator"]
    # Responses are never narrowed: a value read back names whatever code it has.
    assert "enum" not in schemas["Value"]["properties"]["indicator"]


def test_every_id_in_a_path_may_be_a_404_and_every_call_a_503(api, session):
    document = api.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for details in operations.values():
            assert "503" in details["responses"], path
            assert ("404" in details["responses"]) >= ("{" in path), path
    unavailable = document["components"]["responses"]["Unavailable"]
    assert unavailable["headers"]["Retry-After"]["required"] is True


def test_a_stale_note_revision_409_is_documented_with_its_current_revision(api, session):
    """The 409 carries current_revision, which the shared Problem schema (no other
    members) did not allow."""
    own = factories.authority()
    staff = factories.user(Role.STAFF, own)
    note = factories_visits.note(factories_visits.visit(own), author=staff)
    headers = bearer(factories.api_token(staff, TokenScope.RECORD)[1])
    path = f"/api/v1/notes/{note.public_id}"
    assert api.put(path, headers=headers, json={"body": "Two", "revision": 1}).status_code == 200
    stale = problem(api.put(path, headers=headers, json={"body": "Mine", "revision": 1}), 409)
    document = api.get("/api/v1/openapi.json").get_json()
    conflict = document["paths"]["/api/v1/notes/{note_id}"]["put"]["responses"]["409"]
    schema = conflict["content"]["application/problem+json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    documented = document["components"]["schemas"][name]
    assert set(stale) <= set(documented["properties"])
    assert set(documented["required"]) <= set(stale)
    assert stale["current_revision"] == 2


def test_every_documented_action_status_may_be_sent(api, session):
    """The document listed carried_forward, which only carrying an action forward sets:
    a client that sent it was refused."""
    from bench.actions.schemas import ActionUpdateInSchema

    document = api.get("/api/v1/openapi.json").get_json()
    documented = document["components"]["schemas"]["ActionUpdateIn"]["properties"]["status"]
    for status in documented["enum"]:
        errors = ActionUpdateInSchema().validate({"status": status, "lock_version": 1})
        assert "status" not in errors, (status, errors)


@pytest.mark.parametrize("since", ["0000-01", "0001-12", "1899-12"])
def test_a_flag_since_before_1900_is_a_422_naming_the_field(api, session, since):
    """Year 0 cannot be a Python date: the month was built before its year was checked,
    and "0000-01" was a 500."""
    issue_type = factories.issue_type()
    flag = {
        "issue_type": issue_type.code,
        "answer": "reported",
        "status": "open",
        "severity": "low",
        "since": since,
    }
    response = api.post(
        "/api/v1/flags",
        json={"flags": [flag]},
        headers=bearer(token(Role.ANALYST, TokenScope.PUBLISH)),
    )
    errors = problem(response, 422)["errors"]
    assert {"row": 1, "field": "since", "message": messages.SINCE_TOO_EARLY} in errors


def test_response_fields_are_required_and_a_problems_errors_optional(api, session):
    """Without required fields a response schema matched any object, so a field that
    went missing passed the contract check unnoticed."""
    schemas = api.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    given = schemas["Given"]
    assert set(given["required"]) == set(given["properties"])
    assert given["properties"]["id"]["nullable"] is True  # an anonymous view has none
    assert "errors" not in schemas["Problem"]["required"]
    assert "x-may-be-absent" not in schemas["Problem"]["properties"]["errors"]
    # Requests keep their own: what a client may leave out is not required of it.
    assert "starts_at" not in schemas["GrantIn"]["required"]
