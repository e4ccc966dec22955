"""schemathesis against the OpenAPI document the running app serves, over real HTTP.

The demo network is seeded into its own database and served by the browser tests' live
server (tests/e2e/conftest.py). Lancashire's authority admin holds a token of each scope
and the demo inspector a read token; each operation is called with the token its
``x-token-scope`` and its rule name. The document is fetched with a token, so every
request field that takes a code lists the network's codes as its enum
(bench.api.openapi.CODE_FIELDS): generated values, periods, flags, visits, actions and
evidence name things that exist, and writes can succeed.

What no document can list (the ids of one authority's own reviews, visits, notes,
actions, staff views, allies and grants; the lock version or revision a client last read;
a user's email address; a date relative to today) the test supplies as a client would:
path ids are drawn from what the API lists, and in half the positive cases the body is
completed by reading the resource first (``REALISTIC``).

Every response must pass schemathesis's checks: no server error, a documented status,
content type and headers, a body matching its schema. Every operation, writes included,
must succeed at least once (a 2xx): the table of statuses by operation is printed.

Deterministic (derandomized, no example database) and bounded: EXAMPLES per operation,
fewer on SQLite (the same code; PostgreSQL is production's database). Select with
``-m contract``; it runs with the rest of the suite.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bench.access import ROLE_PERMISSIONS, rule_for
from bench.auth.service import create_token
from bench.extensions import db
from bench.models import Role, TokenScope, User
from seed.demo import DEMO_AUTHORITY_WITH_VISITS, INSPECTOR_EMAIL, demo_email
from tests.e2e.conftest import live_app, live_server  # noqa: F401 - the fixtures, reused

pytestmark = pytest.mark.contract

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Positive cases per operation; negative ones (invalid on purpose) are half as many.
# PostgreSQL is production's database; SQLite runs the same code with fewer. A deeper run:
# BENCH_CONTRACT_EXAMPLES=30 (at 60, every response to a staff view can meet a view that
# an earlier case hid: 409s, and "never succeeded" then says so).
EXAMPLES = {"postgresql": 10, "sqlite": 6}
DEEPER = int(os.environ.get("BENCH_CONTRACT_EXAMPLES", "0"))
IDS_PER_KIND = 4
ADMIN = demo_email("admin", DEMO_AUTHORITY_WITH_VISITS)
# Two councils that are not Lancashire's allies ask it for allies, so that it has
# requests to accept and decline (the demo's requests are all Lancashire's own).
# Accepting takes half of them, declining the other half (each is answered once).
ASKERS = ("E06000001", "E06000002", "E06000003", "E06000004")
ASKED_ABOUT = "slow-direct-payments"


def _token(user: User, scope: TokenScope) -> str:
    return create_token(user, name=f"contract {scope}", scope=scope, expires_in_days=1).secret


def _tokens(app: Flask) -> dict[tuple[str, str], str]:
    with app.app_context():
        admin = db.session.query(User).filter_by(email=ADMIN).one()
        inspector = db.session.query(User).filter_by(email=INSPECTOR_EMAIL).one()
        tokens = {("admin", scope.value): _token(admin, scope) for scope in TokenScope}
        tokens[("inspector", "read")] = _token(inspector, TokenScope.READ)
        for code in ASKERS:
            asker = db.session.query(User).filter_by(email=demo_email("admin", code)).one()
            tokens[(code, "manage")] = _token(asker, TokenScope.MANAGE)
            db.session.expunge_all()
        return tokens


class Client:
    """The API over HTTP, as one of the tokens."""

    def __init__(self, base: str, tokens: dict[tuple[str, str], str]) -> None:
        self.base = base
        self.tokens = tokens
        self.session = requests.Session()

    def headers(self, who: str, scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[(who, scope)]}"}

    def get(self, path: str, who: str = "admin") -> Any:
        response = self.session.get(self.base + path, headers=self.headers(who, "read"))
        assert response.status_code == 200, (path, response.text)
        return response.json()

    def post(self, path: str, body: Any, who: str, scope: str) -> Any:
        response = self.session.post(self.base + path, json=body, headers=self.headers(who, scope))
        assert response.status_code in (200, 201), (path, response.text)
        return response.json()


def _set_up(client: Client) -> None:
    """Lancashire reports slow direct payments and is open to contact about it; two other
    councils ask for allies about it."""
    flag = {
        "issue_type": ASKED_ABOUT,
        "answer": "reported",
        "status": "open",
        "severity": "medium",
        "open_to_contact": True,
    }
    client.post("/api/v1/flags", {"flags": [flag]}, "admin", "publish")
    for code in ASKERS:
        body = {"issue_type": ASKED_ABOUT, "message": "How did you do it? (contract test)"}
        client.post("/api/v1/ally-requests", body, code, "manage")


def _real_ids(client: Client) -> dict[str, list[str]]:
    """Ids the admin's authority owns, by path parameter name, from the API's lists."""
    visits = [item["id"] for item in client.get("/api/v1/visits")["items"]]
    notes = [
        note["id"]
        for visit in visits
        for note in client.get(f"/api/v1/visits/{visit}/notes")["notes"]
    ]
    views = [
        view["id"]
        for round_ in client.get("/api/v1/staff-views")["rounds"]
        for view in round_["views"] + round_["hidden"]
        if view.get("id")
    ]
    found = {
        "review_id": [item["id"] for item in client.get("/api/v1/reviews")["items"]],
        "visit_id": visits,
        "note_id": notes,
        "action_id": [item["id"] for item in client.get("/api/v1/actions")["items"]],
        "alliance_id": [item["id"] for item in client.get("/api/v1/allies")["current"]],
        "request_id": [item["id"] for item in client.get("/api/v1/ally-requests")["incoming"]],
        "grant_id": [item["id"] for item in client.get("/api/v1/grants")["grants"]],
        "view_id": views,
    }
    return {name: ids[:IDS_PER_KIND] for name, ids in found.items()}


# --- what a client fills in by reading first (half the positive cases) -----------------


def _lock_version(path: str) -> Callable[[Client, Any], None]:
    def fill(client: Client, case: Any) -> None:
        current = client.session.get(
            client.base + path.format(**case.path_parameters),
            headers=client.headers("admin", "read"),
        )
        if current.status_code == 200 and isinstance(case.body, dict):
            case.body["lock_version"] = current.json()["lock_version"]

    return fill


def _revision(client: Client, case: Any) -> None:
    current = client.session.get(
        client.base + "/api/v1/notes/{note_id}".format(**case.path_parameters),
        headers=client.headers("admin", "read"),
    )
    if current.status_code == 200 and isinstance(case.body, dict):
        case.body["revision"] = current.json()["revision"]


def _grant(client: Client, case: Any) -> None:
    if isinstance(case.body, dict):
        case.body.update(
            inspector_email=INSPECTOR_EMAIL,
            starts_at=None,
            expires_at=(datetime.now(UTC) + timedelta(days=30)).isoformat(),
        )


def _group(client: Client, case: Any) -> None:
    if isinstance(case.body, dict):
        groups = client.get("/api/v1/peer-groups")["groups"]
        case.body["group"] = groups[0]["key"]


def _visit(client: Client, case: Any) -> None:
    if isinstance(case.body, dict):
        case.body.update(visited_on=datetime.now(UTC).date().isoformat(), host=None)


def _flags(client: Client, case: Any) -> None:
    """A reported issue gives its status and severity; the schema cannot say "if"."""
    if not isinstance(case.body, dict):
        return
    for flag in case.body.get("flags", []):
        if isinstance(flag, dict) and flag.get("answer") == "reported":
            flag["status"] = flag.get("status") or "open"
            flag["severity"] = flag.get("severity") or "medium"
            flag["since"] = None


def _values(client: Client, case: Any) -> None:
    """Counts for indicators with counts, a value within range for the others."""
    if not isinstance(case.body, dict):
        return
    indicators = {
        item["code"]: item for item in client.get("/api/v1/indicators?per_page=500")["items"]
    }
    for row in case.body.get("values", []):
        indicator = indicators.get(row.get("indicator")) if isinstance(row, dict) else None
        if indicator is None:
            continue
        if indicator["has_counts"]:
            row.update(numerator=3, denominator=40, value=None)
        else:
            low, high = indicator["plausible_min"] or 0, indicator["plausible_max"] or 1
            row.update(numerator=None, denominator=None, value=(low + high) / 2)


def _action(client: Client, case: Any) -> None:
    """From one of the authority's reviews, owned by its admin, without a measure (whose
    baseline and target depend on the periods' release dates)."""
    if isinstance(case.body, dict):
        review = client.get("/api/v1/reviews")["items"][0]["id"]
        case.body.update(
            source="review",
            source_id=review,
            review=None,
            owner_email=ADMIN,
            owner_name=None,
            indicator=None,
            baseline_period=None,
            baseline_value=None,
            target_value=None,
            target_period=None,
        )


def _pack(client: Client, case: Any) -> None:
    """The inspector names the authority whose grant they hold."""
    case.query = {**(case.query or {}), "authority": DEMO_AUTHORITY_WITH_VISITS}


REALISTIC: dict[tuple[str, str], Callable[[Client, Any], None]] = {
    ("PUT", "/api/v1/reviews/{review_id}"): _lock_version("/api/v1/reviews/{review_id}"),
    ("POST", "/api/v1/actions/{action_id}/updates"): _lock_version("/api/v1/actions/{action_id}"),
    ("PUT", "/api/v1/notes/{note_id}"): _revision,
    ("POST", "/api/v1/grants"): _grant,
    ("POST", "/api/v1/actions"): _action,
    ("POST", "/api/v1/flags"): _flags,
    ("POST", "/api/v1/values"): _values,
    ("POST", "/api/v1/reviews/{review_id}/evidence"): _group,
    ("POST", "/api/v1/visits"): _visit,
    ("GET", "/api/v1/exports/inspection-pack.zip"): _pack,
}


# --- the run ---------------------------------------------------------------------------


def _caller(app: Flask, operation: Any) -> tuple[str, str] | None:
    """Who calls the operation with which scope; None for a public one."""
    definition = operation.definition.raw
    if definition.get("security") == []:
        return None
    flask_path = operation.path.replace("{", "<").replace("}", ">")
    endpoint = next(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule == flask_path and operation.method.upper() in rule.methods
    )
    rule = rule_for(endpoint, app)
    who = "admin" if rule & ROLE_PERMISSIONS[Role.AUTHORITY_ADMIN] else "inspector"
    return who, definition["x-token-scope"]


def _ids_for(operation: Any, ids: dict[str, list[str]]) -> dict[str, list[str]]:
    """The real ids an operation's path parameters are drawn from."""
    known = {
        parameter.name: ids[parameter.name]
        for parameter in operation.path_parameters
        if ids.get(parameter.name)
    }
    if "request_id" in known:  # accept the first half, decline the second
        requests_ = known["request_id"]
        half = len(requests_) // 2
        known["request_id"] = requests_[:half] if operation.path.endswith("/accept") else (
            requests_[half:]
        )
    return known


def _strategy(operation: Any, mode: GenerationMode, ids: dict[str, list[str]]) -> Any:
    generated = operation.as_strategy(generation_mode=mode)
    known = _ids_for(operation, ids)
    if mode is GenerationMode.NEGATIVE or not known:
        return generated
    fixed = [
        operation.as_strategy(
            generation_mode=mode, path_parameters=dict(zip(known, values, strict=True))
        )
        for values in itertools.product(*known.values())
    ]
    return st.one_of(st.one_of(fixed), generated)


def _runner(
    client: Client,
    operation: Any,
    mode: GenerationMode,
    count: int,
    ids: dict[str, list[str]],
    headers: dict[str, str],
    fill: Callable[[Client, Any], None] | None,
    counts: dict[str, Counter],
    refusals: dict[str, str],
) -> Callable[[], None]:
    """Hypothesis's test of one operation in one mode: call, count, check."""

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, mode, ids), read_first=st.booleans())
    def run(case: Any, read_first: bool) -> None:
        if fill and read_first and mode is GenerationMode.POSITIVE:
            fill(client, case)
        response = case.call(base_url=client.base, session=client.session, headers=headers)
        counts[operation.label][response.status_code] += 1
        if response.status_code == 422 and mode is GenerationMode.POSITIVE:
            refusals[operation.label] = response.text[:400]
        case.validate_response(response, checks=CHECKS)

    return run


def _table(counts: dict[str, Counter]) -> str:
    statuses = sorted({status for counter in counts.values() for status in counter})
    width = max((len(label) for label in counts), default=10)
    lines = [f"{'operation':<{width}} " + " ".join(f"{status:>4}" for status in statuses)]
    for label, counter in sorted(counts.items(), key=lambda item: item[0].split(" ", 1)[::-1]):
        cells = " ".join(f"{counter.get(status, ''):>4}" for status in statuses)
        lines.append(f"{label:<{width}} {cells}")
    return "\n".join(lines)


def test_every_operation_keeps_the_documented_contract(
    live_app,  # noqa: F811
    live_server,  # noqa: F811
    backend,
    capsys,
):
    client = Client(live_server, _tokens(live_app))
    _set_up(client)
    ids = _real_ids(client)
    schema = schemathesis.openapi.from_url(
        f"{live_server}/api/v1/openapi.json", headers=client.headers("admin", "read")
    )
    examples = DEEPER or EXAMPLES[backend]
    counts: dict[str, Counter] = defaultdict(Counter)
    refusals: dict[str, str] = {}  # each operation's last 422, to say why none succeeded
    failures: list[str] = []
    writes: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        caller = _caller(live_app, operation)
        headers = client.headers(*caller) if caller else {}
        realistic = REALISTIC.get((operation.method.upper(), operation.path))
        if operation.method.upper() != "GET":
            writes.append(operation.label)
        for mode, count in (
            (GenerationMode.POSITIVE, examples),
            (GenerationMode.NEGATIVE, examples // 2),
        ):
            run = _runner(
                client, operation, mode, count, ids, headers, realistic, counts, refusals
            )
            try:
                run()
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # noqa: BLE001 - schemathesis's FailureGroup too
                failures.append(f"{operation.label} ({mode.value}): {error}")
    table = _table(counts)
    with capsys.disabled():
        print(f"\nOpenAPI contract on {backend}: responses by status\n{table}")
    assert not failures, "\n\n".join(failures)
    never = [label for label in counts if not any(200 <= s < 300 for s in counts[label])]
    why = "\n".join(f"{label}: {refusals.get(label)}" for label in never)
    assert not never, f"operations that never succeeded (last 422 of each):\n{why}"
    assert set(writes) <= set(counts)
