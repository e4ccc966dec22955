"""Reading the CSV files people actually produce.

UTF-8 with or without a byte-order mark, Windows-1252 from older Excel, comma or
semicolon, CRLF, quoted fields, trailing blank lines. Anything else is "not a CSV file".
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bench.errors import RowError

MAX_ROWS = 250_000
# A line and its ending, as a text file opened with newline="" splits them: the reader is
# fed one line at a time, so the text is not copied whole (io.StringIO holds four bytes a
# character: 12 MB more for a 3 MB file).
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# Where str.splitlines() would end the first line.
LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class CsvTable:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as a spreadsheet shows it, cells)


class NotCsv(ValueError):
    """The file cannot be read as CSV; the message says why in plain words."""


def decode(data: bytes) -> str:
    """Decode UTF-8 (BOM or not), falling back to Windows-1252, Excel's old default."""
    if b"\x00" in data:
        raise NotCsv("The file is not a CSV file: it contains binary data")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # cp1252 leaves five bytes undefined; a file using them is not Excel text.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise NotCsv("The file is not a CSV file: its text encoding is not recognised") from None


def _delimiter(first_line: str) -> str:
    # Excel in European locales writes semicolons. Count outside quotes on the header.
    outside = first_line.split('"')[::2]
    commas = sum(part.count(",") for part in outside)
    semicolons = sum(part.count(";") for part in outside)
    return ";" if semicolons > commas else ","


def normalise_header(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def read_table(data: bytes, *, allowed: set[str], required: set[str]) -> CsvTable:
    """Parse *data* into rows keyed by normalised column name, or raise NotCsv/RowErrors."""
    header, rows = iter_table(data, allowed=allowed, required=required)
    return CsvTable(header, list(rows))


def _lines(text: str) -> Iterator[str]:
    return (match.group() for match in LINE.finditer(text))


def iter_table(
    data: bytes, *, allowed: set[str], required: set[str]
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header, checked, and the rows one at a time (row numbers as a spreadsheet's)."""
    header, records = iter_records(data, allowed=allowed, required=required)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for number, record in records:
            if len(record) != len(header):
                # The cells it has still say what the row is about (its indicator).
                cells = dict(zip(header, record, strict=False))
                yield number, {**cells, "__shape__": str(len(record))}
            else:
                yield number, dict(zip(header, record, strict=True))

    return header, rows()


def iter_records(
    data: bytes, *, allowed: set[str], required: set[str]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, checked, and the rows' cells as read, one row at a time, blank rows
    left out (row numbers as a spreadsheet's). A row may have more or fewer cells than
    the header has columns: the caller says so."""
    text = decode(data)
    if not text.strip():
        raise NotCsv("The file is empty")
    first_line = LINE_BREAK.split(text.lstrip("\r\n"), maxsplit=1)[0]
    reader = enumerate(csv.reader(_lines(text), delimiter=_delimiter(first_line)), start=1)
    try:
        # The header is the first line with anything in it.
        header_number, raw_header = next(
            ((number, record) for number, record in reader if any(c.strip() for c in record)),
            (0, []),
        )
    except csv.Error as error:
        raise NotCsv(f"The file is not a valid CSV file: {error}") from None
    if not raw_header:
        raise NotCsv("The file is empty")
    header = [normalise_header(name) for name in raw_header]
    problems = [
        RowError(header_number, name or f"column {position}", f"Unknown column '{name}'")
        for position, name in enumerate(header, start=1)
        if name not in allowed
    ]
    problems += [
        RowError(header_number, name, f"The column '{name}' is missing")
        for name in sorted(required - set(header))
    ]
    duplicated = {name for name in header if header.count(name) > 1}
    problems += [
        RowError(header_number, name, f"The column '{name}' appears more than once")
        for name in sorted(duplicated)
    ]
    if problems:
        raise HeaderProblems(problems)

    def records() -> Iterator[tuple[int, list[str]]]:
        count = 0
        try:
            for number, record in reader:
                if not "".join(record).strip():
                    continue  # blank lines, inside or trailing, carry nothing
                count += 1
                if count > MAX_ROWS:
                    raise NotCsv(
                        f"The file has more than {MAX_ROWS:,} rows: split it into smaller files"
                    )
                yield number, record
        except csv.Error as error:
            raise NotCsv(f"The file is not a valid CSV file: {error}") from None

    return header, records()


class HeaderProblems(ValueError):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("header problems")
        self.errors = errors
