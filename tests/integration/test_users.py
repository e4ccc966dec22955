"""Authority admins invite and deactivate their own users; invitations expire."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bench.models import Invitation, Role, User, utcnow
from tests import factories
from tests.pages import check_page, post_form, sign_in, text_of


def _outbox(app):
    return app.extensions["bench.mail_sender"].outbox


def _invite(client, **fields):
    data = {"name": "Ada Lovelace", "email": "ada@example.gov.uk", "role": "analyst", **fields}
    return post_form(client, "/users/invite", data)


def _link(app):
    message = _outbox(app)[-1]
    return re.search(r"http://localhost(/invitations/\S+)", message.body).group(1)


def test_admin_invites_a_user_who_accepts(app_context, sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    response = _invite(admin)
    assert response.status_code == 302
    message = _outbox(app_context)[-1]
    assert message.to == "ada@example.gov.uk"
    assert admin.user.authority.name in message.body

    newcomer = app_context.test_client()
    page = newcomer.get(_link(app_context))
    assert page.status_code == 200
    check_page(page)
    assert admin.user.authority.name in text_of(page)
    password = "a long and memorable password"
    accepted = post_form(
        newcomer, _link(app_context), {"password": password, "confirm_password": password}
    )
    assert accepted.status_code == 302
    user = session.scalars(select(User).where(User.email == "ada@example.gov.uk")).one()
    assert user.role is Role.ANALYST
    assert user.authority_id == admin.user.authority_id
    assert newcomer.get("/").status_code == 200
    # The link works once.
    assert app_context.test_client().get(_link(app_context)).status_code == 404


def test_an_expired_invitation_is_refused(app_context, sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    _invite(admin)
    invitation = session.scalars(select(Invitation)).one()
    invitation.created_at = utcnow() - timedelta(days=8)
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    response = app_context.test_client().get(_link(app_context))
    assert response.status_code == 404
    check_page(response)
    assert "not valid" in text_of(response)
    password = "a long and memorable password"
    refused = app_context.test_client().post(
        _link(app_context), data={"password": password, "confirm_password": password}
    )
    assert refused.status_code in (400, 404)
    assert session.scalars(select(User).where(User.email == "ada@example.gov.uk")).first() is None


def test_invitation_validation_messages(app_context, sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    existing = factories.user(Role.STAFF, admin.user.authority)
    cases = [
        ({"email": "not an email"}, "Enter an email address in the correct format"),
        ({"name": ""}, "Enter the person's name"),
        ({"role": ""}, "Select a role"),
        ({"role": "network_admin"}, "Not a valid choice"),
        ({"email": existing.email}, "already uses this email address"),
    ]
    for fields, message in cases:
        response = _invite(admin, **fields)
        assert response.status_code == 200, fields
        check_page(response)
        assert message in text_of(response), fields
    assert _outbox(app_context) == []
    assert session.scalars(select(Invitation)).all() == []


def test_network_admin_invites_to_any_authority(app_context, sign_in_as, session):
    other = factories.authority()
    admin = sign_in_as(Role.NETWORK_ADMIN)
    assert _invite(admin, authority=str(other.id)).status_code == 302
    invitation = session.scalars(select(Invitation)).one()
    assert invitation.authority_id == other.id


def test_authority_admin_cannot_pick_another_authority(app_context, sign_in_as, session):
    other = factories.authority()
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    assert _invite(admin, authority=str(other.id)).status_code == 302
    invitation = session.scalars(select(Invitation)).one()
    assert invitation.authority_id == admin.user.authority_id


def test_deactivation_ends_the_users_sessions(app_context, sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    colleague = factories.user(Role.ANALYST, admin.user.authority)
    their_browser = app_context.test_client()
    sign_in(their_browser, colleague.email, factories.PASSWORD)
    assert their_browser.get("/").status_code == 200
    response = post_form(admin, f"/users/{colleague.id}/deactivate", {}, form_page="/users/")
    assert response.status_code == 302
    assert their_browser.get("/").status_code == 302
    assert (
        sign_in(app_context.test_client(), colleague.email, factories.PASSWORD).status_code == 200
    )
    post_form(admin, f"/users/{colleague.id}/reactivate", {}, form_page="/users/")
    assert (
        sign_in(app_context.test_client(), colleague.email, factories.PASSWORD).status_code == 302
    )


@pytest.mark.parametrize("action", ["deactivate", "reactivate"])
def test_admins_cannot_touch_other_authorities_users(app_context, sign_in_as, session, action):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    stranger = factories.user(Role.ANALYST)
    response = post_form(admin, f"/users/{stranger.id}/{action}", {}, form_page="/users/")
    assert response.status_code == 404
    assert session.get(User, stranger.id).active


def test_admin_cannot_deactivate_themselves(app_context, sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    post_form(admin, f"/users/{admin.user.id}/deactivate", {}, form_page="/users/")
    assert admin.get("/").status_code == 200


def test_user_list_shows_only_own_authority(app_context, sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    colleague = factories.user(Role.STAFF, admin.user.authority)
    stranger = factories.user(Role.STAFF)
    page = admin.get("/users/")
    check_page(page)
    text = text_of(page)
    assert colleague.email in text
    assert stranger.email not in text
    assert stranger.authority.name not in text


# --- the list: search and pages ------------------------------------------------------------


@pytest.fixture
def network_admin_and_many(sign_in_as, session):
    """A network admin, and 120 users of three councils (with the admin, 121 in all)."""
    admin = sign_in_as(Role.NETWORK_ADMIN, name="Aaron Admin")
    councils = [
        factories.authority(name=name) for name in ("Hartlepool", "Middlesbrough", "Stockton")
    ]
    for number in range(120):
        factories.user(
            Role.STAFF,
            councils[number % 3],
            name=f"Person {number:03d}",
            email=f"person{number:03d}@{councils[number % 3].name.lower()}.example",
        )
    return admin


def test_the_list_is_paged_fifty_at_a_time_with_the_count(network_admin_and_many):
    admin = network_admin_and_many
    first = admin.get("/users/")
    page = check_page(first)
    text = text_of(first)
    assert "121 users, page 1 of 3" in text
    assert page.title.startswith("Users – page 1 of 3")
    body = first.get_data(as_text=True)
    assert body.count('<tr class="govuk-table__row">') == 51  # the heading row and 50
    assert 'class="govuk-pagination"' in body and 'href="/users/?page=2"' in body
    last = admin.get("/users/?page=3")
    check_page(last)
    assert "121 users, page 3 of 3" in text_of(last)
    assert "Person 119" in text_of(last) and "Person 000" not in text_of(last)


def test_search_by_name_email_or_authority(network_admin_and_many):
    admin = network_admin_and_many
    by_name = text_of(admin.get("/users/?q=person+007"))
    assert "1 user matches ‘person 007’" in by_name and "Person 007" in by_name
    by_authority = admin.get("/users/?q=hartlepool")
    assert "40 users match ‘hartlepool’" in text_of(by_authority)
    by_email = text_of(admin.get("/users/?q=%40stockton.example"))
    assert "40 users match ‘@stockton.example’" in by_email
    # Words each narrow the search, any case, and the pages keep the search.
    both = admin.get("/users/?q=MIDDLESBROUGH+person+01")
    assert "5 users match" in text_of(both)  # 001, 010, 013, 016, 019
    many = admin.get("/users/?q=person")
    assert 'href="/users/?q=person&amp;page=2"' in many.get_data(as_text=True)
    # LIKE's wildcards are letters like any other.
    assert "0 users match ‘%’" in text_of(admin.get("/users/?q=%25"))
    assert "0 users match ‘_’" in text_of(admin.get("/users/?q=_"))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=two", "Page must be a whole number, like 2"),
        ("page=1.5", "Page must be a whole number, like 2"),
        ("page=0", "Page must be from 1 to 1,000,000"),
        ("page=-3", "Page must be from 1 to 1,000,000"),
        ("page=99999999999999999999", "Page must be from 1 to 1,000,000"),
        ("q=" + "x" * 201, "Search must be 200 characters or fewer"),
        ("q=" + "+".join("abcdefghijk"), "Search for 10 words or fewer"),
        ("q=a%01b", "control characters"),
    ],
)
def test_bad_search_or_page_is_refused_by_name(network_admin_and_many, query, message):
    response = network_admin_and_many.get(f"/users/?{query}")
    assert response.status_code == 400
    page = check_page(response)
    assert page.title.startswith("Error:")
    text = text_of(response)
    assert "There is a problem" in text and message in text
    assert "Person 000" not in text


def test_a_page_past_the_last_is_not_found(network_admin_and_many):
    assert network_admin_and_many.get("/users/?page=4").status_code == 404
    assert network_admin_and_many.get("/users/?q=stockton&page=2").status_code == 404


def test_an_authority_admins_search_stays_in_their_authority(sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    colleague = factories.user(Role.STAFF, admin.user.authority, name="Shared Name")
    stranger = factories.user(Role.STAFF, name="Shared Name")
    text = text_of(admin.get("/users/?q=shared"))
    assert "1 user matches ‘shared’" in text
    assert colleague.email in text and stranger.email not in text
    assert "0 users match" in text_of(admin.get(f"/users/?q={stranger.authority.name}"))
