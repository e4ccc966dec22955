"""The database: one engine and one scoped session per application.

A thin layer over SQLAlchemy 2.0 rather than Flask-SQLAlchemy, so that the engine set-up
(SQLite pragmas, driver-level transactions) and the test harness's outer transaction are
plain SQLAlchemy that anyone can read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from bench.models.base import Base

EXTENSION_KEY = "bench.database"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the environment gives."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def build_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the settings bench relies on for each backend."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 15}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT;
        # SQLAlchemy's documented recipe hands transactions to SQLAlchemy instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 15000")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers ask for BEGIN IMMEDIATE (see Database.begin_write): a deferred
        # transaction that reads, then writes, can deadlock against another writer.
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


@dataclass
class _AppDatabase:
    engine: Engine
    factory: sessionmaker[Session]
    session: scoped_session[Session]


class Database:
    """Engine and scoped session, one pair per Flask application (as Flask-SQLAlchemy)."""

    metadata = Base.metadata

    def init_app(self, app: Flask) -> None:
        # Logged errors show the SQL, never its parameters (token hashes, emails, figures).
        engine = build_engine(app.config["DATABASE_URL"], hide_parameters=True)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions[EXTENSION_KEY] = _AppDatabase(engine, factory, scoped_session(factory))

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            app.extensions[EXTENSION_KEY].session.remove()

    @staticmethod
    def _state() -> _AppDatabase:
        return current_app.extensions[EXTENSION_KEY]

    @property
    def engine(self) -> Engine:
        return self._state().engine

    @property
    def session(self) -> scoped_session[Session]:
        return self._state().session

    def begin_write(self) -> None:
        """Start a transaction that will write, taking SQLite's write lock at once.

        Ends any read-only transaction the request had open (nothing is pending then),
        so that the write transaction starts with the lock instead of upgrading to it.
        """
        session = self.session
        session.commit()
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})

    @contextmanager
    def bound_to(self, connection: Any) -> Iterator[None]:
        """Bind sessions to *connection* (tests wrap each test in one transaction)."""
        state = self._state()
        state.session.remove()
        state.factory.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            state.session.remove()
            state.factory.kw.pop("join_transaction_mode", None)
            state.factory.configure(bind=state.engine)
