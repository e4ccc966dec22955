"""The comparison cache's key: read once a request, and again after the request writes.

A home page asks for every indicator's results; reading what is stored once per request
made it 20 times faster at national scale (7.9 s to 0.35 s). These tests hold the other
side of that bargain: nothing written, in this request or another, is served stale.
"""

from datetime import timedelta

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
