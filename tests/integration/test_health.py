"""/healthz (the process is up) and /readyz (database, migrations at head, Redis), with
real faults: PostgreSQL and Redis behind the loopback proxy of tests/faults.py, taken
down or hung, and databases at the wrong revision."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from bench.database import normalise_url
from bench.models import Role
from tests import factories
from tests.conftest import empty_database, make_app, migrate_to_head
from tests.faults import Proxy, timed
from tests.integration.test_faults import (  # noqa: F401 - fixtures
    FAST,
    _dispose,
    postgres_via_proxy,
    redis_proxy,
)
from tests.pages import sign_in

# What no answer may show: where the database is and who connects to it.
CONNECTION_WORDS = ("127.0.0.1", "postgres", "psycopg", "localhost", "password")


def _ready(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_json()


def _leaks_nothing(response) -> None:
    body = response.get_data(as_text=True).lower()
    for word in CONNECTION_WORDS:
        assert word not in body, word


def test_healthz_is_tiny_uncached_and_sets_no_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # a probe is given no session


def test_readyz_is_ready_on_a_migrated_database(client):
    status, body = _ready(client)
    assert status == 200, body
    assert body["status"] == "ready"
    checks = body["checks"]
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert checks["migrations"]["database"] == checks["migrations"]["code"]
    assert "redis" not in checks  # no REDIS_URL: nothing to check


@pytest.fixture
def fresh_database(backend, tmp_path_factory) -> Iterator[tuple[Flask, str]]:
    url, drop = empty_database(backend, tmp_path_factory, "bench_ready")
    application = make_app(url)
    yield application, url
    _dispose(application)
    drop()


def test_readyz_says_when_migrations_are_not_at_head(fresh_database):
    app, url = fresh_database
    client = app.test_client()
    status, body = _ready(client)  # never migrated
    assert status == 503
    assert body["checks"]["database"]["ok"]
    assert body["checks"]["migrations"] == {
        "ok": False,
        "reason": "not at head",
        "database": [],
        "code": body["checks"]["migrations"]["code"],
    }

    migrate_to_head(app)
    status, body = _ready(client)
    assert status == 200, body
    head = body["checks"]["migrations"]["code"]

    # The code moved on (a release not yet migrated): the database is behind.
    engine = create_engine(normalise_url(url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    engine.dispose()
    status, body = _ready(client)
    assert status == 503
    assert body["checks"]["migrations"]["database"] == ["0001"] != head
    assert body["checks"]["migrations"]["reason"] == "not at head"

    # A newer release migrated the database (a rolling release): this one still serves.
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    status, body = _ready(client)
    assert status == 200, body
    assert body["checks"]["migrations"]["database"] == ["9999"]
    assert body["checks"]["migrations"]["note"] == "database ahead of this release"


def test_database_down_or_hung_readyz_503_fast_healthz_200(postgres_via_proxy):  # noqa: F811
    app, proxy, _ = postgres_via_proxy
    with app.app_context():
        email = factories.user(Role.ANALYST).email
    browser = app.test_client()
    assert sign_in(browser, email, factories.PASSWORD).status_code == 302
    probe = app.test_client()
    assert _ready(probe)[0] == 200

    proxy.down()
    response, seconds = timed(lambda: probe.get("/readyz"), limit=10)
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == {
        "ok": False,
        "reason": "unreachable",
        "ms": response.get_json()["checks"]["database"]["ms"],
    }
    assert response.get_json()["checks"]["migrations"]["ok"] is False
    _leaks_nothing(response)
    assert seconds < 1.5, seconds
    # Liveness asks nothing of the database, signed in or not.
    for client in (probe, browser):
        live, seconds = timed(lambda client=client: client.get("/healthz"), limit=10)
        assert live.status_code == 200 and seconds < 1, seconds
    # A page meanwhile: bench's 503, with the reference to quote.
    page = browser.get("/")
    assert page.status_code == 503
    assert page.headers["X-Request-ID"] in page.get_data(as_text=True)

    proxy.up()
    assert _ready(probe)[0] == 200
    proxy.hang()  # accepts connections, never answers
    response, seconds = timed(lambda: probe.get("/readyz"), limit=10)
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["reason"] == "timeout"
    _leaks_nothing(response)
    # libpq's shortest connect timeout is 2 s (BENCH_READINESS_TIMEOUT), whatever
    # the request's own timeouts are.
    assert seconds < 3, seconds

    proxy.up()
    assert _ready(probe)[0] == 200


@pytest.fixture
def redis_ready_app(tmp_path, redis_proxy: Proxy) -> Iterator[Flask]:  # noqa: F811
    application = make_app(
        f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}/0",
        **FAST,
    )
    migrate_to_head(application)
    yield application
    _dispose(application)


@pytest.mark.parametrize("fault", ["down", "hang"])
def test_redis_down_or_hung_readyz_503_fast(redis_ready_app, redis_proxy, fault):  # noqa: F811
    client = redis_ready_app.test_client()
    status, body = _ready(client)
    assert status == 200, body
    assert body["checks"]["redis"]["ok"]

    getattr(redis_proxy, fault)()
    response, seconds = timed(lambda: client.get("/readyz"), limit=10)
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["redis"]["ok"] is False
    assert checks["redis"]["reason"] == ("unreachable" if fault == "down" else "timeout")
    assert checks["database"]["ok"] and checks["migrations"]["ok"]  # only Redis failed
    _leaks_nothing(response)
    assert seconds < 1.5, seconds
    assert client.get("/healthz").status_code == 200

    redis_proxy.up()
    assert _ready(client)[0] == 200
