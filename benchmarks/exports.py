"""The full-network CSV export: the one CSV writer alone, and the real export end to end.

``exports_csv`` (:func:`run`, no database): 480,000 rows (400 authorities x 100 indicators
x 12 periods) of the columns a comparison export carries: label, code, period, value,
lower, upper, classification and suppression_reason, with about 3 % of figures withheld
(empty, reason ``c``). The rows are built beforehand as columns and zipped as they are
written (zip is C, so both writers pay the same small cost for them); the timings are of
writing only.

``exports_network`` (:func:`run_network_export`, per backend): the inspectors' "every
council's figure, unlabelled" file from the national network in the database (the same
400 x 100 x 12 as the where-we-stand benchmark), built by
:func:`bench.exports.service.network_figures` and written as the route writes it: cold
(the comparison cache cleared, so the engine runs for every period) and warm, and warm
again through the route itself with the Flask test client.

The issue asks for 100,000 rows a second or better with flat memory. In both, the
baseline writes the same rows with ``csv.writer`` into an ``io.StringIO`` flushed and
UTF-8 encoded every 256 rows, with no neutralising and no formatting. Peak memory is
measured with tracemalloc in a separate pass (tracemalloc slows everything down) and
compared with the size of the file written.
"""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from bench import csvout
from benchmarks.common import database, median

if TYPE_CHECKING:
    from flask import Flask

    from bench.exports.service import Export
    from bench.models import User

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
T = TypeVar("T")
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


def _drain(write: Writer, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write every row, dropping each chunk as it comes; the bytes written."""
    return sum(len(chunk) for chunk in write(header, rows))


def _seconds(write: Writer, header: Sequence[str], rows: Iterable[Sequence[object]]) -> float:
    start = time.perf_counter()
    _drain(write, header, rows)
    return time.perf_counter() - start


def _traced(function: Callable[[], T]) -> tuple[int, T]:
    """(tracemalloc peak in bytes above what was already held, *function*'s result)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    held = tracemalloc.get_traced_memory()[0]
    result = function()
    peak = tracemalloc.get_traced_memory()[1] - held
    tracemalloc.stop()
    return peak, result


def _peak(write: Writer, columns: list[list[object]]) -> tuple[int, int]:
    """(tracemalloc peak in bytes above what was already held, bytes written)."""
    return _traced(lambda: _drain(write, HEADER, zip(*columns, strict=True)))


def run(repeats: int) -> dict[str, float]:
    columns = network_columns()
    bench_s = median(
        [_seconds(csvout.rows_to_bytes, HEADER, zip(*columns, strict=True)) for _ in range(repeats)]
    )
    bare_s = median(
        [_seconds(bare_writer, HEADER, zip(*columns, strict=True)) for _ in range(repeats)]
    )
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


# --- the real export: every council's figure, unlabelled, from the database -----------------

NETWORK_FIGURES_PATH = "/compare/network/export/figures.csv"


def _inspector() -> User:
    """An inspector: no authority of their own, as the network view's viewers are."""
    from bench.extensions import db
    from bench.models import Role, User

    user = User(email="inspector@example.gov.uk", name="Inspector", password_hash="x",
                role=Role.INSPECTOR, authority_id=None)  # fmt: skip
    db.session.add(user)
    db.session.commit()
    return user


def _export(app: Flask, user: User, use: Callable[[Export], T]) -> T:
    """*use* applied to the export the route builds, inside a request by *user* (rows are
    read from the database while the request lasts, as ``stream_with_context`` keeps it)."""
    from flask_login import login_user

    from bench.exports import service

    with app.test_request_context(NETWORK_FIGURES_PATH):
        login_user(user)
        return use(service.network_figures(user, {}))


def _sent(export: Export) -> tuple[int, int]:
    """The export written as :func:`bench.exports.views.send` writes it, each chunk dropped
    as it comes: (data rows, bytes). No cell of this file holds a line break."""
    lines = written = 0
    for chunk in csvout.rows_to_bytes(
        export.section.table.header, export.section.rows, bom=export.bom
    ):
        lines += chunk.count(b"\r\n")
        written += len(chunk)
    return lines - 1, written


def run_network_export(backend: str, repeats: int) -> dict[str, float]:
    """The inspectors' full-network export end to end (the Export built, its rows read and
    written through the one CSV writer), cold (comparison cache cleared) and warm; the
    same route through the Flask test client, warm; a bare ``csv.writer`` writing the same
    rows, built beforehand; and tracemalloc peaks against the size of the file. The cold
    peak includes the comparison cache the export fills (every released period's results,
    kept for later requests); the warm peak is the export's own."""
    from bench.compare import service as compare
    from bench.extensions import db
    from benchmarks.compare import _load_national, _session_token

    def cold() -> None:
        compare.CACHE.clear()
        db.session.expire_all()

    with database(backend) as app:
        _load_national()
        user = _inspector()
        figures: dict[str, float] = {}
        counts = set()
        for key, before in (("cold", cold), ("warm", lambda: None)):
            seconds = []
            for _ in range(repeats):
                before()
                start = time.perf_counter()
                counts.add(_export(app, user, _sent))
                seconds.append(time.perf_counter() - start)
            figures[f"{key}_s"] = median(seconds)
        header, rows = _export(app, user, lambda e: (e.section.table.header, list(e.section.rows)))
        ((count, written),) = counts  # every run wrote the same rows
        if count != len(rows):
            raise AssertionError(f"{count} rows written, {len(rows)} built")
        bare_s = median([_seconds(bare_writer, header, rows) for _ in range(repeats)])
        del rows
        client = app.test_client()
        with client.session_transaction() as session_state:
            session_state["_user_id"] = _session_token(user)
        http = []
        for _ in range(repeats):
            start = time.perf_counter()
            response = client.get(NETWORK_FIGURES_PATH)
            body = response.get_data()
            http.append(time.perf_counter() - start)
            if response.status_code != 200 or len(body) != written:
                raise AssertionError(f"{response.status_code}, {len(body)} bytes, not {written}")
        del body
        warm_peak, _ = _traced(lambda: _export(app, user, _sent))
        cold()
        cold_peak, _ = _traced(lambda: _export(app, user, _sent))
    return {
        "rows": float(count),
        **figures,
        "cold_rows_per_s": count / figures["cold_s"],
        "warm_rows_per_s": count / figures["warm_s"],
        "warm_http_rows_per_s": count / median(http),
        "bare_csv_writer_rows_per_s": count / bare_s,
        "warm_ratio_to_bare": figures["warm_s"] / bare_s,
        "output_mb": written / 1e6,
        "warm_peak_mb": warm_peak / 1e6,
        "cold_peak_with_cache_mb": cold_peak / 1e6,
    }
