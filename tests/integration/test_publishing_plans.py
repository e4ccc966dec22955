"""An upload is planned once, at upload, and the plan is stored: the preview shows it and
confirming applies it. A plan made stale by a publish in between is planned again."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from bench.extensions import db
from bench.models import AuditEvent, Role, UploadBatch, Value
from tests.integration import test_publishing
from tests.integration.test_publishing import GOOD, HEADER, confirm, latest, upload
from tests.pages import post_form, text_of

catalogue = test_publishing.catalogue  # the fixture: three indicators, two periods
analyst = test_publishing.analyst


@contextmanager
def statements():
    """The SQL statements run inside the block."""
    seen: list[str] = []
    engine = db.session.get_bind().engine

    def record(_connection, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def batch_of(session, preview_url: str) -> UploadBatch:
    batch = session.get(UploadBatch, int(preview_url.rstrip("/").rsplit("/", 1)[1]))
    session.refresh(batch)
    return batch


def test_the_preview_shows_the_stored_plan_and_plans_nothing_again(analyst, session):
    preview_url = upload(analyst, GOOD).headers["Location"]
    planned_at = batch_of(session, preview_url).planned_at
    assert planned_at is not None
    opened = []
    for _ in range(2):
        with statements() as seen:
            page = analyst.get(preview_url)
        assert "New figures 3" in text_of(page)
        opened.append(seen)
    # Neither opening read the authority's current figures (what planning starts from)
    # or wrote a plan; both read the stored one alike, in a few statements whatever the
    # file's length; the plan is the one made at upload.
    staged = []
    for seen in opened:
        assert not [s for s in seen if "is_latest" in s], seen
        assert not [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE U"))]
        staged.append([s for s in seen if "upload_rows" in s])
    assert staged[0] == staged[1] and len(staged[0]) == 3
    assert batch_of(session, preview_url).planned_at == planned_at


def _colleague_publishes(sign_in_as, analyst, row: dict) -> None:
    colleague = sign_in_as(Role.ANALYST, analyst.user.authority)
    response = post_form(colleague, "/publish/value", row)
    assert response.status_code == 302, text_of(response)[-400:]


@pytest.mark.parametrize(
    ("uploaded", "planned"),
    [
        ("DP-PCT,2022-23,1900,10796,,final,recounted", "Corrections 1"),  # a correction
        ("DP-PCT,2022-23,1890,10796,,final,", "Unchanged 1"),  # what is there already
        ("DP-PCT,2023-24,1890,10796,,final,", "New figures 1"),  # a new figure
    ],
)
def test_a_publish_between_upload_and_confirm_is_planned_again(
    analyst, session, catalogue, sign_in_as, uploaded, planned
):
    confirm(analyst, upload(analyst, GOOD).headers["Location"])
    preview_url = upload(analyst, HEADER + uploaded + "\r\n").headers["Location"]
    assert planned in text_of(analyst.get(preview_url))
    # A colleague publishes the same figure (another revision) before the upload is
    # confirmed: the stored plan no longer says what confirming would do.
    period = uploaded.split(",")[1]
    _colleague_publishes(
        sign_in_as, analyst,
        {"indicator": "DP-PCT", "period": period, "numerator": "1950", "denominator": "10796",
         "status": "final"},
    )  # fmt: skip
    # The preview says so (planned again, once) ...
    assert "Corrections 1" in text_of(analyst.get(preview_url))
    # ... and confirming writes the next revision, replacing the colleague's.
    assert confirm(analyst, preview_url).status_code == 302
    revisions = session.execute(
        select(Value.revision, Value.is_latest, Value.numerator)
        .where(
            Value.authority_id == analyst.user.authority_id,
            Value.indicator_id == catalogue["dp"].id,
            Value.period_id == catalogue[period].id,
        )
        .order_by(Value.revision)
    ).all()
    numerator = float(uploaded.split(",")[2])
    before = [(1, False, 1890.0)] if period == "2022-23" else []
    assert [tuple(r) for r in revisions] == [
        *before,
        (len(before) + 1, False, 1950.0),
        (len(before) + 2, True, numerator),
    ]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "values_published").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.details["corrected"] == 1
    assert event.details["corrections"][0]["old"]["numerator"] == 1950


def test_a_stale_plan_is_planned_again_at_confirm_without_the_preview(
    analyst, session, catalogue, sign_in_as
):
    preview_url = upload(analyst, GOOD).headers["Location"]
    _colleague_publishes(
        sign_in_as, analyst,
        {"indicator": "COST", "period": "2022-23", "value": "950", "status": "final"},
    )  # fmt: skip
    assert confirm(analyst, preview_url).status_code == 302
    values = latest(session, analyst.user.authority_id)
    assert len(values) == 3
    cost = next(v for v in values if v.indicator_id == catalogue["cost"].id)
    assert (cost.revision, cost.value) == (2, 928.0)


def test_warnings_found_on_planning_again_must_be_confirmed(
    analyst, session, catalogue, sign_in_as
):
    # Planned with no history; a colleague's figure for the previous year makes the
    # uploaded one a jump of more than half, which must be checked before it lands.
    preview_url = upload(analyst, HEADER + "COST,2023-24,,,2900,,\r\n").headers["Location"]
    assert "Warnings to check 0" in text_of(analyst.get(preview_url))
    _colleague_publishes(
        sign_in_as, analyst, {"indicator": "COST", "period": "2022-23", "value": "900"}
    )
    refused = confirm(analyst, preview_url)
    assert refused.status_code == 200
    assert "Confirm that you have checked the warnings" in text_of(refused)
    assert "changed by more than half" in text_of(refused)
    assert confirm(analyst, preview_url, warnings_checked="y").status_code == 302
