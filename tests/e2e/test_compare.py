"""Where we stand in a real browser: the spines drawn match the table's figures."""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_publishing import sign_in

pytestmark = pytest.mark.browser


def test_where_we_stand_spines_match_the_table(page, backend):
    sign_in(page, "staff@e10000017.demo.example")  # Lancashire
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Where we stand").click()
    page.wait_for_url("**/compare/")
    assert page.locator("h1").inner_text() == "Where we stand"
    page.get_by_label("Period").select_option("2022-23")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**period=2022-23**")  # the new page, not the one being left
    rows = page.locator("tr[data-indicator]")
    assert rows.count() >= 10
    drawn = 0
    for index in range(rows.count()):
        row = rows.nth(index)
        cells = row.locator("td")
        spine = row.locator("svg.bench-spine")
        if spine.count():
            drawn += 1
            label = spine.get_attribute("aria-label")
            # The chart's accessible name repeats the table's own figure and median.
            assert cells.nth(0).inner_text().split("\n")[0].strip() in label
            assert cells.nth(1).inner_text().split("\n")[0].strip() in label
    assert drawn >= 5
    assert "Oflog" in page.locator("main").inner_text()
    screenshot(page, f"where-we-stand-{backend}")
    assert page.problems == []


def test_norm_or_exception_page(page, backend):
    sign_in(page, "analyst@e10000017.demo.example")
    page.get_by_role("link", name="Norm or exception?").click()
    page.wait_for_url("**/compare/norms")
    assert page.locator("h1").inner_text() == "Norm or exception?"
    main = page.locator("main").inner_text()
    assert "Known issues" in main and "Figures" in main
    # Slow direct-payments take-up is reported by most demo councils: it shows with its
    # prevalence and interval wherever Lancashire's answer puts it.
    assert "Slow direct-payments take-up" in main
    assert "95% interval" in main
    screenshot(page, f"norm-or-exception-{backend}")
    assert page.problems == []
