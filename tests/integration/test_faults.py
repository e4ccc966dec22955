"""Faults: the database down or hung, Redis down or hung, SQLite under concurrent writers.

Real parts only: a real PostgreSQL and Redis behind a loopback proxy the test takes down
or hangs (tests/faults.py), a real SQLite file with a second connection holding its
write lock. Each application here has its own committed database (the faults need
connections of their own, outside the usual per-test transaction) and, like gunicorn,
shows no exception to the client: ``PROPAGATE_EXCEPTIONS`` is off.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.extensions import db
from bench.limits import limiter
from bench.models import Role
from tests import factories
from tests.conftest import create_postgres_database, make_app, migrate_to_head, unavailable
from tests.faults import Proxy, timed
from tests.pages import check_page, parse, post_form, sign_in, text_of

# Short limits so a test takes seconds; production defaults are in config.py.
FAST = {
    "PROPAGATE_EXCEPTIONS": False,
    "DATABASE_CONNECT_TIMEOUT": 2,  # libpq's smallest
    "DATABASE_STATEMENT_TIMEOUT": 1,
    "DATABASE_POOL_TIMEOUT": 1,
}
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


def _seed_user(app: Flask):
    with app.app_context():
        user = factories.user(Role.ANALYST)
        _, secret = factories.api_token(user)
        return user.email, secret


@pytest.fixture
def postgres_via_proxy() -> Iterator[tuple[Flask, Proxy, str]]:
    """An application whose PostgreSQL sits behind a proxy; also the direct URL."""
    url, drop = create_postgres_database("bench_faults")
    migrating = make_app(url)
    migrate_to_head(migrating)
    _dispose(migrating)
    direct = make_url(url)
    proxy = Proxy(direct.port or 5432)
    proxied = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = make_app(proxied, **FAST)
    yield app, proxy, url
    proxy.close()
    _dispose(app)
    drop()


@pytest.fixture
def sqlite_file_app(tmp_path) -> Iterator[tuple[Flask, str]]:
    path = tmp_path / "bench.sqlite3"
    app = make_app(f"sqlite:///{path}", **FAST)
    migrate_to_head(app)
    yield app, str(path)
    _dispose(app)


def _pair_limit(app: Flask) -> int:
    """Failed sign-ins allowed for one account from one address."""
    return int(app.config["SIGN_IN_LIMIT_PER_ACCOUNT_AND_ADDRESS"].split()[0])


def _assert_unavailable_page(response) -> None:
    """Bench's own 503 page, with Retry-After and bench's security headers."""
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert int(response.headers["Retry-After"]) > 0
    check_page(response)
    assert "Sorry, the service is unavailable" in text_of(response)
    for header in SECURITY_HEADERS:
        assert header in response.headers, header


def _assert_unavailable_problem(response) -> None:
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["status"] == 503


# --- the database down ------------------------------------------------------------------


def test_database_down_gives_benchs_503_and_recovers_without_a_restart(postgres_via_proxy):
    app, proxy, _ = postgres_via_proxy
    email, secret = _seed_user(app)
    browser = app.test_client()
    assert sign_in(browser, email, factories.PASSWORD).status_code == 302
    bearer = {"Authorization": f"Bearer {secret}"}

    proxy.down()
    _assert_unavailable_page(browser.get("/"))
    _assert_unavailable_page(browser.get("/compare/"))
    _assert_unavailable_problem(app.test_client().get("/api/v1/indicators", headers=bearer))
    # Signing in meanwhile: told to come back, not that the password was wrong.
    stranger = app.test_client()
    _assert_unavailable_page(post_form(stranger, "/sign-in", {"email": email, "password": "x"}))

    proxy.up()
    assert browser.get("/").status_code == 200  # still signed in: nothing was lost
    assert app.test_client().get("/api/v1/indicators", headers=bearer).status_code == 200


# --- the database hung ------------------------------------------------------------------


def test_hung_postgresql_gives_a_fast_503_not_a_killed_worker(postgres_via_proxy):
    app, proxy, _ = postgres_via_proxy
    email, _ = _seed_user(app)
    browser = app.test_client()
    assert sign_in(browser, email, factories.PASSWORD).status_code == 302

    proxy.hang()  # accepts connections, never answers
    response, seconds = timed(lambda: browser.get("/"), limit=10)
    _assert_unavailable_page(response)
    assert seconds < FAST["DATABASE_CONNECT_TIMEOUT"] + 2, seconds

    proxy.up()
    assert browser.get("/").status_code == 200


def test_a_statement_stuck_on_a_lock_is_cut_short(postgres_via_proxy):
    app, _, direct_url = postgres_via_proxy
    email, _ = _seed_user(app)
    browser = app.test_client()
    assert sign_in(browser, email, factories.PASSWORD).status_code == 302

    # Another session (a migration, a VACUUM FULL) holds a lock every page needs.
    other = create_engine(direct_url)
    with other.connect() as holder:
        holder.execute(text("LOCK TABLE user_sessions IN ACCESS EXCLUSIVE MODE"))
        try:
            response, seconds = timed(lambda: browser.get("/"), limit=10)
        finally:
            holder.rollback()
    other.dispose()
    _assert_unavailable_page(response)
    assert seconds < FAST["DATABASE_STATEMENT_TIMEOUT"] + 2, seconds
    assert browser.get("/").status_code == 200


def test_an_exhausted_connection_pool_gives_a_fast_503(postgres_via_proxy):
    app, _, _ = postgres_via_proxy
    email, _ = _seed_user(app)
    browser = app.test_client()
    assert sign_in(browser, email, factories.PASSWORD).status_code == 302

    with app.app_context():
        engine = db.engine
        held = [engine.connect() for _ in range(engine.pool.size() + engine.pool._max_overflow)]
    try:
        response, seconds = timed(lambda: browser.get("/"), limit=10)
    finally:
        for connection in held:
            connection.close()
    _assert_unavailable_page(response)
    assert seconds < FAST["DATABASE_POOL_TIMEOUT"] + 2, seconds
    assert browser.get("/").status_code == 200


def test_sqlite_locked_by_another_writer_gives_a_fast_503_not_a_failed_sign_in(sqlite_file_app):
    app, path = sqlite_file_app
    email, _ = _seed_user(app)
    limit = _pair_limit(app)

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing: the lock is taken
    try:
        for _ in range(limit + 1):
            browser = app.test_client()
            response, seconds = timed(
                lambda browser=browser: sign_in(browser, email, factories.PASSWORD), limit=10
            )
            _assert_unavailable_page(response)
            assert seconds < FAST["DATABASE_STATEMENT_TIMEOUT"] + 2, seconds
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # None of those counted as a failed sign-in: the owner signs in at once.
    assert sign_in(app.test_client(), email, factories.PASSWORD).status_code == 302


def test_sqlite_concurrent_sign_ins_all_succeed(tmp_path):
    """Many people signing in at once on the embedded default: no "database is locked"."""
    path = tmp_path / "bench.sqlite3"
    # Real password hashing, so that each sign-in reads, hashes for a while, then writes.
    app = make_app(
        f"sqlite:///{path}",
        PROPAGATE_EXCEPTIONS=False,
        ARGON2_TIME_COST=2,
        ARGON2_MEMORY_COST=16384,
        ARGON2_PARALLELISM=1,
    )
    migrate_to_head(app)
    with app.app_context():
        emails = [factories.user(Role.ANALYST).email for _ in range(8)]
    ready = threading.Barrier(len(emails))
    statuses: list[int] = []

    def sign_in_three_times(email: str) -> None:
        for _ in range(3):
            browser = app.test_client()
            form = parse(browser.get("/sign-in").get_data(as_text=True))
            ready.wait(timeout=30)  # every thread posts at the same instant
            response = browser.post(
                "/sign-in",
                data={
                    "email": email,
                    "password": factories.PASSWORD,
                    "csrf_token": form.csrf_tokens[0],
                },
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=sign_in_three_times, args=(e,)) for e in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    _dispose(app)
    assert statuses == [302] * (3 * len(emails)), statuses


# --- Redis down or hung -----------------------------------------------------------------


@pytest.fixture
def redis_proxy() -> Iterator[Proxy]:
    try:
        with __import__("socket").create_connection(("127.0.0.1", 6379), timeout=1):
            pass
    except OSError as error:
        unavailable(f"Redis on 127.0.0.1:6379 is unreachable: {error}")
    proxy = Proxy(6379)
    yield proxy
    proxy.close()


@pytest.fixture
def redis_app(tmp_path, redis_proxy: Proxy) -> Iterator[Flask]:
    """An application limiting sign-ins in Redis (through the proxy), as production does.

    Flask-Limiter keeps one storage per process (the last application initialised), so
    it is given memory storage back afterwards, as the rest of the suite expects.
    """
    application = make_app(
        f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        PROPAGATE_EXCEPTIONS=False,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{redis_proxy.port}/0",
        RATELIMIT_KEY_PREFIX=f"bench-test-{uuid.uuid4().hex}",
    )
    migrate_to_head(application)
    yield application
    _dispose(application)
    make_app("sqlite://")  # initialises the limiter with memory storage again
    limiter._storage_dead = False  # Flask-Limiter has no public way to say so


# Redis is given up on after BENCH_REDIS_TIMEOUT (0.5 s); redis-py's own default waits
# for ever. Two seconds of room: this machine has stalled a 20 ms sign-in for 1.6 s.
GIVES_UP_WITHIN = 0.5 + 2.0


@pytest.mark.parametrize("fault", ["down", "hang"])
def test_sign_in_works_and_stays_limited_with_redis_down_or_hung(redis_app, redis_proxy, fault):
    email, _ = _seed_user(redis_app)
    browser = redis_app.test_client()
    assert sign_in(browser, email, factories.PASSWORD).status_code == 302  # Redis up

    getattr(redis_proxy, fault)()
    owner = redis_app.test_client()
    response, seconds = timed(lambda: sign_in(owner, email, factories.PASSWORD), limit=10)
    assert response.status_code == 302
    assert seconds < GIVES_UP_WITHIN, seconds
    assert owner.get("/").status_code == 200  # the rest of the app does not notice

    limit = _pair_limit(redis_app)
    for attempt in range(limit):
        wrong, seconds = timed(lambda: sign_in(redis_app.test_client(), email, "wrong"), 10)
        assert wrong.status_code == 200, attempt
        assert seconds < GIVES_UP_WITHIN, seconds
    assert sign_in(redis_app.test_client(), email, "wrong").status_code == 429
