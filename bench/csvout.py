"""CSV out: UTF-8, one header row, stable columns, formula-looking cells neutralised; and
the one place downloads are named (``Content-Disposition``)."""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from urllib.parse import quote

from flask import Response

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


# What a download's name may hold: it is built from bench's own words and known codes,
# never from request text, so anything else is a programming error.
UNSAFE_IN_NAME = re.compile(r'["\\\x00-\x1f\x7f]')
SAFE_IN_PLAIN = re.compile(r"[A-Za-z0-9 ._()-]")


def content_disposition(filename: str) -> str:
    """The ``Content-Disposition`` value for a download named *filename* (RFC 6266).

    An ASCII ``filename`` for every browser and, when the name is not plain ASCII,
    ``filename*`` in UTF-8 (RFC 8187), which browsers that read it prefer.
    """
    if not filename or UNSAFE_IN_NAME.search(filename):
        raise ValueError(f"Not a file name bench writes: {filename!r}")
    # Accents dropped (Môn as Mon), anything else not plain ASCII as "_".
    plain = "".join(
        "" if unicodedata.combining(char) else char if SAFE_IN_PLAIN.fullmatch(char) else "_"
        for char in unicodedata.normalize("NFKD", filename)
    )
    value = f'attachment; filename="{plain}"'
    if plain != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    """A CSV file to download, streamed: every CSV download goes through here."""
    return Response(
        rows_to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": content_disposition(filename)},
    )
