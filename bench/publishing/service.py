"""Publishing rules: validate every row, preview the changes, apply all or nothing.

A correction adds a revision and retires the old one; nothing is overwritten. Figures in
periods not yet released are checked and queried back to their publisher; late figures
and corrections reach peers in the next release round, never one authority at a time.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

import numpy as np
from flask import current_app
from marshmallow import ValidationError

from bench import audit, disclosure, messages
from bench.access import Permission, can_publish, has_permission, is_own_authority
from bench.compare import groups as group_kinds
from bench.compare import service as compare
from bench.errors import NotFound, RowError, ValidationFailed
from bench.extensions import db
from bench.models import (
    Indicator,
    KeyArea,
    Period,
    QueryReason,
    QueryStatus,
    UploadBatch,
    UploadStatus,
    User,
    ValueStatus,
    utcnow,
)
from bench.publishing import checks, queries
from bench.publishing.csvfile import HeaderProblems, NotCsv, iter_records
from bench.publishing.schemas import (
    COLUMNS,
    IGNORED_COLUMNS,
    OPTIONAL_COLUMNS,
    Catalogue,
    QueryResponseSchema,
    ValueColumns,
    ValueRowSchema,
    normalise_period,
)
from bench.web import format_value, unit_text

AUDITED_CORRECTIONS = 500  # the revisions table keeps every one; the log names the first


# --- validation --------------------------------------------------------------------------


def catalogue_for(authority_id: int) -> Catalogue:
    authority = queries.authority(authority_id)
    if authority is None:
        raise NotFound("No such authority")
    return Catalogue(
        indicators={indicator.code.upper(): indicator for indicator in queries.indicators()},
        periods={period.code: period for period in queries.periods()},
        authority_code=authority.gss_code,
    )


def validate_rows(
    catalogue: Catalogue,
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    thousands: bool,
    seen: dict[tuple[str, str], int] | None = None,
) -> list[dict[str, Any]]:
    """Check every row and return them normalised, or raise with every problem at once.

    *seen* carries (indicator, period) -> first row across the chunks of one file, so a
    duplicate is found wherever it stands.
    """
    schema = ValueRowSchema(catalogue, thousands=thousands)
    errors: list[RowError] = []
    numbered = []
    for number, row in rows:
        if "__shape__" in row:
            errors.append(
                RowError(
                    number, "row", f"This row has {row['__shape__']} cells, not one per column"
                )
            )
        else:
            numbered.append((number, row))
    # One load of every row: marshmallow reports problems by position in the list.
    try:
        loaded = schema.load([row for _, row in numbered], many=True)
        failed: dict[int, Any] = {}
    except ValidationError as error:
        failed = error.messages if isinstance(error.messages, dict) else {}
        loaded = []  # nothing is written when any row fails
    clean: list[dict[str, Any]] = []
    first_row: dict[tuple[str, str], int] = {} if seen is None else seen
    for position, (number, row) in enumerate(numbered):
        if position in failed:
            errors.extend(_row_errors(number, failed[position], row if thousands else None))
            continue
        key = (str(row["indicator"]).strip().upper(), normalise_period(str(row["period"])))
        if key in first_row:
            errors.append(
                RowError(
                    number,
                    "indicator",
                    f"{str(row['indicator']).strip()} for {str(row['period']).strip()} is "
                    f"already in row {first_row[key]}",
                )
            )
            continue
        first_row[key] = number
        if loaded:
            clean.append({"row": number, **loaded[position]})
    if errors:
        raise ValidationFailed(errors)
    return clean


class FirstRows:
    """Each (indicator, period) of a file seen so far and the row it was first in: two
    sorted arrays, 16 bytes a row, so a duplicate is found wherever it stands."""

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.int64)
        self.rows = np.empty(0, dtype=np.int64)

    def earlier(self, keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """For each of *keys* (in file order, at *rows*), the row it first appeared in
        before, or 0; the keys seen for the first time are kept."""
        found = np.zeros(len(keys), dtype=np.int64)
        if not len(keys):
            return found
        if len(self.keys):
            at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
            hit = self.keys[at] == keys
            found[hit] = self.rows[at[hit]]
        _unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        firsts = first[inverse.reshape(-1)]
        inner = (firsts != np.arange(len(keys))) & (found == 0)
        found[inner] = rows[firsts[inner]]
        new = found == 0
        keys_now = np.concatenate([self.keys, keys[new]])
        order = np.argsort(keys_now, kind="stable")
        self.keys = keys_now[order]
        self.rows = np.concatenate([self.rows, rows[new]])[order]
        return found


def validate_records(
    catalogue: Catalogue,
    checker: ValueColumns,
    header: Sequence[str],
    records: Sequence[tuple[int, list[str]]],
    *,
    seen: FirstRows,
) -> list[dict[str, Any]]:
    """:func:`validate_rows` for a file's rows as read (cells in *header*'s order), a
    column at a time: the same rules, the same messages, in the same order.

    The columns are checked at once (:class:`ValueColumns`); only rows that may break a
    rule are loaded by the schema, whose messages name what is wrong.
    """
    errors: list[tuple[int, list[RowError]]] = []
    shape_errors: list[RowError] = []
    shaped: list[tuple[int, list[str]]] = []
    for number, record in records:
        if len(record) != len(header):
            shape_errors.append(
                RowError(number, "row", f"This row has {len(record)} cells, not one per column")
            )
        else:
            shaped.append((number, record))
    count = len(shaped)
    transposed = list(zip(*(record for _, record in shaped), strict=True)) or [()] * len(header)
    columns = {
        name: list(cells)
        for name, cells in zip(header, transposed, strict=True)
        if name not in IGNORED_COLUMNS
    }
    checked = checker.check(columns, count)
    numbers = np.fromiter((number for number, _ in shaped), np.int64, count)
    indicator_ids, period_ids = checked.indicator_id, checked.period_id
    failed = np.zeros(count, dtype=bool)
    doubtful = np.flatnonzero(~checked.ok)
    rescued: dict[int, dict[str, Any]] = {}
    if doubtful.size:
        names = list(columns)
        cells = [{name: columns[name][p] for name in names} for p in doubtful.tolist()]
        try:
            loaded = ValueRowSchema(catalogue, thousands=True).load(cells, many=True)
        except ValidationError as error:
            messages_by_position = error.messages if isinstance(error.messages, dict) else {}
            for position, problems in messages_by_position.items():
                at = int(doubtful[position])
                failed[at] = True
                errors.append((at, _row_errors(int(numbers[at]), problems, cells[position])))
        else:
            # Doubted, but the schema keeps every rule: its reading stands.
            rescued = {int(at): row for at, row in zip(doubtful.tolist(), loaded, strict=True)}
            for at, row in rescued.items():
                indicator_ids[at], period_ids[at] = row["indicator_id"], row["period_id"]
    passed = np.flatnonzero(~failed)
    keys = (np.asarray(indicator_ids, dtype=np.int64)[passed] << 32) | np.asarray(
        period_ids, dtype=np.int64
    )[passed]
    earlier = seen.earlier(keys, numbers[passed])
    duplicate = np.zeros(count, dtype=bool)
    for at, first in zip(passed[earlier > 0].tolist(), earlier[earlier > 0].tolist(), strict=True):
        duplicate[at] = True
        indicator, period = columns["indicator"][at], columns["period"][at]
        errors.append(
            (at, [RowError(int(numbers[at]), "indicator",
                           f"{indicator.strip()} for {period.strip()} is already in row {first}")])
        )  # fmt: skip
    if shape_errors or errors:
        errors.sort(key=lambda item: item[0])
        raise ValidationFailed(shape_errors + [e for _, row_errors in errors for e in row_errors])
    clean = [
        {"row": number, "indicator_id": indicator, "period_id": period, "numerator": numerator,
         "denominator": denominator, "value": value, "status": status, "note": note}
        for number, indicator, period, numerator, denominator, value, status, note in zip(
            numbers.tolist(), indicator_ids, period_ids, checked.numerator,
            checked.denominator, checked.value, checked.status, checked.note, strict=True,
        )
    ]  # fmt: skip
    for at, row in rescued.items():
        clean[at] = {"row": clean[at]["row"], **row}
    return clean


NOT_A_NUMBER = "Enter a number"  # StrictNumber's message, said of a form's field
QUOTED = 40  # characters of a cell quoted back in a message


def _row_errors(
    number: int | None, problems_by_field: Any, cells: Mapping[str, Any] | None = None
) -> list[RowError]:
    """RowErrors from marshmallow's messages. Given the row's *cells* (a file's row), a
    number that is not one is quoted back: a list of a file's problems is read away from
    the file, where "Enter a number" would not say which cell or what is in it."""
    if isinstance(problems_by_field, list):
        return [RowError(number, "row", str(message)) for message in problems_by_field]
    out = []
    for name, problems in problems_by_field.items():
        field_name = "row" if name == "_schema" else name
        if isinstance(problems, dict):  # unknown field under RAISE
            problems = [str(p) for p in problems.values()]
        for problem in problems:
            text = "Unknown field" if problem == "Unknown field." else str(problem)
            if text == NOT_A_NUMBER and cells is not None and name in cells:
                cell = str(cells[name]).strip()
                cell = cell if len(cell) <= QUOTED else f"{cell[:QUOTED]}…"
                text = f"{name.capitalize()} '{cell}' is not a number"
            out.append(RowError(number, field_name, text))
    return out


# --- planning: what a set of rows would change ----------------------------------------------


Kind = Literal["new", "correction", "unchanged"]


@dataclass(frozen=True)
class Change:
    row: int
    kind: Kind
    indicator: Indicator
    period: Period
    new: dict[str, Any]
    old: queries.CurrentValue | None
    warnings: tuple[str, ...] = ()


@dataclass
class Plan:
    """What publishing rows would change. Counts cover every row; the lists of changes kept
    for display are capped, so a 100,000-row file needs no more memory than a small one."""

    counts: dict[str, int] = field(
        default_factory=lambda: {"new": 0, "correction": 0, "unchanged": 0}
    )
    changes: list[Change] = field(default_factory=list)  # the first SHOWN of each kind
    warnings: list[Change] = field(default_factory=list)  # the first SHOWN with warnings
    warning_count: int = 0
    findings: list[checks.Finding] = field(default_factory=list)  # the last chunk's

    def count(self, kind: Kind) -> int:
        return self.counts[kind]

    def add(self, chunk: Plan, *, keep: bool = True) -> None:
        """Add a chunk's counts and (if *keep*) the first SHOWN of its changes."""
        shown = {kind: self.counts[kind] for kind in self.counts}  # before this chunk
        for kind, number in chunk.counts.items():
            self.counts[kind] += number
        self.warning_count += chunk.warning_count
        if not keep:
            return
        for change in chunk.changes:
            if shown[change.kind] < SHOWN:
                self.changes.append(change)
                shown[change.kind] += 1
        self.warnings.extend(chunk.warnings[: max(SHOWN - len(self.warnings), 0)])


SHOWN = 500  # changes of each kind kept for the preview page
FIGURES = ("numerator", "denominator", "value", "status", "note")


def _same(old: queries.CurrentValue, new: dict[str, Any]) -> bool:
    return all(_equal(getattr(old, name), new[name]) for name in FIGURES)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return str(a) == str(b) if a is not None and b is not None else a is b


@dataclass
class PlanContext:
    """What every chunk of one upload is compared with, read once."""

    authority_id: int
    indicators: dict[int, Indicator]
    periods: dict[int, Period]
    position: dict[int, int]  # period id -> index in time order
    current: dict[tuple[int, int], queries.CurrentValue]
    history: dict[int, dict[int, float]]  # indicator -> period index -> current value
    ranges: dict[int, checks.IndicatorRange]
    now: datetime = field(default_factory=utcnow)
    # Read once per upload: the comparison results of each period a figure is checked
    # against, and each (indicator, period)'s range of peers' figures.
    results: dict[int, compare.PeriodResults] = field(default_factory=dict)
    # (indicator, released period compared with, whether it is the figure's own period)
    peer_ranges: dict[tuple[int, int, bool], checks.PeerRange | None] = field(default_factory=dict)
    # period id -> the released period its figures are compared with (None: none)
    sources: dict[int, Period | None] = field(default_factory=dict)


def figure_text(value: float, indicator: Indicator) -> str:
    """A figure as the comparison pages write it, to the indicator's decimal places, with
    its unit: "£1,234.5", "17.5%", "412 per 100,000"."""
    text = format_value(value, indicator)
    unit = unit_text(indicator)
    if text.startswith("£"):
        unit = unit.removeprefix("£").strip()  # "£ per week": the figure has its £ already
    return f"{text} {unit}" if unit and not text.endswith("%") else text


def plan_context(authority_id: int, now: datetime | None = None) -> PlanContext:
    indicators = {indicator.id: indicator for indicator in queries.indicators()}
    ordered_periods = queries.periods()
    position = {period.id: index for index, period in enumerate(ordered_periods)}
    current = queries.current_values(authority_id)
    history: dict[int, dict[int, float]] = defaultdict(dict)
    for (indicator_id, period_id), old in current.items():
        if old.value is not None:
            history[indicator_id][position[period_id]] = old.value
    return PlanContext(
        authority_id=authority_id,
        indicators=indicators,
        periods={period.id: period for period in ordered_periods},
        position=position,
        current=current,
        history=history,
        ranges={
            i.id: checks.IndicatorRange(
                i.code, i.plausible_min, i.plausible_max, partial(figure_text, indicator=i)
            )
            for i in indicators.values()
        },
        now=now or utcnow(),
    )


def plan(
    authority_id: int, rows: Sequence[dict[str, Any]], context: PlanContext | None = None
) -> Plan:
    """Compare *rows* with the authority's current figures and check them."""
    context = context or plan_context(authority_id)
    findings = _findings(context, rows)
    by_row: dict[int, list[str]] = defaultdict(list)
    for finding in findings:
        by_row[finding.key].append(finding.message)
    result = Plan()
    for row in rows:
        key = (row["indicator_id"], row["period_id"])
        old = context.current.get(key)
        kind: Kind = "new" if old is None else "unchanged" if _same(old, row) else "correction"
        change = Change(
            row=row["row"],
            kind=kind,
            indicator=context.indicators[key[0]],
            period=context.periods[key[1]],
            new=row,
            old=old,
            warnings=tuple(by_row.get(row["row"], ())) if kind != "unchanged" else (),
        )
        result.counts[kind] += 1
        result.changes.append(change)
        if change.warnings:
            result.warnings.append(change)
            result.warning_count += 1
    result.findings = [f for f in findings if by_row.get(f.key)]
    return result


def _findings(context: PlanContext, rows: Sequence[dict[str, Any]]) -> list[checks.Finding]:
    position = context.position
    peer_ranges: dict[tuple[int, int], checks.PeerRange | None] = {}
    for indicator_id, period_id in {(row["indicator_id"], row["period_id"]) for row in rows}:
        peer_ranges[(indicator_id, position[period_id])] = _peer_range(
            context, context.indicators[indicator_id], context.periods[period_id]
        )
    candidates = [
        checks.Candidate(row["row"], row["indicator_id"], position[row["period_id"]], row["value"])
        for row in rows
    ]
    found = checks.check(candidates, context.ranges, context.history, peer_ranges)
    unique: dict[tuple[int, str], checks.Finding] = {}
    for finding in found:
        unique.setdefault((finding.key, finding.reason.value), finding)
    return list(unique.values())


def _peer_range(
    context: PlanContext, indicator: Indicator, period: Period
) -> checks.PeerRange | None:
    """:func:`_peer_edges`, read once per indicator and period compared with (kept by
    the released period, so a file's rows do not grow the cache)."""
    source = _source(context, period)
    if source is None:
        return None
    key = (indicator.id, source.id, source is period)
    if key not in context.peer_ranges:
        context.peer_ranges[key] = _peer_edges(context, indicator, period)
    return context.peer_ranges[key]


def _source(context: PlanContext, period: Period) -> Period | None:
    """The released period a figure of *period* is compared with (itself once released,
    else the latest released one of its kind), worked out once per period."""
    if period.id not in context.sources:
        context.sources[period.id] = (
            period if period.is_released(context.now) else _latest_released(context, period)
        )
    return context.sources[period.id]


def _peer_edges(
    context: PlanContext, indicator: Indicator, period: Period
) -> checks.PeerRange | None:
    """The range a figure is "far outside" of, made only of what its publisher already
    sees as a peer (DESIGN.md, Anonymity 13), or None: no check.

    The one place that decides what the "far from peers" check may use; every path that
    checks figures (upload preview and confirm, the form, the API, the release checks)
    comes here. The check is shown to the publisher on every preview, so it is an oracle:
    trial and error finds its edge. Built from another council's unreleased figure or
    pending correction, the edge gives that figure away; built from the "all councils"
    group's quartiles and median as the Where we stand page shows them (released figures
    past their release round, at least k peers, to the indicator's decimal places), it
    gives away nothing the page does not.

    A period not released yet has no figures peers may see: its figures are compared
    with the latest released period of the same kind, and the warning says which.
    """
    source = _source(context, period)
    if source is None:
        return None
    if source.id not in context.results:
        context.results[source.id] = compare.results_for(source, context.now)
    results = context.results[source.id]
    row, column = results.row.get(context.authority_id), results.column.get(indicator.id)
    group = results.results.get(group_kinds.ALL)
    if row is None or column is None or group is None:
        return None
    # Rule 3: shown only with k peers, the publisher not counted; rule 9: only where the
    # "all" group is admitted for this indicator and period beside the publisher's other
    # groups, as on the page.
    if not disclosure.group_statistic_allowed(int(group.peers[row, column])):
        return None
    if not compare.admission_for(results, context.authority_id).admitted(
        group_kinds.ALL, indicator.id
    ):
        return None
    figures = [
        float(array[row, column])
        for array in (group.lower_quartile, group.median, group.upper_quartile)
    ]
    if any(math.isnan(figure) for figure in figures):
        return None
    low, high = checks.far_out_range(*figures, indicator.decimals)
    return checks.PeerRange(low, high, None if source is period else source.label)


def _latest_released(context: PlanContext, period: Period) -> Period | None:
    """The latest released period of the same kind before *period*."""
    earlier = [
        other
        for other in context.periods.values()
        if other.kind == period.kind
        and other.starts_on < period.starts_on
        and other.is_released(context.now)
    ]
    return max(earlier, key=lambda other: other.starts_on, default=None)


# --- applying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishOutcome:
    added: int
    corrected: int
    unchanged: int
    queried: int
    warnings: tuple[RowError, ...] = ()


def next_release_round(now: datetime) -> datetime:
    """Late figures and corrections reach peers together, on the 1st of the next month."""
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def _visible_from(period: Period, now: datetime) -> datetime | None:
    if period.released_at is not None and period.released_at <= now:
        return next_release_round(now)
    return None  # follows the period's release


def _apply(
    user: User,
    authority_id: int,
    chunks: Iterable[Sequence[dict[str, Any]]],
    source: str,
    *,
    warnings_checked: bool = True,
) -> PublishOutcome:
    """Write the rows of *chunks* in the caller's transaction; the caller commits.

    Chunk by chunk, so memory does not grow with the size of an upload.
    """
    queries.lock_publishing()
    now = utcnow()
    context = plan_context(authority_id)  # after the lock: the figures as they are now
    total = Plan()
    corrections: list[dict[str, Any]] = []
    queried = 0
    warnings: list[RowError] = []
    for rows in chunks:
        result = plan(authority_id, rows, context)
        total.add(result)
        if not warnings_checked and result.warnings:
            raise ValidationFailed(
                [
                    RowError(change.row, "warning", message)
                    for change in result.warnings
                    for message in change.warnings
                ]
                + [RowError(None, "confirm", "Confirm that you have checked the warnings")]
            )
        warnings += [
            RowError(c.row, "value", message) for c in result.warnings for message in c.warnings
        ]
        _write(user, authority_id, result, source, now)
        queried += _raise_queries(authority_id, result, now)
        corrections += [
            {
                "indicator": c.indicator.code,
                "period": c.period.code,
                "old": _figures(c.old._asdict()),
                "new": _figures(c.new),
            }
            for c in result.changes
            if c.kind == "correction"
        ][: max(AUDITED_CORRECTIONS - len(corrections), 0)]
    audit.record(
        "values_published",
        actor=user,
        authority_id=authority_id,
        details={
            "source": source,
            "added": total.count("new"),
            "corrected": total.count("correction"),
            "unchanged": total.count("unchanged"),
            "corrections": corrections,
            "corrections_listed": len(corrections),
        },
    )
    return PublishOutcome(
        added=total.count("new"),
        corrected=total.count("correction"),
        unchanged=total.count("unchanged"),
        queried=queried,
        warnings=tuple(warnings),
    )


def _write(user: User, authority_id: int, result: Plan, source: str, now: datetime) -> None:
    new_rows, retired = [], []
    for change in result.changes:
        if change.kind == "unchanged":
            continue
        if change.old is not None:
            retired.append(change.old.id)
        new_rows.append(
            {
                "authority_id": authority_id,
                "indicator_id": change.indicator.id,
                "unit_kind": change.indicator.unit_kind,
                "period_id": change.period.id,
                "revision": change.old.revision + 1 if change.old else 1,
                "is_latest": True,
                "numerator": change.new["numerator"],
                "denominator": change.new["denominator"],
                "value": change.new["value"],
                "status": ValueStatus(change.new["status"]),
                "note": change.new["note"],
                "source": source,
                "published_by_id": user.id,
                "published_at": now,
                "visible_from": _visible_from(change.period, now),
            }
        )
    queries.retire(retired)
    queries.insert_values(new_rows)
    corrected_keys = [
        (c.indicator.id, c.period.id) for c in result.changes if c.kind == "correction"
    ]
    queries.close_queries_for(authority_id, corrected_keys, now, user.id)


def _figures(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in FIGURES}


def _raise_queries(authority_id: int, result: Plan, now: datetime) -> int:
    """Query back findings on figures in periods peers cannot see yet."""
    rows_by_number = {c.row: c for c in result.changes if c.kind != "unchanged"}
    pending = [
        (change.indicator.id, change.period.id, finding.reason, finding.message)
        for finding in result.findings
        if (change := rows_by_number.get(finding.key)) is not None
        and not change.period.is_released(now)
    ]
    return _query(authority_id, pending, now)


def _query(authority_id: int, pending: Sequence[tuple[int, int, Any, str]], now: datetime) -> int:
    """Raise a query for each (indicator, period, reason, message) on the latest revision
    of the figure, unless one for that reason is there already."""
    if not pending:
        return 0
    ids = queries.latest_ids(authority_id, {(i, p) for i, p, _, _ in pending})
    existing = queries.existing_query_keys(ids.values())
    new = []
    for indicator_id, period_id, reason, message in pending:
        value_id = ids[(indicator_id, period_id)]
        if (value_id, QueryReason(reason).value) in existing:
            continue
        new.append(
            {
                "value_id": value_id,
                "authority_id": authority_id,
                "reason": QueryReason(reason),
                "detail": message,
                "status": QueryStatus.OPEN,
                "raised_at": now,
            }
        )
    queries.add_queries(new)
    return len(new)


def _authority_for(user: User, authority_id: int) -> None:
    if not can_publish(user, authority_id):
        raise NotFound("No such authority")


def publish_values(
    user: User, authority_id: int, rows: Sequence[dict[str, Any]], *, source: str
) -> PublishOutcome:
    """Validate and publish *rows* (form or API) at once: all of them or none."""
    _authority_for(user, authority_id)
    db.begin_write()
    clean = validate_rows(catalogue_for(authority_id), enumerate(rows, start=1), thousands=False)
    try:
        outcome = _apply(user, authority_id, [clean], source)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return outcome


# --- CSV uploads: preview, then confirm --------------------------------------------------------


CHUNK_ROWS = 5_000  # rows validated, staged, planned and applied at a time
MOST_PROBLEMS = 1_000  # a file with more is refused with the first ones listed


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(frozen=True)
class FileProblem(RowError):
    """A problem in an uploaded file, with what its row is about ("DP-PCT 2022-23", as
    written in it), so the list of a file's problems says which figure each is about."""

    about: str = ""


def _refused(errors: list[RowError], labels: Mapping[int, str] | None = None) -> ValidationFailed:
    labels = labels or {}
    return ValidationFailed(
        [
            FileProblem(e.row, e.field, e.message, labels.get(e.row, "") if e.row else "")
            for e in errors
        ]
    )


HEADER_LABEL = "column names"
LABEL_CELL = 20  # characters of a code quoted in a row's label


def _label(cells: Mapping[str, Any]) -> str:
    """What a row is about, in its own words: its indicator code and period."""
    words = [str(cells.get(name) or "").strip()[:LABEL_CELL] for name in ("indicator", "period")]
    return " ".join(word for word in words if word)


def upload(user: User, authority_id: int, filename: str, data: bytes) -> UploadBatch:
    """Validate a CSV file, plan it and keep both for preview. Raises ValidationFailed (of
    FileProblems), writes nothing.

    The rows stream through validation, planning and into the staging table a chunk at
    a time, each chunk checked a column at a time, so memory stays flat however long the
    file is. The plan is stored with the rows: the preview shows it, confirming applies it.
    """
    _authority_for(user, authority_id)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if len(data) > limit:
        raise _refused(
            [RowError(None, "file", f"The file must be smaller than {limit // 1_000_000} MB")]
        )
    if filename and not filename.lower().endswith((".csv", ".txt")):
        raise _refused([RowError(None, "file", "The file must be a CSV file (.csv)")])
    labels: dict[int, str] = {}
    try:
        header, records = iter_records(
            data,
            allowed={*COLUMNS, *OPTIONAL_COLUMNS, *IGNORED_COLUMNS},
            required={"indicator", "period"},
        )
        catalogue = catalogue_for(authority_id)
        checker = ValueColumns(catalogue)
        batch = queries.add_batch(
            UploadBatch(
                authority_id=authority_id,
                user_id=user.id,
                filename=filename[:255],
                row_count=0,
                created_at=utcnow(),
            )
        )
        now = utcnow()
        version = plan_version(authority_id, now)  # before the figures the plan is made from
        context = plan_context(authority_id, now)
        planned = Plan()
        problems: list[RowError] = []
        seen = FirstRows()
        total = 0
        for chunk in _chunks(records, CHUNK_ROWS):
            try:
                clean = validate_records(catalogue, checker, header, chunk, seen=seen)
            except ValidationFailed as failure:
                problems += failure.errors
                failing = {error.row for error in failure.errors}
                labels |= {
                    number: _label(dict(zip(header, record, strict=False)))
                    for number, record in chunk
                    if number in failing
                }
                if len(problems) >= MOST_PROBLEMS:
                    break
                continue
            total += len(clean)
            if not problems:
                result = plan(authority_id, clean, context)
                planned.add(result, keep=False)
                queries.stage_rows(batch.id, clean, _stored(result))
    except NotCsv as error:
        db.session.rollback()
        raise _refused([RowError(None, "file", str(error))]) from None
    except HeaderProblems as failure:
        db.session.rollback()
        header_rows = {e.row: HEADER_LABEL for e in failure.errors if e.row is not None}
        raise _refused(failure.errors, header_rows) from None
    if problems:
        db.session.rollback()
        raise _refused(problems[:MOST_PROBLEMS], labels)
    if not total:
        db.session.rollback()
        raise _refused([RowError(None, "file", "The file has no rows of figures")])
    batch.row_count = total
    _keep(batch, planned, version, now)
    db.session.commit()
    return batch


def plan_version(authority_id: int, now: datetime) -> str:
    """A fingerprint of everything an upload's plan is made from: the authority's own
    figures, what peers can see at *now* (the comparison engine's data version: a figure
    made visible, a release date or round passed, groups, flags) and the catalogue. Read
    it before the figures a plan is made from: a change in between then shows as one."""
    state = (compare.data_version(now), queries.plan_inputs(authority_id))
    return hashlib.sha256(repr(state).encode()).hexdigest()


Stored = tuple[str, int | None, int | None, str | None]  # queries.PLAN_COLUMNS


def _stored(result: Plan) -> list[Stored]:
    """Each row's plan as stored with it (queries.PLAN_COLUMNS), in the rows' order."""
    findings: dict[int, list[list[str]]] = defaultdict(list)
    for finding in result.findings:
        findings[finding.key].append([finding.reason.value, finding.message])
    return [
        (
            change.kind,
            None if change.kind == "unchanged" else (change.old.revision + 1 if change.old else 1),
            change.old.id if change.old else None,
            json.dumps(findings[change.row]) if change.warnings else None,
        )
        for change in result.changes
    ]


def _keep(batch: UploadBatch, planned: Plan, version: str, now: datetime) -> None:
    batch.plan_version = version
    batch.planned_at = now
    batch.new_count = planned.count("new")
    batch.correction_count = planned.count("correction")
    batch.unchanged_count = planned.count("unchanged")
    batch.warning_count = planned.warning_count


def _replan(batch: UploadBatch, now: datetime) -> None:
    """Plan a staged batch again against the figures as they are now, storing the plans
    of the rows whose plan changed: someone published (or a release passed) since."""
    version = plan_version(batch.authority_id, now)  # before the figures it is made from
    context = plan_context(batch.authority_id, now)
    planned = Plan()
    for chunk in queries.staged_chunks(batch.id, CHUNK_ROWS):
        result = plan(batch.authority_id, chunk, context)
        planned.add(result, keep=False)
        changed = [
            (row["row"], *new)
            for row, new in zip(chunk, _stored(result), strict=True)
            if tuple(row[name] for name in queries.PLAN_COLUMNS) != new
        ]
        queries.replan_rows(batch.id, changed)
    _keep(batch, planned, version, now)


@dataclass(frozen=True)
class Problem:
    """One problem of a refused file as the upload page lists it."""

    anchor: str  # the id of its entry in the list of problems
    row: int | None  # None: the file as a whole
    label: str  # what the row is about ("DP-PCT 2022-23"), or ""
    field: str
    message: str

    @property
    def summary(self) -> str:
        """The error summary's line: "Row 3 (DP-PCT 2022-23): numerator 50,000 is more
        than the denominator 42,077"."""
        if self.row is None:
            return self.message
        about = f" ({self.label})" if self.label else ""
        return f"Row {self.row}{about}: {_lower_first(self.message)}"


def _lower_first(message: str) -> str:
    """A sentence's first word in lower case after a colon, but not a code ("COST takes
    a value only") or a name quoted first."""
    first = message.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        return message[0].lower() + message[1:]
    if first == "A":
        return "a" + message[1:]
    return message


def problems_of(failure: ValidationFailed) -> list[Problem]:
    """The problems of a refused file, each with what its row is about."""
    return [
        Problem(
            f"problem-{position}",
            error.row,
            error.about if isinstance(error, FileProblem) else "",
            error.field,
            error.message,
        )
        for position, error in enumerate(failure.errors, start=1)
    ]


def _batch_for(user: User, batch_id: int) -> UploadBatch:
    batch = queries.batch(batch_id)
    if batch is None or not can_publish(user, batch.authority_id):
        raise NotFound("No such upload")
    return batch


def preview(user: User, batch_id: int) -> tuple[UploadBatch, Plan]:
    """What confirming would change: counts of every row, the first changes of each kind.

    Read from the plan stored at upload, not planned again, unless what it was made from
    has changed since (someone published, a release passed): then it is planned again,
    and stored, once.
    """
    batch = _batch_for(user, batch_id)
    if batch.status is not UploadStatus.PREVIEWED:
        return batch, Plan()
    now = utcnow()
    if batch.plan_version != plan_version(batch.authority_id, now):
        db.begin_write()
        batch = _batch_for(user, batch_id)
        if batch.status is UploadStatus.PREVIEWED:
            _replan(batch, now)
        db.session.commit()
    return batch, _kept_plan(batch)


def _kept_plan(batch: UploadBatch) -> Plan:
    """The stored plan as the preview shows it: the counts, the first SHOWN new figures,
    corrections and rows with warnings."""
    indicators = {indicator.id: indicator for indicator in queries.indicators()}
    periods = {period.id: period for period in queries.periods()}

    def change(kind: Kind, row: queries.PlannedRow) -> Change:
        warnings = tuple(message for _, message in json.loads(row.findings or "[]"))
        return Change(row.row, kind, indicators[row.indicator_id], periods[row.period_id],
                      row.new, row.old, warnings)  # fmt: skip

    result = Plan(
        counts={
            "new": batch.new_count,
            "correction": batch.correction_count,
            "unchanged": batch.unchanged_count,
        },
        warning_count=batch.warning_count,
    )
    for kind in ("new", "correction"):
        result.changes += [
            change(kind, row) for row in queries.planned(batch.id, kind=kind, limit=SHOWN)
        ]
    result.warnings = [
        change("correction" if row.old else "new", row)
        for row in queries.planned(batch.id, warned=True, limit=SHOWN)
    ]
    return result


def confirm(user: User, batch_id: int, *, warnings_checked: bool) -> PublishOutcome:
    """Apply an upload's stored plan, in one transaction, under the authority's lock.

    If what the plan was made from has changed since (another upload or figure was
    published, a release passed), it is planned again first, under the lock, against
    the figures as they are then: no revision is lost or written twice.
    """
    db.begin_write()
    batch = _batch_for(user, batch_id)
    if batch.status is not UploadStatus.PREVIEWED:
        raise ValidationFailed([RowError(None, "file", "This upload has already been dealt with")])
    try:
        queries.lock_publishing()
        now = utcnow()
        if batch.plan_version != plan_version(batch.authority_id, now):
            _replan(batch, now)
        if not warnings_checked and batch.warning_count:
            raise ValidationFailed(
                [
                    RowError(change.row, "warning", message)
                    for change in _kept_plan(batch).warnings
                    for message in change.warnings
                ]
                + [RowError(None, "confirm", "Confirm that you have checked the warnings")]
            )
        outcome = _apply_kept(user, batch, now)
        queries.drop_staged(batch.id)
        batch.status = UploadStatus.APPLIED
        batch.finished_at = utcnow()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return outcome


def _apply_kept(user: User, batch: UploadBatch, now: datetime) -> PublishOutcome:
    """Write a batch's stored plan in the caller's transaction (which holds the lock): the
    corrections retire the revisions they replace, new figures and corrections are
    inserted in one statement in the database, their queries are raised or closed."""
    authority_id = batch.authority_id
    indicators = {indicator.id: indicator for indicator in queries.indicators()}
    periods = {period.id: period for period in queries.periods()}
    corrections = [
        {
            "indicator": indicators[row.indicator_id].code,
            "period": periods[row.period_id].code,
            "old": _figures(row.old._asdict()),
            "new": _figures(row.new),
        }
        for row in queries.planned(batch.id, kind="correction", limit=AUDITED_CORRECTIONS)
        if row.old is not None
    ]
    released = [p.id for p in periods.values() if _visible_from(p, now) is not None]
    queries.describe_staged()
    queries.retire_planned(batch.id, authority_id)
    queries.insert_planned(
        batch.id, authority_id, user_id=user.id, source="csv", now=now,
        next_round=next_release_round(now), released=released,
    )  # fmt: skip
    queries.close_queries_for_planned(batch.id, authority_id, now, user.id)
    unreleased = [p.id for p in periods.values() if not p.is_released(now)]
    queried = 0
    for chunk in queries.planned_findings(batch.id, unreleased, CHUNK_ROWS):
        pending = [
            (indicator_id, period_id, reason, message)
            for indicator_id, period_id, findings in chunk
            for reason, message in json.loads(findings)
        ]
        queried += _query(authority_id, pending, now)
    warnings = [
        RowError(change.row, "value", message)
        for change in _kept_plan(batch).warnings
        for message in change.warnings
    ]
    audit.record(
        "values_published",
        actor=user,
        authority_id=authority_id,
        details={
            "source": "csv",
            "added": batch.new_count,
            "corrected": batch.correction_count,
            "unchanged": batch.unchanged_count,
            "corrections": corrections,
            "corrections_listed": len(corrections),
        },
    )
    return PublishOutcome(
        added=batch.new_count,
        corrected=batch.correction_count,
        unchanged=batch.unchanged_count,
        queried=queried,
        warnings=tuple(warnings),
    )


def discard(user: User, batch_id: int) -> None:
    batch = _batch_for(user, batch_id)
    if batch.status is UploadStatus.PREVIEWED:
        queries.drop_staged(batch.id)
        batch.status = UploadStatus.DISCARDED
        batch.finished_at = utcnow()
        db.session.commit()


# --- single values, queries, files to download ------------------------------------------------


def publish_one(
    user: User, authority_id: int, row: dict[str, Any], *, warnings_checked: bool
) -> PublishOutcome:
    """The form: one value, the same rules; warnings must be confirmed before it lands."""
    _authority_for(user, authority_id)
    db.begin_write()
    clean = validate_rows(catalogue_for(authority_id), [(1, row)], thousands=False)
    try:
        outcome = _apply(user, authority_id, [clean], "form", warnings_checked=warnings_checked)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return outcome


def open_queries(user: User, authority_id: int) -> list:
    _authority_for(user, authority_id)
    return queries.open_queries(authority_id)


def confirm_query(user: User, query_id: int, response: str) -> None:
    """The publisher confirms a queried figure is right, saying why."""
    query = queries.query(query_id)
    if query is None or not can_publish(user, query.authority_id):
        raise NotFound("No such query")
    try:
        answer = QueryResponseSchema().load({"response": response})["response"]
    except ValidationError as error:
        raise ValidationFailed(_row_errors(None, error.messages)) from error
    if query.status is not QueryStatus.OPEN:
        raise ValidationFailed([RowError(None, "response", messages.QUERY_ANSWERED)])
    query.status = QueryStatus.CONFIRMED
    query.response = answer
    query.resolved_at = utcnow()
    query.resolved_by_id = user.id
    audit.record(
        "value_query_confirmed",
        actor=user,
        authority_id=query.authority_id,
        subject=query,
        details={"reason": query.reason.value, "response": query.response},
    )
    db.session.commit()


def current_rows(user: User, authority_id: int) -> list[list[Any]]:
    """The authority's current figures in the upload format, so round trips work."""
    if not (has_permission(user, Permission.SEE_OWN_DATA) and is_own_authority(user, authority_id)):
        raise NotFound("No such authority")
    audit.record("values_exported", actor=user, authority_id=authority_id)
    db.session.commit()
    indicators = {indicator.id: indicator for indicator in queries.indicators()}
    periods = {period.id: period for period in queries.periods()}
    current = queries.current_values(authority_id)
    ordered = sorted(
        current.values(),
        key=lambda v: (indicators[v.indicator_id].code, periods[v.period_id].starts_on),
    )
    return [
        [
            indicators[v.indicator_id].code,
            periods[v.period_id].code,
            v.numerator,
            v.denominator,
            None if indicators[v.indicator_id].has_counts else v.value,
            str(v.status),
            v.note,
        ]
        for v in ordered
    ]


@dataclass(frozen=True)
class Template:
    key_area: KeyArea | None  # None: every key area
    rows: list[list[Any]]


def template(key_area: str | None, period_code: str | None) -> Template:
    """An empty row for each indicator (of one key area) for one period (the latest if
    not given), in TEMPLATE_COLUMNS: the indicator's name beside its code, for people (the
    importer skips it). A key area or period that does not exist is not found."""
    try:
        area = KeyArea(key_area) if key_area else None
    except ValueError:
        raise NotFound("No such key area") from None
    periods = queries.periods()
    period = next((p for p in periods if p.code == period_code), None)
    if period_code and period is None:
        raise NotFound("No such period")
    period = period or (periods[-1] if periods else None)
    if period is None:
        return Template(area, [])
    rows = [
        [
            indicator.code,
            indicator.title,
            period.code,
            None,
            None,
            None,
            ValueStatus.PROVISIONAL.value,
            "",
        ]
        for indicator in queries.indicators()
        if area is None or indicator.key_area is area
    ]
    return Template(area, rows)


def form_choices() -> tuple[list[Indicator], list[Period]]:
    return queries.indicators(), queries.periods()


def run_release_checks(period_code: str) -> int:
    """Check every authority's figures for a period not yet released; query what is odd.

    Publishing checks figures as they arrive, against the latest period released then;
    run again before the release (``flask publishing check``), the comparison is with the
    latest period released by now. Either way only figures peers may see count.
    """
    period = next((p for p in queries.periods() if p.code == period_code), None)
    if period is None:
        raise NotFound(f"No period {period_code}")
    if period.is_released(utcnow()):
        raise ValidationFailed(
            [RowError(None, "period", f"{period_code} is released: checks query figures before")]
        )
    raised = 0
    for authority_id, rows in queries.latest_rows_for_period(period.id).items():
        result = plan(authority_id, rows)
        # Every row counts as published now, so its findings are queried once.
        result.changes = [
            Change(c.row, "new", c.indicator, c.period, c.new, c.old, c.warnings)
            for c in result.changes
        ]
        raised += _raise_queries(authority_id, result, utcnow())
    db.session.commit()
    return raised
