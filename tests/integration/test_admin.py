"""The catalogue: network admins manage indicators, series breaks, periods and releases.

Expected messages are the catalogue's wording (bench/messages.py), written out here so
that a changed message is a visible decision.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bench.models import (
    AuditEvent,
    Indicator,
    KeyArea,
    Period,
    PeriodKind,
    Polarity,
    Role,
    SeriesBreak,
    UnitKind,
    Value,
    utcnow,
)
from bench.series import series_breaks
from tests import factories
from tests.pages import check_page, post_form, text_of

VALID_INDICATOR = {
    "code": "ASCOF-2A",
    "title": "Long-term support needs met by admission to care homes",
    "key_area": "national_framework",
    "unit_kind": "rate",
    "multiplier": "100000",
    "unit_label": "per 100,000 adults aged 65 and over",
    "polarity": "lower_is_better",
    "has_counts": "y",
    "plausible_min": "0",
    "plausible_max": "2000",
    "decimals": "1",
    "definition": "Permanent admissions to residential and nursing care homes.",
    "source": "NHS England, Adult Social Care Outcomes Framework",
}


def _events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _indicator_form(**changes):
    """The form as a browser sends it; None leaves a field out (an unticked box)."""
    data = {**VALID_INDICATOR, **changes}
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def admin(sign_in_as):
    return sign_in_as(Role.NETWORK_ADMIN)


# --- indicators ------------------------------------------------------------------------


def test_network_admin_creates_an_indicator(app_context, admin, session):
    response = post_form(admin, "/admin/indicators/new", _indicator_form())
    assert response.status_code == 302
    indicator = session.scalars(select(Indicator).where(Indicator.code == "ASCOF-2A")).one()
    assert response.location.endswith(f"/admin/indicators/{indicator.id}")
    assert indicator.key_area is KeyArea.NATIONAL_FRAMEWORK
    assert indicator.unit_kind is UnitKind.RATE
    assert indicator.multiplier == 100000
    assert indicator.polarity is Polarity.LOWER_IS_BETTER
    assert indicator.has_counts is True
    assert indicator.is_public is False
    assert (indicator.plausible_min, indicator.plausible_max, indicator.decimals) == (0, 2000, 1)
    [event] = _events(session, "indicator_created")
    assert event.actor_id == admin.user.id
    assert event.authority_id is None
    assert event.subject_id == indicator.id
    assert event.details["code"] == "ASCOF-2A"
    assert event.details["unit_kind"] == "rate"

    page = admin.get(f"/admin/indicators/{indicator.id}")
    check_page(page)
    assert "Lower is better" in text_of(page)
    listing = admin.get("/admin/indicators/")
    check_page(listing)
    text = text_of(listing)
    assert "Performance against the national framework" in text
    assert "ASCOF-2A" in text


def test_indicators_are_listed_under_their_key_areas(app_context, admin, session):
    factories.indicator(title="Satisfaction with care", key_area=KeyArea.USER_SATISFACTION)
    factories.indicator(title="Cost per week", key_area=KeyArea.COST_EFFICIENCY)
    text = text_of(admin.get("/admin/indicators/"))
    # DESIGN.md's order of key areas: user satisfaction comes before cost efficiency.
    assert (
        text.index("User satisfaction")
        < text.index("Satisfaction with care")
        < text.index("Cost efficiency")
        < text.index("Cost per week")
    )


NUMBER_MESSAGE = "Lowest plausible value must be a number using the digits 0 to 9, like 12.5 or -3"
PERCENTAGE = {"unit_kind": "proportion", "multiplier": "100", "plausible_max": "100"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": ""}, "code", "Enter a code"),
        ({"code": "ascof-2a"}, "code", "Code must use only capital letters A to Z, digits"),
        ({"code": "ASCOF 2A"}, "code", "Code must use only capital letters A to Z, digits"),
        ({"code": "ASCOF-２A"}, "code", "Code must use only capital letters A to Z, digits"),
        ({"title": ""}, "title", "Enter a title"),
        ({"key_area": None}, "key_area", "Select a key area"),
        ({"key_area": "gossip"}, "key_area", "Select a key area"),
        ({"unit_kind": None}, "unit_kind", "Select a unit kind"),
        ({"polarity": None}, "polarity", "Select a polarity"),
        ({"multiplier": "10"}, "multiplier", "Select a multiplier: 1, 100, 1,000 or 100,000"),
        ({"multiplier": None}, "multiplier", "Select a multiplier: 1, 100, 1,000 or 100,000"),
        (
            {"unit_kind": "mean", "multiplier": "1"},
            "has_counts",
            "Only proportions and rates can have numerators and denominators",
        ),
        (
            {"plausible_min": "50", "plausible_max": "10"},
            "plausible_min",
            "Lowest plausible value must be less than or equal to the highest",
        ),
        (
            {**PERCENTAGE, "plausible_max": "120"},
            "plausible_max",
            "A percentage's plausible values must be between 0 and 100",
        ),
        (
            {**PERCENTAGE, "plausible_min": "-1"},
            "plausible_min",
            "A percentage's plausible values must be between 0 and 100",
        ),
        ({"decimals": "7"}, "decimals", "Decimal places must be a whole number from 0 to 6"),
        ({"decimals": "-1"}, "decimals", "Decimal places must be a whole number from 0 to 6"),
        ({"decimals": "1.5"}, "decimals", "Decimal places must be a whole number from 0 to 6"),
        ({"decimals": ""}, "decimals", "Decimal places must be a whole number from 0 to 6"),
        # DESIGN.md "Data and input": ASCII digits, optional sign and decimal point only.
        ({"plausible_min": "1_000"}, "plausible_min", NUMBER_MESSAGE),
        ({"plausible_min": "１２"}, "plausible_min", NUMBER_MESSAGE),  # full-width digits
        ({"plausible_min": "١٢"}, "plausible_min", NUMBER_MESSAGE),  # Arabic-Indic digits
        ({"plausible_min": "NaN"}, "plausible_min", NUMBER_MESSAGE),
        ({"plausible_min": "inf"}, "plausible_min", NUMBER_MESSAGE),
        ({"plausible_min": "-Infinity"}, "plausible_min", NUMBER_MESSAGE),
        ({"plausible_min": "1e3"}, "plausible_min", NUMBER_MESSAGE),
        ({"plausible_min": "1,000"}, "plausible_min", NUMBER_MESSAGE),
        (
            {"plausible_max": "0x10"},
            "plausible_max",
            "Highest plausible value must be a number using the digits 0 to 9",
        ),
    ],
)
def test_indicator_validation_messages(app_context, admin, session, changes, field, message):
    response = post_form(admin, "/admin/indicators/new", _indicator_form(**changes))
    assert response.status_code == 200
    page = check_page(response)
    assert page.title.startswith("Error: Add an indicator")
    text = text_of(response)
    assert "There is a problem" in text
    assert message in text
    body = response.get_data(as_text=True)
    assert f'href="#{field}' in body  # the error summary links to the field
    assert session.scalars(select(Indicator)).all() == []
    assert _events(session, "indicator_created") == []


def test_indicator_code_must_be_unique(app_context, admin, session):
    factories.indicator(code="ASCOF-2A")
    response = post_form(admin, "/admin/indicators/new", _indicator_form())
    assert response.status_code == 200
    check_page(response)
    assert "Another indicator already uses this code" in text_of(response)
    assert len(session.scalars(select(Indicator)).all()) == 1


@pytest.mark.parametrize(
    ("low", "high", "stored"),
    [("-5", "+12.5", (-5.0, 12.5)), (".5", "7.", (0.5, 7.0)), ("", "", (None, None))],
)
def test_plain_numbers_are_accepted(app_context, admin, session, low, high, stored):
    form = _indicator_form(
        unit_kind="mean", multiplier="1", has_counts=None, plausible_min=low, plausible_max=high
    )
    assert post_form(admin, "/admin/indicators/new", form).status_code == 302
    indicator = session.scalars(select(Indicator)).one()
    assert (indicator.plausible_min, indicator.plausible_max) == stored


def test_percentage_range_rule_is_for_proportions_per_100_only(app_context, admin, session):
    # A rate per 100 (say, per 100 population) may exceed 100; so may a proportion per 1,000.
    for code, unit_kind, multiplier in (("R-1", "rate", "100"), ("P-1", "proportion", "1000")):
        form = _indicator_form(
            code=code, unit_kind=unit_kind, multiplier=multiplier, plausible_max="250"
        )
        assert post_form(admin, "/admin/indicators/new", form).status_code == 302, code


def test_edit_form_shows_the_indicator(app_context, admin, session):
    indicator = factories.indicator(code="DP-1", plausible_min=0.0, plausible_max=100.0)
    response = admin.get(f"/admin/indicators/{indicator.id}/edit")
    assert response.status_code == 200
    check_page(response)
    body = response.get_data(as_text=True)
    assert 'value="DP-1"' in body
    assert 'value="100"' in body  # not "100.0"


def test_editing_records_old_and_new_values(app_context, admin, session):
    indicator = factories.indicator(
        code="DP-1",
        title="Direct payments",
        polarity=Polarity.HIGHER_IS_BETTER,
        plausible_min=0.0,
        plausible_max=100.0,
    )
    indicator_id = indicator.id
    form = _indicator_form(
        code="DP-1",
        title="Direct payments take-up",
        unit_kind="proportion",
        multiplier="100",
        unit_label="",
        polarity="neither",
        plausible_max="100",
        definition="",
        source="",
    )
    response = post_form(
        admin,
        f"/admin/indicators/{indicator.id}/edit",
        form,
        form_page=f"/admin/indicators/{indicator.id}/edit",
    )
    assert response.status_code == 302
    indicator = session.get(Indicator, indicator_id)
    assert indicator.title == "Direct payments take-up"
    assert indicator.polarity is Polarity.NEITHER
    [event] = _events(session, "indicator_changed")
    assert event.actor_id == admin.user.id
    assert event.subject_id == indicator.id
    assert event.details == {
        "title": {"old": "Direct payments", "new": "Direct payments take-up"},
        "polarity": {"old": "higher_is_better", "new": "neither"},
    }


def test_unit_kind_cannot_change_once_values_exist(app_context, admin, session):
    indicator = factories.indicator(code="DP-1", unit_kind=UnitKind.PROPORTION, multiplier=100)
    indicator_id = indicator.id
    factories.value(factories.authority(), indicator, factories.period(), value=40.0)
    form = _indicator_form(code="DP-1", unit_kind="rate", multiplier="1000")
    response = post_form(admin, f"/admin/indicators/{indicator.id}/edit", form)
    assert response.status_code == 200
    check_page(response)
    assert (
        "You cannot change the unit kind: values have been published for this indicator. "
        "Create a new indicator instead" in text_of(response)
    )
    indicator = session.get(Indicator, indicator_id)
    assert indicator.unit_kind is UnitKind.PROPORTION
    assert indicator.multiplier == 100
    assert _events(session, "indicator_changed") == []


def test_unit_kind_can_change_before_any_value(app_context, admin, session):
    indicator = factories.indicator(code="DP-1", unit_kind=UnitKind.PROPORTION)
    indicator_id = indicator.id
    form = _indicator_form(code="DP-1", unit_kind="rate", multiplier="1000")
    response = post_form(admin, f"/admin/indicators/{indicator.id}/edit", form)
    assert response.status_code == 302
    indicator = session.get(Indicator, indicator_id)
    assert indicator.unit_kind is UnitKind.RATE
    [event] = _events(session, "indicator_changed")
    assert event.details["unit_kind"] == {"old": "proportion", "new": "rate"}


def test_editing_another_indicators_code_is_refused(app_context, admin, session):
    factories.indicator(code="TAKEN-1")
    indicator = factories.indicator(code="DP-1")
    form = _indicator_form(
        code="TAKEN-1", unit_kind="proportion", multiplier="100", plausible_max="100"
    )
    response = post_form(admin, f"/admin/indicators/{indicator.id}/edit", form)
    assert response.status_code == 200
    assert "Another indicator already uses this code" in text_of(response)


def test_unknown_indicator_is_not_found(app_context, admin, session):
    assert admin.get("/admin/indicators/999999").status_code == 404
    assert admin.get("/admin/indicators/999999/edit").status_code == 404


# --- series breaks ---------------------------------------------------------------------


def test_series_breaks_are_added_and_removed(app_context, admin, session):
    indicator = factories.indicator(code="DP-1")
    factories.period("2021-22")
    period = factories.period("2022-23")
    path = f"/admin/indicators/{indicator.id}"
    reason = "From 2022-23 the survey counts carers as well as users"
    response = post_form(
        admin, f"{path}/breaks", {"period_id": str(period.id), "reason": reason}, form_page=path
    )
    assert response.status_code == 302
    series_break = session.scalars(select(SeriesBreak)).one()
    assert (series_break.period_id, series_break.reason) == (period.id, reason)
    assert series_break.created_by_id == admin.user.id
    [added] = _events(session, "series_break_added")
    assert added.details == {"indicator": "DP-1", "period": "2022-23", "reason": reason}
    page = admin.get(path)
    check_page(page)
    assert reason in text_of(page)

    response = post_form(admin, f"{path}/breaks/{series_break.id}/delete", {}, form_page=path)
    assert response.status_code == 302
    assert session.scalars(select(SeriesBreak)).all() == []
    [removed] = _events(session, "series_break_removed")
    assert removed.details["period"] == "2022-23"
    assert removed.actor_id == admin.user.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period_id": "", "reason": "Changed"}, "Select the period from which the series breaks"),
        ({"period_id": "999999", "reason": "Changed"}, "Select the period from which the series"),
        ({"period_id": "１", "reason": "Changed"}, "Select the period from which the series"),
        ({"reason": ""}, "Enter the reason for the break"),
        ({"reason": "Again"}, "This indicator already has a series break from this period"),
    ],
)
def test_series_break_validation(app_context, admin, session, data, message):
    indicator = factories.indicator()
    period = factories.period("2022-23")
    factories.series_break(indicator, period, reason="First")
    path = f"/admin/indicators/{indicator.id}"
    response = post_form(
        admin, f"{path}/breaks", {"period_id": str(period.id), **data}, form_page=path
    )
    assert response.status_code == 200
    check_page(response)
    assert message in text_of(response)
    assert len(session.scalars(select(SeriesBreak)).all()) == 1
    assert _events(session, "series_break_added") == []


def test_a_break_is_removed_only_through_its_own_indicator(app_context, admin, session):
    series_break = factories.series_break(factories.indicator(), factories.period())
    other = factories.indicator()
    path = f"/admin/indicators/{other.id}"
    response = post_form(admin, f"{path}/breaks/{series_break.id}/delete", {}, form_page=path)
    assert response.status_code == 404
    assert session.get(SeriesBreak, series_break.id) is not None


def test_series_breaks_helper_reads_breaks_in_time_order(app_context, session):
    first, second, unbroken = factories.indicator(), factories.indicator(), factories.indicator()
    early, late = factories.period("2019-20"), factories.period("2022-23")
    factories.series_break(first, late, reason="New survey")
    factories.series_break(first, early, reason="New definition")
    factories.series_break(second, late, reason="New source")
    assert series_breaks([first.id, second.id, unbroken.id]) == {
        first.id: [(date(2019, 4, 1), "New definition"), (date(2022, 4, 1), "New survey")],
        second.id: [(date(2022, 4, 1), "New source")],
    }
    assert series_breaks([]) == {}


# --- periods ---------------------------------------------------------------------------


def _period_form(**changes):
    data = {
        "code": "2024-25",
        "label": "2024 to 2025",
        "kind": "financial_year",
        "starts_on": ["1", "4", "2024"],
        "ends_on": ["31", "3", "2025"],
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


def test_network_admin_creates_periods(app_context, admin, session):
    assert post_form(admin, "/admin/periods/new", _period_form()).status_code == 302
    quarter = _period_form(
        code="2024-25 Q1",
        label="April to June 2024",
        kind="quarter",
        ends_on=["30", "6", "2024"],
    )
    assert post_form(admin, "/admin/periods/new", quarter).status_code == 302
    periods = session.scalars(select(Period).order_by(Period.code)).all()
    assert [(p.code, p.kind, p.starts_on, p.ends_on, p.released_at) for p in periods] == [
        ("2024-25", PeriodKind.FINANCIAL_YEAR, date(2024, 4, 1), date(2025, 3, 31), None),
        ("2024-25 Q1", PeriodKind.QUARTER, date(2024, 4, 1), date(2024, 6, 30), None),
    ]
    events = _events(session, "period_created")
    assert [event.details["code"] for event in events] == ["2024-25", "2024-25 Q1"]
    assert events[0].details["starts_on"] == "2024-04-01"
    listing = admin.get("/admin/periods/")
    check_page(listing)
    assert "Not scheduled" in text_of(listing)


FORMAT = "Enter a code like 2023-24 for a financial year or 2023-24 Q1 for a quarter"
KIND = "A quarter's code ends in Q1 to Q4, like 2023-24 Q1; a financial year's does not"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": ""}, "Enter a code"),
        ({"code": "2024-26"}, FORMAT),
        ({"code": "2024/25"}, FORMAT),
        ({"code": "2024-25 Q5"}, FORMAT),
        ({"code": "２０２４-25"}, FORMAT),
        ({"code": "2024-25 Q1"}, KIND),
        ({"kind": "quarter"}, KIND),
        ({"label": ""}, "Enter a label"),
        ({"kind": None}, "Select a kind of period"),
        ({"starts_on": ["", "", ""]}, "Enter the start date"),
        ({"starts_on": None}, "Enter the start date"),
        ({"starts_on": ["31", "2", "2024"]}, "Start date must be a real date, like 1 4 2024"),
        ({"starts_on": ["1", "4", "24"]}, "Start date must be a real date, like 1 4 2024"),
        ({"starts_on": ["１", "4", "2024"]}, "Start date must be a real date, like 1 4 2024"),
        ({"ends_on": ["1", "April", "2024"]}, "End date must be a real date, like 1 4 2024"),
        ({"ends_on": ["1", "4", "2024"]}, "End date must be after the start date"),
        ({"ends_on": ["31", "3", "2024"]}, "End date must be after the start date"),
    ],
)
def test_period_validation_messages(app_context, admin, session, changes, message):
    response = post_form(admin, "/admin/periods/new", _period_form(**changes))
    assert response.status_code == 200
    check_page(response)
    assert message in text_of(response)
    assert session.scalars(select(Period)).all() == []


def test_period_codes_are_unique(app_context, admin, session):
    factories.period("2024-25")
    response = post_form(admin, "/admin/periods/new", _period_form())
    assert response.status_code == 200
    assert "Another period already uses this code" in text_of(response)


# --- release dates ---------------------------------------------------------------------


def _release(admin, period_id, day, time):
    path = f"/admin/periods/{period_id}/release"
    return post_form(
        admin,
        path,
        {"released_on": [str(day.day), str(day.month), str(day.year)], "released_time": time},
    )


def _value_for_release(period):
    indicator = factories.indicator()
    return factories.value(factories.authority(), indicator, period, value=50.0)


def test_setting_a_release_date_schedules_the_periods_values(app_context, admin, session):
    period = factories.period("2024-25", released=False)
    period_id = period.id
    value = _value_for_release(period)
    value_id = value.id
    release = (utcnow() + timedelta(days=30)).replace(hour=9, minute=30, second=0, microsecond=0)
    response = _release(admin, period_id, release.date(), "09:30")
    assert response.status_code == 302
    period = session.get(Period, period_id)
    value = session.get(Value, value_id)
    assert period.released_at == release
    assert value.visible_from == release
    [event] = _events(session, "period_release_set")
    assert event.actor_id == admin.user.id
    assert event.details == {
        "period": "2024-25",
        "released_at": {"old": None, "new": release.isoformat()},
        "values_scheduled": 1,
    }
    listing = admin.get("/admin/periods/")
    assert "Scheduled" in text_of(listing)
    assert f"{release:%-d %B %Y} at 09:30 UTC" in text_of(listing)


def test_a_scheduled_release_can_move_or_be_cleared(app_context, admin, session):
    planned = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    period = factories.period("2024-25", released_at=planned)
    period_id = period.id
    value = _value_for_release(period)
    value_id = value.id
    value.visible_from = planned
    session.commit()
    later = (planned + timedelta(days=5)).replace(hour=7, minute=0, second=0)
    assert _release(admin, period_id, later.date(), "7:00").status_code == 302
    value = session.get(Value, value_id)
    assert value.visible_from == later

    path = f"/admin/periods/{period_id}/release"
    response = post_form(admin, f"{path}/clear", {}, form_page=path)
    assert response.status_code == 302
    period = session.get(Period, period_id)
    value = session.get(Value, value_id)
    assert period.released_at is None
    assert value.visible_from is None
    [event] = _events(session, "period_release_cleared")
    assert event.details["released_at"] == {"old": later.isoformat(), "new": None}


def test_a_released_period_can_move_earlier(app_context, admin, session):
    period = factories.period("2022-23")  # released on 1 December 2023
    period_id = period.id
    assert _release(admin, period_id, date(2023, 11, 1), "00:00").status_code == 302
    period = session.get(Period, period_id)
    assert period.released_at == datetime(2023, 11, 1, tzinfo=UTC)
    [event] = _events(session, "period_release_set")
    assert event.details["released_at"]["old"] == "2023-12-01T00:00:00+00:00"


def test_a_released_period_cannot_move_into_the_future(app_context, admin, session):
    period = factories.period("2022-23")
    period_id = period.id
    response = _release(admin, period_id, (utcnow() + timedelta(days=1)).date(), "12:00")
    assert response.status_code == 200
    check_page(response)
    assert (
        "Peers have seen 2022-23 since 1 December 2023 at 00:00 UTC. "
        "Its release can move earlier, but not into the future" in text_of(response)
    )
    period = session.get(Period, period_id)
    assert period.released_at == datetime(2023, 12, 1, tzinfo=UTC)
    assert _events(session, "period_release_set") == []


def test_a_released_periods_release_date_cannot_be_cleared(app_context, admin, session):
    period = factories.period("2022-23")
    period_id = period.id
    path = f"/admin/periods/{period_id}/release"
    response = post_form(admin, f"{path}/clear", {}, form_page=path)
    assert response.status_code == 302
    page = admin.get(response.location)
    check_page(page)
    assert (
        "Peers have seen 2022-23 since 1 December 2023 at 00:00 UTC. "
        "Its release date cannot be cleared" in text_of(page)
    )
    period = session.get(Period, period_id)
    assert period.released_at == datetime(2023, 12, 1, tzinfo=UTC)
    assert _events(session, "period_release_cleared") == []


@pytest.mark.parametrize(
    ("day", "time", "message"),
    [
        (["", "", ""], "09:30", "Enter the release date"),
        (["30", "2", "2025"], "09:30", "Release date must be a real date, like 1 4 2024"),
        (["1", "12", "2025"], "", "Enter a time on the 24-hour clock, like 09:30"),
        (["1", "12", "2025"], "24:00", "Enter a time on the 24-hour clock, like 09:30"),
        (["1", "12", "2025"], "9.30", "Enter a time on the 24-hour clock, like 09:30"),
        (["1", "12", "2025"], "０9:30", "Enter a time on the 24-hour clock, like 09:30"),
    ],
)
def test_release_validation_messages(app_context, admin, session, day, time, message):
    period = factories.period("2024-25", released=False)
    period_id = period.id
    path = f"/admin/periods/{period_id}/release"
    response = post_form(admin, path, {"released_on": day, "released_time": time})
    assert response.status_code == 200
    check_page(response)
    assert message in text_of(response)
    period = session.get(Period, period_id)
    assert period.released_at is None


def test_peers_see_a_period_only_from_its_release(app_context, admin, sign_in_as, session):
    indicator = factories.indicator(title="Direct payments take-up", has_counts=False)
    period = factories.period("2024-25", released=False)
    period_id = period.id
    own = factories.authority()
    factories.value(own, indicator, period, value=30.0)
    for figure in (10.0, 20.0, 40.0, 50.0, 60.0):
        factories.value(factories.authority(), indicator, period, value=figure)
    analyst = sign_in_as(Role.ANALYST, own)
    assert "not released yet" in text_of(analyst.get("/"))

    tomorrow = (utcnow() + timedelta(days=1)).date()
    assert _release(admin, period_id, tomorrow, "08:00").status_code == 302
    assert "not released yet" in text_of(analyst.get("/"))

    yesterday = (utcnow() - timedelta(days=1)).date()
    assert _release(admin, period_id, yesterday, "08:00").status_code == 302
    text = text_of(analyst.get("/"))
    assert "not released yet" not in text
    assert "6 councils" in text


# --- navigation ------------------------------------------------------------------------


def test_network_admin_finds_the_catalogue(app_context, admin, session):
    home = admin.get("/")
    check_page(home)
    body = home.get_data(as_text=True)
    for path in ("/admin/indicators/", "/admin/periods/", "/admin/audit/"):
        assert f'href="{path}"' in body
    assert "Catalogue" in text_of(home)


def test_only_network_admins_see_the_catalogue_link(app_context, sign_in_as, session):
    text = text_of(sign_in_as(Role.AUTHORITY_ADMIN).get("/"))
    assert "Catalogue" not in text
    assert "Audit log" in text
