"""One indicator in a real browser: Vega draws under the CSP, and the chart agrees with its
table."""

import json

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_publishing import sign_in

pytestmark = pytest.mark.browser


def test_indicator_chart_renders_and_matches_its_table(page, backend):
    sign_in(page, "analyst@e10000017.demo.example")  # Lancashire
    page.goto("/compare/?group=neighbours&period=2022-23")
    page.locator("tr[data-indicator] th a").first.click()
    chart = page.locator("#main-chart")
    chart.locator("svg").first.wait_for()
    page.locator("#series-chart svg").first.wait_for()
    # One mark per peer with a figure shown in the table (suppressed peers are not drawn).
    peer_rows = page.locator("#peers-table tr[data-peer]").count()
    assert peer_rows >= 5
    peer_marks = chart.locator("g.mark-symbol.role-mark path").count()
    own_marks = 1
    assert peer_marks == peer_rows + own_marks
    # Layers that draw a named dataset (here the funnel's limits and target, and the
    # peers' band and median over time) are drawn: each a line or area of its own.
    for name in ("main-chart", "series-chart"):
        spec = json.loads(page.locator(f"#{name}-spec").text_content())
        named = [layer for layer in spec["layer"] if "name" in layer["data"]]
        assert all(layer["data"]["name"] in spec["datasets"] for layer in named)
        drawn = page.locator(f"#{name} g.role-mark:is(.mark-line, .mark-area)")
        assert named and drawn.count() >= len(named), name
    # The chart's accessible name states the viewer's figure, as the table does.
    own = page.locator("#peers-table tr[data-own] td").first.inner_text().strip()
    assert own in (chart.get_attribute("aria-label") or "")
    # Export stays available (SVG and PNG) as named links beside the chart, not in
    # vega-embed's unnamed "…" menu; no source or editor link.
    assert chart.locator(".vega-actions").count() == 0
    links = page.locator("[data-chart-downloads='main-chart'] a")
    links.first.wait_for()
    assert [name.split(" (")[0].strip() for name in links.all_text_contents()] == [
        "Download chart as SVG",
        "Download chart as PNG",
    ]
    screenshot(page, f"indicator-{backend}")
    assert page.problems == []
