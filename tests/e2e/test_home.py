"""Home leads somewhere: from the header, the keyboard reaches the first thing that needs
attention and follows it; the page reflows at 320 px (WCAG 1.4.10)."""

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, screenshot

pytestmark = pytest.mark.browser

ANALYST = "analyst@e10000017.demo.example"  # Lancashire

FOCUSED = """() => {
  const element = document.activeElement;
  return {
    text: (element.innerText || element.value || '').trim().replace(/\\s+/g, ' '),
    href: element.getAttribute('href'),
    inHeader: !!element.closest('header'),
    inMain: !!element.closest('main'),
    attention: !!element.closest('#attention'),
  };
}"""

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def _sign_in(page):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(ANALYST)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_the_keyboard_reaches_the_first_attention_link_and_follows_it(page):
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page)
    first = page.locator("#attention a").first
    expected_href = first.get_attribute("href")
    expected_text = " ".join(first.inner_text().split())
    page.goto("/")  # focus starts at the top of the page, as after a page load

    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused)
        if focused["inMain"]:
            break
    header = [item["text"] for item in seen if item["inHeader"]]
    # The header (the account links, then the section menu) comes first.
    assert "Sign out" in header and "Where we stand" in header, header
    landed = seen[-1]
    # The first stop after the header is the first line of What needs attention.
    assert landed["attention"], seen[-3:]
    assert (landed["href"], landed["text"]) == (expected_href, expected_text)

    page.keyboard.press("Enter")
    page.wait_for_url(f"**{expected_href}")
    assert page.locator("h1").inner_text()
    assert page.problems == []


@pytest.mark.parametrize("width", [1280, 320])
def test_home_reflows_without_horizontal_scrolling(page, backend, width):
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page)
    assert page.locator("#attention h2").inner_text() == "What needs attention"
    assert page.evaluate(OVERFLOW) <= 0
    main = page.locator("main").bounding_box()
    assert main["x"] >= 0 and main["x"] + main["width"] <= width
    screenshot(page, f"home-{width}-{backend}")
    assert page.problems == []
