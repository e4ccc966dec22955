"""The comparison cache's key: read once a request, and again after the request writes.

A home page asks for every indicator's results; reading what is stored once per request
made it 20 times faster at national scale (7.9 s to 0.35 s). These tests hold the other
side of that bargain: nothing written, in this request or another, is served stale.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bench.compare import service
from bench.models import UnitKind, utcnow
from tests import factories


def _figures(session):
    indicator = factories.indicator(unit_kind=UnitKind.SCORE, multiplier=1, has_counts=False)
    period = factories.period("2022-23")
    authority = factories.authority(name="Council A")
    factories.value(authority, indicator, period, value=10.0)
    session.commit()
    return authority, indicator, period


def test_a_value_written_in_the_same_request_changes_the_version(app_context, session):
    authority, indicator, period = _figures(session)
    other = factories.authority(name="Council B")
    session.commit()
    with app_context.test_request_context("/"):
        now = utcnow()
        before = service.data_version(now)
        assert service.data_version(now) == before  # read once, kept for the request
        factories.value(other, indicator, period, value=12.0)  # a flush in this request
        assert service.data_version(now) != before


def test_a_core_insert_in_the_same_request_changes_the_version(app_context, session):
    from sqlalchemy import insert

    from bench.models import Value

    _, indicator, period = _figures(session)
    authority = factories.authority(name="Council D")
    session.commit()
    with app_context.test_request_context("/"):
        now = utcnow()
        before = service.data_version(now)
        session.execute(
            insert(Value),
            [{"authority_id": authority.id, "indicator_id": indicator.id,
              "period_id": period.id, "unit_kind": "score", "revision": 1, "is_latest": True,
              "value": 11.0, "status": "final", "note": "", "source": "test",
              "published_at": now}],
        )  # fmt: skip
        assert service.data_version(now) != before


def test_each_request_reads_the_stored_version_afresh(app_context, session):
    authority, indicator, period = _figures(session)
    now = utcnow()
    with app_context.test_request_context("/"):
        before = service.data_version(now)
    factories.value(factories.authority(name="Council C"), indicator, period, value=9.0)
    session.commit()
    with app_context.test_request_context("/"):
        assert service.data_version(now) != before


def test_a_release_date_passing_changes_the_version_without_a_write(app_context, session):
    authority, indicator, _ = _figures(session)
    now = utcnow()
    factories.period("2023-24", released=False, released_at=now + timedelta(hours=1))
    session.commit()
    with app_context.test_request_context("/"):
        before = service.data_version(now)
        assert service.data_version(now + timedelta(hours=2)) != before


def test_a_late_figure_waiting_for_its_round_keeps_the_comparisons_cached(app_context, session):
    """The engine reads only what peers may see: a correction published after the release
    waits for the next round, so the cached comparisons stay right until then, and the
    round passing changes the version."""
    _, indicator, period = _figures(session)
    now = utcnow()
    round_start = (now.replace(day=1) + timedelta(days=32)).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    late = factories.authority(name="Council Late")
    session.commit()
    with app_context.test_request_context("/"):
        before = service.data_version(now)
    factories.value(late, indicator, period, value=20.0, visible_from=round_start)
    session.commit()
    with app_context.test_request_context("/"):
        assert service.data_version(now) == before
        after_round = service.data_version(round_start + timedelta(minutes=1))
    with app_context.test_request_context("/"):
        assert after_round != service.data_version(round_start - timedelta(minutes=1))


def test_warming_works_out_every_released_period_so_pages_need_no_engine(
    app_context, session, monkeypatch
):
    """gunicorn's master warms the cache before forking (gunicorn.conf.py, when_ready):
    afterwards, results for every released period come from the cache."""
    from bench.compare import engine

    _, indicator, _ = _figures(session)
    earlier = factories.period("2021-22")
    factories.value(factories.authority(name="Council E"), indicator, earlier, value=8.0)
    factories.period("2030-31", released=False)
    session.commit()
    service.CACHE.clear()
    assert service.warm() == 2

    def no_engine(*_arguments, **_keywords):
        raise AssertionError("the engine ran: the period was not warmed")

    monkeypatch.setattr(engine, "classify", no_engine)
    for period in service.released_periods(utcnow()):
        assert service.results_for(period).period.id == period.id


def _edits():
    """One edit to each table the comparisons read (but values, which have their own
    rule above), made without adding a row where an edit can be: counts cannot see those.
    Each takes the network of :func:`_figures` and makes one change."""
    from bench.models import (
        Authority,
        ContextFigure,
        IssueType,
        IssueTypeStatus,
        PeerGroup,
        Period,
        issue_type_indicators,
    )

    def rename_authority(session, authority, indicator, period):
        session.get(Authority, authority.id).region = "Elsewhere"

    def retitle_indicator(session, authority, indicator, period):
        indicator.title = "A new title"

    def relabel_period(session, authority, indicator, period):
        session.get(Period, period.id).label = "Another label"

    def context_figure(session, authority, indicator, period):
        figure = session.scalars(select(ContextFigure)).first()
        figure.value = figure.value + 1

    def reject_issue_type(session, authority, indicator, period):
        issue = session.scalars(select(IssueType)).first()
        issue.status = IssueTypeStatus.REJECTED

    def link_issue_type(session, authority, indicator, period):
        session.execute(delete(issue_type_indicators))

    def rename_group(session, authority, indicator, period):
        session.scalars(select(PeerGroup)).first().name = "Renamed"

    def series_break(session, authority, indicator, period):
        factories.series_break(indicator, period)

    def flag(session, authority, indicator, period):
        factories.flag(authority, session.scalars(select(IssueType)).first())

    return [rename_authority, retitle_indicator, relabel_period, context_figure,
            reject_issue_type, link_issue_type, rename_group, series_break, flag]  # fmt: skip


@pytest.mark.parametrize("edit", _edits(), ids=lambda edit: edit.__name__)
def test_every_table_the_comparisons_read_changes_the_version_when_edited(
    app_context, session, edit
):
    """The comparisons read authorities, the catalogue, groups, context figures and issue
    flags: an edit to any of them, by whatever path (ORM, Core, another process), must
    change the version, or every worker would go on serving what was computed before."""
    from bench.models import ContextFigure

    authority, indicator, period = _figures(session)
    other = factories.authority(name="Council Z")
    factories.issue_type(indicators=[indicator])
    factories.peer_group(authority, [other])
    session.add(ContextFigure(authority_id=authority.id, name="population", value=1000.0,
                              as_of=date(2021, 6, 30)))  # fmt: skip
    session.commit()
    now = utcnow()
    with app_context.test_request_context("/"):
        before = service.data_version(now)
    edit(session, authority, indicator, period)
    session.commit()
    with app_context.test_request_context("/"):
        assert service.data_version(now) != before


def test_publishers_take_turns_so_figures_commit_in_the_order_they_are_numbered(
    app_context, session
):
    """The version counts the newest figure peers may see. If council B's figure (id
    n + 1) committed before council A's (id n), a page built in between would be cached
    under n + 1 without A's figure, and A's figure would never show until something else
    changed. Publishing therefore takes one lock for the whole network, not one per
    council: B waits for A to commit (SQLite's single writer does this by itself)."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    import threading
    from types import SimpleNamespace

    from sqlalchemy import text

    from bench.extensions import db
    from bench.publishing import queries as publishing

    _figures(session)
    publishing.lock_publishing()  # council A is publishing, not yet committed
    outcome: list[str] = []
    engine = db.engine

    def council_b() -> None:
        # Another worker: its own connection, outside the test's transaction.
        with engine.connect() as connection, Session(bind=connection) as theirs:
            theirs.execute(text("SET lock_timeout = '300ms'"))
            try:
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(publishing, "db", SimpleNamespace(session=theirs))
                    publishing.lock_publishing()
                outcome.append("went ahead")
            except Exception as error:  # noqa: BLE001 - the outcome is what the test reads
                outcome.append(type(getattr(error, "orig", error)).__name__)
            theirs.rollback()

    thread = threading.Thread(target=council_b)
    thread.start()
    thread.join(timeout=30)
    session.rollback()
    assert outcome == ["LockNotAvailable"]


def test_a_known_issue_edited_re_admits_groups_without_classifying_the_figures_again(
    app_context, session, monkeypatch
):
    """Councils edit their known issues often; the figures' classification (most of a
    worker's 1.5 to 2.6 s after a change, at national scale) does not read them. An edit
    moves the known issues' counter: the groups are admitted again (the flag counts in
    them), the engine does not run, and a figure changing still reclassifies."""
    from bench.compare import engine

    authority, indicator, period = _figures(session)
    issue = factories.issue_type(indicators=[indicator])
    session.commit()
    now = utcnow()
    with app_context.test_request_context("/"):
        figures_before = service.figures_version(now)
        before = service.results_for(period, now)

    classify = engine.classify
    runs: list[int] = []

    def counted(*arguments, **keywords):
        runs.append(1)
        return classify(*arguments, **keywords)

    monkeypatch.setattr(engine, "classify", counted)
    factories.flag(authority, issue)
    session.commit()
    with app_context.test_request_context("/"):
        assert service.figures_version(now) == figures_before
        after = service.results_for(period, now)
    assert runs == []
    assert after is not before and after.admission is not before.admission
    assert after.results is before.results

    factories.value(factories.authority(name="Council F"), indicator, period, value=7.0)
    session.commit()
    with app_context.test_request_context("/"):
        assert service.figures_version(now) != figures_before
        service.results_for(period, now)
    assert runs


@pytest.mark.parametrize("path", ["form or API", "upload"])
def test_every_way_of_publishing_takes_the_turn_before_it_writes_a_figure(
    app_context, session, monkeypatch, path
):
    """The turn above is taken by each way figures are published, a form or the API
    (publish_values) and an upload's confirm, before the first figure is written: the
    statements each sends, in order. (What the turn does between two connections is the
    test above; inside one test transaction nothing could wait.)"""
    from sqlalchemy import event

    from bench.extensions import db
    from bench.models import Role
    from bench.publishing import service as publishing

    authority, indicator, period = _figures(session)
    user = factories.user(Role.ANALYST, authority)
    batch = None
    if path == "upload":
        data = f"indicator,period,value\n{indicator.code},{period.code},11\n".encode()
        batch = publishing.upload(user, authority.id, "figures.csv", data)
    sent: list[str] = []

    def record(connection, cursor, statement, *_arguments):
        sent.append(" ".join(statement.split()).lower())

    # Figures are written by these two (PostgreSQL's COPY goes past SQLAlchemy's events).
    from bench.publishing import queries as writes

    for name in ("insert_values", "insert_planned"):
        original = getattr(writes, name)

        def marked(*arguments, _original=original, **keywords):
            sent.append("-- figures written")
            return _original(*arguments, **keywords)

        monkeypatch.setattr(writes, name, marked)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        if batch is None:
            publishing.publish_values(
                user, authority.id,
                [{"indicator": indicator.code, "period": period.code, "value": "11"}],
                source="form",
            )  # fmt: skip
        else:
            publishing.confirm(user, batch.id, warnings_checked=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    turn = next(n for n, statement in enumerate(sent) if statement.startswith("update data_state"))
    assert turn < sent.index("-- figures written")
