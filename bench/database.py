"""The database: one engine and one scoped session per application.

A thin layer over SQLAlchemy 2.0 rather than Flask-SQLAlchemy, so that the engine set-up
(SQLite pragmas, driver-level transactions) and the test harness's outer transaction are
plain SQLAlchemy that anyone can read.
"""

from __future__ import annotations

import functools
import math
import re
import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from sqlalchemy.pool import NullPool

from bench.models.base import Base

EXTENSION_KEY = "bench.database"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the environment gives."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


# Requests with these methods only read; any other request takes SQLite's write lock when
# its transaction begins.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Timeouts:
    """How long to wait on the database, in seconds (config.py, README: production)."""

    connect: float = 5
    statement: float = 10
    pool: float = 5


def build_engine(url: str, timeouts: Timeouts | None = None, **kwargs: Any) -> Engine:
    """Create an engine with the settings bench relies on for each backend."""
    timeouts = timeouts or Timeouts()
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        if not memory:  # one shared in-memory connection has no pool to wait for
            kwargs.setdefault("pool_timeout", timeouts.pool)
        engine = create_engine(url, connect_args={"timeout": timeouts.statement}, **kwargs)
        _configure_sqlite(engine, timeouts, memory)
        return engine
    pooled = kwargs.get("poolclass") is not NullPool
    if pooled:  # a pool with a wait limit, its connections checked (_check_on_checkout)
        kwargs.setdefault("pool_timeout", timeouts.pool)
    engine = create_engine(
        url,
        # libpq waits at least 2 s and counts whole seconds.
        connect_args={"connect_timeout": max(2, math.ceil(timeouts.connect))},
        **kwargs,
    )
    if pooled and not kwargs.get("pool_pre_ping"):
        _check_on_checkout(engine)  # first: the listeners after it use the connection
    _configure_postgresql(engine, timeouts)
    return engine


def _writing_request() -> bool:
    return has_request_context() and request.method not in READING_METHODS


def _reading_request() -> bool:
    return has_request_context() and request.method in READING_METHODS


# A pooled connection unused for this long is pinged before it is lent again.
PING_AFTER_IDLE = 5.0


def _configure_postgresql(engine: Engine, timeouts: Timeouts) -> None:
    limit = f"{round(timeouts.statement * 1000)}ms"

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # A web request's statements are cut short by the server after the timeout, so a
        # hung database answers 503 instead of holding the worker. Commands (migrations,
        # imports, cron jobs) are not requests and may run as long as they need. The
        # setting is the connection's own, made when it first serves a request (not one
        # SET LOCAL a transaction: a round trip on every page), and undone if it then
        # serves anything else.
        wanted = f"'{limit}'" if has_request_context() else "DEFAULT"
        if record.info.get("statement_timeout", "DEFAULT") != wanted:
            _outside_transaction(dbapi_connection, f"SET statement_timeout = {wanted}")
            record.info["statement_timeout"] = wanted
        # A reading request's statements run each on its own (autocommit): no BEGIN
        # before the first and no ROLLBACK after the last, two of a page's few round
        # trips. Under READ COMMITTED a transaction gives its reads nothing more (each
        # statement sees what was committed when it began), and nothing is held between
        # them. Anything that may write or lock starts a real transaction first
        # (_transaction_before_writing, Database.begin_write).
        dbapi_connection.autocommit = _reading_request()

    @event.listens_for(engine, "before_cursor_execute")
    def _transaction_before_writing(
        connection: Any, _cursor: Any, statement: str, _parameters: Any, context: Any, *_: Any
    ) -> None:
        if _may_write_or_lock(statement) or (
            context is not None and context.execution_options.get("stream_results")
        ):  # a server-side cursor lives in a transaction
            _begin_transaction(connection.connection.dbapi_connection)


# What a reading request may run outside a transaction: a SELECT that neither locks rows
# nor calls what writes or locks. Anything else (INSERT, UPDATE, DELETE, WITH, SET, a
# SELECT ... FOR UPDATE, an advisory lock, a sequence) starts a transaction first. A
# false alarm costs a BEGIN; a miss would cost atomicity, so the test is wide.
_PLAIN_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_LOCKING_WORDS = ("FOR", "ADVISORY", "NEXTVAL", "SETVAL", "SET_CONFIG", "INSERT", "UPDATE",
                  "DELETE", "MERGE")  # fmt: skip
_LOCKS_OR_WRITES = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+|KEY\s+)?(?:UPDATE|SHARE)\b|advisory|nextval|setval"
    r"|set_config|\b(?:INSERT|UPDATE|DELETE|MERGE)\b",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=2048)
def _may_write_or_lock(statement: str) -> bool:
    """Whether *statement* is anything but a plain read. Answered once a statement: the
    statements are SQLAlchemy's compiled strings, the same few hundred over and over, and
    the regex took up to a millisecond over a long one (home's list of actions, 10 KB)."""
    if not _PLAIN_READ.match(statement):
        return True
    upper = statement.upper()  # the words first, the regex (slow on 10 KB) only then
    if not any(word in upper for word in _LOCKING_WORDS):
        return False
    return bool(_LOCKS_OR_WRITES.search(statement))


def _begin_transaction(dbapi_connection: Any) -> None:
    """Let psycopg open a transaction before the next statement (as it does when not in
    autocommit), so that what follows commits or rolls back as one."""
    if dbapi_connection.autocommit:
        dbapi_connection.autocommit = False


def _outside_transaction(dbapi_connection: Any, sql: str) -> None:
    """Run *sql* on psycopg's connection in one round trip, opening no transaction."""
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute(sql)
    finally:
        if not dbapi_connection.closed:
            dbapi_connection.autocommit = False


def _check_on_checkout(engine: Engine) -> None:
    """Lend a pooled connection only if it is alive, without a round trip on every page.

    SQLAlchemy's pool_pre_ping asks the server on every checkout: one of a page's few
    round trips. Here a connection is pinged only when the server may have gone since it
    was last used: its socket has something to read while idle (PostgreSQL says why and
    closes it when it restarts or ends the session), or it sat unused for
    PING_AFTER_IDLE seconds (a link may have died without a word). A dead one is
    replaced at once (DisconnectionError: the pool connects again, up to three times).
    A connection that dies while in use, or between two pages a moment apart without a
    word, fails that request with 503 and the pool starts afresh (SQLAlchemy invalidates
    it on a disconnect error), as pre-ping would have failed it.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None:
            return  # just connected
        if time.monotonic() - returned < PING_AFTER_IDLE:
            try:
                readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
            except (OSError, ValueError):
                readable = True  # closed already
            if not readable:
                return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"the pooled connection is dead: {error}") from error


def _configure_sqlite(engine: Engine, timeouts: Timeouts, memory: bool) -> None:
    busy = round(timeouts.statement * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT;
        # SQLAlchemy's documented recipe hands transactions to SQLAlchemy instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {busy}")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads, then writes, cannot wait for the write lock
        # in WAL mode: if another writer committed since its read, SQLite refuses at once
        # ("database is locked"). So a request that may write (any but GET, HEAD and
        # OPTIONS) takes the lock as its transaction begins, waiting up to the busy
        # timeout; reading requests stay deferred and never wait. Code that writes in a
        # reading request asks for the lock with Database.begin_write.
        mode = connection.get_execution_options().get("sqlite_begin")
        if mode is None and _writing_request():
            mode = "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode or ''}".strip())


@dataclass
class _AppDatabase:
    engine: Engine
    factory: sessionmaker[Session]
    session: scoped_session[Session]


class Database:
    """Engine and scoped session, one pair per Flask application (as Flask-SQLAlchemy)."""

    metadata = Base.metadata

    def init_app(self, app: Flask) -> None:
        timeouts = Timeouts(
            connect=app.config["DATABASE_CONNECT_TIMEOUT"],
            statement=app.config["DATABASE_STATEMENT_TIMEOUT"],
            pool=app.config["DATABASE_POOL_TIMEOUT"],
        )
        # Logged errors show the SQL, never its parameters (token hashes, emails, figures).
        engine = build_engine(app.config["DATABASE_URL"], timeouts, hide_parameters=True)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions[EXTENSION_KEY] = _AppDatabase(engine, factory, scoped_session(factory))

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            session = app.extensions[EXTENSION_KEY].session
            try:
                session.remove()
            except DBAPIError:
                # The connection was lost as the request ended (a restart, a failover): its
                # transaction is gone with it and the pool drops it. The answer stands (a
                # read has read; a write committed or never did), so it is not replaced
                # by a server error; the next request starts with a fresh session.
                app.logger.warning("Ending the database session failed", exc_info=True)
                session.registry.clear()

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
        On PostgreSQL it ends the reading request's autocommit: the reads that follow
        belong to the write's transaction.
        """
        session = self.session
        session.commit()
        connection = session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        if connection.dialect.name == "postgresql":  # a reading request's is in autocommit
            _begin_transaction(connection.connection.dbapi_connection)

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
