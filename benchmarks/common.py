"""Shared set-up for benchmarks: throw-away databases on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import create_app
from bench.database import normalise_url
from bench.extensions import db

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def database(backend: str) -> Iterator[Flask]:
    """A migrated, empty database of *backend* and an app on it; dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            app = create_app("test", DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3")
            with app.app_context():
                upgrade()
                yield app
                db.engine.dispose()
        return
    admin_url = make_url(normalise_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES)))
    name = f"bench_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        app = create_app("test", DATABASE_URL=url)
        with app.app_context():
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)
