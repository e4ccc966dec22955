"""Reads for the home page, one query per kind of row (never one per indicator)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import func, select

from bench.extensions import db
from bench.models import (
    Authority,
    Indicator,
    Period,
    User,
    Value,
)


class OwnValue(NamedTuple):
    indicator_id: int
    period_id: int
    period_starts_on: object
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str


def indicators() -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).order_by(Indicator.key_area, Indicator.code)))


def periods(period_ids: Iterable[int]) -> dict[int, Period]:
    ids = sorted(set(period_ids))
    if not ids:
        return {}
    rows = db.session.scalars(select(Period).where(Period.id.in_(ids)).order_by(Period.id))
    return {period.id: period for period in rows}


def own_latest_values(authority_id: int) -> list[OwnValue]:
    rows = db.session.execute(
        select(
            Value.indicator_id,
            Value.period_id,
            Period.starts_on,
            Value.value,
            Value.numerator,
            Value.denominator,
            Value.status,
        )
        .join(Period, Period.id == Value.period_id)
        .where(Value.authority_id == authority_id, Value.is_latest.is_(True))
        .order_by(Value.indicator_id, Period.starts_on)
    )
    return [OwnValue(*row) for row in rows]


def network_counts() -> dict[str, int]:
    def count(model: type) -> int:
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)

    return {
        "authorities": int(
            db.session.scalar(
                select(func.count()).select_from(Authority).where(Authority.ended_on.is_(None))
            )
            or 0
        ),
        "users": count(User),
        "indicators": count(Indicator),
        "periods": count(Period),
        "values": int(
            db.session.scalar(
                select(func.count()).select_from(Value).where(Value.is_latest.is_(True))
            )
            or 0
        ),
    }
