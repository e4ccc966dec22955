"""Validation shared by schemas: strict numbers from outside, text without NUL characters,
and loading into domain errors.

DESIGN.md "Data and input": numbers are ASCII digits with an optional sign and decimal
point. Python's ``float()`` and ``int()`` are far more lenient (``1_000``, full-width
digits, ``NaN``, ``inf`` all parse), so every number from a form, file or API goes
through :func:`parse_number` instead.

No text from outside may hold a NUL character (``\\x00``): PostgreSQL refuses it in any
text column or parameter, so it would reach the database only to fail there. Every query
parameter, form field and file name is checked once per request (:func:`refuse_nul_in_request`,
run before every view), API bodies as they are parsed, and everything a schema loads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError, fields, validate

from bench import messages
from bench.errors import InvalidInput, NotFound, RowError, ValidationFailed

# [0-9], not \d: \d matches every script's digits.
DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
INTEGER = re.compile(r"[+-]?[0-9]+")
# CSV files may group thousands: 12,345.6 (never in forms or the API).
WITH_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


# Control characters other than tab, line feed and carriage return: never meant in text
# (and PostgreSQL cannot store NUL).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(message: str = messages.CONTROL_CHARACTERS) -> Any:
    """A marshmallow validator refusing control characters other than tabs and line breaks."""

    def check(text: str) -> None:
        if CONTROL.search(text):
            raise ValidationError(message)

    return check


def required_messages(message: str) -> dict[str, str]:
    """One message for a field that is missing, null or not text."""
    return {"required": message, "null": message, "invalid": message}


def free_text(required: str, too_long: str, maximum: int, description: str) -> fields.String:
    """Free text (Markdown where shown), stored as written, never blank."""

    def not_blank(text: str) -> None:
        if not text.strip():
            raise ValidationError(required)

    return fields.String(
        required=True,
        error_messages=required_messages(required),
        validate=[
            validate.Length(max=maximum, error=too_long.format(max=maximum)),
            printable(),
            not_blank,
        ],
        metadata={"description": description},
    )


class OptionalChoice(fields.Enum):
    """One of an enum's values, or nothing: a form's blank choice and JSON null both load
    as None. Any other value is refused with *message*, which names the field."""

    def __init__(self, enum_class: type, message: str, **kwargs: Any) -> None:
        super().__init__(
            enum_class,
            by_value=True,
            allow_none=True,
            load_default=None,
            error_messages={"unknown": message, "invalid": message},
            **kwargs,
        )

    def deserialize(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            value = None
        return super().deserialize(value, *args, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):  # 1 or true would otherwise reach the enum's lookup
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def parse_number(text: str, *, integer: bool = False, thousands: bool = False) -> float | int:
    """Read an ASCII decimal (or integer) or raise ValueError; nothing lenient."""
    if not isinstance(text, str):
        raise ValueError(f"not a plain number: {text!r}")
    if thousands and not integer and WITH_THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    pattern = INTEGER if integer else DECIMAL
    if not pattern.fullmatch(text):
        raise ValueError(f"not a plain number: {text!r}")
    number = int(text) if integer else float(text)
    _check_finite(number)  # 400 nines read as infinity
    return number


def _check_finite(number: float | int) -> None:
    """Raise ValueError for a number no float can hold (infinity, NaN, a huge integer)."""
    try:
        finite = math.isfinite(number)
    except OverflowError:  # an integer beyond the largest float
        finite = False
    if not finite:
        raise ValueError("not a finite number")


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
            try:
                _check_finite(value)
            except ValueError as error:
                raise self.make_error("invalid") from error
            if self.integer and not float(value).is_integer():
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


NUL = "\x00"
Path = tuple[str | int, ...]


def nul_path(data: Any, path: Path = ()) -> Path | None:
    """Where in *data* (text, or mappings and lists of it, keys included) the first NUL
    character is: the keys and list positions leading to it, or None."""
    if isinstance(data, str):
        return path if NUL in data else None
    if isinstance(data, Mapping):
        for key, value in data.items():
            if isinstance(key, str) and NUL in key:
                return (*path, key)
            found = nul_path(value, (*path, key))
            if found is not None:
                return found
    elif isinstance(data, list | tuple):
        for position, value in enumerate(data):
            found = nul_path(value, (*path, position))
            if found is not None:
                return found
    return None


def nul_message(field: str) -> str:
    return messages.NUL_CHARACTER.format(field=field.replace(NUL, "\\0"))


def refuse_nul(data: Any, *, batch: bool = False) -> None:
    """Raise if *data* holds a NUL character: :class:`InvalidInput` naming the field, or
    for a *batch* (a list of rows), :class:`ValidationFailed` naming the row (from 1)."""
    path = nul_path(data)
    if path is None:
        return
    names = [str(part) for part in path if not isinstance(part, int)]
    field = names[-1] if names else "body"
    rows = [part for part in path if isinstance(part, int)]
    if batch and rows:
        raise ValidationFailed([RowError(rows[0] + 1, field, nul_message(field))])
    raise InvalidInput(nul_message(field), field=field)


def refuse_nul_in_request() -> None:
    """The one check of every request's query parameters, form fields and file names
    (names and values), run before every view. A path naming something with a NUL in it
    names nothing: 404."""
    if any(isinstance(v, str) and NUL in v for v in (request.view_args or {}).values()):
        raise NotFound("No such page")
    pairs = list(request.args.items(multi=True))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        pairs += request.form.items(multi=True)
        pairs += [(name, file.filename or "") for name, file in request.files.items(multi=True)]
    for name, value in pairs:
        if NUL in name or NUL in value:
            raise InvalidInput(nul_message(name), field=name)


def load(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    """Load *data* through *schema*; a broken rule becomes :class:`InvalidInput`."""
    refuse_nul(data)
    try:
        return schema.load(data)
    except ValidationError as error:
        field, message = first_error(error.messages)
        raise InvalidInput(message, field=field) from error
