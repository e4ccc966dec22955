"""The password again, in a real browser: an authority admin whose password entry is old
opens the API token form, confirms their password, comes back to the form and makes a
token; a form sent after the window closed does nothing and comes back after confirming."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bench.extensions import db
from bench.models import ApiToken, User, UserSession, utcnow
from tests.e2e.conftest import DEMO_PASSWORD, screenshot
from tests.e2e.test_allies import _sign_in  # the demo sign-in, as a person does it

pytestmark = pytest.mark.browser
ADMIN = "admin@e10000017.demo.example"
CONFIRM = re.compile(r"/account/confirm-password\?next=/account/tokens/new$")


def _password_entered_long_ago(app, email):
    """As for a session cookie taken from an unlocked computer hours after signing in."""
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            .values(reauthenticated_at=utcnow() - timedelta(hours=9))
        )
        db.session.commit()


def _tokens(app, name):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(ApiToken).where(ApiToken.name == name)
        )


def test_confirm_the_password_then_make_a_token(page, live_app, backend):
    _sign_in(page, ADMIN)
    _password_entered_long_ago(live_app, ADMIN)

    page.goto("/account/tokens/new")
    page.wait_for_url(CONFIRM)
    assert page.locator("h1").inner_text() == "Confirm your password"
    screenshot(page, f"reauth-confirm-{backend}")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter your password correctly" in summary.inner_text()
    assert page.title().startswith("Error:")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/account/tokens/new")
    assert page.locator("h1").inner_text() == "Create an API token"

    # The form filled in, then left past the window: sending it does nothing.
    page.get_by_label("Name").fill("Browser round trip")
    page.get_by_label("Read", exact=True).check()
    _password_entered_long_ago(live_app, ADMIN)
    page.get_by_role("button", name="Create token").click()
    page.wait_for_url(CONFIRM)
    assert "Nothing was changed" in page.locator("main").inner_text()
    assert _tokens(live_app, "Browser round trip") == 0
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/account/tokens/new")
    page.get_by_label("Name").fill("Browser round trip")
    page.get_by_label("Read", exact=True).check()
    page.get_by_role("button", name="Create token").click()
    assert page.locator("h1").inner_text() == "Your new API token"
    assert "bench_" in page.locator("main").inner_text()
    assert _tokens(live_app, "Browser round trip") == 1
    assert page.problems == []
