"""Norm or exception? leads on: each issue's evidence links to its indicator's page (same
group, period and, for an inspector, authority), and the peers open to contact link to
asking them (authority admins) or say who can (everyone else)."""

import html
import re

from bench.models import FlagStatus, Role, UnitKind
from tests import factories
from tests.pages import check_page, text_of


def _network(session):
    """Eleven county councils; ten peers report the issue, all resolved and open to
    contact; the issue is measured by one indicator."""
    indicator = factories.indicator(
        title="Cost per week", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False
    )
    period = factories.period("2022-23")
    councils = [factories.authority(type="county") for _ in range(11)]
    for number, council in enumerate(councils):
        factories.value(council, indicator, period, value=float(10 + number))
    issue = factories.issue_type(title="Slow direct-payments take-up", indicators=[indicator])
    viewer, peers = councils[0], councils[1:]
    factories.flag(viewer, issue)
    for peer in peers:
        factories.flag(peer, issue, status=FlagStatus.RESOLVED, open_to_contact=True)
    return viewer, indicator, issue


def _card(response, title):
    body = response.get_data(as_text=True)
    start = body.index(f">{title}<")
    ends = [body.find(mark, start) for mark in ('<div class="govuk-summary-card">', "<h2")]
    return body[start : min(end for end in ends if end > 0)]


def _hrefs(fragment):
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', fragment)]


def test_evidence_links_to_the_indicator_page_of_the_same_group_and_period(sign_in_as, session):
    viewer, indicator, issue = _network(session)
    client = sign_in_as(Role.ANALYST, viewer)
    response = client.get("/compare/norms?group=type&period=2022-23")
    check_page(response)
    card = _card(response, issue.title)
    link = f"/compare/indicators/{indicator.code}?group=type&period=2022-23"
    assert link in _hrefs(card)
    assert client.get(link).status_code == 200


def test_peers_open_to_contact_link_to_asking_them(sign_in_as, session):
    viewer, _, issue = _network(session)
    admin = sign_in_as(Role.AUTHORITY_ADMIN, viewer)
    card = _card(admin.get("/compare/norms?group=type"), issue.title)
    sentence = card.split("are open to contact.")[1].split("</p>")[0]
    assert _hrefs(sentence) == [f"/allies/ask/{issue.code}"]
    assert _hrefs(card).count(f"/allies/ask/{issue.code}") == 1  # once, where it is said
    assert admin.get(f"/allies/ask/{issue.code}").status_code == 200

    analyst = sign_in_as(Role.ANALYST, viewer)
    response = analyst.get("/compare/norms?group=type")
    text = text_of(response)
    assert "open to contact. Your council's admin can ask them from this page." in text
    assert "/allies/" not in _card(response, issue.title)


def test_an_inspectors_evidence_links_keep_the_granted_authority(sign_in_as, session):
    viewer, indicator, issue = _network(session)
    inspector = sign_in_as(Role.INSPECTOR)
    factories.grant(inspector.user, viewer)
    code = viewer.gss_code
    response = inspector.get(f"/compare/norms?group=type&authority={code}")
    check_page(response)
    card = _card(response, issue.title)
    link = f"/compare/indicators/{indicator.code}?authority={code}&group=type&period=2022-23"
    assert link in _hrefs(card)
    assert inspector.get(link).status_code == 200
