"""Malformed files never write anything; concurrent publishing never loses a revision."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from bench.errors import ValidationFailed
from bench.extensions import db
from bench.models import (
    AuditEvent,
    Authority,
    Indicator,
    Period,
    Role,
    UnitKind,
    UploadBatch,
    User,
    Value,
)
from bench.publishing import service
from bench.validation import DECIMAL as PLAIN
from tests import factories

HEADER = ["indicator", "period", "numerator", "denominator", "value", "status", "note"]
GOOD_ROW = ["DP-PCT", "2022-23", "12", "50", "", "final", "fine"]


@pytest.fixture
def publisher(session):
    factories.indicator(code="DP-PCT", unit_kind=UnitKind.PROPORTION, multiplier=100)
    factories.period("2022-23")
    return factories.user(Role.ANALYST)


def not_a_number(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not PLAIN.fullmatch(stripped) and "," not in stripped


def _cell_text(*refused: str):
    """Text for a cell that is none of *refused* and has no quote (it breaks CSV quoting)."""
    return st.text(min_size=1, max_size=10).filter(
        lambda t: t.strip() and t.strip().upper() not in refused and '"' not in t
    )


breakages = st.one_of(
    # a number cell that is not a number (letters, other scripts, 1_000, NaN, ...)
    st.tuples(
        st.sampled_from([2, 3]),
        st.text(min_size=1, max_size=12).filter(not_a_number).filter(lambda t: '"' not in t),
    ),
    st.tuples(st.just(0), _cell_text("DP-PCT")),
    st.tuples(st.just(3), st.sampled_from(["0", "-1", "-0.5", "0.0"])),
    st.tuples(st.just(2), st.sampled_from(["51", "1000", "50.5"])),
    st.tuples(st.just(5), _cell_text("PROVISIONAL", "FINAL")),
)  # fmt: skip


def _csv(rows: list[list[str]], delimiter: str = ",") -> bytes:
    def cell(text: str) -> str:
        needs_quotes = any(c in text for c in (delimiter, "\n", "\r"))
        return f'"{text}"' if needs_quotes else text

    return ("\r\n".join(delimiter.join(cell(c) for c in row) for row in rows) + "\r\n").encode()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    breakage=breakages,
    position=st.integers(min_value=0, max_value=5),
    extra_good=st.integers(min_value=0, max_value=5),
)
def test_malformed_files_are_refused_and_write_nothing(
    session, publisher, breakage, position, extra_good
):
    column, junk = breakage
    bad = list(GOOD_ROW)
    bad[column] = junk
    rows = [HEADER] + [bad]
    data = _csv(rows)
    before = (
        session.scalar(select(func.count()).select_from(Value)),
        session.scalar(select(func.count()).select_from(UploadBatch)),
    )
    with pytest.raises(ValidationFailed) as failure:
        service.upload(publisher, publisher.authority_id, "figures.csv", data)
    assert failure.value.errors
    assert all(error.message for error in failure.value.errors)
    after = (
        session.scalar(select(func.count()).select_from(Value)),
        session.scalar(select(func.count()).select_from(UploadBatch)),
    )
    assert after == before


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.binary(min_size=1, max_size=200))
def test_arbitrary_bytes_never_write(session, publisher, data):
    before = session.scalar(select(func.count()).select_from(UploadBatch))
    try:
        service.upload(publisher, publisher.authority_id, "figures.csv", data)
    except ValidationFailed as failure:
        assert failure.errors
    else:  # pragma: no cover - random bytes that happen to be a valid file
        pytest.fail(f"accepted {data!r}")
    assert session.scalar(select(func.count()).select_from(UploadBatch)) == before


def test_concurrent_corrections_lose_no_revision(app):
    """Two publishers correct the same figure at once: both revisions survive, in order."""
    with app.app_context():
        authority = Authority(gss_code="XCONC0001", name="Concurrency", type="county", region="X")
        db.session.add(authority)
        indicator = Indicator(
            code="CONC", title="Concurrency", key_area="national_framework",
            unit_kind=UnitKind.PROPORTION, multiplier=100, polarity="neither", has_counts=True,
        )  # fmt: skip
        db.session.add(indicator)
        factories.period("2030-31")
        users = [
            User(email=f"conc{n}@example.gov.uk", name="C", password_hash="x", role=Role.ANALYST,
                 authority=authority)
            for n in range(2)
        ]  # fmt: skip
        db.session.add_all(users)
        db.session.commit()
        ids = [user.id for user in users]
        authority_id = authority.id
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(ids))

    def publish(user_id: int, numerator: int) -> None:
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                barrier.wait(timeout=10)
                for step in range(5):
                    row = {"indicator": "CONC", "period": "2030-31",
                           "numerator": numerator + step, "denominator": 100}  # fmt: skip
                    service.publish_values(user, authority_id, [row], source="api")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=publish, args=(uid, 10 * n)) for n, uid in enumerate(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        try:
            assert errors == []
            revisions = db.session.execute(
                select(Value.revision, Value.is_latest)
                .where(Value.authority_id == authority_id)
                .order_by(Value.revision)
            ).all()
            assert [r.revision for r in revisions] == list(range(1, 11))
            assert [r.is_latest for r in revisions] == [False] * 9 + [True]
        finally:
            db.session.execute(delete(Value).where(Value.authority_id == authority_id))
            db.session.execute(delete(AuditEvent).where(AuditEvent.authority_id == authority_id))
            db.session.execute(delete(User).where(User.id.in_(ids)))
            db.session.execute(delete(Indicator).where(Indicator.code == "CONC"))
            db.session.execute(delete(Period).where(Period.code == "2030-31"))
            db.session.execute(delete(Authority).where(Authority.id == authority_id))
            db.session.commit()
