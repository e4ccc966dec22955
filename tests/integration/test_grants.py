"""Inspector grants: an authority's admins grant and revoke; the inspector sees the
authority named during the grant and only then (DESIGN.md "Who may do what", Anonymity 1
and 8; issue 10, "Inspector grants").

Pages and the API go through real HTTP; the clock is the one boundary replaced, so that
a grant's window can be tried to the second.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bench.dates import LONDON
from bench.models import (
    AuditEvent,
    InspectorGrant,
    Role,
    TokenScope,
    UnitKind,
    utcnow,
)
from tests import factories
from tests.pages import check_page, post_form, sign_in, text_of


def _outbox(app):
    return app.extensions["bench.mail_sender"].outbox


def _events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _grants(session):
    return session.scalars(select(InspectorGrant).order_by(InspectorGrant.id)).all()


def _network(values=(10, 20, 30, 40, 50, 200)):
    """Six councils of one type with a released figure each; the last is the exception."""
    indicator = factories.indicator(
        title="Cost per week", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False
    )
    period = factories.period("2022-23")
    authorities = [factories.authority(name=f"Council {n}") for n in range(len(values))]
    for authority, value in zip(authorities, values, strict=True):
        factories.value(authority, indicator, period, value=float(value))
    return authorities


def _london_date(moment):
    local = moment.astimezone(LONDON).date()
    return [str(local.day), str(local.month), str(local.year)]


def _form(inspector_email, *, ends, starts=None, reason="Inspection of adult social care"):
    data = {"inspector_email": inspector_email, "ends_on": ends, "reason": reason}
    if starts is not None:
        data["starts_on"] = starts
    return data


# --- granting from the page --------------------------------------------------------------


def test_an_admin_grants_an_inspector_from_the_page(app_context, sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    authority = admin.user.authority
    inspector = factories.user(Role.INSPECTOR, name="Ines Inspector")

    users = admin.get("/users/")
    assert 'href="/grants/"' in users.get_data(as_text=True)  # linked from managing users
    page = admin.get("/grants/")
    check_page(page)
    assert "No inspector can see your authority's figures at the moment" in text_of(page)
    form = admin.get("/grants/new")
    check_page(form)

    ends = utcnow() + timedelta(days=30)
    before = utcnow()
    response = post_form(
        admin,
        "/grants/new",
        _form(inspector.email.upper(), ends=_london_date(ends)),  # any case will do
    )
    assert response.status_code == 302, text_of(response)
    [grant] = _grants(session)
    assert grant.inspector_id == inspector.id and grant.authority_id == authority.id
    assert grant.granted_by_id == admin.user.id
    assert grant.reason == "Inspection of adult social care"
    # Starting today means now; the end date counts whole: midnight after it, UK time.
    assert before - timedelta(seconds=1) <= grant.starts_at <= utcnow()
    end_day = ends.astimezone(LONDON).date() + timedelta(days=1)
    assert grant.expires_at == datetime.combine(end_day, datetime.min.time(), LONDON)
    # A random public id, never the sequential database id.
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", grant.public_id)
    assert grant.public_id != str(grant.id)

    listing = admin.get("/grants/")
    check_page(listing)
    text = text_of(listing)
    assert "Ines Inspector can see your authority's figures from" in text  # the flash
    assert "Current grants" in text and inspector.email in text and "Revoke" in text
    assert f"/grants/{grant.public_id}/revoke" in listing.get_data(as_text=True)

    [event] = _events(session, "grant_given")
    assert event.authority_id == authority.id and event.actor_id == admin.user.id
    assert event.details["inspector"] == inspector.email
    assert event.details["grant"] == grant.public_id
    assert event.details["reason"] == "Inspection of adult social care"
    assert event.details["expires_at"] == grant.expires_at.isoformat().replace("+00:00", "Z")

    [message] = _outbox(app_context)
    assert message.to == inspector.email
    assert authority.name in message.subject
    assert "Inspection of adult social care" in message.body
    assert authority.name in message.body


def test_a_grant_can_start_later_and_the_inspector_sees_it_coming(app_context, sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    inspector = factories.user(Role.INSPECTOR)
    starts = utcnow() + timedelta(days=10)
    ends = utcnow() + timedelta(days=40)
    response = post_form(
        admin,
        "/grants/new",
        _form(inspector.email, starts=_london_date(starts), ends=_london_date(ends)),
    )
    assert response.status_code == 302, text_of(response)
    [grant] = _grants(session)
    start_day = starts.astimezone(LONDON).date()
    assert grant.starts_at == datetime.combine(start_day, datetime.min.time(), LONDON)
    assert "Grants that have not started yet" in text_of(admin.get("/grants/"))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"ends_on": "yesterday"},
            "ends_on",
            "The end must be after the start",
        ),
        ({"ends_on": "in 366 days"}, "ends_on", "A grant can last at most a year: end it sooner"),
        (
            {"starts_on": "yesterday"},
            "starts_on",
            "The start must be today or later, not in the past",
        ),
        ({"starts_on": "in 400 days"}, "starts_on", "The start must be within a year from today"),
        ({"ends_on": ["", "", ""]}, "ends_on", "Enter when the grant ends"),
        (
            {"ends_on": ["31", "2", "2027"]},
            "ends_on",
            "End date must be a real date, like 1 4 2024",
        ),
        ({"inspector_email": ""}, "inspector_email", "Enter the email address of the inspector"),
        (
            {"inspector_email": "nobody@example.gov.uk"},
            "inspector_email",
            "Enter the email address of an active inspector account",
        ),
        (
            {"inspector_email": "staff"},  # a real account, but not an inspector's
            "inspector_email",
            "Enter the email address of an active inspector account",
        ),
        (
            {"inspector_email": "deactivated"},
            "inspector_email",
            "Enter the email address of an active inspector account",
        ),
        ({"reason": ""}, "reason", "Enter the reason for the grant"),
        ({"reason": "   "}, "reason", "Enter the reason for the grant"),
        ({"reason": "x" * 1001}, "reason", "The reason must be 1,000 characters or fewer"),
    ],
)
def test_the_grant_form_says_what_is_wrong(
    app_context, sign_in_as, session, change, field, message
):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    inspector = factories.user(Role.INSPECTOR)
    staff = factories.user(Role.STAFF)
    deactivated = factories.user(Role.INSPECTOR, active=False)
    now = utcnow()
    days = {"yesterday": -1, "in 366 days": 366, "in 400 days": 400}
    data = _form(inspector.email, ends=_london_date(now + timedelta(days=30)))
    for key, value in change.items():
        if isinstance(value, list):
            pass
        elif value in days:
            value = _london_date(now + timedelta(days=days[value]))
        elif value == "staff":
            value = staff.email
        elif value == "deactivated":
            value = deactivated.email
        data[key] = value
    response = post_form(admin, "/grants/new", data)
    assert response.status_code == 200
    check_page(response)
    assert message in text_of(response)
    assert f'href="#{field}' in response.get_data(as_text=True)  # the summary links the field
    assert _grants(session) == [] and _outbox(app_context) == []
    assert _events(session, "grant_given") == []


def test_the_same_message_for_any_email_that_is_not_an_active_inspectors(sign_in_as, session):
    """Messages do not tell whether an account exists (DESIGN.md, Accounts)."""
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    staff = factories.user(Role.STAFF)
    ends = _london_date(utcnow() + timedelta(days=3))
    pages = [
        text_of(post_form(admin, "/grants/new", _form(email, ends=ends)))
        for email in ("nobody@example.gov.uk", staff.email, admin.user.email)
    ]
    sentences = [
        re.sub(re.escape(email), "EMAIL", page)
        for page, email in zip(
            pages, ("nobody@example.gov.uk", staff.email, admin.user.email), strict=True
        )
    ]
    assert "Enter the email address of an active inspector account" in sentences[0]
    assert sentences[0] == sentences[1] == sentences[2]


# --- what the inspector sees ------------------------------------------------------------


def test_the_inspector_sees_current_upcoming_and_past_grants_with_their_times(sign_in_as):
    inspector = sign_in_as(Role.INSPECTOR)
    current = factories.authority(name="Currentshire")
    upcoming = factories.authority(name="Latershire")
    expired = factories.authority(name="Oldshire")
    revoked = factories.authority(name="Revokedshire")
    now = utcnow()
    granted = factories.grant(inspector.user, current, expires_at=now + timedelta(days=20))
    factories.grant(
        inspector.user,
        upcoming,
        starts_at=now + timedelta(days=5),
        expires_at=now + timedelta(days=50),
    )
    factories.grant(
        inspector.user,
        expired,
        starts_at=now - timedelta(days=60),
        expires_at=now - timedelta(days=1),
        reason="Oldshire's review",
    )
    factories.grant(inspector.user, revoked, revoked_at=now - timedelta(hours=1))
    for path in ("/", "/grants/yours"):
        page = inspector.get(path)
        check_page(page)
        text = text_of(page)
        body = page.get_data(as_text=True)
        until = f"Currentshire, until {granted.expires_at.astimezone(LONDON):%-d %B %Y at %H:%M}"
        assert until in text
        assert f"authority={current.gss_code}" in body  # its comparison pages
        assert "Grants that have not started yet" in text and "Latershire, from" in text
        assert f"authority={upcoming.gss_code}" not in body  # nothing to see yet
        # An ended grant names nobody: the authority is anonymous to them again.
        assert "Past grants" in text and "ended" in text and "revoked" in text
        for gone in (expired, revoked):
            assert gone.name not in body and gone.gss_code not in body
        assert "Oldshire's review" not in body
    assert 'href="/grants/yours"' in inspector.get("/").get_data(as_text=True)


def test_a_grants_window_holds_to_the_second(app_context, sign_in_as, session, clock, monkeypatch):
    # The inspector's session stays open across the hours the clock jumps.
    monkeypatch.setitem(app_context.config, "SESSION_IDLE_TIMEOUT", timedelta(hours=4))
    authorities = _network()
    granted = authorities[5]
    inspector_user = factories.user(Role.INSPECTOR)
    starts = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    expires = starts + timedelta(hours=2)
    factories.grant(inspector_user, granted, starts_at=starts, expires_at=expires)
    inspector = app_context.test_client()
    sign_in(inspector, inspector_user.email, factories.PASSWORD)
    path = f"/compare/?group=type&authority={granted.gss_code}"
    seen = {}
    for moment in (
        starts - timedelta(seconds=1),
        starts,
        expires - timedelta(seconds=1),
        expires,
    ):
        clock.set(moment)
        response = inspector.get(path)
        named = granted.name in response.get_data(as_text=True)
        seen[moment - starts] = (response.status_code, named)
    assert seen == {
        timedelta(seconds=-1): (404, False),
        timedelta(0): (200, True),
        expires - starts - timedelta(seconds=1): (200, True),
        expires - starts: (404, False),
    }
    # Each use is in the authority's log, at the moment it happened.
    used = _events(session, "grant_used")
    assert {event.authority_id for event in used} == {granted.id}
    assert {event.occurred_at for event in used} == {starts, expires - timedelta(seconds=1)}


def test_a_revoked_grant_stops_at_the_next_request(app_context, sign_in_as, session):
    authorities = _network()
    granted = authorities[5]
    admin = sign_in_as(Role.AUTHORITY_ADMIN, granted)
    inspector = sign_in_as(Role.INSPECTOR, name="Ines Inspector")
    post_form(
        admin,
        "/grants/new",
        _form(inspector.user.email, ends=_london_date(utcnow() + timedelta(days=7))),
    )
    [grant] = _grants(session)
    path = f"/compare/?group=type&authority={granted.gss_code}"
    page = inspector.get(path)
    assert page.status_code == 200 and granted.name in text_of(page)
    _outbox(app_context).clear()

    revoked = post_form(admin, f"/grants/{grant.public_id}/revoke", {}, form_page="/grants/")
    assert revoked.status_code == 302
    after = inspector.get(path)
    assert after.status_code == 404 and granted.name not in after.get_data(as_text=True)
    assert (
        inspector.get(f"/compare/norms?group=type&authority={granted.gss_code}").status_code == 404
    )

    grant = session.get(InspectorGrant, grant.id)
    assert grant.revoked_at is not None and grant.revoked_by_id == admin.user.id
    listing = text_of(admin.get("/grants/"))
    assert "Ines Inspector can no longer see your authority's figures" in listing
    assert "Past grants" in listing and f"by {admin.user.name}" in listing
    [event] = _events(session, "grant_revoked")
    assert event.authority_id == granted.id and event.details["grant"] == grant.public_id
    [message] = _outbox(app_context)
    assert message.to == inspector.user.email and "ended" in message.subject

    # Revoking again changes nothing and says so.
    again = post_form(admin, f"/grants/{grant.public_id}/revoke", {}, form_page="/grants/")
    assert again.status_code == 302
    assert "This grant has already ended" in text_of(admin.get("/grants/"))
    assert len(_events(session, "grant_revoked")) == 1 and len(_outbox(app_context)) == 1
    # The inspector's home no longer names it.
    assert granted.name not in inspector.get("/").get_data(as_text=True)


def test_another_authoritys_grant_is_not_found(sign_in_as, session):
    own = factories.authority(name="Ownshire")
    other = factories.authority(name="Othershire")
    stranger_grant = factories.grant(factories.user(Role.INSPECTOR), other)
    admin = sign_in_as(Role.AUTHORITY_ADMIN, own)
    response = post_form(
        admin, f"/grants/{stranger_grant.public_id}/revoke", {}, form_page="/grants/"
    )
    assert response.status_code == 404
    assert session.get(InspectorGrant, stranger_grant.id).revoked_at is None
    page = admin.get("/grants/")
    assert "Othershire" not in page.get_data(as_text=True)
    assert stranger_grant.public_id not in page.get_data(as_text=True)


def test_grants_and_revocations_are_in_the_log_its_admins_read(sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    inspector = factories.user(Role.INSPECTOR)
    post_form(
        admin,
        "/grants/new",
        _form(
            inspector.email,
            ends=_london_date(utcnow() + timedelta(days=7)),
            reason="Our weak direct payments",
        ),
    )
    [grant] = _grants(session)
    post_form(admin, f"/grants/{grant.public_id}/revoke", {}, form_page="/grants/")
    own_log = text_of(admin.get("/audit/"))
    assert "Granted an inspector access to the authority's figures" in own_log
    assert "Revoked an inspector's access to the authority's figures" in own_log
    assert "Our weak direct payments" in own_log and inspector.email in own_log

    # The network's log says who may see whom and when, never the reason given.
    network = sign_in_as(Role.NETWORK_ADMIN).get("/admin/audit/?action=grant_given")
    check_page(network)
    network_log = text_of(network)
    assert "Granted an inspector access" in network_log and inspector.email in network_log
    assert "Our weak direct payments" not in network_log


# --- the API ------------------------------------------------------------------------------


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api(app_context):
    return app_context.test_client()


def _token(user, scope=TokenScope.READ):
    return factories.api_token(user, scope)[1]


def _moment(moment):
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_the_api_grants_lists_and_revokes(app_context, api, session):
    authority = factories.authority(name="Apishire")
    admin = factories.user(Role.AUTHORITY_ADMIN, authority)
    inspector = factories.user(Role.INSPECTOR, name="Ines Inspector")
    manage = _token(admin, TokenScope.MANAGE)
    expires = (utcnow() + timedelta(days=90)).replace(microsecond=0)
    created = api.post(
        "/api/v1/grants",
        headers=bearer(manage),
        json={
            "inspector_email": inspector.email,
            "expires_at": _moment(expires),
            "reason": "Annual review",
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    [grant] = _grants(session)
    assert body["id"] == grant.public_id and body["status"] == "current"
    assert body["authority"] == {"gss_code": authority.gss_code, "name": "Apishire"}
    assert body["inspector"] == {"email": inspector.email, "name": "Ines Inspector"}
    assert body["expires_at"] == _moment(expires) and body["revoked_at"] is None
    assert body["reason"] == "Annual review"
    assert len(_events(session, "grant_given")) == 1 and len(_outbox(app_context)) == 1

    # The admin lists the authority's grants; the inspector their own, with end times.
    [listed] = api.get("/api/v1/grants", headers=bearer(_token(admin))).get_json()["grants"]
    assert listed == body
    held = api.get("/api/v1/grants", headers=bearer(_token(inspector))).get_json()["grants"]
    assert [item["id"] for item in held] == [grant.public_id]
    assert held[0]["authority"]["name"] == "Apishire" and held[0]["expires_at"] == _moment(expires)

    revoked = api.post(f"/api/v1/grants/{grant.public_id}/revoke", headers=bearer(manage))
    assert revoked.status_code == 200
    assert revoked.get_json()["status"] == "revoked" and revoked.get_json()["revoked_at"]
    assert len(_events(session, "grant_revoked")) == 1 and len(_outbox(app_context)) == 2
    again = api.post(f"/api/v1/grants/{grant.public_id}/revoke", headers=bearer(manage))
    assert again.status_code == 409 and again.mimetype == "application/problem+json"

    # Ended: the inspector's list no longer names the authority, nor gives the reason.
    [ended] = api.get("/api/v1/grants", headers=bearer(_token(inspector))).get_json()["grants"]
    assert ended["status"] == "revoked" and ended["authority"] is None and ended["reason"] is None
    assert "Apishire" not in str(ended) and authority.gss_code not in str(ended)


def test_the_api_refuses_another_authoritys_grant_and_other_roles(api, session):
    own = factories.authority()
    other = factories.authority(name="Othershire")
    admin = factories.user(Role.AUTHORITY_ADMIN, own)
    stranger_grant = factories.grant(factories.user(Role.INSPECTOR), other)
    manage = _token(admin, TokenScope.MANAGE)
    missing = api.post(f"/api/v1/grants/{stranger_grant.public_id}/revoke", headers=bearer(manage))
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert "Othershire" not in missing.get_data(as_text=True)
    assert session.get(InspectorGrant, stranger_grant.id).revoked_at is None
    assert api.get("/api/v1/grants", headers=bearer(manage)).get_json() == {"grants": []}
    # By sequential database id: there is no such address.
    by_id = api.post(f"/api/v1/grants/{stranger_grant.id}/revoke", headers=bearer(manage))
    assert by_id.status_code == 404

    body = {"inspector_email": "x@example.gov.uk", "expires_at": "2099-01-01T00:00:00Z"}
    read = api.post("/api/v1/grants", headers=bearer(_token(admin)), json=body)
    assert read.status_code == 403  # a read token never writes
    publish = api.post(
        "/api/v1/grants", headers=bearer(_token(admin, TokenScope.PUBLISH)), json=body
    )
    assert publish.status_code == 403  # publishing is not managing
    analyst = factories.user(Role.ANALYST, own)
    assert api.get("/api/v1/grants", headers=bearer(_token(analyst))).status_code == 403
    assert [grant.id for grant in _grants(session)] == [stranger_grant.id]


def _api_problems(api, secret, body):
    response = api.post("/api/v1/grants", headers=bearer(secret), json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return {error["field"]: error["message"] for error in response.get_json()["errors"]}


def test_the_api_validates_every_field(app_context, api, session):
    admin = factories.user(Role.AUTHORITY_ADMIN)
    inspector = factories.user(Role.INSPECTOR)
    staff = factories.user(Role.STAFF)
    secret = _token(admin, TokenScope.MANAGE)
    now = utcnow().replace(microsecond=0)

    def body(**change):
        values = {
            "inspector_email": inspector.email,
            "starts_at": _moment(now + timedelta(days=1)),
            "expires_at": _moment(now + timedelta(days=31)),
            "reason": "Review",
        }
        values.update(change)
        return {key: value for key, value in values.items() if value is not ...}

    assert _api_problems(api, secret, {}) == {
        "inspector_email": "Enter the email address of the inspector",
        "expires_at": "Enter when the grant ends",
        "reason": "Enter the reason for the grant",
    }
    cases = [
        (
            body(expires_at=_moment(now + timedelta(hours=1))),
            {"expires_at": "The end must be after the start"},
        ),
        (
            body(
                starts_at=_moment(now + timedelta(days=1)),
                expires_at=_moment(now + timedelta(days=367)),
            ),
            {"expires_at": "A grant can last at most a year: end it sooner"},
        ),
        (
            body(starts_at=_moment(now - timedelta(minutes=5))),
            {"starts_at": "The start must be today or later, not in the past"},
        ),
        (
            body(starts_at="2027-01-01T09:00:00", expires_at="tomorrow"),
            {
                "starts_at": "Enter the start as a date and time with a time zone, like "
                "2027-04-01T09:00:00Z",
                "expires_at": "Enter the end as a date and time with a time zone, like "
                "2027-06-30T17:00:00Z",
            },
        ),
        (  # other scripts' digits are not digits here (DESIGN.md, Data and input)
            body(expires_at="２０２７-01-01T09:00:00Z"),
            {
                "expires_at": "Enter the end as a date and time with a time zone, like "
                "2027-06-30T17:00:00Z"
            },
        ),
        (
            body(inspector_email="nobody@example.gov.uk"),
            {
                "inspector_email": "Enter the email address of an active inspector account, "
                "like inspector@example.gov.uk"
            },
        ),
        (
            body(inspector_email=staff.email),
            {
                "inspector_email": "Enter the email address of an active inspector account, "
                "like inspector@example.gov.uk"
            },
        ),
        (body(reason="x" * 1001), {"reason": "The reason must be 1,000 characters or fewer"}),
        (body(reason=None), {"reason": "Enter the reason for the grant"}),
        (body(extra="field"), {"extra": "Unknown field: remove it"}),
    ]
    for sent, problems in cases:
        assert _api_problems(api, secret, sent) == problems, sent
    assert _grants(session) == [] and _outbox(app_context) == []

    # A start within the last minute is now; exactly a year is allowed.
    ok = api.post(
        "/api/v1/grants",
        headers=bearer(secret),
        json=body(
            starts_at=_moment(utcnow() - timedelta(seconds=30)),
            expires_at=_moment(now + timedelta(days=365)),
        ),
    )
    assert ok.status_code == 201, ok.get_data(as_text=True)
    [grant] = _grants(session)
    assert utcnow() - timedelta(seconds=5) < grant.starts_at <= utcnow()


def test_only_authority_admins_make_manage_tokens(sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    assert 'value="manage"' in admin.get("/account/tokens/new").get_data(as_text=True)
    analyst = sign_in_as(Role.ANALYST)
    assert 'value="manage"' not in analyst.get("/account/tokens/new").get_data(as_text=True)
    refused = post_form(analyst, "/account/tokens/new", {"name": "Sneaky", "scope": "manage"})
    assert "Only authority admins can make tokens that manage" in text_of(refused)
