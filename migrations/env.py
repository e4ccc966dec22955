"""Alembic environment: bench's metadata, its engine, batch mode for SQLite."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context

from bench.extensions import db
from bench.models.search import include_name

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

database = db
target_metadata = db.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=database.engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # Tests pass their own connection (config.attributes["connection"]).
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with database.engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:  # noqa: ANN001
    sqlite = connection.dialect.name == "sqlite"
    if sqlite and not connection.in_transaction():
        # SQLite alters a table by copying it and dropping the old one; with foreign keys
        # on, the drop would cascade to every row that references it (a visit's actions
        # and notes). The pragma only works outside a transaction.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        # The full-text index's backend-specific tables, columns and indexes.
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite and not connection.in_transaction():
        broken = connection.connection.driver_connection.execute(
            "PRAGMA foreign_key_check"
        ).fetchall()
        connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")
        if broken:
            raise RuntimeError(f"Migration left rows with broken foreign keys: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
