"""The inspector's network view in a real browser: Vega draws under the CSP, one tick per
council figure in the table, and no council is named."""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_publishing import sign_in

pytestmark = pytest.mark.browser


def test_network_chart_renders_and_matches_its_table(page, backend):
    sign_in(page, "inspector@inspectorate.demo.example")
    page.get_by_role("link", name="The network's spread").click()
    page.locator("tr[data-indicator] th a").first.click()
    chart = page.locator("#main-chart")
    chart.locator("svg").first.wait_for()
    page.locator("#series-chart svg").first.wait_for()
    rows = page.locator("#values-table tr[data-value]").count()
    assert rows >= 5
    # One tick per council figure in the table, plus the shaded middle half.
    assert chart.locator("g.mark-rect.role-mark path").count() == rows + 1
    median = page.locator("#spread dd").nth(1).inner_text().strip()
    assert median in (chart.get_attribute("aria-label") or "")
    screenshot(page, f"network-indicator-{backend}")
    assert page.problems == []
