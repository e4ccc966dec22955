"""Reviews as pages and the API show them: plain dataclasses built from the models.

Free text (the service in scope, updates, pin notes) is kept as written and rendered only
through :func:`bench.markdown.render`; titles and names are escaped by the templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import url_for
from markupsafe import Markup

from bench.markdown import render
from bench.models import (
    Indicator,
    KeyArea,
    Period,
    Review,
    ReviewEvidence,
    ReviewStatus,
    ReviewTeamMember,
    ReviewUpdate,
    TeamRole,
    UpdateKind,
)


@dataclass(frozen=True)
class TeamMemberView:
    name: str
    user: str | None  # the user's email address; None for someone without an account
    role: TeamRole
    active: bool = True  # False once the user's account is deactivated


@dataclass(frozen=True)
class ReviewRef:
    """Another review, as a link."""

    public_id: str
    title: str
    starts_on: date


@dataclass(frozen=True)
class UpdateView:
    public_id: str
    review_id: str
    review_title: str
    kind: UpdateKind
    body: str
    posted_by: str | None
    posted_at: datetime

    @property
    def body_html(self) -> Markup:
        return render(self.body)


@dataclass(frozen=True)
class GroupRef:
    key: str
    label: str


@dataclass(frozen=True)
class EvidenceView:
    """A pinned comparison: the authority's own figure and classification when pinned."""

    public_id: str
    indicator: Indicator
    period: Period
    group: GroupRef
    value: float | None
    classification: str
    data_version: str
    note: str
    pinned_by: str | None
    pinned_at: datetime
    live: str  # the comparison page as it stands now

    @property
    def note_html(self) -> Markup:
        return render(self.note)


@dataclass(frozen=True)
class ReviewDetail:
    """One review: its fields, team and chain, and the comparisons it pinned."""

    public_id: str
    title: str
    service_scope: str
    key_areas: list[KeyArea]
    period: Period | None
    starts_on: date
    ends_on: date | None
    status: ReviewStatus
    previous: ReviewRef | None
    following: list[ReviewRef]
    team: list[TeamMemberView]
    lock_version: int
    created_at: datetime
    updated_at: datetime
    evidence: list[EvidenceView] = field(default_factory=list)

    @property
    def service_scope_html(self) -> Markup:
        return render(self.service_scope)

    # The API's names for what the page shows as links.
    @property
    def period_code(self) -> str | None:
        return self.period.code if self.period is not None else None

    @property
    def previous_review(self) -> str | None:
        return self.previous.public_id if self.previous is not None else None

    @property
    def next_reviews(self) -> list[str]:
        return [review.public_id for review in self.following]


def reference(review: Review) -> ReviewRef:
    return ReviewRef(review.public_id, review.title, review.starts_on)


def team_member(member: ReviewTeamMember) -> TeamMemberView:
    if member.user is not None:
        return TeamMemberView(member.user.name, member.user.email, member.role, member.user.active)
    return TeamMemberView(member.display_name, None, member.role)


def update(item: ReviewUpdate) -> UpdateView:
    return UpdateView(
        item.public_id,
        item.review.public_id,
        item.review.title,
        item.kind,
        item.body_md,
        item.posted_by.name if item.posted_by is not None else None,
        item.posted_at,
    )


def live_path(indicator_code: str, group_key: str, period_code: str) -> str:
    """The comparison page for an indicator, group and period (the compare pages' URL)."""
    return url_for(
        "compare.indicator_view",
        indicator_code=indicator_code,
        group=group_key,
        period=period_code,
    )


def evidence(item: ReviewEvidence) -> EvidenceView:
    return EvidenceView(
        item.public_id,
        item.indicator,
        item.period,
        GroupRef(item.group_key, item.group_label),
        item.value_at_pin,
        item.classification_at_pin,
        item.data_version,
        item.note,
        item.pinned_by.name if item.pinned_by is not None else None,
        item.pinned_at,
        live_path(item.indicator.code, item.group_key, item.period.code),
    )


def detail(
    review: Review, following: list[Review], pinned: list[ReviewEvidence] | None = None
) -> ReviewDetail:
    previous = review.previous_review
    return ReviewDetail(
        public_id=review.public_id,
        title=review.title,
        service_scope=review.service_scope,
        key_areas=sorted((row.key_area for row in review.key_areas), key=list(KeyArea).index),
        period=review.period,
        starts_on=review.starts_on,
        ends_on=review.ends_on,
        status=review.status,
        previous=reference(previous) if previous is not None else None,
        following=[reference(item) for item in following],
        team=[team_member(member) for member in review.team],
        lock_version=review.lock_version,
        created_at=review.created_at,
        updated_at=review.updated_at,
        evidence=[evidence(item) for item in pinned or []],
    )
