"""A file checked a column at a time keeps ValueRowSchema's rules and says what the schema
says: the same rows accepted, read the same, and the same messages for every bad row."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from bench.errors import ValidationFailed
from bench.models import Indicator, Period, UnitKind
from bench.publishing.schemas import Catalogue, ValueColumns, ValueRowSchema
from bench.publishing.service import FirstRows, validate_records, validate_rows

HEADER = ["indicator", "period", "numerator", "denominator", "value", "status", "note",
          "authority"]  # fmt: skip
GOOD = ["COST", "2022-23", "", "", "900", "final", "", ""]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    indicators = [
        Indicator(id=1, code="DP-PCT", unit_kind=UnitKind.PROPORTION, multiplier=100,
                  has_counts=True),
        Indicator(id=2, code="ADM65", unit_kind=UnitKind.RATE, multiplier=100_000,
                  has_counts=True),
        Indicator(id=3, code="COST", unit_kind=UnitKind.CURRENCY, multiplier=1,
                  has_counts=False),
        Indicator(id=4, code="SHARE", unit_kind=UnitKind.PROPORTION, multiplier=100,
                  has_counts=False),
    ]  # fmt: skip
    periods = [Period(id=7, code="2022-23"), Period(id=8, code="2023-24")]
    return Catalogue(
        indicators={i.code: i for i in indicators},
        periods={p.code: p for p in periods},
        authority_code="E10000017",
    )


# Each kind of bad value: (indicator, period, numerator, denominator, value, status, note,
# authority).
BAD = [
    ["XYZ", "2022-23", "1", "10", "", "", "", ""],  # unknown indicator
    ["", "2022-23", "1", "10", "", "", "", ""],  # no indicator
    ["DP-PCT", "1999-00", "1", "10", "", "", "", ""],  # unknown period
    ["DP-PCT", " ", "1", "10", "", "", "", ""],  # no period
    ["DP-PCT", "2022-23", "lots", "10", "", "", "", ""],  # not a number
    ["DP-PCT", "2022-23", "1_000", "2000", "", "", "", ""],  # Python's lenient float
    ["DP-PCT", "2022-23", "１２", "20", "", "", "", ""],  # full-width digits
    ["COST", "2022-23", "", "", "NaN", "", "", ""],
    ["COST", "2022-23", "", "", "inf", "", "", ""],
    ["COST", "2022-23", "", "", "1e3", "", "", ""],
    ["COST", "2022-23", "", "", "9" * 400, "", "", ""],  # reads as infinity
    ["ADM65", "2022-23", "5", "9" * 400, "", "", "", ""],
    ["COST", "2022-23", "", "", "12,34", "", "", ""],  # not a thousands separator
    ["DP-PCT", "2022-23", "50,000", "42,077", "", "", "", ""],  # more than the denominator
    ["DP-PCT", "2022-23", "0", "0", "", "", "", ""],  # denominator 0
    ["ADM65", "2022-23", "5", "-10", "", "", "", ""],  # negative denominator
    ["ADM65", "2022-23", "-5", "10", "", "", "", ""],  # negative numerator
    ["DP-PCT", "2022-23", "1", "10", "12.5", "", "", ""],  # value does not match
    ["DP-PCT", "2022-23", "1", "3", "33.4", "", "", ""],  # not to the places written
    ["DP-PCT", "2022-23", "", "10", "", "", "", ""],  # no numerator
    ["DP-PCT", "2022-23", "5", "", "", "", "", ""],  # no denominator
    ["COST", "2022-23", "", "", "", "", "", ""],  # no value
    ["COST", "2022-23", "5", "10", "900", "", "", ""],  # counts for a value-only indicator
    ["COST", "2022-23", "", "10", "900", "", "", ""],
    ["SHARE", "2022-23", "", "", "100.5", "", "", ""],  # a proportion over its multiplier
    ["SHARE", "2022-23", "", "", "-1", "", "", ""],
    ["COST", "2022-23", "", "", "900", "maybe", "", ""],  # status
    ["COST", "2022-23", "", "", "900", "final", "x" * 1001, ""],  # note too long
    ["COST", "2022-23", "", "", "900", "final", "", "E10000018"],  # another authority
]

# Good rows in the forms people write them.
GOOD_ROWS = [
    GOOD,
    ["dp-pct ", "2022/23", " 1,890 ", "10,796", "", " FINAL ", " a note ", "e10000017"],
    ["DP-PCT", "2022-23", "1", "3", "33.3", "", "", ""],  # to the places written
    ["DP-PCT", "2022-23", "1", "3", "33.33333333", "", "", ""],
    ["ADM65", "2023-24", "+1912", "278794.", "", "provisional", "", ""],
    ["SHARE", "2022-23", "", "", ".5", "", "", ""],
    ["COST", "2022-23", "", "", "-0", "", "", ""],
    ["COST", "2022-23", "", "", "1,234,567.25", "", "", ""],
]


def _schema(catalogue, cells):
    """The schema's own answer for one row: its loaded figures, or its messages."""
    try:
        return ValueRowSchema(catalogue, thousands=True).load(dict(zip(HEADER, cells, strict=True)))
    except ValidationError as error:
        return error.messages


def _columns(catalogue, rows):
    return ValueColumns(catalogue).check(
        {name: [row[n] for row in rows] for n, name in enumerate(HEADER)}, len(rows)
    )


def _read(checked, at):
    return {
        "indicator_id": checked.indicator_id[at], "period_id": checked.period_id[at],
        "numerator": checked.numerator[at], "denominator": checked.denominator[at],
        "value": checked.value[at], "status": checked.status[at], "note": checked.note[at],
    }  # fmt: skip


def test_every_bad_row_is_doubted_and_every_good_one_read_as_the_schema_reads_it(catalogue):
    checked = _columns(catalogue, BAD + GOOD_ROWS)
    for at, row in enumerate(BAD):
        assert not checked.ok[at], row
        assert "indicator_id" not in _schema(catalogue, row)  # the schema refuses it too
    for at, row in enumerate(GOOD_ROWS, start=len(BAD)):
        assert checked.ok[at], row
        assert _read(checked, at) == _schema(catalogue, row)


@pytest.mark.parametrize("bad", BAD, ids=[" ".join(row[:5])[:40] for row in BAD])
def test_a_bad_row_gets_the_schemas_messages_naming_row_and_field(catalogue, bad):
    rows = [(2, GOOD), (3, bad), (4, ["ADM65", "2022-23", "1", "10", "", "", "", ""])]
    with pytest.raises(ValidationFailed) as by_columns:
        validate_records(catalogue, ValueColumns(catalogue), HEADER, rows, seen=FirstRows())
    with pytest.raises(ValidationFailed) as by_rows:
        validate_rows(
            catalogue, [(n, dict(zip(HEADER, r, strict=True))) for n, r in rows], thousands=True
        )
    assert by_columns.value.errors == by_rows.value.errors
    assert {error.row for error in by_columns.value.errors} == {3}


def test_what_the_columns_doubt_the_schema_decides_and_a_number_too_big_is_refused(catalogue):
    # A number too big for a float reads as infinity, which the columns doubt; the schema
    # is the rule book, and refuses it (it kept it as infinity before), with one message
    # for both paths.
    huge = ["COST", "2022-23", "", "", "9" * 400, "", "", ""]
    assert not _columns(catalogue, [huge]).ok[0]
    rows = [(2, huge)]
    with pytest.raises(ValidationFailed) as by_rows:
        validate_rows(
            catalogue, [(n, dict(zip(HEADER, r, strict=True))) for n, r in rows], thousands=True
        )
    with pytest.raises(ValidationFailed) as by_columns:
        validate_records(catalogue, ValueColumns(catalogue), HEADER, rows, seen=FirstRows())
    assert by_columns.value.errors == by_rows.value.errors
    assert [(error.row, error.field) for error in by_rows.value.errors] == [(2, "value")]


def test_duplicates_and_short_rows_are_reported_in_the_same_order(catalogue):
    rows = [
        (2, GOOD),
        (3, ["COST", "2022-23", "", "", "1"]),  # too few cells
        (4, ["XYZ", "2022-23", "1", "10", "", "", "", ""]),
        (5, ["COST", "2022/23", "", "", "901", "", "", ""]),  # the same figure as row 2
    ]
    seen = FirstRows()
    with pytest.raises(ValidationFailed) as failure:
        validate_records(catalogue, ValueColumns(catalogue), HEADER, rows, seen=seen)
    assert [(e.row, e.field, e.message) for e in failure.value.errors] == [
        (3, "row", "This row has 5 cells, not one per column"),
        (4, "indicator", "Unknown indicator 'XYZ'"),
        (5, "indicator", "COST for 2022/23 is already in row 2"),
    ]
    # A later chunk of the same file: found wherever it stands.
    later = [(9, ["cost", "2022-23", "", "", "5", "", "", ""])]
    with pytest.raises(ValidationFailed) as again:
        validate_records(catalogue, ValueColumns(catalogue), HEADER, later, seen=seen)
    assert again.value.errors[0].message == "cost for 2022-23 is already in row 2"


CELLS = {
    "indicator": st.sampled_from(["DP-PCT", "ADM65", "COST", "SHARE", "cost ", "XYZ", ""]),
    "period": st.sampled_from(["2022-23", "2023/24", " 2022-23", "2021-22", ""]),
    "number": st.one_of(
        st.sampled_from(["", " ", "0", "-1", "10", "1,000", "12.50", "1e2", "nan", "1_0", "."]),
        st.integers(-5, 200_000).map(str),
        st.floats(-10, 1e6, allow_nan=False).map(lambda f: f"{f:.3f}"),
        st.text(max_size=4),
    ),
    "status": st.sampled_from(["", "final", "Provisional", " FINAL ", "draft"]),
    "note": st.sampled_from(["", " x ", "n" * 1000, "n" * 1001]),
    "authority": st.sampled_from(["", "E10000017", "e10000017 ", "E10000018"]),
}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(CELLS["indicator"], CELLS["period"], CELLS["number"], CELLS["number"],
                  CELLS["number"], CELLS["status"], CELLS["note"], CELLS["authority"]),
        min_size=1, max_size=8,
    )
)  # fmt: skip
def test_the_columns_never_accept_what_the_schema_refuses(catalogue, rows):
    checked = _columns(catalogue, [list(row) for row in rows])
    for at, row in enumerate(rows):
        by_schema = _schema(catalogue, list(row))
        if checked.ok[at]:
            assert _read(checked, at) == by_schema, row
