"""The user list's query: words to look for and a page number, each refused with a message
that names it (the list is a GET form, so a link can carry any text)."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from bench.api.schemas import MAX_PAGE
from bench.validation import StrictNumber, printable

SEARCH_MAX = 200
MOST_WORDS = 10
SEARCH_TOO_LONG = f"Search must be {SEARCH_MAX} characters or fewer"
SEARCH_TOO_MANY_WORDS = f"Search for {MOST_WORDS} words or fewer"
PAGE_INVALID = "Page must be a whole number, like 2"
PAGE_OUT_OF_RANGE = f"Page must be from 1 to {MAX_PAGE:,}"


def _few_words(text: str) -> None:
    # Each word is a condition on three columns: a bound keeps the query small.
    if len(text.split()) > MOST_WORDS:
        raise ValidationError(SEARCH_TOO_MANY_WORDS)


class UserListQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # the page's own parameters only; anything else is ignored

    q = fields.String(
        load_default="",
        validate=[
            validate.Length(max=SEARCH_MAX, error=SEARCH_TOO_LONG),
            printable(),
            _few_words,
        ],
    )
    page = StrictNumber(
        integer=True,
        load_default=1,
        error_messages={"invalid": PAGE_INVALID},
        validate=validate.Range(min=1, max=MAX_PAGE, error=PAGE_OUT_OF_RANGE),
    )

    @pre_load
    def _trimmed(self, data: Any, **kwargs: Any) -> Any:
        # An empty search box is sent as "q=": no search. Spaces around words are not words.
        if not hasattr(data, "items"):
            return data
        return {
            key: value.strip() if isinstance(value, str) else value
            for key, value in data.items()
            if not (isinstance(value, str) and not value.strip())
        }
