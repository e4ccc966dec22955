"""Reads and writes for allies (flush only; the service commits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from bench.extensions import db
from bench.models import (
    Alliance,
    AllyAsk,
    AllyRequest,
    AllyRequestStatus,
    Authority,
    FlagAnswer,
    IssueFlag,
    IssueType,
    IssueTypeStatus,
    Role,
    User,
)


def approved_issue_type(code: str) -> IssueType | None:
    return db.session.scalars(
        select(IssueType)
        .where(IssueType.code == code, IssueType.status == IssueTypeStatus.APPROVED)
        .order_by(IssueType.id)
    ).first()


def open_to_contact(issue_type_id: int, asker_id: int) -> list[int]:
    """Current authorities other than the asker that report the issue (open, improving or
    resolved) and said they are open to contact about it."""
    return list(
        db.session.scalars(
            select(IssueFlag.authority_id)
            .join(Authority, Authority.id == IssueFlag.authority_id)
            .where(
                IssueFlag.issue_type_id == issue_type_id,
                IssueFlag.answer == FlagAnswer.REPORTED,
                IssueFlag.open_to_contact.is_(True),
                IssueFlag.authority_id != asker_id,
                Authority.ended_on.is_(None),
            )
            .order_by(IssueFlag.authority_id)
        )
    )


def _involving(authority_id: int):  # noqa: ANN202 - a SQL condition
    return or_(Alliance.first_id == authority_id, Alliance.second_id == authority_id)


def current_ally_ids(authority_id: int) -> set[int]:
    rows = db.session.execute(
        select(Alliance.first_id, Alliance.second_id)
        .where(_involving(authority_id), Alliance.ended_at.is_(None))
        .order_by(Alliance.id)
    )
    return {first if second == authority_id else second for first, second in rows}


def current_alliance(one: int, other: int) -> Alliance | None:
    first, second = sorted((one, other))
    return db.session.scalars(
        select(Alliance)
        .where(Alliance.first_id == first, Alliance.second_id == second)
        .where(Alliance.ended_at.is_(None))
        .order_by(Alliance.id)
    ).first()


def open_ask(authority_id: int, issue_type_id: int, now: datetime) -> AllyAsk | None:
    return db.session.scalars(
        select(AllyAsk)
        .where(
            AllyAsk.requester_id == authority_id,
            AllyAsk.issue_type_id == issue_type_id,
            AllyAsk.expires_at > now,
        )
        .order_by(AllyAsk.created_at.desc(), AllyAsk.id.desc())
    ).first()


def asks_of(authority_id: int) -> list[AllyAsk]:
    return list(
        db.session.scalars(
            select(AllyAsk)
            .options(joinedload(AllyAsk.issue_type))
            .where(AllyAsk.requester_id == authority_id)
            .order_by(AllyAsk.created_at.desc(), AllyAsk.public_id)
        )
    )


def pending_requests_to(authority_id: int, now: datetime) -> list[AllyRequest]:
    """Requests to *authority_id* still awaiting an answer, newest first."""
    return list(
        db.session.scalars(
            select(AllyRequest)
            .options(joinedload(AllyRequest.requester), joinedload(AllyRequest.issue_type))
            .where(
                AllyRequest.recipient_id == authority_id,
                AllyRequest.status == AllyRequestStatus.PENDING,
                AllyRequest.expires_at > now,
            )
            .order_by(AllyRequest.created_at.desc(), AllyRequest.public_id)
        )
    )


def pending_count(authority_id: int, now: datetime) -> int:
    return (
        db.session.scalar(
            select(func.count(AllyRequest.id)).where(
                AllyRequest.recipient_id == authority_id,
                AllyRequest.status == AllyRequestStatus.PENDING,
                AllyRequest.expires_at > now,
            )
        )
        or 0
    )


def request_to(authority_id: int, public_id: str) -> AllyRequest | None:
    """A request to *authority_id* by its public id, locked for the answer; None for
    anyone else's (their ids are not found, not forbidden)."""
    return db.session.scalars(
        select(AllyRequest)
        .where(AllyRequest.recipient_id == authority_id, AllyRequest.public_id == public_id)
        .order_by(AllyRequest.id)
        .with_for_update()
    ).first()


def alliances_of(authority_id: int) -> list[Alliance]:
    """Current alliances first (newest first), then ended ones (latest end first)."""
    return list(
        db.session.scalars(
            select(Alliance)
            .options(joinedload(Alliance.first), joinedload(Alliance.second))
            .where(_involving(authority_id))
            .order_by(
                Alliance.ended_at.is_not(None),
                Alliance.ended_at.desc(),
                Alliance.formed_at.desc(),
                Alliance.public_id,
            )
        )
    )


def alliance_of(authority_id: int, public_id: str, *, lock: bool = False) -> Alliance | None:
    query = (
        select(Alliance)
        .where(_involving(authority_id), Alliance.public_id == public_id)
        .order_by(Alliance.id)
    )
    if lock:
        query = query.with_for_update()
    return db.session.scalars(query).first()


def origins(alliance_ids: list[int]) -> dict[int, tuple[int, IssueType | None]]:
    """For each alliance, the council that asked and the issue it asked about."""
    if not alliance_ids:
        return {}
    rows = db.session.execute(
        select(Alliance.id, AllyRequest.requester_id, IssueType)
        .join(AllyRequest, AllyRequest.id == Alliance.request_id)
        .outerjoin(IssueType, IssueType.id == AllyRequest.issue_type_id)
        .where(Alliance.id.in_(alliance_ids))
        .order_by(Alliance.id)
    )
    return {alliance_id: (asker_id, issue_type) for alliance_id, asker_id, issue_type in rows}


def ask_by_id(ask_id: int) -> AllyAsk | None:
    return db.session.get(AllyAsk, ask_id)


def authority(authority_id: int) -> Authority | None:
    return db.session.get(Authority, authority_id)


def admins_of(authority_ids: list[int]) -> list[User]:
    """Active authority admins of these authorities: who answers for each."""
    if not authority_ids:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.authority_id.in_(authority_ids),
                User.role == Role.AUTHORITY_ADMIN,
                User.active.is_(True),
            )
            .order_by(User.authority_id, User.id)
        )
    )


def expire_requests(now: datetime) -> int:
    """Pending requests past their date become expired."""
    result = db.session.execute(
        update(AllyRequest)
        .where(AllyRequest.status == AllyRequestStatus.PENDING, AllyRequest.expires_at <= now)
        .values(status=AllyRequestStatus.EXPIRED)
    )
    db.session.flush()
    return result.rowcount or 0


def asks_to_close(now: datetime) -> list[AllyAsk]:
    return list(
        db.session.scalars(
            select(AllyAsk)
            .options(joinedload(AllyAsk.issue_type))
            .where(AllyAsk.expires_at <= now, AllyAsk.closed_at.is_(None))
            .order_by(AllyAsk.expires_at, AllyAsk.id)
            .with_for_update(of=AllyAsk)
        )
    )


def add(record: object) -> None:
    db.session.add(record)
    db.session.flush()


def add_all(records: list[object]) -> None:
    db.session.add_all(records)
    db.session.flush()
