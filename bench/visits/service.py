"""Visits and meetings, recorded and edited by the visiting authority's users.

The host is chosen only from the authority's current allies (DESIGN.md, Anonymity 7): a
visit to any other council is recorded without a host, and no field accepts anything that
would name it. Pages then name the host only while the alliance lasts ("a former ally"
after), and take its name out of the visit's title and people where they may not show it
(bench.visits.visibility, through :mod:`bench.visits.naming`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bench import audit, messages
from bench.access import Permission, has_permission
from bench.allies.queries import current_ally_ids
from bench.api.queries import paged
from bench.api.schemas import load
from bench.api.service import Page
from bench.errors import Conflict, NotFound, RowError, ValidationFailed
from bench.extensions import db
from bench.models import (
    Authority,
    Indicator,
    IssueType,
    Review,
    User,
    Visit,
    VisitKind,
    VisitStatus,
    VisitTopic,
    VisitVisitor,
    utcnow,
)
from bench.visits import queries
from bench.visits.naming import Naming, naming_for
from bench.visits.schemas import KEEP_HOST, VisitInSchema
from bench.visits.visibility import Reader

# The fields a change is described by in the audit log (names only, never values).
AUDITED_FIELDS = (
    "kind",
    "visited_on",
    "title",
    "status",
    "review",
    "host",
    "visitors",
    "people",
    "met_people",
    "issue_types",
    "indicators",
)


def own_authority(user: User) -> int:
    """The authority whose visits *user* records; anyone else finds nothing."""
    if not has_permission(user, Permission.RECORD_VISITS) or user.authority_id is None:
        raise NotFound("No authority")
    return user.authority_id


def own_reader(user: User, now: datetime | None = None) -> Reader:
    return Reader(user.id, own_authority(user), False, now or utcnow())


def own_naming(reader: Reader, visit: Visit, allies: set[int]) -> Naming:
    """The host as the visiting authority's own users see it: named while allied."""
    return naming_for(reader, visit, allied_now=visit.host_authority_id in allies)


# --- what pages and the API show ----------------------------------------------------


@dataclass(frozen=True)
class VisitView:
    """A visit as its own authority sees it, the host's name taken out where needed."""

    public_id: str
    kind: VisitKind
    visited_on: date
    title: str
    status: VisitStatus
    host: Naming
    review: Review | None
    visitors: list[User]
    people: str
    met_people: str
    issue_types: list[IssueType]
    indicators: list[Indicator]
    note_count: int
    updated_at: datetime
    lock_version: int


def _view(visit: Visit, naming: Naming, note_count: int) -> VisitView:
    return VisitView(
        public_id=visit.public_id,
        kind=visit.kind,
        visited_on=visit.visited_on,
        title=naming.text(visit.title),
        status=visit.status,
        host=naming,
        review=visit.review,
        visitors=sorted((v.user for v in visit.visitors), key=lambda user: (user.name, user.email)),
        people=naming.text(visit.people),
        met_people=naming.text(visit.met_people),
        issue_types=[t.issue_type for t in visit.topics if t.issue_type is not None],
        indicators=[t.indicator for t in visit.topics if t.indicator is not None],
        note_count=note_count,
        updated_at=visit.updated_at,
        lock_version=visit.lock_version,
    )


def _views(user: User, visits: list[Visit]) -> list[VisitView]:
    reader = own_reader(user)
    allies = current_ally_ids(reader.authority_id or 0)
    counts = queries.note_counts([visit.id for visit in visits])
    return [
        _view(visit, own_naming(reader, visit, allies), counts.get(visit.id, 0)) for visit in visits
    ]


def visits(user: User) -> list[VisitView]:
    """The authority's visits and meetings, newest first."""
    found = db.session.scalars(queries.visits_of(own_authority(user)))
    return _views(user, list(found))


def of_review(user: User, review: Review) -> list[VisitView]:
    """The visits and meetings recorded for one of the authority's reviews, newest first."""
    authority_id = own_authority(user)
    if review.authority_id != authority_id:
        raise NotFound("No such review")
    found = db.session.scalars(queries.visits_of(authority_id).where(Visit.review_id == review.id))
    return _views(user, list(found))


def visits_page(user: User, *, page: int, per_page: int) -> Page[VisitView]:
    """One page of the authority's visits, newest first (the API)."""
    found, total = paged(queries.visits_of(own_authority(user)), page, per_page)
    return Page(_views(user, found), page, per_page, total)


def own_visit(user: User, public_id: str) -> Visit:
    found = queries.visit_of(own_authority(user), public_id)
    if found is None:
        raise NotFound("No such visit")
    return found


def visit(user: User, public_id: str) -> VisitView:
    found = own_visit(user, public_id)
    return _views(user, [found])[0]


@dataclass(frozen=True)
class Choices:
    """What a visit may name: the authority's current allies, reviews and active users,
    and the catalogue's approved issue types and indicators."""

    allies: list[Authority]
    reviews: list[Review]
    users: list[User]
    issue_types: list[IssueType]
    indicators: list[Indicator]


def _choices(authority_id: int) -> Choices:
    return Choices(
        allies=queries.authorities(current_ally_ids(authority_id)),
        reviews=queries.reviews_of(authority_id),
        users=queries.active_users(authority_id),
        issue_types=queries.approved_issue_types(),
        indicators=queries.indicators(),
    )


def choices(user: User) -> Choices:
    return _choices(own_authority(user))


# --- recording and changing ------------------------------------------------------------


@dataclass(frozen=True)
class _Resolved:
    review_id: int | None
    host_id: int | None
    visitor_ids: list[int]
    issue_type_ids: list[int]
    indicator_ids: list[int]


def _distinct(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _resolve(authority_id: int, fields: dict[str, Any], current: Visit | None) -> _Resolved:
    """The ids behind the codes, every problem at once. The host must be a current ally:
    an unknown code and a council that is not an ally are refused in the same words."""
    errors: list[RowError] = []
    found = _choices(authority_id)
    reviews = {review.public_id: review for review in found.reviews}
    allies = {ally.gss_code: ally for ally in found.allies}
    review_id = None
    if fields["review"] is not None:
        review = reviews.get(fields["review"])
        if review is None:
            errors.append(RowError(None, "review", messages.VISIT_REVIEW_UNKNOWN))
        else:
            review_id = review.id
    host_id = None
    host = fields["host"]
    if host == KEEP_HOST and current is not None and current.host_authority_id is not None:
        host_id = current.host_authority_id  # as recorded, whether still allied or not
    elif host is not None:
        ally = allies.get(host.strip().upper())
        if ally is None:
            errors.append(RowError(None, "host", messages.VISIT_HOST_NOT_ALLY))
        else:
            host_id = ally.id
    lists = (
        (
            "visitors",
            [email.strip().lower() for email in fields["visitors"]],
            {user.email: user.id for user in found.users},
        ),
        ("issue_types", fields["issue_types"], {t.code: t.id for t in found.issue_types}),
        ("indicators", fields["indicators"], {i.code: i.id for i in found.indicators}),
    )
    words = {
        "visitors": messages.VISIT_VISITOR_UNKNOWN,
        "issue_types": messages.VISIT_ISSUE_TYPE_UNKNOWN,
        "indicators": messages.VISIT_INDICATOR_UNKNOWN,
    }
    ids: dict[str, list[int]] = {}
    for name, wanted, known in lists:
        unknown = [item for item in wanted if item not in known]
        if unknown:
            errors.append(RowError(None, name, words[name]))
        ids[name] = [known[item] for item in _distinct(wanted) if item in known]
    if errors:
        raise ValidationFailed(errors)
    return _Resolved(review_id, host_id, ids["visitors"], ids["issue_types"], ids["indicators"])


def _snapshot(visit: Visit) -> dict[str, Any]:
    return {
        "kind": visit.kind,
        "visited_on": visit.visited_on,
        "title": visit.title,
        "status": visit.status,
        "review": visit.review_id,
        "host": visit.host_authority_id,
        "visitors": sorted(v.user_id for v in visit.visitors),
        "people": visit.people,
        "met_people": visit.met_people,
        "issue_types": sorted(t.issue_type_id for t in visit.topics if t.issue_type_id),
        "indicators": sorted(t.indicator_id for t in visit.topics if t.indicator_id),
    }


def _apply(visit: Visit, fields: dict[str, Any], resolved: _Resolved) -> None:
    visit.kind = VisitKind(fields["kind"])
    visit.visited_on = fields["visited_on"]
    visit.title = fields["title"]
    visit.status = VisitStatus(fields["status"])
    visit.review_id = resolved.review_id
    visit.host_authority_id = resolved.host_id
    visit.people = fields["people"]
    visit.met_people = fields["met_people"]
    # Rows that stay are kept, so that the unique (visit, user) pair is never inserted
    # before the old row is deleted.
    staying = [v for v in visit.visitors if v.user_id in resolved.visitor_ids]
    present = {v.user_id for v in staying}
    visit.visitors = staying + [
        VisitVisitor(user_id=user_id) for user_id in resolved.visitor_ids if user_id not in present
    ]
    wanted = {("issue", i) for i in resolved.issue_type_ids} | {
        ("indicator", i) for i in resolved.indicator_ids
    }

    def key(topic: VisitTopic) -> tuple[str, int | None]:
        if topic.issue_type_id is not None:
            return ("issue", topic.issue_type_id)
        return ("indicator", topic.indicator_id)

    kept = [topic for topic in visit.topics if key(topic) in wanted]
    have = {key(topic) for topic in kept}
    visit.topics = (
        kept
        + [VisitTopic(issue_type_id=i) for i in resolved.issue_type_ids if ("issue", i) not in have]
        + [
            VisitTopic(indicator_id=i)
            for i in resolved.indicator_ids
            if ("indicator", i) not in have
        ]
    )


def record(user: User, data: dict[str, Any], now: datetime | None = None) -> VisitView:
    """Record a visit or meeting of the user's authority."""
    now = now or utcnow()
    authority_id = own_authority(user)
    fields = load(VisitInSchema(), data)
    if fields["host"] == KEEP_HOST:
        raise ValidationFailed([RowError(None, "host", messages.VISIT_HOST_NOT_ALLY)])
    resolved = _resolve(authority_id, fields, None)
    visit = Visit(authority_id=authority_id, created_by_id=user.id, created_at=now, updated_at=now)
    _apply(visit, fields, resolved)
    queries.add(visit)
    audit.record(
        "visit_recorded",
        actor=user,
        authority_id=authority_id,
        subject=visit,
        details={"visit": visit.public_id, "kind": visit.kind.value, "status": visit.status.value},
    )
    db.session.commit()
    return visit_view_after_write(user, visit)


def change(
    user: User,
    public_id: str,
    data: dict[str, Any],
    lock_version: int | None,
    now: datetime | None = None,
) -> VisitView:
    """Change a visit, unless someone else saved it since the form was opened."""
    now = now or utcnow()
    authority_id = own_authority(user)
    visit = queries.visit_of(authority_id, public_id, lock=True)
    if visit is None:
        raise NotFound("No such visit")
    fields = load(VisitInSchema(), data)
    if lock_version is not None and lock_version != visit.lock_version:
        raise Conflict(messages.VISIT_CHANGED_SINCE)
    resolved = _resolve(authority_id, fields, visit)
    before = _snapshot(visit)
    _apply(visit, fields, resolved)
    after = _snapshot(visit)
    changed = [name for name in AUDITED_FIELDS if before[name] != after[name]]
    if changed:
        visit.updated_at = now
        visit.lock_version += 1
        audit.record(
            "visit_changed",
            actor=user,
            authority_id=authority_id,
            subject=visit,
            details={"visit": visit.public_id, "changed": changed},
        )
    db.session.commit()
    return visit_view_after_write(user, visit)


def visit_view_after_write(user: User, visit: Visit) -> VisitView:
    """The visit as saved, read again with everything it names."""
    db.session.expire(visit)
    return _views(user, [own_visit(user, visit.public_id)])[0]
