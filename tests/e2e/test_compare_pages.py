"""The comparison pages in a real browser (issue 13): they reflow at 320 px and fit at
1,280 px with a correction pending, Where we stand's summary filters its rows, and the
charts' "Download chart as SVG / PNG" links work from the keyboard and the mouse."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.extensions import db
from bench.models import Authority, Indicator, Period, Value, utcnow
from tests.e2e.conftest import screenshot
from tests.e2e.test_publishing import sign_in

pytestmark = pytest.mark.browser

KENT = "E10000016"  # no other browser test signs in as Kent
WIDTHS = (320, 1280)


@pytest.fixture(scope="module")
def pending_correction(live_app):
    """A correction of Kent's 2022-23 direct-payments figure that peers see only from the
    next release round: Where we stand notes it under the figure."""
    with live_app.app_context():
        kent = db.session.scalars(select(Authority).where(Authority.gss_code == KENT)).one()
        indicator = db.session.scalars(select(Indicator).where(Indicator.code == "DP-PCT")).one()
        period = db.session.scalars(select(Period).where(Period.code == "2022-23")).one()
        latest = db.session.scalars(
            select(Value).where(
                Value.authority_id == kent.id,
                Value.indicator_id == indicator.id,
                Value.period_id == period.id,
                Value.is_latest.is_(True),
            )
        ).one()
        latest.is_latest = False
        db.session.flush()
        numerator = latest.numerator + 50
        db.session.add(
            Value(
                authority_id=kent.id,
                indicator_id=indicator.id,
                unit_kind=latest.unit_kind,
                period_id=period.id,
                revision=latest.revision + 1,
                is_latest=True,
                numerator=numerator,
                denominator=latest.denominator,
                value=numerator / latest.denominator * indicator.multiplier,
                status=latest.status,
                note="Recount",
                published_at=utcnow(),
                visible_from=utcnow() + timedelta(days=30),
            )
        )
        db.session.commit()
    return "DP-PCT"


def _overflow(page) -> int:
    """How far the page is wider than the window, in CSS pixels (0: it reflows)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_where_we_stand_fits_the_window_at_320_and_1280_px(page, backend, pending_correction):
    sign_in(page, f"analyst@{KENT.lower()}.demo.example")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/compare/?period=2022-23")
        row = page.locator(f"tr[data-indicator='{pending_correction}']")
        assert "Corrected: peers see it from the next release round" in row.inner_text()
        assert _overflow(page) <= 0, f"Where we stand is wider than the window at {width} px"
        # The chooser fits too (it was 386 px wide at 320 px).
        for label in ("Compare with", "Period"):
            box = page.get_by_label(label).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
        screenshot(page, f"where-we-stand-{width}-{backend}")
    assert page.problems == []


def test_the_summary_filters_where_we_stand(page, backend):
    sign_in(page, f"staff@{KENT.lower()}.demo.example")
    page.goto("/compare/?period=2022-23")
    # Key areas are headings to jump between, each table still captioned.
    areas = page.locator("#standing h2")
    assert areas.count() == page.locator("#standing table caption").count() >= 3
    counts = page.locator("#summary [data-summary]")
    norm = page.locator("#summary [data-summary='norm']")
    number = int(norm.locator(".bench-standing-summary__number").inner_text())
    assert number >= 1 and counts.count() == 4
    norm.get_by_role("link").click()
    page.wait_for_url("**show=norm**")
    rows = page.locator("tr[data-indicator]")
    assert rows.count() == number
    assert {rows.nth(i).get_attribute("data-level") for i in range(number)} == {"norm"}
    page.get_by_role("link", name="Show every indicator").click()
    page.wait_for_url(lambda url: "show=" not in url)
    assert page.locator("tr[data-indicator]").count() > number
    assert page.problems == []


def test_indicator_page_fits_and_its_charts_download(page, backend, pending_correction):
    sign_in(page, f"analyst@{KENT.lower()}.demo.example")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/compare/indicators/{pending_correction}?group=neighbours&period=2022-23")
        chart = page.locator("#main-chart")
        chart.locator("svg").first.wait_for()
        page.locator("#series-chart svg").first.wait_for()
        page.locator("[data-chart-downloads='main-chart']").wait_for()  # shown once drawn
        # The chart fills its column, whatever the window; nothing is wider than the window.
        drawn = chart.locator("svg").first.bounding_box()
        column = page.locator("main").bounding_box()
        assert drawn["width"] <= width and drawn["width"] >= column["width"] * 0.8
        assert _overflow(page) <= 0, f"the indicator page is wider than the window at {width} px"
        screenshot(page, f"indicator-{width}-{backend}")

    # No "…" menu without a name: links with names, beside the table's download.
    assert chart.locator(".vega-actions, details summary").count() == 0
    downloads = page.locator(".bench-downloads").first  # under the funnel plot
    svg = downloads.get_by_role("link", name="Download chart as SVG (funnel plot of Adults")
    png = downloads.get_by_role("link", name="Download chart as PNG (funnel plot of Adults")
    assert downloads.get_by_role("link", name="Download this table").count() == 1
    svg.focus()
    with page.expect_download() as keyboard:
        page.keyboard.press("Enter")
    saved = keyboard.value
    assert saved.suggested_filename == "dp-pct-2022-23.svg"
    text = Path(saved.path()).read_text(encoding="utf-8")
    assert text.lstrip().startswith("<svg") and "Kent" not in text
    with page.expect_download() as mouse:
        png.click()
    assert mouse.value.suggested_filename == "dp-pct-2022-23.png"
    assert Path(mouse.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.problems == []


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        (f"analyst@{KENT.lower()}.demo.example", ["/compare/norms"]),
        (
            "inspector@inspectorate.demo.example",
            [
                "/compare/network/",
                "/compare/network/issues",
                "/compare/network/indicators/DP-PCT",
                "/compare/?authority=E10000017",
            ],
        ),
    ],
)
def test_the_other_comparison_pages_reflow_at_320_px(page, backend, email, paths):
    sign_in(page, email)
    page.set_viewport_size({"width": 320, "height": 900})
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert _overflow(page) <= 0, f"{path} is wider than the window at 320 px"
    assert page.problems == []
