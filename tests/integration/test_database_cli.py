"""`flask database create` (make serve's first step): makes DATABASE_URL's PostgreSQL
database when it is missing, and leaves an existing one alone."""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import make_app, postgres_admin_url


def test_database_create_makes_a_missing_database_once():
    admin_url = make_url(postgres_admin_url())
    name = f"bench_create_{uuid.uuid4().hex[:10]}"
    target = admin_url.set(database=name).render_as_string(hide_password=False)
    runner = make_app(target).test_cli_runner()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        first = runner.invoke(args=["database", "create"])
        assert first.exit_code == 0, first.output
        assert f"Created database {name}." in first.output
        again = runner.invoke(args=["database", "create"])
        assert again.exit_code == 0 and f"Database {name} exists." in again.output
        with admin.connect() as connection:
            found = connection.scalar(
                text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name}
            )
        assert found == 1
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_database_create_on_sqlite_does_nothing(tmp_path):
    path = tmp_path / "bench.sqlite3"
    result = make_app(f"sqlite:///{path}").test_cli_runner().invoke(args=["database", "create"])
    assert result.exit_code == 0 and "SQLite" in result.output
    assert not path.exists()
