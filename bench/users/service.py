"""Managing users: invitations by expiring link, deactivation, the user list."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from bench import audit, messages, security
from bench.access import Permission, can_manage_users, has_permission
from bench.auth import queries
from bench.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bench.extensions import db
from bench.mail import Message
from bench.models import AUTHORITY_ROLES, Authority, Invitation, Role, User, utcnow
from bench.users import queries as user_queries


def may_manage(admin: User, user: User) -> bool:
    """Network admins manage everyone; authority admins their own authority's users."""
    if has_permission(admin, Permission.MANAGE_NETWORK):
        return True
    return user.authority_id is not None and can_manage_users(admin, user.authority_id)


def list_users(admin: User, authority_id: int | None) -> list[User]:
    """The users *admin* may manage, optionally of one authority."""
    if not has_permission(admin, Permission.MANAGE_NETWORK):
        authority_id = admin.authority_id
    return user_queries.users(authority_id)


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
