"""Built Where we stand pages are kept per authority (bench.compare.service.PAGES): the
same for every user of one authority, never another authority's, never stale.

Keeping them halves a comparison page's time; these tests hold what the cache must never
do: show one council another's page (its own figures are the viewer's own, and an
inspector's named page is theirs), miss the authority's own correction waiting for its
release round (peers' results stay cached then), or keep what a writing request built.
"""

from datetime import timedelta

from sqlalchemy import update

from bench.compare import service
from bench.models import Indicator, Role, UnitKind, Value, utcnow
from tests import factories
from tests.pages import text_of


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


def test_an_own_correction_waiting_for_its_round_shows_at_once(
    app_context, sign_in_as, session
):
    councils, indicator, period = _network(session)
    client = sign_in_as(Role.STAFF, councils[0])
    assert "101" in text_of(client.get("/compare/?group=type"))
    later_round = (utcnow().replace(day=1) + timedelta(days=32)).replace(day=1)
    current = session.query(Value).filter_by(authority_id=councils[0].id).one()
    current.is_latest = False
    session.commit()
    # The correction: a new revision, which peers see at the next release round.
    factories.value(
        councils[0], indicator, period, value=555.0, revision=2, visible_from=later_round
    )
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
    assert "7 peer councils" in text_of(
        sign_in_as(Role.STAFF, county).get("/compare/?group=type")
    )
    assert "5 peer councils" in text_of(
        sign_in_as(Role.STAFF, unitary).get("/compare/?group=type")
    )


def test_an_indicator_edited_in_the_catalogue_shows_at_once(app_context, sign_in_as, session):
    """A title (or a polarity, or decimals) edited adds no row: the pages still change."""
    councils, indicator, _ = _network(session)
    client = sign_in_as(Role.STAFF, councils[0])
    assert "Cost per week" in text_of(client.get("/compare/?group=type"))
    session.execute(
        update(Indicator).where(Indicator.id == indicator.id).values(
            title="Weekly cost of a care home place"
        )
    )
    session.commit()
    assert "Weekly cost of a care home place" in text_of(client.get("/compare/?group=type"))
