"""What an exported file holds, described once: its columns' names, titles, descriptions,
types, units, allowed values and what an empty cell means. The CSV header, the
``datapackage.json`` schema and ``data-dictionary.csv`` are all written from these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# GSS shorthand for a cell with no figure (GOV.UK tabular data standard).
CONFIDENTIAL = "c"  # withheld under the anonymity rules (too few peers, a small count)
NOT_AVAILABLE = "x"  # not published, or withheld because groups overlap
NOT_APPLICABLE = "z"  # the figure does not exist for this row
LOW_RELIABILITY = "u"
SUPPRESSION_CODES = {
    CONFIDENTIAL: "confidential: withheld under bench's anonymity rules",
    NOT_AVAILABLE: "not available: not published, or withheld because peer groups overlap",
    NOT_APPLICABLE: "not applicable",
    LOW_RELIABILITY: "low reliability",
}


@dataclass(frozen=True)
class Column:
    """One column. ``type`` is a Table Schema type: string, number, integer, boolean, date,
    datetime. ``allowed`` lists the only values a cell may hold (besides empty)."""

    name: str  # lower snake_case, stable, never localised
    title: str
    description: str
    type: str = "string"
    unit: str | None = None
    allowed: tuple[str, ...] | None = None
    empty_means: str = ""


@dataclass(frozen=True)
class Table:
    """One CSV file: ``name`` is its file name without ``.csv`` (lower case, dashes)."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


@dataclass(frozen=True)
class Section:
    """A table and its rows (each a sequence in the table's column order), produced lazily."""

    table: Table
    rows: Iterable[Sequence[object]]


SUPPRESSION_REASON = Column(
    "suppression_reason",
    "Why a figure is empty",
    "GSS shorthand for why this row's figures are empty: c confidential (withheld under "
    "bench's anonymity rules), x not available (not published, or withheld because peer "
    "groups overlap), z not applicable, u low reliability.",
    allowed=tuple(SUPPRESSION_CODES),
    empty_means="the row's figures are shown",
)


# Table Schema's types that bench's columns use (csvout writes each the one way).
FIELD_TYPES = frozenset({"string", "number", "integer", "boolean", "date", "datetime"})

DATA_DICTIONARY = Table(
    "data-dictionary",
    "Data dictionary",
    "Every column of every CSV file in this pack: what it holds and what an empty cell "
    "means. The same as datapackage.json, for people who will not open JSON.",
    (
        Column("file", "File", "The CSV file the column is in."),
        Column("column", "Column", "The column's name in that file's header row."),
        Column("title", "Title", "The column's name in words."),
        Column("description", "Description", "What the column holds."),
        Column(
            "type",
            "Type",
            "The kind of value in the column (Table Schema type): string is text; number a "
            "figure written with a . decimal point and no thousands separator; integer a "
            "whole number; boolean true or false; date YYYY-MM-DD; datetime "
            "YYYY-MM-DDThh:mm:ssZ in UTC.",
            allowed=tuple(sorted(FIELD_TYPES)),
        ),
        Column("unit", "Unit", "The unit of the column's figures.", empty_means="no unit"),
        Column(
            "allowed_values",
            "Allowed values",
            "The only values a cell may hold besides empty, separated by semicolons.",
            empty_means="any value of the column's type",
        ),
        Column(
            "empty_means",
            "What an empty cell means",
            "What an empty cell in the column means.",
            empty_means="the column is never empty, or nothing more need be said",
        ),
    ),
)
