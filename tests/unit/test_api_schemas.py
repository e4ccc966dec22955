"""The API's schemas on their own: strict query integers, and errors flattened by row."""

import pytest

from bench.api.schemas import PageQuerySchema, load, row_errors
from bench.errors import RowError, ValidationFailed


def test_marshmallow_messages_become_rows_and_fields():
    messages = {
        "values": {
            0: {"numerator": ["Enter a number"], "_schema": ["Bad row"]},
            2: {"period": ["Enter the period"]},
        },
        "per_page": ["Too many"],
        "_schema": ["Not an object"],
    }
    assert row_errors(messages) == [
        RowError(1, "numerator", "Enter a number"),
        RowError(1, "row", "Bad row"),
        RowError(3, "period", "Enter the period"),
        RowError(None, "per_page", "Too many"),
        RowError(None, "body", "Not an object"),
    ]


def test_nested_fields_get_dotted_names():
    assert row_errors({"filter": {"period": ["Unknown"]}}) == [
        RowError(None, "filter.period", "Unknown")
    ]


@pytest.mark.parametrize("text", ["1_000", "１２", "1.0", " 2", "1e3", "NaN", "two"])
def test_query_integers_are_ascii_digits_only(text):
    with pytest.raises(ValidationFailed) as failure:
        load(PageQuerySchema(), {"page": text})
    assert [error.field for error in failure.value.errors] == ["page"]


def test_query_defaults():
    assert load(PageQuerySchema(), {}) == {"page": 1, "per_page": 100}
    assert load(PageQuerySchema(), {"page": "+3", "per_page": "500"}) == {
        "page": 3,
        "per_page": 500,
    }
