"""The schema is made by migrations only: they agree with the models and run both ways."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

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


def test_0008_carries_a_visits_notes_and_actions_across_and_back(backend, tmp_path_factory):
    """Visits recorded before 0008 keep their notes (as first revisions) and their actions.

    On SQLite, 0008 rebuilds the visits table by copying it; with foreign keys on, dropping
    the old copy cascaded into every action and note (migrations/env.py turns them off)."""
    url, drop = empty_database(backend, tmp_path_factory, "bench_migrate_data")
    try:
        app = make_app(url)
        with app.app_context():
            upgrade(revision="0007")
            with db.engine.begin() as connection:
                run = connection.exec_driver_sql
                run(
                    "INSERT INTO authorities (id, gss_code, name, type, region) "
                    "VALUES (1, 'E10000017', 'Lancashire', 'county', 'North West')"
                )
                run(
                    "INSERT INTO visits (id, authority_id, kind, visited_on, title, people, "
                    "notes, good_practice, created_at, updated_at) VALUES (1, 1, 'visit', "
                    "'2023-09-12', 'Direct payments', '', 'What we saw', 'Peer support', "
                    "'2023-09-12 10:00:00+00', '2023-09-12 10:00:00+00')"
                )
                run(
                    "INSERT INTO follow_up_actions (id, visit_id, description, owner, status) "
                    "VALUES (1, 1, 'Ask their lead to present', 'Review manager', 'open')"
                )
            upgrade()
            with db.engine.connect() as connection:
                run = connection.exec_driver_sql
                assert run(
                    "SELECT authority_id, source, public_id IS NOT NULL FROM follow_up_actions"
                ).all() == [(1, "visit", True)]
                notes = run(
                    "SELECT n.section, r.number, r.body_md FROM visit_notes n JOIN "
                    "visit_note_revisions r ON r.note_id = n.id ORDER BY n.section"
                ).all()
                assert notes == [
                    ("good_practice_seen", 1, "Peer support"),
                    ("what_they_do_differently", 1, "What we saw"),
                ]
            downgrade(revision="0007")
            with db.engine.connect() as connection:
                run = connection.exec_driver_sql
                assert run("SELECT notes, good_practice FROM visits").all() == [
                    ("What we saw", "Peer support")
                ]
                assert run("SELECT description FROM follow_up_actions").all() == [
                    ("Ask their lead to present",)
                ]
            db.engine.dispose()
    finally:
        drop()


def test_0010_maps_the_catalogue_and_takes_the_mapping_back(backend, tmp_path_factory):
    """Indicators and issue types made before 0010 arrive unmapped, keep their links, take
    only CQC's codes, and lose nothing but the mapping on the way back."""
    url, drop = empty_database(backend, tmp_path_factory, "bench_migrate_cqc")
    try:
        app = make_app(url)
        with app.app_context():
            upgrade(revision="0009")
            with db.engine.begin() as connection:
                run = connection.exec_driver_sql
                run(
                    "INSERT INTO indicators (id, code, title, key_area, unit_kind, unit_label, "
                    "multiplier, polarity, has_counts, definition, source, is_public, "
                    "is_synthetic, decimals, created_at) VALUES (1, 'SAT', 'Satisfied', "
                    "'user_satisfaction', 'proportion', '', 100, 'higher_is_better', true, "
                    "'', '', false, true, 1, '2026-01-01 00:00:00+00')"
                )
                run(
                    "INSERT INTO issue_types (id, code, title, description, status, created_at) "
                    "VALUES (1, 'waits', 'Waits', '', 'approved', '2026-01-01 00:00:00+00')"
                )
                run("INSERT INTO issue_type_indicators (issue_type_id, indicator_id) VALUES (1, 1)")
            upgrade()
            with db.engine.begin() as connection:
                run = connection.exec_driver_sql
                assert run(
                    "SELECT cqc_quality_statement, cqc_evidence_category FROM indicators"
                ).all() == [(None, None)]
                assert run("SELECT cqc_quality_statement FROM issue_types").all() == [(None,)]
                run(
                    "UPDATE indicators SET cqc_quality_statement = 'QS1', "
                    "cqc_evidence_category = 'peoples_experience'"
                )
                run("UPDATE issue_types SET cqc_quality_statement = 'QS1'")
            for statement in (
                "UPDATE indicators SET cqc_quality_statement = 'QS0'",
                "UPDATE indicators SET cqc_evidence_category = 'rumour'",
                "UPDATE indicators SET cqc_quality_statement = NULL",  # category needs one
                "UPDATE issue_types SET cqc_quality_statement = 'qs1'",
            ):
                with pytest.raises(IntegrityError), db.engine.begin() as connection:
                    connection.exec_driver_sql(statement)
            downgrade(revision="0009")
            with db.engine.connect() as connection:
                run = connection.exec_driver_sql
                assert run("SELECT code, title FROM indicators").all() == [("SAT", "Satisfied")]
                assert run("SELECT code FROM issue_types").all() == [("waits",)]
                assert run(
                    "SELECT issue_type_id, indicator_id FROM issue_type_indicators"
                ).all() == [(1, 1)]
                columns = {
                    column["name"] for column in inspect(connection).get_columns("indicators")
                }
                assert not {"cqc_quality_statement", "cqc_evidence_category"} & columns
            db.engine.dispose()
    finally:
        drop()


def test_every_table_the_comparisons_read_has_its_triggers_at_head(app_context):
    """The comparison cache's key counts changes through triggers (migration 0013). On
    SQLite, a later migration that rebuilds one of these tables (batch_alter_table copies
    it) drops its triggers without a word: this names the table that lost them."""
    from sqlalchemy import text

    from bench.models import TABLES_THE_COMPARISONS_READ

    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            rows = connection.execute(
                text(
                    "SELECT c.relname, t.tgname FROM pg_trigger t "
                    "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
                )
            )
            wanted = {(table, f"{table}_data_changed") for table in TABLES_THE_COMPARISONS_READ}
        else:
            rows = connection.execute(
                text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            )
            wanted = {
                (table, f"{table}_data_changed_{operation}")
                for table in TABLES_THE_COMPARISONS_READ
                for operation in ("insert", "update", "delete")
            }
        present = {tuple(row) for row in rows}
    assert wanted - present == set()
