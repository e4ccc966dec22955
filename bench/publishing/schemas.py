"""The one schema for a published value, from a CSV row, a form or an API body."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from bench import messages
from bench.models import Indicator, Period, UnitKind, ValueStatus
from bench.validation import StrictNumber, decimals_in, parse_number

COLUMNS = ("indicator", "period", "numerator", "denominator", "value", "status", "note")
OPTIONAL_COLUMNS = ("authority",)
# Read by people, skipped by the importer: the templates carry each indicator's name beside
# its code, and a template filled in uploads as it is.
IGNORED_COLUMNS = ("indicator_name",)
TEMPLATE_COLUMNS = ("indicator", "indicator_name", *COLUMNS[1:])
NOTE_MAX = 1000
RESPONSE_MAX = 2000
STATUSES = frozenset(status.value for status in ValueStatus)
FINANCIAL_YEAR = re.compile(r"([0-9]{4})[/-]([0-9]{2})")


@dataclass(frozen=True)
class Catalogue:
    """What rows are checked against: the indicators, periods and the publishing authority."""

    indicators: dict[str, Indicator]  # by upper-case code
    periods: dict[str, Period]  # by code
    authority_code: str


class Figure(float):
    """A float that remembers how many decimal places it was written with."""

    decimals: int | None = None


class StrictFigure(StrictNumber):
    """A StrictNumber that keeps the written precision, to check a value against counts."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        number = super()._deserialize(value, attr, data, **kwargs)
        if number is None:
            return None
        figure = Figure(number)
        text = value if isinstance(value, str) else repr(value)
        figure.decimals = decimals_in(text) if not isinstance(value, bool) else None
        return figure


class Text(fields.String):
    """Text with surrounding spaces removed; empty text counts as not given."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        return text or None


class QueryResponseSchema(Schema):
    """A publisher's answer to a query on a figure: why the figure is right.

    The one place for its rules, so each refusal has its own message (the form only
    parses the request).
    """

    class Meta:
        unknown = RAISE

    response = fields.String(
        required=True,
        validate=[
            validate.Length(max=RESPONSE_MAX, error=messages.QUERY_RESPONSE_TOO_LONG),
            validate.Predicate("strip", error=messages.QUERY_RESPONSE_REQUIRED),
        ],
        error_messages={
            "required": messages.QUERY_RESPONSE_REQUIRED,
            "null": messages.QUERY_RESPONSE_REQUIRED,
        },
    )

    @pre_load
    def _trim(self, data: Any, **kwargs: Any) -> Any:
        """Spaces around the answer are not part of it, nor of its length."""
        if isinstance(data, dict) and isinstance(data.get("response"), str):
            return {**data, "response": data["response"].strip()}
        return data


def normalise_period(text: str) -> str:
    """``2023/24`` and ``2023-24`` name the same financial year."""
    text = text.strip()
    match = FINANCIAL_YEAR.fullmatch(text)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    return text


class ValueRowSchema(Schema):
    """One authority's figure for one indicator and period.

    Checks every rule a single row can break; duplicates across rows are the service's.
    """

    class Meta:
        unknown = RAISE

    indicator = fields.String(
        required=True, error_messages={"required": "Enter the indicator code"}
    )
    period = fields.String(required=True, error_messages={"required": "Enter the period"})
    numerator = StrictNumber(load_default=None, allow_none=True)
    denominator = StrictNumber(load_default=None, allow_none=True)
    value = StrictFigure(load_default=None, allow_none=True)
    status = Text(load_default=None, allow_none=True)
    note = Text(load_default=None, allow_none=True)
    authority = Text(load_default=None, allow_none=True)

    def __init__(self, catalogue: Catalogue, *, thousands: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalogue = catalogue
        self.thousands = thousands

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check(self, data: dict[str, Any], original: Any = None, **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}

        def problem(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        code = (data.get("indicator") or "").strip().upper()
        indicator = self.catalogue.indicators.get(code)
        if "indicator" in data and indicator is None:
            problem("indicator", f"Unknown indicator '{data['indicator'].strip()}'")
        period_code = normalise_period(data.get("period") or "")
        if "period" in data and period_code not in self.catalogue.periods:
            problem("period", f"Unknown period '{data['period'].strip()}'")
        status = (data.get("status") or ValueStatus.PROVISIONAL.value).lower()
        if status not in STATUSES:
            problem("status", "Status must be provisional or final")
        if len(data.get("note") or "") > NOTE_MAX:
            problem("note", f"Note must be {NOTE_MAX} characters or fewer")
        authority = (data.get("authority") or "").upper()
        if authority and authority != self.catalogue.authority_code:
            problem(
                "authority",
                f"This row is for authority '{authority}': you can publish only your own "
                f"authority's figures ({self.catalogue.authority_code})",
            )
        # A figure written but not a number has its own message: the rules on the figures
        # would only add "Enter the numerator" beside it.
        unreadable = isinstance(original, Mapping) and any(
            _written_in(original, name) and name not in data for name in FIGURE_FIELDS
        )
        if indicator is not None and not unreadable:
            for field, message in _figure_problems(indicator, data):
                problem(field, message)
        if errors:
            raise ValidationError(errors)

    @post_load
    def _resolve(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        indicator = self.catalogue.indicators[data["indicator"].strip().upper()]
        period = self.catalogue.periods[normalise_period(data["period"])]
        numerator, denominator = data["numerator"], data["denominator"]
        value = None if data["value"] is None else float(data["value"])
        if indicator.has_counts and value is None:
            value = numerator / denominator * indicator.multiplier
        return {
            "indicator_id": indicator.id,
            "period_id": period.id,
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "status": (data["status"] or ValueStatus.PROVISIONAL.value).lower(),
            "note": data["note"] or "",
        }


FIGURE_FIELDS = ("numerator", "denominator", "value")


def _written_in(original: Mapping[str, Any], name: str) -> bool:
    cell = original.get(name)
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def written(number: float) -> str:
    """A number as a message quotes it back: thousands separated, the decimals it has."""
    if float(number).is_integer():
        return f"{int(number):,}"
    return f"{number:,}"


def _figure_problems(indicator: Indicator, data: dict[str, Any]) -> list[tuple[str, str]]:
    """Each problem with the figures names its field and quotes the figures, so a message
    read in a list of a file's problems says what is wrong without opening the file."""
    numerator, denominator = data.get("numerator"), data.get("denominator")
    value = data.get("value")
    out: list[tuple[str, str]] = []
    if not indicator.has_counts:
        if numerator is not None or denominator is not None:
            field = "numerator" if numerator is not None else "denominator"
            out.append((field, f"{indicator.code} takes a value only: leave the {field} empty"))
        if value is None:
            out.append(("value", f"Enter the value for {indicator.code}"))
        elif indicator.unit_kind is UnitKind.PROPORTION and not 0 <= value <= indicator.multiplier:
            out.append(
                (
                    "value",
                    f"Value {written(value)} is not between 0 and {indicator.multiplier:,}: "
                    f"{indicator.code} is a proportion",
                )
            )
        return out
    if numerator is None:
        out.append(("numerator", f"Enter the numerator for {indicator.code}"))
    elif numerator < 0:
        out.append(("numerator", f"Numerator {written(numerator)} cannot be negative"))
    if denominator is None:
        out.append(("denominator", f"Enter the denominator for {indicator.code}"))
    elif denominator <= 0:
        out.append(("denominator", f"Denominator {written(denominator)} must be greater than 0"))
    if out:
        return out
    if indicator.unit_kind is UnitKind.PROPORTION and numerator > denominator:
        out.append(
            (
                "numerator",
                f"Numerator {written(numerator)} is more than the denominator "
                f"{written(denominator)}",
            )
        )
        return out
    if value is not None:
        value_decimals = getattr(value, "decimals", None)
        expected = numerator / denominator * indicator.multiplier
        # Accept the value as rounded by whoever wrote it, and tiny floating-point slack.
        tolerance = 0.5 * 10 ** -(value_decimals if value_decimals is not None else 6)
        if not math.isclose(value, expected, rel_tol=1e-9, abs_tol=tolerance * (1 + 1e-9)):
            out.append(
                (
                    "value",
                    f"Value {written(value)} does not match numerator ÷ denominator × "
                    f"{indicator.multiplier:,} = {expected:,.{max(value_decimals or 2, 2)}f}",
                )
            )
    return out


# --- the same rules over a file's columns at once --------------------------------------------


# Every cell of a number column empty or a plain ASCII decimal with nothing around it, the
# cells joined by NUL (never in a file: decode refuses it): then float() reads them all.
_PLAIN_CELL = r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))?"
PLAIN_COLUMN = re.compile(f"{_PLAIN_CELL}(?:\x00{_PLAIN_CELL})*")


def _fields_of(kind: type) -> tuple[str, ...]:
    return tuple(
        name for name, field in ValueRowSchema._declared_fields.items() if isinstance(field, kind)
    )


@dataclass(frozen=True)
class CheckedColumns:
    """A chunk of a file's rows after :class:`ValueColumns`: which rows keep every rule
    (``ok``) and, for those, the figures as :class:`ValueRowSchema` loads them."""

    ok: np.ndarray  # bool, one per row
    indicator_id: list[int]
    period_id: list[int]
    numerator: list[float | None]
    denominator: list[float | None]
    value: list[float | None]
    status: list[str]
    note: list[str]


class ValueColumns:
    """:class:`ValueRowSchema`'s rules, for a file: each column checked at once.

    The schema stays the rule book. Which columns are numbers, which are text and which
    are required is read from its fields; the rules are its own (the same parser, the same
    limits, the figures' rules of ``_figure_problems`` on arrays). This only says which
    rows keep every rule and loads them as the schema would; a row it doubts is loaded by
    the schema, whose messages say what is wrong. So a file of good rows is checked column
    by column, and a bad row's messages are the schema's, word for word
    (tests/unit/test_publishing_columns.py holds the two to the same answers).
    """

    NUMBERS = _fields_of(StrictNumber)  # numerator, denominator, value
    TEXTS = _fields_of(Text)  # status, note, authority
    REQUIRED = tuple(
        name for name, field in ValueRowSchema._declared_fields.items() if field.required
    )

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        indicators = list(catalogue.indicators.values())
        self._indicator_index = {code: n for n, code in enumerate(catalogue.indicators)}
        self._indicator_ids = np.array([i.id for i in indicators] + [0], dtype=np.int64)
        self._has_counts = np.array([bool(i.has_counts) for i in indicators] + [False])
        self._proportion = np.array(
            [i.unit_kind is UnitKind.PROPORTION for i in indicators] + [False]
        )
        self._multiplier = np.array([float(i.multiplier) for i in indicators] + [1.0])

    def check(self, columns: Mapping[str, list[str]], count: int) -> CheckedColumns:
        """Check *count* rows given as columns of cells (as read from the file)."""
        ok = np.ones(count, dtype=bool)
        fields_known = ValueRowSchema._declared_fields
        if any(name not in columns for name in self.REQUIRED) or any(
            name not in fields_known for name in columns
        ):
            ok[:] = False  # the schema says what is missing or unknown
        empty = [""] * count
        indicator = self._lookup(
            columns.get("indicator", empty),
            lambda cell: self._indicator_index.get(cell.strip().upper(), -1),
        )
        period_ids = {code: period.id for code, period in self.catalogue.periods.items()}
        period = self._lookup(
            columns.get("period", empty), lambda cell: period_ids.get(normalise_period(cell), -1)
        )
        ok &= (indicator >= 0) & (period >= 0)
        known = np.where(indicator >= 0, indicator, len(self._indicator_ids) - 1)

        figures = {}
        for name in self.NUMBERS:
            figures[name], readable = _numbers(columns.get(name, empty))
            ok &= readable
        numerator, denominator, value = (figures[n] for n in FIGURE_FIELDS)

        status_cells = columns.get("status", empty)
        statuses = {
            c: (c.strip() or ValueStatus.PROVISIONAL.value).lower() for c in set(status_cells)
        }
        status = [statuses[cell] for cell in status_cells]
        ok &= np.fromiter((statuses[c] in STATUSES for c in status_cells), bool, count)
        note = [cell.strip() for cell in columns.get("note", empty)]
        ok &= np.fromiter((len(text) <= NOTE_MAX for text in note), bool, count)
        code = self.catalogue.authority_code
        authorities = {
            c: c.strip().upper() in ("", code) for c in set(columns.get("authority", empty))
        }
        ok &= np.fromiter(
            map(authorities.__getitem__, columns.get("authority", empty)), bool, count
        )

        ok &= self._figures_keep_the_rules(known, numerator, denominator, value, columns, count)
        has_counts = self._has_counts[known]
        with np.errstate(all="ignore"):
            derived = numerator / denominator * self._multiplier[known]
        value = np.where(np.isnan(value) & has_counts, derived, value)
        return CheckedColumns(
            ok=ok,
            indicator_id=self._indicator_ids[known].tolist(),
            period_id=period.tolist(),
            numerator=_none_for_nan(numerator),
            denominator=_none_for_nan(denominator),
            value=_none_for_nan(value),
            status=status,
            note=note,
        )

    @staticmethod
    def _lookup(cells: list[str], find: Any) -> np.ndarray:
        found = {cell: find(cell) for cell in set(cells)}
        return np.fromiter(map(found.__getitem__, cells), np.int64, len(cells))

    def _figures_keep_the_rules(
        self,
        known: np.ndarray,
        numerator: np.ndarray,
        denominator: np.ndarray,
        value: np.ndarray,
        columns: Mapping[str, list[str]],
        count: int,
    ) -> np.ndarray:
        """``_figure_problems`` on arrays: True where a row's figures break none of them."""
        has_counts = self._has_counts[known]
        proportion = self._proportion[known]
        multiplier = self._multiplier[known]
        given = {name: ~np.isnan(array) for name, array in
                 zip(FIGURE_FIELDS, (numerator, denominator, value), strict=True)}  # fmt: skip
        with np.errstate(all="ignore"):
            only_value = (
                ~given["numerator"]
                & ~given["denominator"]
                & given["value"]
                & (~proportion | ((value >= 0) & (value <= multiplier)))
            )
            counts = (
                given["numerator"]
                & given["denominator"]
                & (numerator >= 0)
                & (denominator > 0)
                & (~proportion | (numerator <= denominator))
            )
            expected = numerator / denominator * multiplier
        checked = np.flatnonzero(has_counts & counts & given["value"])
        if checked.size:
            # The value must match the counts to the decimal places it was written with.
            cells = columns["value"]
            decimals = np.array([decimals_in(cells[n]) for n in checked], dtype=float)
            tolerance = (0.5 * 10.0**-decimals) * (1 + 1e-9)
            written_value, wanted = value[checked], expected[checked]
            difference = np.abs(wanted - written_value)
            close = (
                (written_value == wanted)
                | (difference <= np.abs(1e-9 * wanted))
                | (difference <= np.abs(1e-9 * written_value))
                | (difference <= tolerance)
            )
            counts[checked] &= close
        finite = np.isfinite(np.where(has_counts, expected, 0.0)) & np.all(
            [np.isfinite(array) | np.isnan(array) for array in (numerator, denominator, value)],
            axis=0,
        )
        return np.where(has_counts, counts, only_value) & finite


def _numbers(cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """A number column read as StrictNumber reads a file's cells (thousands separators
    allowed, spaces around ignored): the numbers (NaN where blank) and which cells read."""
    count = len(cells)
    if PLAIN_COLUMN.fullmatch("\x00".join(cells)):
        return np.fromiter(map(float, [cell or "nan" for cell in cells]), float, count), np.ones(
            count, dtype=bool
        )
    numbers = np.full(count, np.nan)
    readable = np.ones(count, dtype=bool)
    for position, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        try:
            numbers[position] = parse_number(text, thousands=True)
        except ValueError:
            readable[position] = False
    return numbers, readable


def _none_for_nan(array: np.ndarray) -> list[float | None]:
    return [None if number != number else number for number in array.tolist()]  # noqa: PLR0124
