"""Issue 11's walk through, in a real browser: Lancashire's staff record a visit to an ally
with a note and a follow-up action, share the note with the host, and find it by search;
the host's staff then find it too, and nobody else does."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_allies import _sign_in  # the demo sign-in, as a person does it

pytestmark = pytest.mark.browser
LANCASHIRE_STAFF = "staff@e10000017.demo.example"
DERBYSHIRE_STAFF = "staff@e10000007.demo.example"  # Lancashire's ally in the demo
ESSEX_STAFF = "staff@e10000012.demo.example"  # not an ally of Lancashire
WORD = "zephyrine"  # in no demo text


def _search(page, words):
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Words to search for").fill(words)
    page.get_by_role("button", name="Search", exact=True).click()
    return page.locator("main")


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_record_a_visit_with_a_note_and_an_action_share_it_and_find_it(page, backend):
    _sign_in(page, LANCASHIRE_STAFF)
    page.get_by_role("link", name="Visits", exact=True).click()
    page.get_by_role("button", name="Record a visit").click()
    page.get_by_label("A visit to the council").check()
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Title", exact=True).fill("Reablement: their discharge huddle")
    page.get_by_label("Held").check()
    page.get_by_label("Derbyshire", exact=True).check()
    page.get_by_role("button", name="Save visit").click()
    assert page.locator("h1").inner_text() == "Reablement: their discharge huddle"

    page.get_by_role("link", name="Add a note to what we could adopt").click()
    page.get_by_label("Note", exact=True).fill(
        f"A daily **{WORD}** huddle of therapists and discharge nurses."
    )
    page.get_by_role("button", name="Save note").click()
    page.wait_for_url("**/visits/*")
    assert "Note saved" in page.locator("main").inner_text()

    # A follow-up action from the visit: the form comes with the visit chosen.
    page.get_by_role("link", name="Add a follow-up action from this visit").click()
    page.get_by_label("What is to be done").fill("Pilot a daily discharge huddle")
    assert page.get_by_label("A visit").is_checked()
    chosen = page.get_by_label("The visit, review or staff view it came from")
    assert "Reablement: their discharge huddle" in chosen.locator("option:checked").inner_text()
    page.get_by_label("Name of an owner without an account").fill("Head of reablement")
    page.get_by_role("button", name="Add action").click()
    assert page.locator("h1").inner_text().startswith("Pilot a daily discharge huddle")

    # Share the note with the host, from the note's page.
    main = _search(page, WORD)
    main.get_by_role("link", name=re.compile("Reablement")).first.click()
    page.get_by_role("link", name=re.compile("Sharing, the host")).click()
    page.get_by_role("button", name=re.compile("^Share with the host")).click()
    assert "shared with the host" in page.locator("main").inner_text()
    screenshot(page, f"review-cycle-shared-{backend}")
    _sign_out(page)

    # The host finds it; a council that is not Lancashire's ally does not.
    _sign_in(page, DERBYSHIRE_STAFF)
    found = _search(page, WORD)
    found.get_by_role("link", name=re.compile("Reablement")).first.click()
    assert WORD in page.locator("main").inner_text().lower()
    assert "your council" in page.locator("main").inner_text()
    _sign_out(page)

    _sign_in(page, ESSEX_STAFF)
    nothing = _search(page, WORD)
    assert nothing.get_by_role("link", name=re.compile("Reablement")).count() == 0
    assert "huddle" not in nothing.inner_text()
    assert page.problems == []
