"""Faults under a real server: PostgreSQL restarted mid-load, a worker killed mid-upload.

bench runs as in production: gunicorn (two sync workers, ``BENCH_CONFIG=production``,
Redis for the limits) in a process of its own on a loopback port, over its own
PostgreSQL database. Nothing restarts the machine's PostgreSQL server (other runs use
it): a restart is what its clients see of one, done to this test's database only:

- every connection cut and new ones refused for a while (the proxy of tests/faults.py
  between the workers and PostgreSQL goes down, then up), and
- every server process of the database ended from the server's side
  (``pg_terminate_backend``, what a restart or a failover does to live connections).

The figures each test measures are printed (``pytest -s``) for README, "Production".
PostgreSQL only (the faults are PostgreSQL's); with ``CI=true`` a missing PostgreSQL or
Redis fails instead of skipping.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bench.extensions import db
from bench.models import Role, TokenScope
from tests import factories
from tests.conftest import create_postgres_database, make_app, migrate_to_head, unavailable
from tests.faults import Gunicorn, Http, Proxy, Reply, process_owning
from tests.pages import parse

pytestmark = pytest.mark.faults

REDIS = ("127.0.0.1", 6379)
REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own: keys expire by themselves
FAIL_FAST = 6.0  # seconds: the longest a request may take to be told 503
PERIOD = "2022-23"


def _redis_or_unavailable() -> None:
    try:
        with socket.create_connection(REDIS, timeout=1):
            pass
    except OSError as error:
        unavailable(f"Redis on 127.0.0.1:6379 is unreachable: {error}")


def _production_env(database_url: str) -> dict[str, str]:
    """What production needs (config.check_production); every timeout at its default."""
    return {
        "BENCH_CONFIG": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
    }


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Database:
    url: str  # direct, as SQLAlchemy writes it
    name: str
    app: Flask  # the test configuration on the same database, to seed and to check
    admin: Engine  # a connection to another database of the server, for the faults

    def scalar(self, sql: str, **params: object) -> object:
        with self.app.app_context(), db.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: object) -> list:
        with self.app.app_context(), db.engine.connect() as connection:
            return list(connection.execute(text(sql), params))

    def terminate_backends(self) -> int:
        """End every server process of this database, as a restart does."""
        with self.admin.connect() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": self.name},
                ).all()
            )


@pytest.fixture
def database() -> Iterator[Database]:
    url, drop = create_postgres_database("bench_restart")
    app = make_app(url)
    migrate_to_head(app)
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    yield Database(url, make_url(url).database or "", app, admin)
    admin.dispose()
    with app.app_context():
        db.engine.dispose()
    drop()


@pytest.fixture
def server_on(tmp_path: Path) -> Iterator:
    """Start gunicorn on a database URL; stopped at the end."""
    _redis_or_unavailable()
    started: list[Gunicorn] = []

    def start(database_url: str) -> Gunicorn:
        server = Gunicorn(_production_env(database_url), tmp_path / f"gunicorn{len(started)}.log")
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()
        log = server.log()
        if "Traceback" in log:  # shown with a failure (pytest captures it otherwise)
            print(f"--- {server.log_path}, from its first traceback ---")
            print(log[log.index("Traceback") - 300 :][:20000])


def _sign_in(client: Http, email: str) -> None:
    form = parse(client.get("/sign-in").text)
    reply = client.post_form(
        "/sign-in",
        {"email": email, "password": factories.PASSWORD, "csrf_token": form.csrf_tokens[0]},
    )
    assert reply.status == 302, reply.text[:500]


def _summary(label: str, seconds: list[float]) -> str:
    if not seconds:
        return f"{label}: none"
    ordered = sorted(seconds)
    return (
        f"{label}: {len(ordered)}, median {statistics.median(ordered):.3f} s, "
        f"max {ordered[-1]:.3f} s"
    )


class Steps:
    """Seconds each step of a test took, for its printed figures."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        self.taken: list[str] = []

    def __call__(self, name: str) -> None:
        now = time.monotonic()
        self.taken.append(f"{name} {now - self.last:.1f} s")
        self.last = now

    def __str__(self) -> str:
        return ", ".join(self.taken)


# --- PostgreSQL restarted mid-load ---------------------------------------------------------


@dataclass
class Call:
    kind: str  # "write", "read" or "page"
    who: int
    note: str  # a write's mark on every row it publishes
    started: float
    seconds: float
    status: int | None  # None: no HTTP answer at all
    retry_after: str | None
    detail: str


WRITERS = 3
ROWS_PER_WRITE = 3


def test_postgresql_restarted_mid_load_fails_fast_recovers_and_loses_no_write(
    database: Database, server_on
):
    with database.app.app_context():
        period = factories.period(PERIOD)
        indicators = [factories.indicator() for _ in range(ROWS_PER_WRITE)]
        codes = [indicator.code for indicator in indicators]
        writers = []
        for _ in range(WRITERS):
            user = factories.user(Role.ANALYST)
            _, secret = factories.api_token(user, TokenScope.PUBLISH)
            writers.append((user.authority_id, secret))
        reader = factories.user(Role.ANALYST)
        reader_email = reader.email
        assert period.id
    proxy = Proxy(make_url(database.url).port or 5432)
    proxied = make_url(database.url).set(host="127.0.0.1", port=proxy.port)
    server = server_on(proxied.render_as_string(hide_password=False))
    workers_before = server.workers()
    browser = Http(server.base)
    _sign_in(browser, reader_email)
    assert browser.get("/").status == 200

    calls: list[Call] = []
    stop = threading.Event()
    origin = time.monotonic()

    def record(kind: str, who: int, note: str, send) -> Reply | None:  # noqa: ANN001
        started = time.monotonic()
        try:
            reply = send()
        except (OSError, HTTPException) as error:
            reply, status, retry, detail = None, None, None, repr(error)
        else:
            status, retry, detail = reply.status, reply.headers.get("Retry-After"), ""
            if status not in (200, 503):
                detail = reply.text[:300]
        calls.append(
            Call(
                kind, who, note, started - origin, time.monotonic() - started, status, retry, detail
            )
        )
        return reply

    def write(who: int, secret: str) -> None:
        client = Http(server.base, {"Authorization": f"Bearer {secret}"})
        sequence = 0
        while not stop.is_set():
            sequence += 1
            note = f"w{who}-{sequence}"
            body = {
                "values": [
                    {
                        "indicator": code,
                        "period": PERIOD,
                        "numerator": sequence,
                        "denominator": 100_000,
                        "status": "final",
                        "note": note,
                    }
                    for code in codes
                ]
            }
            reply = record("write", who, note, lambda b=body: client.post_json("/api/v1/values", b))
            if reply is None or reply.status != 200:
                time.sleep(0.1)

    def read(who: int, secret: str) -> None:
        client = Http(server.base, {"Authorization": f"Bearer {secret}"})
        while not stop.is_set():
            reply = record("read", who, "", lambda: client.get("/api/v1/values?per_page=50"))
            if reply is None or reply.status != 200:
                time.sleep(0.1)

    def page() -> None:
        while not stop.is_set():
            reply = record("page", 0, "", lambda: browser.get("/"))
            if reply is None or reply.status != 200:
                time.sleep(0.1)

    threads = [
        threading.Thread(target=write, args=(who, secret), daemon=True)
        for who, (_, secret) in enumerate(writers)
    ]
    threads += [threading.Thread(target=read, args=(0, writers[0][1]), daemon=True)]
    threads += [threading.Thread(target=page, daemon=True)]
    for thread in threads:
        thread.start()

    phases: dict[str, tuple[float, float]] = {}

    def phase(name: str, seconds: float, action=None) -> None:  # noqa: ANN001
        begun = time.monotonic() - origin
        if action:
            action()
        time.sleep(seconds)
        phases[name] = (begun, time.monotonic() - origin)

    terminated: list[int] = []

    def terminate_repeatedly() -> None:
        # A restart ends every live connection; a client that reconnects at once may meet
        # the server ending it again: four times, half a second apart.
        for _ in range(4):
            terminated.append(database.terminate_backends())
            time.sleep(0.5)

    try:
        phase("before", 3)
        phase("down (connections cut, new ones refused)", 4, proxy.down)
        proxy.up()
        phase("after the proxy came back", 5)
        phase("server processes ended (pg_terminate_backend)", 0, terminate_repeatedly)
        phase("after the terminations", 5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        proxy.close()

    # --- what the clients saw ---
    def during(name: str, margin: float = 0.0, *, within: bool = False) -> list[Call]:
        """Calls started in the phase (after *margin*); *within*: and finished in it."""
        begun, ended = phases[name]
        return [
            c
            for c in calls
            if begun + margin <= c.started < ended and (not within or c.started + c.seconds < ended)
        ]

    print("\nPostgreSQL restarted mid-load: gunicorn, 2 workers, production config")
    for name, (begun, ended) in phases.items():
        these = during(name, within=True)
        counts: dict[str, int] = {}
        for call in these:
            counts[str(call.status)] = counts.get(str(call.status), 0) + 1
        straddling = [c for c in during(name) if c not in these]
        print(
            f"  {name} ({ended - begun:.1f} s): {len(these)} requests, statuses {counts}; "
            f"{len(straddling)} more still running as it ended "
            f"({sum(c.status == 503 for c in straddling)} of them 503)"
        )
        print("    " + _summary("200", [c.seconds for c in these if c.status == 200]))
        print("    " + _summary("503", [c.seconds for c in these if c.status == 503]))
    print(f"  backends ended per pg_terminate_backend round: {terminated}")

    odd = [c for c in calls if c.status not in (200, 503)]
    assert not odd, odd[:5]  # no 500, no dropped connection: every request had an answer
    unavailable_calls = [c for c in calls if c.status == 503]
    assert unavailable_calls, "the faults were never seen"
    for call in unavailable_calls:
        assert call.seconds < FAIL_FAST, call
        assert call.retry_after and int(call.retry_after) > 0, call
    down = during("down (connections cut, new ones refused)", margin=0.5, within=True)
    assert down and all(c.status == 503 for c in down), down
    assert {c.kind for c in down} == {"write", "read", "page"}
    assert any(c.status == 503 for c in during("server processes ended (pg_terminate_backend)"))
    # Recovered by themselves, without restarting gunicorn: within a second and a half of
    # each fault's end, every request is answered (the reader is still signed in).
    for name in ("after the proxy came back", "after the terminations"):
        settled = during(name, margin=1.5, within=True)
        assert settled and all(c.status == 200 for c in settled), [
            c for c in settled if c.status != 200
        ][:5]
        assert {c.kind for c in settled} == {"write", "read", "page"}
    assert server.workers() == workers_before, "a worker was restarted"
    assert server.process.poll() is None

    # --- what the database holds ---
    acknowledged = {c.note for c in calls if c.kind == "write" and c.status == 200}
    refused = {c.note for c in calls if c.kind == "write" and c.status != 200}
    rows = database.rows(
        'SELECT note, count(*) FROM "values" WHERE period_id = :period GROUP BY note',
        period=period.id,
    )
    present = dict(rows)
    lost = acknowledged - set(present)
    partial = {note: count for note, count in present.items() if count != ROWS_PER_WRITE}
    unknown = set(present) - acknowledged - refused
    committed_though_refused = refused & set(present)
    print(
        f"  writes: {len(acknowledged)} acknowledged, {len(refused)} answered 503 "
        f"({len(committed_though_refused)} of them committed before the connection was "
        f"lost), {len(lost)} acknowledged but lost, {len(partial)} partly written"
    )
    assert not lost, sorted(lost)
    assert not partial, partial
    assert not unknown, unknown
    for who, (authority_id, _) in enumerate(writers):
        mine = {note for note in present if note.startswith(f"w{who}-")}
        published = database.scalar(
            "SELECT count(*) FROM audit_events WHERE action = 'values_published' "
            "AND authority_id = :authority",
            authority=authority_id,
        )
        # One audit record with each write, in the same transaction: both or neither.
        assert published == len(mine), (who, published, len(mine))
        latest = database.scalar(
            'SELECT count(*) FROM "values" WHERE authority_id = :authority AND is_latest',
            authority=authority_id,
        )
        assert latest == ROWS_PER_WRITE


# --- a worker killed mid-upload -------------------------------------------------------------

UPLOAD_INDICATORS = 100
UPLOAD_PERIODS = 60  # 6,000 rows: two chunks of the confirm's 5,000


def _periods(count: int) -> list[str]:
    return [f"{year}-{(year + 1) % 100:02d}" for year in range(1900, 1900 + count)]


def _backend_writing_values(database: Database) -> tuple[int, int, str | None] | None:
    """The server process (pid, client port, what it waits for) of a transaction that has
    begun writing figures: it holds the lock an INSERT, UPDATE or COPY takes on "values"."""
    found = database.rows(
        "SELECT a.pid, a.client_port, a.wait_event_type FROM pg_locks l "
        "JOIN pg_class c ON c.oid = l.relation "
        "JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE c.relname = 'values' AND l.mode = 'RowExclusiveLock' AND a.datname = :name",
        name=database.name,
    )
    return tuple(found[0]) if found else None


def test_postgresql_worker_killed_mid_upload_writes_nothing_and_confirms_again(
    database: Database, server_on
):
    steps = Steps()
    with database.app.app_context():
        indicators = [factories.indicator() for _ in range(UPLOAD_INDICATORS)]
        periods = [factories.period(code) for code in _periods(UPLOAD_PERIODS)]
        publisher = factories.user(Role.ANALYST)
        authority_id, email = publisher.authority_id, publisher.email
        _, secret = factories.api_token(publisher)
        codes = [indicator.code for indicator in indicators]
        period_codes = [period.code for period in periods]
    rows = [
        f"{code},{period},{n},{n + 1000},,final,"
        for n, (code, period) in enumerate(
            (code, period) for code in codes for period in period_codes
        )
    ]
    csv = "indicator,period,numerator,denominator,value,status,note\r\n" + "\r\n".join(rows)
    steps("seeded")
    server = server_on(database.url)
    steps("gunicorn started")
    browser = Http(server.base)
    api = Http(server.base, {"Authorization": f"Bearer {secret}"})
    _sign_in(browser, email)

    def published() -> int:
        reply = api.get("/api/v1/values?per_page=1")
        assert reply.status == 200, reply.text[:300]
        return reply.json()["total"]

    started = time.monotonic()
    form = parse(browser.get("/publish/").text)
    uploaded = browser.post_form(
        "/publish/upload",
        {"csrf_token": form.csrf_tokens[0]},
        {"file": ("figures.csv", csv.encode())},
        timeout=120,
    )
    assert uploaded.status == 302, uploaded.text[:500]
    preview_path = uploaded.headers["Location"].removeprefix(server.base)
    upload_seconds = time.monotonic() - started
    preview = browser.get(preview_path, timeout=120)
    assert preview.status == 200
    steps("uploaded and previewed")
    token = parse(preview.text).csrf_tokens[0]
    assert published() == 0

    # Confirm, and kill the worker applying it once its transaction has begun writing.
    outcome: dict[str, object] = {}

    def confirm() -> None:
        try:
            outcome["reply"] = browser.post_form(
                f"{preview_path}/confirm",
                {"csrf_token": token, "warnings_checked": "y"},
                timeout=120,
            )
        except (OSError, HTTPException) as error:
            outcome["error"] = error

    # To widen the moment to strike, another session holds the upload's own row: the
    # confirm writes its figures, then waits to mark the upload applied, all inside its
    # transaction. A confirm that takes that row first, before writing, is let through
    # at once and caught while it writes.
    holder_engine = create_engine(database.url)
    holder = holder_engine.connect()
    holder.execute(
        text("SELECT id FROM upload_batches WHERE id = :id FOR UPDATE"),
        {"id": int(preview_path.rstrip("/").rsplit("/", 1)[1])},
    )

    def release() -> None:
        if not holder.closed:
            holder.rollback()
            holder.close()
            holder_engine.dispose()

    workers = server.workers()
    confirming = threading.Thread(target=confirm, daemon=True)
    started = time.monotonic()
    confirming.start()
    writing = None
    try:
        while writing is None and time.monotonic() - started < 90 and confirming.is_alive():
            writing = _backend_writing_values(database)
            if writing is None:
                if database.scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
                    "AND wait_event_type = 'Lock'",
                    name=database.name,
                ):
                    release()  # it wants the upload's row before writing anything
                time.sleep(0.01)
        assert writing is not None, f"the confirm never began writing: {outcome}"
        backend_pid, client_port, waiting = writing
        worker = process_owning(client_port, workers)
        assert worker is not None, "no worker holds the backend's connection"
        os.kill(worker, signal.SIGKILL)
        killed_after = time.monotonic() - started
    finally:
        release()
    state = "every figure written, waiting to commit" if waiting == "Lock" else "writing"
    confirming.join(30)
    assert "error" in outcome, f"the confirm was answered: {outcome}"  # the worker died

    # PostgreSQL notices the client has gone and rolls the transaction back.
    deadline = time.monotonic() + 30
    while database.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid", pid=backend_pid
    ):
        assert time.monotonic() < deadline, "the dead worker's transaction never ended"
        time.sleep(0.1)
    rolled_back_after = time.monotonic() - started
    steps("killed mid-confirm")

    # Nothing half-written; gunicorn has started a new worker in the dead one's place.
    assert published() == 0
    assert (
        database.scalar(
            'SELECT count(*) FROM "values" WHERE authority_id = :authority', authority=authority_id
        )
        == 0
    )
    assert (
        database.scalar("SELECT count(*) FROM audit_events WHERE action = 'values_published'") == 0
    )
    deadline = time.monotonic() + 30
    while len(server.workers() - {worker}) < 2:
        assert time.monotonic() < deadline, "gunicorn did not replace the worker"
        time.sleep(0.2)

    # The upload is still there to confirm, and confirming it again writes every row once.
    preview = browser.get(preview_path, timeout=120)
    assert preview.status == 200
    page = parse(preview.text)
    assert page.csrf_tokens, "the upload can no longer be confirmed"
    steps("worker replaced, previewed again")
    started = time.monotonic()
    confirmed = browser.post_form(
        f"{preview_path}/confirm",
        {"csrf_token": page.csrf_tokens[0], "warnings_checked": "y"},
        timeout=120,
    )
    confirm_seconds = time.monotonic() - started
    assert confirmed.status == 302, confirmed.text[:500]
    assert published() == len(rows)
    counts = database.rows(
        "SELECT count(*), count(DISTINCT (indicator_id, period_id)), max(revision) "
        'FROM "values" WHERE authority_id = :authority',
        authority=authority_id,
    )
    assert tuple(counts[0]) == (len(rows), len(rows), 1)
    assert (
        database.scalar("SELECT count(*) FROM audit_events WHERE action = 'values_published'") == 1
    )
    again = browser.post_form(
        f"{preview_path}/confirm",
        {"csrf_token": page.csrf_tokens[0], "warnings_checked": "y"},
        timeout=120,
    )
    assert again.status in (200, 302)
    assert published() == len(rows)  # confirming twice writes nothing more
    steps("confirmed again")

    print(
        f"\nWorker killed mid-upload ({len(rows):,} rows, {len(csv) / 1e6:.1f} MB): upload and "
        f"check {upload_seconds:.1f} s; killed {killed_after:.2f} s into the confirm "
        f"({state}); transaction gone "
        f"{rolled_back_after:.2f} s in; 0 rows written; confirmed again in "
        f"{confirm_seconds:.1f} s, {len(rows):,} rows once\n  steps: {steps}"
    )
