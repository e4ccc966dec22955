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
