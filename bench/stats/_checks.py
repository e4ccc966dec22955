"""Argument checks and small array helpers used across bench.stats (private)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from bench.stats.results import InvalidValueWarning, warn

NanPolicy = Literal["omit", "propagate", "raise"]


def critical_value(confidence: float) -> float:
    """z for a two-sided *confidence* level: Phi^-1(0.5 + confidence / 2).

    PHEindicatormethods also accepts 95 for 0.95; we refuse it, so a typo cannot pass.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), not {confidence!r}")
    return float(special.ndtri(0.5 + confidence / 2))


def floats(*arrays: ArrayLike) -> list[NDArray[np.float64]]:
    """The arguments as float arrays broadcast to one shape (copies, safe to change)."""
    return [np.array(array, dtype=float) for array in np.broadcast_arrays(*arrays)]


def scalar(array: NDArray) -> Any:
    """A 0-d array as a numpy scalar, anything else unchanged (scipy's convention)."""
    return array[()]


def discard_invalid(invalid: NDArray[np.bool_], what: str, *arrays: NDArray) -> None:
    """Set *arrays* to NaN where *invalid*, warning once with how many and why."""
    count = int(np.count_nonzero(invalid))
    if count:
        warn(f"{count} value(s) set to NaN: {what}", InvalidValueWarning)
        for array in arrays:
            array[invalid] = np.nan


def apply_nan_policy(values: NDArray, nan_policy: NanPolicy, axis: int) -> NDArray[np.bool_]:
    """Apply scipy's *nan_policy* to *values* (changed in place) along *axis*.

    ``"omit"`` leaves missing values to be skipped, ``"propagate"`` blanks every slice
    with a missing value, ``"raise"`` refuses any. Returns the mask (reduced over *axis*,
    kept as length 1) of the slices that "propagate" blanked, so callers do not warn
    about them.
    """
    if nan_policy not in ("omit", "propagate", "raise"):
        raise ValueError(f"nan_policy must be 'omit', 'propagate' or 'raise', not {nan_policy!r}")
    missing = np.isnan(values)
    if nan_policy == "raise" and missing.any():
        raise ValueError("the values contain NaN (nan_policy='raise')")
    blanked = np.zeros_like(missing.any(axis=axis, keepdims=True))
    if nan_policy == "propagate":
        blanked = missing.any(axis=axis, keepdims=True)
        values[np.broadcast_to(blanked, values.shape)] = np.nan
    return blanked
