"""A full-network CSV export through the one CSV writer, beside a bare ``csv.writer``.

480,000 rows (400 authorities x 100 indicators x 12 periods) of the columns a comparison
export carries: label, code, period, value, lower, upper, classification and
suppression_reason, with about 3 % of figures withheld (empty, reason ``c``). The issue
asks for 100,000 rows a second or better with flat memory.

The rows are built beforehand as columns and zipped as they are written (zip is C, so both
writers pay the same small cost for them); the timings are of writing only. The baseline
writes the same rows with ``csv.writer`` into an ``io.StringIO`` flushed and UTF-8 encoded
every 256 rows, with no neutralising and no formatting. Peak memory is measured with
tracemalloc in a separate pass (tracemalloc slows everything down) and compared with the
size of the file written.
"""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

import numpy as np

from bench import csvout
from benchmarks.common import median

AUTHORITIES = 400
INDICATORS = 100
PERIODS = 12
ROWS = AUTHORITIES * INDICATORS * PERIODS
HEADER = [
    "authority_label",
    "indicator_code",
    "period",
    "value",
    "ci_lower_95",
    "ci_upper_95",
    "classification",
    "suppression_reason",
]
CLASSIFICATIONS = ["within", "above", "below", "well above", "well below"]


def network_columns(seed: int = 1) -> list[list[object]]:
    """The export's columns, one list each, in row order (authority, indicator, period)."""
    rng = np.random.default_rng(seed)
    labels = [f"peer-{number:03d}" for number in range(1, AUTHORITIES + 1)]
    codes = [f"ASCOF-{number:03d}" for number in range(1, INDICATORS + 1)]
    periods = [f"{2012 + number}-{(13 + number) % 100:02d}" for number in range(PERIODS)]
    value = np.round(rng.normal(50, 15, ROWS), 1)
    half = np.round(rng.uniform(0.5, 6, ROWS), 1)
    withheld = rng.random(ROWS) < 0.03
    kinds = rng.integers(0, len(CLASSIFICATIONS), ROWS).tolist()
    gaps = withheld.tolist()
    return [
        [label for label in labels for _ in range(INDICATORS * PERIODS)],
        [code for code in codes for _ in range(PERIODS)] * AUTHORITIES,
        periods * (AUTHORITIES * INDICATORS),
        _with_gaps(np.where(withheld, np.nan, value)),
        _with_gaps(np.where(withheld, np.nan, value - half)),
        _with_gaps(np.where(withheld, np.nan, value + half)),
        [None if gone else CLASSIFICATIONS[kind] for gone, kind in zip(gaps, kinds, strict=True)],
        ["c" if gone else None for gone in gaps],
    ]


def _with_gaps(figures: np.ndarray) -> list[float | None]:
    return [None if figure != figure else figure for figure in figures.tolist()]


def bare_writer(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """The floor: ``csv.writer`` as it comes, chunked and encoded like the real writer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    remaining = iter(rows)
    while True:
        before = buffer.tell()
        writer.writerows(islice(remaining, 256))
        if buffer.tell() == before:
            break
        if buffer.tell() >= csvout.CHUNK_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


Writer = Callable[[Sequence[str], Iterable[Sequence[object]]], Iterator[bytes]]


def _drain(write: Writer, columns: list[list[object]]) -> tuple[int, int]:
    """Write every row, dropping each chunk as it comes; (bytes written, largest chunk)."""
    total = largest = 0
    for chunk in write(HEADER, zip(*columns, strict=True)):
        total += len(chunk)
        largest = max(largest, len(chunk))
    return total, largest


def _seconds(write: Writer, columns: list[list[object]]) -> float:
    start = time.perf_counter()
    _drain(write, columns)
    return time.perf_counter() - start


def _peak(write: Writer, columns: list[list[object]]) -> tuple[int, int]:
    """(tracemalloc peak in bytes above what was already held, bytes written)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    held = tracemalloc.get_traced_memory()[0]
    written, _ = _drain(write, columns)
    peak = tracemalloc.get_traced_memory()[1] - held
    tracemalloc.stop()
    return peak, written


def run(repeats: int) -> dict[str, float]:
    columns = network_columns()
    bench_s = median([_seconds(csvout.rows_to_bytes, columns) for _ in range(repeats)])
    bare_s = median([_seconds(bare_writer, columns) for _ in range(repeats)])
    peak, written = _peak(csvout.rows_to_bytes, columns)
    bare_peak, _ = _peak(bare_writer, columns)
    return {
        "rows": float(ROWS),
        "csvout_rows_per_s": ROWS / bench_s,
        "bare_csv_writer_rows_per_s": ROWS / bare_s,
        "ratio_to_bare": bench_s / bare_s,
        "output_mb": written / 1e6,
        "csvout_peak_mb": peak / 1e6,
        "bare_peak_mb": bare_peak / 1e6,
    }
