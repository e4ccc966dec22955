"""The home page: own latest figures beside the national median and quartile."""

from datetime import UTC, datetime, timedelta

from bench.models import KeyArea, Role, UnitKind
from tests import factories
from tests.pages import check_page, text_of


def _network(session, own_value, others, **indicator_fields):
    indicator = factories.indicator(
        title="Direct payments take-up",
        unit_kind=UnitKind.PROPORTION,
        multiplier=100,
        has_counts=False,
        decimals=1,
        **indicator_fields,
    )
    period = factories.period("2022-23")
    own = factories.authority(name="Ownshire")
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
