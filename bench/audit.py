"""Writing to the audit log. Callers commit with the change they record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


def grants_used(actor: User, grants: Iterable[Any], page: str) -> None:
    """One ``grant_used`` event for each grant an inspector's request relies on, committed
    at once: a read path that writes, so SQLite's write lock is taken first."""
    db.begin_write()
    for grant in grants:
        record(
            "grant_used",
            actor=actor,
            authority_id=grant.authority_id,
            subject=grant,
            details={"page": page},
        )
    db.session.commit()


# --- what each action means, and what of it the network's log may show -------------


@dataclass(frozen=True)
class Action:
    """An audited action: its words, and what of its events network admins may read.

    Network admins run the network; they see no authority's figures or known-issue
    answers, in pages or in the audit log (DESIGN.md, Anonymity 14). So the network's log
    shows each event (who, when, which authority, what kind of action) and only the detail
    keys named in ``network_details``: deny by default, so a key added later stays hidden
    until someone declares it safe here. ``in_network_log`` False keeps the events out of
    the network's log altogether, for actions whose mere existence under an authority's
    name tells an answer. An authority's own admins see its events in full.
    """

    words: str
    network_details: frozenset[str] = frozenset()
    in_network_log: bool = True


def _action(words: str, *network_details: str, in_network_log: bool = True) -> Action:
    return Action(words, frozenset(network_details), in_network_log)


# The catalogue's own fields (bench.admin.schemas): the network's figures-free vocabulary.
_INDICATOR_FIELDS = (
    "code",
    "title",
    "key_area",
    "unit_kind",
    "multiplier",
    "unit_label",
    "polarity",
    "has_counts",
    "plausible_min",
    "plausible_max",
    "decimals",
    "is_public",
    "is_synthetic",
    "definition",
    "source",
    "cqc_quality_statement",
    "cqc_evidence_category",
)
_PERIOD_FIELDS = ("code", "label", "kind", "starts_on", "ends_on")

# One place, so that every page says the same. An action missing here shows its code in
# plain words and, in the network's log, no details.
ACTIONS: dict[str, Action] = {
    # Accounts: network admins manage every user.
    "signed_in": _action("Signed in"),
    "signed_out": _action("Signed out"),
    "sign_in_failed": _action("Failed to sign in", "reason"),
    "password_changed": _action("Changed their password"),
    "reauthenticated": _action("Confirmed their password"),
    "reauthentication_failed": _action("Failed to confirm their password"),
    "user_created": _action("Account created"),
    "user_invited": _action("Invited a user", "email", "role"),
    "invitation_accepted": _action("Accepted an invitation"),
    "user_deactivated": _action("Deactivated a user"),
    "user_reactivated": _action("Reactivated a user"),
    "api_token_created": _action("Created an API token", "name", "scope", "prefix", "expires_at"),
    "api_token_revoked": _action("Revoked an API token", "name", "prefix"),
    # The catalogue: the network's own, with no authority's figures in it.
    "indicator_created": _action("Created an indicator", *_INDICATOR_FIELDS),
    "indicator_changed": _action("Changed an indicator", *_INDICATOR_FIELDS),
    "series_break_added": _action("Added a series break", "indicator", "period", "reason"),
    "series_break_removed": _action("Removed a series break", "indicator", "period", "reason"),
    "period_created": _action("Created a period", *_PERIOD_FIELDS),
    "period_release_set": _action(
        "Set a period's release date", "period", "released_at", "values_scheduled"
    ),
    "period_release_cleared": _action("Cleared a period's release date", "period", "released_at"),
    "peer_groups_imported": _action(
        "Imported published nearest neighbours",
        "version",
        "authorities",
        "neighbours",
        "changed",
        "source",
    ),
    "issue_type_proposed": _action("Proposed an issue type", "new"),
    "issue_type_approved": _action("Approved an issue type", "code", "old", "new"),
    "issue_type_rejected": _action("Rejected an issue type", "code", "old", "new"),
    "issue_type_renamed": _action("Changed an issue type", "old", "new"),
    # How many answers a merge moved or dropped is a count of answers: left out.
    "issue_type_merged": _action("Merged an issue type", "code", "into", "old"),
    # An authority's figures: how many rows, never the figures, notes or corrections.
    "values_published": _action("Published figures", "source", "added", "corrected", "unchanged"),
    "values_exported": _action("Downloaded the authority's figures"),
    "value_query_confirmed": _action("Confirmed a queried figure"),
    # An authority's known-issue answers: that it answered, never what.
    "flag_recorded": _action("Answered about a known issue"),
    # Moved or dropped by a merge: tells which authorities answered about both issue types.
    "flag_moved": _action("An answer moved to the merged issue type", in_network_log=False),
    "flag_dropped": _action(
        "An answer dropped: the merged issue type already had one", in_network_log=False
    ),
    # Inspector grants: the network's log shows who may see an authority and when, never
    # the reason its admins gave (free text about the authority's own affairs).
    "grant_given": _action(
        "Granted an inspector access to the authority's figures",
        "grant",
        "inspector",
        "starts_at",
        "expires_at",
    ),
    "grant_revoked": _action(
        "Revoked an inspector's access to the authority's figures", "grant", "inspector"
    ),
    "grant_used": _action("An inspector viewed the authority's figures under a grant", "page"),
    # Every export (DESIGN.md, Anonymity 8): which file, read as of when, under which
    # grant; a pack adds its files' hashes.
    "export_downloaded": _action("Downloaded an export", "file", "as_of", "grant"),
    "export_completed": _action("An export finished: its files' sizes and hashes", "file"),
    "export_interrupted": _action("An export stopped before its end", "file"),
    "alert_followed": _action("Followed an indicator or issue type"),
    "alert_unfollowed": _action("Stopped following an indicator or issue type"),
    "custom_group_saved": _action("Saved a custom peer group", "members"),
    "custom_group_deleted": _action("Deleted a custom peer group", "members"),
    # Allies (Anonymity 7, 8). Kept out of the network's log altogether: a request goes
    # only to councils that report the issue and are open to contact, so an event of
    # these kinds under an authority's name tells a known-issue answer (Anonymity 14).
    # The details name no other council: the authority's own log outlives an alliance.
    "ally_request_sent": _action("Asked for allies about an issue", in_network_log=False),
    "ally_request_received": _action(
        "Received a request for allies about an issue", in_network_log=False
    ),
    "ally_request_accepted": _action("Accepted a request for allies", in_network_log=False),
    "ally_request_declined": _action("Declined a request for allies", in_network_log=False),
    "alliance_formed": _action(
        "A council accepted a request for allies: names revealed", in_network_log=False
    ),
    "alliance_ended": _action("An alliance ended: names hidden again", in_network_log=False),
    # Reviews: an authority's own affairs, so the network's log shows only that they
    # happened (no titles, no text).
    "review_created": _action("Started a review"),
    "review_changed": _action("Changed a review"),
    "review_status_changed": _action("Changed a review's status"),
    "review_team_changed": _action("Changed a review's team"),
    "review_update_posted": _action("Posted an update on a review"),
    "review_comparison_pinned": _action("Pinned a comparison to a review"),
    # (reviews: end)
    #
    # Visits, notes and their sharing. No detail names the host: the log outlives an
    # alliance. An inspector's reads of a shared note are audited (Anonymity 8).
    # The network's log shows that these happened, never which visit, note or host.
    "visit_recorded": _action("Recorded a visit"),
    "visit_changed": _action("Changed a visit"),
    "note_written": _action("Wrote a visit note"),
    "note_revised": _action("Revised a visit note"),
    "note_deleted": _action("Deleted a visit note"),
    "note_read_under_grant": _action("An inspector read a shared visit note under a grant"),
    # (visits: end)
    #
    # Sharing notes. Details never name the host: the log outlives an alliance. What
    # happens on both sides at once (a host's reply, a correction and the author's
    # answer, the host's consent) stays out of the network's log, where two events at
    # the same moment would tell who visited whom; good-practice copies stay out too, or
    # the time an item was scheduled would link it back to its council.
    "note_share_added": _action("Shared a visit note"),
    "note_share_revoked": _action("Stopped sharing a visit note"),
    "host_reply_received": _action("The host replied to a shared note", in_network_log=False),
    "host_reply_sent": _action(
        "Replied to a note the visiting council shared", in_network_log=False
    ),
    "host_correction_received": _action(
        "The host proposed a correction to a shared note", in_network_log=False
    ),
    "host_correction_sent": _action(
        "Proposed a correction to a note the visiting council shared", in_network_log=False
    ),
    "host_correction_accepted": _action("Accepted the host's correction", in_network_log=False),
    "host_correction_declined": _action("Declined the host's correction", in_network_log=False),
    "host_consent_given": _action(
        "Let inspectors see the council named on a shared note", in_network_log=False
    ),
    "host_consent_refused": _action(
        "Refused to let inspectors see the council named on a shared note", in_network_log=False
    ),
    "host_consent_withdrawn": _action(
        "Withdrew consent for inspectors to see the council named on a shared note",
        in_network_log=False,
    ),
    "shared_note_read": _action("An inspector read a shared note under a grant", "page"),
    "good_practice_scheduled": _action(
        "Scheduled a good-practice copy of a note", in_network_log=False
    ),
    "good_practice_withdrawn": _action(
        "Withdrew a good-practice copy of a note", in_network_log=False
    ),
    # (sharing: end)
    #
    # Follow-up actions: an authority's own affairs. Each event keeps the action's id,
    # status, rating and due date, never its text or owner; the network's log shows only
    # that it happened.
    "action_created": _action("Added a follow-up action"),
    "action_updated": _action("Updated a follow-up action"),
    "action_carried_forward": _action("Carried a follow-up action into the next review"),
    # (actions: end)
    #
    # Staff views: an anonymous view writes no event at all (nothing may name its author);
    # moderation is audited with the moderator and never the author.
    "staff_view_responded": _action("Responded to a staff view", "view", "action"),
    "staff_view_hidden": _action("Hid a staff view", "view"),
    "staff_view_unhidden": _action("Showed a hidden staff view again", "view"),
    # (staff views: end)
}


def describe(action: str) -> str:
    """The action in plain words."""
    known = ACTIONS.get(action)
    return known.words if known else action.replace("_", " ").capitalize()


def network_details(action: str, details: dict[str, Any]) -> dict[str, Any]:
    """The details of an event that the network's log may show: only declared keys."""
    known = ACTIONS.get(action)
    safe = known.network_details if known else frozenset()
    return {key: value for key, value in details.items() if key in safe}


def kept_from_network_log() -> list[str]:
    """The actions whose events the network's log leaves out altogether."""
    return sorted(code for code, action in ACTIONS.items() if not action.in_network_log)
