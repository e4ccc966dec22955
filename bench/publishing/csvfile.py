"""Reading the CSV files people actually produce.

UTF-8 with or without a byte-order mark, Windows-1252 from older Excel, comma or
semicolon, CRLF, quoted fields, trailing blank lines. Anything else is "not a CSV file".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from bench.errors import RowError

MAX_ROWS = 250_000


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
    text = decode(data)
    if not text.strip():
        raise NotCsv("The file is empty")
    first_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        records = list(reader)
    except csv.Error as error:
        raise NotCsv(f"The file is not a valid CSV file: {error}") from None
    # Row numbers as a spreadsheet shows them: the header is row 1.
    numbered = [(number, record) for number, record in enumerate(records, start=1)]
    while numbered and not any(cell.strip() for cell in numbered[-1][1]):
        numbered.pop()  # trailing blank lines
    while numbered and not any(cell.strip() for cell in numbered[0][1]):
        numbered.pop(0)
    if not numbered:
        raise NotCsv("The file is empty")
    header_number, raw_header = numbered[0]
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
    if len(numbered) - 1 > MAX_ROWS:
        raise NotCsv(f"The file has more than {MAX_ROWS:,} rows: split it into smaller files")
    rows = []
    for number, record in numbered[1:]:
        if not any(cell.strip() for cell in record):
            continue  # a blank line inside the file carries nothing
        if len(record) != len(header):
            rows.append((number, {"__shape__": str(len(record))}))
            continue
        rows.append((number, dict(zip(header, record, strict=True))))
    return CsvTable(header, rows)


class HeaderProblems(ValueError):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("header problems")
        self.errors = errors
