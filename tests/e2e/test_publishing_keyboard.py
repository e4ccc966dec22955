"""An analyst uploads a file with mistakes using only the keyboard: the error summary takes
focus, names each problem's row, indicator, period and figures, and each entry leads to
the problem; the page reflows at 320 px."""

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, screenshot

pytestmark = pytest.mark.browser

BAD = (
    "indicator,period,numerator,denominator,value,status,note\r\n"
    "SAT,2022-23,300,550,,final,\r\n"
    "SAT,2021-22,600,550,,final,\r\n"
    "NOPE,2022-23,1,2,,,\r\n"
)


def active(page) -> dict:
    return page.evaluate(
        "() => ({id: document.activeElement.id, cls: document.activeElement.className,"
        " tag: document.activeElement.tagName, text: document.activeElement.innerText,"
        " href: document.activeElement.getAttribute('href')})"
    )


def tab_to(page, predicate, most: int = 60, key: str = "Tab") -> dict:
    """Press Tab (or *key*) until the focused element satisfies *predicate*."""
    for _ in range(most):
        page.keyboard.press(key)
        now = active(page)
        if predicate(now):
            return now
    raise AssertionError(f"Tab never reached it; last focus {active(page)}")


def test_an_upload_with_mistakes_by_keyboard_alone(page, backend):
    page.goto("/sign-in")
    tab_to(page, lambda now: now["id"] == "email")
    page.keyboard.type("analyst@e06000001.demo.example")  # Hartlepool
    tab_to(page, lambda now: now["id"] == "password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")

    tab_to(page, lambda now: now["tag"] == "A" and now["text"].strip() == "Publish")
    page.keyboard.press("Enter")
    page.wait_for_url("**/publish/")

    tab_to(page, lambda now: now["id"] == "file")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(
        files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": BAD.encode()}]
    )
    tab_to(page, lambda now: now["text"].strip() == "Check the file")
    with page.expect_navigation():  # the page with the problems, before looking at it
        page.keyboard.press("Enter")

    # The error summary takes focus, so a screen reader reads it first.
    page.wait_for_function("() => document.activeElement.classList.contains('govuk-error-summary')")
    entries = page.locator(".govuk-error-summary__list a")
    assert entries.all_inner_texts() == [
        "Row 3 (SAT 2021-22): numerator 600 is more than the denominator 550",
        "Row 4 (NOPE 2022-23): unknown indicator 'NOPE'",
    ]
    assert page.title().startswith("Error:")
    assert "The file has 2 problems: nothing was saved" in page.locator("#file-error").inner_text()

    # Each entry leads to its problem in the list, which takes focus; from there Shift+Tab
    # goes back up to the summary.
    for number, href in enumerate(("#problem-1", "#problem-2"), start=1):
        tab_to(
            page,
            lambda now, href=href: now["href"] == href,
            key="Tab" if number == 1 else "Shift+Tab",
        )
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => document.activeElement.id === 'problem-{number}'")
        row = page.locator(f"#problem-{number}").inner_text()
        assert row.startswith(("3", "4")[number - 1])
    assert page.problems == []


def test_the_upload_errors_page_reflows_at_320_pixels(page, backend):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("analyst@e06000001.demo.example")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.goto("/publish/")
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": BAD.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector(".govuk-error-summary")
    screenshot(page, f"publish-upload-errors-320-{backend}")
    widths = page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, window: window.innerWidth,"
        " wide: [...document.querySelectorAll('main *')].filter("
        "   e => e.getBoundingClientRect().right > window.innerWidth + 1"
        " ).map(e => e.tagName + '.' + e.className + ' ' + (e.id || '')"
        "   + ' ' + e.innerText.slice(0, 40)).slice(-6)})"
    )
    assert widths["page"] <= widths["window"], widths
