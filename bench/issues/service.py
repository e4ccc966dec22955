"""Known issues: authorities' flags, their proposals, and the network admins' catalogue.

An authority's flags are its own business: only its users see them here, identified.
Peers will only ever see counts (DESIGN.md, Anonymity 5), which is not this module's job.
Proposed issue types are seen by the proposing authority and the network admins only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError

from bench import audit, messages
from bench.access import Permission, can_publish, has_permission, is_own_authority
from bench.errors import Conflict, InvalidInput, NotAllowed, NotFound, RowError, ValidationFailed
from bench.extensions import db
from bench.issues import queries
from bench.issues.schemas import (
    CatalogueIssueTypeSchema,
    FlagSchema,
    IssueTypeSchema,
    row_errors,
)
from bench.models import (
    Indicator,
    IssueFlag,
    IssueType,
    IssueTypeStatus,
    User,
    utcnow,
)

# --- an authority's own flags -------------------------------------------------------


@dataclass(frozen=True)
class IssueRow:
    issue_type: IssueType
    flag: IssueFlag | None  # None: the authority has not answered


@dataclass(frozen=True)
class KnownIssues:
    rows: list[IssueRow]
    proposals: list[IssueType]  # the authority's own, awaiting approval


def _own_authority_id(user: User, permission: Permission) -> int:
    if not has_permission(user, permission) or user.authority_id is None:
        raise NotAllowed("Only an authority's own users may do this")
    return user.authority_id


def _approved(code: str) -> IssueType:
    issue_type = queries.issue_type_by_code(code)
    if issue_type is None or issue_type.status is not IssueTypeStatus.APPROVED:
        raise NotFound("No such issue type")
    return issue_type


def known_issues(user: User) -> KnownIssues:
    """Every approved issue type with the user's authority's answer, and its proposals."""
    authority_id = _own_authority_id(user, Permission.SEE_OWN_DATA)
    flags = {flag.issue_type_id: flag for flag in queries.flags_of(authority_id)}
    rows = [
        IssueRow(issue_type, flags.get(issue_type.id))
        for issue_type in queries.issue_types([IssueTypeStatus.APPROVED])
    ]
    return KnownIssues(rows, queries.proposals_of(authority_id))


def answer_for(user: User, code: str) -> tuple[IssueType, IssueFlag | None]:
    """The issue type a publisher is answering about, and the current answer if any."""
    authority_id = _own_authority_id(user, Permission.PUBLISH)
    issue_type = _approved(code)
    flags = queries.flags_of(authority_id, [issue_type.id])
    return issue_type, (flags[0] if flags else None)


def flag_details(flag: IssueFlag) -> dict[str, Any]:
    """A flag's answer as plain JSON values: the audit log's "old" and "new"."""
    return {
        "answer": flag.answer.value,
        "status": flag.status.value if flag.status else None,
        "since": flag.since.strftime("%Y-%m") if flag.since else None,
        "severity": flag.severity.value if flag.severity else None,
        "tried": flag.tried,
        "share_tried": flag.share_tried,
        "open_to_contact": flag.open_to_contact,
    }


FLAG_FIELDS = ("answer", "status", "since", "severity", "tried", "share_tried", "open_to_contact")


def _validate_flags(items: Sequence[Any]) -> list[tuple[IssueType, dict[str, Any]]]:
    """Every item checked before anything is written; all problems reported at once."""
    if not items:
        raise ValidationFailed([RowError(None, "items", messages.FLAGS_REQUIRED)])
    errors: list[RowError] = []
    loaded: list[tuple[int, dict[str, Any]]] = []
    schema = FlagSchema()
    for row, item in enumerate(items, start=1):
        try:
            loaded.append((row, schema.load(item)))
        except ValidationError as error:
            errors.extend(row_errors(error, row))
    by_code = queries.issue_types_by_code(data["issue_type"] for _, data in loaded)
    seen: set[int] = set()
    valid = []
    for row, data in loaded:
        issue_type = by_code.get(data["issue_type"])
        if issue_type is None or issue_type.status is not IssueTypeStatus.APPROVED:
            errors.append(RowError(row, "issue_type", messages.ISSUE_TYPE_UNKNOWN))
        elif issue_type.id in seen:
            errors.append(RowError(row, "issue_type", messages.ISSUE_TYPE_REPEATED))
        else:
            seen.add(issue_type.id)
            valid.append((issue_type, data))
    if errors:
        raise ValidationFailed(sorted(errors, key=lambda error: error.row or 0))
    return valid


def record_flags(user: User, authority_id: int, items: Sequence[Any]) -> list[IssueFlag]:
    """Record an authority's answers: all of them, or (on any problem) none.

    *items* are plain dicts as :class:`FlagSchema` loads them (the form sends one, the API
    many). Raises :class:`ValidationFailed` naming each item (1-based) and field.
    """
    if not can_publish(user, authority_id):
        if is_own_authority(user, authority_id):
            raise NotAllowed("Only analysts and authority admins record flags")
        raise NotFound("No such authority")  # another authority: not the user's to know
    valid = _validate_flags(items)
    existing = {
        flag.issue_type_id: flag
        for flag in queries.flags_of(authority_id, [issue_type.id for issue_type, _ in valid])
    }
    now = utcnow()
    saved = []
    for issue_type, data in valid:
        flag = existing.get(issue_type.id)
        old = flag_details(flag) if flag is not None else None
        if flag is None:
            flag = IssueFlag(authority_id=authority_id, issue_type_id=issue_type.id)
        for field in FLAG_FIELDS:
            setattr(flag, field, data[field])
        saved.append(flag)
        new = flag_details(flag)
        if new == old:
            continue  # saved again unchanged: nothing happened, nothing to log
        flag.updated_at = now
        flag.updated_by_id = user.id
        queries.add(flag)
        audit.record(
            "flag_recorded",
            actor=user,
            authority_id=authority_id,
            subject=flag,
            details={"issue_type": issue_type.code, "old": old, "new": new},
        )
    db.session.commit()
    return saved


# --- proposing and editing issue types ----------------------------------------------


def indicators() -> list[Indicator]:
    """The indicators an issue type may be linked to, by title."""
    return queries.indicators()


def _validate_issue_type(
    data: dict[str, Any],
    *,
    visible_to_authority_id: int | None,
    except_id: int | None,
    schema: type[IssueTypeSchema] = IssueTypeSchema,
) -> tuple[dict[str, Any], list[Indicator]]:
    try:
        loaded = schema().load(data)
    except ValidationError as error:
        raise ValidationFailed(row_errors(error, None)) from error
    errors = []
    found = queries.indicators_by_code(loaded["indicators"])
    if set(loaded["indicators"]) - set(found):
        errors.append(RowError(None, "indicators", messages.INDICATOR_UNKNOWN))
    if queries.title_taken(loaded["title"], visible_to_authority_id, except_id):
        errors.append(RowError(None, "title", messages.ISSUE_TITLE_TAKEN))
    if errors:
        raise ValidationFailed(errors)
    return loaded, sorted(found.values(), key=lambda indicator: indicator.code)


def _new_code(title: str) -> str:
    """A readable, unique code from the title, e.g. ``transitions-to-adult-care``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:50].rstrip("-") or "issue"
    taken = queries.codes_starting(slug)
    code, number = slug, 2
    while code in taken:
        code, number = f"{slug}-{number}", number + 1
    return code


def propose_issue_type(user: User, data: dict[str, Any]) -> IssueType:
    """An authority proposes a new issue type; network admins approve it, or not."""
    authority_id = _own_authority_id(user, Permission.PUBLISH)
    loaded, linked = _validate_issue_type(
        data, visible_to_authority_id=authority_id, except_id=None
    )
    issue_type = IssueType(
        code=_new_code(loaded["title"]),
        title=loaded["title"],
        description=loaded["description"],
        status=IssueTypeStatus.PROPOSED,
        proposed_by_authority_id=authority_id,
        indicators=linked,
    )
    queries.add(issue_type)
    audit.record(
        "issue_type_proposed",
        actor=user,
        authority_id=authority_id,
        subject=issue_type,
        details={"new": _wording(issue_type)},
    )
    db.session.commit()
    return issue_type


def _wording(issue_type: IssueType) -> dict[str, Any]:
    return {
        "code": issue_type.code,
        "title": issue_type.title,
        "description": issue_type.description,
        "indicators": [indicator.code for indicator in issue_type.indicators],
        # A StrEnum: the audit log's JSON keeps its code.
        "cqc_quality_statement": issue_type.cqc_quality_statement,
    }


# --- the network admins' catalogue --------------------------------------------------

CATALOGUE_ORDER = (
    IssueTypeStatus.PROPOSED,
    IssueTypeStatus.APPROVED,
    IssueTypeStatus.MERGED,
    IssueTypeStatus.REJECTED,
)


@dataclass(frozen=True)
class CatalogueEntry:
    issue_type: IssueType
    proposed_by: str | None  # the authority's name: network admins manage authorities
    merged_into: IssueType | None


@dataclass(frozen=True)
class CatalogueSection:
    status: IssueTypeStatus
    entries: list[CatalogueEntry]


def _require_network_admin(user: User) -> None:
    if not has_permission(user, Permission.MANAGE_NETWORK):
        raise NotAllowed("Only network admins manage the issue-type catalogue")


def catalogue(admin: User) -> list[CatalogueSection]:
    """Every issue type, proposals first, with who proposed it."""
    _require_network_admin(admin)
    types = queries.issue_types()
    by_id = {issue_type.id: issue_type for issue_type in types}
    names = queries.authority_names(
        t.proposed_by_authority_id for t in types if t.proposed_by_authority_id is not None
    )
    return [
        CatalogueSection(
            status,
            [
                CatalogueEntry(
                    t,
                    names.get(t.proposed_by_authority_id or 0),
                    by_id.get(t.merged_into_id or 0),
                )
                for t in types
                if t.status is status
            ],
        )
        for status in CATALOGUE_ORDER
    ]


def issue_type_for_admin(admin: User, code: str) -> IssueType:
    _require_network_admin(admin)
    issue_type = queries.issue_type_by_code(code)
    if issue_type is None:
        raise NotFound("No such issue type")
    return issue_type


def merge_targets(admin: User, code: str) -> list[IssueType]:
    """The approved issue types another type may be merged into."""
    _require_network_admin(admin)
    return [t for t in queries.issue_types([IssueTypeStatus.APPROVED]) if t.code != code]


def decide_proposal(admin: User, code: str, *, approve: bool) -> IssueType:
    """Approve a proposal into the catalogue, or reject it."""
    issue_type = issue_type_for_admin(admin, code)
    if issue_type.status is not IssueTypeStatus.PROPOSED:
        raise Conflict(messages.ISSUE_TYPE_NOT_PROPOSED.format(title=issue_type.title))
    issue_type.status = IssueTypeStatus.APPROVED if approve else IssueTypeStatus.REJECTED
    audit.record(
        "issue_type_approved" if approve else "issue_type_rejected",
        actor=admin,
        authority_id=None,
        subject=issue_type,
        details={"code": issue_type.code, "old": "proposed", "new": issue_type.status.value},
    )
    db.session.commit()
    return issue_type


def rename_issue_type(admin: User, code: str, data: dict[str, Any]) -> IssueType:
    """Change an issue type's title, description, linked indicators and CQC quality
    statement (not its code)."""
    issue_type = issue_type_for_admin(admin, code)
    loaded, linked = _validate_issue_type(
        data,
        visible_to_authority_id=None,
        except_id=issue_type.id,
        schema=CatalogueIssueTypeSchema,
    )
    old = _wording(issue_type)
    issue_type.title = loaded["title"]
    issue_type.description = loaded["description"]
    issue_type.indicators = linked
    issue_type.cqc_quality_statement = loaded["cqc_quality_statement"]
    new = _wording(issue_type)
    if new != old:
        audit.record(
            "issue_type_renamed",
            actor=admin,
            authority_id=None,
            subject=issue_type,
            details={"old": old, "new": new},
        )
    db.session.commit()
    return issue_type


def merge_issue_type(admin: User, code: str, into_code: str) -> tuple[IssueType, IssueType]:
    """Merge one issue type into an approved one; its flags move to the target.

    Where an authority already answered about the target, the target's answer stays and
    the merged type's is dropped: the authority said it about the surviving wording. Each
    moved or dropped flag is logged under its authority, so its admins can see why.
    """
    source = issue_type_for_admin(admin, code)
    if source.status not in (IssueTypeStatus.PROPOSED, IssueTypeStatus.APPROVED):
        raise Conflict(messages.MERGE_SOURCE_INVALID)
    target = queries.issue_type_by_code(into_code) if into_code else None
    if target is None or target.status is not IssueTypeStatus.APPROVED or target is source:
        raise InvalidInput(messages.MERGE_TARGET_REQUIRED, field="into")
    old_status = source.status.value
    answered_target = {flag.authority_id for flag in queries.flags_on(target.id)}
    moved = dropped = 0
    for flag in queries.flags_on(source.id):
        keep = flag.authority_id not in answered_target
        audit.record(
            "flag_moved" if keep else "flag_dropped",
            actor=admin,
            authority_id=flag.authority_id,
            subject=flag,
            details={"from": source.code, "into": target.code, "old": flag_details(flag)},
        )
        if keep:
            flag.issue_type_id = target.id
            moved += 1
        else:
            queries.delete(flag)
            dropped += 1
    source.status = IssueTypeStatus.MERGED
    source.merged_into_id = target.id
    audit.record(
        "issue_type_merged",
        actor=admin,
        authority_id=None,
        subject=source,
        details={
            "code": source.code,
            "into": target.code,
            "old": old_status,
            "flags_moved": moved,
            "flags_dropped": dropped,
        },
    )
    db.session.commit()
    return source, target
