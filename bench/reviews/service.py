"""Best Value reviews: start one, change it (with optimistic locking), keep its team, and
tell every user of the authority what is happening through updates.

A review is not a one-off event: ``previous_review`` chains this year's review to an
earlier one of the same authority (never itself, never into a loop). Who may do what is
in :mod:`bench.reviews.rules`; pinned comparisons in :mod:`bench.reviews.pins`.

Edits carry the ``lock_version`` they were read at. A save from an older version is
refused (:class:`Conflict`), so a second editor never silently overwrites the first:
the page shows both, and the API answers 409. Every change is audited by field name,
never with its text; the network's log shows only that it happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import Schema

from bench import audit, messages
from bench.actions import lists as action_lists
from bench.actions import service as actions
from bench.actions.shown import ActionView
from bench.api.schemas import MAX_PAGE
from bench.api.service import Page
from bench.errors import Conflict, InvalidInput, NotFound
from bench.extensions import db
from bench.models import (
    KeyArea,
    Period,
    Review,
    ReviewKeyArea,
    ReviewStatus,
    ReviewTeamMember,
    ReviewUpdate,
    TeamRole,
    UpdateKind,
    User,
    utcnow,
)
from bench.reviews import pins, present, queries, rules
from bench.reviews.present import ReviewDetail, UpdateView
from bench.reviews.schemas import ReviewInSchema, ReviewPutSchema, ReviewUpdateInSchema, TeamSchema
from bench.staffviews import service as staff_views
from bench.staffviews.rounds import ShownView
from bench.visits import service as visits
from bench.visits.service import VisitView

UPDATES_ON_REVIEW_PAGE = 20
UPDATES_PER_PAGE = 20

# A team as the service applies it: (user or None, name for someone without one, role).
Member = tuple[User | None, str, TeamRole]


# --- reading ------------------------------------------------------------------------


def reviews(user: User) -> list[ReviewDetail]:
    """The authority's reviews, newest start first (the list page)."""
    found = queries.all_reviews_of(rules.own_authority(user))
    following = queries.following([review.id for review in found])
    return [present.detail(review, following[review.id]) for review in found]


def reviews_page(user: User, *, page: int, per_page: int) -> Page[ReviewDetail]:
    """The authority's reviews a page at a time (the API)."""
    found, total = queries.reviews_page(rules.own_authority(user), page, per_page)
    following = queries.following([review.id for review in found])
    items = [present.detail(review, following[review.id]) for review in found]
    return Page(items, page, per_page, total)


def review(user: User, public_id: str) -> ReviewDetail:
    """One review with its team, chain and pinned comparisons."""
    found = rules.review_for(user, public_id)
    following = queries.following([found.id])[found.id]
    return present.detail(found, following, queries.evidence_of(found.id))


@dataclass(frozen=True)
class ReviewPage:
    """What the review page shows, one field a section, so that other areas (visits,
    notes, actions, staff views) can add theirs beside these."""

    review: ReviewDetail
    updates: list[UpdateView]
    more_updates: bool  # the Updates page, filtered to this review, has the rest
    may_edit: bool
    pin_options: pins.PinOptions | None  # None for those who may not pin
    # What the other areas recorded for this review.
    visits: list[VisitView] = field(default_factory=list)
    actions: list[ActionView] = field(default_factory=list)
    you_said_we_did: list[ShownView] = field(default_factory=list)


def review_page(user: User, public_id: str, *, changing: bool = False) -> ReviewPage:
    """The review page; *changing*: for posting one of its forms, refused off the team."""
    found = (
        rules.editable_review(user, public_id) if changing else rules.review_for(user, public_id)
    )
    following = queries.following([found.id])[found.id]
    items, total = queries.updates(found.authority_id, found.id, 1, UPDATES_ON_REVIEW_PAGE)
    editor = rules.may_edit(user, found)
    return ReviewPage(
        review=present.detail(found, following, queries.evidence_of(found.id)),
        updates=[present.update(item) for item in items],
        more_updates=total > len(items),
        may_edit=editor,
        pin_options=pins.options(user) if editor else None,
        visits=visits.of_review(user, found),
        actions=action_lists.of_review(user, found),
        you_said_we_did=staff_views.you_said_we_did(user, review=found),
    )


@dataclass(frozen=True)
class UpdatesPage:
    updates: list[UpdateView]
    number: int
    pages: int
    total: int
    review: present.ReviewRef | None  # when the page is one review's updates


def updates_page(user: User, number: int, review_id: str | None = None) -> UpdatesPage:
    """Every update on the authority's reviews (or one review's), newest first."""
    authority_id = rules.own_authority(user)
    one = rules.review_for(user, review_id) if review_id else None
    if not 1 <= number <= MAX_PAGE:  # before any query: no offset the database cannot hold
        raise NotFound("No such page")
    items, total = queries.updates(authority_id, one.id if one else None, number, UPDATES_PER_PAGE)
    pages = max(1, -(-total // UPDATES_PER_PAGE))
    if number > pages:
        raise NotFound("No such page")
    return UpdatesPage(
        [present.update(item) for item in items],
        number,
        pages,
        total,
        present.reference(one) if one else None,
    )


def updates_of(user: User, public_id: str, *, page: int, per_page: int) -> Page[UpdateView]:
    """One review's updates, newest first (the API)."""
    found = rules.review_for(user, public_id)
    items, total = queries.updates(found.authority_id, found.id, page, per_page)
    return Page([present.update(item) for item in items], page, per_page, total)


@dataclass(frozen=True)
class Choices:
    """What the forms offer: periods, earlier reviews, colleagues."""

    periods: list[Period]
    reviews: list[present.ReviewRef]  # candidates for the previous review
    colleagues: list[User]


def choices(user: User, editing: Review | None = None) -> Choices:
    authority_id = rules.own_authority(user)
    candidates = [
        present.reference(item)
        for item in queries.all_reviews_of(authority_id)
        if editing is None or item.id != editing.id
    ]
    colleagues = queries.colleagues(authority_id)
    if editing is not None:  # members whose accounts were deactivated stay choosable
        known = {colleague.id for colleague in colleagues}
        colleagues += [m.user for m in editing.team if m.user and m.user.id not in known]
    return Choices(queries.periods(), candidates, colleagues)


@dataclass(frozen=True)
class EditPage:
    review: ReviewDetail
    choices: Choices


def edit_page(user: User, public_id: str) -> EditPage:
    """A review to change, with what its forms offer; refused off the team."""
    found = rules.editable_review(user, public_id)
    following = queries.following([found.id])[found.id]
    return EditPage(present.detail(found, following), choices(user, found))


# --- checking what was sent ------------------------------------------------------------


def _period(code: str) -> Period:
    period = queries.period_by_code(code)
    if period is None:
        raise InvalidInput(messages.REVIEW_PERIOD_UNKNOWN, field="period")
    return period


def _previous(
    authority_id: int, public_id: str | None, editing: Review | None, starts_on: date
) -> Review | None:
    """The review this one follows: the authority's own, earlier, and no loop."""
    if public_id is None:
        return None
    previous = queries.review_of(authority_id, public_id)
    if previous is None:
        raise InvalidInput(messages.REVIEW_PREVIOUS_UNKNOWN, field="previous_review")
    if editing is not None and previous.id == editing.id:
        raise InvalidInput(messages.REVIEW_PREVIOUS_ITSELF, field="previous_review")
    if previous.starts_on >= starts_on:
        raise InvalidInput(messages.REVIEW_PREVIOUS_LATER, field="previous_review")
    if editing is not None:
        # Dates can be changed after a link is made, so an earlier start alone does not
        # rule out a loop: walk back from the chosen review.
        chain, step, seen = queries.chain(authority_id), previous.id, set()
        while step is not None and step not in seen:
            if step == editing.id:
                raise InvalidInput(messages.REVIEW_PREVIOUS_LOOP, field="previous_review")
            seen.add(step)
            step = chain.get(step)
    return previous


def _team(authority_id: int, members: list[dict[str, Any]], editing: Review | None) -> list[Member]:
    """The team as sent: users by email address (active users of the authority, or
    members already on the team), and named people without accounts."""
    emails = [member["user"] for member in members if member["user"]]
    found = queries.users_by_email(authority_id, emails)
    already = {member.user_id for member in editing.team} if editing is not None else set()
    team: list[Member] = []
    seen: set[int] = set()
    for position, member in enumerate(members):
        role = TeamRole(member["role"])
        if not member["user"]:
            team.append((None, member["name"], role))
            continue
        colleague = found.get(member["user"])
        field = f"team.{position}.user"
        if colleague is None or not (colleague.active or colleague.id in already):
            raise InvalidInput(messages.REVIEW_TEAM_USER_UNKNOWN, field=field)
        if colleague.id in seen:
            raise InvalidInput(messages.REVIEW_TEAM_REPEATED, field=field)
        seen.add(colleague.id)
        team.append((colleague, "", role))
    return team


def _locked(
    user: User, public_id: str, schema: Schema, data: dict[str, Any]
) -> tuple[Review, dict[str, Any]]:
    """A review to change, locked until the commit, and what was sent, which must be from
    the version it holds: a save from an older one would overwrite what it never saw."""
    review = rules.editable_review(user, public_id, lock=True)
    fields = rules.load(schema, data)
    if fields["lock_version"] != review.lock_version:
        raise Conflict(messages.REVIEW_STALE, field="lock_version")
    return review, fields


# --- writing ---------------------------------------------------------------------------


def start_review(user: User, data: dict[str, Any], now: datetime | None = None) -> Review:
    """Start a review. Its team is as sent, or else the user who starts it, as lead."""
    now = now or utcnow()
    authority_id = rules.own_authority(user)
    fields = rules.load(ReviewInSchema(), data)
    period = _period(fields["period"])
    previous = _previous(authority_id, fields["previous_review"], None, fields["starts_on"])
    team = (
        _team(authority_id, fields["team"], None)
        if fields["team"] is not None
        else [(user, "", TeamRole.LEAD)]
    )
    created = Review(
        authority_id=authority_id,
        title=fields["title"],
        service_scope=fields["service_scope"],
        period_id=period.id,
        starts_on=fields["starts_on"],
        ends_on=fields["ends_on"],
        status=ReviewStatus(fields["status"]),
        previous_review_id=previous.id if previous else None,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
        lock_version=1,
    )
    created.key_areas = [ReviewKeyArea(key_area=KeyArea(area)) for area in fields["key_areas"]]
    created.team = [
        ReviewTeamMember(user=member, display_name=name, role=role) for member, name, role in team
    ]
    queries.add(created)
    audit.record(
        "review_created",
        actor=user,
        authority_id=authority_id,
        subject=created,
        details={"review": created.public_id, "status": created.status.value},
    )
    if previous is not None:
        # A review is not a one-off: last review's unfinished actions come into this one,
        # with their history, in the same transaction.
        created.previous_review = previous
        actions.carry_into(user, created, now)
    db.session.commit()
    return created


def _apply_fields(
    review: Review, fields: dict[str, Any], period: Period, previous: Review | None
) -> list[str]:
    """Set the review's own fields; the names of those that changed (status apart)."""
    wanted = {
        "title": fields["title"],
        "service_scope": fields["service_scope"],
        "period_id": period.id,
        "starts_on": fields["starts_on"],
        "ends_on": fields["ends_on"],
        "previous_review_id": previous.id if previous else None,
    }
    changed = [name for name, value in wanted.items() if getattr(review, name) != value]
    for name in changed:
        setattr(review, name, wanted[name])
    areas = {KeyArea(area) for area in fields["key_areas"]}
    held = {row.key_area for row in review.key_areas}
    if areas != held:
        changed.append("key_areas")
        # Rows kept where they stay (one fact a row, unique per review).
        review.key_areas = [row for row in review.key_areas if row.key_area in areas] + [
            ReviewKeyArea(key_area=area) for area in KeyArea if area in areas - held
        ]
    names = {"period_id": "period", "previous_review_id": "previous_review"}
    return [names.get(name, name) for name in changed]


def _apply_team(review: Review, team: list[Member]) -> dict[str, int]:
    """Make the team *team*, keeping the rows of people who stay. How many were added,
    removed, and given another role (counts only: names stay out of the log)."""

    def key(user: User | None, name: str) -> tuple[int | None, str]:
        return (user.id, "") if user is not None else (None, name.casefold())

    rows = {key(row.user, row.display_name): row for row in review.team}
    kept, added, moved = [], 0, 0
    for user, name, role in team:
        row = rows.pop(key(user, name), None)
        if row is None:
            row, added = ReviewTeamMember(user=user, display_name=name, role=role), added + 1
        elif row.role is not role:
            row.role, moved = role, moved + 1
        if user is None:
            row.display_name = name  # the same person, however the name is now written
        kept.append(row)
    review.team = kept
    return {"added": added, "removed": len(rows), "role_changed": moved}


def _saved(
    user: User,
    review: Review,
    now: datetime,
    changed: list[str],
    status_from: ReviewStatus | None = None,
    team: dict[str, int] | None = None,
) -> Review:
    """Record what changed (by name, never the text), move the version on and commit."""
    details = {"review": review.public_id}
    where = {"actor": user, "authority_id": review.authority_id, "subject": review}
    if changed:
        audit.record("review_changed", **where, details={**details, "fields": changed})
    if status_from is not None:
        moved = {"from": status_from.value, "to": review.status.value}
        audit.record("review_status_changed", **where, details={**details, **moved})
    if team is not None and any(team.values()):
        audit.record("review_team_changed", **where, details={**details, **team})
    if changed or status_from is not None or (team is not None and any(team.values())):
        review.lock_version += 1
        review.updated_at = now
    db.session.commit()
    return review


def change_review(
    user: User, public_id: str, data: dict[str, Any], now: datetime | None = None
) -> Review:
    """Replace a review's fields (and its team, when sent), from the version read."""
    now = now or utcnow()
    review, fields = _locked(user, public_id, ReviewPutSchema(), data)
    period = _period(fields["period"])
    previous = _previous(
        review.authority_id, fields["previous_review"], review, fields["starts_on"]
    )
    team = (
        _team(review.authority_id, fields["team"], review) if fields["team"] is not None else None
    )
    changed = _apply_fields(review, fields, period, previous)
    status = ReviewStatus(fields["status"])
    status_from = review.status if status is not review.status else None
    review.status = status
    team_change = _apply_team(review, team) if team is not None else None
    return _saved(user, review, now, changed, status_from, team_change)


def change_team(
    user: User, public_id: str, data: dict[str, Any], now: datetime | None = None
) -> Review:
    """Replace a review's team, from the version read."""
    now = now or utcnow()
    review, fields = _locked(user, public_id, TeamSchema(), data)
    team = _team(review.authority_id, fields["team"], review)
    return _saved(user, review, now, [], team=_apply_team(review, team))


def post_update(
    user: User, public_id: str, data: dict[str, Any], now: datetime | None = None
) -> UpdateView:
    """Post an update every user of the authority sees; it cannot be changed afterwards."""
    review = rules.editable_review(user, public_id)
    fields = rules.load(ReviewUpdateInSchema(), data)
    posted = ReviewUpdate(
        review_id=review.id,
        kind=UpdateKind(fields["kind"]),
        body_md=fields["body"],
        posted_by_id=user.id,
        posted_at=now or utcnow(),
    )
    queries.add(posted)
    audit.record(
        "review_update_posted",
        actor=user,
        authority_id=review.authority_id,
        subject=posted,
        details={"review": review.public_id, "update": posted.public_id, "kind": posted.kind.value},
    )
    db.session.commit()
    return present.update(posted)
