"""PostgreSQL's pooled connections: checked without a round trip on every page.

bench.database pings a pooled connection only when the server may have gone since its
last use (its socket has something to read while idle, or it sat unused for
PING_AFTER_IDLE seconds), and gives a connection the requests' statement time limit once,
when it first serves a request, instead of a SET LOCAL every transaction. Each of those
was a round trip on every page. These tests hold what must not be lost for it: a
connection the server ended is replaced before a page uses it, requests' statements keep
their limit, and anything else on the same connection has none.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from bench import database
from bench.access import public
from bench.extensions import db
from tests.integration.test_faults import _dispose, _seed_user, postgres_via_proxy  # noqa: F401


@pytest.fixture
def direct(postgres_via_proxy):  # noqa: F811 - the fixture imported above
    """The application with its pool warm, and the database's own URL."""
    app, _, url = postgres_via_proxy
    _, secret = _seed_user(app)
    client = app.test_client()
    client.bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/indicators", headers=client.bearer).status_code == 200
    return app, client, url


def _backend_pid(app) -> int:
    """The server process behind the pool's connection (the one a request will take)."""
    with app.app_context(), db.engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def _count_pings(app, monkeypatch) -> list[int]:
    pings: list[int] = []
    with app.app_context():
        dialect = db.engine.dialect
    original = dialect.do_ping

    def counting(dbapi_connection):  # noqa: ANN001, ANN202
        pings.append(1)
        return original(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counting)
    return pings


def test_a_connection_the_server_ended_is_replaced_before_a_page_uses_it(direct):
    app, client, url = direct
    pid = _backend_pid(app)
    other = create_engine(url)
    with other.connect() as connection:  # an administrator, a failover, idle_session_timeout
        assert connection.scalar(
            text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}
        )  # waits until the server process has gone
    other.dispose()
    time.sleep(0.2)  # its last words cross the test's proxy (a thread) to the pool's socket

    response = client.get("/api/v1/indicators", headers=client.bearer)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert _backend_pid(app) != pid
    _dispose(app)


def test_a_connection_used_a_moment_ago_is_lent_without_a_ping(direct, monkeypatch):
    app, client, _ = direct
    pings = _count_pings(app, monkeypatch)
    for _ in range(3):
        assert client.get("/api/v1/indicators", headers=client.bearer).status_code == 200
    assert pings == []  # SQLAlchemy's pool_pre_ping would have pinged three times

    monkeypatch.setattr(database, "PING_AFTER_IDLE", 0.0)  # as if unused for a while
    assert client.get("/api/v1/indicators", headers=client.bearer).status_code == 200
    assert pings == [1]
    _dispose(app)


def test_requests_have_the_statement_time_limit_and_other_work_has_none(
    postgres_via_proxy,  # noqa: F811 - the fixture imported above
):
    app, _, _ = postgres_via_proxy
    shown: list[str] = []

    @app.get("/test-only/statement-timeout")
    @public
    def _show():  # noqa: ANN202
        shown.append(db.session.scalar(text("SHOW statement_timeout")))
        return "ok"

    client = app.test_client()
    for _ in range(2):  # set once, kept by the connection
        assert client.get("/test-only/statement-timeout").status_code == 200
    assert shown == ["1s", "1s"]  # FAST's DATABASE_STATEMENT_TIMEOUT

    # The same pooled connection, outside any request (a command, the master's warm-up).
    with app.app_context(), db.engine.connect() as connection:
        assert connection.scalar(text("SHOW statement_timeout")) == "0"
    assert client.get("/test-only/statement-timeout").status_code == 200
    assert shown[-1] == "1s"
    _dispose(app)
