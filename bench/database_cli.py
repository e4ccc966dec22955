"""``flask database create``: make the PostgreSQL database DATABASE_URL names, if it is
missing (`make serve` on a fresh machine). Production databases are usually made by
whoever runs the server; this is for a first run on one's own machine."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.database import normalise_url

database_cli = AppGroup("database", help="The database itself.")


@database_cli.command("create")
def create_database() -> None:
    """Create DATABASE_URL's PostgreSQL database if it does not exist (SQLite: nothing)."""
    url = make_url(normalise_url(current_app.config["DATABASE_URL"]))
    if url.get_backend_name() != "postgresql":
        click.echo("SQLite: the file is made when first used.")
        return
    name = url.database or ""
    # Connect to the server's maintenance database to ask for, and make, this one.
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if exists:
                click.echo(f"Database {name} exists.")
                return
            quoted = connection.dialect.identifier_preparer.quote(name)
            connection.execute(text(f"CREATE DATABASE {quoted}"))
            click.echo(f"Created database {name}.")
    finally:
        admin.dispose()
