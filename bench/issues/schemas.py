"""What an answer about an issue, or a proposed issue type, must look like.

These schemas are the source of truth for every way in: the forms build plain dicts and
load them here, and the JSON API loads its bodies with the same schemas, so a rule and its
message live in one place. They check shape and values only; whether an issue type or an
indicator exists is the service's question.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from bench import messages
from bench.errors import RowError
from bench.models import FlagAnswer, FlagStatus, QualityStatement, Severity, utcnow
from bench.validation import OptionalChoice

TRIED_MAX = 5000
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
EARLIEST_YEAR = 1900
# ASCII digits only (DESIGN.md "Data and input"): `\d` would accept other scripts' digits.
MONTH_PATTERN = re.compile(r"\A([0-9]{4})-([0-9]{2})\Z")
# Fields that only mean something when the authority reports the issue.
REPORTED_FIELDS = ("status", "since", "severity", "tried", "share_tried", "open_to_contact")


class Month(fields.Field):
    """A calendar month as ``YYYY-MM``, loaded as the first day of that month."""

    default_error_messages = {"invalid": messages.SINCE_INVALID}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        match = MONTH_PATTERN.match(value) if isinstance(value, str) else None
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise self.make_error("invalid")
        # The year first: year 0 is no Python date.
        if int(match.group(1)) < EARLIEST_YEAR:
            raise ValidationError(messages.SINCE_TOO_EARLY)
        month = date(int(match.group(1)), int(match.group(2)), 1)
        if month > utcnow().date().replace(day=1):
            raise ValidationError(messages.SINCE_IN_FUTURE)
        return month


def _yes_or_no() -> fields.Boolean:
    return fields.Boolean(
        load_default=False,
        error_messages={"invalid": messages.YES_OR_NO_INVALID, "null": messages.YES_OR_NO_INVALID},
    )


class FlagSchema(Schema):
    """One authority's answer about one issue type.

    "Not an issue for us" is an answer in its own right (prevalence counts answers, not
    silence), and it clears whatever the reported fields said.
    """

    error_messages = {"unknown": messages.FIELD_UNKNOWN, "type": messages.ITEM_INVALID}

    issue_type = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60, error=messages.ISSUE_TYPE_UNKNOWN),
        error_messages={
            "required": messages.ISSUE_TYPE_REQUIRED,
            "null": messages.ISSUE_TYPE_REQUIRED,
            "invalid": messages.ISSUE_TYPE_UNKNOWN,
        },
    )
    answer = fields.Enum(
        FlagAnswer,
        by_value=True,
        required=True,
        error_messages={
            "required": messages.ANSWER_REQUIRED,
            "null": messages.ANSWER_REQUIRED,
            "unknown": messages.ANSWER_REQUIRED,
        },
    )
    status = fields.Enum(
        FlagStatus,
        by_value=True,
        allow_none=True,
        load_default=None,
        error_messages={"unknown": messages.FLAG_STATUS_REQUIRED},
    )
    since = Month(allow_none=True, load_default=None)
    severity = fields.Enum(
        Severity,
        by_value=True,
        allow_none=True,
        load_default=None,
        error_messages={"unknown": messages.SEVERITY_REQUIRED},
    )
    # Free text is stored as written (DESIGN.md): no stripping, escaped when shown.
    tried = fields.String(
        load_default="",
        validate=validate.Length(
            max=TRIED_MAX, error=messages.TRIED_TOO_LONG.format(max=TRIED_MAX)
        ),
    )
    share_tried = _yes_or_no()
    open_to_contact = _yes_or_no()

    @pre_load
    def _blanks_are_missing(self, data: Any, **kwargs: Any) -> Any:
        """A form's empty choice and an API's empty string both mean "not given"."""
        if not isinstance(data, dict):
            return data
        return {
            key: None if key in ("status", "since", "severity") and value == "" else value
            for key, value in data.items()
        }

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _reported_needs_status_and_severity(
        self, data: dict[str, Any], original: Any, **kwargs: Any
    ) -> None:
        if data.get("answer") is not FlagAnswer.REPORTED or not isinstance(original, dict):
            return
        errors = {}
        # Only when nothing was given: a wrong value already has its own message.
        if original.get("status") in (None, ""):
            errors["status"] = [messages.FLAG_STATUS_REQUIRED]
        if original.get("severity") in (None, ""):
            errors["severity"] = [messages.SEVERITY_REQUIRED]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _clear_when_not_an_issue(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data["answer"] is FlagAnswer.NOT_AN_ISSUE:
            data.update(
                status=None,
                since=None,
                severity=None,
                tried="",
                share_tried=False,
                open_to_contact=False,
            )
        return data


class IssueTypeSchema(Schema):
    """A proposed issue type, or a network admin's new wording for one."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN, "type": messages.ITEM_INVALID}

    title = fields.String(
        required=True,
        validate=validate.Length(
            max=TITLE_MAX, error=messages.ISSUE_TITLE_TOO_LONG.format(max=TITLE_MAX)
        ),
        error_messages={
            "required": messages.ISSUE_TITLE_REQUIRED,
            "null": messages.ISSUE_TITLE_REQUIRED,
        },
    )
    description = fields.String(
        load_default="",
        validate=validate.Length(
            max=DESCRIPTION_MAX,
            error=messages.ISSUE_DESCRIPTION_TOO_LONG.format(max=DESCRIPTION_MAX),
        ),
    )
    # Indicator codes: stable, public names (ids are the database's business).
    indicators = fields.List(
        fields.String(), load_default=list, error_messages={"invalid": messages.INDICATOR_UNKNOWN}
    )

    @post_load
    def _tidy_title(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # A title is a label, not free text: surrounding spaces only make duplicates.
        data["title"] = data["title"].strip()
        return data

    @validates_schema
    def _title_not_blank(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("title", "").strip():
            raise ValidationError({"title": [messages.ISSUE_TITLE_REQUIRED]})


class CatalogueIssueTypeSchema(IssueTypeSchema):
    """A network admin's issue type: the wording and the CQC quality statement it bears on
    (authorities propose the wording only)."""

    cqc_quality_statement = OptionalChoice(QualityStatement, messages.CQC_QUALITY_STATEMENT_UNKNOWN)


def row_errors(error: ValidationError, row: int | None) -> list[RowError]:
    """Marshmallow's nested messages as a flat list naming the row and the field."""
    found: list[RowError] = []

    def walk(field: str, value: Any) -> None:
        if isinstance(value, dict):
            for nested in value.values():
                walk(field, nested)
        elif isinstance(value, list):
            for nested in value:
                walk(field, nested)
        else:
            found.append(RowError(row, field, str(value)))

    source = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    for field, value in source.items():
        walk("item" if field == "_schema" else field, value)
    return found
