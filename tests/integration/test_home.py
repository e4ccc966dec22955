"""The home page: what needs attention, each line linking to its page and naming its one
comparator; then own latest figures beside the national median and quartile."""

import html
import re
from datetime import UTC, date, datetime, timedelta

from bench.models import (
    AuthorityType,
    IssueTypeStatus,
    KeyArea,
    QueryReason,
    Role,
    UnitKind,
    ValueQuery,
)
from tests import factories, factories_actions, factories_staffviews
from tests.pages import check_page, squash, text_of


def _network(session, own_value, others, own=None, **indicator_fields):
    indicator = factories.indicator(
        title="Direct payments take-up",
        unit_kind=UnitKind.PROPORTION,
        multiplier=100,
        has_counts=False,
        decimals=1,
        **indicator_fields,
    )
    period = factories.period("2022-23")
    own = own or factories.authority(name="Ownshire")
    factories.value(own, indicator, period, value=own_value)
    for number, figure in enumerate(others):
        peer = factories.authority(name=f"Peershire {number}")
        factories.value(peer, indicator, period, value=figure)
    return own, indicator, period


def test_home_shows_own_value_national_median_and_quartile(app_context, sign_in_as, session):
    # Values 10, 20, ..., 80 with own 80: median 45, quartiles 27.5 and 62.5 (type 7,
    # as Excel's QUARTILE.INC), and 80 is in the highest quarter.
    own, _, _ = _network(session, 80.0, [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0])
    client = sign_in_as(Role.ANALYST, own)
    response = client.get("/")
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    assert "Ownshire" in text
    assert "Direct payments take-up" in text
    assert "80.0%" in text
    assert "45.0%" in text
    assert "27.5% to 62.5%" in text
    assert "Highest quarter (among the best)" in text
    assert "8 councils" in text


def test_home_never_names_other_authorities(app_context, sign_in_as, session):
    own, _, _ = _network(session, 30.0, [10.0, 20.0, 40.0, 50.0, 60.0, 70.0])
    text = text_of(sign_in_as(Role.STAFF, own).get("/"))
    assert "Peershire" not in text


def test_no_statistic_from_fewer_than_k_peers(app_context, sign_in_as, session):
    # k = 5 by default; four peers plus the viewer must not give a median.
    own, _, _ = _network(session, 30.0, [10.0, 20.0, 40.0, 50.0])
    text = text_of(sign_in_as(Role.ANALYST, own).get("/"))
    assert "fewer than 5 other councils" in text
    assert "30.0%" in text  # own figure still shown
    assert "%" not in text.split("30.0%")[1].split("Not shown")[0]


def test_five_peers_are_enough(app_context, sign_in_as, session):
    own, _, _ = _network(session, 30.0, [10.0, 20.0, 40.0, 50.0, 60.0])
    text = text_of(sign_in_as(Role.ANALYST, own).get("/"))
    assert "35.0%" in text  # median of 10, 20, 30, 40, 50, 60


def test_unreleased_period_shows_own_value_only(app_context, sign_in_as, session):
    indicator = factories.indicator(title="Vacancy rate", has_counts=False)
    period = factories.period("2024-25", released_at=datetime.now(UTC) + timedelta(days=30))
    own = factories.authority(name="Ownshire")
    factories.value(own, indicator, period, value=12.0)
    for number in range(6):
        peer = factories.authority()
        factories.value(peer, indicator, period, value=10.0 + number)
    text = text_of(sign_in_as(Role.ANALYST, own).get("/"))
    assert "12.0%" in text
    assert "not released yet" in text
    assert "12.5%" not in text  # the peers' median


def test_indicators_are_grouped_by_key_area(app_context, sign_in_as, session):
    own, _, _ = _network(
        session, 30.0, [10.0, 20.0, 40.0, 50.0, 60.0], key_area=KeyArea.STAFF_ACCEPTANCE
    )
    text = text_of(sign_in_as(Role.ANALYST, own).get("/"))
    assert "Staff acceptance" in text


def test_counts_shown_with_their_value(app_context, sign_in_as, session):
    indicator = factories.indicator(title="Direct payments", has_counts=True)
    period = factories.period("2022-23")
    own = factories.authority()
    factories.value(own, indicator, period, numerator=1890, denominator=10796)
    text = text_of(sign_in_as(Role.ANALYST, own).get("/"))
    assert "17.5%" in text and "1,890 of 10,796" in text


def test_home_for_inspector_and_network_admin(app_context, sign_in_as, session):
    inspector = sign_in_as(Role.INSPECTOR)
    check_page(inspector.get("/"))
    assert "no grants" in text_of(inspector.get("/"))
    network_admin = sign_in_as(Role.NETWORK_ADMIN)
    check_page(network_admin.get("/"))
    assert "You do not see any authority's figures" in text_of(network_admin.get("/"))


def test_a_peers_fresh_correction_waits_for_the_release_round(app_context, sign_in_as, session):
    # A peer's 70 is corrected to 1 after the release; until the next round peers' medians
    # still use 70, while the corrector sees its own new figure.
    own, indicator, period = _network(session, 30.0, [10.0, 20.0, 40.0, 50.0, 60.0])
    peer = factories.authority(name="Correctorshire")
    old = factories.value(peer, indicator, period, value=70.0)
    old.is_latest = False
    session.commit()
    factories.value(
        peer, indicator, period, value=1.0, revision=2,
        visible_from=datetime.now(UTC) + timedelta(days=10),
    )  # fmt: skip
    text = text_of(sign_in_as(Role.ANALYST, own).get("/"))
    assert "40.0%" in text  # median of 10, 20, 30, 40, 50, 60, 70: the old revision counts
    corrector = text_of(sign_in_as(Role.ANALYST, peer).get("/"))
    assert "1.0%" in corrector


# --- what needs attention ---------------------------------------------------------------


def _attention(response):
    """The attention section's links, as (text, href) in page order, and its text."""
    body = response.get_data(as_text=True)
    section = re.search(r'<section[^>]*id="attention".*?</section>', body, re.S).group(0)
    links = [
        (squash(html.unescape(re.sub(r"<[^>]+>", " ", text))), html.unescape(href))
        for href, text in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', section, re.S)
    ]
    return links, squash(html.unescape(re.sub(r"<[^>]+>", " ", section)))


def _cost_network(own_value, *, counties=(), unitaries=()):
    """A higher-is-better indicator: the viewer and *counties* are county councils (one
    group), *unitaries* another type; all of them are "all councils" (England)."""
    indicator = factories.indicator(
        title="Cost per week", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False,
        decimals=0,
    )  # fmt: skip
    period = factories.period("2022-23")
    own = factories.authority(name="Ownshire", type=AuthorityType.COUNTY)
    factories.value(own, indicator, period, value=float(own_value))
    for kind, figures in ((AuthorityType.COUNTY, counties), (AuthorityType.UNITARY, unitaries)):
        for figure in figures:
            peer = factories.authority(name=f"Peershire {kind} {figure}", type=kind)
            factories.value(peer, indicator, period, value=float(figure))
    return own, indicator, period


def test_nothing_needs_attention(app_context, sign_in_as, session):
    own, _, _ = _network(session, 30.0, [10.0, 20.0, 40.0, 50.0, 60.0])
    response = sign_in_as(Role.AUTHORITY_ADMIN, own).get("/")
    check_page(response)
    links, text = _attention(response)
    assert 'id="attention-counts"' not in response.get_data(as_text=True)
    # Only the comparator, said out loud, with the page that shows it.
    (where,) = links
    assert where[0].startswith("See where you stand against ")
    assert where[1].startswith("/compare/?group=")
    assert "Nothing needs your attention today. No figure is worse than " in text


def test_an_exception_against_the_default_group_links_to_its_indicator_page(
    app_context, sign_in_as, session
):
    # Eight councils of one type: the viewer's 5 is far below the others' 100 to 106.
    own, indicator, _ = _cost_network(5, counties=range(100, 107))
    client = sign_in_as(Role.STAFF, own)
    response = client.get("/")
    check_page(response)
    links, text = _attention(response)
    first_text, first_href = links[0]
    assert first_text.startswith("1 figure worse than ")
    comparator = first_text.removeprefix("1 figure worse than ")
    assert "figure worse than England" not in text
    assert "No figure is worse than" not in text
    line = next(href for words, href in links if words == "Cost per week")
    assert line.startswith(f"/compare/indicators/{indicator.code}?")
    assert "period=2022-23" in line
    group = re.search(r"group=([^&]+)", line).group(1)
    assert f"an exception, worse than {comparator}: £5 against their median of £102" in text
    # The page it links to names the same group and says the same.
    indicator_page = text_of(client.get(line))
    assert "An exception: worse" in indicator_page
    assert first_href == f"/compare/?group={group}&period=2022-23"
    where = text_of(client.get(first_href))
    assert "An exception: worse" in where


def test_worse_than_england_like_most_peers(app_context, sign_in_as, session):
    # Counties (the viewer and six peers) around 50; fourteen unitaries around 100: against
    # all councils every county is significantly worse, and so is the viewer.
    own, indicator, _ = _cost_network(51, counties=range(50, 56), unitaries=range(100, 114))
    client = sign_in_as(Role.ANALYST, own)
    response = client.get("/")
    check_page(response)
    links, text = _attention(response)
    counts = [words for words, _ in links if words[0].isdigit()]
    assert any("worse than England, like most of" in words for words in counts), counts
    # Every peer is worse: the same set, so the same noise on both counts (Anonymity 11).
    said = r"worse than England, as are about (\d+) of councils of the same type \(\1 with a"
    assert re.search(said, text), text
    line = next(href for words, href in links if words == "Cost per week" and "group=all" in href)
    assert line.startswith(f"/compare/indicators/{indicator.code}?")
    indicator_page = text_of(client.get(line))
    assert "All councils" in indicator_page and "exception: worse" in indicator_page


def _query(own, indicator, period):
    value = factories.value(own, indicator, period, value=123.0)
    query = ValueQuery(
        value_id=value.id, authority_id=own.id, reason=QueryReason.FAR_FROM_PEERS,
        detail="Far from other councils' figures",
    )  # fmt: skip
    factories.db.session.add(query)
    factories.db.session.commit()
    return query


def test_open_queries_link_to_their_answer(app_context, sign_in_as, session):
    own = factories.authority(name="Ownshire")
    indicator = factories.indicator(title="Vacancy rate", has_counts=False)
    query = _query(own, indicator, factories.period("2023-24", released=False))
    links, text = _attention(sign_in_as(Role.ANALYST, own).get("/"))
    assert ("1 open query on your figures", "/publish/queries") in links
    assert ("Vacancy rate", f"/publish/queries#response_{query.id}") in links
    assert "2023-24: 123.0% was queried" in text
    # Staff cannot answer queries: not theirs to see here.
    staff_links, _ = _attention(sign_in_as(Role.STAFF, own).get("/"))
    assert all("/publish/" not in href for _, href in staff_links)


def test_unanswered_known_issues_link_to_answering(app_context, sign_in_as, session):
    own = factories.authority()
    unanswered = factories.issue_type(title="Reablement capacity")
    answered = factories.issue_type(title="Delayed hospital discharges")
    factories.issue_type(title="Still a proposal", status=IssueTypeStatus.PROPOSED)
    factories.flag(own, answered)
    _network(session, 30.0, [10.0, 20.0, 40.0, 50.0, 60.0], own=own)
    links, text = _attention(sign_in_as(Role.ANALYST, own).get("/"))
    assert ("1 known issue not answered yet", "/issues/") in links
    assert "No figure is worse than " in text  # the norm, said out loud beside the rest
    assert ("Reablement capacity", f"/issues/{unanswered.code}/answer") in links
    assert "Delayed hospital discharges" not in text and "Still a proposal" not in text


def test_overdue_actions_link_to_each_action(app_context, sign_in_as, session):
    own = factories.authority()
    today = factories_actions.london_today()
    late = factories_actions.action(
        own, description="Publish waiting times", due_on=today - timedelta(days=3)
    )
    factories_actions.action(own, description="Not due yet", due_on=today + timedelta(days=3))
    links, text = _attention(sign_in_as(Role.STAFF, own).get("/"))
    assert ("1 overdue action", "/actions/") in links
    assert ("Publish waiting times", f"/actions/{late.public_id}") in links
    assert f"due {today - timedelta(days=3):%-d %B %Y}, owned by Pat Owner" in text
    assert "Not due yet" not in text


def test_pending_ally_requests_for_admins_only(app_context, sign_in_as, session):
    own, asker = factories.authority(), factories.authority(name="Askershire")
    factories.ally_request(asker, own, factories.issue_type(title="Reablement capacity"))
    admin_links, text = _attention(sign_in_as(Role.AUTHORITY_ADMIN, own).get("/"))
    assert ("1 ally request waiting for your answer", "/allies/") in admin_links
    assert "Askershire" not in text
    analyst_links, _ = _attention(sign_in_as(Role.ANALYST, own).get("/"))
    assert all(href != "/allies/" for _, href in analyst_links)


def test_staff_views_waiting_for_the_team(app_context, sign_in_as, session):
    own = factories.authority()
    author = factories.user(Role.STAFF, own, name="Named Author")
    factories_staffviews.staff_view(own, author=author)  # named: the team sees it at once
    links, _ = _attention(sign_in_as(Role.AUTHORITY_ADMIN, own).get("/"))
    assert ("1 staff view waiting for a response", "/staff-views/team") in links
    # Staff on no review team have nothing to respond to.
    staff_links, _ = _attention(sign_in_as(Role.STAFF, own).get("/"))
    assert all("/staff-views/" not in href for _, href in staff_links)


def test_another_authoritys_items_never_appear(app_context, sign_in_as, session):
    own, other = factories.authority(), factories.authority(name="Othershire")
    issue = factories.issue_type(title="Reablement capacity")
    factories.flag(own, issue)
    indicator = factories.indicator(title="Vacancy rate", has_counts=False)
    _query(other, indicator, factories.period("2023-24", released=False))
    factories_actions.action(
        other, description="Their late action", due_on=date.today() - timedelta(days=9)
    )
    factories.ally_request(own, other, issue)
    factories_staffviews.staff_view(other, author=factories.user(Role.STAFF, other))
    for role in (Role.STAFF, Role.ANALYST, Role.AUTHORITY_ADMIN):
        response = sign_in_as(role, own).get("/")
        links, text = _attention(response)
        assert 'id="attention-counts"' not in response.get_data(as_text=True), role
        assert [href for _, href in links if not href.startswith("/compare/?")] == [], role
        assert "Nothing needs your attention today" in text
        assert "Othershire" not in text_of(response) and "Their late action" not in text
    # ... while the other authority's admin sees every one of them.
    links, _ = _attention(sign_in_as(Role.AUTHORITY_ADMIN, other).get("/"))
    hrefs = {href for _, href in links}
    assert {"/publish/queries", "/actions/", "/allies/", "/staff-views/team"} <= hrefs


def test_national_figures_name_their_comparator_and_link_to_the_indicator(
    app_context, sign_in_as, session
):
    own, indicator, _ = _network(session, 30.0, [10.0, 20.0, 40.0, 50.0, 60.0])
    response = sign_in_as(Role.ANALYST, own).get("/")
    text = text_of(response)
    assert "Your latest figures beside all councils in England" in text
    assert "A quarter is a position, not a judgement" in text
    body = response.get_data(as_text=True)
    assert f'href="/compare/indicators/{indicator.code}?group=all&amp;period=2022-23"' in body


def test_unreleased_figures_do_not_link_to_a_page_without_them(app_context, sign_in_as, session):
    indicator = factories.indicator(title="Vacancy rate", has_counts=False)
    period = factories.period("2024-25", released_at=datetime.now(UTC) + timedelta(days=30))
    own = factories.authority()
    factories.value(own, indicator, period, value=12.0)
    body = sign_in_as(Role.ANALYST, own).get("/").get_data(as_text=True)
    assert f"/compare/indicators/{indicator.code}" not in body


def test_network_admin_home_links_to_what_waits(app_context, sign_in_as, session):
    factories.issue_type(title="Proposed by a council", status=IssueTypeStatus.PROPOSED)
    response = sign_in_as(Role.NETWORK_ADMIN).get("/")
    check_page(response)
    body = response.get_data(as_text=True)
    assert "1 proposed issue type waiting for your decision" in text_of(response)
    for path in ("/admin/issue-types/", "/users/", "/admin/indicators/", "/admin/periods/",
                 "/admin/audit/", "/admin/peer-groups/"):  # fmt: skip
        assert f'href="{path}"' in body, path


def test_inspector_home_links_to_grants(app_context, sign_in_as, session):
    inspector = sign_in_as(Role.INSPECTOR)
    factories.grant(inspector.user, factories.authority(name="Grantshire"))
    response = inspector.get("/")
    check_page(response)
    body = response.get_data(as_text=True)
    assert "1 current grant" in text_of(response)
    assert 'href="/grants/yours"' in body
