"""Fixtures shared by every test: the app on each database, transactions, clients.

Every database test runs on SQLite and on PostgreSQL. PostgreSQL comes from
``TEST_DATABASE_URL`` (``.ci/run`` sets it); each run makes its own database there and
drops it at the end. With ``CI=true`` a missing or unreachable PostgreSQL fails the run
instead of skipping.
"""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import create_app
from bench.database import normalise_url
from bench.extensions import db
from bench.limits import limiter

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEMO_PASSWORD = "bench-demo-password"


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)", pytrace=False)
    pytest.skip(reason)


def postgres_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        unavailable("PostgreSQL tests need TEST_DATABASE_URL")
    return normalise_url(url)


def create_postgres_database(prefix: str) -> tuple[str, callable]:
    """Make an empty database on the test server; return its URL and a dropper."""
    admin_url = make_url(postgres_admin_url())
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server
        admin.dispose()
        unavailable(f"PostgreSQL at {admin_url.render_as_string()} is unreachable: {error}")

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


def empty_database(backend: str, tmp_path_factory: pytest.TempPathFactory, prefix: str):
    if backend == "sqlite":
        path = tmp_path_factory.mktemp(prefix) / "bench.sqlite3"
        return f"sqlite:///{path}", lambda: None
    return create_postgres_database(prefix)


class RequestClient(FlaskClient):
    """Each request in a fresh context, as in production.

    Tests keep an application context pushed for factories; Flask would reuse it for the
    request, sharing ``g`` (and so the CSRF token and CSP nonce) between requests. An
    empty contextvars context gives every request its own, while the thread-local
    database session still joins the test's transaction. A streamed body is read to its
    end inside that context too, as a server reads it inside the request's (a stream
    that pushes the request's context again must pop it in the context it pushed it in).
    """

    def open(self, *args: object, **kwargs: object):  # noqa: ANN201
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(database_url: str, **overrides: object) -> Flask:
    application = create_app("test", DATABASE_URL=database_url, **overrides)
    application.test_client_class = RequestClient
    return application


def migrate_to_head(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application on a database built by the migrations, once per backend."""
    url, drop = empty_database(backend, tmp_path_factory, "bench_test")
    application = make_app(url)
    migrate_to_head(application)
    yield application
    with application.app_context():
        db.engine.dispose()
    drop()


@pytest.fixture
def app_context(app: Flask) -> Iterator[Flask]:
    """Each test in one transaction, rolled back at the end (commits become savepoints)."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        with db.bound_to(connection):
            limiter.reset()
            app.extensions["bench.mail_sender"].outbox.clear()
            yield app
        transaction.rollback()
        connection.close()


@pytest.fixture
def session(app_context: Flask):
    return db.session


@pytest.fixture
def client(app_context: Flask):
    return app_context.test_client()


@pytest.fixture
def sign_in_as(app_context: Flask):
    """Make a user of *role* (in a new authority unless given) and a client signed in."""
    from tests import factories, pages

    def make(role, authority=None, **fields):
        user = factories.user(role, authority, **fields)
        client = app_context.test_client()
        response = pages.sign_in(client, user.email, factories.PASSWORD)
        assert response.status_code == 302, pages.text_of(response)
        client.user = user
        return client

    return make


@pytest.fixture(scope="session")
def demo_app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The seeded demo network on its own database, once per backend (the attack tests
    read it as a motivated intruder would)."""
    from seed.demo import load_demo

    url, drop = empty_database(backend, tmp_path_factory, "bench_demo")
    application = make_app(url, DEMO_PASSWORD=DEMO_PASSWORD)
    migrate_to_head(application)
    with application.app_context():
        load_demo(DEMO_PASSWORD)
    yield application
    with application.app_context():
        db.engine.dispose()
    drop()


@pytest.fixture
def demo(demo_app: Flask) -> Iterator[Flask]:
    """The demo network, each test in one transaction rolled back at the end."""
    with demo_app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        with db.bound_to(connection):
            limiter.reset()
            yield demo_app
        transaction.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def fresh_comparison_cache() -> Iterator[None]:
    """Comparison results are cached per data version, and a rolled-back test can leave
    the next one the same version (SQLite reuses ids): every test starts empty, and so
    do the caches of built pages."""
    from bench.kept import KeptItems

    KeptItems.clear_every()
    yield
    KeptItems.clear_every()
