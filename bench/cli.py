"""Command-line tools: ``flask users create`` and ``flask seed demo``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from bench.errors import BenchError
from bench.extensions import db
from bench.models import Authority, Role

users_cli = AppGroup("users", help="Manage user accounts.")
seed_cli = AppGroup("seed", help="Load demonstration data.")
publishing_cli = AppGroup("publishing", help="The network's checks on published figures.")
alerts_cli = AppGroup("alerts", help="Tell users what changed in what they follow.")
allies_cli = AppGroup("allies", help="Requests for allies.")


@users_cli.command("create")
@click.option("--email", required=True, help="The user's email address (their sign-in name).")
@click.option("--name", required=True, help="The user's full name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="What the user may do (see README: roles).",
)
@click.option("--authority", "gss_code", default=None, help="GSS code of the user's authority.")
@click.password_option(help="The password (asked for when not given).")
def create_user(email: str, name: str, role: str, gss_code: str | None, password: str) -> None:
    """Create a user account."""
    from bench.auth.service import create_user as create

    authority = None
    if gss_code:
        authority = db.session.scalars(
            select(Authority).where(Authority.gss_code == gss_code.upper()).order_by(Authority.id)
        ).first()
        if authority is None:
            raise click.ClickException(f"No authority has the GSS code {gss_code}")
    try:
        user = create(
            email=email, name=name, password=password, role=Role(role), authority=authority
        )
    except BenchError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.role.label.lower()} {user.email}")


@seed_cli.command("demo")
def seed_demo() -> None:
    """Load the demo network (idempotent; refused in production)."""
    if not current_app.config.get("SEED_ALLOWED", False):
        raise click.ClickException("Seeding the demo network is refused in production.")
    from seed.demo import load_demo

    report = load_demo(current_app.config["DEMO_PASSWORD"])
    click.echo(report.summary())


@publishing_cli.command("check")
@click.argument("period")
def check_period(period: str) -> None:
    """Query unusual figures of PERIOD (e.g. 2024-25) back to their publishers."""
    from bench.publishing.service import run_release_checks

    try:
        raised = run_release_checks(period)
    except BenchError as error:
        detail = getattr(error, "errors", None)
        raise click.ClickException(detail[0].message if detail else error.message) from None
    click.echo(f"{raised} new queries raised for {period}")


@alerts_cli.command("run")
def run_alerts() -> None:
    """Check every follower and notify (in the app and by email); cron runs this.

    It also closes requests for allies past their date, so their notices go out in the
    same run (see ``flask allies expire``)."""
    from bench.alerts.service import run_alerts as run
    from bench.allies.service import expire_due
    from bench.models import utcnow

    now = utcnow()
    closed = expire_due(now)
    created = run(now)
    click.echo(f"{created} new notifications; {closed} requests for allies closed")


@allies_cli.command("expire")
def expire_ally_requests() -> None:
    """Close requests for allies past their date and tell the councils that asked (the
    next ``flask alerts run`` emails them). Pages never wait for this: they read dates."""
    from bench.allies.service import expire_due
    from bench.models import utcnow

    closed = expire_due(utcnow())
    click.echo(f"{closed} requests for allies closed")


def register_commands(app: Flask) -> None:
    from bench.database_cli import database_cli

    app.cli.add_command(database_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(publishing_cli)
    app.cli.add_command(alerts_cli)
    app.cli.add_command(allies_cli)
