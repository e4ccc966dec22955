"""The database itself holds the rules that must always hold, on both backends."""

import pytest
from sqlalchemy.exc import IntegrityError

from bench.models import Role, UnitKind, User
from tests import factories


@pytest.fixture
def network(session):
    authority = factories.authority()
    proportion = factories.indicator(unit_kind=UnitKind.PROPORTION, multiplier=100)
    rate = factories.indicator(unit_kind=UnitKind.RATE, multiplier=100_000)
    period = factories.period("2022-23")
    return authority, proportion, rate, period


def _rejected(session, make):
    with pytest.raises(IntegrityError):
        make()
    session.rollback()


def test_a_proportion_cannot_exceed_its_denominator(session, network):
    authority, proportion, _, period = network
    _rejected(
        session,
        lambda: factories.value(authority, proportion, period, numerator=11, denominator=10),
    )


def test_a_rate_may_exceed_its_denominator(session, network):
    authority, _, rate, period = network
    factories.value(authority, rate, period, numerator=30, denominator=10)


@pytest.mark.parametrize("denominator", [0, -5])
def test_denominators_are_positive(session, network, denominator):
    authority, _, rate, period = network
    _rejected(
        session,
        lambda: factories.value(
            authority, rate, period, numerator=1, denominator=denominator, value=1.0
        ),
    )


def test_unit_kind_on_a_value_must_match_its_indicator(session, network):
    # Otherwise a proportion could dodge its numerator <= denominator check.
    authority, proportion, _, period = network
    _rejected(
        session,
        lambda: factories.value(
            authority, proportion, period, unit_kind=UnitKind.RATE, numerator=11, denominator=10
        ),
    )


def test_only_one_latest_revision(session, network):
    authority, proportion, _, period = network
    factories.value(authority, proportion, period, numerator=1, denominator=10)
    _rejected(
        session,
        lambda: factories.value(
            authority, proportion, period, numerator=2, denominator=10, revision=2
        ),
    )


def test_revisions_coexist_when_one_is_latest(session, network):
    authority, proportion, _, period = network
    factories.value(authority, proportion, period, numerator=1, denominator=10, is_latest=False)
    factories.value(authority, proportion, period, numerator=2, denominator=10, revision=2)


def test_numerator_and_denominator_come_together(session, network):
    authority, _, rate, period = network
    _rejected(session, lambda: factories.value(authority, rate, period, numerator=3, value=1.0))


def test_users_of_authority_roles_need_an_authority(session):
    _rejected(session, lambda: factories.user(Role.ANALYST, None, authority=None))


def test_inspectors_belong_to_no_authority(session):
    authority = factories.authority()
    _rejected(session, lambda: factories.user(Role.INSPECTOR, None, authority=authority))


def test_emails_are_unique_and_lower_case(session):
    user = factories.user(Role.STAFF)
    _rejected(session, lambda: factories.user(Role.STAFF, None, email=user.email))
    _rejected(session, lambda: factories.user(Role.STAFF, None, email="Mixed@Example.gov.uk"))
    assert session.get(User, user.id) is not None


def test_gss_codes_are_unique(session):
    authority = factories.authority()
    _rejected(session, lambda: factories.authority(gss_code=authority.gss_code))
