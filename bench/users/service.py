"""Managing users: invitations by expiring link, deactivation, the user list."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from marshmallow import ValidationError

from bench import audit, messages, security
from bench.access import Permission, can_manage_users, has_permission
from bench.auditlog.service import LogPage
from bench.auth import queries
from bench.errors import Conflict, InvalidInput, NotAllowed, NotFound, RowError
from bench.extensions import db
from bench.mail import Message
from bench.models import AUTHORITY_ROLES, Authority, Invitation, Role, User, utcnow
from bench.users import queries as user_queries
from bench.users.schemas import UserListQuerySchema


def may_manage(admin: User, user: User) -> bool:
    """Network admins manage everyone; authority admins their own authority's users."""
    if has_permission(admin, Permission.MANAGE_NETWORK):
        return True
    return user.authority_id is not None and can_manage_users(admin, user.authority_id)


PER_PAGE = 50


@dataclass(frozen=True)
class UserList:
    """One page of the users an admin may manage, found by the words searched for."""

    users: list[User]
    number: int
    pages: int
    total: int  # users on every page
    words: str  # as searched for, "" for everyone
    errors: list[RowError] = field(default_factory=list)

    # First, last and the current page's neighbours, with gaps: as the audit log pages.
    page_numbers = LogPage.page_numbers


def list_users(admin: User, args: Mapping[str, Any]) -> UserList:
    """The users *admin* may manage (a network admin everyone, an authority admin their
    own authority's), 50 a page, those whose name, email address or authority has every
    word of the search. Bad parameters come back as errors naming them, with no list; a
    page past the last is not found."""
    try:
        query = UserListQuerySchema().load(args)
    except ValidationError as error:
        problems = error.messages if isinstance(error.messages, dict) else {}
        errors = [
            RowError(None, name, str(said[0] if isinstance(said, list) else said))
            for name, said in problems.items()
        ]
        return UserList([], 1, 1, 0, "", errors)
    authority_id = None if has_permission(admin, Permission.MANAGE_NETWORK) else admin.authority_id
    words, page = query["q"], query["page"]
    users, total = user_queries.users_page(authority_id, words.split(), page, PER_PAGE)
    pages = max(1, math.ceil(total / PER_PAGE))
    if page > pages:
        raise NotFound("No such page")
    return UserList(users, page, pages, total, words)


def current_authorities() -> list[Authority]:
    return user_queries.current_authorities()


def invitation_message(issued: IssuedInvitation, link: str) -> Message:
    invitation = issued.invitation
    return Message(
        to=invitation.email,
        subject="You have been invited to bench",
        body=(
            f"Hello {invitation.name},\n\n"
            f"You have been invited to bench as {invitation.role.label.lower()} for "
            f"{invitation.authority.name}.\n\nCreate your account with this link: {link}\n\n"
            f"The link works once, until {invitation.expires_at:%-d %B %Y %H:%M} UTC."
        ),
    )


def authority_for(admin: User, authority_id: int | None) -> Authority:
    """The authority an invitation is for: the admin's own, or (network admins) any."""
    if not has_permission(admin, Permission.MANAGE_NETWORK):
        authority_id = admin.authority_id
    authority = user_queries.authority(authority_id) if authority_id else None
    if authority is None:
        raise InvalidInput(messages.AUTHORITY_REQUIRED, field="authority")
    return authority


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


def invite(
    admin: User, *, authority: Authority, email: str, name: str, role: Role
) -> IssuedInvitation:
    if not can_manage_users(admin, authority):
        raise NotAllowed("You may not invite users to this authority")
    if role not in AUTHORITY_ROLES:
        raise InvalidInput(messages.ROLE_REQUIRED, field="role")
    email = email.strip().lower()
    now = utcnow()
    if queries.user_by_email(email) is not None or queries.pending_invitation(email, now):
        raise Conflict(messages.EMAIL_TAKEN, field="email")
    token = security.new_token()
    invitation = Invitation(
        authority=authority,
        email=email,
        name=name.strip(),
        role=role,
        token_hash=security.token_hash(token),
        invited_by=admin,
        created_at=now,
        expires_at=now + current_app.config["INVITATION_LIFETIME"],
    )
    queries.add(invitation)
    audit.record(
        "user_invited",
        actor=admin,
        authority_id=authority.id,
        subject=invitation,
        details={"email": email, "role": role.value},
    )
    db.session.commit()
    return IssuedInvitation(invitation, token)


def set_active(admin: User, user_id: int, active: bool) -> User:
    user = queries.user_by_id(user_id)
    if user is None or not may_manage(admin, user):
        raise NotFound("No such user")
    if user.id == admin.id:
        raise InvalidInput(messages.CANNOT_DEACTIVATE_SELF)
    now = utcnow()
    user.active = active
    user.deactivated_at = None if active else now
    if not active:
        queries.end_all_sessions(user.id, now, "deactivated")
    audit.record(
        "user_reactivated" if active else "user_deactivated",
        actor=admin,
        authority_id=user.authority_id,
        subject=user,
    )
    db.session.commit()
    return user
