"""The search's query parameters (page and API alike) and the API's answer."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from bench import messages
from bench.api.schemas import PageQuerySchema, PageSchema
from bench.models import KeyArea, SearchKind
from bench.search.terms import MAX_LENGTH, MAX_WORDS, QueryRefused, Terms, parse_terms

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Words(fields.String):
    """The words to search for, loaded as :class:`Terms` (never syntax)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Terms:
        try:
            return parse_terms(super()._deserialize(value, attr, data, **kwargs))
        except QueryRefused as refused:
            raise ValidationError(refused.message) from None


class IsoDate(fields.Field):
    """A date written 2025-03-31, in ASCII digits, and real."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = messages.SEARCH_DATE_INVALID.format(label=label)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value.strip()):
            raise ValidationError(self.error)
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(self.error) from None


def _one_of(values: list[str], error: str, description: str) -> fields.String:
    return fields.String(
        validate=validate.OneOf(values, error=error),
        metadata={"enum": values, "description": description},
    )


def _named(longest: int, error: str, description: str) -> fields.String:
    """A code or id: longer than any there is names nothing (the service looks it up)."""
    return fields.String(
        validate=validate.Length(max=longest, error=error), metadata={"description": description}
    )


class SearchQuerySchema(PageQuerySchema):
    q = Words(
        required=True,
        error_messages={"required": messages.SEARCH_WORDS_REQUIRED},
        metadata={
            "description": (
                f"The words to find, every one of them (up to {MAX_WORDS} words, "
                f"{MAX_LENGTH} characters). Punctuation and operators are searched as "
                "text, never as query syntax."
            )
        },
    )
    kind = _one_of(
        [kind.value for kind in SearchKind],
        messages.SEARCH_KIND_INVALID,
        "Only notes, review updates, actions or good practice.",
    )
    issue_type = _named(
        60, messages.SEARCH_ISSUE_TYPE_UNKNOWN, "Only what is about this issue type (its code)."
    )
    indicator = _named(
        40, messages.SEARCH_INDICATOR_UNKNOWN, "Only what is about this indicator (its code)."
    )
    key_area = _one_of(
        [area.value for area in KeyArea],
        messages.SEARCH_KEY_AREA_INVALID,
        "Only what is about this key area.",
    )
    review = _named(
        22,
        messages.SEARCH_REVIEW_UNKNOWN,
        "Only what belongs to this review of your council (its id).",
    )
    date_from = IsoDate(
        "The date from",
        data_key="from",
        metadata={"type": "string", "format": "date", "description": "From this day on."},
    )
    date_to = IsoDate(
        "The date to",
        data_key="to",
        metadata={"type": "string", "format": "date", "description": "Up to this day."},
    )

    @pre_load
    def _blank_is_missing(self, data: Any, **kwargs: Any) -> Any:
        # A filter left empty on the page's form is sent as "": it means no filter.
        if not hasattr(data, "items"):
            return data
        return {
            key: value
            for key, value in data.items()
            if not (isinstance(value, str) and not value.strip())
        }

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise ValidationError(messages.SEARCH_DATES_REVERSED, "to")


def page_query_schema() -> SearchQuerySchema:
    """The page's form: its own page size, and other parameters passed over."""
    return SearchQuerySchema(exclude=("per_page",), unknown=EXCLUDE)


class SearchResultSchema(Schema):
    kind = fields.Enum(SearchKind, by_value=True, required=True)
    id = fields.String(
        required=True, metadata={"description": "The note's, update's, action's or item's id."}
    )
    title = fields.String(required=True)
    snippet = fields.String(
        required=True, metadata={"description": "Text around the words found, as plain text."}
    )
    snippet_html = fields.String(
        required=True,
        metadata={"description": "The same, HTML-escaped, each word found in <mark>."},
    )
    date = fields.Date(
        required=True,
        metadata={
            "description": "Notes: last revised; updates: posted; actions: created; "
            "good practice: published."
        },
    )
    url = fields.String(required=True, metadata={"description": "The page to read it on."})


class SearchPageSchema(PageSchema):
    items = fields.List(fields.Nested(SearchResultSchema), required=True)
