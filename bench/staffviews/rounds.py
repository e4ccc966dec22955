"""Rounds, and what of them the team sees.

Views about a review belong to that review's round, which ends on the review's end date
or when it is closed; views about no review belong to the calendar month's round. The
team sees named views at once. Anonymous views reach it in batches of five (a batch is
marked ``released`` when its fifth view comes in), and all of them once the round has
ended, so that nobody on a small team can tell from when a view appeared who gave it.
Until then the team is told only that fewer than five are waiting, whatever the number
(none included): an exact count would give the timing away too.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime

from bench import messages
from bench.markdown import plain_text
from bench.models import (
    FollowUpAction,
    KeyArea,
    Review,
    ReviewStatus,
    StaffView,
    StaffViewStatus,
)

BATCH = 5


@dataclass(frozen=True)
class Round:
    key: tuple[str, int, int]  # ("review", id, 0) or ("month", year, month)
    label: str
    review: Review | None
    ended: bool
    ends_on: date | None  # None: until the review is closed

    @property
    def month(self) -> tuple[date, date]:
        """The first and last day of a month's round."""
        _, year, month = self.key
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def month_round(day: date, today: date) -> Round:
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return Round(
        key=("month", day.year, day.month),
        label=f"{day:%B %Y}",
        review=None,
        ended=today > last,
        ends_on=last,
    )


def review_round(review: Review, today: date) -> Round:
    ended = review.status is ReviewStatus.CLOSED or (
        review.ends_on is not None and today > review.ends_on
    )
    return Round(("review", review.id, 0), review.title, review, ended, review.ends_on)


def round_of(view: StaffView, today: date) -> Round:
    if view.review is not None:
        return review_round(view.review, today)
    return month_round(view.submitted_on, today)


def shown_to_team(view: StaffView, today: date) -> bool:
    """Named views at once; anonymous ones once their batch is released or the round ends."""
    return not view.anonymous or view.released or round_of(view, today).ended


# --- what a page or the API shows -----------------------------------------------------


@dataclass(frozen=True)
class ShownAction:
    public_id: str
    description: str
    status: str


@dataclass(frozen=True)
class ShownResponse:
    public_id: str
    body_md: str
    action: ShownAction | None
    responded_by: str | None
    responded_at: datetime


@dataclass(frozen=True)
class ShownView:
    """A view as one reader may see it: never the day it was given, and the author's
    name only where the author chose to be named."""

    id: str | None  # the team's handle; None for staff reading "you said, we did"
    round: str
    key_area: KeyArea
    body_md: str
    anonymous: bool
    author: str | None
    status: str
    hidden_reason: str | None
    responses: list[ShownResponse]


def _action(action: FollowUpAction | None) -> ShownAction | None:
    if action is None:
        return None
    return ShownAction(action.public_id, plain_text(action.description), action.status.label)


def shown(view: StaffView, today: date, *, for_team: bool) -> ShownView:
    hidden = view.status is StaffViewStatus.HIDDEN
    author = view.author.name if not view.anonymous and view.author is not None else None
    return ShownView(
        id=view.id if for_team else None,
        round=round_of(view, today).label,
        key_area=view.key_area,
        body_md=view.body_md,
        anonymous=view.anonymous,
        author=author,
        status=view.status.value,
        hidden_reason=view.hidden_reason if for_team and hidden else None,
        responses=[
            ShownResponse(
                response.public_id,
                response.body_md,
                _action(response.action),
                response.responded_by.name if response.responded_by else None,
                response.responded_at,
            )
            for response in view.responses
        ],
    )


@dataclass
class TeamRound:
    label: str
    review: str | None  # the review's public id
    ended: bool
    ends_on: date | None
    anonymous_waiting: str | None
    views: list[ShownView] = field(default_factory=list)
    hidden: list[ShownView] = field(default_factory=list)


def team_rounds(views: list[StaffView], open_rounds: list[Round], today: date) -> list[TeamRound]:
    """The team's rounds: every open round (with or without views, so that a round's
    first view does not show by the round appearing), then ended rounds with views,
    the latest first. Within a round, views in random-id order."""
    rounds: dict[tuple[str, int, int], tuple[Round, list[StaffView]]] = {
        found.key: (found, []) for found in open_rounds
    }
    for view in views:
        found = round_of(view, today)
        rounds.setdefault(found.key, (found, []))[1].append(view)
    ordered = sorted(
        rounds.values(),
        key=lambda pair: (pair[0].ended, _latest_first(pair[0]), pair[0].label),
    )
    out = []
    for found, members in ordered:
        if found.ended and not members:
            continue
        team_round = TeamRound(
            label=found.label,
            review=found.review.public_id if found.review else None,
            ended=found.ended,
            ends_on=found.ends_on,
            anonymous_waiting=None if found.ended else messages.STAFF_VIEWS_WAITING,
        )
        for view in sorted(members, key=lambda v: v.id):
            if not shown_to_team(view, today):
                continue
            hidden = view.status is StaffViewStatus.HIDDEN
            (team_round.hidden if hidden else team_round.views).append(
                shown(view, today, for_team=True)
            )
        out.append(team_round)
    return out


def _latest_first(found: Round) -> int:
    # Months before reviews without an end; later ends first.
    return -(found.ends_on.toordinal() if found.ends_on else date.max.toordinal())
