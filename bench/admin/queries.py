"""Reads and writes for the catalogue: indicators, series breaks, periods."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import exists, or_, select, update

from bench.extensions import db
from bench.models import Indicator, Period, SeriesBreak, Value


def indicators() -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).order_by(Indicator.key_area, Indicator.code)))


def indicator(indicator_id: int) -> Indicator | None:
    return db.session.get(Indicator, indicator_id)


def indicator_by_code(code: str) -> Indicator | None:
    return db.session.scalars(
        select(Indicator).where(Indicator.code == code).order_by(Indicator.id)
    ).first()


def indicator_has_values(indicator_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Value.indicator_id == indicator_id))))


def periods() -> list[Period]:
    return list(db.session.scalars(select(Period).order_by(Period.starts_on, Period.code)))


def period(period_id: int) -> Period | None:
    return db.session.get(Period, period_id)


def period_by_code(code: str) -> Period | None:
    return db.session.scalars(select(Period).where(Period.code == code).order_by(Period.id)).first()


def series_breaks_of(indicator_id: int) -> list[SeriesBreak]:
    return list(
        db.session.scalars(
            select(SeriesBreak)
            .join(Period, Period.id == SeriesBreak.period_id)
            .where(SeriesBreak.indicator_id == indicator_id)
            .order_by(Period.starts_on, SeriesBreak.id)
        )
    )


def series_break(break_id: int) -> SeriesBreak | None:
    return db.session.get(SeriesBreak, break_id)


def series_break_at(indicator_id: int, period_id: int) -> SeriesBreak | None:
    return db.session.scalars(
        select(SeriesBreak)
        .where(SeriesBreak.indicator_id == indicator_id, SeriesBreak.period_id == period_id)
        .order_by(SeriesBreak.id)
    ).first()


def series_break_starts(indicator_ids: Iterable[int]) -> list[tuple[int, date, str]]:
    """(indicator_id, starts_on of the break's period, reason), in time order."""
    ids = sorted(set(indicator_ids))
    if not ids:
        return []
    rows = db.session.execute(
        select(SeriesBreak.indicator_id, Period.starts_on, SeriesBreak.reason)
        .join(Period, Period.id == SeriesBreak.period_id)
        .where(SeriesBreak.indicator_id.in_(ids))
        .order_by(SeriesBreak.indicator_id, Period.starts_on)
    )
    return [(indicator_id, starts_on, reason) for indicator_id, starts_on, reason in rows]


def add(record: object) -> None:
    db.session.add(record)
    db.session.flush()


def delete(record: object) -> None:
    db.session.delete(record)
    db.session.flush()


def reschedule_values(period_id: int, old: datetime | None, new: datetime | None) -> int:
    """Move the values waiting for a period's release to its new release time.

    Values published before the release carry the release time as ``visible_from`` (or
    none while the period has none); late values and corrections wait for a later
    release round and keep theirs. Returns how many values moved.
    """
    waiting = Value.visible_from.is_(None)
    if old is not None:
        waiting = or_(waiting, Value.visible_from == old)
    result = db.session.execute(
        update(Value).where(Value.period_id == period_id, waiting).values(visible_from=new)
    )
    db.session.flush()
    return int(result.rowcount or 0)
