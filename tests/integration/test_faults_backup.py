"""Backup and restore: ``pg_dump``, ``pg_restore`` into a new database, the same answers.

The demo network (real comparisons: 150-odd councils, eight years) is loaded into a
database of its own, dumped in pg_dump's custom format, restored into a new, empty
database, and a second application on the restored database must give the same
comparisons, byte for byte: Where we stand for every group, indicator pages, Norm or
exception?, the network, and CSV exports for a fixed ``as_of``. README, "Production",
"Backup and restore" gives the same commands.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.dates import LONDON
from bench.extensions import db
from bench.models import Role, TokenScope, User
from seed.demo import INSPECTOR_EMAIL, load_demo
from tests import factories
from tests.conftest import (
    DEMO_PASSWORD,
    create_postgres_database,
    make_app,
    migrate_to_head,
    unavailable,
)

pytestmark = pytest.mark.faults

ANALYSTS = ("E10000017", "E08000025")  # Lancashire, Birmingham
GRANTED = "E10000017"  # the demo inspector's grant
AS_OF = datetime.now(LONDON).date().isoformat()  # today where bench reads dates: not future


def _libpq(url: str) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed (apt-get install postgresql-client-15)")
    return path


def _run(*command: str) -> str:
    done = subprocess.run(  # noqa: S603 - the PostgreSQL client tools on our own files
        command, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def source() -> Iterator[tuple[Flask, str]]:
    url, drop = create_postgres_database("bench_backup")
    app = make_app(url, DEMO_PASSWORD=DEMO_PASSWORD)
    migrate_to_head(app)
    with app.app_context():
        load_demo(DEMO_PASSWORD)
    yield app, url
    with app.app_context():
        db.engine.dispose()
    drop()


@pytest.fixture
def restored_database() -> Iterator[tuple[str, list[Flask]]]:
    """An empty database to restore into, and the applications opened on it."""
    url, drop = create_postgres_database("bench_restored")
    opened: list[Flask] = []
    yield url, opened
    for app in opened:
        with app.app_context():
            db.engine.dispose()
    drop()


def _table_counts(app: Flask) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as connection:
        tables = sorted(db.metadata.tables)
        counts = {}
        for table in tables:
            count = text(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own tables
            counts[table] = connection.execute(count).scalar_one()
        return counts


def test_postgresql_backup_restores_into_a_new_database_serving_the_same_comparisons(
    source, restored_database, tmp_path: Path
):
    app, url = source
    restored_url, opened = restored_database
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    with app.app_context():
        server = db.session.execute(text("SHOW server_version")).scalar_one()
        users = {
            user.authority.gss_code: user
            for user in db.session.query(User).filter(User.role == Role.ANALYST)
            if user.authority.gss_code in ANALYSTS
        }
        tokens = {code: factories.api_token(users[code])[1] for code in ANALYSTS}
        inspector = db.session.query(User).filter(User.email == INSPECTOR_EMAIL).one()
        inspector_token = factories.api_token(inspector)[1]
        publish_token = factories.api_token(users[ANALYSTS[0]], TokenScope.PUBLISH)[1]
    # pg_dump refuses a newer server; an older one's dump may not restore: the same major.
    client_version = re.search(r"\d+\.\d+", _run(pg_dump, "--version")).group(0)
    server = re.search(r"\d+\.\d+", server).group(0)
    assert client_version.split(".")[0] == server.split(".")[0], (client_version, server)

    # The backup, and the restore into a new, empty database (README's commands).
    dump = tmp_path / "bench.dump"
    started = time.monotonic()
    _run(pg_dump, "--format=custom", "--no-owner", f"--file={dump}", _libpq(url))
    dumped = time.monotonic() - started
    started = time.monotonic()
    _run(
        pg_restore, "--no-owner", "--exit-on-error", "--single-transaction",
        f"--dbname={_libpq(restored_url)}", str(dump),
    )  # fmt: skip
    restoring = time.monotonic() - started
    restored = make_app(restored_url, DEMO_PASSWORD=DEMO_PASSWORD)
    opened.append(restored)

    source_counts = _table_counts(app)
    assert _table_counts(restored) == source_counts
    assert source_counts["values"] > 10_000

    original, copy = app.test_client(), restored.test_client()

    def same(path: str, token: str) -> bytes:
        headers = {"Authorization": f"Bearer {token}"}
        first, second = original.get(path, headers=headers), copy.get(path, headers=headers)
        assert first.status_code == 200, (path, first.get_data(as_text=True)[:300])
        assert second.status_code == first.status_code, path
        assert second.get_data() == first.get_data(), path
        return first.get_data()

    compared = 0
    for code in ANALYSTS:
        token = tokens[code]
        standing = original.get("/api/v1/standing", headers={"Authorization": f"Bearer {token}"})
        body = standing.get_json()
        indicators = [item["indicator"] for item in body["items"]][:2]
        paths = [f"/api/v1/standing?group={group['key']}" for group in body["groups"]]
        paths += [f"/api/v1/comparisons/{indicator}" for indicator in indicators]
        paths += ["/api/v1/norms", f"/api/v1/exports/where-we-stand.csv?as_of={AS_OF}"]
        paths += [f"/api/v1/exports/indicators/{indicators[0]}.csv?as_of={AS_OF}"]
        for path in paths:
            same(path, token)
            compared += 1
    for path in (
        "/api/v1/network",
        f"/api/v1/exports/network/figures.csv?as_of={AS_OF}",
        f"/api/v1/exports/where-we-stand.csv?authority={GRANTED}&as_of={AS_OF}",
    ):
        same(path, inspector_token)
        compared += 1

    # The restored database takes new writes (its sequences came back with it): a
    # correction of one of Lancashire's figures adds a revision.
    publisher = {"Authorization": f"Bearer {publish_token}"}
    figure = copy.get("/api/v1/values?per_page=1", headers=publisher).get_json()["items"][0]
    row = {name: figure[name] for name in ("indicator", "period", "status")}
    row |= {name: figure[name] for name in ("numerator", "denominator") if figure[name] is not None}
    if figure["numerator"] is None:
        row["value"] = figure["value"]
    published = copy.post(
        "/api/v1/values", json={"values": [{**row, "note": "after restore"}]}, headers=publisher
    )
    assert published.status_code == 200, published.get_data(as_text=True)[:300]
    assert published.get_json()["corrected"] == 1

    print(
        f"\nBackup and restore (PostgreSQL {server}, pg_dump {client_version}): "
        f"{sum(source_counts.values()):,} rows in {len(source_counts)} tables, dump "
        f"{dump.stat().st_size / 1e6:.1f} MB in {dumped:.1f} s, restored in {restoring:.1f} s; "
        f"{compared} answers byte-identical"
    )
