"""The schema is made by migrations only: they agree with the models and run both ways."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from bench.extensions import db
from bench.models.search import include_name
from tests.conftest import empty_database, make_app

ROOT = Path(__file__).resolve().parents[2]


def _drift(connection):
    context = MigrationContext.configure(
        connection,
        # include_name: as migrations/env.py, leave out the full-text index's own objects.
        opts={"compare_type": True, "render_as_batch": True, "include_name": include_name},
    )
    return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app_context):
    with db.engine.connect() as connection:
        assert _drift(connection) == []


def test_upgrade_downgrade_upgrade(backend, tmp_path_factory):
    url, drop = empty_database(backend, tmp_path_factory, "bench_migrate")
    try:
        app = make_app(url)
        with app.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"authorities", "values", "users", "audit_events"} <= tables
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            with db.engine.connect() as connection:
                assert _drift(connection) == []
            db.engine.dispose()
    finally:
        drop()


def test_pinned_head_is_the_only_head(app):
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        heads = script.get_heads()
    pinned = (ROOT / "migrations" / ".current-alembic-head").read_text().strip()
    assert heads == [pinned], "a new migration must update migrations/.current-alembic-head"
