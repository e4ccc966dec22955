"""Vega-Lite specs for the one-indicator page, built on the server from disclosed figures only.

The specs carry what the page's tables carry and nothing more: peers' values to the
indicator's decimals (never a suppressed one), denominator bands of at least k peers (a
peer drawn at its band's geometric middle), "<5" for small counts, and no label of any
kind that names a peer. Every chart has a description (its accessible name) and a table.
Data that several layers draw (the funnel's limits, the peers' band over time) goes once,
as a named dataset (Vega-Lite's ``datasets``) that each of those layers names.
"""

from __future__ import annotations

import math
from typing import Any

from bench.web import format_number, format_value

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
HEIGHT = 320
NARROW = 400  # px: below this width, the period axis turns its labels to fit them all
MAX_TICKS = 6
OWN_COLOUR = "#1d70b8"  # GOV.UK blue
PEER_COLOUR = "#505a5f"  # GOV.UK dark grey
LIMIT_COLOUR = "#b1b4b6"
BAND_COLOUR = "#cce2d8"

CONFIG = {
    "font": "Arial, sans-serif",
    "axis": {"labelFontSize": 12, "titleFontSize": 13},
    "legend": {"labelFontSize": 12, "titleFontSize": 13},
}


def _base(description: str) -> dict[str, Any]:
    """A chart as wide as its container, whatever the window (WCAG 1.4.10, reflow): no
    fixed width that would make a page at 320 px scroll sideways."""
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": HEIGHT,
        "autosize": {"type": "fit", "contains": "padding"},
        "config": CONFIG,
    }


def _unit(indicator: Any) -> str:
    """The value axis's title: the unit alone ("Per cent", "Per 100,000", "£ per week"), so
    that it fits beside a chart 300 px tall; the chart's caption names the indicator."""
    label = indicator.unit_label
    if not label and str(indicator.unit_kind) == "rate":
        label = f"per {indicator.multiplier:,}"
    if not label and str(indicator.unit_kind) == "proportion" and indicator.multiplier == 100:
        label = "per cent"
    if not label:
        return "Figure"
    return label[:1].upper() + label[1:]


def log_ticks(low: float, high: float) -> list[float]:
    """Round ticks for a log axis from *low* to *high*, each to be labelled: 1, 2 and 5 of
    each power of ten where that gives at least three, finer steps where it gives fewer,
    only the powers of ten where it gives too many to read at 320 px."""
    if not (0 < low < high):
        return []
    steps = ((1,), (1, 2, 5), (1, 2, 3, 5, 7), tuple(range(1, 10)))
    powers = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    found: list[float] = []
    for step in steps:
        ticks = [float(m * 10**p) for p in powers for m in step if low <= m * 10**p <= high]
        if len(ticks) > MAX_TICKS and found:
            break
        found = ticks
        if len(ticks) >= 3:
            break
    return found


def _period_axis(order: list[str]) -> dict[str, Any]:
    """Periods along the bottom, every one labelled: level on a wide chart, turned where
    the chart is narrow, so that no label overlaps another or is dropped."""
    narrow = f"width < {NARROW}"
    return {
        "field": "period",
        "type": "ordinal",
        "sort": order,
        "title": "Period",
        "axis": {
            "labelAngle": {"expr": f"{narrow} ? -45 : 0"},
            "labelAlign": {"expr": f"{narrow} ? 'right' : 'center'"},
            "labelBaseline": {"expr": f"{narrow} ? 'middle' : 'top'"},
            "labelOverlap": False,
        },
    }


def band_text(band: Any) -> str:
    """A denominator band as read: "1,000 to 2,000" (from the first, up to the second)."""
    if band is None:
        return "Not shown"
    return f"{format_number(band.low, 0)} to {format_number(band.high, 0)}"


def _tooltip(fields: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"field": name, "type": "nominal", "title": title} for name, title in fields]


def main_spec(page: Any) -> dict[str, Any] | None:
    """A funnel plot (counts) or a strip plot of peers' values (values only)."""
    indicator, standing = page.indicator, page.standing
    if standing.withheld is not None or not page.peers:
        return None
    own_text = format_value(standing.value, indicator)
    peers = [
        {
            "value": peer.value,
            "valueText": peer.value_text,
            "denominator": peer.denominator,
            "denominatorText": peer.band_text,
            "count": peer.count_text,
            "who": f"Peer {peer.number}",
        }
        for peer in page.shown_peers
    ]
    if page.funnel_kind and standing.value is not None and standing.denominator:
        return _funnel_spec(page, peers, own_text)
    return _strip_spec(page, peers, own_text)


def _funnel_spec(page: Any, peers: list[dict], own_text: str) -> dict[str, Any]:
    indicator, standing = page.indicator, page.standing
    grid = [row["denominator"] for row in page.funnel]
    x = {
        "field": "denominator",
        "type": "quantitative",
        "scale": {"type": "log", "nice": False, "domain": [min(grid), max(grid)]},
        "title": "Denominator (log scale)",
        # Every tick labelled (the default log axis leaves most of them bare).
        "axis": {"values": log_ticks(min(grid), max(grid)), "format": ",", "labelOverlap": False},
    }
    y_title = _unit(indicator)
    limits = [
        ("lower998", "99.8% limits", [4, 3]),
        ("upper998", "99.8% limits", [4, 3]),
        ("lower95", "95% limits", []),
        ("upper95", "95% limits", []),
    ]
    layers: list[dict[str, Any]] = [
        {
            "data": {"name": "limits"},
            "mark": {"type": "line", "color": LIMIT_COLOUR, "strokeDash": dash},
            "encoding": {
                "x": x,
                "y": {
                    "field": field,
                    "type": "quantitative",
                    "title": y_title,
                    "scale": {"zero": False},
                },
            },
        }
        for field, _, dash in limits
    ]
    layers.append(
        {
            "data": {"name": "limits"},
            "mark": {"type": "line", "color": PEER_COLOUR, "strokeWidth": 1},
            "encoding": {"x": x, "y": {"field": "target", "type": "quantitative"}},
        }
    )
    layers.append(
        {
            "data": {"values": peers},
            "mark": {"type": "circle", "size": 50, "color": PEER_COLOUR, "opacity": 0.8},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative"},
                "tooltip": _tooltip(
                    [
                        ("who", "Peer"),
                        ("valueText", "Figure"),
                        ("count", "Count"),
                        ("denominatorText", "Denominator band"),
                    ]
                ),  # fmt: skip
            },
        }
    )
    layers.append(
        {
            "data": {
                "values": [
                    {
                        "value": standing.value,
                        "valueText": own_text,
                        "denominator": standing.denominator,
                        "denominatorText": format_number(standing.denominator, 0),
                        "who": "Your council",
                    }
                ]
            },
            "mark": {
                "type": "point",
                "shape": "diamond",
                "size": 180,
                "filled": True,
                "color": OWN_COLOUR,
            },
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative"},
                "tooltip": _tooltip(
                    [("who", "Who"), ("valueText", "Figure"), ("denominatorText", "Denominator")]
                ),
            },
        }  # fmt: skip
    )
    description = (
        f"Funnel plot of {indicator.title}: your council's figure {own_text} (the blue diamond) "
        f"and {len(peers)} anonymous peers (grey dots) against their denominators (each peer "
        f"at the middle of its band of at least {page.min_peers} peers), with 95% and 99.8% "
        f"limits around the group's pooled value {format_value(standing.target, indicator)}."
    )
    return {**_base(description), "datasets": {"limits": page.funnel}, "layer": layers}


def _strip_spec(page: Any, peers: list[dict], own_text: str) -> dict[str, Any]:
    indicator, standing = page.indicator, page.standing
    x = {"field": "value", "type": "quantitative", "title": _unit(indicator),
         "scale": {"zero": False}}  # fmt: skip
    layers: list[dict[str, Any]] = []
    if standing.lower_quartile is not None and standing.upper_quartile is not None:
        layers.append(
            {
                "data": {
                    "values": [{"lower": standing.lower_quartile, "upper": standing.upper_quartile}]
                },
                "mark": {"type": "rect", "color": BAND_COLOUR},
                "encoding": {
                    "x": {"field": "lower", "type": "quantitative"},
                    "x2": {"field": "upper"},
                },
            }  # fmt: skip
        )
    if standing.median is not None:
        layers.append(
            {
                "data": {"values": [{"value": standing.median}]},
                "mark": {"type": "rule", "color": PEER_COLOUR, "strokeWidth": 2},
                "encoding": {"x": {"field": "value", "type": "quantitative"}},
            }
        )
    layers.append(
        {
            "data": {"values": peers},
            "mark": {"type": "circle", "size": 70, "color": PEER_COLOUR, "opacity": 0.8},
            "encoding": {
                "x": x,
                "tooltip": _tooltip([("who", "Peer"), ("valueText", "Figure")]),
            },
        }
    )
    if standing.value is not None:
        layers.append(
            {
                "data": {
                    "values": [
                        {"value": standing.value, "valueText": own_text, "who": "Your council"}
                    ]
                },
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "size": 200,
                    "filled": True,
                    "color": OWN_COLOUR,
                },
                "encoding": {
                    "x": x,
                    "tooltip": _tooltip([("who", "Who"), ("valueText", "Figure")]),
                },
            }  # fmt: skip
        )
    description = (
        f"Distribution of {indicator.title}: your council's figure {own_text} (the blue "
        f"diamond) among {len(peers)} anonymous peers (grey dots), with the peers' median "
        f"{format_value(standing.median, indicator)} (line) and middle half (shaded)."
    )
    return {**_base(description), "height": 120, "layer": layers}


def series_spec(page: Any) -> dict[str, Any] | None:
    """The viewer's figure over time against the peers' median and middle half; no line
    crosses a series break or a period without a figure."""
    indicator = page.indicator
    rows = [
        {
            "period": row.period.label,
            "value": row.value,
            "valueText": format_value(row.value, indicator),
            "median": row.median,
            "lower": row.lower_quartile,
            "upper": row.upper_quartile,
            "middleText": (
                f"{format_value(row.lower_quartile, indicator)} to "
                f"{format_value(row.upper_quartile, indicator)}"
                if row.median is not None
                else "Not shown"
            ),
            "medianText": format_value(row.median, indicator),
            "own": row.own_segment,
            "band": row.band_segment,
        }
        for row in page.series
    ]
    if not any(row["value"] is not None or row["median"] is not None for row in rows):
        return None
    order = [row["period"] for row in rows]
    x = _period_axis(order)
    y_title = _unit(indicator)
    band = [row for row in rows if row["band"] >= 0]
    own = [row for row in rows if row["own"] >= 0]
    layers: list[dict[str, Any]] = []
    if band:
        layers += [
            {
                "data": {"name": "band"},
                "mark": {"type": "area", "color": BAND_COLOUR, "opacity": 0.8},
                "encoding": {
                    "x": x,
                    "y": {"field": "lower", "type": "quantitative", "title": y_title,
                          "scale": {"zero": False}},
                    "y2": {"field": "upper"},
                    "detail": {"field": "band", "type": "nominal"},
                },
            },
            {
                "data": {"name": "band"},
                "mark": {"type": "line", "color": PEER_COLOUR, "strokeDash": [4, 3],
                         "point": {"filled": True, "color": PEER_COLOUR}},
                "encoding": {
                    "x": x,
                    "y": {"field": "median", "type": "quantitative"},
                    "detail": {"field": "band", "type": "nominal"},
                    "tooltip": _tooltip([("period", "Period"), ("medianText", "Peers' median"),
                                         ("middleText", "Peers' middle half")]),
                },
            },
        ]  # fmt: skip
    if own:
        layers.append(
            {
                "data": {"values": own},
                "mark": {
                    "type": "line",
                    "color": OWN_COLOUR,
                    "strokeWidth": 3,
                    "point": {"filled": True, "size": 60, "color": OWN_COLOUR},
                },
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "value",
                        "type": "quantitative",
                        "title": y_title,
                        "scale": {"zero": False},
                    },
                    "detail": {"field": "own", "type": "nominal"},
                    "tooltip": _tooltip([("period", "Period"), ("valueText", "Your figure")]),
                },
            }  # fmt: skip
        )
    description = (
        f"Time series of {indicator.title} from {order[0]} to {order[-1]}: your council's "
        "figure (blue line) against the peers' median (dashed line) and middle half (shaded)"
        + (f". {'; '.join(page.breaks)}." if page.breaks else ".")
    )
    return {**_base(description), "height": 260, "datasets": {"band": band}, "layer": layers}


# --- the inspector's network view: every council unlabelled, no "your council" -------------


def distribution_spec(page: Any) -> dict[str, Any] | None:
    """A strip of every council's figure, with the median (line) and middle half (shaded)."""
    indicator, spread = page.indicator, page.spread
    figures = [item.value for item in page.values if item.value is not None]
    if not spread.shown or not figures:
        return None
    x = {"field": "value", "type": "quantitative", "title": _unit(indicator),
         "scale": {"zero": False}}  # fmt: skip
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": [{"lower": spread.lower_quartile, "upper": spread.upper_quartile}]},
            "mark": {"type": "rect", "color": BAND_COLOUR},
            "encoding": {
                "x": {"field": "lower", "type": "quantitative"},
                "x2": {"field": "upper"},
            },
        },
        {
            "data": {"values": [{"value": spread.median}]},
            "mark": {"type": "rule", "color": PEER_COLOUR, "strokeWidth": 2},
            "encoding": {"x": {"field": "value", "type": "quantitative"}},
        },
        {
            "data": {
                "values": [
                    {"value": value, "valueText": format_value(value, indicator)}
                    for value in figures
                ]
            },
            "mark": {"type": "tick", "color": PEER_COLOUR, "opacity": 0.6, "thickness": 2},
            "encoding": {"x": x, "tooltip": _tooltip([("valueText", "A council's figure")])},
        },
    ]
    description = (
        f"Distribution of {indicator.title} in {page.period.label}: {len(figures)} councils' "
        f"figures (grey ticks, unlabelled), with the median "
        f"{format_value(spread.median, indicator)} (line) and middle half "
        f"{format_value(spread.lower_quartile, indicator)} to "
        f"{format_value(spread.upper_quartile, indicator)} (shaded)."
    )
    return {**_base(description), "height": 120, "layer": layers}


def trend_spec(page: Any) -> dict[str, Any] | None:
    """The network's median and middle half over the released periods; no line crosses a
    series break or a period without figures."""
    indicator = page.indicator
    rows = []
    segment, previous = 0, None
    for index, item in enumerate(page.series):
        if not item.shown:
            previous = None
            continue
        if (
            previous is None
            or page.segments[index] != page.segments[previous]
            or (previous != index - 1)
        ):
            segment += 1
        previous = index
        rows.append(
            {
                "period": item.period.label,
                "median": item.median,
                "lower": item.lower_quartile,
                "upper": item.upper_quartile,
                "medianText": format_value(item.median, indicator),
                "middleText": f"{format_value(item.lower_quartile, indicator)} to "
                f"{format_value(item.upper_quartile, indicator)}",
                "councils": item.contributors,
                "segment": segment,
            }
        )
    if not rows:
        return None
    order = [item.period.label for item in page.series]
    x = _period_axis(order)
    detail = {"field": "segment", "type": "nominal"}
    layers = [
        {
            "data": {"name": "network"},
            "mark": {"type": "area", "color": BAND_COLOUR, "opacity": 0.8},
            "encoding": {
                "x": x,
                "y": {"field": "lower", "type": "quantitative", "title": _unit(indicator),
                      "scale": {"zero": False}},
                "y2": {"field": "upper"},
                "detail": detail,
            },
        },
        {
            "data": {"name": "network"},
            "mark": {"type": "line", "color": PEER_COLOUR, "strokeWidth": 3,
                     "point": {"filled": True, "color": PEER_COLOUR}},
            "encoding": {
                "x": x,
                "y": {"field": "median", "type": "quantitative"},
                "detail": detail,
                "tooltip": _tooltip([("period", "Period"), ("medianText", "Median"),
                                     ("middleText", "Middle half"), ("councils", "Councils")]),
            },
        },
    ]  # fmt: skip
    description = (
        f"The network's median of {indicator.title} from {order[0]} to {order[-1]} (line), "
        "with the middle half of councils' figures (shaded)"
        + (f". {'; '.join(page.breaks)}." if page.breaks else ".")
    )
    return {**_base(description), "height": 260, "datasets": {"network": rows}, "layer": layers}
