"""Reads and writes for known issues. Writes flush; the service commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bench.extensions import db
from bench.models import Authority, Indicator, IssueFlag, IssueType, IssueTypeStatus


def issue_types(statuses: Iterable[IssueTypeStatus] | None = None) -> list[IssueType]:
    """Issue types with their indicators, by title (one query for the indicators)."""
    query = select(IssueType).options(selectinload(IssueType.indicators))
    if statuses is not None:
        query = query.where(IssueType.status.in_(list(statuses)))
    return list(db.session.scalars(query.order_by(IssueType.title, IssueType.id)))


def proposals_of(authority_id: int) -> list[IssueType]:
    return list(
        db.session.scalars(
            select(IssueType)
            .where(
                IssueType.status == IssueTypeStatus.PROPOSED,
                IssueType.proposed_by_authority_id == authority_id,
            )
            .order_by(IssueType.title, IssueType.id)
        )
    )


def issue_type_by_code(code: str) -> IssueType | None:
    return db.session.scalars(select(IssueType).where(IssueType.code == code)).one_or_none()


def issue_types_by_code(codes: Iterable[str]) -> dict[str, IssueType]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(IssueType).where(IssueType.code.in_(wanted)).order_by(IssueType.code)
    )
    return {issue_type.code: issue_type for issue_type in rows}


def codes_starting(prefix: str) -> set[str]:
    rows = db.session.scalars(
        select(IssueType.code).where(IssueType.code.startswith(prefix)).order_by(IssueType.code)
    )
    return set(rows)


def title_taken(title: str, visible_to_authority_id: int | None, except_id: int | None) -> bool:
    """Whether an approved type (or one of the authority's own proposals) has this title.

    Other authorities' proposals are not counted: saying "taken" would reveal them.
    """
    query = select(IssueType.id).where(func.lower(IssueType.title) == title.lower())
    if visible_to_authority_id is not None:
        query = query.where(
            (IssueType.status == IssueTypeStatus.APPROVED)
            | (
                (IssueType.status == IssueTypeStatus.PROPOSED)
                & (IssueType.proposed_by_authority_id == visible_to_authority_id)
            )
        )
    else:
        query = query.where(
            IssueType.status.in_([IssueTypeStatus.APPROVED, IssueTypeStatus.PROPOSED])
        )
    if except_id is not None:
        query = query.where(IssueType.id != except_id)
    return db.session.scalars(query.order_by(IssueType.id).limit(1)).first() is not None


def indicators() -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).order_by(Indicator.title, Indicator.code)))


def indicators_by_code(codes: Iterable[str]) -> dict[str, Indicator]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(Indicator).where(Indicator.code.in_(wanted)).order_by(Indicator.code)
    )
    return {indicator.code: indicator for indicator in rows}


def flags_of(authority_id: int, issue_type_ids: Iterable[int] | None = None) -> list[IssueFlag]:
    query = select(IssueFlag).where(IssueFlag.authority_id == authority_id)
    if issue_type_ids is not None:
        query = query.where(IssueFlag.issue_type_id.in_(sorted(set(issue_type_ids))))
    return list(db.session.scalars(query.order_by(IssueFlag.issue_type_id)))


def flags_on(issue_type_id: int) -> list[IssueFlag]:
    return list(
        db.session.scalars(
            select(IssueFlag)
            .where(IssueFlag.issue_type_id == issue_type_id)
            .order_by(IssueFlag.authority_id)
        )
    )


def authority_names(authority_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(authority_ids))
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Authority.id, Authority.name).where(Authority.id.in_(wanted)).order_by(Authority.id)
    )
    return {authority_id: name for authority_id, name in rows}


def add(record: object) -> None:
    db.session.add(record)
    db.session.flush()


def delete(record: object) -> None:
    db.session.delete(record)
    db.session.flush()
