"""Error pages in the product's design, the users command, database settings."""

import pytest
from sqlalchemy import select, text

from bench.extensions import db
from bench.models import Role, User
from tests import factories
from tests.pages import check_page, sign_in, text_of


def test_unknown_page_is_a_designed_404(client, session):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    check_page(response)
    assert "Page not found" in text_of(response)


def test_wrong_method_is_a_designed_error(client, session):
    response = client.delete("/account")
    assert response.status_code == 405
    check_page(response)


def test_unexpected_failure_is_a_designed_500(app_context, sign_in_as, monkeypatch):
    from bench.home import service

    client = sign_in_as(Role.ANALYST)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service, "authority_overview", broken)
    response = client.get("/")
    assert response.status_code == 500
    check_page(response)
    assert "the database went away" not in response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in text_of(response)


def test_security_headers(client, session):
    response = client.get("/sign-in")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "'unsafe-inline'" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)


def test_users_create_command(app_context, session):
    authority = factories.authority()
    runner = app_context.test_cli_runner()
    result = runner.invoke(
        args=[
            "users", "create", "--email", "New.Person@Example.gov.uk", "--name", "New Person",
            "--role", "analyst", "--authority", authority.gss_code,
            "--password", "a long enough password",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User).where(User.email == "new.person@example.gov.uk")).one()
    assert user.authority_id == authority.id and user.role is Role.ANALYST
    assert (
        sign_in(app_context.test_client(), user.email, "a long enough password").status_code == 302
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "analyst"], "Select an authority"),
        (["--role", "inspector", "--authority", "XNOPE"], "No authority has the GSS code"),
        (["--role", "network_admin", "--password", "short"], "12 characters or more"),
    ],
)
def test_users_create_command_refuses_bad_input(app_context, session, arguments, message):
    base = ["users", "create", "--email", "x@example.gov.uk", "--name", "X"]
    if "--password" not in arguments:
        arguments = [*arguments, "--password", "a long enough password"]
    result = app_context.test_cli_runner().invoke(args=[*base, *arguments])
    assert result.exit_code != 0
    assert message in result.output
    assert session.scalars(select(User)).all() == []


def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(app_context, backend):
    if backend != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
