"""A visit and its note recorded in a real browser; the editor's script keeps the text as
a draft on the server; and the timeout warning offers to stay signed in two minutes before
the session ends (a second server on the same database, with a short idle limit)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from bench.extensions import db
from bench.models import Authority, NoteDraft, User, UserSession, Visit, VisitNote, utcnow
from tests.conftest import make_app
from tests.e2e.conftest import DEMO_PASSWORD, screenshot
from tests.e2e.test_allies import _sign_in  # the demo sign-in, as a person does it

pytestmark = pytest.mark.browser
LANCASHIRE = "E10000017"
STAFF = f"staff@{LANCASHIRE.lower()}.demo.example"
# Long enough to sign in and open the editor, short enough that the warning (two minutes
# before the end) comes a few seconds later.
SHORT_SESSION = timedelta(seconds=128)


def _drafts(app, email):
    with app.app_context():
        return db.session.scalars(
            select(NoteDraft.body_md)
            .join(User, User.id == NoteDraft.user_id)
            .where(User.email == email)
            .order_by(NoteDraft.id)
        ).all()


def test_record_a_visit_with_a_note_and_the_draft_is_autosaved(page, live_app, backend):
    _sign_in(page, STAFF)
    page.get_by_role("link", name="Visits", exact=True).click()
    page.get_by_role("button", name="Record a visit").click()
    page.get_by_label("A visit to the council").check()
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("10")
    page.get_by_label("Year").fill("2024")
    page.get_by_label("Title", exact=True).fill("Browser visit: reablement")
    page.get_by_label("Held").check()
    page.get_by_label("A council that is not an ally").check()
    page.get_by_label("Who you met").fill("Their reablement lead")
    page.get_by_role("button", name="Save visit").click()
    assert page.locator("h1").inner_text() == "Browser visit: reablement"
    assert "a council that is not an ally" in page.locator("main").inner_text()

    page.get_by_role("link", name="Add a note to what we could adopt").click()
    assert page.locator("h1").inner_text() == "Write a note"
    assert page.get_by_label("What we could adopt").is_checked()
    editor = page.get_by_label("Note", exact=True)
    text = "Therapists **on every ward** before discharge.\n\n- weekly huddles"
    editor.fill(text)
    editor.blur()  # the script saves when the editor loses focus
    status = page.locator("[data-autosave-status]")
    status.filter(has_text="Draft saved at").wait_for()
    assert _drafts(live_app, STAFF) == [text]
    screenshot(page, f"visits-note-autosaved-{backend}")

    page.get_by_role("button", name="Save note").click()
    page.wait_for_url("**/visits/*")
    main = page.locator("main").inner_text()
    assert "Note saved" in main and "Therapists on every ward before discharge." in main
    assert page.locator("main strong", has_text="on every ward").count() == 1
    assert _drafts(live_app, STAFF) == []  # published: the draft went
    with live_app.app_context():
        visit = db.session.scalars(
            select(Visit).where(Visit.title == "Browser visit: reablement")
        ).one()
        (note,) = db.session.scalars(select(VisitNote).where(VisitNote.visit_id == visit.id))
        assert note.revision_number == 1
    assert page.problems == []


def _second_server(live_app, **config):
    """A second server on the live database, with *config* for its sessions."""
    app = make_app(live_app.config["DATABASE_URL"], DEMO_PASSWORD=DEMO_PASSWORD, **config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def short_session_server(live_app):
    """Sessions end after about two minutes without a request."""
    yield from _second_server(live_app, SESSION_IDLE_TIMEOUT=SHORT_SESSION)


@pytest.fixture
def short_absolute_server(live_app):
    """Sessions end about two minutes after signing in, however active."""
    yield from _second_server(live_app, PERMANENT_SESSION_LIFETIME=SHORT_SESSION)


def _last_seen(app, email):
    with app.app_context():
        return db.session.scalars(
            select(UserSession.last_seen_at)
            .join(User, User.id == UserSession.user_id)
            .where(User.email == email, UserSession.ended_at.is_(None))
            .order_by(UserSession.created_at.desc())
        ).first()


def _lancashire_visit(app):
    with app.app_context():
        return db.session.scalars(
            select(Visit.public_id)
            .join(Authority, Authority.id == Visit.authority_id)
            .where(Authority.gss_code == LANCASHIRE)
            .order_by(Visit.visited_on)
        ).first()


def test_the_timeout_warning_offers_to_stay_signed_in(
    browser, short_session_server, live_app, backend
):
    email = f"analyst@{LANCASHIRE.lower()}.demo.example"
    context = browser.new_context(base_url=short_session_server)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    _sign_in(page, email)
    visit_id = _lancashire_visit(live_app)
    page.goto(f"/visits/{visit_id}/notes/new?section=what_to_ask_next")
    page.get_by_label("Note", exact=True).fill("A question to ask before I am signed out")
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    dialog.wait_for(state="visible", timeout=30_000)
    assert "To protect your information, you will be signed out in" in dialog.inner_text()
    # The warning saves the text at once.
    assert _drafts(live_app, email)[-1:] == ["A question to ask before I am signed out"]
    screenshot(page, f"visits-timeout-warning-{backend}")
    before = _last_seen(live_app, email)
    dialog.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden")
    after = _last_seen(live_app, email)
    # Active again now: the idle limit runs from this click.
    assert after > before and after > utcnow() - timedelta(seconds=15)
    assert problems == []
    context.close()


def test_at_the_absolute_limit_the_warning_offers_no_way_to_stay(
    browser, short_absolute_server, live_app, backend
):
    """Eight hours after signing in (here two minutes) nothing extends the session: the
    warning says why and has no Stay signed in button; Escape does not hide it."""
    email = f"analyst@{LANCASHIRE.lower()}.demo.example"
    context = browser.new_context(base_url=short_absolute_server)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    _sign_in(page, email)
    page.goto(f"/visits/{_lancashire_visit(live_app)}/notes/new?section=what_to_ask_next")
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    dialog.wait_for(state="visible", timeout=30_000)
    assert "longest time allowed" in dialog.inner_text()
    assert dialog.get_by_role("button", name="Stay signed in").count() == 0
    screenshot(page, f"visits-timeout-final-{backend}")
    page.keyboard.press("Escape")
    page.wait_for_timeout(500)
    assert dialog.is_visible()
    assert problems == []
    context.close()
