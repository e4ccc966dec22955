"""Numbers from outside: ASCII digits, an optional sign and decimal point, nothing else.

DESIGN.md "Data and input" is the source of these cases.
"""

import pytest
from marshmallow import Schema, ValidationError

from bench.validation import StrictNumber, parse_number


@pytest.mark.parametrize(
    ("text", "number"),
    [("0", 0.0), ("12", 12.0), ("-3", -3.0), ("+4.5", 4.5), (".5", 0.5), ("7.", 7.0)],
)
def test_plain_numbers(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize(
    "text",
    ["", " 1", "1 ", "1_000", "1,000", "１２", "١٢", "१२", "NaN", "nan", "inf", "-Infinity",
     "1e3", "0x10", "--1", "1.2.3", ".", "+"],
)  # fmt: skip
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_integers():
    assert parse_number("-12", integer=True) == -12
    for text in ("1.0", "1.", "１"):
        with pytest.raises(ValueError):
            parse_number(text, integer=True)


class _Schema(Schema):
    figure = StrictNumber(allow_none=True)
    whole = StrictNumber(integer=True, allow_none=True)


@pytest.mark.parametrize(
    ("data", "loaded"),
    [
        ({"figure": "2.5"}, {"figure": 2.5}),
        ({"figure": 3}, {"figure": 3.0}),  # a JSON number
        ({"figure": ""}, {"figure": None}),  # a blank form field
        ({"whole": 4.0}, {"whole": 4}),
    ],
)
def test_strict_number_field_loads(data, loaded):
    assert _Schema().load(data) == loaded


@pytest.mark.parametrize(
    "data",
    [{"figure": float("nan")}, {"figure": float("inf")}, {"figure": True}, {"whole": 4.5},
     {"figure": "1_000"},
     # Too large for a float: written out, it would read as infinity; as a JSON integer,
     # it would not convert at all (a server error before).
     {"figure": "9" * 400}, {"figure": "-" + "9" * 400}, {"figure": 10**400},
     {"whole": 10**400}, {"figure": "1" + "0" * 309 + ".5"}],
)  # fmt: skip
def test_strict_number_field_refuses(data):
    with pytest.raises(ValidationError):
        _Schema().load(data)
