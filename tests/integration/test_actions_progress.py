"""Progress of an action from the network's own released figures (issue 11: "an indicator
with a baseline and a target where one fits (progress then shown from the network's own
released figures)").

The action's page and API show the authority's own current figures for the indicator,
from the baseline period on, only for periods whose release has passed; never a peer's
figure, and never a figure from a period not yet released. Which way is better comes from
the indicator's polarity.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bench.models import Period, Polarity, Role, TokenScope, UnitKind, Value, utcnow
from tests import factories
from tests.factories_actions import bearer
from tests.pages import check_page, text_of


def _indicator(title, polarity, unit_kind=UnitKind.PROPORTION, decimals=1):
    multiplier = 100 if unit_kind is UnitKind.PROPORTION else 1
    return factories.indicator(
        title=title,
        unit_kind=unit_kind,
        multiplier=multiplier,
        has_counts=False,
        decimals=decimals,
        polarity=polarity,
    )


@pytest.fixture
def measured(app_context, sign_in_as):
    """An authority with its own figures for four periods and a peer with its own; an
    action with 2023-24 as its baseline and 2025-26 (released in a month) as its target."""
    authority = factories.authority(name="Measureshire Council")
    peer = factories.authority(name="Peershire Council")
    client = sign_in_as(Role.ANALYST, authority)
    indicator = _indicator("Direct payments take-up", Polarity.HIGHER_IS_BETTER)
    periods = {code: factories.period(code) for code in ("2022-23", "2023-24", "2024-25")}
    periods["2025-26"] = factories.period("2025-26", released_at=utcnow() + timedelta(days=30))
    for code, figure in (
        ("2022-23", 41.3),
        ("2023-24", 62.0),
        ("2024-25", 65.5),
        ("2025-26", 71.7),
    ):
        factories.value(authority, indicator, periods[code], value=figure)
    for code, figure in (("2024-25", 88.8), ("2025-26", 93.9)):
        factories.value(peer, indicator, periods[code], value=figure)

    class Measured:
        pass

    found = Measured()
    found.authority, found.client, found.indicator, found.periods = (
        authority,
        client,
        indicator,
        periods,
    )
    _, found.secret = factories.api_token(client.user, TokenScope.RECORD)
    found.api = app_context.test_client()
    return found


def _create(measured, **fields):
    body = {
        "description": "Raise direct payments take-up",
        "source": "review",
        "owner_name": "Pat Owner",
        "indicator": measured.indicator.code,
        "baseline_period": "2023-24",
        "baseline_value": 62.0,
        "target_value": 70.0,
        "target_period": "2025-26",
    }
    body.update(fields)
    body = {key: value for key, value in body.items() if value is not ...}  # ... leaves it out
    return measured.api.post("/api/v1/actions", headers=bearer(measured.secret), json=body)


def _release(session, period, moment):
    # Requests end the test's session: read the period again before changing it.
    session.get(Period, period.id).released_at = moment
    session.commit()


def _detail(measured, action_id):
    return measured.api.get(f"/api/v1/actions/{action_id}", headers=bearer(measured.secret))


def test_progress_shows_own_released_figures_only(measured):
    created = _create(measured)
    assert created.status_code == 201, created.get_data(as_text=True)
    action_id = created.get_json()["id"]
    page = measured.client.get(f"/actions/{action_id}")
    check_page(page)
    text = text_of(page)
    assert "Progress from your released figures" in text
    assert "2023-24 (baseline) 62.0% Same as the baseline" in text
    assert "2024-25 65.5% Better: on the way to the target Not reached yet" in text
    assert "Your figure for 2025-26, the target period, has not been released yet" in text
    body = page.get_data(as_text=True)
    # Before the baseline; the unreleased period's own figure; the peer's figures.
    for absent in ("41.3", "71.7", "88.8", "93.9", "Peershire"):
        assert absent not in body, absent
    progress = _detail(measured, action_id).get_json()["progress"]
    assert progress["direction"] == "higher" and progress["target_met"] is None
    assert [(r["period"], r["value"], r["movement"]) for r in progress["rows"]] == [
        ("2023-24", 62.0, "unchanged"),
        ("2024-25", 65.5, "towards"),
    ]


def test_the_target_is_met_once_the_target_period_is_released(measured, session):
    action_id = _create(measured).get_json()["id"]
    _release(session, measured.periods["2025-26"], utcnow() - timedelta(minutes=1))
    text = text_of(measured.client.get(f"/actions/{action_id}"))
    assert "Target met in 2025-26" in text
    assert "2025-26 (target) 71.7% Better: on the way to the target Met" in text
    assert "93.9" not in text
    progress = _detail(measured, action_id).get_json()["progress"]
    assert progress["target_met"] is True
    assert progress["rows"][-1] == {
        "period": "2025-26",
        "value": 71.7,
        "status": "final",
        "movement": "towards",
        "target_reached": True,
        "is_target_period": True,
    }


def test_an_unreleased_period_never_counts_even_without_a_release_date(measured, session):
    future = factories.period("2026-27", released=False)
    factories.value(measured.authority, measured.indicator, future, value=55.5)
    action_id = _create(measured, target_period="2026-27").get_json()["id"]
    body = measured.client.get(f"/actions/{action_id}").get_data(as_text=True)
    assert "55.5" not in body and "71.7" not in body
    rows = _detail(measured, action_id).get_json()["progress"]["rows"]
    assert [row["period"] for row in rows] == ["2023-24", "2024-25"]


def test_a_correction_replaces_the_figure_it_corrects(measured, session):
    first = session.scalars(
        select(Value).where(
            Value.authority_id == measured.authority.id,
            Value.period_id == measured.periods["2024-25"].id,
        )
    ).one()
    first.is_latest = False
    session.commit()
    factories.value(
        measured.authority, measured.indicator, measured.periods["2024-25"], value=60.4, revision=2
    )
    action_id = _create(measured).get_json()["id"]
    text = text_of(measured.client.get(f"/actions/{action_id}"))
    assert "2024-25 60.4% Worse than the baseline" in text and "65.5" not in text


def test_lower_is_better_reads_the_other_way(measured, session):
    indicator = _indicator(
        "Days waiting for an assessment", Polarity.LOWER_IS_BETTER, UnitKind.MEAN, decimals=0
    )
    for code, days in (("2023-24", 40.0), ("2024-25", 31.0)):
        factories.value(measured.authority, indicator, measured.periods[code], value=days)
    _release(session, measured.periods["2025-26"], utcnow() - timedelta(days=1))
    factories.value(measured.authority, indicator, measured.periods["2025-26"], value=29.0)
    created = _create(
        measured, indicator=indicator.code, baseline_value=40, target_value=28
    ).get_json()
    progress = _detail(measured, created["id"]).get_json()["progress"]
    assert progress["direction"] == "lower" and progress["target_met"] is False
    assert [r["movement"] for r in progress["rows"]] == ["unchanged", "towards", "towards"]
    assert "Target not met in 2025-26" in text_of(measured.client.get(f"/actions/{created['id']}"))
    worse = _create(measured, indicator=indicator.code, baseline_value=40, target_value=45)
    assert worse.status_code == 422
    [error] = worse.get_json()["errors"]
    assert error["field"] == "target_value"
    assert "no higher than the baseline: lower is better" in error["message"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"baseline_period": ...}, "baseline_period", "Choose the baseline period"),
        ({"baseline_value": ...}, "baseline_value", "Enter the baseline value"),
        ({"target_value": ...}, "target_value", "Enter the target value"),
        ({"target_period": ...}, "target_period", "Choose the period the target is for"),
        ({"baseline_period": "1999-00"}, "baseline_period", "Choose a period from the list"),
        ({"target_period": "2022-23"}, "target_period", "must come after the baseline period"),
        ({"target_period": "2023-24"}, "target_period", "must come after the baseline period"),
        ({"baseline_value": "1_000"}, "baseline_value", "Baseline value must be a number"),
        ({"target_value": "NaN"}, "target_value", "Target value must be a number"),
        ({"target_value": True}, "target_value", "Target value must be a number"),
        ({"target_value": 50}, "target_value", "no lower than the baseline"),
        ({"baseline_period": "2019-20"}, "baseline_period", "2019-20 has ended and no release"),
        ({"indicator": ..., "target_period": ...}, "indicator", "Choose the indicator"),
    ],
)
def test_a_baseline_and_target_must_fit_together(measured, session, fields, field, message):
    factories.period("2019-20", released=False)
    response = _create(measured, **fields)
    assert response.status_code == 422, response.get_data(as_text=True)
    errors = response.get_json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors


def test_periods_still_to_come_and_released_ones_are_offered(measured):
    factories.period("2019-20", released=False)
    factories.period("2027-28", released=False)
    page = measured.client.get("/actions/new")
    check_page(page)
    options = page.get_data(as_text=True)
    for code in ("2022-23", "2025-26", "2027-28"):
        assert f'value="{code}"' in options
    assert 'value="2019-20"' not in options
    ok = _create(measured, baseline_period="2024-25", target_period="2027-28")
    assert ok.status_code == 201
