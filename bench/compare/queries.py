"""Reads for the comparison engine: whole columns at once, straight into numpy arrays.

Rows become tuples before numpy sees them (an array built from SQLAlchemy Row objects is
twenty times slower: PERFORMANCE.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Select, bindparam, func, select

from bench.extensions import db
from bench.models import (
    Authority,
    ContextFigure,
    DataState,
    Indicator,
    InspectorGrant,
    IssueFlag,
    IssueType,
    IssueTypeStatus,
    PeerGroup,
    PeerGroupKind,
    PeerGroupMember,
    Period,
    SeriesBreak,
    Value,
    issue_type_indicators,
    visible_to_peers,
)


class AuthorityRow(NamedTuple):
    id: int
    type: str
    region: str
    started_on: date | None
    ended_on: date | None


def authorities() -> list[AuthorityRow]:
    rows = db.session.execute(
        select(
            Authority.id,
            Authority.type,
            Authority.region,
            Authority.started_on,
            Authority.ended_on,
        ).order_by(Authority.id)
    )
    return [AuthorityRow(r[0], str(r[1]), r[2], r[3], r[4]) for r in rows]


def indicators() -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).order_by(Indicator.key_area, Indicator.code)))


def indicator_by_code(code: str) -> Indicator | None:
    return db.session.scalar(select(Indicator).where(Indicator.code == code))


def periods() -> list[Period]:
    return list(db.session.scalars(select(Period).order_by(Period.starts_on, Period.code)))


def visible_values(now: datetime, period_ids: list[int] | None = None) -> np.ndarray:
    """Every revision peers may see now, as a structured array sorted so that, per
    (period, authority, indicator), the newest revision comes last."""
    query = (
        select(
            Value.period_id,
            Value.authority_id,
            Value.indicator_id,
            Value.revision,
            Value.numerator,
            Value.denominator,
            Value.value,
        )
        .join(Period, Period.id == Value.period_id)
        .where(visible_to_peers(now))
        .order_by(Value.period_id, Value.authority_id, Value.indicator_id, Value.revision)
    )
    if period_ids is not None:
        query = query.where(Value.period_id.in_(period_ids))
    # The driver's own tuples (ints and floats need no result processing), then one array a
    # column, None becoming NaN: at national scale (480,000 rows) this fetch is most of a
    # cold page, and building a Row per row would double it.
    result = db.session.connection().execute(query)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    names = ("period", "authority", "indicator", "revision", "numerator", "denominator", "value")
    out = np.empty(
        len(rows), dtype=[(name, "i8" if n < 4 else "f8") for n, name in enumerate(names)]
    )
    if rows:
        table = np.array(rows, dtype=object)
        for index, name in enumerate(names):
            out[name] = table[:, index].astype(out.dtype[name])
    return out


def own_latest(
    authority_id: int, at: datetime | None = None, indicator_id: int | None = None
) -> list[tuple[int, int, float | None, float | None, float | None, Any]]:
    """(period, indicator, numerator, denominator, value, visible_from) of the authority's
    current revisions: its own figures, exact; with *at*, the newest revision of each
    published by then (what the authority saw on that date); with *indicator_id*, that
    indicator's only."""
    columns = (
        Value.period_id,
        Value.indicator_id,
        Value.numerator,
        Value.denominator,
        Value.value,
        Value.visible_from,
    )
    whose = [Value.authority_id == authority_id]
    if indicator_id is not None:
        whose.append(Value.indicator_id == indicator_id)
    if at is None:
        rows = db.session.execute(
            select(*columns)
            .where(*whose, Value.is_latest.is_(True))
            .order_by(Value.period_id, Value.indicator_id)
        )
        return [tuple(row) for row in rows]
    newest: dict[tuple[int, int], tuple] = {}
    for row in db.session.execute(
        select(*columns)
        .where(*whose, Value.published_at <= at)
        .order_by(Value.period_id, Value.indicator_id, Value.revision)
    ):
        newest[(row[0], row[1])] = tuple(row)
    return list(newest.values())


def published_groups() -> list[tuple[int, int, int, datetime, int]]:
    """(group id, authority id, version, created_at, member id) of every published
    nearest-neighbour list, every version."""
    rows = db.session.execute(
        select(
            PeerGroup.id,
            PeerGroup.authority_id,
            PeerGroup.version,
            PeerGroup.created_at,
            PeerGroupMember.authority_id,
        )
        .join(PeerGroupMember, PeerGroupMember.peer_group_id == PeerGroup.id)
        .where(PeerGroup.kind == PeerGroupKind.PUBLISHED_NEIGHBOURS)
        .order_by(PeerGroup.authority_id, PeerGroup.version, PeerGroupMember.authority_id)
    )
    return [tuple(row) for row in rows]


class CustomGroupRow(NamedTuple):
    id: int
    name: str
    created_at: datetime
    members: list[int]
    deleted: bool  # deleted by its authority, but still part of what its users have seen


def custom_groups(authority_id: int) -> list[CustomGroupRow]:
    return every_custom_group([authority_id]).get(authority_id, [])


def every_custom_group(
    authority_ids: list[int] | None = None,
) -> dict[int, list[CustomGroupRow]]:
    """Each authority's custom groups by age, deleted ones too (marked)."""
    query = (
        select(
            PeerGroup.authority_id,
            PeerGroup.id,
            PeerGroup.name,
            PeerGroup.created_at,
            PeerGroup.deleted_at,
            PeerGroupMember.authority_id,
        )
        .join(PeerGroupMember, PeerGroupMember.peer_group_id == PeerGroup.id)
        .where(PeerGroup.kind == PeerGroupKind.CUSTOM)
        .order_by(
            PeerGroup.authority_id,
            PeerGroup.created_at,
            PeerGroup.id,
            PeerGroupMember.authority_id,
        )
    )
    if authority_ids is not None:
        query = query.where(PeerGroup.authority_id.in_(authority_ids))
    groups: dict[int, dict[int, CustomGroupRow]] = {}
    for owner, group_id, name, created_at, deleted_at, member in db.session.execute(query):
        mine = groups.setdefault(owner, {})
        row = CustomGroupRow(group_id, name, created_at, [], deleted_at is not None)
        mine.setdefault(group_id, row).members.append(member)
    return {owner: list(mine.values()) for owner, mine in groups.items()}


def context_figures() -> list[tuple[int, str, float]]:
    """(authority id, figure name, value), the latest figure of each name."""
    rows = db.session.execute(
        select(ContextFigure.authority_id, ContextFigure.name, ContextFigure.value).order_by(
            ContextFigure.authority_id, ContextFigure.name, ContextFigure.as_of
        )
    )
    return [tuple(row) for row in rows]


def series_breaks() -> list[tuple[int, int]]:
    rows = db.session.execute(
        select(SeriesBreak.indicator_id, SeriesBreak.period_id).order_by(
            SeriesBreak.indicator_id, SeriesBreak.period_id
        )
    )
    return [tuple(row) for row in rows]


def issue_types() -> list[IssueType]:
    return list(
        db.session.scalars(
            select(IssueType)
            .where(IssueType.status == IssueTypeStatus.APPROVED)
            .order_by(IssueType.title)
        )
    )


def issue_indicator_links() -> list[tuple[int, int]]:
    rows = db.session.execute(
        select(
            issue_type_indicators.c.issue_type_id, issue_type_indicators.c.indicator_id
        ).order_by(issue_type_indicators.c.issue_type_id, issue_type_indicators.c.indicator_id)
    )
    return [tuple(row) for row in rows]


def flags() -> list[tuple[int, int, str, str | None, bool, bool, str]]:
    """(authority, issue type, answer, status, open to contact, share tried, tried)."""
    rows = db.session.execute(
        select(
            IssueFlag.authority_id,
            IssueFlag.issue_type_id,
            IssueFlag.answer,
            IssueFlag.status,
            IssueFlag.open_to_contact,
            IssueFlag.share_tried,
            IssueFlag.tried,
        ).order_by(IssueFlag.issue_type_id, IssueFlag.authority_id)
    )
    return [
        (a, t, str(answer), None if status is None else str(status), contact, share, tried)
        for a, t, answer, status, contact, share, tried in rows
    ]


def data_state(now: datetime, authority_id: int | None = None) -> tuple[Any, ...]:
    """What the comparisons read, as it stands at *now*, in one round trip: the counters
    that every change to the tables they read moves on (migration 0013's triggers: the
    figures' side, then the known issues'), the newest figure peers may see, the newest
    release date passed, and *authority_id*'s newest revision of any figure (None without
    one): a correction waiting for its round changes the authority's own page, not its
    peers'.

    Values are only ever added, and what time makes visible changes only at a release
    date or a release round (both in :func:`bench.compare.service.data_version`), so the
    newest visible id changes exactly when a figure peers may see is added; publishers
    take turns (bench.publishing.queries.lock_publishing), so ids commit in order. A
    correction waiting for its round leaves it as it is: the comparisons, which cannot
    show it yet, stay cached. It is read from the newest id down (one index scan that
    stops at the first visible row), where counting 480,000 rows took 75 ms on PostgreSQL
    at national scale."""
    return tuple(db.session.execute(_DATA_STATE, {"now": now, "authority_id": authority_id}).one())


def _data_state_statement() -> Select[Any]:
    now = bindparam("now")
    newest_visible = (
        select(Value.id)
        .join(Period, Period.id == Value.period_id)
        .where(visible_to_peers(now))
        .order_by(Value.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    released = select(func.max(Period.released_at)).where(Period.released_at <= now)
    # Values are only ever added: the newest id is the newest revision (read off an index).
    own = select(func.max(Value.id)).where(Value.authority_id == bindparam("authority_id"))
    return select(
        DataState.version,
        DataState.issues_version,
        newest_visible,
        released.scalar_subquery(),
        own.scalar_subquery(),
    ).where(DataState.id == 1)


# Every comparison page runs this: built once, its parameters bound per call (building a
# statement and its cache key cost more than running it).
_DATA_STATE = _data_state_statement()


def visible_state(now: datetime) -> tuple[Any, ...]:
    """What peers could see at *now*: how many revisions were visible, the newest of them,
    and the newest release passed. Later corrections do not change it."""
    values = db.session.execute(
        select(func.count(Value.id), func.max(Value.id))
        .join(Period, Period.id == Value.period_id)
        .where(visible_to_peers(now))
    ).one()
    released = db.session.scalar(
        select(func.max(Period.released_at)).where(Period.released_at <= now)
    )
    return (tuple(values), released)


def authority_name(authority_id: int) -> str:
    return db.session.scalar(select(Authority.name).where(Authority.id == authority_id)) or ""


def current_grant(inspector_id: int, gss_code: str, now: datetime) -> InspectorGrant | None:
    return db.session.scalars(
        select(InspectorGrant)
        .join(Authority, Authority.id == InspectorGrant.authority_id)
        .where(
            InspectorGrant.inspector_id == inspector_id,
            Authority.gss_code == gss_code.upper(),
            InspectorGrant.revoked_at.is_(None),
            InspectorGrant.starts_at <= now,
            InspectorGrant.expires_at > now,
        )
        .order_by(InspectorGrant.expires_at.desc())
    ).first()
