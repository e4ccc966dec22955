"""A live server on its own seeded database, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from bench.extensions import db
from seed.demo import load_demo
from tests.conftest import empty_database, make_app, migrate_to_head, unavailable

CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "bench-demo-password"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def live_app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The seeded application the live server serves (tests may read its database)."""
    url, drop = empty_database(backend, tmp_path_factory, "bench_e2e")
    # One role's accessibility crawl can outlast the 15 minutes after signing in within
    # which tokens, grants and users pages open without the password again; the browser
    # test of that (test_reauth.py) makes its session's password entry old itself.
    app = make_app(url, DEMO_PASSWORD=DEMO_PASSWORD, REAUTHENTICATION_WINDOW=timedelta(hours=8))
    migrate_to_head(app)
    with app.app_context():
        load_demo(DEMO_PASSWORD)
    yield app
    with app.app_context():
        db.engine.dispose()
    drop()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        unavailable(f"browser tests need Debian's chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# The focused element as the keyboard user sees it: its name, and whether it wears GOV.UK's
# focus style (the yellow #ffdd00 as background, outline or box shadow, at least 3 px).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const yellow = 'rgb(255, 221, 0)';
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 3
    && style.outlineColor === yellow;
  const shown = style.backgroundColor === yellow || outlined || style.boxShadow.includes(yellow);
  const rect = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.value || el.getAttribute('aria-label') || el.id || '').trim(),
    label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : '',
    href: el.getAttribute('href') || '',
    govuk_focus: shown && rect.width > 0 && rect.height > 0,
  };
}"""


def focused(page) -> dict | None:
    """What has the keyboard focus (None: nothing, the page itself)."""
    return page.evaluate(FOCUSED)


def tab_to(page, wanted, most: int = 120) -> dict:
    """Press Tab until *wanted(focused)* holds; every stop on the way must show GOV.UK's
    focus style (WCAG 2.4.7, and 2.4.11's focus not hidden), or the test fails there."""
    for _ in range(most):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now is not None, f"Tab left the page at {page.url}"
        assert now["govuk_focus"], f"focus is not visible on {now} at {page.url}"
        if wanted(now):
            return now
    raise AssertionError(f"Tab never reached the element wanted on {page.url}")
