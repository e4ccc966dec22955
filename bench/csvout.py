"""CSV out: UTF-8, one header row, stable columns, formula-looking cells neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, int | float):
        return _number(cell)
    text = str(cell)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _number(value: float) -> str:
    # Negative numbers are numbers, not formulas: write them plainly.
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def rows_to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Yield CSV text chunk by chunk (large exports stream)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if number % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
