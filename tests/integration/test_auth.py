"""Signing in and out, server-side sessions, rate limits and CSRF (DESIGN.md, Accounts)."""

import base64
import json
import zlib

import pytest
from sqlalchemy import func, select

from bench import messages
from bench.models import AuditEvent, Role, UserSession
from tests import factories
from tests.pages import check_page, csrf_token, post_form, sign_in, text_of


def test_sign_in_opens_a_session_and_shows_home(client, session):
    user = factories.user(Role.ANALYST)
    response = sign_in(client, user.email, factories.PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert user.authority.name in text_of(home)
    assert session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_sign_in_is_case_insensitive_on_email(client, session):
    user = factories.user(Role.STAFF)
    assert sign_in(client, user.email.upper(), factories.PASSWORD).status_code == 302


@pytest.mark.parametrize("which", ["wrong password", "unknown account", "deactivated"])
def test_every_failure_says_the_same_thing(client, session, which):
    user = factories.user(Role.ANALYST)
    email, password = user.email, factories.PASSWORD
    if which == "wrong password":
        password = "not the password at all"
    elif which == "unknown account":
        email = "nobody@example.gov.uk"
    else:
        user.active = False
        session.commit()
    response = sign_in(client, email, password)
    assert response.status_code == 200
    check_page(response)
    assert messages.SIGN_IN_FAILED in text_of(response)
    assert client.get("/").status_code == 302  # still signed out


def test_unknown_account_costs_a_password_check(app_context, monkeypatch):
    from bench import security
    from bench.auth import service

    calls = []
    original = security.verify_password
    monkeypatch.setattr(security, "verify_password", lambda h, p: calls.append(h) or original(h, p))
    with pytest.raises(service.InvalidInput):
        service.sign_in("nobody@example.gov.uk", "whatever")
    assert calls == [None]  # the dummy hash was checked, so timing matches a real account


def test_session_cookie_names_the_session_only(client, session):
    user = factories.user(Role.AUTHORITY_ADMIN)
    sign_in(client, user.email, factories.PASSWORD)
    cookie = client.get_cookie("bench_session").value
    payload = cookie.split(".")[1] if cookie.startswith(".") else cookie.split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    data = json.loads(zlib.decompress(raw) if cookie.startswith(".") else raw)
    text = json.dumps(data)
    for leak in (user.email, user.role.value, user.authority.name, user.authority.gss_code):
        assert leak not in text
    assert str(user.id) != data.get("_user_id")


def _copy_cookie(app, source):
    thief = app.test_client()
    thief.set_cookie("bench_session", source.get_cookie("bench_session").value)
    return thief


def test_sign_out_ends_the_session_on_the_server(app_context, client, session):
    user = factories.user(Role.STAFF)
    sign_in(client, user.email, factories.PASSWORD)
    thief = _copy_cookie(app_context, client)
    assert thief.get("/").status_code == 200
    response = post_form(client, "/sign-out", {}, form_page="/account")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert thief.get("/").status_code == 302  # the copied cookie is refused
    assert session.scalars(select(UserSession.end_reason)).all() == ["signed_out"]


def test_password_change_ends_every_other_session(app_context, client, session):
    user = factories.user(Role.ANALYST)
    sign_in(client, user.email, factories.PASSWORD)
    other = app_context.test_client()
    sign_in(other, user.email, factories.PASSWORD)
    stolen = _copy_cookie(app_context, client)
    new_password = "a brand new long password"
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": factories.PASSWORD,
            "new_password": new_password,
            "confirm_password": new_password,
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this browser gets a fresh session
    assert other.get("/").status_code == 302
    assert stolen.get("/").status_code == 302
    fresh = app_context.test_client()
    assert sign_in(fresh, user.email, new_password).status_code == 302


def test_password_change_rules(client, session):
    user = factories.user(Role.ANALYST)
    sign_in(client, user.email, factories.PASSWORD)
    cases = [
        ({"current_password": "wrong"}, messages.CURRENT_PASSWORD_WRONG),
        ({"new_password": "short", "confirm_password": "short"}, "12 characters or more"),
        ({"confirm_password": "something else entirely"}, messages.PASSWORDS_DIFFER),
    ]
    for change, message in cases:
        data = {
            "current_password": factories.PASSWORD,
            "new_password": "a long enough password",
            "confirm_password": "a long enough password",
            **change,
        }
        response = post_form(client, "/account/password", data)
        assert response.status_code == 200
        page = check_page(response)
        assert message in text_of(response)
        assert page.title.startswith("Error:")


def test_sign_in_limit_per_account_and_address(app_context, session):
    user = factories.user(Role.ANALYST)
    limit = int(app_context.config["SIGN_IN_LIMIT_PER_ACCOUNT_AND_ADDRESS"].split()[0])
    for attempt in range(limit):
        client = app_context.test_client()  # a new browser each time: the limit follows the account
        assert sign_in(client, user.email, "wrong password").status_code == 200, attempt
    blocked = sign_in(app_context.test_client(), user.email, factories.PASSWORD)
    assert blocked.status_code == 429
    check_page(blocked)
    # The limit for an account that does not exist looks exactly the same.
    for _ in range(limit):
        sign_in(app_context.test_client(), "ghost@example.gov.uk", "x")
    ghost = sign_in(app_context.test_client(), "ghost@example.gov.uk", "x")
    assert ghost.status_code == 429
    assert text_of(ghost) == text_of(blocked)


def test_successful_sign_ins_do_not_count_towards_the_limit(app_context, session):
    user = factories.user(Role.ANALYST)
    for _ in range(8):
        client = app_context.test_client()
        assert sign_in(client, user.email, factories.PASSWORD).status_code == 302


def test_sign_in_limit_per_address(app_context, session):
    limit = int(app_context.config["SIGN_IN_LIMIT_PER_ADDRESS"].split()[0])
    client = app_context.test_client()
    for number in range(limit):
        assert sign_in(client, f"guess{number}@example.gov.uk", "x").status_code == 200
    assert sign_in(client, "another@example.gov.uk", "x").status_code == 429


def _browser_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_an_attacker_cannot_lock_the_owner_out(app_context, session):
    """Failures from one address throttle that address for that account, not the owner
    elsewhere (OWASP ASVS 5.0 V6.3; NIST SP 800-63B 5.2.2)."""
    user = factories.user(Role.ANALYST)
    attacker = "192.0.2.66"  # RFC 5737 documentation addresses
    for attempt in range(30):
        response = sign_in(_browser_at(app_context, attacker), user.email, "guess")
        assert response.status_code in (200, 429), attempt
    assert response.status_code == 429  # the attacker is throttled
    owner = sign_in(_browser_at(app_context, "198.51.100.7"), user.email, factories.PASSWORD)
    assert owner.status_code == 302


def test_failures_for_one_account_from_many_addresses_meet_a_ceiling(app_context, session):
    """A higher per-account ceiling slows guessing spread over many addresses; an
    unknown account meets the same ceiling with the same page."""
    pair = int(app_context.config["SIGN_IN_LIMIT_PER_ACCOUNT_AND_ADDRESS"].split()[0])
    ceiling = int(app_context.config["SIGN_IN_LIMIT_PER_ACCOUNT"].split()[0])
    assert ceiling > pair
    user = factories.user(Role.ANALYST)
    pages = []
    for email in (user.email, "ghost@example.gov.uk"):
        for attempt in range(ceiling):
            address = f"203.0.113.{attempt // pair + 1}"
            response = sign_in(_browser_at(app_context, address), email, "guess")
            assert response.status_code == 200, attempt
        pages.append(sign_in(_browser_at(app_context, "203.0.113.250"), email, "guess"))
    assert [page.status_code for page in pages] == [429, 429]
    assert text_of(pages[0]) == text_of(pages[1])


def test_forms_without_a_csrf_token_are_refused(client, session):
    user = factories.user(Role.ANALYST)
    response = client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    check_page(response)
    assert client.get("/").status_code == 302
    sign_in(client, user.email, factories.PASSWORD)
    assert client.post("/sign-out").status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_csrf_token_from_another_session_is_refused(app_context, session):
    user = factories.user(Role.ANALYST)
    attacker = app_context.test_client()
    token = csrf_token(attacker, "/sign-in")
    victim = app_context.test_client()
    sign_in(victim, user.email, factories.PASSWORD)
    assert victim.post("/sign-out", data={"csrf_token": token}).status_code == 400


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/account", "/account"), ("https://evil.example/", "/"), ("//evil.example/", "/")],
)
def test_sign_in_returns_only_to_pages_on_this_site(client, session, target, expected):
    user = factories.user(Role.STAFF)
    token = csrf_token(client, "/sign-in")
    response = client.post(
        f"/sign-in?next={target}",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == expected


def test_sign_ins_and_failures_are_audited(client, session):
    user = factories.user(Role.ANALYST)
    sign_in(client, user.email, "wrong password")
    sign_in(client, user.email, factories.PASSWORD)
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["sign_in_failed", "signed_in"]
