"""CSV out, the one CSV writer: RFC 4180, UTF-8, CRLF, one header row, stable columns,
cells written the same way everywhere (ISO dates, ``true``/``false``, unformatted numbers)
and formula-looking text neutralised; and the one place downloads are named
(``Content-Disposition``).

Every CSV bench sends or packs goes through :func:`rows_to_csv` (text) or
:func:`rows_to_bytes` (UTF-8), which stream in chunks of about :data:`CHUNK_CHARS`: an
export of the whole network never sits in memory.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any
from urllib.parse import quote

from flask import Response

# A spreadsheet runs a cell starting with one of these as a formula, or as a command (CSV
# injection): OWASP's list (=, +, -, @, tab, carriage return, line feed), NUL (ASVS 5.0
# V1.2.10), and | and % (DDE "cmd|..." in some spreadsheets; "%0A" decoded to a line feed
# by tools that URL-decode).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "|", "%")
_TRIGGERS = frozenset(FORMULA_STARTS)
# First characters that settle at once that a cell is plain (most cells): printable ASCII
# that is neither a trigger nor a space. Anything else is looked at more closely.
_PLAIN_FIRST = frozenset(chr(code) for code in range(0x21, 0x7F) if chr(code) not in _TRIGGERS)
CHUNK_CHARS = 32 * 1024  # a chunk is yielded once the buffer holds this much text
_BATCH_ROWS = 256  # rows written between two looks at the buffer's size
CSV_CONTENT_TYPE = "text/csv; charset=utf-8; header=present"  # RFC 7111
BOM = "\ufeff"


def neutralise(cell: object) -> str:
    """The text of one cell, quoted with a leading ``'`` if a spreadsheet would run it.

    Numbers are written as numbers, negative ones included: a value held as a number can
    only print as a sign, digits and a point, so it cannot carry a formula, and a
    spreadsheet must read it as the figure it is. Text is judged by its first character,
    and again after any leading blanks (spaces, tabs, no-break spaces, zero-width and other
    invisible characters, which spreadsheets skip or a reader cannot see), even when it
    looks like a number: from the text alone ``-5`` and ``-5+cmd|...`` cannot be told
    apart by anything but parsing, and every figure bench writes is held as a number.

    Booleans are ``true``/``false`` (Table Schema's defaults), dates ISO 8601, datetimes
    ISO 8601 in UTC to the second with ``Z``, numbers without thousands separators or an
    exponent, and ``None`` an empty cell.
    """
    write = _WRITERS.get(type(cell))
    if write is not None:
        return write(cell)
    return _other(cell)


def _text(text: str) -> str:
    if not text or text[0] in _PLAIN_FIRST:
        return text
    for char in text:
        if char in _TRIGGERS:
            return "'" + text
        if char.isprintable() and not char.isspace():
            return text
    return text  # blanks only


def _integer(value: int) -> str:
    return str(value)


def _float(value: float) -> str:
    if not math.isfinite(value):
        return _text(repr(value))  # not a figure (DESIGN.md): "nan", "'-inf"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)  # the shortest text that reads back as the same float
    if "e" in text:  # 1e-05, 1e+16: written out in full
        text = format(Decimal(text), "f")
    return text


def _decimal(value: Decimal) -> str:
    if not value.is_finite():
        return _text(str(value))
    return format(value, "f")  # as held, trailing zeros kept, never an exponent


def iso_datetime(value: datetime) -> str:
    """An aware datetime as bench writes it everywhere: ISO 8601, UTC, to the second, ``Z``."""
    if value.tzinfo is None:
        # bench holds aware datetimes only (bench.models.base.UTCDateTime): a naive one
        # here is a programming error, and guessing its zone would misstate the time.
        raise ValueError(f"A naive datetime cannot be written: {value!r}")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _other(cell: object) -> str:
    """Subclasses and foreign types (numpy numbers, str enums): the same rules by kind."""
    if isinstance(cell, Decimal):
        return _decimal(cell)
    if isinstance(cell, numbers.Integral) and not isinstance(cell, bool):
        return str(int(cell))
    if isinstance(cell, numbers.Real):
        return _float(float(cell))  # numpy's own repr names its type
    if isinstance(cell, datetime):
        return iso_datetime(cell)
    if isinstance(cell, date):
        return cell.isoformat()
    return _text(str(cell))


_WRITERS: dict[type, Callable[[Any], str]] = {
    str: _text,
    int: _integer,
    float: _float,
    bool: lambda value: "true" if value else "false",
    type(None): lambda _: "",
    Decimal: _decimal,
    date: date.isoformat,
    datetime: iso_datetime,
}


def rows_to_csv(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False
) -> Iterator[str]:
    """Yield CSV text chunk by chunk (large exports stream): the header, then every row,
    each cell through :func:`neutralise`. A row of the wrong width is a programming error
    (the file would not match its header or schema) and stops the file."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(map(neutralise, header))
    width = len(header)

    def cells(row: Sequence[object]) -> Iterator[str]:
        if len(row) != width:
            raise ValueError(f"A row has {len(row)} cells, the header {width}: {row!r:.200}")
        return map(neutralise, row)

    remaining = iter(rows)
    while True:
        before = buffer.tell()
        writer.writerows(map(cells, islice(remaining, _BATCH_ROWS)))
        end = buffer.tell()
        if end == before:  # every row writes at least its line end: no rows were left
            break
        if end >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    tail = buffer.getvalue()
    if tail:
        yield tail


def rows_to_bytes(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False
) -> Iterator[bytes]:
    """:func:`rows_to_csv` encoded as UTF-8, chunk by chunk; ``bom`` starts the file with a
    byte order mark, which Excel on Windows needs to read UTF-8 but strict parsers read as
    part of the first column's name (so it is off unless asked for)."""
    for chunk in rows_to_csv(header, rows, bom=bom):
        yield chunk.encode("utf-8")


# What a download's name may hold: it is built from bench's own words and known codes,
# never from request text, so anything else is a programming error.
UNSAFE_IN_NAME = re.compile(r'["\\\x00-\x1f\x7f]')
SAFE_IN_PLAIN = re.compile(r"[A-Za-z0-9 ._()-]")
# Headers a download sets itself; extra headers may not replace them.
_OWN_HEADERS = frozenset({"content-disposition", "content-type"})


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


def download(
    filename: str,
    chunks: Iterable[bytes],
    content_type: str,
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A file to download, streamed chunk by chunk: every download (a CSV, the inspection
    pack's ZIP) goes through here, so every one is named the same way. ``headers`` adds
    response headers (an export's as-of date and data version), never replacing the name
    or the type."""
    extra = dict(headers or {})
    clashing = sorted(name for name in extra if name.lower() in _OWN_HEADERS)
    if clashing:
        raise ValueError(f"A download sets its own {', '.join(clashing)}")
    return Response(
        chunks,
        content_type=content_type,
        headers={"Content-Disposition": content_disposition(filename), **extra},
    )


def csv_download(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    bom: bool = False,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A CSV file to download, streamed: every CSV download goes through here."""
    return download(
        filename, rows_to_bytes(header, rows, bom=bom), CSV_CONTENT_TYPE, headers=headers
    )
