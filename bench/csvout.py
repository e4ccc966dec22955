"""CSV out: UTF-8, one header row, stable columns, formula-looking cells neutralised."""

from __future__ import annotations

import csv
import io
import math
import numbers
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): the
# OWASP list (=, +, -, @, tab, carriage return, line feed) and NUL (ASVS 5.0 V1.2.10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def neutralise(cell: object) -> str:
    """The text of one cell, quoted with a leading ``'`` if a spreadsheet would run it.

    Numbers are written as numbers, negative ones included: a value held as a number can
    only print as a sign, digits and a point, so it cannot carry a formula, and a
    spreadsheet must read it as the figure it is. Text is judged by its first character,
    and again after any leading spaces (spreadsheets skip them before deciding a cell is a
    formula), even when it looks like a number: from the text alone ``-5`` and
    ``-5+cmd|...`` cannot be told apart by anything but parsing, and every figure bench
    writes is held as a number.
    """
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, Decimal) and cell.is_finite():
        return str(cell)
    if isinstance(cell, numbers.Real) and math.isfinite(cell):
        return _number(cell)
    text = str(cell)
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _number(value: numbers.Real) -> str:
    if isinstance(value, numbers.Integral):
        return str(int(value))
    value = float(value)  # numpy's own repr names its type
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


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
