"""Where we stand: the viewer's standing against anonymous peers, with DESIGN.md's rules."""

import csv
import re
from pathlib import Path

import pytest

from bench.compare.service import CACHE
from bench.models import FlagAnswer, Role, UnitKind
from tests import factories
from tests.pages import check_page, sign_in, text_of

OFLOG = Path(__file__).resolve().parents[2] / "seed" / "data" / "oflog-asc" / "values.csv"


def _network(session, values, *, group_type="county", period_code="2022-23"):
    indicator = factories.indicator(
        title="Cost per week", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False
    )
    period = factories.period(period_code)
    authorities = [
        factories.authority(name=f"Council {n}", type=group_type) for n in range(len(values))
    ]
    for authority, value in zip(authorities, values, strict=True):
        factories.value(authority, indicator, period, value=float(value))
    return authorities, indicator


def _row(response, code: str) -> str:
    """The text of one indicator's row of Where we stand."""
    body = response.get_data(as_text=True)
    match = re.search(rf'<tr [^>]*data-indicator="{re.escape(code)}".*?</tr>', body, re.S)
    assert match, f"no row for {code}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def test_where_we_stand_shows_group_figures_and_classification(sign_in_as, session):
    # Same type: six councils, median 35, MAD 15; the council at 200 is an exception.
    authorities, _ = _network(session, [10, 20, 30, 40, 50, 200])
    client = sign_in_as(Role.STAFF, authorities[5])
    response = client.get("/compare/?group=type")
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    assert "An exception: better" in text  # higher is better for this indicator
    assert "35" in text  # the peers' median
    for other in authorities[:5]:
        assert other.name not in text


def test_no_figures_from_fewer_than_k_peers(sign_in_as, session):
    authorities, _ = _network(session, [10, 20, 30, 40, 200])
    text = text_of(sign_in_as(Role.ANALYST, authorities[4]).get("/compare/?group=type"))
    assert "Not enough peers" in text
    assert "Same type has fewer than 5 councils" in text


def test_rutland_same_type_is_withheld_by_overlap_control(demo):
    # DESIGN.md: Rutland's published neighbours minus the unitary councils leave exactly
    # one council, so its same-type group would give that council's figures away.
    client = demo.test_client()
    sign_in(client, "analyst@e06000017.demo.example", "bench-demo-password")
    neighbours = client.get("/compare/?group=neighbours&period=2022-23")
    check_page(neighbours)
    assert "Same type (some figures withheld)" in text_of(neighbours)  # the option says so
    same_type = client.get("/compare/?group=type&period=2022-23")
    text = text_of(same_type)
    assert "shown beside nearest neighbours" in text
    assert "Peers' median" in text and "Not shown" in text
    with OFLOG.open(newline="") as handle:
        names = {row["authority_name"] for row in csv.DictReader(handle)} - {"Rutland"}
    body = same_type.get_data(as_text=True) + neighbours.get_data(as_text=True)
    assert [name for name in names if f">{name}<" in body or f" {name} " in body] == []


def test_norm_or_exception_splits_shared_issues_from_own(sign_in_as, session):
    # Eleven councils of one type. Ten peers answer about both issues: nine report the
    # first (the norm even after noise of up to 2), none the second ("only you").
    authorities, _ = _network(session, [10 + n for n in range(11)])
    viewer, peers = authorities[0], authorities[1:]
    shared = factories.issue_type(title="Slow direct-payments take-up")
    alone = factories.issue_type(title="Staff turnover")
    for issue_type in (shared, alone):
        factories.flag(viewer, issue_type)
    for number, peer in enumerate(peers):
        factories.flag(peer, shared, tried=f"Tried {number}", share_tried=number < 2)
        factories.flag(peer, alone, answer=FlagAnswer.NOT_AN_ISSUE)
    response = sign_in_as(Role.ANALYST, viewer).get("/compare/norms?group=type")
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    shared_part = text.split("Shared with many of your peers")[1].split("More yours")[0]
    own_part = text.split("More yours than your peers'")[1].split("Figures")[0]
    assert "Slow direct-payments take-up" in shared_part and "The norm" in shared_part
    assert "Staff turnover" in own_part and "Only you" in own_part
    assert "Tried 0" in text and "Tried 1" in text and "Tried 2" not in text  # shared only
    for peer in peers:
        assert peer.name not in text


def test_prevalence_needs_k_answers(sign_in_as, session):
    authorities, _ = _network(session, [10, 11, 12, 13, 14, 15])
    issue_type = factories.issue_type(title="Carers' assessments backlog")
    factories.flag(authorities[0], issue_type)
    for peer in authorities[1:4]:  # three answers: fewer than k
        factories.flag(peer, issue_type)
    text = text_of(sign_in_as(Role.ANALYST, authorities[0]).get("/compare/norms?group=type"))
    assert "fewer than 5 peers have answered about this issue" in text


def test_counts_of_peers_are_consistent_for_the_same_set(app_context):
    from bench.compare.norms import noisy

    members = frozenset(range(100, 112))
    first, again = noisy(members), noisy(set(members))
    assert first == again and abs(first - 12) <= 2
    assert noisy(frozenset()) == 0


def test_trends_never_join_across_a_series_break(sign_in_as, session):
    indicator = factories.indicator(
        title="Vacancy rate", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False,
        decimals=1,
    )  # fmt: skip
    periods = [factories.period(f"{year}-{(year + 1) % 100:02d}") for year in range(2016, 2022)]
    authorities = [factories.authority(type="county") for _ in range(6)]
    for number, authority in enumerate(authorities):
        for step, period in enumerate(periods):
            # Before 2019-20 the old definition gave figures around 100; from it, around 10
            # and rising by 1 a year.
            figure = 100.0 + number if step < 3 else 10.0 + number + (step - 3)
            factories.value(authority, indicator, period, value=figure)
    factories.series_break(indicator, periods[3], reason="New definition")
    client = sign_in_as(Role.ANALYST, authorities[0])
    # Where we stand gives the trend in a word or two (three periods since the break are
    # too few for a clear trend); the indicator's page gives the sentence.
    row = _row(client.get("/compare/?group=type"), indicator.code)
    assert "No clear trend" in row and "a year" not in row
    text = text_of(client.get(f"/compare/indicators/{indicator.code}?group=type"))
    assert (
        "Improving: rising by £1.0 a year (could be chance), since the series break in 2019-20; "
        "in line with peers' trends."
    ) in text


def test_the_api_gives_the_same_comparisons_unlabelled(app_context, session):
    authorities, indicator = _network(session, [10, 20, 30, 40, 50, 200])
    user = factories.user(Role.ANALYST, authorities[5])
    _, secret = factories.api_token(user)
    client = app_context.test_client()
    headers = {"Authorization": f"Bearer {secret}"}

    standing = client.get("/api/v1/standing?group=type", headers=headers).get_json()
    (item,) = standing["items"]
    assert item["classification"] == "exception" and item["judgement"] == "better"
    assert item["median"] == 35.0 and item["peers"] == 5

    comparison = client.get(
        f"/api/v1/comparisons/{indicator.code}?group=type", headers=headers
    ).get_json()
    assert [peer["value"] for peer in comparison["peers"]] == [10.0, 20.0, 30.0, 40.0, 50.0]
    norms = client.get("/api/v1/norms?group=type", headers=headers)
    assert norms.status_code == 200
    body = str(standing) + str(comparison) + norms.get_data(as_text=True)
    for other in authorities[:5]:
        assert other.name not in body and other.gss_code not in body
        assert f'"id": {other.id}' not in body


def test_inspectors_see_an_authority_only_under_a_current_grant(sign_in_as, session):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from bench.models import AuditEvent, InspectorGrant

    authorities, _ = _network(session, [10, 20, 30, 40, 50, 200])
    granted, other = authorities[5], authorities[0]
    inspector = sign_in_as(Role.INSPECTOR)
    now = datetime.now(UTC)
    session.add(
        InspectorGrant(
            inspector_id=inspector.user.id, authority_id=granted.id,
            starts_at=now - timedelta(days=1), expires_at=now + timedelta(days=30),
        )
    )  # fmt: skip
    session.add(
        InspectorGrant(
            inspector_id=inspector.user.id, authority_id=other.id,
            starts_at=now - timedelta(days=60), expires_at=now - timedelta(days=1),
        )
    )  # fmt: skip
    session.commit()
    page = inspector.get(f"/compare/?group=type&authority={granted.gss_code.lower()}")
    assert page.status_code == 200
    check_page(page)
    text = text_of(page)
    assert granted.name in text and "An exception: better" in text
    assert other.name not in text
    assert inspector.get(f"/compare/?authority={other.gss_code}").status_code == 404  # expired
    assert inspector.get("/compare/").status_code == 404
    used = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "grant_used").order_by(AuditEvent.id)
    ).all()
    assert [event.authority_id for event in used] == [granted.id]
    home = text_of(inspector.get("/"))
    assert granted.name in home and other.name not in home


@pytest.mark.parametrize("path", ["/compare/?group=type", "/compare/norms?group=type"])
def test_queries_do_not_grow_with_the_number_of_peers(app_context, sign_in_as, session, path):
    """No query per peer: the same number of statements for 6 councils and for 51."""
    from sqlalchemy import event

    def statements(size, group_type, period_code):
        CACHE.clear()
        authorities, _ = _network(
            session, list(range(10, 10 + size)), group_type=group_type, period_code=period_code
        )
        issue_type = factories.issue_type()
        for authority in authorities:
            factories.flag(authority, issue_type)
        client = sign_in_as(Role.ANALYST, authorities[0])
        count = 0

        def counter(*_args):
            nonlocal count
            count += 1

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", counter)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(connection, "before_cursor_execute", counter)
        return count

    small = statements(6, "metropolitan_district", "2021-22")
    large = statements(51, "london_borough", "2022-23")
    assert 0 < small == large
