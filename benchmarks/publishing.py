"""Validate and apply a 100,000-row upload (issue 14 and PERFORMANCE.md: under 5 s, flat
memory).

One authority publishes 1,000 indicators x 100 quarterly periods, half with numerators
and denominators. Reported beside the baseline of a bare bulk insert of the same rows in
the same run, so the ratio (what bench adds to the database's own cost) is what we read:
the upload (read, validate a column at a time, plan, stage with its plan), the preview
opened twice (it shows the stored plan), the confirm (apply the stored plan), rows a
second for upload and confirm together, and the Python memory each step peaks at.
"""

from __future__ import annotations

import io
import random
import tracemalloc
from datetime import UTC, date, datetime

from sqlalchemy import delete, func, insert, select

from bench.extensions import db
from bench.models import (
    Authority,
    AuthorityType,
    Indicator,
    KeyArea,
    Period,
    PeriodKind,
    Polarity,
    Role,
    UnitKind,
    UploadBatch,
    User,
    Value,
)
from bench.publishing import service
from benchmarks.common import database, median, timed

INDICATORS = 1_000
PERIODS = 100


def _network() -> User:
    authority = Authority(
        gss_code="E99000001", name="Benchmarkshire", type=AuthorityType.COUNTY, region="X"
    )
    db.session.add(authority)
    db.session.execute(
        insert(Indicator),
        [
            {
                "code": f"I{number:04d}",
                "title": f"Indicator {number}",
                "key_area": KeyArea.NATIONAL_FRAMEWORK,
                "unit_kind": UnitKind.PROPORTION if number % 2 else UnitKind.SCORE,
                "multiplier": 100 if number % 2 else 1,
                "polarity": Polarity.NEITHER,
                "has_counts": bool(number % 2),
                "definition": "",
                "source": "",
                "unit_label": "",
                "is_public": False,
                "is_synthetic": True,
                "decimals": 1,
                "created_at": datetime.now(UTC),
            }
            for number in range(INDICATORS)
        ],
    )
    db.session.execute(
        insert(Period),
        [
            {
                "code": f"{2000 + n // 4}-Q{n % 4 + 1}",
                "label": f"{2000 + n // 4} quarter {n % 4 + 1}",
                "kind": PeriodKind.QUARTER,
                "starts_on": date(2000 + n // 4, 3 * (n % 4) + 1, 1),
                "ends_on": date(2000 + n // 4, 3 * (n % 4) + 3, 28),
                "released_at": None,
            }
            for n in range(PERIODS)
        ],
    )
    user = User(
        email="bench@example.gov.uk", name="Bench", password_hash="x", role=Role.ANALYST,
        authority=authority,
    )  # fmt: skip
    db.session.add(user)
    db.session.commit()
    return user


def _file(seed: int, periods: int = PERIODS) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("indicator,period,numerator,denominator,value,status,note\r\n")
    for number in range(INDICATORS):
        for n in range(periods):
            period = f"{2000 + n // 4}-Q{n % 4 + 1}"
            if number % 2:
                denominator = rng.randint(1_000, 50_000)
                numerator = rng.randint(0, denominator)
                out.write(f"I{number:04d},{period},{numerator},{denominator},,final,\r\n")
            else:
                out.write(f"I{number:04d},{period},,,{rng.uniform(5, 9):.2f},final,\r\n")
    return out.getvalue().encode()


def _reset(authority_id: int) -> None:
    db.session.execute(delete(Value).where(Value.authority_id == authority_id))
    db.session.execute(delete(UploadBatch))
    db.session.commit()


def _published_rows(authority_id: int) -> list[dict]:
    rows = db.session.execute(
        select(
            Value.indicator_id, Value.period_id, Value.numerator, Value.denominator,
            Value.value, Value.status, Value.note,
        ).where(Value.authority_id == authority_id).order_by(Value.id)
    )  # fmt: skip
    return [
        {"row": number, "indicator_id": i, "period_id": p, "numerator": n, "denominator": d,
         "value": v, "status": str(status), "note": note}
        for number, (i, p, n, d, v, status, note) in enumerate(rows, start=1)
    ]  # fmt: skip


def _baseline(user: User, rows: list[dict]) -> float:
    """The floor: inserting the same rows with no validation, planning or checks."""
    payload = [
        {**row, "authority_id": user.authority_id, "revision": 1, "is_latest": True,
         "unit_kind": "proportion" if row["numerator"] is not None else "score",
         "published_at": datetime.now(UTC)}
        for row in rows
    ]  # fmt: skip
    for row in payload:
        row.pop("row")

    def insert_all() -> None:
        for start in range(0, len(payload), 5_000):
            db.session.execute(insert(Value), payload[start : start + 5_000])
        db.session.commit()

    seconds = timed(insert_all)
    _reset(user.authority_id)
    return seconds


def run_small(backend: str, repeats: int) -> dict[str, float]:
    """The same with a tenth of the rows: peak memory should barely change (flat)."""
    return run(backend, repeats, periods=PERIODS // 10)


def run(backend: str, repeats: int, periods: int = PERIODS) -> dict[str, float]:
    with database(backend) as _app:
        user = _network()
        data = _file(1, periods)
        validate, previews, apply, baseline = [], [], [], []
        for _ in range(repeats):
            batch = None

            def check() -> None:
                nonlocal batch
                batch = service.upload(user, user.authority_id, "b.csv", data)

            validate.append(timed(check))
            # Opened twice: the second shows what the first did, the plan stored at upload.
            previews.append(
                max(timed(lambda b=batch.id: service.preview(user, b)) for _ in range(2))
            )
            apply.append(timed(lambda b=batch.id: service.confirm(user, b, warnings_checked=True)))
            written = db.session.scalar(select(func.count()).select_from(Value))
            assert written == INDICATORS * periods, written
            published = _published_rows(user.authority_id)
            _reset(user.authority_id)
            baseline.append(_baseline(user, published))
        # One more, untimed, under tracemalloc: the Python memory the service itself uses.
        tracemalloc.start()
        batch = service.upload(user, user.authority_id, "b.csv", data)
        upload_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.reset_peak()
        service.confirm(user, batch.id, warnings_checked=True)
        apply_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        rows = INDICATORS * periods
        total = median([v + a for v, a in zip(validate, apply, strict=True)])
        return {
            "rows": rows,
            "validate_peak_mib": upload_peak,
            "apply_peak_mib": apply_peak,
            "validate_s": median(validate),
            "preview_s": median(previews),
            "apply_s": median(apply),
            "total_s": total,
            "rows_per_s": rows / total,
            "baseline_insert_s": median(baseline),
            "baseline_rows_per_s": rows / median(baseline),
        }
