"""CSV exports (issue 12): each comparison view as a file, built from the page object the
view renders, so an export shows the same figures and withholds the same cells; as-of
reproduction byte for byte; every export audited; a grant's end stops exports at once."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from bench.compare import indicator as compare_indicator
from bench.compare import norms as compare_norms
from bench.compare import service as compare
from bench.compare.service import CACHE
from bench.extensions import db
from bench.models import AuditEvent, InspectorGrant, Role, User, Value
from tests import factories
from tests.integration.test_compare import OFLOG
from tests.pages import sign_in

RUTLAND = "analyst@e06000017.demo.example"
PASSWORD = "bench-demo-password"


@pytest.fixture(autouse=True)
def fresh_cache():
    CACHE.clear()
    yield
    CACHE.clear()


def _rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


def _names() -> set[str]:
    with OFLOG.open(newline="") as handle:
        return {row["authority_name"] for row in csv.DictReader(handle)}


def _number(text: str) -> float | None:
    return float(text) if text != "" else None


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_where_we_stand_csv_is_the_page_as_a_table(demo):
    client = demo.test_client()
    sign_in(client, RUTLAND, PASSWORD)
    response = client.get("/compare/export/where-we-stand.csv?group=type&period=2022-23")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert not body.startswith(b"\xef\xbb\xbf")  # a BOM only when asked for
    assert b"\r\n" in body
    rows = _rows(body)
    frame = pd.read_csv(io.BytesIO(body), keep_default_na=False)
    assert list(frame.columns) == list(rows[0])
    assert len(frame) == len(rows)
    with demo.app_context():
        view = compare.viewing(_user(RUTLAND))
        page = compare.where_we_stand(view, "type", "2022-23", custom=True)
        standings = [s for _, items in page.sections for s in items]
    assert [row["indicator_code"] for row in rows] == [s.indicator.code for s in standings]
    for row, standing in zip(rows, standings, strict=True):
        assert _number(row["value"]) == standing.value
        assert _number(row["peer_median"]) == standing.median
        assert _number(row["peer_lower_quartile"]) == standing.lower_quartile
        assert _number(row["peer_upper_quartile"]) == standing.upper_quartile
        assert row["withheld_because"] == (standing.withheld or "")
        assert (row["suppression_reason"] != "") == (standing.withheld is not None)
    # Rutland's same type is withheld where it overlaps its nearest neighbours: the same
    # cells the page leaves out, marked "x" (withheld because groups overlap).
    withheld = [row for row in rows if row["suppression_reason"]]
    assert withheld and {row["suppression_reason"] for row in withheld} <= {"c", "x"}
    assert all(row["peer_median"] == "" for row in withheld)
    assert "x" in {row["suppression_reason"] for row in withheld}
    # No other council is named, in the file or its name.
    text = body.decode()
    others = _names() - {"Rutland"}
    assert [name for name in others if f",{name}," in text or f'"{name}' in text] == []
    disposition = response.headers["Content-Disposition"]
    assert "rutland" not in disposition.lower() and "e06000017" not in disposition.lower()
    for header in ("Bench-As-Of", "Bench-Data-Version", "Bench-Methods", "Bench-Thresholds"):
        assert response.headers[header]


def test_a_bom_for_excel_when_asked(demo):
    client = demo.test_client()
    sign_in(client, RUTLAND, PASSWORD)
    body = client.get("/compare/export/where-we-stand.csv?bom=1").get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    assert body[3:].startswith(b"indicator_code,")


def test_indicator_csv_lists_the_peers_the_page_lists(demo):
    client = demo.test_client()
    sign_in(client, RUTLAND, PASSWORD)
    with demo.app_context():
        view = compare.viewing(_user(RUTLAND))
        code = compare.where_we_stand(view, "neighbours", "2022-23").sections[0][1][0]
        code = code.indicator.code
        page = compare_indicator.indicator_page(view, code, "neighbours", "2022-23")
        listed = [peer.value for peer in page.peers]
        own = page.standing.value
    response = client.get(f"/compare/export/indicators/{code}.csv?group=neighbours&period=2022-23")
    assert response.status_code == 200
    rows = _rows(response.get_data())
    assert rows[0]["is_subject_authority"] == "true" and _number(rows[0]["value"]) == own
    peers = rows[1:]
    assert all(row["is_subject_authority"] == "false" for row in peers)
    assert [_number(row["value"]) for row in peers] == listed
    # Peers: to the indicator's decimals, never an interval (it would give the
    # denominator back), ordered by value.
    assert all(row["ci_lower_95"] == "" and row["ci_upper_95"] == "" for row in peers)
    shown = [v for v in (_number(row["value"]) for row in peers) if v is not None]
    assert shown == sorted(shown)
    pd.read_csv(io.BytesIO(response.get_data()), keep_default_na=False)


def test_norms_and_trends_csvs_cover_every_issue_and_indicator(demo):
    client = demo.test_client()
    sign_in(client, RUTLAND, PASSWORD)
    norms = client.get("/compare/export/norm-or-exception.csv?group=neighbours")
    trends = client.get("/compare/export/trends.csv?group=neighbours")
    assert norms.status_code == trends.status_code == 200
    with demo.app_context():
        view = compare.viewing(_user(RUTLAND))
        page = compare_norms.norm_or_exception(view, "neighbours", None)
        issues = page.shared + page.own + page.elsewhere + page.quiet
        by_code = {item.issue_type.code: item for item in issues}
        indicators = [s.indicator.code for _, items in page.standing.sections for s in items]
    norm_rows = _rows(norms.get_data())
    assert {row["issue_code"] for row in norm_rows} == set(by_code)
    for row in norm_rows:
        item = by_code[row["issue_code"]]
        assert _number(row["peers_reporting"]) == item.reporting
        assert _number(row["peers_answering"]) == item.answering
        assert row["perturbed"] in ("true", "false")
    assert [row["indicator_code"] for row in _rows(trends.get_data())] == indicators


def _released_network(session, values, *, published: datetime):
    indicator = factories.indicator(decimals=1)
    period = factories.period("2023-24", released_at=published)
    councils = [factories.authority(name=f"Council {n}", type="county") for n in range(6)]
    for council, value in zip(councils, values, strict=True):
        factories.value(
            council, indicator, period, numerator=value, denominator=1000,
            published_at=published, visible_from=published,
        )  # fmt: skip
    return councils, indicator, period


def _correct(council, indicator, period, numerator: float) -> None:
    old = db.session.scalar(
        select(Value).where(Value.authority_id == council.id, Value.is_latest.is_(True))
    )
    old.is_latest = False
    db.session.flush()
    factories.value(
        council, indicator, period, numerator=numerator, denominator=1000,
        revision=old.revision + 1, visible_from=datetime.now(UTC),
    )  # fmt: skip


def test_as_of_reproduces_an_export_byte_for_byte(sign_in_as, session):
    """Correct a figure (the viewer's own and a peer's) and export again: as published on
    the earlier date, the same bytes, the corrections nowhere; today's export has them."""
    published = datetime.now(UTC) - timedelta(days=10)
    councils, indicator, period = _released_network(
        session, [100, 200, 300, 400, 500, 600], published=published
    )
    client = sign_in_as(Role.ANALYST, councils[5])
    as_of = (published + timedelta(days=2)).date().isoformat()
    paths = [
        f"/compare/export/where-we-stand.csv?group=type&as_of={as_of}",
        f"/compare/export/indicators/{indicator.code}.csv?group=type&as_of={as_of}",
        f"/compare/export/trends.csv?group=type&as_of={as_of}",
    ]
    before = [client.get(path) for path in paths]
    assert [response.status_code for response in before] == [200, 200, 200]
    _correct(councils[5], indicator, period, 650)
    _correct(councils[0], indicator, period, 50)
    CACHE.clear()
    after = [client.get(path) for path in paths]
    for first, second in zip(before, after, strict=True):
        assert first.get_data() == second.get_data()
        assert first.headers["Bench-Data-Version"] == second.headers["Bench-Data-Version"]
        assert first.headers["Bench-As-Of"] == as_of
    today = client.get("/compare/export/where-we-stand.csv?group=type").get_data()
    assert today != before[0].get_data()
    assert _number(_rows(today)[0]["value"]) == 65.0
    assert _number(_rows(before[0].get_data())[0]["value"]) == 60.0


@pytest.mark.parametrize(
    ("as_of", "words"),
    [("2026-13-01", "as_of must be a date"), ("3000-01-01", "cannot be in the future")],
)
def test_a_bad_as_of_is_refused_with_a_message(sign_in_as, session, as_of, words):
    councils, _, _ = _released_network(
        session, [1, 2, 3, 4, 5, 6], published=datetime.now(UTC) - timedelta(days=3)
    )
    response = sign_in_as(Role.STAFF, councils[0]).get(
        f"/compare/export/where-we-stand.csv?as_of={as_of}"
    )
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)


def _events(session, action: str) -> list[AuditEvent]:
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def test_every_export_is_audited_and_a_grant_end_stops_exports(sign_in_as, session):
    councils, indicator, _ = _released_network(
        session, [100, 200, 300, 400, 500, 600], published=datetime.now(UTC) - timedelta(days=3)
    )
    subject = councils[5]
    inspector = sign_in_as(Role.INSPECTOR)
    now = datetime.now(UTC)
    grant = InspectorGrant(
        inspector_id=inspector.user.id, authority_id=subject.id,
        starts_at=now - timedelta(days=1), expires_at=now + timedelta(days=30),
    )  # fmt: skip
    session.add(grant)
    session.commit()
    grant_id = grant.id
    path = f"/compare/export/where-we-stand.csv?group=type&authority={subject.gss_code}"
    response = inspector.get(path)
    assert response.status_code == 200
    # The granted authority is named to its inspector, in the file name too.
    assert subject.gss_code.lower() in response.headers["Content-Disposition"]
    exports = _events(session, "export_downloaded")
    assert len(exports) == 1 and len(_events(session, "grant_used")) == 1
    assert exports[0].authority_id == subject.id
    assert exports[0].actor_id == inspector.user.id
    assert exports[0].details["file"] == "where-we-stand"
    assert exports[0].details["grant"] == grant_id
    session.get(InspectorGrant, grant_id).revoked_at = datetime.now(UTC)
    session.commit()
    assert inspector.get(path).status_code == 404
    assert len(_events(session, "export_downloaded")) == 1
    # Staff: their own authority's exports are audited too.
    staff = sign_in_as(Role.STAFF, councils[0])
    assert staff.get(f"/compare/export/indicators/{indicator.code}.csv").status_code == 200
    assert _events(session, "export_downloaded")[-1].authority_id == councils[0].id


def test_the_network_exports_list_what_the_network_pages_list(sign_in_as, session):
    councils, indicator, period = _released_network(
        session, [100, 200, 300, 400, 500, 3], published=datetime.now(UTC) - timedelta(days=3)
    )
    inspector = sign_in_as(Role.INSPECTOR)
    figures = inspector.get("/compare/network/export/figures.csv")
    spread = inspector.get("/compare/network/export/spread.csv")
    assert figures.status_code == spread.status_code == 200
    rows = _rows(figures.get_data())
    assert [row["indicator_code"] for row in rows] == [indicator.code] * 6
    values = [_number(row["value"]) for row in rows if row["value"]]
    assert values == [10.0, 20.0, 30.0, 40.0, 50.0]  # ordered by value, to 1 decimal
    small = [row for row in rows if not row["value"]]
    assert [(row["count"], row["suppression_reason"]) for row in small] == [("<5", "c")]
    text = figures.get_data(as_text=True) + spread.get_data(as_text=True)
    assert all(council.name not in text and council.gss_code not in text for council in councils)
    (spread_row,) = _rows(spread.get_data())
    assert spread_row["councils_contributing"] == "5" and spread_row["councils_small_count"] == "1"
    # An authority's users have no network view, and so no network export.
    assert (
        sign_in_as(Role.ANALYST, councils[0]).get("/compare/network/export/figures.csv").status_code
        == 403
    )


def test_a_formula_in_an_issue_title_is_written_as_text(sign_in_as, session):
    councils, _, _ = _released_network(
        session, [1, 2, 3, 4, 5, 6], published=datetime.now(UTC) - timedelta(days=3)
    )
    factories.issue_type(title='=HYPERLINK("http://evil.example","Click")')
    body = sign_in_as(Role.STAFF, councils[0]).get("/compare/export/norm-or-exception.csv")
    (row,) = _rows(body.get_data())
    assert row["issue_title"] == '\'=HYPERLINK("http://evil.example","Click")'


def test_download_links_sit_beside_their_tables_and_work(sign_in_as, session):
    councils, indicator, _ = _released_network(
        session, [100, 200, 300, 400, 500, 600], published=datetime.now(UTC) - timedelta(days=3)
    )
    staff = sign_in_as(Role.STAFF, councils[0])
    for page, export in (
        ("/compare/?group=type", "/compare/export/where-we-stand.csv?"),
        ("/compare/?group=type", "/compare/export/trends.csv?"),
        ("/compare/norms?group=type", "/compare/export/norm-or-exception.csv?"),
        (
            f"/compare/indicators/{indicator.code}?group=type",
            f"/compare/export/indicators/{indicator.code}.csv?",
        ),
    ):
        html = staff.get(page).get_data(as_text=True)
        start = html.index(f'href="{export}')
        href = html[start + 6 : html.index('"', start + 6)].replace("&amp;", "&")
        assert "group=type" in href and "period=2023-24" in href
        response = staff.get(href)
        assert response.status_code == 200 and response.mimetype == "text/csv"
    inspector = sign_in_as(Role.INSPECTOR)
    network = inspector.get("/compare/network/").get_data(as_text=True)
    assert 'href="/compare/network/export/spread.csv"' in network
    assert 'href="/compare/network/export/figures.csv"' in network


def test_the_limits_in_an_indicator_file_agree_with_its_classification(demo):
    """Your row's funnel limits are the page's funnel (widened where the engine widened
    it), so your figure sits inside or outside them as the classification says."""
    client = demo.test_client()
    sign_in(client, "analyst@e10000017.demo.example", PASSWORD)
    standing = _rows(client.get("/compare/export/where-we-stand.csv?group=neighbours").get_data())
    checked = 0
    for row in standing:
        if not row["method"].startswith("funnel") or not row["value"]:
            continue
        code = row["indicator_code"]
        (own, *_) = _rows(
            client.get(f"/compare/export/indicators/{code}.csv?group=neighbours").get_data()
        )
        if not own["limit_lower_95"]:
            continue
        value = float(own["value"])
        lower95, upper95 = float(own["limit_lower_95"]), float(own["limit_upper_95"])
        lower998, upper998 = float(own["limit_lower_998"]), float(own["limit_upper_998"])
        edges = (lower95, upper95, lower998, upper998)
        if any(abs(value - edge) <= 0.002 * max(abs(edge), 1) for edge in edges):
            continue  # the limits are drawn from the pooled value as shown, rounded
        expected = (
            "norm"
            if lower95 <= value <= upper95
            else "possible_exception"
            if lower998 <= value <= upper998
            else "exception"
        )
        assert own["classification"] == expected, (code, own)
        checked += 1
    assert checked >= 3


def test_the_methods_page_explains_downloads(sign_in_as, session):
    text = sign_in_as(Role.STAFF, factories.authority()).get("/methods").get_data(as_text=True)
    assert 'id="exports"' in text and "suppression_reason" in text and "as_of=" in text
