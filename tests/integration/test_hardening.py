"""Hardening (issue 14): the password policy, sessions' idle and absolute expiry, and the
password again before tokens, inspector grants and managing users.

Attacks are tried as an attacker would: a common password dressed up in case, spaces or
look-alike letters; a session cookie reused after its idle limit; "Stay signed in" pressed
to outlive the absolute limit; a stolen cookie, older than the re-authentication window,
used to mint a token or grant access; an open redirect through ``next``. The clock is the
one boundary replaced (tests/integration/conftest.py), so no test sleeps.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bench import messages
from bench.auth import passwords
from bench.models import (
    ApiToken,
    AuditEvent,
    InspectorGrant,
    Invitation,
    Role,
    User,
    UserSession,
    utcnow,
)
from tests import factories, factories_visits
from tests.pages import check_page, csrf_token, post_form, sign_in, text_of

GOOD_PASSWORD = "violet tractor harbour lemon"
SIGN_IN_REDIRECT = "/sign-in?next=%2F"


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def _actions(session, action):
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _session_of(session, user):
    session.expire_all()
    return session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.id.desc())
    ).first()


# --- the password policy -----------------------------------------------------------------

# On the shipped list as they are (each 12 characters or more, so only the list refuses
# them), then dressed up: case, spaces inside and around, full-width letters (NFKC),
# digits and symbols around a listed word, look-alike characters.
COMMON = [
    "justinbieber",
    "  JustinBieber  ",
    "Justin Bieber",
    "ＪＵＳＴＩＮＢＩＥＢＥＲ",
    "startfinding",
    "Password2024!",
    "P@ssw0rd12345",
    "!!iloveyou123456",
    "Sunshine 1234567",
]
REPETITIVE = [
    "aaaaaaaaaaaa",
    "abcabcabcabc",
    "correct horse correct horse",
    "123456789012",
    "9876543210987",
    "abcdefghijklm",
    "zyxwvutsrqpo",
    "qwertyuiopqwerty",
]


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_are_refused_however_they_are_dressed_up(password):
    with pytest.raises(passwords.InvalidInput) as refused:
        passwords.check(password, password, email="pat@example.gov.uk", name="Pat Kaur")
    assert refused.value.message == messages.PASSWORD_COMMON
    assert refused.value.field == "password"


@pytest.mark.parametrize("password", REPETITIVE)
def test_one_thing_repeated_or_a_run_of_keys_is_refused(password):
    with pytest.raises(passwords.InvalidInput) as refused:
        passwords.check(password, password, email="pat@example.gov.uk", name="Pat Kaur")
    assert refused.value.message == messages.PASSWORD_REPETITIVE


@pytest.mark.parametrize(
    "password",
    ["Priya Sharma is here", "sharma-and-the-bins-42", "PRIYA.SHARMA 2025 go", "bin sharmajobs x"],
)
def test_a_password_with_the_users_name_or_email_is_refused(password):
    with pytest.raises(passwords.InvalidInput) as refused:
        passwords.check(
            password, password, email="priya.sharma@council.gov.uk", name="Priya Sharma"
        )
    assert refused.value.message == messages.PASSWORD_PERSONAL


@pytest.mark.parametrize(
    "password",
    [GOOD_PASSWORD, "correct horse battery staple", "bench-demo-password", "Jo's 3 red kites!"],
)
def test_good_passwords_pass(password):
    # Short parts of a name ("Jo") are not refused: they would turn away good passwords.
    passwords.check(password, password, email="jo@council.gov.uk", name="Jo Li")


def test_the_list_is_substantial_and_read_once_per_process(monkeypatch):
    listed = passwords.common_passwords()
    assert len(listed) >= 19_000
    assert {"123456", "password", "qwerty", "iloveyou", "justinbieber"} <= listed
    assert passwords.common_passwords() is listed
    # Once read, the file is never opened again: checks are set lookups.
    monkeypatch.setattr(passwords, "COMMON_PASSWORDS_FILE", passwords.COMMON_PASSWORDS_FILE / "x")
    assert passwords.is_common("Password2024!")


def test_the_policy_holds_when_accepting_an_invitation(app_context, client, session):
    authority = factories.authority()
    admin = factories.user(Role.AUTHORITY_ADMIN, authority)
    from bench.users.service import invite

    issued = invite(
        admin, authority=authority, email="amara.okafor@council.gov.uk", name="Amara Okafor",
        role=Role.STAFF,
    )  # fmt: skip
    path = f"/invitations/{issued.token}"
    for password, message in [
        (" Password2024! ", messages.PASSWORD_COMMON),
        ("okafor-likes-tea", messages.PASSWORD_PERSONAL),
        ("abcabcabcabcabc", messages.PASSWORD_REPETITIVE),
    ]:
        response = post_form(client, path, {"password": password, "confirm_password": password})
        assert response.status_code == 200
        page = check_page(response)
        assert page.title.startswith("Error:") and message in text_of(response)
        assert 'href="#password"' in response.get_data(as_text=True)  # names the field
    assert session.scalars(select(User).where(User.email == issued.invitation.email)).all() == []
    accepted = post_form(
        client, path, {"password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD}
    )
    assert accepted.status_code == 302


def test_the_policy_holds_when_changing_a_password(app_context, client, session):
    user = factories.user(Role.ANALYST, name="Morgan Ellis")
    user_id, before = user.id, user.password_hash
    sign_in(client, user.email, factories.PASSWORD)
    for password, message in [
        ("MONKEY 12345678", messages.PASSWORD_COMMON),
        ("Ellis drives the van", messages.PASSWORD_PERSONAL),
        ("1111111111111", messages.PASSWORD_REPETITIVE),
    ]:
        data = {
            "current_password": factories.PASSWORD,
            "new_password": password,
            "confirm_password": password,
        }
        response = post_form(client, "/account/password", data)
        assert response.status_code == 200 and message in text_of(response)
        assert 'href="#new_password"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, user_id).password_hash == before


def test_the_policy_holds_for_flask_users_create(app_context, session):
    result = app_context.test_cli_runner().invoke(
        args=[
            "users", "create", "--email", "x@example.gov.uk", "--name", "X",
            "--role", "network_admin", "--password", "Qwerty123456789",
        ]
    )  # fmt: skip
    assert result.exit_code != 0
    assert messages.PASSWORD_COMMON in result.output
    assert session.scalars(select(User)).all() == []


# --- idle and absolute expiry ----------------------------------------------------------------


def _signed_in(app_context, role=Role.ANALYST):
    user = factories.user(role)
    client = app_context.test_client()
    assert sign_in(client, user.email, factories.PASSWORD).status_code == 302
    client.user = user
    return client


def test_an_idle_session_is_signed_out_and_its_cookie_is_worthless(app_context, session, clock):
    start = utcnow()
    client = _signed_in(app_context)
    clock.set(start + timedelta(minutes=29))
    assert client.get("/").status_code == 200  # active: the idle limit starts again
    clock.set(start + timedelta(minutes=58))
    assert client.get("/").status_code == 200
    clock.set(start + timedelta(minutes=58 + 30, seconds=1))
    stale = client.get("/")
    assert stale.status_code == 302 and stale.headers["Location"] == SIGN_IN_REDIRECT
    told = client.get(stale.headers["Location"])
    assert messages.SESSION_ENDED in text_of(told)  # why, not just "sign in"
    assert messages.SIGN_IN_REQUIRED not in text_of(told)
    # Coming back with the same cookie later does not revive it.
    clock.set(start + timedelta(minutes=58 + 30, seconds=5))
    assert client.get("/").status_code == 302


def test_a_visitor_who_never_signed_in_is_simply_asked_to(client, session):
    response = client.get("/account")
    assert response.headers["Location"] == "/sign-in?next=%2Faccount"
    told = text_of(client.get(response.headers["Location"]))
    assert messages.SIGN_IN_REQUIRED in told and messages.SESSION_ENDED not in told


def test_last_activity_is_written_at_most_once_a_minute(app_context, session, clock):
    start = utcnow()
    client = _signed_in(app_context)
    signed_in_at = _session_of(session, client.user).last_seen_at
    for seconds in (10, 30, 59):
        clock.set(start + timedelta(seconds=seconds))
        assert client.get("/account").status_code == 200
        assert _session_of(session, client.user).last_seen_at == signed_in_at  # no write
    clock.set(start + timedelta(seconds=61))
    client.get("/account")
    assert _session_of(session, client.user).last_seen_at == start + timedelta(seconds=61)


def test_an_active_session_still_ends_at_its_absolute_limit(app_context, session, clock):
    start = utcnow()
    client = _signed_in(app_context)
    for minutes in range(20, 8 * 60, 20):  # a request every 20 minutes for 8 hours
        clock.set(start + timedelta(minutes=minutes))
        assert client.get("/").status_code == 200, minutes
    clock.set(start + timedelta(hours=8, seconds=1))
    assert client.get("/").headers["Location"] == SIGN_IN_REDIRECT


def test_stay_signed_in_cannot_pass_the_absolute_limit(app_context, session, clock):
    start = utcnow()
    client = _signed_in(app_context, Role.STAFF)
    record = _session_of(session, client.user)
    absolute = record.expires_at
    token = csrf_token(client, "/account")
    for minutes in range(25, 8 * 60, 25):  # "Stay signed in" pressed all day long
        clock.set(start + timedelta(minutes=minutes))
        answer = client.post("/visits/session", json={}, headers={"X-CSRFToken": token})
        assert answer.status_code == 200, minutes
    clock.set(start + timedelta(hours=8) - timedelta(minutes=1))
    answer = client.post("/visits/session", json={}, headers={"X-CSRFToken": token}).get_json()
    # Sixty seconds left, and the button cannot change that.
    assert answer == {"expires_in": 60, "extendable": False}
    assert _session_of(session, client.user).expires_at == absolute
    clock.set(start + timedelta(hours=8, seconds=1))
    assert client.get("/").headers["Location"] == SIGN_IN_REDIRECT
    refused = client.post("/visits/session", json={}, headers={"X-CSRFToken": token})
    assert refused.status_code == 302  # signed out: the script shows "signed out"


def test_a_session_pushed_past_its_limit_before_the_fix_still_ends_on_time(
    app_context, session, clock
):
    """Before 0011, "Stay signed in" moved expires_at on without end: the limit is
    counted from signing in, so such a session ends all the same (and so does every open
    session when BENCH_SESSION_HOURS is lowered)."""
    start = utcnow()
    client = _signed_in(app_context)
    record = _session_of(session, client.user)
    session.execute(
        update(UserSession)
        .where(UserSession.id == record.id)
        .values(expires_at=start + timedelta(days=3), last_seen_at=start + timedelta(hours=8))
    )
    session.commit()
    clock.set(start + timedelta(hours=8, seconds=1))
    assert client.get("/").headers["Location"] == SIGN_IN_REDIRECT


def test_the_editor_shows_the_sooner_of_idle_and_absolute(app_context, session, sign_in_as):
    net = factories_visits.Network()
    client = sign_in_as(Role.STAFF, net.own)
    visit = factories_visits.visit(net.own, net.host)
    note = factories_visits.note(visit, body="Published text", author=client.user)
    start = utcnow()
    record = _session_of(session, client.user)
    path = f"/visits/notes/{note.public_id}/edit"
    idle = client.get(path).get_data(as_text=True)
    assert 'data-extendable="true"' in idle
    # Seven and three-quarter hours after signing in, the absolute limit comes first.
    session.execute(
        update(UserSession)
        .where(UserSession.id == record.id)
        .values(created_at=start - timedelta(hours=7, minutes=45))
    )
    session.commit()
    late = client.get(path)
    body = late.get_data(as_text=True)
    assert 'data-extendable="false"' in body
    seconds = int(body.split('data-expires-in="')[1].split('"')[0])
    assert 14 * 60 < seconds <= 15 * 60
    assert "longest time allowed" in text_of(late)


def test_an_anonymous_staff_view_writes_no_session_activity(app_context, session, clock):
    start = utcnow()
    client = _signed_in(app_context, Role.STAFF)
    token = csrf_token(client, "/account")
    before = _session_of(session, client.user).last_seen_at
    clock.set(start + timedelta(minutes=5))
    response = client.post(
        "/staff-views/",
        data={
            "key_area": "staff_acceptance",
            "review": "",
            "body": "The rota changes too late",
            "anonymous": "true",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert _session_of(session, client.user).last_seen_at == before


# --- the password again: tokens, grants, managing users ---------------------------------


def _stale(clock, minutes=16):
    """Move on *minutes* (the window is 15) since the password was last entered, as for
    a stolen cookie or a computer left unlocked: within the idle limit, so the session
    itself is still open."""
    clock.set(utcnow() + timedelta(minutes=minutes))


def _confirm_page(path):
    from urllib.parse import quote

    return f"/account/confirm-password?next={quote(path, safe='/')}"


def test_signing_in_counts_as_entering_the_password(app_context, session):
    client = _signed_in(app_context)
    form = {"name": "Upload script", "scope": "read", "expires_in_days": ""}
    response = post_form(client, "/account/tokens/new", form)
    assert response.status_code == 200 and "bench_" in response.get_data(as_text=True)
    assert _count(session, ApiToken) == 1


def test_a_stolen_session_older_than_the_window_cannot_mint_a_token(app_context, session, clock):
    client = _signed_in(app_context)
    _stale(clock)
    token = csrf_token(client, "/account")
    form = {"name": "Exfiltrate", "scope": "read", "expires_in_days": "", "csrf_token": token}
    response = client.post("/account/tokens/new", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == _confirm_page("/account/tokens/new")
    assert _count(session, ApiToken) == 0
    assert _actions(session, "api_token_created") == []
    # The page itself sends them to confirm too, and the notice says nothing was done.
    assert client.get("/account/tokens/new").headers["Location"] == _confirm_page(
        "/account/tokens/new"
    )
    confirm = client.get(response.headers["Location"])
    check_page(confirm)
    assert messages.REAUTH_NOTHING_DONE in text_of(confirm)


def test_confirming_the_password_returns_to_the_page_and_is_audited(app_context, session, clock):
    client = _signed_in(app_context)
    _stale(clock)
    page = _confirm_page("/account/tokens/new")
    wrong = post_form(client, page, {"password": "not my password at all"})
    assert wrong.status_code == 200
    assert wrong.request.path == "/account/confirm-password"
    form = check_page(wrong)
    assert form.title.startswith("Error:") and messages.REAUTH_WRONG in text_of(wrong)
    assert len(_actions(session, "reauthentication_failed")) == 1
    right = post_form(client, page, {"password": factories.PASSWORD})
    assert right.status_code == 302 and right.headers["Location"] == "/account/tokens/new"
    assert len(_actions(session, "reauthenticated")) == 1
    form = {"name": "Upload script", "scope": "read", "expires_in_days": ""}
    created = post_form(client, "/account/tokens/new", form)
    assert created.status_code == 200 and _count(session, ApiToken) == 1


def test_confirming_counts_for_this_session_only(app_context, session, clock):
    user = factories.user(Role.ANALYST)
    first, second = app_context.test_client(), app_context.test_client()
    for client in (first, second):
        sign_in(client, user.email, factories.PASSWORD)
        client.user = user
    _stale(clock)
    post_form(first, "/account/confirm-password", {"password": factories.PASSWORD})
    assert first.get("/account/tokens/new").status_code == 200
    assert second.get("/account/tokens/new").status_code == 302


def test_the_window_is_a_setting(app_context, session, clock, monkeypatch):
    monkeypatch.setitem(app_context.config, "REAUTHENTICATION_WINDOW", timedelta(minutes=5))
    start = utcnow()
    client = _signed_in(app_context)
    clock.set(start + timedelta(minutes=4, seconds=59))
    assert client.get("/account/tokens/new").status_code == 200
    clock.set(start + timedelta(minutes=5, seconds=1))
    assert client.get("/account/tokens/new").status_code == 302


class Admin:
    """An authority admin signed in, with a staff user and an inspector's grant to act on."""

    def __init__(self, app_context):
        self.client = _signed_in(app_context, Role.AUTHORITY_ADMIN)
        self.authority = self.client.user.authority
        self.staff = factories.user(Role.STAFF, self.authority)
        self.inactive = factories.user(Role.STAFF, self.authority, active=False)
        self.inspector = factories.user(Role.INSPECTOR)
        grant = factories.grant(self.inspector, self.authority)
        self.grant_id, self.grant_public_id = grant.id, grant.public_id
        self.staff_id, self.inactive_id = self.staff.id, self.inactive.id


def _state(session, admin):
    session.expire_all()
    return (
        _count(session, Invitation),
        _count(session, InspectorGrant),
        session.get(InspectorGrant, admin.grant_id).revoked_at,
        session.get(User, admin.staff_id).active,
        session.get(User, admin.inactive_id).active,
    )


def _actions_for(admin):
    ends = (utcnow() + timedelta(days=20)).date()
    return {
        "invite": (
            "/users/invite",
            {"email": "new.person@council.gov.uk", "name": "New Person", "role": "staff"},
            "/users/invite",
        ),
        "grant": (
            "/grants/new",
            {
                "inspector_email": factories.user(Role.INSPECTOR).email,
                "ends_on": [str(ends.day), str(ends.month), str(ends.year)],
                "reason": "Inspection",
            },
            "/grants/new",
        ),
        "revoke grant": (f"/grants/{admin.grant_public_id}/revoke", {}, "/grants/"),
        "deactivate": (f"/users/{admin.staff_id}/deactivate", {}, "/users/"),
        "reactivate": (f"/users/{admin.inactive_id}/reactivate", {}, "/users/"),
    }


@pytest.mark.parametrize("action", ["invite", "grant", "revoke grant", "deactivate", "reactivate"])
def test_managing_users_and_grants_needs_the_password_again(app_context, session, action, clock):
    admin = Admin(app_context)
    path, data, back = _actions_for(admin)[action]
    before = _state(session, admin)
    _stale(clock)
    token = csrf_token(admin.client, "/account")
    refused = admin.client.post(path, data={**data, "csrf_token": token})
    assert refused.status_code == 302 and refused.headers["Location"] == _confirm_page(back)
    assert _state(session, admin) == before  # nothing done
    # Confirming goes back to the form or list, and the same request then works.
    confirmed = post_form(admin.client, _confirm_page(back), {"password": factories.PASSWORD})
    assert confirmed.headers["Location"] == back
    done = admin.client.post(path, data={**data, "csrf_token": token})
    assert done.status_code == 302 and not done.headers["Location"].startswith("/account")
    assert _state(session, admin) != before


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "https:evil.example",
    ],
)
def test_confirming_never_sends_anyone_to_another_site(app_context, session, target, clock):
    client = _signed_in(app_context)
    _stale(clock)
    token = csrf_token(client, "/account")
    response = client.post(
        "/account/confirm-password",
        query_string={"next": target},
        data={"password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_confirming_shares_the_sign_in_limits(app_context, session):
    """A stolen cookie earns no extra guesses: failures to confirm count with failures to
    sign in to the same account from the same address."""
    client = _signed_in(app_context)
    limit = int(app_context.config["SIGN_IN_LIMIT_PER_ACCOUNT_AND_ADDRESS"].split()[0])
    sign_in(app_context.test_client(), client.user.email, "a wrong guess")
    for attempt in range(limit - 1):
        response = post_form(client, "/account/confirm-password", {"password": "wrong guess"})
        assert response.status_code == 200, attempt
    blocked = post_form(client, "/account/confirm-password", {"password": factories.PASSWORD})
    assert blocked.status_code == 429
    check_page(blocked)
    assert (
        sign_in(app_context.test_client(), client.user.email, factories.PASSWORD).status_code == 429
    )


def test_the_api_takes_no_cookie_for_these_actions(app_context, session):
    """The JSON API never counts a session cookie (bench.access), so a cookie, however
    fresh, cannot grant or revoke there: 401 problem+json, nothing written."""
    admin = Admin(app_context)
    inspector = factories.user(Role.INSPECTOR)
    before = _state(session, admin)
    ends = (utcnow() + timedelta(days=20)).isoformat()
    created = admin.client.post(
        "/api/v1/grants", json={"inspector_email": inspector.email, "expires_at": ends}
    )
    revoked = admin.client.post(f"/api/v1/grants/{admin.grant_public_id}/revoke")
    for response in (created, revoked):
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["detail"] == messages.API_TOKEN_REQUIRED
    assert _state(session, admin) == before


# --- migration 0011 ----------------------------------------------------------------------


def test_0011_keeps_open_sessions_open_and_asks_them_for_the_password(backend, tmp_path_factory):
    """Sessions open before 0011 count as active when it runs (a deploy signs no one out)
    and as authenticated when they were opened; 0011 goes back without losing them."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from bench.extensions import db
    from tests.conftest import empty_database, make_app

    url, drop = empty_database(backend, tmp_path_factory, "bench_migrate_sessions")
    try:
        app = make_app(url)
        with app.app_context():
            upgrade(revision="0010")
            with db.engine.begin() as connection:
                run = connection.exec_driver_sql
                run(
                    "INSERT INTO users (id, email, name, password_hash, role, active, "
                    "created_at) VALUES (1, 'n@example.gov.uk', 'N', 'x', 'network_admin', "
                    "true, '2026-01-01 00:00:00+00')"
                )
                run(
                    "INSERT INTO user_sessions (id, user_id, token_hash, created_at, "
                    "expires_at) VALUES (1, 1, 'h', '2026-01-01 09:00:00+00', "
                    "'2026-01-01 17:00:00+00')"
                )
            before = utcnow()
            upgrade()
            record = db.session.get(UserSession, 1)
            assert record.reauthenticated_at == record.created_at
            assert before - timedelta(seconds=1) <= record.last_seen_at <= utcnow()
            db.session.rollback()
            downgrade(revision="0010")
            with db.engine.connect() as connection:
                columns = {c["name"] for c in inspect(connection).get_columns("user_sessions")}
                assert not {"last_seen_at", "reauthenticated_at"} & columns
                rows = connection.exec_driver_sql("SELECT id, token_hash FROM user_sessions")
                assert rows.all() == [(1, "h")]
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
