"""Precision and counts beside lists (DESIGN.md, Anonymity 10 and 11), tried as an intruder.

Against the seeded demo network, through the API a script would use, as Lancashire's
analyst: every figure about peers comes to the indicator's published decimal places, no
(figure, denominator shown) pair gives back an exact denominator, every denominator band
holds at least k peers, a suppressed (<5) count cannot be worked out from the pooled
value, and the sentence's counts are those of the table it stands above.
"""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import numpy as np
import pytest
from sqlalchemy import select, update

from bench.compare import service
from bench.compare.service import CACHE
from bench.extensions import db
from bench.models import Indicator, Role, TokenScope, User, Value, utcnow
from tests import factories

VIEWER = "analyst@e10000017.demo.example"  # Lancashire, the README's walkthrough
K = 5


@pytest.fixture
def lancashire(demo):
    """The demo network, and the API as Lancashire's analyst would script it."""
    session = db.session
    user = session.scalars(select(User).where(User.email == VIEWER)).one()
    _, secret = factories.api_token(user, TokenScope.READ)
    client = demo.test_client()

    def get(path):
        response = client.get(path, headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    indicators = {i.code: i for i in session.scalars(select(Indicator).order_by(Indicator.code))}
    groups = [g["key"] for g in get("/api/v1/standing")["groups"] if g["admitted"]]
    periods = [p.code for p in service.released_periods(utcnow())]
    return SimpleNamespace(user=user, get=get, indicators=indicators, groups=groups,
                           periods=periods, first_and_latest=[periods[0], periods[-1]])  # fmt: skip


def comparisons(demo, periods, *, counts_only=False):
    """Every (indicator, group, period) view the viewer may open, as the API returns it."""
    for code, indicator in demo.indicators.items():
        if counts_only and not indicator.has_counts:
            continue
        for group in demo.groups:
            for period in periods:
                body = demo.get(f"/api/v1/comparisons/{code}?group={group}&period={period}")
                if body["standing"]["withheld"] is None:
                    yield indicator, group, period, body


def places(number: float) -> int:
    """How many decimals a shown number carries (as an attacker reads it off the JSON)."""
    for decimals in range(16):
        scaled = number * 10**decimals
        if abs(scaled - round(scaled)) <= 1e-6 * max(1.0, abs(scaled)) * 1e-3:
            return decimals
    return 16


def denominator_shown(peer: dict) -> tuple[float, float] | None:
    """The range a peer's true denominator lies in, by what its row shows: a band, or (as
    before bands) a figure rounded to two significant figures."""
    if peer.get("denominator_from") is not None:
        return float(peer["denominator_from"]), float(peer["denominator_to"])
    shown = peer.get("denominator")
    if not shown:
        return None
    unit = 10 ** (math.floor(math.log10(shown)) - 1)
    return shown - unit / 2, shown + unit / 2


def denominators_that_fit(value: float, low: float, high: float, multiplier: float,
                          enough: int) -> int:  # fmt: skip
    """The attacker's search: integer denominators in [low, high] for which some integer
    count reproduces the shown value exactly, at the precision it is shown to. Stops once
    *enough* are found."""
    tolerance = 0.5 * 10 ** -places(value) + 1e-9 * abs(value)
    found = 0
    start = max(1, math.ceil(low))
    stop = math.floor(high)
    while start <= stop and found < enough:
        d = np.arange(start, min(stop, start + 50_000) + 1, dtype=float)
        smallest = np.ceil((value - tolerance) * d / multiplier - 1e-12)
        found += int(np.count_nonzero(smallest <= (value + tolerance) * d / multiplier + 1e-12))
        start += 50_001
    return found


def test_no_peer_figure_is_finer_than_the_indicator_publishes(lancashire):
    finer = []
    for indicator, group, _, body in comparisons(lancashire, lancashire.first_and_latest):
        standing = body["standing"]
        figures = [("peer", peer["value"]) for peer in body["peers"]]
        figures += [(name, standing[name]) for name in
                    ("median", "lower_quartile", "upper_quartile", "target")]  # fmt: skip
        figures += [("funnel target", row["target"]) for row in body["funnel"]]
        figures += [(f"{row['period']} {name}", row[name]) for row in body["series"]
                    for name in ("median", "lower_quartile", "upper_quartile")]  # fmt: skip
        for peer in body["peers"]:
            figures += [("peer interval", end) for end in peer.get("interval_95") or ()]
        finer += [
            (indicator.code, group, name, figure)
            for name, figure in figures
            if figure is not None and places(figure) > indicator.decimals
        ]
    assert finer == []


def test_no_peer_row_gives_its_exact_denominator_back(lancashire):
    # For each peer row, the attacker searches every integer denominator the row allows
    # (its band, or its two-significant-figure rounding) for one whose integer count
    # reproduces the shown figure: a single fit is the exact denominator, a label that
    # joins views. Rounded figures in bands leave several fits, and where fewer than k
    # fit (small denominators: 55.2% of 50 to 100 people fits 58, 67, 87 and 96), the
    # band itself still holds at least k of the view's peers.
    pinned, few = [], []
    rows = 0
    for indicator, group, _, body in comparisons(
        lancashire, lancashire.first_and_latest, counts_only=True
    ):
        held: dict[tuple[float, float], int] = {}
        for peer in body["peers"]:
            if (shown := denominator_shown(peer)) is not None:
                held[shown] = held.get(shown, 0) + 1
        for peer in body["peers"]:
            shown = denominator_shown(peer)
            if peer["value"] is None or shown is None:
                continue
            rows += 1
            fits = denominators_that_fit(peer["value"], *shown, indicator.multiplier, K)
            if fits < 2:
                pinned.append((indicator.code, group, peer["value"], shown, fits))
            elif fits < K and held[shown] < K:
                few.append((indicator.code, group, peer["value"], shown, fits))
    assert rows > 100
    assert pinned == []
    assert few == []


def test_each_denominator_band_holds_at_least_k_peers(lancashire):
    thin = []
    for indicator, group, _, body in comparisons(
        lancashire, lancashire.first_and_latest, counts_only=True
    ):
        bands: dict[tuple[float, float], int] = {}
        for peer in body["peers"]:
            shown = denominator_shown(peer)
            if shown is not None:
                bands[shown] = bands.get(shown, 0) + 1
        thin += [(indicator.code, group, band, n) for band, n in bands.items() if n < K]
    assert thin == []


def test_the_sentence_counts_what_the_table_lists(lancashire):
    wrong = []
    sentences = 0
    for indicator, group, _, body in comparisons(lancashire, lancashire.first_and_latest):
        match = re.search(r"(lower|higher) than (\d+) of your (\d+) peers", body["sentence"])
        if match is None:
            continue
        sentences += 1
        own = round(body["standing"]["value"], indicator.decimals)
        listed = [peer["value"] for peer in body["peers"] if peer["value"] is not None]
        side = match[1]
        counted = sum(1 for v in listed if (v > own if side == "lower" else v < own))
        if (int(match[2]), int(match[3])) != (counted, len(listed)):
            wrong.append((indicator.code, group, match[0], counted, len(listed)))
    assert sentences > 20
    assert wrong == []


def test_a_suppressed_count_cannot_be_worked_out_from_the_pooled_value(lancashire):
    # The strongest attacker knows every other member's exact count and denominator (its
    # own, colluding or public figures) and the suppressed peer's denominator (a public
    # population), and solves the shown pooled value for the one unknown count:
    # pooled x (sum of denominators) - others' counts. It must not come out as one answer.
    now = utcnow()
    found = []
    tried = 0
    periods = {p.code: p for p in service.released_periods(now)}
    for indicator, group, period, body in comparisons(
        lancashire, lancashire.periods, counts_only=True
    ):
        target = body["standing"]["target"]
        if target is None or not any(peer["count"] for peer in body["peers"]):
            continue
        results = service.results_for(periods[period], now)
        viewer = lancashire.user.authority_id
        option = next(o for o in service._options(results, viewer) if o.key == group)
        column = results.column[indicator.id]
        members = [results.row[a] for a in sorted(option.peers | {viewer}) if a in results.row]
        num = results.network.numerator[members, column]
        den = results.network.denominator[members, column]
        counted = ~np.isnan(num) & ~np.isnan(den)
        tolerance = 0.5 * 10 ** -places(target) + 1e-9 * abs(target)
        for x in np.flatnonzero(counted & (num >= 1) & (num <= 4)):
            tried += 1
            others = counted.copy()
            others[x] = False
            pooled = [
                (num[others].sum() + c) / (den[others].sum() + den[x]) * indicator.multiplier
                for c in range(1, 5)
            ]
            candidates = [c for c, p in enumerate(pooled, 1) if abs(p - target) <= tolerance]
            if candidates == [int(num[x])]:
                found.append((indicator.code, group, period, int(num[x])))
    assert tried > 0  # the demo network has suppressed peers in these views
    assert found == []


def _small_count_network():
    """Seven councils of one type: the viewer, five peers with ordinary counts and one
    peer whose count is small enough to be shown as <5."""
    indicator = factories.indicator(title="Take-up", multiplier=100, decimals=1)
    period = factories.period("2022-23")
    counts = [(120, 1000), (150, 1100), (180, 1200), (210, 1300), (240, 1400), (270, 1500)]
    authorities = [factories.authority(name=f"County {n}") for n in range(7)]
    for authority, (numerator, denominator) in zip(authorities, counts, strict=False):
        factories.value(authority, indicator, period, numerator=numerator, denominator=denominator)
    small = factories.value(authorities[6], indicator, period, numerator=1, denominator=1234)
    return authorities, indicator, small


def test_group_figures_stay_the_same_whatever_the_suppressed_count(app_context, session):
    # Tried, not argued: the suppressed peer's count set to 1, 2, 3 and 4 in turn leaves
    # every group figure the viewer is shown as it was, so none of them can give it back.
    authorities, indicator, small = _small_count_network()
    _, secret = factories.api_token(factories.user(Role.ANALYST, authorities[0]))
    client = app_context.test_client()
    small_id = small.id
    shown = set()
    for count in (1, 2, 3, 4):
        session.execute(
            update(Value)
            .where(Value.id == small_id)
            .values(numerator=count, value=count / 1234 * 100)
        )
        session.commit()
        CACHE.clear()
        body = client.get(
            f"/api/v1/comparisons/{indicator.code}?group=type",
            headers={"Authorization": f"Bearer {secret}"},
        ).get_json()
        standing = body["standing"]
        assert body["peers"][-1]["count"] == "<5"
        shown.add(
            (
                standing["target"],
                standing["median"],
                standing["lower_quartile"],
                standing["upper_quartile"],
                standing["peers"],
                tuple(tuple(sorted(row.items())) for row in body["funnel"]),
            )
        )
    assert len(shown) == 1


def test_a_council_is_still_judged_on_its_own_small_count(sign_in_as, session):
    # Left out of the group's figures, the council with the small count still sees its
    # own exact figures and is judged on them against the six others.
    authorities, indicator, _ = _small_count_network()
    response = sign_in_as(Role.STAFF, authorities[6]).get(
        f"/compare/indicators/{indicator.code}?group=type"
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "1,234" in text  # its own exact denominator
    assert "An exception: worse" in text
