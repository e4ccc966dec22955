"""Reads and writes for publishing. Flush, never commit: the service owns the transaction."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    null,
    select,
    text,
    true,
    update,
)

from bench.extensions import db
from bench.models import (
    Authority,
    DataState,
    Indicator,
    Period,
    QueryStatus,
    UploadBatch,
    UploadRow,
    Value,
    ValueQuery,
)
from bench.models.base import UTCDateTime

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


def lock_publishing() -> None:
    """Take publishing's turn until the transaction ends: one at a time across the network.

    Per authority, two uploads must not both read revision n and both write n + 1. Across
    authorities, figures must commit in the order they are numbered: the comparison
    cache's key is the newest figure peers may see (bench.compare.queries.data_state),
    and a figure numbered n committing after n + 1 would never show until something else
    changed. A no-op UPDATE of data_state's one row takes PostgreSQL's row lock and
    SQLite's write lock at once (it moves no counter: data_state has no trigger). An
    upload waits at most the length of another's apply (seconds, at national scale).
    """
    db.session.execute(update(DataState).where(DataState.id == 1).values(id=DataState.id))


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


def _bulk_insert_tuples(table: Any, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert plain rows (numbers, text, None: no dates or enums to convert) as fast as the
    backend allows: PostgreSQL's COPY, SQLite's own executemany (no per-row parameter
    processing by SQLAlchemy, which costs more than the database does)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        quoted = ", ".join(f'"{name}"' for name in columns)
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    quoted = ", ".join(f'"{name}"' for name in columns)
    statement = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})'  # noqa: S608 - our names
    connection.exec_driver_sql(statement, list(rows))


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
# Each staged row's stored plan (UploadRow): what confirming would do with it.
PLAN_COLUMNS = ("kind", "revision", "old_value_id", "findings")


def plan_inputs(authority_id: int) -> tuple[Any, ...]:
    """What an upload's plan is made from, besides what peers can see (the comparison
    engine's data version): every revision of the authority's own figures (any publish
    adds one, and values are never deleted but by a cascade, which the count sees), and
    the catalogue's indicators and periods as the checks read them."""
    own = db.session.execute(
        select(func.count(Value.id), func.max(Value.id)).where(Value.authority_id == authority_id)
    ).one()
    indicators = db.session.execute(
        select(
            Indicator.id, Indicator.code, Indicator.unit_kind, Indicator.unit_label,
            Indicator.multiplier, Indicator.has_counts, Indicator.decimals,
            Indicator.plausible_min, Indicator.plausible_max,
        ).order_by(Indicator.id)
    ).all()  # fmt: skip
    periods = db.session.execute(
        select(Period.id, Period.code, Period.label, Period.kind, Period.starts_on,
               Period.released_at).order_by(Period.id)
    ).all()  # fmt: skip
    return tuple(own), [tuple(i) for i in indicators], [tuple(p) for p in periods]


def stage_rows(batch_id: int, rows: Sequence[dict[str, Any]], plans: Sequence[tuple]) -> None:
    """Stage validated rows with their plans (PLAN_COLUMNS, one tuple a row)."""
    if rows:
        _bulk_insert_tuples(
            UploadRow.__table__,
            ("batch_id", "row", *STAGED_COLUMNS, *PLAN_COLUMNS),
            [(batch_id, row["row"], *[row[c] for c in STAGED_COLUMNS], *plan)
             for row, plan in zip(rows, plans, strict=True)],
        )  # fmt: skip


def staged_chunks(batch_id: int, size: int) -> Iterator[list[dict[str, Any]]]:
    """The staged rows of a batch with their plans, in file order, a chunk at a time
    (keyset pages)."""
    after = 0
    names = (*STAGED_COLUMNS, *PLAN_COLUMNS)
    columns = [getattr(UploadRow, c) for c in names]
    while True:
        rows = db.session.execute(
            select(UploadRow.row, *columns)
            .where(UploadRow.batch_id == batch_id, UploadRow.row > after)
            .order_by(UploadRow.row)
            .limit(size)
        ).all()
        if not rows:
            return
        yield [{"row": r[0], **dict(zip(names, r[1:], strict=True))} for r in rows]
        after = rows[-1][0]


def replan_rows(batch_id: int, plans: Sequence[tuple]) -> None:
    """Store new plans, (row, *PLAN_COLUMNS) each, for rows whose plan changed."""
    if plans:
        table = UploadRow.__table__
        db.session.execute(
            update(table)
            .where(table.c.batch_id == batch_id, table.c.row == bindparam("b_row"))
            .values({name: bindparam(f"b_{name}") for name in PLAN_COLUMNS}),
            [{"b_row": plan[0], **{f"b_{name}": value for name, value in
              zip(PLAN_COLUMNS, plan[1:], strict=True)}} for plan in plans],
        )  # fmt: skip


class PlannedRow(NamedTuple):
    row: int
    indicator_id: int
    period_id: int
    new: dict[str, Any]
    old: CurrentValue | None
    findings: str | None


def planned(
    batch_id: int, *, kind: str | None = None, warned: bool = False, limit: int
) -> list[PlannedRow]:
    """The first *limit* staged rows of a batch (of one *kind*, or those with warnings),
    in file order, with the figures of the revision each replaces."""
    names = STAGED_COLUMNS[2:]
    old = [Value.id, Value.indicator_id, Value.period_id, Value.revision, Value.numerator,
           Value.denominator, Value.value, Value.status, Value.note]  # fmt: skip
    query = (
        select(UploadRow.row, UploadRow.indicator_id, UploadRow.period_id, UploadRow.findings,
               *[getattr(UploadRow, name) for name in names], *old)
        .outerjoin(Value, Value.id == UploadRow.old_value_id)
        .where(UploadRow.batch_id == batch_id)
        .order_by(UploadRow.row)
        .limit(limit)
    )  # fmt: skip
    if kind is not None:
        query = query.where(UploadRow.kind == kind)
    if warned:
        query = query.where(UploadRow.findings.is_not(None))
    out = []
    for row in db.session.execute(query):
        figures = dict(zip(names, row[4 : 4 + len(names)], strict=True))
        before = row[4 + len(names) :]
        out.append(
            PlannedRow(row[0], row[1], row[2], figures,
                       CurrentValue(*before) if before[0] is not None else None, row[3])
        )  # fmt: skip
    return out


def describe_staged() -> None:
    """Let PostgreSQL's planner see the rows just staged before joining them: without
    statistics it guessed a handful and chose a plan that took 5.8 s to publish 100,000
    figures, against 1.7 s after ANALYZE (which samples the table: about 0.1 s). Autovacuum
    gets there too, but minutes later. SQLite's planner needs no help here."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE upload_rows"))


def retire_planned(batch_id: int, authority_id: int) -> None:
    """The revisions a batch's corrections replace are no longer the latest."""
    replaced = select(UploadRow.old_value_id).where(
        UploadRow.batch_id == batch_id, UploadRow.kind == "correction"
    )
    db.session.execute(
        update(Value)
        .where(Value.authority_id == authority_id, Value.id.in_(replaced))
        .values(is_latest=False)
    )


def insert_planned(
    batch_id: int,
    authority_id: int,
    *,
    user_id: int,
    source: str,
    now: datetime,
    next_round: datetime,
    released: Sequence[int],
) -> None:
    """Publish a batch's new figures and corrections in one statement, in the database:
    the rows never travel through Python again. Figures for *released* periods reach
    peers at *next_round*; the others follow their period's release."""
    visible_from = case(
        (UploadRow.period_id.in_(list(released)), literal(next_round, UTCDateTime())),
        else_=null(),
    )
    rows = (
        select(
            literal(authority_id), UploadRow.indicator_id, Indicator.unit_kind,
            UploadRow.period_id, UploadRow.revision, true(), UploadRow.numerator,
            UploadRow.denominator, UploadRow.value, UploadRow.status, UploadRow.note,
            literal(source), literal(user_id), literal(now, UTCDateTime()), visible_from,
        )
        .join(Indicator, Indicator.id == UploadRow.indicator_id)
        .where(UploadRow.batch_id == batch_id, UploadRow.kind.in_(("new", "correction")))
        .order_by(UploadRow.row)
    )  # fmt: skip
    columns = ["authority_id", "indicator_id", "unit_kind", "period_id", "revision",
               "is_latest", "numerator", "denominator", "value", "status", "note", "source",
               "published_by_id", "published_at", "visible_from"]  # fmt: skip
    db.session.execute(insert(Value).from_select(columns, rows))


def close_queries_for_planned(
    batch_id: int, authority_id: int, now: datetime, user_id: int | None
) -> None:
    """A batch's corrections answer the open queries on the figures they replace."""
    corrected = (
        select(Value.id)
        .join(
            UploadRow,
            and_(UploadRow.indicator_id == Value.indicator_id,
                 UploadRow.period_id == Value.period_id),
        )
        .where(
            Value.authority_id == authority_id,
            UploadRow.batch_id == batch_id,
            UploadRow.kind == "correction",
        )
    )  # fmt: skip
    db.session.execute(
        update(ValueQuery)
        .where(
            ValueQuery.authority_id == authority_id,
            ValueQuery.status == QueryStatus.OPEN,
            ValueQuery.value_id.in_(corrected),
        )
        .values(status=QueryStatus.CORRECTED, resolved_at=now, resolved_by_id=user_id)
    )


def planned_findings(
    batch_id: int, period_ids: Sequence[int], size: int
) -> Iterator[list[tuple[int, int, str]]]:
    """(indicator, period, findings) of the batch's new figures and corrections with
    warnings in *period_ids*, a chunk at a time."""
    after = 0
    while True:
        rows = db.session.execute(
            select(UploadRow.row, UploadRow.indicator_id, UploadRow.period_id, UploadRow.findings)
            .where(
                UploadRow.batch_id == batch_id,
                UploadRow.row > after,
                UploadRow.findings.is_not(None),
                UploadRow.kind != "unchanged",
                UploadRow.period_id.in_(list(period_ids)),
            )
            .order_by(UploadRow.row)
            .limit(size)
        ).all()
        if not rows:
            return
        yield [(indicator_id, period_id, findings) for _, indicator_id, period_id, findings in rows]
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
