"""Formula payloads written by the one CSV writer open as text in a real spreadsheet.

LibreOffice Calc, headless, imports the CSV with formula evaluation switched on (the worst
case a user can choose) and saves it as .xlsx, whose XML says of every cell whether it is
a formula, text or a number. Every payload must come back as the text written and every
figure as a number; a file of the same payloads written without neutralising is imported
the same way and its formulas do run, so the test can see what it guards against.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from bench.csvout import rows_to_bytes
from tests.unit.test_csvout import FORMULAS

pytestmark = pytest.mark.libreoffice

# NUL ends a cell's text in Calc, so it cannot come back whole; the others must.
PAYLOADS = [payload for payload in FORMULAS if "\x00" not in payload]
FIGURES = [-3.2, -5, 0, 12.5, 1e-05, -0.25]
# CSV import options (LibreOffice's "Filter Options for the CSV Filter"): comma, double
# quote, UTF-8, from line 1, standard cell formats, English (UK), quoted fields not forced
# to text, special numbers detected, spaces kept, and token 13, "evaluate formulas", on.
IMPORT = "CSV:44,34,76,1,,2057,false,true,false,false,false,false,true"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        message = "LibreOffice (soffice) is missing: make test installs libreoffice-calc-nogui"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # in CI a missing tool is a failure, never a skip
        pytest.skip(message)
    return found


def open_in_calc(tmp_path: Path, files: dict[str, bytes]) -> dict[str, list[list[dict]]]:
    """Import each CSV into Calc, save it as .xlsx and read back every cell."""
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    profile = (tmp_path / "profile").as_uri()  # a private profile: no shared state
    subprocess.run(  # noqa: S603 - LibreOffice on our own temporary files
        [
            soffice(),
            f"-env:UserInstallation={profile}",
            "--headless",
            f"--infilter={IMPORT}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "out"),
            *(str(tmp_path / name) for name in files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {name: read_xlsx(tmp_path / "out" / f"{Path(name).stem}.xlsx") for name in files}


def read_xlsx(path: Path) -> list[list[dict]]:
    """Each row's cells as {"kind": "formula" | "text" | "number", "value": ...}."""
    # The XML is LibreOffice's, written from our own file here: not untrusted input.
    with zipfile.ZipFile(path) as book:
        strings = [
            "".join(text.text or "" for text in item.iter(f"{MAIN}t"))
            for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314
        ]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    rows = []
    for row in sheet.iter(f"{MAIN}row"):
        cells = []
        for cell in row.iter(f"{MAIN}c"):
            value = cell.find(f"{MAIN}v")
            if cell.find(f"{MAIN}f") is not None:
                cells.append({"kind": "formula", "value": value.text if value is not None else ""})
            elif cell.get("t") == "s":
                cells.append({"kind": "text", "value": strings[int(value.text)]})
            elif cell.get("t") in (None, "n"):
                cells.append({"kind": "number", "value": float(value.text)})
            else:
                cells.append({"kind": cell.get("t"), "value": value.text})
        rows.append(cells)
    return rows


def test_payloads_open_as_text_and_figures_as_numbers(tmp_path):
    figures = [FIGURES[number % len(FIGURES)] for number in range(len(PAYLOADS))]
    written = b"".join(rows_to_bytes(["payload", "figure"], zip(PAYLOADS, figures, strict=True)))
    raw = tmp_path / "raw.csv"
    with raw.open("w", newline="", encoding="utf-8") as file:  # no neutralising
        csv.writer(file, lineterminator="\r\n").writerows(
            [["payload"], ["=1+1"], ['=HYPERLINK("http://x","y")']]
        )

    book = open_in_calc(tmp_path, {"written.csv": written, "raw.csv": raw.read_bytes()})

    # The control: unneutralised, Calc runs them (so this import would show an attack).
    assert [cell["kind"] for row in book["raw.csv"][1:] for cell in row] == ["formula"] * 2
    rows = book["written.csv"]
    assert rows[0] == [{"kind": "text", "value": "payload"}, {"kind": "text", "value": "figure"}]
    assert len(rows) == len(PAYLOADS) + 1
    for payload, figure, row in zip(PAYLOADS, figures, rows[1:], strict=True):
        # Calc shows the cell as written, leading quote and all: no formula ran.
        # (A line break inside a cell is one kind in Calc: a carriage return reads as LF.)
        shown = ("'" + payload).replace("\r\n", "\n").replace("\r", "\n")
        assert row[0] == {"kind": "text", "value": shown}, payload
        assert row[1] == {"kind": "number", "value": float(figure)}, payload
