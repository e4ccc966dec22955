"""Reading numbers from outside: ASCII digits only (DESIGN.md, "Data and input").

``1_000``, full-width or other-script digits, ``NaN`` and infinities are errors, never
silently read as numbers (Python's own ``float()`` accepts all of those).
"""

from __future__ import annotations

import math
import re

# [0-9], not \\d: \\d also matches Arabic-Indic, full-width and other digits.
PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
WITH_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


class NotANumber(ValueError):
    """The text is not a number bench accepts."""


def parse_number(text: str, *, thousands: bool = False) -> float:
    """Parse *text* strictly; with *thousands*, ``12,345.6`` is allowed (CSV only)."""
    candidate = text.strip()
    if PLAIN.fullmatch(candidate):
        return float(candidate)
    if thousands and WITH_THOUSANDS.fullmatch(candidate):
        return float(candidate.replace(",", ""))
    raise NotANumber(candidate)


def check_finite(number: float) -> float:
    if isinstance(number, bool) or not math.isfinite(number):
        raise NotANumber(str(number))
    return float(number)


def decimals_in(text: str) -> int:
    """How many decimal places *text* was written with (``12.50`` has two)."""
    _, _, fraction = text.strip().partition(".")
    return len(fraction)
