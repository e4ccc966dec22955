"""The authority's actions as lists: the actions page (one tab, its filters and what it
offers to carry forward), the API's pages, and a review's actions for its own page.

Every list reads owners, reviews, visits, indicators, periods and issue types in the
same statement, and what the rows share in one statement each, so that fifty actions
cost the same number of statements as five.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bench import messages
from bench.actions import queries
from bench.actions.checks import london_today, own_authority
from bench.actions.queries import FINISHED, UNFINISHED, Filters
from bench.actions.shown import ActionView, Lookups, action_view
from bench.api import queries as api_queries
from bench.api.service import Page
from bench.errors import NotFound, RowError, ValidationFailed
from bench.models import ActionStatus, FollowUpAction, Rag, Review, User, utcnow


def _lookups(actions: list[FollowUpAction]) -> Lookups:
    return Lookups(
        staff_views=queries.staff_views_by_id(a.staff_view_id or "" for a in actions),
        public_ids=queries.public_ids(a.carried_from_id for a in actions),
        carried_into=queries.carried_into(a.id for a in actions if a.status.finished),
    )


def views_of(actions: list[FollowUpAction], today: date, **options: bool) -> list[ActionView]:
    lookups = _lookups(actions)
    return [action_view(action, today, lookups, **options) for action in actions]


@dataclass(frozen=True)
class ListPage:
    """The actions page: one tab (unfinished or finished), its filters and choices.

    ``rejected`` names each filter whose value is not one offered (it is not applied).
    """

    actions: list[ActionView]
    finished: bool
    unfinished_count: int
    finished_count: int
    reviews: list[Review]
    owners: list[tuple[str, str]]
    carry_offers: list[tuple[Review, int]]
    rejected: dict[str, str]


FILTER_WORDS = {"status": "status", "review": "review", "owner": "owner", "rag": "RAG rating"}


def _chosen(
    value: str | None, offered: Mapping[str, Any], name: str, rejected: dict[str, str]
) -> Any:
    """The filter's value if the page offers it; otherwise none, and the reason."""
    if not value:
        return None
    if value not in offered:
        rejected[name] = messages.ACTION_FILTER_UNKNOWN.format(name=FILTER_WORDS[name])
        return None
    return offered[value]


def list_page(
    user: User,
    *,
    finished: bool = False,
    status: str | None = None,
    review: str | None = None,
    owner: str | None = None,
    rag: str | None = None,
    now: datetime | None = None,
) -> ListPage:
    """The authority's unfinished actions (or its finished ones), overdue first, filtered
    by status, review, owner and rating among the values the page offers."""
    authority_id = own_authority(user)
    today = london_today(now or utcnow())
    tab = FINISHED if finished else UNFINISHED
    reviews = queries.reviews_of(authority_id)
    owners = queries.owners(authority_id)
    rejected: dict[str, str] = {}
    chosen_status = _chosen(status, {s.value: s for s in tab}, "status", rejected)
    chosen_review = _chosen(review, {r.public_id: r for r in reviews}, "review", rejected)
    filters = Filters(
        statuses=(chosen_status,) if chosen_status else tab,
        review_id=chosen_review.id if chosen_review else None,
        owner=_chosen(owner, {key: key for key, _ in owners}, "owner", rejected),
        rag=_chosen(rag, {r.value: r for r in Rag}, "rag", rejected),
    )
    found_actions = queries.listed(queries.actions(authority_id, filters, today))
    counts = queries.counts(authority_id)
    return ListPage(
        actions=views_of(found_actions, today),
        finished=finished,
        unfinished_count=sum(counts.get(s, 0) for s in UNFINISHED),
        finished_count=sum(counts.get(s, 0) for s in FINISHED),
        reviews=reviews,
        owners=owners,
        carry_offers=queries.carry_offers(authority_id, filters.review_id),
        rejected=rejected,
    )


def api_list(
    user: User,
    *,
    page: int,
    per_page: int,
    status: ActionStatus | None = None,
    review: str | None = None,
    overdue: bool | None = None,
    now: datetime | None = None,
) -> Page[ActionView]:
    """One page of the authority's actions, in the page's order: unfinished ones unless a
    status is asked for. An unknown review is a validation error naming the filter."""
    authority_id = own_authority(user)
    today = london_today(now or utcnow())
    review_id = None
    if review is not None:
        found = queries.review_of(authority_id, review)
        if found is None:
            raise ValidationFailed([RowError(None, "review", messages.ACTION_REVIEW_UNKNOWN)])
        review_id = found.id
    statuses = (status,) if status is not None else UNFINISHED
    filters = Filters(statuses=statuses, review_id=review_id, overdue=overdue)
    items, total = api_queries.paged(queries.actions(authority_id, filters, today), page, per_page)
    return Page(views_of(items, today), page, per_page, total)


def of_review(user: User, review: Review, now: datetime | None = None) -> list[ActionView]:
    """Every action of one of the authority's reviews, unfinished first (overdue first),
    then the finished ones: for the review's own page."""
    authority_id = own_authority(user)
    if review.authority_id != authority_id:
        raise NotFound("No such review")
    today = london_today(now or utcnow())
    found = [
        action
        for statuses in (UNFINISHED, FINISHED)
        for action in queries.listed(
            queries.actions(authority_id, Filters(statuses, review_id=review.id), today)
        )
    ]
    return views_of(found, today)
