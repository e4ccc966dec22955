"""The demo network: real Oflog figures, a labelled synthetic layer, idempotent loading."""

import csv
import html as html_lib
import re
from pathlib import Path

from sqlalchemy import func, select

import config
from bench.extensions import db
from bench.models import (
    Authority,
    Base,
    Indicator,
    IssueFlag,
    IssueType,
    PeerGroup,
    Period,
    Role,
    User,
    Value,
)
from seed.demo import load_demo
from tests.conftest import DEMO_PASSWORD
from tests.pages import check_page, sign_in, text_of

OFLOG = Path(__file__).resolve().parents[2] / "seed" / "data" / "oflog-asc" / "values.csv"


def _row_counts(session):
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
        if table.name != "audit_events"
    }


def test_demo_network_loads_once_and_signs_in(app_context, session):
    report = load_demo("bench-demo-password")
    assert report.added["authorities"] == 157
    first = _row_counts(session)

    again = load_demo("bench-demo-password")
    assert not any(again.added.values())
    assert _row_counts(session) == first  # seeding twice changes nothing

    # Real figures arrive unchanged: Lancashire's 2022-23 reablement outcome (ASC5).
    with OFLOG.open(newline="") as handle:
        published = next(
            row
            for row in csv.DictReader(handle)
            if row["gss_code"] == "E10000017"
            and row["measure_code"] == "ASC5"
            and row["financial_year"] == "2022-23"
        )
    lancashire = session.scalars(select(Authority).where(Authority.gss_code == "E10000017")).one()
    stored = session.scalar(
        select(Value.value)
        .join(Indicator, Indicator.id == Value.indicator_id)
        .join(Period, Period.id == Value.period_id)
        .where(
            Value.authority_id == lancashire.id,
            Indicator.code == "ASC5",
            Period.code == "2022-23",
            Value.is_latest,
        )
    )
    assert stored == float(published["value"])

    # Every current council has the three demo accounts; replaced councils have none.
    accounts = session.scalars(
        select(User.email).where(User.email.like("%@e10000017.demo.example")).order_by(User.email)
    ).all()
    assert accounts == [
        "admin@e10000017.demo.example",
        "analyst@e10000017.demo.example",
        "staff@e10000017.demo.example",
    ]
    assert not session.scalars(select(User).where(User.email.like("%e06000028%"))).all()
    network_wide = session.scalars(select(User.role).where(User.authority_id.is_(None)))
    assert sorted(network_wide) == sorted([Role.INSPECTOR, Role.NETWORK_ADMIN])

    # Synthetic layer: labelled, with counts, and slow direct payments reported by most.
    synthetic = session.scalars(select(Indicator).where(Indicator.is_synthetic)).all()
    assert synthetic and all("Synthetic" in indicator.source for indicator in synthetic)
    assert any(indicator.has_counts for indicator in synthetic)
    reported = session.scalar(
        select(func.count())
        .select_from(IssueFlag)
        .where(
            IssueFlag.answer == "reported", IssueFlag.issue_type.has(code="slow-direct-payments")
        )
    )
    assert reported > 152 / 2
    assert session.scalar(select(func.count()).select_from(PeerGroup)) == 152

    # The README's walkthrough: Lancashire's analyst sees Lancashire's figures.
    client = app_context.test_client()
    response = sign_in(client, "analyst@e10000017.demo.example", "bench-demo-password")
    assert response.status_code == 302
    home = client.get("/")
    check_page(home)
    text = text_of(home)
    assert "Lancashire" in text
    assert f"{float(published['value']):.1f}%" in text
    assert "Demo data" in text
    assert "Source: Oflog" in text


def test_seeding_is_refused_in_production(app_context):
    assert config.ProductionConfig.SEED_ALLOWED is False
    app_context.config["SEED_ALLOWED"] = False
    try:
        result = app_context.test_cli_runner().invoke(args=["seed", "demo"])
    finally:
        app_context.config["SEED_ALLOWED"] = True
    assert result.exit_code != 0
    assert "refused in production" in result.output


def _tried_cards(html: str) -> dict[str, list[str]]:
    """Each known-issue card on the norms page: its title and what peers have tried."""
    cards = {}
    for chunk in html.split('<h3 class="govuk-summary-card__title">')[1:]:
        title, _, rest = chunk.partition("</h3>")
        card = rest.split('<div class="govuk-summary-card">')[0]
        tried = re.search(r"What peers have tried.*?<ul[^>]*>(.*?)</ul>", card, re.S)
        texts = re.findall(r"<li>(.*?)</li>", tried[1], re.S) if tried else []
        cards[html_lib.unescape(title.strip())] = [html_lib.unescape(t) for t in texts]
    return cards


def test_what_peers_have_tried_fits_each_issue_type(demo):
    """Issue 9: the demo's shared texts were drawn from one list for every issue type (a
    discharge-to-assess pathway under slow direct-payments take-up, three times)."""
    from seed.catalogue import ISSUE_TYPES
    from seed.demo import TRIED_BY_ISSUE_TYPE

    titles = {definition.title: definition.code for definition in ISSUE_TYPES}
    client = demo.test_client()
    assert sign_in(client, "analyst@e10000017.demo.example", DEMO_PASSWORD).status_code == 302
    first = client.get("/compare/norms").get_data(as_text=True)
    groups = re.findall(
        r'<option value="([^"]+)"', first.split('id="group"')[1].split("</select>")[0]
    )
    assert len(groups) >= 3
    shown = 0
    for group in groups:
        response = client.get(f"/compare/norms?group={group}")
        assert response.status_code == 200
        for title, texts in _tried_cards(response.get_data(as_text=True)).items():
            own = TRIED_BY_ISSUE_TYPE[titles[title]]
            assert sorted(set(texts)) == sorted(texts), (group, title, texts)
            assert set(texts) <= set(own), (group, title, set(texts) - set(own))
            shown += len(texts)
    assert shown > 0

    # Every shared text in the network is its issue type's own, and none is shared twice
    # for one issue type: no group, however drawn, shows the same text twice.
    shared = db.session.execute(
        select(IssueType.code, IssueFlag.tried)
        .join(IssueType, IssueType.id == IssueFlag.issue_type_id)
        .where(IssueFlag.share_tried.is_(True), IssueFlag.tried != "")
        .order_by(IssueType.code, IssueFlag.tried)
    ).all()
    assert len({code for code, _ in shared}) == len(ISSUE_TYPES)
    for code, text in shared:
        assert text in TRIED_BY_ISSUE_TYPE[code], (code, text)
    assert len(set(shared)) == len(shared)


def test_the_demo_alliances_show_each_sides_contact_email(demo):
    """An alliance is two councils agreeing to meet: the demo's showed names and no email,
    on either side, so there was nobody to write to."""
    from seed.demo import DEMO_AUTHORITY_WITH_VISITS, demo_email

    client = demo.test_client()
    email = demo_email("admin", DEMO_AUTHORITY_WITH_VISITS)
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    index = client.get("/allies/").get_data(as_text=True)
    links = sorted(set(re.findall(r'href="(/allies/[A-Za-z0-9_-]{8,})"', index)))
    assert links, "the demo council has no alliance"
    for link in links:
        page = client.get(link)
        check_page(page)
        text = text_of(page)
        assert "review.manager@e10000017.demo.example" in text  # ours
        theirs = r"Their contact Lead \(demo\), direct\.payments\.lead@e\d+\.demo\.example"
        assert re.search(theirs, text), text
