"""One indicator: peers unlabelled and ordered by value, small counts and denominators
disclosed as DESIGN.md "Anonymity" says, the k threshold, withheld groups, the sentence."""

import json
import re

from sqlalchemy import select

from bench.compare.service import CACHE
from bench.models import Period, Role, UnitKind
from tests import factories
from tests.pages import check_page, text_of


def _spec_json(body, name):
    match = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', body, re.S)
    return match.group(1) if match else None


def _values(spec, layer):
    """The rows a layer draws: its own, or the named dataset it draws."""
    data = layer["data"]
    return spec["datasets"][data["name"]] if "name" in data else data["values"]


def _all_data(spec):
    """Every set of rows in the spec: each layer's own and each named dataset."""
    own = [layer["data"]["values"] for layer in spec["layer"] if "values" in layer["data"]]
    return own + list(spec.get("datasets", {}).values())


def _visible(response):
    """The page's text without the chart specs (their funnel grids are long numbers)."""
    body = re.sub(r"<script.*?</script>", "", response.get_data(as_text=True), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def _values_network(values):
    """Same-type councils with one values-only indicator (higher is better)."""
    indicator = factories.indicator(
        title="Cost per week", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False
    )
    period = factories.period("2022-23")
    authorities = [factories.authority(name=f"Council {n}") for n in range(len(values))]
    for authority, value in zip(authorities, values, strict=True):
        factories.value(authority, indicator, period, value=float(value))
    return authorities, indicator


def _counts_network(counts):
    """(numerator, denominator) per council; a proportion per 100."""
    indicator = factories.indicator(title="Take-up", multiplier=100)
    period = factories.period("2022-23")
    authorities = [factories.authority(name=f"County {n}") for n in range(len(counts))]
    for authority, (numerator, denominator) in zip(authorities, counts, strict=True):
        factories.value(authority, indicator, period, numerator=numerator, denominator=denominator)
    return authorities, indicator


def test_peers_are_unlabelled_and_ordered_by_value(sign_in_as, session):
    # Six councils of one type; the viewer (the last) is at 200: an exception (better).
    authorities, indicator = _values_network([40, 10, 50, 20, 30, 200])
    viewer = authorities[5]
    client = sign_in_as(Role.ANALYST, viewer)
    response = client.get(f"/compare/indicators/{indicator.code}?group=type")
    assert response.status_code == 200
    check_page(response)
    body = response.get_data(as_text=True)
    text = text_of(response)
    # Peers numbered by sorted value: 10, 20, 30, 40, 50.
    figures = re.findall(r"Peer (\d) £([\d.,]+)", text)
    assert figures == [("1", "10.0"), ("2", "20.0"), ("3", "30.0"), ("4", "40.0"),
                       ("5", "50.0")]  # fmt: skip
    spec = _spec_json(body, "main-chart-spec")
    assert spec is not None
    json.loads(spec)
    for other in authorities[:5]:
        assert other.name not in body and other.gss_code not in body
    # The spec's data carry figures and their texts only: no id, code or name field.
    fields = {key for rows in _all_data(json.loads(spec)) for row in rows for key in row}
    assert fields <= {"value", "valueText", "who", "lower", "upper", "count", "denominator",
                      "denominatorText"}  # fmt: skip
    assert {row["who"] for rows in _all_data(json.loads(spec)) for row in rows
            if "who" in row} == {"Your council", *(f"Peer {n}" for n in range(1, 6))}  # fmt: skip
    # Higher than all 5 peers, far from their spread: an exception. The counts are exact,
    # as the table beside them lists every figure (DESIGN.md, Anonymity 11).
    assert (
        "Your figure for cost per week is £200.0: higher than all 5 of your peers (same type), "
        "and far from the usual spread of your peers: an exception, better than your peers."
    ) in text
    assert "rounded slightly" not in text


def test_small_counts_are_shown_as_under_5_without_their_rate(sign_in_as, session):
    counts = [(3, 1234), (40, 987), (55, 1010), (60, 1190), (70, 1049), (65, 1100), (52, 1000)]
    authorities, indicator = _counts_network(counts)
    client = sign_in_as(Role.STAFF, authorities[6])
    response = client.get(f"/compare/indicators/{indicator.code}?group=type")
    check_page(response)
    body = response.get_data(as_text=True)
    text = _visible(response)
    assert "&lt;5" in text and "Not shown (small count)" in text
    # 3 / 1234 = 0.24%: neither the rate nor the exact denominator appears.
    assert "0.2%" not in text and "1,234" not in text
    # Peers' denominators only in a band of at least 5 of them (987 falls in 500 to 1,000,
    # too few alone, so it joins 1,000 to 2,000); the viewer's own 1,000 is exact.
    assert text.count("500 to 2,000") == 6 and "1,000" in text
    for exact in ("987", "1,010", "1,049", "1,100", "1,190", "990", "1,200"):
        assert exact not in text
    spec = _spec_json(body, "main-chart-spec")
    data = json.loads(spec)
    peers = next(layer for layer in data["layer"] if layer["mark"].get("type") == "circle")
    points = _values(data, peers)
    assert len(points) == 5  # the suppressed peer is not plotted
    # Each peer drawn at its band's geometric middle, sqrt(500 x 2,000) = 1,000.
    assert [p["denominator"] for p in points] == [1000.0] * 5
    assert {p["denominatorText"] for p in points} == {"500 to 2,000"}
    points = json.dumps(points)
    assert "1234" not in points and "1049" not in points and "987" not in points
    # The funnel's limits are drawn around the pooled value.
    assert any(layer["encoding"]["y"]["field"] == "upper998" for layer in data["layer"])
    assert "but within the range chance explains: the norm among your peers." in text


def test_no_peer_figures_from_fewer_than_k_peers(sign_in_as, session):
    authorities, indicator = _values_network([10, 20, 30, 40, 200])
    client = sign_in_as(Role.ANALYST, authorities[4])
    response = client.get(f"/compare/indicators/{indicator.code}?group=type")
    check_page(response)
    body = response.get_data(as_text=True)
    text = text_of(response)
    assert "Same type has fewer than 5 councils" in text
    assert "Peer 1" not in text and _spec_json(body, "main-chart-spec") is None
    assert "£200.0" in text  # the viewer's own figure still shows


def test_group_not_admitted_is_withheld(sign_in_as, session):
    # Same type: 6 councils; same region: the same 6 plus 2 of another type. In 2022-23
    # those two publish, so the atom "same region but not same type" holds 2 (< k)
    # contributors and same region is withheld; in 2021-22 they did not publish, so the
    # atom holds none and the group is shown (DESIGN.md, Anonymity 9: contributors count).
    authorities, indicator = _values_network([10, 20, 30, 40, 50, 60])
    current = session.scalars(select(Period).where(Period.code == "2022-23")).one()
    earlier = factories.period("2021-22")
    for authority, value in zip(authorities, [11, 21, 31, 41, 51, 61], strict=True):
        factories.value(authority, indicator, earlier, value=float(value))
    for n in range(2):
        other = factories.authority(name=f"Unitary {n}", type="unitary")
        factories.value(other, indicator, current, value=99.0)
    client = sign_in_as(Role.ANALYST, authorities[0])
    response = client.get(f"/compare/indicators/{indicator.code}?group=region&period=2022-23")
    check_page(response)
    text = text_of(response)
    assert (
        "Peers' figures are not shown: shown beside same type, which you can also see, this "
        "group's figures would single out fewer than 5 councils that published a figure for "
        "2022-23"
    ) in text
    assert "Peer 1" not in text and "99" not in text
    assert "Same region: shown beside same type" in text  # listed among withheld groups
    earlier_page = text_of(
        client.get(f"/compare/indicators/{indicator.code}?group=region&period=2021-22")
    )
    assert "Peers' figures are not shown" not in earlier_page
    assert "Peer 1" in earlier_page


def test_time_series_band_and_series_break(sign_in_as, session):
    authorities, indicator = _values_network([10, 20, 30, 40, 50, 60])
    earlier = factories.period("2021-22")
    for authority, value in zip(authorities, [11, 21, 31, 41, 51, 61], strict=True):
        factories.value(authority, indicator, earlier, value=float(value))
    later = next(p for p in [factories.period("2023-24")])
    factories.value(authorities[0], indicator, later, value=15.0)  # no peers: no band
    factories.series_break(indicator, later, reason="The definition changed")
    client = sign_in_as(Role.ANALYST, authorities[0])
    response = client.get(f"/compare/indicators/{indicator.code}?group=type&period=2022-23")
    check_page(response)
    text = text_of(response)
    assert "The definition changed from 2023-24: earlier figures are not comparable" in text
    spec = json.loads(_spec_json(response.get_data(as_text=True), "series-chart-spec"))
    own = next(layer for layer in spec["layer"] if layer["encoding"]["y"]["field"] == "value")
    segments = [point["own"] for point in _values(spec, own)]
    assert segments[0] == segments[1] != segments[2]  # no line across the break
    band = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "area")
    assert [p["period"] for p in _values(spec, band)] == ["2021-22", "2022-23"]


def test_unknown_indicator_is_404(sign_in_as, session):
    authorities, _ = _values_network([10, 20])
    client = sign_in_as(Role.ANALYST, authorities[0])
    assert client.get("/compare/indicators/NO-SUCH").status_code == 404


def test_where_we_stand_links_to_the_indicator(sign_in_as, session):
    authorities, indicator = _values_network([10, 20, 30, 40, 50, 60])
    client = sign_in_as(Role.ANALYST, authorities[0])
    body = client.get("/compare/?group=type").get_data(as_text=True)
    assert f"/compare/indicators/{indicator.code}?group=type" in body


def test_peers_exact_counts_are_not_shown_beside_their_rates(sign_in_as, session):
    # 7,919 of 17,477 is 45.3%: shown together, the count and the rate give the exact
    # denominator back (7,919 / 0.4531 = 17,477), undoing its rounding to 17,000.
    counts = [(7919, 17477), (400, 1000), (410, 1010), (420, 990), (430, 1020), (440, 1030)]
    authorities, indicator = _counts_network(counts)
    response = sign_in_as(Role.STAFF, authorities[5]).get(
        f"/compare/indicators/{indicator.code}?group=type"
    )
    visible = _visible(response)
    assert "45.3%" in visible  # the peer's rate, unlabelled
    assert not re.search(r"\b7,?919\b|\b17,?477\b", visible)
    assert not re.search(r'"(count|numerator|denominator)": 7919', response.get_data(as_text=True))
    assert "440" in visible  # the viewer's own count is exact


def test_overdispersed_peers_widen_the_funnel_limits(sign_in_as, session):
    # Twelve councils, 10,000 each, proportions from 30% to 48% and one at 80%: the group
    # is over-dispersed, and the drawn limits are the widened ones the classification used.
    rates = [0.30, 0.32, 0.34, 0.36, 0.38, 0.40, 0.41, 0.42, 0.44, 0.46, 0.48, 0.80]
    authorities, indicator = _counts_network([(int(r * 10_000), 10_000) for r in rates])
    client = sign_in_as(Role.STAFF, authorities[0])
    response = client.get(f"/compare/indicators/{indicator.code}?group=type")
    text = _visible(response)
    assert "vary more than chance alone" in text and "φ = " in text
    spec = _spec_json(response.get_data(as_text=True), "main-chart-spec")
    uppers = [float(number) for number in re.findall(r'"upper998": ([0-9.]+)', spec)]
    assert uppers  # limits drawn
    # Plain 99.8% limits at n = 10,000 around the pooled 42.6% lie about 1.5 points away;
    # widened by sqrt(phi) they reach several points further.
    pooled = sum(int(r * 10_000) for r in rates) / 120_000 * 100
    assert all(upper - pooled > 3 for upper in uppers)


def test_the_network_may_choose_the_additive_adjustment(app_context, sign_in_as, session):
    rates = [0.30, 0.32, 0.34, 0.36, 0.38, 0.40, 0.41, 0.42, 0.44, 0.46, 0.48, 0.80]
    authorities, indicator = _counts_network([(int(r * 10_000), 10_000) for r in rates])
    app_context.config["OVERDISPERSION_ADJUSTMENT"] = "additive"
    try:
        CACHE.clear()
        response = sign_in_as(Role.STAFF, authorities[0]).get(
            f"/compare/indicators/{indicator.code}?group=type"
        )
    finally:
        app_context.config["OVERDISPERSION_ADJUSTMENT"] = "multiplicative"
        CACHE.clear()
    text = _visible(response)
    assert "by adding the variance between councils" in text


def test_tied_peers_fall_in_a_fresh_random_order_on_every_page(sign_in_as, session):
    """Peers whose figures tie as shown are listed in a fresh random order each time
    (DESIGN.md, Anonymity 2 and 6), also when the peers are read from what a worker keeps
    (bench.compare.indicator.PEERS): never in the order of their ids, never frozen."""
    # Ten peers at 10.0%: five with denominators near 1,000, five near 10,000 (two bands
    # of five), then the viewer. The rows of the tie differ only by their band.
    counts = [(100, 1000 + n) if n < 5 else (1000, 10000 + n) for n in range(10)]
    authorities, indicator = _counts_network([*counts, (20, 100)])
    client = sign_in_as(Role.STAFF, authorities[-1])
    orders = set()
    for _ in range(12):
        text = _visible(client.get(f"/compare/indicators/{indicator.code}?group=type"))
        rows = re.findall(r"Peer (\d+) 10\.0% – ([\d,]+) to", text)
        assert [number for number, _ in rows] == [str(n) for n in range(1, 11)]
        orders.add(tuple(low for _, low in rows))
    assert len(orders) > 1  # 12 pages in one order by chance: 1 in 252^11
    assert all(sorted(order) == sorted(next(iter(orders))) for order in orders)
