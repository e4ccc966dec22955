"""Visits and meetings (issue 11, "Visits and their notes"): recorded and changed by the
visiting authority's users, through pages and the API.

The rule tested hardest: the host is one of the authority's current allies or nobody. A
visit to a council that is not an ally is recorded without naming it, and no field takes
anything that would (DESIGN.md, Anonymity 7): its code is refused exactly as a made-up
one is, naming the field, and nothing is written.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bench.models import (
    AuditEvent,
    Role,
    Visit,
    VisitStatus,
)
from tests import factories, factories_visits
from tests.pages import check_page, post_form, text_of


@pytest.fixture
def net(app_context, sign_in_as):
    net = factories_visits.Network().sign_in_recorder(app_context, sign_in_as, name="Sam Staff")
    net.colleague = factories.user(Role.ANALYST, net.own, name="Ann Analyst")
    net.issue = factories.issue_type(code="slow-dp", title="Slow direct payments")
    net.indicator = factories.indicator(code="DP-PCT", title="Direct payments take-up")
    return net


def _form(**fields):
    data = {
        "kind": "visit",
        "visited_on": ["12", "9", "2024"],
        "title": "How they doubled direct payments",
        "status": "held",
        "host": "none",
        "review": "",
        "people": "",
        "met_people": "",
    }
    data.update(fields)
    return data


def _visits(session):
    return session.scalars(select(Visit).order_by(Visit.id)).all()


def _events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def test_recording_a_visit_to_an_ally_through_the_page(net, session):
    form = check_page(net.client.get("/visits/new"))
    assert form.h1 == "Record a visit"
    page = net.client.get("/visits/new").get_data(as_text=True)
    # Only the authority's allies are offered as hosts, by name; the peer is not.
    assert net.host.name in page and net.ally.name in page and net.peer.name not in page
    response = post_form(
        net.client,
        "/visits/new",
        _form(
            host=net.host.gss_code,
            visitors=[net.user.email, net.colleague.email],
            people="Their director of adult social care",
            met_people="Direct payments team",
            issue_types=[net.issue.code],
            indicators=[net.indicator.code],
        ),
    )
    assert response.status_code == 302, text_of(response)[:3000]
    (visit,) = _visits(session)
    assert response.location == f"/visits/{visit.public_id}"
    assert visit.host_authority_id == net.host.id and visit.authority_id == net.own.id
    assert visit.visited_on == date(2024, 9, 12) and visit.status is VisitStatus.HELD
    assert {v.user_id for v in visit.visitors} == {net.user.id, net.colleague.id}
    assert [t.issue_type_id for t in visit.topics if t.issue_type_id] == [net.issue.id]
    shown = net.client.get(response.location)
    check_page(shown)
    text = text_of(shown)
    assert "Visit recorded" in text and net.host.name in text
    assert "Ann Analyst, Sam Staff" in text and "Slow direct payments" in text
    (event,) = _events(session, "visit_recorded")
    assert event.authority_id == net.own.id and event.actor_id == net.user.id
    assert event.details == {"visit": visit.public_id, "kind": "visit", "status": "held"}
    listing = net.client.get("/visits/")
    check_page(listing)
    assert "How they doubled direct payments" in text_of(listing)


@pytest.mark.parametrize("host", ["peer", "unknown", "own", "ended"])
def test_a_council_that_is_not_an_ally_cannot_be_named_on_the_page(net, session, host):
    if host == "ended":
        factories_visits.end_alliance(net.host_alliance)
    code = {
        "peer": net.peer.gss_code,
        "unknown": "E99999999",
        "own": net.own.gss_code,
        "ended": net.host.gss_code,
    }[host]
    response = post_form(net.client, "/visits/new", _form(host=code))
    assert response.status_code == 200
    page = check_page(response)
    assert page.title.startswith("Error: ")
    body = response.get_data(as_text=True)
    assert 'href="#host"' in body  # the error summary links to the field it names
    assert "Choose one of your allies as the host" in text_of(response)
    assert _visits(session) == []
    if host in ("peer", "ended"):
        assert getattr(net, host if host == "peer" else "host").name not in body


def test_a_visit_to_a_council_that_is_not_an_ally_names_none(net, session):
    response = post_form(net.client, "/visits/new", _form(title="Visit to a council"))
    (visit,) = _visits(session)
    assert visit.host_authority_id is None
    text = text_of(net.client.get(response.location))
    assert "a council that is not an ally" in text


def test_the_api_refuses_a_host_that_is_not_an_ally_naming_the_field(net, session):
    for code in (net.peer.gss_code, "E99999999", net.own.gss_code.lower(), "keep"):
        response = net.api.post(
            "/api/v1/visits",
            headers=net.headers,
            json={"kind": "visit", "visited_on": "2024-09-12", "title": "A visit", "host": code},
        )
        assert response.status_code == 422
        assert response.get_json()["errors"] == [
            {
                "row": None,
                "field": "host",
                "message": "Choose one of your allies as the host, or a council that is "
                "not an ally (which is never named)",
            }
        ]
    assert _visits(session) == []


def test_recording_through_the_api(net, session):
    review = _review(net)
    body = {
        "kind": "meeting",
        "visited_on": "2024-10-01",
        "title": "Meeting about waiting lists",
        "status": "planned",
        "host": net.ally.gss_code.lower(),
        "review": review.public_id,
        "visitors": [net.colleague.email.upper()],
        "met_people": "Their head of service",
        "issue_types": [net.issue.code],
        "indicators": [net.indicator.code, net.indicator.code],
    }
    response = net.api.post("/api/v1/visits", headers=net.headers, json=body)
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["host"] == {"label": net.ally.name, "gss_code": net.ally.gss_code}
    assert made["review"] == {"id": review.public_id, "title": review.title}
    assert made["visitors"] == [{"name": "Ann Analyst", "email": net.colleague.email}]
    assert made["indicators"] == [{"code": "DP-PCT", "title": "Direct payments take-up"}]
    assert made["notes"] == [] and made["note_count"] == 0 and made["kind"] == "meeting"
    listed = net.api.get("/api/v1/visits", headers=net.headers).get_json()
    assert [item["id"] for item in listed["items"]] == [made["id"]]
    assert listed["total"] == 1 and listed["next"] is None
    one = net.api.get(f"/api/v1/visits/{made['id']}", headers=net.headers)
    assert one.get_json()["title"] == "Meeting about waiting lists"


def _review(net):
    from bench.extensions import db
    from bench.models import Review

    review = Review(
        authority_id=net.own.id, title="Adult social care 2024", starts_on=date(2024, 4, 1)
    )
    db.session.add(review)
    db.session.commit()
    return review


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": None}, "kind", "Select whether this was a visit or a meeting"),
        ({"kind": "trip"}, "kind", "Select whether this was a visit or a meeting"),
        ({"visited_on": None}, "visited_on", "Enter the date of the visit"),
        (
            {"visited_on": "12/09/2024"},
            "visited_on",
            "Date must be a real date, like 12 9 2024 (2024-09-12 in the API)",
        ),
        (
            {"visited_on": "2024-02-30"},
            "visited_on",
            "Date must be a real date, like 12 9 2024 (2024-09-12 in the API)",
        ),
        (
            {"visited_on": "２０２４-09-12"},
            "visited_on",
            "Date must be a real date, like 12 9 2024 (2024-09-12 in the API)",
        ),
        (
            {"visited_on": "1999-12-31"},
            "visited_on",
            "Date must be between 2000 and 5 years from now",
        ),
        ({"title": "   "}, "title", "Enter a title for the visit"),
        ({"title": "x" * 201}, "title", "Title must be 200 characters or fewer"),
        ({"title": "Two\nlines"}, "title", "Title must not contain control characters"),
        ({"status": "done"}, "status", "Select whether the visit is planned, held or written up"),
        ({"review": "no-such-review"}, "review", "Choose one of your council's reviews, or none"),
        (
            {"visitors": ["nobody@example.gov.uk"]},
            "visitors",
            "Choose who went from your council's active users",
        ),
        ({"visitors": "someone"}, "visitors", "Who went must be a list of codes"),
        (
            {"issue_types": ["no-such-issue"]},
            "issue_types",
            "Choose issue types from the catalogue",
        ),
        ({"indicators": ["NOPE"]}, "indicators", "Choose indicators from the catalogue"),
        ({"people": "x" * 2001}, "people", "Others who went must be 2,000 characters or fewer"),
        ({"met_people": "a\x07b"}, "met_people", "Who you met must not contain control characters"),
        ({"host_name": "Peerton"}, "host_name", "Unknown field: remove it"),
    ],
)
def test_api_validation_names_the_field_and_writes_nothing(net, session, change, field, message):
    body = {"kind": "visit", "visited_on": "2024-09-12", "title": "A visit", **change}
    response = net.api.post("/api/v1/visits", headers=net.headers, json=body)
    assert response.status_code == 422
    assert {"row": None, "field": field, "message": message} in response.get_json()["errors"]
    assert _visits(session) == []


def test_a_colleague_of_another_council_cannot_use_a_visitor(net, session):
    stranger = factories.user(Role.STAFF, net.peer)
    inactive = factories.user(Role.STAFF, net.own, active=False)
    for email in (stranger.email, inactive.email):
        body = {"kind": "visit", "visited_on": "2024-09-12", "title": "A", "visitors": [email]}
        response = net.api.post("/api/v1/visits", headers=net.headers, json=body)
        assert response.status_code == 422
    assert _visits(session) == []


def test_the_page_shows_every_problem_at_once(net, session):
    response = post_form(
        net.client,
        "/visits/new",
        {"visited_on": ["31", "2", "2024"]},
    )
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    for message in (
        "Select whether this was a visit or a meeting",
        "Date must be a real date, like 1 4 2024",
        "Enter a title for the visit",
        "Select whether the visit is planned, held or written up",
    ):
        assert message in text
    assert _visits(session) == []


def test_changing_a_visit_keeps_a_former_ally_unnamed(net, session):
    visit = factories_visits.visit(
        net.own, net.host, title=f"Visit to {net.host.name}", people="Hostbury's director"
    )
    factories_visits.end_alliance(net.host_alliance)
    form = net.client.get(f"/visits/{visit.public_id}/edit")
    check_page(form)
    body = form.get_data(as_text=True)
    assert "Hostbury" not in body and net.host.gss_code not in body
    assert "A former ally (as recorded)" in body
    response = post_form(
        net.client,
        f"/visits/{visit.public_id}/edit",
        _form(
            host="keep", title="Visit to [the host council]", lock_version="1", status="written_up"
        ),
        form_page=f"/visits/{visit.public_id}/edit",
    )
    assert response.status_code == 302, text_of(response)
    visit = session.get(Visit, visit.id)
    assert visit.host_authority_id == net.host.id  # kept as recorded, still unnamed
    assert visit.status is VisitStatus.WRITTEN_UP and visit.lock_version == 2
    (event,) = _events(session, "visit_changed")
    assert event.details["visit"] == visit.public_id
    assert set(event.details["changed"]) >= {"status", "title"}
    assert "Hostbury" not in str(event.details)
    shown = text_of(net.client.get(f"/visits/{visit.public_id}"))
    assert "a former ally" in shown and "Hostbury" not in shown


def test_a_stale_visit_edit_is_refused(net, session):
    visit = factories_visits.visit(net.own, net.host, title="Before")
    response = post_form(
        net.client,
        f"/visits/{visit.public_id}/edit",
        _form(host=net.host.gss_code, title="Mine", lock_version="0"),
        form_page=f"/visits/{visit.public_id}/edit",
    )
    assert response.status_code == 200
    assert "This visit has been changed since you opened it" in text_of(response)
    assert session.get(Visit, visit.id).title == "Before"


def test_another_councils_visit_is_not_found(net, session, sign_in_as):
    theirs = factories_visits.visit(net.peer, None, title="Theirs")
    for path in (f"/visits/{theirs.public_id}", f"/visits/{theirs.public_id}/edit"):
        assert net.client.get(path).status_code == 404
    assert net.api.get(f"/api/v1/visits/{theirs.public_id}", headers=net.headers).status_code == 404
    assert "Theirs" not in text_of(net.client.get("/visits/"))
    count = session.scalar(select(func.count(Visit.id)).where(Visit.authority_id == net.own.id))
    assert count == 0


def test_the_nav_offers_visits_to_an_authoritys_users_only(net, sign_in_as):
    assert 'href="/visits/"' in net.client.get("/").get_data(as_text=True)
    inspector = sign_in_as(Role.INSPECTOR)
    assert 'href="/visits/"' not in inspector.get("/").get_data(as_text=True)
