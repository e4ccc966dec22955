"""Validation shared by schemas: strict numbers from outside, and loading into domain errors.

DESIGN.md "Data and input": numbers are ASCII digits with an optional sign and decimal
point. Python's ``float()`` and ``int()`` are far more lenient (``1_000``, full-width
digits, ``NaN``, ``inf`` all parse), so every number from a form, file or API goes
through :func:`parse_number` instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields

from bench.errors import InvalidInput

# [0-9], not \d: \d matches every script's digits.
DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
INTEGER = re.compile(r"[+-]?[0-9]+")
# CSV files may group thousands: 12,345.6 (never in forms or the API).
WITH_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


def parse_number(text: str, *, integer: bool = False, thousands: bool = False) -> float | int:
    """Read an ASCII decimal (or integer) or raise ValueError; nothing lenient."""
    if not isinstance(text, str):
        raise ValueError(f"not a plain number: {text!r}")
    if thousands and not integer and WITH_THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    pattern = INTEGER if integer else DECIMAL
    if not pattern.fullmatch(text):
        raise ValueError(f"not a plain number: {text!r}")
    return int(text) if integer else float(text)


def decimals_in(text: str) -> int:
    """How many decimal places *text* was written with (``12.50`` has two)."""
    _, _, fraction = text.strip().partition(".")
    return len(fraction)


class StrictNumber(fields.Field):
    """A number given as a plain ASCII string (forms, CSV) or a finite JSON number."""

    default_error_messages = {"invalid": "Enter a number"}

    def __init__(self, *, integer: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.integer = integer

    @property
    def thousands(self) -> bool:
        # A schema reading CSV files says so with ``thousands = True``.
        return bool(getattr(self.parent, "thousands", False))

    def deserialize(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        # A blank form field means "no number": missing, not invalid.
        if isinstance(value, str) and not value.strip():
            value = None
        return super().deserialize(value, *args, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float | int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int | float):
            if not math.isfinite(value) or (self.integer and not float(value).is_integer()):
                raise self.make_error("invalid")
            return int(value) if self.integer else float(value)
        try:
            # Spreadsheets pad cells with spaces; forms and the API must send the number alone.
            text = value.strip() if self.thousands and isinstance(value, str) else value
            return parse_number(text, integer=self.integer, thousands=self.thousands)
        except ValueError as error:
            raise self.make_error("invalid") from error


def first_error(messages: Mapping[str, Any]) -> tuple[str, str]:
    """(field, message) of the first error in a marshmallow error dict."""
    field, problems = next(iter(messages.items()))
    while isinstance(problems, Mapping):
        problems = next(iter(problems.values()))
    return field, problems[0] if isinstance(problems, list) else str(problems)


def load(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    """Load *data* through *schema*; a broken rule becomes :class:`InvalidInput`."""
    try:
        return schema.load(data)
    except ValidationError as error:
        field, message = first_error(error.messages)
        raise InvalidInput(message, field=field) from error
