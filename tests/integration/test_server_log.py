"""What the server log may hold: a failed statement's SQL, never its parameters.

Parameters are user data and secrets (an API token's hash, an email address, a figure);
the log is read by people and systems that may see none of them.
"""

from __future__ import annotations

import logging

from sqlalchemy import text

from bench.extensions import db
from bench.models import Role, TokenScope
from bench.security import token_hash
from tests import factories


def test_a_failed_statement_is_logged_without_its_parameters(
    app_context, session, monkeypatch, caplog
):
    from bench.api import service

    user = factories.user(Role.ANALYST)
    _, secret = factories.api_token(user, TokenScope.READ)
    hashed = token_hash(secret)

    def failing_lookup(*args, **kwargs):
        # A real statement on the real engine that fails once the parameters are bound,
        # as a statement does when the database is locked, full or gone.
        db.session.execute(
            text("SELECT id FROM api_tokens WHERE token_hash = :hash AND no_such_column = 1"),
            {"hash": hashed},
        )

    monkeypatch.setattr(service, "own_values", failing_lookup)
    client = app_context.test_client()
    with caplog.at_level(logging.INFO):
        response = client.get("/api/v1/values", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 500
    logged = caplog.text
    assert "no_such_column" in logged  # the failure is logged, with its SQL
    assert hashed not in logged and secret not in logged
    assert "parameters hidden" in logged
