"""Built Where we stand pages are kept per authority (bench.compare.service.PAGES): the
same for every user of one authority, never another authority's, never stale.

Keeping them halves a comparison page's time; these tests hold what the cache must never
do: show one council another's page (its own figures are the viewer's own, and an
inspector's named page is theirs), miss the authority's own correction waiting for its
release round (peers' results stay cached then), or keep what a writing request built.
"""

import re
from dataclasses import fields
from datetime import timedelta

from flask import template_rendered
from sqlalchemy import update

from bench import series
from bench.alerts import queries as alerts_queries
from bench.alerts import service as alerts_service
from bench.compare import indicator as indicator_module
from bench.compare import norms, queries, service
from bench.home import service as home_service
from bench.kept import request_memo
from bench.models import Indicator, Notification, Role, UnitKind, Value, utcnow
from tests import factories
from tests.pages import post_form, text_of

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _network(session):
    indicator = factories.indicator(
        title="Cost per week", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False,
        decimals=0,
    )  # fmt: skip
    period = factories.period("2022-23")
    councils = [factories.authority(name=f"Council {n}", type="county") for n in range(7)]
    for n, council in enumerate(councils):
        factories.value(council, indicator, period, value=float(101 + 7 * n))
    session.commit()
    return councils, indicator, period


def _correct_own_figure(session, council, indicator, period) -> None:
    """The council corrects its figure to 555: a new revision, which peers see at the next
    release round (the council itself at once)."""
    later_round = (utcnow().replace(day=1) + timedelta(days=32)).replace(day=1)
    current = session.query(Value).filter_by(authority_id=council.id).one()
    current.is_latest = False
    session.commit()
    factories.value(council, indicator, period, value=555.0, revision=2, visible_from=later_round)


def _builds(monkeypatch) -> list[int]:
    built: list[int] = []
    original = service._where_we_stand

    def counting(view, *arguments, **keywords):
        built.append(view.authority_id)
        return original(view, *arguments, **keywords)

    monkeypatch.setattr(service, "_where_we_stand", counting)
    return built


def test_an_authoritys_users_share_its_page_and_no_other_council_gets_it(
    app_context, sign_in_as, session, monkeypatch
):
    councils, _, _ = _network(session)
    built = _builds(monkeypatch)
    first = sign_in_as(Role.STAFF, councils[0])
    colleague = sign_in_as(Role.ANALYST, councils[0])
    other = sign_in_as(Role.STAFF, councils[6])
    assert "101" in text_of(first.get("/compare/?group=type"))
    assert "101" in text_of(colleague.get("/compare/?group=type"))
    assert built == [councils[0].id]  # the colleague's page came from the cache
    text = text_of(other.get("/compare/?group=type"))
    assert "143" in text and "Council 0" not in text  # its own figure, not council 0's
    assert built == [councils[0].id, councils[6].id]


def test_an_own_correction_waiting_for_its_round_shows_at_once(app_context, sign_in_as, session):
    councils, indicator, period = _network(session)
    client = sign_in_as(Role.STAFF, councils[0])
    assert "101" in text_of(client.get("/compare/?group=type"))
    _correct_own_figure(session, councils[0], indicator, period)
    text = text_of(client.get("/compare/?group=type"))
    assert "555" in text


def test_a_writing_request_keeps_no_page(app_context, session):
    """A page built while a request writes may show what it has not committed (and may
    roll back): it is never kept for others."""
    councils, _, _ = _network(session)
    user = factories.user(Role.STAFF, councils[0])
    with app_context.test_request_context("/", method="POST"):
        service.where_we_stand(service.viewing(user), None, None)
    assert len(service.PAGES._items) == 0
    with app_context.test_request_context("/"):
        service.where_we_stand(service.viewing(user), None, None)
    assert len(service.PAGES._items) == 1


def test_two_councils_with_no_figures_of_their_own_get_their_own_groups(
    app_context, sign_in_as, session
):
    """Nothing of their own to tell the pages apart but who they are: a county's page is
    against the counties, a unitary's against the unitaries."""
    councils, indicator, period = _network(session)  # seven counties with figures
    for n in range(5):
        unitary = factories.authority(name=f"Unitary {n}", type="unitary")
        factories.value(unitary, indicator, period, value=float(300 + n))
    county = factories.authority(name="Quiet county", type="county")
    unitary = factories.authority(name="Quiet unitary", type="unitary")
    session.commit()
    assert "7 peer councils" in text_of(sign_in_as(Role.STAFF, county).get("/compare/?group=type"))
    assert "5 peer councils" in text_of(sign_in_as(Role.STAFF, unitary).get("/compare/?group=type"))


def test_an_indicator_edited_in_the_catalogue_shows_at_once(app_context, sign_in_as, session):
    """A title (or a polarity, or decimals) edited adds no row: the pages still change."""
    councils, indicator, _ = _network(session)
    client = sign_in_as(Role.STAFF, councils[0])
    assert "Cost per week" in text_of(client.get("/compare/?group=type"))
    session.execute(
        update(Indicator)
        .where(Indicator.id == indicator.id)
        .values(title="Weekly cost of a care home place")
    )
    session.commit()
    assert "Weekly cost of a care home place" in text_of(client.get("/compare/?group=type"))


def test_the_indicator_page_keeps_its_indicator_and_breaks_and_shows_edits_at_once(
    app_context, sign_in_as, session, monkeypatch
):
    """The indicator page reads its indicator and series breaks from what is kept per
    figures version (two queries a page fewer): a title edited, or a series break added,
    shows on the next page all the same."""
    councils, indicator, period = _network(session)
    client = sign_in_as(Role.STAFF, councils[0])
    path = f"/compare/indicators/{indicator.code}?group=type"
    assert "Cost per week" in text_of(client.get(path))
    by_code = _counting(monkeypatch, queries, "indicator_by_code")
    breaks = _counting(monkeypatch, series, "series_breaks")
    assert "Cost per week" in text_of(client.get(path))
    assert by_code == [] and breaks == []  # kept

    later = factories.period("2023-24")
    for n, council in enumerate(councils):
        factories.value(council, indicator, later, value=float(120 + n))
    factories.series_break(indicator, later, reason="The definition changed")
    text = text_of(client.get(path))
    assert "The definition changed from 2023-24: earlier figures are not comparable" in text

    session.execute(
        update(Indicator)
        .where(Indicator.id == indicator.id)
        .values(title="Weekly cost of a care home place")
    )
    session.commit()
    assert "Weekly cost of a care home place" in text_of(client.get(path))
    assert text_of(client.get("/compare/indicators/NO-SUCH")) and by_code == []
    assert client.get("/compare/indicators/NO-SUCH").status_code == 404


# --- what is kept on top of a built page ------------------------------------------------


def _line(standing) -> str:
    """One Where we stand line, comparable across builds (its indicator by id)."""
    return repr(
        {f.name: getattr(standing, f.name) for f in fields(standing) if f.name != "indicator"}
        | {"indicator": standing.indicator.id}
    )


def _counting(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(module, name)

    def counting(*arguments, **keywords):
        calls.append(1)
        return original(*arguments, **keywords)

    monkeypatch.setattr(module, name, counting)
    return calls


def _colleagues_view(app_context, sign_in_as, council):
    """Two staff of *council* open the same Where we stand page in turn: their clients,
    the templates rendered meanwhile (by name) and the two pages' HTML."""
    renders: list[str] = []

    def rendered(sender, template, context, **extra):
        renders.append(template.name)

    first = sign_in_as(Role.STAFF, council)
    colleague = sign_in_as(Role.STAFF, council)
    with template_rendered.connected_to(rendered, app_context):
        pages = tuple(
            client.get("/compare/?group=type").get_data(as_text=True)
            for client in (first, colleague)
        )
    return first, colleague, renders, pages


def test_an_indicator_page_takes_its_line_from_the_whole_page_kept(
    app_context, session, monkeypatch
):
    """The indicator page is one line of Where we stand: it is read off the whole page
    (built once for both, in either order), and it is the line built for the indicator
    alone. Lines are not kept apart: a hundred of them would push the pages out."""
    councils, cost, period = _network(session)
    other = factories.indicator(title="Delayed transfers", decimals=1)
    for n, council in enumerate(councils):
        factories.value(council, other, period, value=float(10 + n))
    session.commit()
    user = factories.user(Role.STAFF, councils[2])
    with app_context.test_request_context("/"):
        view = service.viewing(user)
        alone = service._where_we_stand(view, "type", None, True, cost, keep=False)
    built = _builds(monkeypatch)
    with app_context.test_request_context("/"):
        view = service.viewing(user)
        line = service.where_we_stand(view, "type", None, custom=True, only=cost)
        whole = service.where_we_stand(view, "type", None, custom=True)
        again = service.where_we_stand(view, "type", None, custom=True, only=other)
    assert built == [councils[2].id]
    assert len(whole.standings) == 2 and len(service.PAGES._items) == 1
    assert [s.indicator.id for s in again.standings] == [other.id]
    assert [_line(s) for s in line.standings] == [_line(s) for s in alone.standings]
    assert (line.peer_count, line.group, line.period.code) == (
        alone.peer_count, alone.group, alone.period.code,
    )  # fmt: skip


def test_where_we_stand_tables_are_rendered_once_for_colleagues_and_apart_for_a_follower(
    app_context, sign_in_as, session
):
    """The tables are kept per authority, with each user's follows: a colleague's page
    reuses them; a user who follows an indicator sees their own Unfollow, and no session's
    CSRF token is ever in them (the one token a page has is in its own follow form)."""
    councils, indicator, _ = _network(session)
    first, colleague, renders, (one, two) = _colleagues_view(app_context, sign_in_as, councils[0])
    assert renders.count("compare/_standing.html") == 1
    tokens = [set(CSRF.findall(page)) for page in (one, two)]
    assert tokens[0] and tokens[1] and tokens[0].isdisjoint(tokens[1])

    post_form(
        first, "/alerts/follow", {"indicator": indicator.code, "return_to": "compare"},
        form_page="/compare/?group=type",
    )  # fmt: skip
    assert "Unfollow Cost per week" in text_of(first.get("/compare/?group=type"))
    text = text_of(colleague.get("/compare/?group=type"))
    assert "Follow Cost per week" in text and "Unfollow" not in text
    other = text_of(sign_in_as(Role.STAFF, councils[6]).get("/compare/?group=type"))
    assert "143" in other and "£101" not in other


def test_norm_or_exception_is_kept_per_authority(app_context, sign_in_as, session, monkeypatch):
    councils, _, _ = _network(session)
    built = _counting(monkeypatch, norms, "_norm_or_exception")
    for client in (sign_in_as(Role.STAFF, councils[0]), sign_in_as(Role.ANALYST, councils[0])):
        assert client.get("/compare/norms?group=type").status_code == 200
    assert len(built) == 1
    sign_in_as(Role.STAFF, councils[6]).get("/compare/norms?group=type")
    assert len(built) == 2


def test_home_figures_are_kept_per_authority_and_an_own_correction_shows_at_once(
    app_context, sign_in_as, session, monkeypatch
):
    councils, indicator, period = _network(session)
    built = _counting(monkeypatch, home_service, "_authority_overview")
    client = sign_in_as(Role.STAFF, councils[0])
    assert "£101" in text_of(client.get("/"))
    assert "£101" in text_of(sign_in_as(Role.ANALYST, councils[0]).get("/"))
    assert len(built) == 1
    assert "£143" in text_of(sign_in_as(Role.STAFF, councils[6]).get("/"))
    assert len(built) == 2

    _correct_own_figure(session, councils[0], indicator, period)
    assert "£555" in text_of(client.get("/"))


def test_the_header_is_rendered_once_for_one_role_and_page_and_keeps_each_users_count(
    app_context, sign_in_as, session
):
    """The header's sections are kept per role, authority, page and counts: colleagues
    share them, a user's own unread count shows at once, and a user of another role or
    council gets their own sections."""
    councils, _, _ = _network(session)
    first, colleague, renders, _ = _colleagues_view(app_context, sign_in_as, councils[0])
    assert renders.count("_service_navigation.html") == 1

    session.add(Notification(user_id=first.user.id, kind="release", subject="s", body="b"))
    session.commit()
    assert "Notifications (1)" in text_of(first.get("/compare/?group=type"))
    assert "Notifications (0)" in text_of(colleague.get("/compare/?group=type"))
    admin = text_of(sign_in_as(Role.AUTHORITY_ADMIN, councils[0]).get("/compare/?group=type"))
    assert "Users" in admin and "Allies (0)" in admin
    other = text_of(sign_in_as(Role.STAFF, councils[6]).get("/compare/?group=type"))
    assert "Council 6" in other and "Council 0" not in other


def test_the_headers_count_is_read_with_the_session_and_again_after_a_write(
    app_context, sign_in_as, session, monkeypatch
):
    """ "Notifications (n)" is counted in the query that finds the session (one round trip
    a page fewer); a request that writes, which may have marked some read, counts again."""
    councils, _, _ = _network(session)
    client = sign_in_as(Role.STAFF, councils[0])
    client.get("/compare/?group=type")
    for subject in ("one", "two"):
        session.add(Notification(user_id=client.user.id, kind="release", subject=subject, body="b"))
    session.commit()
    counted = _counting(monkeypatch, alerts_queries, "unread_count")
    assert "Notifications (2)" in text_of(client.get("/compare/?group=type"))
    assert counted == []  # read with the session

    with app_context.test_request_context("/"):
        user = session.get(type(client.user), client.user.id)
        request_memo(alerts_queries.UNREAD)[user.id] = 2  # as the session's query left it
        alerts_queries.mark_read(user.id, utcnow())  # the request writes
        assert alerts_service.unread_count(user) == 0
    assert counted == [1]
    assert "Notifications (0)" in text_of(client.get("/compare/?group=type"))


def test_each_comparison_page_reads_the_data_state_once(
    app_context, sign_in_as, session, monkeypatch
):
    """A page reads the data state (and the viewer's own newest revision with it) in one
    query, even when what it reads first does not need the viewer's own figures (the
    indicator page's kept catalogue)."""
    councils, indicator, _ = _network(session)
    client = sign_in_as(Role.STAFF, councils[0])
    paths = [
        "/", "/compare/?group=type", f"/compare/indicators/{indicator.code}?group=type",
        "/compare/norms?group=type",
    ]  # fmt: skip
    for path in paths:
        assert client.get(path).status_code == 200  # built and kept
    read = _counting(monkeypatch, queries, "data_state")
    for path in paths:
        read.clear()
        assert client.get(path).status_code == 200
        assert read == [1], path


def test_an_indicator_pages_peers_are_kept_per_figures_and_equal_those_built_afresh(
    app_context, sign_in_as, session, monkeypatch
):
    """An indicator page's peers (figures, bands, texts, funnel) are kept per authority,
    figures version, indicator, group and period (indicator.PEERS): a colleague's page
    reads them; a figure published since shows at once; a writing request builds them
    afresh, and builds the same."""
    councils, indicator, period = _network(session)
    path = f"/compare/indicators/{indicator.code}?group=type"
    first = sign_in_as(Role.STAFF, councils[0])
    assert "£143" in text_of(first.get(path))  # Council 6's 101 + 7 x 6
    listed = _counting(monkeypatch, indicator_module, "_listed")
    colleague = sign_in_as(Role.STAFF, councils[0])
    assert "£143" in text_of(colleague.get(path))
    assert listed == []  # kept

    council = councils[6]  # corrects its figure, visible to peers at once
    current = session.query(Value).filter_by(authority_id=council.id).one()
    current.is_latest = False
    session.commit()
    factories.value(council, indicator, period, value=999.0, revision=2)
    session.commit()
    shown = text_of(colleague.get(path))
    assert "£999" in shown and "£143" not in shown
    assert listed == [1]

    # With counts: bands, a suppressed peer and a funnel, kept and afresh alike.
    counted = factories.indicator(title="Take-up", multiplier=100)
    for n, council in enumerate(councils):
        factories.value(council, counted, period, numerator=3 if n == 5 else 100 + 9 * n,
                        denominator=1000 + 50 * n)  # fmt: skip
    session.commit()
    user = factories.user(Role.STAFF, councils[0])
    path = f"/compare/indicators/{counted.code}?group=type"
    listed.clear()
    with app_context.test_request_context(path):
        view = service.viewing(user)
        kept = indicator_module.indicator_page(view, counted.code, "type", None)
        again = indicator_module.indicator_page(view, counted.code, "type", None)
    with app_context.test_request_context(path, method="POST"):
        view = service.viewing(user)
        afresh = indicator_module.indicator_page(view, counted.code, "type", None)
    assert listed == [1, 1]  # the second reading page read them kept; the writing built them
    rows = [(p.value_text, p.band_text, p.count_text, p.suppressed) for p in kept.peers]
    assert rows == [(p.value_text, p.band_text, p.count_text, p.suppressed) for p in again.peers]
    assert rows == [(p.value_text, p.band_text, p.count_text, p.suppressed) for p in afresh.peers]
    assert rows[-1] == ("", "1,000 to 2,000", "<5", True) and len(rows) == 6
    assert kept.funnel and (kept.funnel, kept.sentence) == (afresh.funnel, afresh.sentence)
