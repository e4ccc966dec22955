"""The rules for catalogue input: indicators, series breaks, periods, release dates.

These schemas are the source of truth; the forms run them to show every error at once,
and the services load through them again so that no caller can skip a rule.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from bench import messages
from bench.models import (
    EvidenceCategory,
    KeyArea,
    PeriodKind,
    Polarity,
    QualityStatement,
    UnitKind,
)
from bench.validation import OptionalChoice, StrictNumber

MULTIPLIERS = (1, 100, 1000, 100000)
# validate.Regexp matches from the start only; \Z anchors the end.
INDICATOR_CODE = re.compile(r"[A-Z0-9-]+\Z")
# 2023-24 (a financial year) or 2023-24 Q1 (a quarter); [0-9], not \d (ASCII only).
PERIOD_CODE = re.compile(r"([0-9]{4})-([0-9]{2})( Q[1-4])?")
CLOCK_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])\Z")


def _required(message: str) -> dict[str, str]:
    return {"required": message, "null": message}


def _enum(enum_class: type, message: str) -> fields.Enum:
    errors = _required(message) | {"unknown": message}
    return fields.Enum(enum_class, by_value=True, required=True, error_messages=errors)


def _number(label: str, **kwargs: Any) -> StrictNumber:
    return StrictNumber(
        error_messages={"invalid": messages.NUMBER_FORMAT.format(label=label)}, **kwargs
    )


def _text(max_length: int) -> fields.String:
    return fields.String(load_default="", validate=validate.Length(max=max_length))


class IndicatorSchema(Schema):
    code = fields.String(
        required=True,
        error_messages=_required(messages.INDICATOR_CODE_REQUIRED),
        validate=[
            validate.Length(min=1, error=messages.INDICATOR_CODE_REQUIRED),
            validate.Length(max=40, error="Code must be 40 characters or fewer"),
            validate.Regexp(INDICATOR_CODE, error=messages.INDICATOR_CODE_FORMAT),
        ],
    )
    title = fields.String(
        required=True,
        error_messages=_required(messages.INDICATOR_TITLE_REQUIRED),
        validate=[
            validate.Length(min=1, error=messages.INDICATOR_TITLE_REQUIRED),
            validate.Length(max=300, error="Title must be 300 characters or fewer"),
        ],
    )
    key_area = _enum(KeyArea, messages.KEY_AREA_REQUIRED)
    unit_kind = _enum(UnitKind, messages.UNIT_KIND_REQUIRED)
    unit_label = _text(60)
    multiplier = StrictNumber(
        integer=True,
        required=True,
        error_messages=_required(messages.MULTIPLIER_CHOICE)
        | {"invalid": messages.MULTIPLIER_CHOICE},
        validate=validate.OneOf(MULTIPLIERS, error=messages.MULTIPLIER_CHOICE),
    )
    polarity = _enum(Polarity, messages.POLARITY_REQUIRED)
    has_counts = fields.Boolean(load_default=False)
    definition = _text(20000)
    source = _text(20000)
    is_public = fields.Boolean(load_default=False)
    is_synthetic = fields.Boolean(load_default=False)
    plausible_min = _number("Lowest plausible value", allow_none=True, load_default=None)
    plausible_max = _number("Highest plausible value", allow_none=True, load_default=None)
    decimals = StrictNumber(
        integer=True,
        required=True,
        error_messages=_required(messages.DECIMALS_RANGE) | {"invalid": messages.DECIMALS_RANGE},
        validate=validate.Range(0, 6, error=messages.DECIMALS_RANGE),
    )
    cqc_quality_statement = OptionalChoice(QualityStatement, messages.CQC_QUALITY_STATEMENT_UNKNOWN)
    cqc_evidence_category = OptionalChoice(EvidenceCategory, messages.CQC_EVIDENCE_CATEGORY_UNKNOWN)

    @validates_schema(skip_on_field_errors=False)
    def _rules_between_fields(self, data: dict[str, Any], **kwargs: Any) -> None:
        # Fields with errors are missing from *data*; each rule checks what it can.
        errors: dict[str, list[str]] = {}
        # A wrong statement has its own message already (and is then missing from *data*).
        unmapped = "cqc_quality_statement" in data and data["cqc_quality_statement"] is None
        if unmapped and data.get("cqc_evidence_category") is not None:
            errors["cqc_evidence_category"] = [messages.CQC_CATEGORY_NEEDS_STATEMENT]
        unit_kind = data.get("unit_kind")
        if data.get("has_counts") and unit_kind is not None and not unit_kind.can_have_counts:
            errors["has_counts"] = [messages.COUNTS_NEED_RATIO]
        low, high = data.get("plausible_min"), data.get("plausible_max")
        if low is not None and high is not None and low > high:
            errors["plausible_min"] = [messages.PLAUSIBLE_RANGE_ORDER]
        if unit_kind is UnitKind.PROPORTION and data.get("multiplier") == 100:
            for name, bound in (("plausible_min", low), ("plausible_max", high)):
                if bound is not None and not 0 <= bound <= 100 and name not in errors:
                    errors[name] = [messages.PERCENTAGE_RANGE]
        if errors:
            raise ValidationError(errors)


class SeriesBreakSchema(Schema):
    period_id = StrictNumber(
        integer=True,
        required=True,
        error_messages=_required(messages.BREAK_PERIOD_REQUIRED)
        | {"invalid": messages.BREAK_PERIOD_REQUIRED},
    )
    reason = fields.String(
        required=True,
        error_messages=_required(messages.BREAK_REASON_REQUIRED),
        validate=[
            validate.Length(min=1, error=messages.BREAK_REASON_REQUIRED),
            validate.Length(max=2000, error="Reason must be 2,000 characters or fewer"),
        ],
    )


def _date(label: str) -> fields.Date:
    required = messages.DATE_REQUIRED.format(label=label.lower())
    return fields.Date(
        required=True,
        error_messages=_required(required) | {"invalid": messages.DATE_INVALID.format(label=label)},
    )


class PeriodSchema(Schema):
    code = fields.String(
        required=True,
        error_messages=_required(messages.PERIOD_CODE_REQUIRED),
        validate=validate.Length(min=1, error=messages.PERIOD_CODE_REQUIRED),
    )
    label = fields.String(
        required=True,
        error_messages=_required(messages.PERIOD_LABEL_REQUIRED),
        validate=[
            validate.Length(min=1, error=messages.PERIOD_LABEL_REQUIRED),
            validate.Length(max=60, error="Label must be 60 characters or fewer"),
        ],
    )
    kind = _enum(PeriodKind, messages.PERIOD_KIND_REQUIRED)
    starts_on = _date("Start date")
    ends_on = _date("End date")

    @validates_schema(skip_on_field_errors=False)
    def _rules_between_fields(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        code = data.get("code")
        if code:
            match = PERIOD_CODE.fullmatch(code)
            if match is None or int(match[2]) != (int(match[1]) + 1) % 100:
                errors["code"] = [messages.PERIOD_CODE_FORMAT]
            elif "kind" in data and (match[3] is not None) != (data["kind"] is PeriodKind.QUARTER):
                errors["code"] = [messages.PERIOD_CODE_KIND]
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            errors["ends_on"] = [messages.PERIOD_ENDS_AFTER_START]
        if errors:
            raise ValidationError(errors)


class ReleaseSchema(Schema):
    """A release date and a time on the 24-hour clock, in UTC; loads as ``released_at``."""

    released_on = _date("Release date")
    released_time = fields.String(
        required=True,
        error_messages=_required(messages.RELEASE_TIME_INVALID),
        validate=validate.Regexp(CLOCK_TIME, error=messages.RELEASE_TIME_INVALID),
    )

    @post_load
    def _combine(self, data: dict[str, Any], **kwargs: Any) -> dict[str, datetime]:
        match = CLOCK_TIME.fullmatch(data["released_time"])
        assert match is not None  # the validator has passed
        moment = time(int(match[1]), int(match[2]), tzinfo=UTC)
        return {"released_at": datetime.combine(data["released_on"], moment)}
