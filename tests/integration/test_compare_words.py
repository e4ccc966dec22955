"""The comparison pages' words and layout (issue 13): Where we stand's summary, filter and
one line per indicator; trends in units and by polarity; the indicator's sentence; the
viewer's latest earlier figure; charts that carry units and label every tick."""

import json
import re

import pytest

from bench.models import KeyArea, Polarity, Role, UnitKind
from tests import factories
from tests.pages import check_page, text_of

YEARS = ("2018-19", "2019-20", "2020-21", "2021-22", "2022-23")


def _row(response, code: str) -> str:
    """The text of one indicator's row of Where we stand."""
    body = response.get_data(as_text=True)
    match = re.search(rf'<tr [^>]*data-indicator="{re.escape(code)}".*?</tr>', body, re.S)
    assert match, f"no row for {code}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def _spec(response, name: str) -> dict:
    body = response.get_data(as_text=True)
    match = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', body, re.S)
    assert match, f"no {name}"
    return json.loads(match.group(1))


def _trending(**fields):
    """Six same-type councils over five years; the viewer (the first) gains 0.8 a year,
    a clear trend (Mann-Kendall p < 0.05 over five rising years); its peers gain 0 to
    0.4 a year."""
    indicator = factories.indicator(has_counts=False, **fields)
    periods = [factories.period(code) for code in YEARS]
    authorities = [factories.authority(type="county") for _ in range(6)]
    for number, authority in enumerate(authorities):
        slope = 0.8 if number == 0 else 0.1 * (number - 1)
        for step, period in enumerate(periods):
            figure = 10.0 + number + slope * step
            factories.value(authority, indicator, period, value=round(figure, 1))
    return authorities, indicator


@pytest.mark.parametrize(
    ("fields", "words", "short"),
    [
        (
            {"unit_kind": UnitKind.PROPORTION, "multiplier": 100},
            "Improving: rising by 0.8 percentage points a year (a clear trend); better than "
            "peers' trends.",
            "Improving",
        ),
        (
            {"unit_kind": UnitKind.PROPORTION, "multiplier": 100,
             "polarity": Polarity.LOWER_IS_BETTER},
            "Worsening: rising by 0.8 percentage points a year (a clear trend); worse than "
            "peers' trends.",
            "Worsening",
        ),
        (
            {"unit_kind": UnitKind.RATE, "multiplier": 100_000, "polarity": Polarity.NEITHER},
            "Rising by 0.8 per 100,000 a year (a clear trend); more upward than peers' "
            "trends.",
            "Rising",
        ),
        (
            {"unit_kind": UnitKind.CURRENCY, "multiplier": 1, "unit_label": "£ per week",
             "polarity": Polarity.LOWER_IS_BETTER},
            "Worsening: rising by £0.8 per week a year (a clear trend); worse than peers' "
            "trends.",
            "Worsening",
        ),
    ],
)  # fmt: skip
def test_a_trend_says_improving_or_worsening_with_its_unit(sign_in_as, session, fields, words,
                                                            short):  # fmt: skip
    authorities, indicator = _trending(**fields)
    client = sign_in_as(Role.ANALYST, authorities[0])
    # The row gives the trend in a word; the sentence is on the indicator's page.
    row = _row(client.get("/compare/?group=type"), indicator.code)
    assert short in row and "a year" not in row
    page = client.get(f"/compare/indicators/{indicator.code}?group=type")
    check_page(page)
    assert words in text_of(page)


def _classified():
    """Six same-type councils and four indicators: against its five peers the viewer is an
    exception (worse) on one, the norm on two, and has no figure for the fourth."""
    period = factories.period("2022-23")
    titles = ("Worse one", "Norm one", "Norm two", "Missing one")
    indicators = [
        factories.indicator(
            title=title, unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False,
            key_area=KeyArea.COST_EFFICIENCY if n == 1 else KeyArea.NATIONAL_FRAMEWORK,
        )
        for n, title in enumerate(titles)
    ]  # fmt: skip
    authorities = [factories.authority(type="county") for _ in range(6)]
    peers = [10.0, 20.0, 30.0, 40.0, 50.0]
    for indicator, own in zip(indicators, (-200.0, 30.0, 31.0, None), strict=True):
        if own is not None:
            factories.value(authorities[0], indicator, period, value=own)
        for peer, figure in zip(authorities[1:], peers, strict=True):
            factories.value(peer, indicator, period, value=figure)
    return authorities[0], indicators


def test_where_we_stand_summary_counts_filter_the_rows(sign_in_as, session):
    viewer, indicators = _classified()
    client = sign_in_as(Role.ANALYST, viewer)
    page = client.get("/compare/?group=type")
    check_page(page)
    text = text_of(page)
    assert "1 exception (1 worse) 0 possible exceptions 2 the norm 1 not classified" in text
    body = page.get_data(as_text=True)
    # Each count that has rows links to the page showing only those rows.
    links = re.findall(r'href="(/compare/\?[^"]*show=([a-z]+)[^"]*)"', body)
    assert sorted(key for _, key in links) == ["exceptions", "norm", "unclassified"]
    exceptions = client.get("/compare/?group=type&show=exceptions")
    check_page(exceptions)
    shown = re.findall(r'data-indicator="([^"]+)"', exceptions.get_data(as_text=True))
    assert shown == [indicators[0].code]
    assert "Showing only the exceptions. Show every indicator" in text_of(exceptions)
    norm = client.get("/compare/?group=type&show=norm").get_data(as_text=True)
    # In key-area order: national framework (Norm two), then cost efficiency (Norm one).
    assert re.findall(r'data-indicator="([^"]+)"', norm) == [indicators[2].code, indicators[1].code]
    # A key area with no row left is not shown; anything else shows every row.
    assert "Cost efficiency" in norm
    assert ">Performance against the national framework</h2>" in norm
    for other in ("nonsense", ""):
        rows = client.get(f"/compare/?group=type&show={other}").get_data(as_text=True)
        assert len(re.findall(r'data-indicator="', rows)) == 4


def test_where_we_stand_is_one_line_per_indicator_under_key_area_headings(sign_in_as, session):
    viewer, indicators = _classified()
    client = sign_in_as(Role.ANALYST, viewer)
    page = client.get("/compare/?group=type")
    body = page.get_data(as_text=True)
    # Key areas are headings people can jump between; each table keeps a caption.
    headings = re.findall(r'<h2 class="govuk-heading-m" id="area-[^"]+">([^<]+)</h2>', body)
    assert headings == ["Performance against the national framework", "Cost efficiency"]
    assert body.count('<caption class="govuk-table__caption govuk-visually-hidden">') == 2
    # How each was judged is on the indicator's page, not in the row.
    row = _row(page, indicators[0].code)
    assert "An exception: worse" in row
    assert "Robust score" not in text_of(page) and "against every peer group" not in row
    indicator_page = text_of(client.get(f"/compare/indicators/{indicators[0].code}?group=type"))
    assert "How it was judged Robust score against the peer median" in indicator_page
    # The legend names every colour the spine uses.
    assert "How to read the spine" in text_of(page)
    assert "an exception, worse" in text_of(page) and "the norm" in text_of(page)


def test_with_no_figure_this_period_the_latest_earlier_one_shows(sign_in_as, session):
    # A biennial survey: the viewer's latest figure is from 2020-21.
    indicator = factories.indicator(has_counts=False, title="Carers' quality of life")
    periods = [factories.period(code) for code in ("2020-21", "2021-22", "2022-23")]
    authorities = [factories.authority(type="county") for _ in range(6)]
    factories.value(authorities[0], indicator, periods[0], value=42.1)
    for n, peer in enumerate(authorities[1:]):
        factories.value(peer, indicator, periods[2], value=40.0 + n)
    client = sign_in_as(Role.ANALYST, authorities[0])
    page = client.get("/compare/?group=type&period=2022-23")
    check_page(page)
    row = _row(page, indicator.code)
    assert "42.1% in 2020-21" in row and "No figure for 2022-23" in row
    assert "42.0%" in row  # the peers' median is shown as before
    indicator_page = text_of(client.get(f"/compare/indicators/{indicator.code}?group=type"))
    assert "No figure for 2022-23; your latest is 42.1% in 2020-21" in indicator_page
    # A period with a figure shows it alone.
    assert "in 2020-21" not in _row(
        client.get("/compare/?group=type&period=2020-21"), indicator.code
    )


def test_the_sentence_reads_as_a_person_would_write_it(sign_in_as, session):
    indicator = factories.indicator(
        title="Permanent admissions to care homes, people aged 65 and over",
        unit_kind=UnitKind.RATE, multiplier=100_000, polarity=Polarity.LOWER_IS_BETTER,
        decimals=0,
    )  # fmt: skip
    period = factories.period("2022-23")
    authorities = [factories.authority(type="county") for _ in range(7)]
    counts = [(600, 100_000), (560, 100_000), (580, 100_000), (610, 100_000),
              (620, 100_000), (640, 100_000), (590, 100_000)]  # fmt: skip
    for authority, (numerator, denominator) in zip(authorities, counts, strict=True):
        factories.value(authority, indicator, period, numerator=numerator, denominator=denominator)
    client = sign_in_as(Role.ANALYST, authorities[0])
    response = client.get(f"/compare/indicators/{indicator.code}?group=type")
    check_page(response)
    assert (
        "Your figure for permanent admissions to care homes, people aged 65 and over, is 600 "
        "per 100,000: lower than 3 of your 6 peers (same type), but within the range chance "
        "explains: the norm among your peers."
    ) in text_of(response)


def test_the_funnel_carries_units_and_labels_every_tick(sign_in_as, session):
    indicator = factories.indicator(title="Take-up", multiplier=100)
    period = factories.period("2022-23")
    authorities = [factories.authority(type="county") for _ in range(7)]
    counts = [(400, 2000), (90, 900), (300, 1500), (1200, 6000), (800, 3900), (2000, 9800),
              (200, 1100)]  # fmt: skip
    for authority, (numerator, denominator) in zip(authorities, counts, strict=True):
        factories.value(authority, indicator, period, numerator=numerator, denominator=denominator)
    client = sign_in_as(Role.ANALYST, authorities[0])
    response = client.get(f"/compare/indicators/{indicator.code}?group=type")
    spec = _spec(response, "main-chart-spec")
    # As wide as its container, whatever the window (reflow at 320 px).
    assert spec["width"] == "container" and spec["autosize"]["type"] == "fit"
    x = spec["layer"][0]["encoding"]["x"]
    low, high = x["scale"]["domain"]
    ticks = x["axis"]["values"]
    # Only labelled ticks: each one given, inside the axis, with thousands separators.
    assert len(ticks) >= 3 and all(low <= tick <= high for tick in ticks)
    assert x["axis"]["format"] == "," and x["axis"]["labelOverlap"] is False
    assert x["title"] == "Denominator (log scale)"
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Per cent"
    series = _spec(response, "series-chart-spec")
    assert series["width"] == "container"
    period_axis = series["layer"][-1]["encoding"]["x"]["axis"]
    assert period_axis["labelOverlap"] is False  # every period labelled, turned when narrow
    # "Download chart as SVG / PNG" beside the table's download, named for screen readers.
    body = response.get_data(as_text=True)
    for format in ("svg", "png"):
        assert re.search(
            rf'<a class="govuk-link" href="#main-chart" download="[^"]+\.{format}" '
            rf'data-chart-download="{format}">Download chart as {format.upper()}'
            r'<span class="govuk-visually-hidden"> \(funnel plot of Take-up\)</span></a>',
            body,
        )
