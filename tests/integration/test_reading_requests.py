"""PostgreSQL: a reading request runs its statements outside a transaction, and nothing
that writes or locks does.

bench.database puts the connection of a GET, HEAD or OPTIONS request in autocommit: no
BEGIN before its first statement and no ROLLBACK after its last, two of a page's few round
trips. Under READ COMMITTED its reads see what they would have seen in a transaction.
What must not be lost for it: anything that writes, in any request, commits or rolls
back as one, and a lock taken in a reading request is held until the request ends.
These tests try each way a GET can write or lock (Database.begin_write, a flush, a bare
INSERT, SELECT ... FOR UPDATE, an advisory lock).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import create_engine, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bench.access import public
from bench.extensions import csrf, db
from tests.integration.test_faults import _dispose, postgres_via_proxy  # noqa: F401


@pytest.fixture
def scratch(postgres_via_proxy) -> Iterator[tuple[Flask, object, dict]]:  # noqa: F811
    """The application, an engine of the test's own on the same database, and what the
    test's routes saw; a table of the test's own to write to."""
    app, _, url = postgres_via_proxy
    other = create_engine(url)
    with other.begin() as connection:
        connection.execute(text("CREATE TABLE scratch (id integer PRIMARY KEY)"))
        connection.execute(text("INSERT INTO scratch VALUES (0)"))
    yield app, other, {}
    other.dispose()


def _status() -> TransactionStatus:
    """Whether the request's connection is in a transaction now."""
    return db.session.connection().connection.dbapi_connection.info.transaction_status


def _rows(other) -> list[int]:
    with other.connect() as connection:
        return list(connection.scalars(text("SELECT id FROM scratch ORDER BY id")))


def test_a_reading_request_runs_outside_a_transaction_and_a_writing_one_inside(scratch):
    app, _, seen = scratch

    @app.route("/test-only/read", methods=["GET", "POST"])
    @csrf.exempt
    @public
    def _read():  # noqa: ANN202
        db.session.execute(text("SELECT id FROM scratch"))
        seen.setdefault("status", []).append(_status())
        return "ok"

    client = app.test_client()
    for _ in range(2):  # the pooled connection goes back to autocommit each time
        assert client.get("/test-only/read").status_code == 200
        assert client.post("/test-only/read").status_code == 200
    assert seen["status"] == [TransactionStatus.IDLE, TransactionStatus.INTRANS] * 2
    _dispose(app)


class _Base(DeclarativeBase):
    pass


class Scratch(_Base):
    __tablename__ = "scratch"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


@pytest.mark.parametrize("how", ["begin_write", "statements", "flushes"])
def test_what_a_reading_request_writes_commits_or_rolls_back_as_one(scratch, how):
    app, other, seen = scratch

    @app.get("/test-only/write")
    @public
    def _write():  # noqa: ANN202
        if how == "begin_write":
            db.begin_write()
            db.session.execute(text("SELECT id FROM scratch"))
            seen["status"] = _status()  # begun by begin_write, not by the insert
        if how == "flushes":  # the ORM's unit of work, flushed twice
            db.session.add(Scratch(id=1))
            db.session.flush()
            seen["status"] = _status()
            db.session.add(Scratch(id=0))  # a duplicate
        else:
            db.session.execute(text("INSERT INTO scratch VALUES (1)"))
            seen.setdefault("status", _status())
            db.session.execute(text("INSERT INTO scratch VALUES (0)"))  # a duplicate
        db.session.commit()
        return "ok"

    # And a write that succeeds is committed (the reading request's commit is real).
    @app.get("/test-only/write-one")
    @public
    def _write_one():  # noqa: ANN202
        db.session.execute(text("INSERT INTO scratch VALUES (2)"))
        db.session.commit()
        return "ok"

    client = app.test_client()
    assert client.get("/test-only/write").status_code == 500
    assert seen.get("status", TransactionStatus.INTRANS) == TransactionStatus.INTRANS
    assert _rows(other) == [0]  # the first insert went with the second
    assert client.get("/test-only/write-one").status_code == 200
    assert _rows(other) == [0, 2]
    _dispose(app)


@pytest.mark.parametrize(
    ("lock", "try_from_elsewhere", "when_locked", "when_free"),
    [
        (
            "SELECT id FROM scratch WHERE id = 0 FOR UPDATE",
            "SELECT id FROM scratch WHERE id = 0 FOR UPDATE SKIP LOCKED",
            None,  # the row is skipped
            0,
        ),
        (
            "SELECT pg_advisory_xact_lock(4242)",
            "SELECT pg_try_advisory_xact_lock(4242)",
            False,
            True,
        ),
    ],
    ids=["row lock", "advisory lock"],
)
def test_a_lock_taken_in_a_reading_request_is_held_until_it_ends(
    scratch, lock, try_from_elsewhere, when_locked, when_free
):
    app, other, seen = scratch

    def elsewhere() -> object:
        """What another connection gets when it tries for the same lock without waiting."""
        with other.connect() as connection:
            return connection.scalar(text(try_from_elsewhere))

    @app.get("/test-only/lock")
    @public
    def _lock():  # noqa: ANN202
        db.session.execute(text(lock))
        db.session.execute(text("SELECT 1"))  # a plain read after it stays in it
        seen["while held"] = elsewhere()
        return "ok"

    client = app.test_client()
    assert client.get("/test-only/lock").status_code == 200
    assert seen["while held"] is when_locked
    assert elsewhere() is when_free  # let go when the request ended
    _dispose(app)
