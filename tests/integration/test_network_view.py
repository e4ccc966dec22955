"""The inspector's network view: every council's spread, anonymised (DESIGN.md's role table:
inspectors compare "the network's spread, and a granted authority against its peers").

An inspector belongs to no authority, so it sees one group, all councils: no figure where
fewer than k contribute, figures to the indicator's decimals, small counts as <5 and in no
group figure, and no council named anywhere except a granted authority on its own pages.
"""

from __future__ import annotations

import html
import re
import statistics
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from bench.compare import groups as group_kinds
from bench.compare import service
from bench.extensions import db
from bench.models import (
    Authority,
    AuthorityType,
    Indicator,
    InspectorGrant,
    Role,
    TokenScope,
    UnitKind,
    User,
)
from tests import factories
from tests.conftest import DEMO_PASSWORD
from tests.integration.test_anonymity_attacks import ApiClient, _attribute, _public_groups
from tests.pages import check_page, sign_in, text_of

K = 5
LANCASHIRE = "E10000017"
DEMO_INSPECTOR = "inspector@inspectorate.demo.example"


def _signed_in(app, email: str, password: str = factories.PASSWORD):
    client = app.test_client()
    response = sign_in(client, email, password)
    assert response.status_code == 302, text_of(response)
    return client


def _api(app, user: User) -> ApiClient:
    _, secret = factories.api_token(user, TokenScope.READ)
    return ApiClient(app.test_client(), {"Authorization": f"Bearer {secret}"})


def _floats(node):
    """Every number in a JSON body except counts (ints)."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _floats(value)
    elif isinstance(node, list):
        for value in node:
            yield from _floats(value)
    elif isinstance(node, float):
        yield node


def _at_decimals(node, decimals: int) -> bool:
    return all(round(x, decimals) == x for x in _floats(node))


def _strangers(session) -> list[str]:
    """Every council's name and GSS code: none may appear in what an inspector sees."""
    rows = session.scalars(select(Authority).order_by(Authority.id)).all()
    return [row.name for row in rows] + [row.gss_code for row in rows]


def _named(body: str, words: list[str]) -> list[str]:
    text = html.unescape(body)
    return [word for word in words if re.search(rf"\b{re.escape(word)}\b", text)]


# --- the demo network, seen by an inspector with no grant ------------------------------


def test_an_inspector_without_a_grant_sees_the_spread_of_every_indicator_and_period(demo):
    session = db.session
    strangers = _strangers(session)
    inspector = factories.user(Role.INSPECTOR)
    pages = _signed_in(demo, inspector.email)
    api = _api(demo, inspector)
    indicators = session.scalars(select(Indicator).order_by(Indicator.code)).all()
    periods = service.released_periods(service.utcnow())
    assert len(periods) >= 3 and len(indicators) >= 10

    home = pages.get("/")
    assert "The network's spread" in text_of(home)
    bodies = [home.get_data(as_text=True)]
    shown = withheld = small_rows = 0
    for period in periods:
        overview = pages.get(f"/compare/network/?period={period.code}")
        assert overview.status_code == 200
        check_page(overview)
        bodies.append(overview.get_data(as_text=True))
        spread = api.get(f"/api/v1/network?period={period.code}")
        assert spread.status_code == 200 and spread.json["period"] == period.code
        bodies.append(spread.get_data(as_text=True))
        items = {item["indicator"]: item for item in spread.json["items"]}
        assert set(items) == {indicator.code for indicator in indicators}
        for indicator in indicators:
            item = items[indicator.code]
            response = api.get(f"/api/v1/network/{indicator.code}?period={period.code}")
            assert response.status_code == 200
            bodies.append(response.get_data(as_text=True))
            detail = response.json
            assert detail["spread"] == item
            assert _at_decimals(detail, indicator.decimals), indicator.code
            assert _at_decimals(item, indicator.decimals), indicator.code
            if item["withheld"]:
                withheld += 1
                assert item["median"] is None and detail["values"] == []
                continue
            shown += 1
            assert item["councils"] >= K
            values = [v["value"] for v in detail["values"] if v["value"] is not None]
            # Every council unlabelled, lowest first; small counts as <5, with no figure.
            assert values == sorted(values) and len(values) == item["councils"]
            small = [v for v in detail["values"] if v["value"] is None]
            assert len(small) == item["small_counts"]
            assert all(v["count"] == "<5" for v in small)
            assert all(v["count"] is None for v in detail["values"] if v["value"] is not None)
            small_rows += len(small)
            # The median of the listed figures, within the rounding of both.
            step = 10.0**-indicator.decimals
            assert abs(statistics.median(values) - item["median"]) <= step + 1e-9
            assert item["lower_quartile"] <= item["median"] <= item["upper_quartile"]
            assert min(values) <= item["deciles"][0] <= item["deciles"][-1] <= max(values)
            assert (item["pooled"] is not None) == indicator.has_counts
            assert all(key not in v for v in detail["values"] for key in ("denominator", "id"))
        # The pages too, for the latest period (the API above covers every one).
        if period == periods[-1]:
            for indicator in indicators:
                page = pages.get(
                    f"/compare/network/indicators/{indicator.code}?period={period.code}"
                )
                assert page.status_code == 200
                check_page(page)
                bodies.append(page.get_data(as_text=True))
    issues = pages.get("/compare/network/issues")
    check_page(issues)
    bodies.append(issues.get_data(as_text=True))
    assert "about" in text_of(issues)
    assert shown > withheld and shown >= len(indicators) * len(periods) // 2
    for body in bodies:
        assert _named(body, strangers) == []


def test_network_prevalence_has_noisy_counts_and_a_wilson_interval(demo):
    inspector = factories.user(Role.INSPECTOR)
    body = _api(demo, inspector).get("/api/v1/network").json
    shown = [issue for issue in body["issues"] if issue["withheld"] is None]
    assert shown
    for issue in shown:
        assert 0 <= issue["reporting"] <= issue["answering"]
        assert issue["answering"] >= K - 2  # k councils, at most 2 of noise
        assert issue["lower"] <= issue["proportion"] <= issue["upper"]
        assert issue["proportion"] == pytest.approx(issue["reporting"] / issue["answering"])
        assert issue["label"] in ("the norm", "common", "uncommon")


def test_the_demo_inspector_sees_the_network_and_lancashire_only_on_its_own_pages(demo):
    session = db.session
    lancashire = session.scalars(select(Authority).where(Authority.gss_code == LANCASHIRE)).one()
    strangers = _strangers(session)
    others = [word for word in strangers if word not in (lancashire.name, LANCASHIRE)]
    inspector = session.scalars(select(User).where(User.email == DEMO_INSPECTOR)).one()
    pages = _signed_in(demo, DEMO_INSPECTOR, DEMO_PASSWORD)
    api = _api(demo, inspector)
    home = pages.get("/")
    assert _named(home.get_data(as_text=True), others) == []
    assert lancashire.name in text_of(home) and "The network's spread" in text_of(home)
    # Under the grant, the comparison pages work as before.
    assert pages.get(f"/compare/?authority={LANCASHIRE}").status_code == 200
    assert pages.get(f"/compare/norms?authority={LANCASHIRE}").status_code == 200
    bodies = [pages.get("/compare/network/"), pages.get("/compare/network/issues")]
    bodies += [api.get("/api/v1/network")]
    code = session.scalars(select(Indicator.code).order_by(Indicator.code)).first()
    bodies += [pages.get(f"/compare/network/indicators/{code}"), api.get(f"/api/v1/network/{code}")]
    for response in bodies:
        assert response.status_code == 200
        assert _named(response.get_data(as_text=True), strangers) == []


def test_matching_values_across_everything_the_demo_inspector_sees_pins_nothing(demo):
    """The intruder holds the demo grant from Lancashire: it reads, for each indicator, the
    network's list and Lancashire's peer list in each of its groups (every list it can
    see), knows Lancashire's own figure, and matches identical values across the lists
    with the public memberships."""
    session = db.session
    lancashire = session.scalars(select(Authority).where(Authority.gss_code == LANCASHIRE)).one()
    pages = _signed_in(demo, DEMO_INSPECTOR, DEMO_PASSWORD)
    indicators = session.scalars(select(Indicator).order_by(Indicator.code)).all()
    pinned = []
    period = service.released_periods(service.utcnow())[-1]
    results = service.results_for(period)
    members = _public_groups(results, lancashire.id)
    members["network"] = frozenset(members[group_kinds.ALL] | {lancashire.id})
    for indicator in indicators:
        query = f"period={period.code}&authority={LANCASHIRE}"
        lists = {
            "network": _figures(
                pages.get(f"/compare/network/indicators/{indicator.code}?period={period.code}"),
                "data-value",
            )
        }
        own = None
        for key in members:
            if key == "network":
                continue
            page = pages.get(f"/compare/indicators/{indicator.code}?{query}&group={key}")
            assert page.status_code == 200
            own = _own_figure(page)
            figures = _figures(page, "data-peer")
            if figures:
                lists[key] = figures
        if own is not None and own in lists["network"]:
            lists["network"].remove(own)  # the intruder knows Lancashire's own figure
        if not lists["network"]:
            del lists["network"]
        column = results.column[indicator.id]
        publishers = {
            int(a)
            for a, v in zip(
                results.network.authority_ids, results.network.value[:, column], strict=True
            )
            if not np.isnan(v) and int(a) != lancashire.id
        }
        pinned += [(indicator.code, *hit) for hit in _attribute(lists, members, publishers)]
    assert pinned == []


ROW = re.compile(
    r"<tr class=\"govuk-table__row\" (data-[a-z]+)>\s*<th[^>]*>[^<]*</th>\s*<td[^>]*>([^<]*)</td>"
)


def _figures(response, kind: str) -> list[str]:
    """The figures of one list on a page, as shown."""
    body = response.get_data(as_text=True)
    return [text.strip() for found, text in ROW.findall(body) if found == kind]


def _own_figure(response) -> str | None:
    found = re.search(r'id="own-figure">([^<]*)', response.get_data(as_text=True))
    return found[1].strip() if found else None


# --- small networks made with factories ------------------------------------------------


def _council(**fields):
    return factories.authority(**fields)


def test_no_statistic_below_k_small_counts_as_under_5_and_figures_to_the_decimals(
    app_context, sign_in_as, session
):
    """Worked example: five councils with counts 50, 61, 70, 83, 90 of 300 (16.67%, 20.33%,
    23.33%, 27.67%, 30.00%) and two with counts of 2 and 3. Median 23.3%, quartiles 20.3%
    and 27.7% (type 7), pooled 354 / 1,500 = 23.6%; the two small counts are "<5" and in
    none of those figures. With four councils' figures, nothing is shown."""
    indicator = factories.indicator(decimals=1)
    period = factories.period("2022-23")
    councils = [_council() for _ in range(7)]
    for council, numerator in zip(councils[:4] + councils[5:], [50, 61, 70, 83, 2, 3], strict=True):
        factories.value(council, indicator, period, numerator=numerator, denominator=300)
    inspector = sign_in_as(Role.INSPECTOR)
    api = _api(app_context, inspector.user)

    too_few = api.get(f"/api/v1/network/{indicator.code}").json
    assert too_few["spread"]["councils"] == 0
    assert too_few["spread"]["median"] is None and too_few["values"] == []
    assert "fewer than 5 councils" in too_few["spread"]["withheld"]
    page = inspector.get(f"/compare/network/indicators/{indicator.code}")
    check_page(page)
    assert "fewer than 5 councils published a figure" in text_of(page)
    assert "data-value" not in page.get_data(as_text=True)

    factories.value(councils[4], indicator, period, numerator=90, denominator=300)
    body = api.get(f"/api/v1/network/{indicator.code}").json
    spread = body["spread"]
    assert spread["councils"] == 5 and spread["small_counts"] == 2
    assert (spread["lower_quartile"], spread["median"], spread["upper_quartile"]) == (
        20.3, 23.3, 27.7,
    )  # fmt: skip
    assert spread["pooled"] == 23.6
    assert [v["value"] for v in body["values"]] == [16.7, 20.3, 23.3, 27.7, 30.0, None, None]
    assert [v["count"] for v in body["values"]][-2:] == ["<5", "<5"]
    text = text_of(inspector.get(f"/compare/network/indicators/{indicator.code}"))
    assert "23.3%" in text and "Not shown (small count)" in text and "<5" in text
    overview = text_of(inspector.get("/compare/network/"))
    assert "23.3%" in overview and "and 2 with a count under 5" in overview
    for council in councils:
        assert council.name not in text and council.gss_code not in text


def test_no_prevalence_below_k_answering_councils(sign_in_as, session):
    issue = factories.issue_type()
    councils = [_council() for _ in range(4)]
    for council in councils:
        factories.flag(council, issue)
    factories.period("2022-23")
    inspector = sign_in_as(Role.INSPECTOR)
    text = text_of(inspector.get("/compare/network/issues"))
    assert "fewer than 5 councils have answered about this issue" in text
    for _ in range(6):
        factories.flag(_council(), issue)
    text = text_of(inspector.get("/compare/network/issues"))
    assert "fewer than 5 councils have answered" not in text and "about" in text


def test_authority_users_have_no_network_view(sign_in_as, session):
    factories.period("2022-23")
    for role in (Role.STAFF, Role.ANALYST, Role.AUTHORITY_ADMIN, Role.NETWORK_ADMIN):
        assert sign_in_as(role).get("/compare/network/").status_code == 403


def test_a_grant_whose_all_group_is_withheld_withholds_the_network_figures(sign_in_as, session):
    """The attack: Lancashire-like L holds 9 peers in its region and type and 2 more
    councils of another type and region publish. L's "all councils" group is withheld (its
    atom of the 2 outsiders breaks k); were the network's list shown beside L's region
    list, the two values left after matching (and L's own) would be pinned to the two
    outsiders, whose type and region are public."""
    indicator = factories.indicator(decimals=1, has_counts=False, unit_kind=UnitKind.SCORE,
                                    multiplier=1)  # fmt: skip
    period = factories.period("2022-23")
    granted = _council(region="North West", type=AuthorityType.COUNTY)
    region = [_council(region="North West", type=AuthorityType.COUNTY) for _ in range(9)]
    outsiders = [_council(region="London", type=AuthorityType.LONDON_BOROUGH) for _ in range(2)]
    for number, council in enumerate([granted, *region, *outsiders]):
        factories.value(council, indicator, period, value=10.0 + number)
    inspector = sign_in_as(Role.INSPECTOR)
    now = datetime.now(UTC)
    session.add(
        InspectorGrant(
            inspector_id=inspector.user.id, authority_id=granted.id,
            starts_at=now - timedelta(days=1), expires_at=now + timedelta(days=30),
        )
    )  # fmt: skip
    session.commit()
    members = {
        "region": frozenset(c.id for c in region),
        "network": frozenset(c.id for c in [granted, *region, *outsiders]),
    }
    publishers = {c.id for c in region + outsiders}
    own_page = inspector.get(
        f"/compare/indicators/{indicator.code}?authority={granted.gss_code}&group=region"
    )
    assert own_page.status_code == 200
    lists = {"region": _figures(own_page, "data-peer")}
    network_page = inspector.get(f"/compare/network/indicators/{indicator.code}")
    check_page(network_page)
    network = _figures(network_page, "data-value")
    own = _own_figure(own_page)
    if own in network:
        network.remove(own)
    if network:
        lists["network"] = network
    assert len(lists["region"]) == 9
    assert _attribute(lists, members, publishers) == []
    assert "while the grant lasts" in text_of(network_page)
    # Without a grant, the same network shows every council's figure.
    other = sign_in_as(Role.INSPECTOR)
    assert (
        len(_figures(other.get(f"/compare/network/indicators/{indicator.code}"), "data-value"))
        == 12
    )


def test_queries_do_not_grow_with_the_number_of_councils(sign_in_as, session):
    """No query per council: the same number of statements for 6 councils and for 40."""
    from sqlalchemy import event

    indicator = factories.indicator()
    period = factories.period("2022-23")
    inspector = sign_in_as(Role.INSPECTOR)

    def count(path: str) -> int:
        statements = []

        def record(*args):
            statements.append(args[2])

        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            service.CACHE.clear()
            assert inspector.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    def grow(to: int) -> None:
        while len(session.scalars(select(Authority)).all()) < to:
            factories.value(_council(), indicator, period, numerator=40, denominator=100)

    paths = ["/compare/network/", f"/compare/network/indicators/{indicator.code}"]
    grow(6)
    small = [count(path) for path in paths]
    grow(40)
    assert [count(path) for path in paths] == small


def test_a_grant_whose_all_group_is_withheld_for_an_issue_withholds_its_prevalence(
    sign_in_as, session
):
    """As above, for answers: 9 peers of L's region and 2 outsiders answered. L's "all
    councils" group is withheld for the issue, so the network's counts, beside L's region
    counts, would tell the two outsiders' answers: withheld while the grant lasts."""
    issue = factories.issue_type()
    granted = _council(region="North West", type=AuthorityType.COUNTY)
    region = [_council(region="North West", type=AuthorityType.COUNTY) for _ in range(9)]
    outsiders = [_council(region="London", type=AuthorityType.LONDON_BOROUGH) for _ in range(2)]
    for council in [*region, *outsiders]:
        factories.flag(council, issue)
    inspector = sign_in_as(Role.INSPECTOR)
    without = text_of(inspector.get("/compare/network/issues"))
    assert "about" in without and "while the grant lasts" not in without
    now = datetime.now(UTC)
    session.add(
        InspectorGrant(
            inspector_id=inspector.user.id, authority_id=granted.id,
            starts_at=now - timedelta(days=1), expires_at=now + timedelta(days=30),
        )
    )  # fmt: skip
    session.commit()
    text = text_of(inspector.get("/compare/network/issues"))
    assert "while the grant lasts" in text and "about" not in text
