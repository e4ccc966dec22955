"""Writing to the audit log. Callers commit with the change they record."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from bench.extensions import db
from bench.models import AuditEvent, User, utcnow


def record(
    action: str,
    *,
    actor: User | None,
    authority_id: int | None,
    subject: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction."""
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        authority_id=authority_id,
        action=action,
        subject_type=type(subject).__name__ if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        details=details or {},
        remote_address=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(event)
    return event


# What each action means, in the words the audit log pages show. One place, so that
# every page says the same; an action missing here shows its code in plain words.
ACTIONS = {
    "signed_in": "Signed in",
    "alert_followed": "Followed an indicator or issue type",
    "alert_unfollowed": "Stopped following an indicator or issue type",
    "signed_out": "Signed out",
    "sign_in_failed": "Failed to sign in",
    "password_changed": "Changed their password",
    "user_created": "Account created",
    "user_invited": "Invited a user",
    "invitation_accepted": "Accepted an invitation",
    "user_deactivated": "Deactivated a user",
    "user_reactivated": "Reactivated a user",
    "indicator_created": "Created an indicator",
    "indicator_changed": "Changed an indicator",
    "series_break_added": "Added a series break",
    "series_break_removed": "Removed a series break",
    "period_created": "Created a period",
    "period_release_set": "Set a period's release date",
    "period_release_cleared": "Cleared a period's release date",
    "api_token_created": "Created an API token",
    "api_token_revoked": "Revoked an API token",
    "values_published": "Published figures",
    "values_exported": "Downloaded the authority's figures",
    "value_query_confirmed": "Confirmed a queried figure",
    "flag_recorded": "Answered about a known issue",
    "issue_type_proposed": "Proposed an issue type",
    "grant_used": "An inspector viewed the authority's figures under a grant",
    "peer_groups_imported": "Imported published nearest neighbours",
    "custom_group_saved": "Saved a custom peer group",
    "custom_group_deleted": "Deleted a custom peer group",
}


def describe(action: str) -> str:
    """The action in plain words."""
    return ACTIONS.get(action) or action.replace("_", " ").capitalize()
