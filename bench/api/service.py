"""What the API answers. Lists come a page at a time; values only ever the caller's own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select

from bench.access import Permission, has_permission
from bench.api import queries
from bench.errors import NotAllowed, RowError, ValidationFailed
from bench.models import Indicator, IssueType, Period, User, Value

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def _page(query: Select[tuple[T]], page: int, per_page: int) -> Page[T]:
    items, total = queries.paged(query, page, per_page)
    return Page(items, page, per_page, total)


def indicators(*, page: int, per_page: int) -> Page[Indicator]:
    return _page(queries.indicators(), page, per_page)


def periods(*, page: int, per_page: int) -> Page[Period]:
    return _page(queries.periods(), page, per_page)


def issue_types(*, page: int, per_page: int) -> Page[IssueType]:
    """The approved catalogue: proposals, merged and rejected types are not for flagging."""
    return _page(queries.approved_issue_types(), page, per_page)


def catalogue_codes() -> dict[str, list[str]]:
    """What the OpenAPI document lists as each code's choices (bench.api.openapi):
    indicator, period and approved issue type codes (never the councils')."""
    return queries.codes()


def own_values(
    user: User,
    *,
    page: int,
    per_page: int,
    period: str | None = None,
    indicator: str | None = None,
) -> Page[Value]:
    """The current revision of each of the user's own authority's values.

    The authority comes from the user, never from the request: no parameter can name
    another authority. An unknown filter code is an error, not an empty page, so a typo
    does not look like missing data.
    """
    if not has_permission(user, Permission.SEE_OWN_DATA) or user.authority_id is None:
        raise NotAllowed("Only users of an authority have values of their own")
    errors: list[RowError] = []
    period_id = indicator_id = None
    if period is not None:
        found_period = queries.period_by_code(period)
        if found_period is None:
            errors.append(RowError(None, "period", f"No period has the code {period}"))
        else:
            period_id = found_period.id
    if indicator is not None:
        found_indicator = queries.indicator_by_code(indicator)
        if found_indicator is None:
            errors.append(RowError(None, "indicator", f"No indicator has the code {indicator}"))
        else:
            indicator_id = found_indicator.id
    if errors:
        raise ValidationFailed(errors)
    return _page(queries.latest_values(user.authority_id, period_id, indicator_id), page, per_page)
