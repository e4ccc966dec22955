"""Read the published reference tables in tests/unit/reference (see its README.md)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

FOLDER = Path(__file__).parent / "reference"


def rows(name: str) -> list[dict[str, float | str]]:
    """The rows of ``reference/<name>.csv``: numbers as floats (NA as NaN), text as text."""
    with (FOLDER / f"{name}.csv").open(newline="", encoding="utf-8") as file:
        return [{key: _cell(value) for key, value in row.items()} for row in csv.DictReader(file)]


def column(name: str, key: str) -> np.ndarray:
    return np.array([row[key] for row in rows(name)], dtype=float)


def _cell(text: str) -> float | str:
    if text == "":
        return np.nan
    try:
        return float(text)
    except ValueError:
        return text
