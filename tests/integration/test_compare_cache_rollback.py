"""The comparison cache survives a request that fails and rolls back.

Comparison results are worked out once per data version and shared by every request of
the process (bench.compare.service.CACHE). The request that works them out may still
fail afterwards and roll back: a figure with warnings not yet confirmed, a database lost
mid-request. A real rollback expires every object its session loaded; results holding
those objects were unusable afterwards, and every later request that read them failed
(500) until the data changed. Found by the restart test (test_faults_restart.py).

Each test here has its own committed database: the usual per-test transaction rolls back
to a savepoint, which expires nothing that was not changed, and hides the fault.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from bench.extensions import db
from bench.models import Role, UnitKind
from tests import factories
from tests.conftest import empty_database, make_app, migrate_to_head
from tests.pages import post_form, sign_in, text_of


@pytest.fixture
def committed_app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url, drop = empty_database(backend, tmp_path_factory, "bench_cache")
    application = make_app(url, PROPAGATE_EXCEPTIONS=False)
    migrate_to_head(application)
    yield application
    with application.app_context():
        db.engine.dispose()
    drop()


def test_confirming_warnings_after_a_refused_figure_works(committed_app):
    with committed_app.app_context():
        cost = factories.indicator(
            code="COST", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False,
            plausible_min=300, plausible_max=3000,
        )  # fmt: skip
        period = factories.period("2022-23")
        councils = [factories.authority(type="county") for _ in range(7)]
        for council, figure in zip(councils, (400, 500, 600, 700, 800, 900, 1000), strict=True):
            factories.value(council, cost, period, value=float(figure))
        email = factories.user(Role.ANALYST, councils[0]).email
        other_email = factories.user(Role.ANALYST, councils[1]).email
        factories.period("2021-22")  # released too: its results are not worked out yet
    client = committed_app.test_client()
    assert sign_in(client, email, factories.PASSWORD).status_code == 302
    other = committed_app.test_client()
    assert sign_in(other, other_email, factories.PASSWORD).status_code == 302

    # The first request since the data changed works out the comparisons, then is
    # refused (the warning must be confirmed) and rolls back.
    figure = {"indicator": "COST", "period": "2022-23", "value": "5000"}
    refused = post_form(client, "/publish/value", figure)
    assert refused.status_code == 200
    assert "Confirm that you have checked the warnings" in text_of(refused)

    # Same data version: these read what that request worked out, for another council
    # and for another period.
    assert other.get("/compare/?group=type").status_code == 200
    assert client.get("/compare/?group=type&period=2021-22").status_code == 200
    assert client.get("/compare/?group=type").status_code == 200
    confirmed = post_form(client, "/publish/value", {**figure, "warnings_checked": "y"})
    assert confirmed.status_code == 302, text_of(confirmed)[:300]
    assert client.get("/compare/?group=type").status_code == 200
