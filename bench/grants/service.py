"""Inspector grants: an authority's admins let a named inspector see its figures for a time.

DESIGN.md: an inspector sees a named authority's data only under a time-limited grant
that the authority's admin gave; every grant, use and revocation is in the authority's
audit log (Anonymity 8). Whether a grant is current is decided on every request
(bench.compare.service.viewer_authority), so an ended or revoked grant stops at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import ValidationError

from bench import audit, mail, messages
from bench.access import Permission, can_manage_grants, has_permission
from bench.dates import london_text
from bench.errors import Conflict, NotAllowed, NotFound, RowError, ValidationFailed
from bench.extensions import db
from bench.grants import queries
from bench.grants.schemas import GrantInSchema, grant_status, moment_text
from bench.models import Authority, InspectorGrant, User, utcnow


@dataclass(frozen=True)
class ShownGrant:
    """A grant as one viewer may see it.

    An inspector sees the authority named only while the grant has not ended: once it
    has expired or been revoked, the authority is an outsider again (DESIGN.md Anonymity
    1), so its name and the reason its admins wrote (free text that may name it) are
    left out. The authority's own admins see everything.
    """

    public_id: str
    status: str  # upcoming, current, expired, revoked
    authority: Authority | None
    inspector: User
    reason: str | None
    created_at: datetime
    starts_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    granted_by: User | None = None
    revoked_by: User | None = None


@dataclass(frozen=True)
class GrantLists:
    """Grants by when they apply: current ones end soonest first; the rest newest first."""

    current: list[ShownGrant]
    upcoming: list[ShownGrant]
    past: list[ShownGrant]  # expired, or revoked early

    def __bool__(self) -> bool:
        return bool(self.current or self.upcoming or self.past)


def _shown(grant: InspectorGrant, now: datetime, *, for_inspector: bool) -> ShownGrant:
    status = grant_status(grant, now)
    ended = status in ("expired", "revoked")
    hidden = for_inspector and ended
    return ShownGrant(
        public_id=grant.public_id,
        status=status,
        authority=None if hidden else grant.authority,
        inspector=grant.inspector,
        reason=None if hidden else grant.reason,
        created_at=grant.created_at,
        starts_at=grant.starts_at,
        expires_at=grant.expires_at,
        revoked_at=grant.revoked_at,
        granted_by=None if for_inspector else grant.granted_by,
        revoked_by=None if for_inspector else grant.revoked_by,
    )


def _sorted(grants: list[ShownGrant]) -> GrantLists:
    current = [grant for grant in grants if grant.status == "current"]
    return GrantLists(
        current=sorted(current, key=lambda grant: (grant.expires_at, grant.public_id)),
        upcoming=[grant for grant in grants if grant.status == "upcoming"],
        past=[grant for grant in grants if grant.status in ("expired", "revoked")],
    )


def _managed_authority(admin: User) -> int:
    if admin.authority_id is None or not can_manage_grants(admin, admin.authority_id):
        raise NotAllowed("Only an authority's admins manage its grants")
    return admin.authority_id


def _of_authority(admin: User) -> list[ShownGrant]:
    now = utcnow()
    found = queries.of_authority(_managed_authority(admin))
    return [_shown(grant, now, for_inspector=False) for grant in found]


def _of_inspector(inspector: User) -> list[ShownGrant]:
    now = utcnow()
    return [_shown(grant, now, for_inspector=True) for grant in queries.of_inspector(inspector.id)]


def authority_grants(admin: User) -> GrantLists:
    """The admin's own authority's grants: current, upcoming and past."""
    return _sorted(_of_authority(admin))


def held_grants(inspector: User) -> GrantLists:
    """The grants an inspector holds, for their home page and their grants page."""
    return _sorted(_of_inspector(inspector))


def visible_grants(user: User) -> list[ShownGrant]:
    """For the API, newest start first: an authority admin's authority's grants, or an
    inspector's own."""
    if has_permission(user, Permission.HOLD_GRANTS):
        return _of_inspector(user)
    return _of_authority(user)


def _errors(problems: Mapping[str, Any]) -> list[RowError]:
    return [
        RowError(None, field, message)
        for field, field_messages in problems.items()
        for message in (field_messages if isinstance(field_messages, list) else [field_messages])
    ]


def grant(admin: User, data: Any) -> ShownGrant:
    """Let the inspector named by email see the admin's authority's figures for a time.

    Raises :class:`ValidationFailed` naming every field with a problem; an email that is
    not an active inspector's gets the same message whether or not some other account
    uses it (DESIGN.md, Accounts: messages do not tell whether an account exists).
    """
    authority_id = _managed_authority(admin)
    problems: dict[str, Any] = {}
    try:
        loaded = GrantInSchema().load(data)
    except ValidationError as error:
        problems = error.messages if isinstance(error.messages, dict) else {"body": error.messages}
        loaded = error.valid_data if isinstance(error.valid_data, dict) else {}
    inspector = None
    email = loaded.get("inspector_email")
    if isinstance(email, str) and email.strip():
        inspector = queries.active_inspector(email.strip().lower())
        if inspector is None:
            problems.setdefault("inspector_email", [messages.GRANT_INSPECTOR_UNKNOWN])
    if problems:
        raise ValidationFailed(_errors(problems))
    assert inspector is not None  # the schema requires an email, and it named one
    given = InspectorGrant(
        inspector=inspector,
        authority_id=authority_id,
        granted_by_id=admin.id,
        reason=loaded["reason"],
        created_at=utcnow(),
        starts_at=loaded["starts_at"],
        expires_at=loaded["expires_at"],
    )
    queries.add(given)
    audit.record(
        "grant_given",
        actor=admin,
        authority_id=authority_id,
        subject=given,
        details={
            "grant": given.public_id,
            "inspector": inspector.email,
            "starts_at": moment_text(given.starts_at),
            "expires_at": moment_text(given.expires_at),
            "reason": given.reason,
        },
    )
    db.session.commit()
    mail.send(_given_message(given))
    return _shown(given, utcnow(), for_inspector=False)


def revoke(admin: User, public_id: str) -> ShownGrant:
    """End one of the admin's authority's grants now; the inspector's next request is
    refused. Another authority's grant is not found, as if it did not exist."""
    authority_id = _managed_authority(admin)
    target = queries.of_authority_by_public_id(authority_id, public_id)
    if target is None:
        raise NotFound("No such grant")
    now = utcnow()
    if target.revoked_at is not None or target.expires_at <= now:
        raise Conflict(messages.GRANT_ALREADY_ENDED)
    target.revoked_at = now
    target.revoked_by_id = admin.id
    audit.record(
        "grant_revoked",
        actor=admin,
        authority_id=authority_id,
        subject=target,
        details={
            "grant": target.public_id,
            "inspector": target.inspector.email,
            "expires_at": moment_text(target.expires_at),
        },
    )
    db.session.commit()
    mail.send(_revoked_message(target))
    return _shown(target, now, for_inspector=False)


# --- emails to the inspector -----------------------------------------------------------


def _given_message(given: InspectorGrant) -> mail.Message:
    authority = given.authority
    return mail.Message(
        to=given.inspector.email,
        subject=f"bench: you can see {authority.name}'s figures",
        body=(
            f"Hello {given.inspector.name},\n\n"
            f"{authority.name} has granted you access to its figures on bench, named, "
            f"from {london_text(given.starts_at)} until {london_text(given.expires_at)}.\n\n"
            f"The reason given: {given.reason}\n\n"
            "Sign in to bench: your home page lists your grants. Every page you open under "
            f"this grant is recorded in {authority.name}'s audit log, which its admins read."
        ),
    )


def _revoked_message(revoked: InspectorGrant) -> mail.Message:
    authority = revoked.authority
    return mail.Message(
        to=revoked.inspector.email,
        subject=f"bench: your access to {authority.name}'s figures has ended",
        body=(
            f"Hello {revoked.inspector.name},\n\n"
            f"{authority.name} has revoked your access to its figures on bench, "
            f"from {london_text(revoked.revoked_at)}. It would have ended "
            f"{london_text(revoked.expires_at)}."
        ),
    )
