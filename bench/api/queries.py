"""Reads for the API: one page of rows at a time, each list in a fixed order."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from bench.extensions import db
from bench.models import Indicator, IssueType, IssueTypeStatus, Period, Value

T = TypeVar("T")


def paged(query: Select[tuple[T]], page: int, per_page: int) -> tuple[list[T], int]:
    """One page of *query* (which must be ordered) and the number of rows on all pages.

    Counted only when the page cannot tell: a page that is not full is the last one (home's
    overdue actions, most often none, and most lists of the API fit on one page), so the
    rows before it and on it are all there are."""
    offset = (page - 1) * per_page
    rows = list(db.session.scalars(query.limit(per_page).offset(offset)).unique())
    if len(rows) < per_page and (rows or page == 1):
        return rows, offset + len(rows)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return rows, int(total or 0)


def indicators() -> Select[tuple[Indicator]]:
    return select(Indicator).order_by(Indicator.code, Indicator.id)


def periods() -> Select[tuple[Period]]:
    return select(Period).order_by(Period.starts_on, Period.code, Period.id)


def approved_issue_types() -> Select[tuple[IssueType]]:
    return (
        select(IssueType)
        .where(IssueType.status == IssueTypeStatus.APPROVED)
        .options(selectinload(IssueType.indicators))
        .order_by(IssueType.code, IssueType.id)
    )


def latest_values(
    authority_id: int, period_id: int | None, indicator_id: int | None
) -> Select[tuple[Value]]:
    """An authority's current revisions, by period then indicator code."""
    query = (
        select(Value)
        .join(Period, Period.id == Value.period_id)
        .join(Indicator, Indicator.id == Value.indicator_id)
        .where(Value.authority_id == authority_id, Value.is_latest.is_(True))
        .options(joinedload(Value.indicator), joinedload(Value.period))
        .order_by(Period.starts_on, Period.code, Indicator.code, Value.id)
    )
    if period_id is not None:
        query = query.where(Value.period_id == period_id)
    if indicator_id is not None:
        query = query.where(Value.indicator_id == indicator_id)
    return query


def period_by_code(code: str) -> Period | None:
    return db.session.scalars(select(Period).where(Period.code == code).order_by(Period.id)).first()


def indicator_by_code(code: str) -> Indicator | None:
    return db.session.scalars(
        select(Indicator).where(Indicator.code == code).order_by(Indicator.id)
    ).first()


def codes() -> dict[str, list[str]]:
    """The catalogue's codes, each list sorted: indicators, periods and approved issue
    types. Never the authorities' codes: a staff user's document must not list the
    network's councils (an ally's code is learnt from the alliance, DESIGN.md)."""
    return {
        "indicator": list(db.session.scalars(select(Indicator.code).order_by(Indicator.code))),
        "period": list(db.session.scalars(select(Period.code).order_by(Period.code))),
        "issue_type": list(
            db.session.scalars(
                select(IssueType.code)
                .where(IssueType.status == IssueTypeStatus.APPROVED)
                .order_by(IssueType.code)
            )
        ),
    }
