"""Reads and writes for publishing. Flush, never commit: the service owns the transaction."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, update

from bench.extensions import db
from bench.models import (
    Authority,
    Indicator,
    Period,
    QueryStatus,
    UploadBatch,
    UploadRow,
    Value,
    ValueQuery,
)

CHUNK = 5_000


class CurrentValue(NamedTuple):
    id: int
    indicator_id: int
    period_id: int
    revision: int
    numerator: float | None
    denominator: float | None
    value: float | None
    status: str
    note: str


def authority(authority_id: int) -> Authority | None:
    return db.session.get(Authority, authority_id)


def indicators() -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).order_by(Indicator.key_area, Indicator.code)))


def periods() -> list[Period]:
    return list(db.session.scalars(select(Period).order_by(Period.starts_on, Period.code)))


def lock_authority(authority_id: int) -> None:
    """Serialise publishing per authority until the transaction ends.

    A no-op UPDATE takes PostgreSQL's row lock and SQLite's write lock at once, so two
    uploads for one authority cannot both read revision n and both write n + 1.
    """
    db.session.execute(
        update(Authority).where(Authority.id == authority_id).values(id=Authority.id)
    )


def current_values(authority_id: int) -> dict[tuple[int, int], CurrentValue]:
    """The authority's latest revision of every figure, keyed by (indicator, period)."""
    rows = db.session.execute(
        select(
            Value.id,
            Value.indicator_id,
            Value.period_id,
            Value.revision,
            Value.numerator,
            Value.denominator,
            Value.value,
            Value.status,
            Value.note,
        )
        .where(Value.authority_id == authority_id, Value.is_latest.is_(True))
        .order_by(Value.indicator_id, Value.period_id)
    )
    return {(row[1], row[2]): CurrentValue(*row) for row in rows}


def retire(value_ids: Sequence[int]) -> None:
    """Mark revisions as no longer the latest (a correction supersedes them)."""
    for start in range(0, len(value_ids), CHUNK):
        chunk = list(value_ids[start : start + CHUNK])
        db.session.execute(update(Value).where(Value.id.in_(chunk)).values(is_latest=False))


def insert_values(rows: Sequence[dict[str, Any]]) -> None:
    """Insert new revisions in the session's transaction, as fast as the backend allows."""
    if rows:
        _bulk_insert(Value.__table__, rows)


def _bulk_insert(table: Any, rows: Sequence[dict[str, Any]]) -> None:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # PostgreSQL's COPY: several times faster than batched INSERTs for big uploads.
        columns = list(rows[0])
        quoted = ", ".join(f'"{name}"' for name in columns)
        raw = connection.connection.driver_connection
        statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([_plain(row[name]) for name in columns])
        return
    # Core insert on the table: the ORM's bulk path costs more than the database does.
    for start in range(0, len(rows), CHUNK):
        db.session.execute(table.insert(), list(rows[start : start + CHUNK]))


def _plain(cell: Any) -> Any:
    return cell.value if isinstance(cell, enum.Enum) else cell


def latest_ids(authority_id: int, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    wanted = set(keys)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Value.indicator_id, Value.period_id, Value.id)
        .where(
            Value.authority_id == authority_id,
            Value.is_latest.is_(True),
            Value.indicator_id.in_(sorted({i for i, _ in wanted})),
            Value.period_id.in_(sorted({p for _, p in wanted})),
        )
        .order_by(Value.id)
    )
    return {(i, p): v for i, p, v in rows if (i, p) in wanted}


def add_batch(batch: UploadBatch) -> UploadBatch:
    db.session.add(batch)
    db.session.flush()
    return batch


STAGED_COLUMNS = (
    "indicator_id",
    "period_id",
    "numerator",
    "denominator",
    "value",
    "status",
    "note",
)


def stage_rows(batch_id: int, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        _bulk_insert(
            UploadRow.__table__,
            [{"batch_id": batch_id, "row": row["row"], **{c: row[c] for c in STAGED_COLUMNS}}
             for row in rows],
        )  # fmt: skip


def staged_chunks(batch_id: int, size: int) -> Iterator[list[dict[str, Any]]]:
    """The staged rows of a batch, in file order, a chunk at a time (keyset pages)."""
    after = 0
    columns = [getattr(UploadRow, c) for c in STAGED_COLUMNS]
    while True:
        rows = db.session.execute(
            select(UploadRow.row, *columns)
            .where(UploadRow.batch_id == batch_id, UploadRow.row > after)
            .order_by(UploadRow.row)
            .limit(size)
        ).all()
        if not rows:
            return
        yield [{"row": r[0], **dict(zip(STAGED_COLUMNS, r[1:], strict=True))} for r in rows]
        after = rows[-1][0]


def drop_staged(batch_id: int) -> None:
    db.session.execute(delete(UploadRow).where(UploadRow.batch_id == batch_id))


def batch(batch_id: int) -> UploadBatch | None:
    return db.session.get(UploadBatch, batch_id)


def open_queries(authority_id: int) -> list[ValueQuery]:
    return list(
        db.session.scalars(
            select(ValueQuery)
            .where(ValueQuery.authority_id == authority_id, ValueQuery.status == QueryStatus.OPEN)
            .order_by(ValueQuery.raised_at, ValueQuery.id)
        )
    )


def query(query_id: int) -> ValueQuery | None:
    return db.session.get(ValueQuery, query_id)


def existing_query_keys(value_ids: Iterable[int]) -> set[tuple[int, str]]:
    ids = sorted(set(value_ids))
    if not ids:
        return set()
    rows = db.session.execute(
        select(ValueQuery.value_id, ValueQuery.reason)
        .where(ValueQuery.value_id.in_(ids))
        .order_by(ValueQuery.id)
    )
    return {(value_id, str(reason)) for value_id, reason in rows}


def add_queries(rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(insert(ValueQuery), list(rows))


def close_queries_for(
    authority_id: int, keys: Iterable[tuple[int, int]], now: datetime, user_id: int | None
) -> None:
    """A correction answers the open queries on the figure it replaces."""
    keys = set(keys)
    if not keys:
        return
    rows = db.session.execute(
        select(ValueQuery.id, Value.indicator_id, Value.period_id)
        .join(Value, Value.id == ValueQuery.value_id)
        .where(
            ValueQuery.authority_id == authority_id,
            ValueQuery.status == QueryStatus.OPEN,
            Value.indicator_id.in_(sorted({i for i, _ in keys})),
            Value.period_id.in_(sorted({p for _, p in keys})),
        )
        .order_by(ValueQuery.id)
    )
    ids = [query_id for query_id, i, p in rows if (i, p) in keys]
    if ids:
        db.session.execute(
            update(ValueQuery)
            .where(ValueQuery.id.in_(ids))
            .values(status=QueryStatus.CORRECTED, resolved_at=now, resolved_by_id=user_id)
        )


def latest_rows_for_period(period_id: int) -> dict[int, list[dict[str, Any]]]:
    """Every authority's latest figures for a period, as normalised rows."""
    rows = db.session.execute(
        select(
            Value.authority_id,
            Value.indicator_id,
            Value.numerator,
            Value.denominator,
            Value.value,
            Value.status,
            Value.note,
        )
        .where(Value.period_id == period_id, Value.is_latest.is_(True))
        .order_by(Value.authority_id, Value.indicator_id)
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for number, (
        authority_id,
        indicator_id,
        numerator,
        denominator,
        value,
        status,
        note,
    ) in enumerate(rows, start=1):
        out.setdefault(authority_id, []).append(
            {
                "row": number,
                "indicator_id": indicator_id,
                "period_id": period_id,
                "numerator": numerator,
                "denominator": denominator,
                "value": value,
                "status": str(status),
                "note": note,
            }
        )
    return out
