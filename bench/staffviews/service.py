"""Staff views ("you said, we did"): any user of an authority gives a view, named or
anonymous within the authority; the review team responds; responded views are read by
all the authority's users.

Anonymous means nothing kept anywhere joins a view back to its author (issue 11; DESIGN.md
Anonymity). Giving one writes exactly one row, ``staff_views``: no author, session, token,
address or time of day (the date only, in the UK), under a random id in a table kept in
id order. No audit event, notification, log line, flash message or redirect carries it.
The daily limit counts in the rate-limit storage under a keyed hash of the user and the
day (bench.staffviews.limit), never beside the view. The team sees anonymous views in
batches of five or at the round's end (bench.staffviews.rounds), so timing tells nothing.

The team: the authority's admins (every view), and a review's team members with accounts
(views about that review). Moderation hides a view with a reason, audited with the
moderator and never the author.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bench import audit, messages
from bench.access import Permission, has_permission, is_own_authority
from bench.dates import LONDON
from bench.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bench.extensions import db
from bench.models import (
    FollowUpAction,
    KeyArea,
    Review,
    Role,
    StaffView,
    StaffViewResponse,
    StaffViewStatus,
    User,
    utcnow,
)
from bench.staffviews import limit, queries, rounds
from bench.staffviews.rounds import Round, ShownView, TeamRound
from bench.staffviews.schemas import HideInSchema, ResponseInSchema, StaffViewInSchema
from bench.validation import load


def today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LONDON).date()


def _authority(user: User) -> int:
    """Only the users of an authority give and read its views; anyone else finds nothing."""
    if not has_permission(user, Permission.RECORD_VISITS) or user.authority_id is None:
        raise NotFound("No authority")
    return user.authority_id


def _is_admin(user: User, authority_id: int) -> bool:
    return user.role is Role.AUTHORITY_ADMIN and is_own_authority(user, authority_id)


@dataclass(frozen=True)
class Team:
    """Which views a user sees as the team: all (admins), or those about their reviews."""

    authority_id: int
    everything: bool
    review_ids: frozenset[int]

    def __bool__(self) -> bool:
        return self.everything or bool(self.review_ids)

    def covers(self, view: StaffView) -> bool:
        return self.everything or view.review_id in self.review_ids


def team_of(user: User) -> Team:
    authority_id = _authority(user)
    if _is_admin(user, authority_id):
        return Team(authority_id, True, frozenset())
    return Team(authority_id, False, frozenset(queries.team_review_ids(authority_id, user.id)))


# --- giving a view --------------------------------------------------------------------


def open_reviews(authority_id: int, day: date) -> list[Review]:
    """The authority's reviews still taking views: not closed and not past their end. A
    view about a review whose round has ended would be shown to the team at once."""
    return [
        review
        for review in queries.reviews_not_closed(authority_id)
        if not rounds.review_round(review, day).ended
    ]


@dataclass(frozen=True)
class GivePage:
    reviews: list[Review]
    month: str  # this month's round, for views about no review
    per_day: int
    you_said_we_did: list[ShownView]


def give_page(user: User, now: datetime | None = None) -> GivePage:
    authority_id = _authority(user)
    day = today(now)
    return GivePage(
        reviews=open_reviews(authority_id, day),
        month=rounds.month_round(day, day).label,
        per_day=limit.per_day(),
        you_said_we_did=you_said_we_did(user, now),
    )


@dataclass(frozen=True)
class Given:
    """What the giver is told: never an anonymous view's id."""

    id: str | None
    anonymous: bool
    round: str
    key_area: KeyArea


def give(user: User, data: Any, now: datetime | None = None) -> Given:
    """Record a view; anonymous unless ``anonymous`` is false.

    Raises :class:`InvalidInput` naming the field, or :class:`Conflict` (its only one)
    when the user has given the most views one person may give today; either way nothing
    is written.
    """
    authority_id = _authority(user)
    loaded = load(StaffViewInSchema(), data)
    now = now or utcnow()
    day = today(now)
    review = None
    if loaded["review"] is not None:
        review = queries.review_of(authority_id, loaded["review"])
        if review is None or rounds.review_round(review, day).ended:
            raise InvalidInput(messages.STAFF_VIEW_REVIEW_UNKNOWN, field="review")
    if not limit.count_one(user.id, now):
        raise Conflict(messages.STAFF_VIEW_PER_DAY.format(limit=limit.per_day()))
    anonymous = loaded["anonymous"]
    view = StaffView(
        authority_id=authority_id,
        review=review,
        key_area=loaded["key_area"],
        body_md=loaded["body"],
        anonymous=anonymous,
        author_user_id=None if anonymous else user.id,
        submitted_on=day,
        status=StaffViewStatus.NEW,
        released=False,
    )
    found: Round = rounds.review_round(review, day) if review else rounds.month_round(day, day)
    if anonymous:
        queries.lock_anonymous_views(authority_id)
    queries.add(view)
    if anonymous:
        _release_or_shuffle(authority_id, found)
    db.session.commit()
    return Given(None if anonymous else view.id, anonymous, found.label, view.key_area)


def _release_or_shuffle(authority_id: int, found: Round) -> None:
    """Release the round's waiting anonymous views once five have come in; until then
    write them all again, so that none of their rows says which came in last."""
    if found.review is not None:
        waiting = queries.waiting_ids(authority_id, found.review.id, None)
    else:
        waiting = queries.waiting_ids(authority_id, None, found.month)
    queries.rewrite(waiting, released=len(waiting) >= rounds.BATCH)


# --- what each reader sees ------------------------------------------------------------


def _shown_to_staff(views: list[StaffView], day: date) -> list[ShownView]:
    visible = [view for view in views if view.responses and rounds.shown_to_team(view, day)]
    # The latest response first: when the team answered, never when a view came in.
    visible.sort(key=lambda view: max(r.responded_at for r in view.responses), reverse=True)
    return [rounds.shown(view, day, for_team=False) for view in visible]


def you_said_we_did(
    user: User, now: datetime | None = None, review: Review | None = None
) -> list[ShownView]:
    """Views the team has responded to (not hidden): every user of the authority reads
    them, the author named only where they chose to be. With *review*: those about it."""
    views = queries.responded_views(_authority(user))
    if review is not None:
        views = [view for view in views if view.review_id == review.id]
    return _shown_to_staff(views, today(now))


def team_page(user: User, now: datetime | None = None) -> list[TeamRound]:
    """The team's view of its rounds. Anyone not on a team is refused."""
    team = team_of(user)
    if not team:
        raise NotAllowed(messages.STAFF_VIEWS_NOT_ON_TEAM)
    return _team_rounds(team, today(now))


def _team_rounds(team: Team, day: date) -> list[TeamRound]:
    if team.everything:
        views = queries.views_of(team.authority_id)
        reviews = open_reviews(team.authority_id, day)
        open_rounds = [rounds.month_round(day, day)]
    else:
        views = queries.views_of(team.authority_id, sorted(team.review_ids))
        reviews = [
            review
            for review in queries.reviews_by_id(sorted(team.review_ids))
            if not rounds.review_round(review, day).ended
        ]
        open_rounds = []
    open_rounds += [rounds.review_round(review, day) for review in reviews]
    return rounds.team_rounds(views, open_rounds, day)


@dataclass(frozen=True)
class StaffViewsPage:
    on_team: bool
    rounds: list[TeamRound]
    you_said_we_did: list[ShownView]


def staff_views(user: User, now: datetime | None = None) -> StaffViewsPage:
    """The API's answer: the team's view for the team, and what every user reads."""
    team = team_of(user)
    day = today(now)
    return StaffViewsPage(
        on_team=bool(team),
        rounds=_team_rounds(team, day) if team else [],
        you_said_we_did=you_said_we_did(user, now),
    )


# --- the team's work ------------------------------------------------------------------


def _team_view(user: User, view_id: str, day: date) -> StaffView:
    """A view the user sees as the team. One the user may read but not answer (responded,
    on "you said, we did") is refused; any other is not found, as if it did not exist."""
    team = team_of(user)
    view = queries.view_of(team.authority_id, view_id)
    if view is None or not rounds.shown_to_team(view, day):
        raise NotFound("No such view")
    if not team.covers(view):
        if view.status is StaffViewStatus.RESPONDED:
            raise NotAllowed(messages.STAFF_VIEWS_NOT_ON_TEAM)
        raise NotFound("No such view")
    return view


def view_for_team(user: User, view_id: str, now: datetime | None = None) -> ShownView:
    day = today(now)
    return rounds.shown(_team_view(user, view_id, day), day, for_team=True)


def action_choices(user: User) -> list[FollowUpAction]:
    return queries.actions_of(_authority(user))


def respond(user: User, view_id: str, data: Any, now: datetime | None = None) -> ShownView:
    """The team's "we did", optionally linking one of the authority's actions."""
    now = now or utcnow()
    day = today(now)
    view = _team_view(user, view_id, day)
    loaded = load(ResponseInSchema(), data)
    action = None
    if loaded["action"] is not None:
        action = queries.action_of(view.authority_id, loaded["action"])
        if action is None:
            raise InvalidInput(messages.STAFF_VIEW_ACTION_UNKNOWN, field="action")
    if view.status is StaffViewStatus.HIDDEN:
        raise Conflict(messages.STAFF_VIEW_HIDDEN_CANNOT_RESPOND)
    response = StaffViewResponse(
        body_md=loaded["body"], action=action, responded_by=user, responded_at=now
    )
    view.responses.append(response)
    view.status = StaffViewStatus.RESPONDED
    queries.add(response)
    audit.record(
        "staff_view_responded",
        actor=user,
        authority_id=view.authority_id,
        subject=response,
        details={"view": view.id, "action": action.public_id if action else None},
    )
    db.session.commit()
    return rounds.shown(view, day, for_team=True)


def hide(user: User, view_id: str, data: Any, now: datetime | None = None) -> ShownView:
    """Hide a view with a reason: kept, shown to the team as hidden, never to staff."""
    now = now or utcnow()
    day = today(now)
    view = _team_view(user, view_id, day)
    reason = load(HideInSchema(), data)["reason"]
    if view.status is StaffViewStatus.HIDDEN:
        raise Conflict(messages.STAFF_VIEW_ALREADY_HIDDEN)
    view.status = StaffViewStatus.HIDDEN
    view.hidden_reason = reason
    view.hidden_by_id = user.id
    view.hidden_at = now
    # The moderator and the reason; never the author, named or not.
    audit.record(
        "staff_view_hidden",
        actor=user,
        authority_id=view.authority_id,
        details={"view": view.id, "reason": reason},
    )
    db.session.commit()
    return rounds.shown(view, day, for_team=True)


def unhide(user: User, view_id: str, now: datetime | None = None) -> ShownView:
    now = now or utcnow()
    day = today(now)
    view = _team_view(user, view_id, day)
    if view.status is not StaffViewStatus.HIDDEN:
        raise Conflict(messages.STAFF_VIEW_NOT_HIDDEN)
    view.status = StaffViewStatus.RESPONDED if view.responses else StaffViewStatus.NEW
    view.hidden_reason = ""
    view.hidden_by_id = None
    view.hidden_at = None
    audit.record(
        "staff_view_unhidden", actor=user, authority_id=view.authority_id, details={"view": view.id}
    )
    db.session.commit()
    return rounds.shown(view, day, for_team=True)
