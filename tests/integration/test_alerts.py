"""Alerts: following, the check that notices changes, the notifications page.

Expectations come from the issue: peers' figures become visible at release, so a release
is the event; a band change of the user's own classification and a change of a followed
issue's prevalence label (DESIGN.md "Statistics") are the others. The first run only
records what it sees; each notification is stored and emailed once.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bench.alerts.service import run_alerts
from bench.extensions import db
from bench.models import (
    AlertState,
    AuditEvent,
    FlagAnswer,
    FlagStatus,
    Follow,
    IssueFlag,
    Notification,
    Role,
    UnitKind,
)
from tests import factories
from tests.pages import check_page, post_form, text_of


def _outbox(app):
    return app.extensions["bench.mail_sender"].outbox


def _now():
    return datetime.now(UTC)


def _councils(count):
    return [factories.authority(name=f"Council {n}", type="county") for n in range(count)]


def _cost_indicator():
    return factories.indicator(
        title="Cost per week", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False
    )


def _follow(user, **target):
    record = Follow(user_id=user.id, **target)
    db.session.add(record)
    db.session.commit()
    return record


def _notifications(user):
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


# --- following -------------------------------------------------------------------


def test_follow_and_unfollow_an_indicator(sign_in_as, session):
    indicator = _cost_indicator()
    client = sign_in_as(Role.STAFF)
    response = post_form(
        client,
        "/alerts/follow",
        {"indicator": indicator.code, "return_to": "compare"},
        form_page="/alerts/",
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/compare/#{indicator.code}")  # back to its row
    page = client.get("/alerts/")
    check_page(page)
    text = text_of(page)
    assert "You now follow Cost per week" in text
    assert "Cost per week Indicator Unfollow Cost per week" in text
    follows = db.session.scalars(select(Follow).order_by(Follow.id)).all()
    assert [(f.user_id, f.indicator_id) for f in follows] == [(client.user.id, indicator.id)]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "alert_followed")
    ).one()
    assert event.actor_id == client.user.id
    assert event.details["new"] == {"indicator_id": indicator.id, "issue_type_id": None}

    # Following again changes nothing.
    post_form(client, "/alerts/follow", {"indicator": indicator.code}, form_page="/alerts/")
    assert db.session.scalar(select(func.count(Follow.id))) == 1

    post_form(client, "/alerts/unfollow", {"indicator": indicator.code}, form_page="/alerts/")
    text = text_of(client.get("/alerts/"))
    assert "You no longer follow Cost per week" in text
    assert "You follow nothing yet" in text
    assert db.session.scalar(select(func.count(Follow.id))) == 0
    assert db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "alert_unfollowed")
    ).one().details["old"] == {"indicator_id": indicator.id, "issue_type_id": None}


def test_follow_an_issue_type_from_known_issues(sign_in_as, session):
    issue_type = factories.issue_type(title="Carers' assessments backlog")
    client = sign_in_as(Role.ANALYST)
    page = client.get("/issues/")
    check_page(page)
    assert "Follow Carers' assessments backlog" in text_of(page)
    response = post_form(
        client,
        "/alerts/follow",
        {"issue_type": issue_type.code, "return_to": "issues"},
        form_page="/issues/",
    )
    assert response.location.endswith("/issues/")
    page = client.get("/issues/")
    check_page(page)
    assert "Unfollow Carers' assessments backlog" in text_of(page)


def test_follow_an_indicator_from_where_we_stand(sign_in_as, session):
    indicator = _cost_indicator()
    councils = _councils(6)
    period = factories.period("2022-23")
    for council, figure in zip(councils, [10, 20, 30, 40, 50, 45], strict=True):
        factories.value(council, indicator, period, value=float(figure))
    client = sign_in_as(Role.STAFF, councils[0])
    page = client.get("/compare/")
    check_page(page)
    assert "Follow Cost per week" in text_of(page)
    post_form(
        client,
        "/alerts/follow",
        {"indicator": indicator.code, "return_to": "compare"},
        form_page="/compare/",
    )
    page = client.get("/compare/")
    check_page(page)
    assert "Unfollow Cost per week" in text_of(page)


def _follow_submission(html: str, code: str) -> tuple[str, dict[str, str]]:
    """Where the Follow button for *code* posts, and what: as a browser sends it, the
    fields of the form the button belongs to, then the button's own name and value."""
    import re

    button = re.search(
        rf'<button type="submit" form="([^"]+)" formaction="([^"]+)" name="(\w+)" value="{code}"',
        html,
    )
    assert button is not None, f"no follow button for {code}"
    form_id, action, name = button.groups()
    form = re.search(rf'<form [^>]*id="{form_id}"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None, f"no form {form_id} for the follow button"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[1]))
    return action, {**fields, name: code}


def test_following_from_where_we_stand_returns_to_the_same_group_period_and_row(
    sign_in_as, session
):
    """Following an indicator from Where we stand against one group and period took the
    user back to the default group and newest period, at the top of the table: their
    place was lost at every click. The form now carries the group, the period and the
    filter shown, and the answer returns to the row followed."""
    indicator = _cost_indicator()
    councils = _councils(6)
    older, newer = factories.period("2021-22"), factories.period("2022-23")
    for period in (older, newer):
        for council, figure in zip(councils, [10, 20, 30, 40, 50, 45], strict=True):
            factories.value(council, indicator, period, value=float(figure))
    client = sign_in_as(Role.STAFF, councils[0])
    page = client.get("/compare/?group=all&period=2021-22")
    check_page(page)
    action, fields = _follow_submission(page.get_data(as_text=True), indicator.code)
    assert action == "/alerts/follow"
    response = client.post(action, data=fields)
    assert response.status_code == 302
    location = response.location
    assert location.startswith("/compare/?") and location.endswith(f"#{indicator.code}")
    assert "group=all" in location and "period=2021-22" in location
    page = client.get(location.split("#")[0])
    assert "Unfollow Cost per week" in text_of(page)
    assert "2021-22" in text_of(page)

    # What comes back is only ever a group, a period and a filter for this one page.
    fields["group"] = "https://evil.example/"
    fields["return_to"] = "compare"
    response = client.post("/alerts/unfollow", data=fields)
    assert response.location.startswith("/compare/?")
    assert "evil.example" not in response.location.split("?")[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Say which indicator or issue type to follow"),
        ({"indicator": "NOPE"}, "There is no indicator with this code"),
        ({"issue_type": "nope"}, "There is no issue type in the catalogue with this code"),
        ({"indicator": "X", "issue_type": "y"}, "Follow one indicator or one issue type"),
    ],
)
def test_follow_refuses_what_is_not_there(sign_in_as, session, data, message):
    client = sign_in_as(Role.STAFF)
    response = post_form(client, "/alerts/follow", data, form_page="/alerts/")
    assert response.status_code == 302
    assert message in text_of(client.get("/alerts/"))
    assert db.session.scalar(select(func.count(Follow.id))) == 0


def test_unfollow_what_is_not_followed(sign_in_as, session):
    indicator = _cost_indicator()
    client = sign_in_as(Role.STAFF)
    post_form(client, "/alerts/unfollow", {"indicator": indicator.code}, form_page="/alerts/")
    assert "You do not follow this" in text_of(client.get("/alerts/"))


def test_proposed_issue_types_cannot_be_followed(sign_in_as, session):
    from bench.models import IssueTypeStatus

    proposed = factories.issue_type(status=IssueTypeStatus.PROPOSED)
    client = sign_in_as(Role.STAFF)
    post_form(client, "/alerts/follow", {"issue_type": proposed.code}, form_page="/alerts/")
    assert db.session.scalar(select(func.count(Follow.id))) == 0


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.NETWORK_ADMIN])
def test_people_without_an_authority_have_no_notifications(sign_in_as, session, role):
    client = sign_in_as(role)
    home = client.get("/")
    assert "Notifications (" not in text_of(home)
    assert client.get("/alerts/").status_code == 403


# --- the check -------------------------------------------------------------------


def test_release_and_band_change_notify_once(app_context, session):
    # Six councils of one type; the viewer's 45 is the norm in 2022-23 (median 35).
    # In 2023-24 the viewer's 200 is far beyond the others (robust z > 3): an exception,
    # better, since higher is better for this indicator.
    indicator = _cost_indicator()
    councils = _councils(6)
    viewer = councils[5]
    user = factories.user(Role.STAFF, viewer)
    first = factories.period("2022-23")
    for council, figure in zip(councils, [10, 20, 30, 40, 50, 45], strict=True):
        factories.value(council, indicator, first, value=float(figure))
    second = factories.period("2023-24", released=False)
    for council, figure in zip(councils, [10, 20, 30, 40, 50, 200], strict=True):
        factories.value(council, indicator, second, value=float(figure))
    _follow(user, indicator_id=indicator.id)

    assert run_alerts(_now()) == 0  # the first run records what it sees
    assert _notifications(user) == [] and _outbox(app_context) == []

    second.released_at = _now() - timedelta(minutes=1)
    db.session.commit()
    assert run_alerts(_now()) == 2
    subjects = [n.subject for n in _notifications(user)]
    assert "Peers have published 2023-24 for Cost per week" in subjects
    # The default group is the first admitted in DESIGN.md's order: computed neighbours
    # have fewer than k councils (no context figures), so same type.
    assert (
        "Your Cost per week is now an exception (better) among councils of the same type "
        "(was the norm)"
    ) in subjects
    assert all(n.emailed_at is not None for n in _notifications(user))
    outbox = _outbox(app_context)
    assert sorted(m.subject for m in outbox) == sorted(f"bench: {s}" for s in subjects)
    assert {m.to for m in outbox} == {user.email}
    base = app_context.config["BASE_URL"]
    assert all(f"See it in bench: {base}/compare/indicators/" in m.body for m in outbox)
    for council in councils[:5]:
        assert all(council.name not in m.body + m.subject for m in outbox)

    assert run_alerts(_now()) == 0  # nothing new: no duplicates
    assert len(_notifications(user)) == 2 and len(outbox) == 2

    # Unfollowing forgets what the check saw for the indicator.
    from bench.alerts import service

    service.unfollow(user, indicator.code, "")
    assert db.session.scalars(select(AlertState).order_by(AlertState.id)).all() == []


def test_a_release_with_figures_from_fewer_than_k_peers_is_no_news(app_context, session):
    # DESIGN.md rule 3: k = 5. Four peers' figures (and the user's own) are not enough
    # to say "peers have published".
    indicator = _cost_indicator()
    councils = _councils(6)
    user = factories.user(Role.STAFF, councils[0])
    first = factories.period("2022-23")
    for council, figure in zip(councils, [10, 20, 30, 40, 50, 45], strict=True):
        factories.value(council, indicator, first, value=float(figure))
    second = factories.period("2023-24", released=False)
    for council, figure in zip(councils[:5], [10, 20, 30, 40, 50], strict=True):
        factories.value(council, indicator, second, value=float(figure))
    _follow(user, indicator_id=indicator.id)
    run_alerts(_now())
    second.released_at = _now() - timedelta(minutes=1)
    db.session.commit()
    run_alerts(_now())
    assert not [n for n in _notifications(user) if n.kind == "release"]


def test_deactivated_users_are_not_alerted(app_context, session):
    indicator = _cost_indicator()
    councils = _councils(6)
    user = factories.user(Role.STAFF, councils[5])
    first = factories.period("2022-23")
    for council, figure in zip(councils, [10, 20, 30, 40, 50, 45], strict=True):
        factories.value(council, indicator, first, value=float(figure))
    second = factories.period("2023-24", released=False)
    for council, figure in zip(councils, [10, 20, 30, 40, 50, 200], strict=True):
        factories.value(council, indicator, second, value=float(figure))
    _follow(user, indicator_id=indicator.id)
    run_alerts(_now())
    user.active = False
    second.released_at = _now() - timedelta(minutes=1)
    db.session.commit()
    assert run_alerts(_now()) == 0
    assert _outbox(app_context) == []


def test_prevalence_label_change_notifies(app_context, session):
    # Eleven councils; ten peers answer. No peer reports the issue the viewer reports:
    # "only you". Then all ten report it: even after noise of up to 2, at least 8 of at
    # most 10 answering report it, 50% or more, "the norm".
    indicator = _cost_indicator()
    councils = _councils(11)
    viewer, peers = councils[0], councils[1:]
    period = factories.period("2022-23")
    for number, council in enumerate(councils):
        factories.value(council, indicator, period, value=float(10 + number))
    issue_type = factories.issue_type(title="Carers' assessments backlog")
    factories.flag(viewer, issue_type)
    for peer in peers:
        factories.flag(peer, issue_type, answer=FlagAnswer.NOT_AN_ISSUE)
    user = factories.user(Role.ANALYST, viewer)
    _follow(user, issue_type_id=issue_type.id)

    assert run_alerts(_now()) == 0
    for flag in db.session.scalars(
        select(IssueFlag).where(IssueFlag.authority_id != viewer.id).order_by(IssueFlag.id)
    ):
        flag.answer, flag.status = FlagAnswer.REPORTED, FlagStatus.OPEN
    db.session.commit()
    assert run_alerts(_now()) == 1
    (notification,) = _notifications(user)
    assert notification.kind == "prevalence"
    assert notification.subject.startswith("Carers' assessments backlog is now the norm among")
    assert notification.subject.endswith("(was only you)")
    assert notification.link == "/compare/norms"
    assert [m.to for m in _outbox(app_context)] == [user.email]
    assert run_alerts(_now()) == 0


def test_the_cli_runs_the_check(app_context, session):
    result = app_context.test_cli_runner().invoke(args=["alerts", "run"])
    assert result.exit_code == 0, result.output
    assert "0 new notifications" in result.output


# --- the notifications page ----------------------------------------------------------


def _notify(user, subject, minutes_ago=0):
    record = Notification(
        user_id=user.id,
        kind="band",
        subject=subject,
        body=f"Body of {subject}",
        link="/compare/norms",
        created_at=_now() - timedelta(minutes=minutes_ago),
    )
    db.session.add(record)
    db.session.commit()
    return record


def test_notifications_page_newest_first_and_mark_read(sign_in_as, session):
    client = sign_in_as(Role.STAFF)
    other = factories.user(Role.STAFF, client.user.authority)
    _notify(client.user, "Older news", minutes_ago=10)
    _notify(client.user, "Newer news", minutes_ago=1)
    _notify(other, "A colleague's news")

    page = client.get("/alerts/")
    check_page(page)
    text = text_of(page)
    assert "Notifications (2)" in text
    assert text.index("Newer news") < text.index("Older news")
    assert "A colleague's news" not in text

    response = post_form(client, "/alerts/read", {}, form_page="/alerts/")
    assert response.status_code == 302
    text = text_of(client.get("/alerts/"))
    assert "Notifications (0)" in text and "All your notifications are marked as read" in text
    assert "Older news" in text  # read, still listed
    unread = db.session.scalars(
        select(Notification).where(Notification.read_at.is_(None)).order_by(Notification.id)
    ).all()
    assert [n.subject for n in unread] == ["A colleague's news"]


def test_notifications_are_paginated_by_50(sign_in_as, session):
    client = sign_in_as(Role.STAFF)
    for number in range(51):
        _notify(client.user, f"News {number:02d}", minutes_ago=100 - number)
    first = text_of(client.get("/alerts/"))
    assert "News 50" in first and "News 01" in first and "News 00" not in first
    assert "Page 1 of 2" in first
    second = client.get("/alerts/?page=2")
    check_page(second)
    assert "News 00" in text_of(second) and "News 01" not in text_of(second)
