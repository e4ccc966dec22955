"""What readiness asks the database and Redis, each bounded by a short timeout.

The database is asked on a connection of its own, made for the check (no pool, so
nothing is shared across gunicorn's fork and a hung server cannot hold a pooled
connection): on PostgreSQL with BENCH_READINESS_TIMEOUT as its connect and statement
timeout, so a hung server answers "not ready" in about two seconds rather than after the
request timeouts. SQLite (a file beside the process) is read through the app's engine.
"""

from __future__ import annotations

from alembic.script import ScriptDirectory
from flask import Flask
from redis import Redis
from sqlalchemy import Engine, column, inspect, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.database import Timeouts, build_engine, normalise_url
from bench.extensions import db

ENGINE_KEY = "bench.health.engine"
HEADS_KEY = "bench.health.heads"
# Alembic's own table (read directly: alembic's MigrationContext logs two lines a call).
VERSION_TABLE = table("alembic_version", column("version_num"))


def _engine(app: Flask) -> Engine:
    url = normalise_url(app.config["DATABASE_URL"])
    if make_url(url).get_backend_name() == "sqlite":
        return db.engine
    engine = app.extensions.get(ENGINE_KEY)
    if engine is None:
        seconds = app.config["READINESS_TIMEOUT"]
        engine = build_engine(
            url,
            Timeouts(connect=seconds, statement=seconds, pool=seconds),
            poolclass=NullPool,
            hide_parameters=True,
        )
        app.extensions[ENGINE_KEY] = engine
    return engine


def database_revisions(app: Flask) -> frozenset[str]:
    """The revisions the database's alembic_version table holds (empty: never migrated).
    Raises SQLAlchemy's errors when the database cannot be reached in time."""
    with _engine(app).connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE.name):
            return frozenset()
        return frozenset(connection.scalars(select(VERSION_TABLE.c.version_num)))


def code_revisions(app: Flask) -> tuple[frozenset[str], frozenset[str]]:
    """The migrations' head revisions and every revision they know, read from the
    scripts once a process."""
    found = app.extensions.get(HEADS_KEY)
    if found is None:
        scripts = ScriptDirectory(app.extensions["migrate"].directory)
        known = frozenset(script.revision for script in scripts.walk_revisions())
        found = (frozenset(scripts.get_heads()), known)
        app.extensions[HEADS_KEY] = found
    return found


def redis_answers(url: str, timeout: float) -> bool:
    """PING Redis on a connection of its own; raises redis's errors when it cannot."""
    client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(client.ping())
    finally:
        client.close()
