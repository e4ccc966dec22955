"""Redis down or hung: everything else that uses it keeps working and stays limited.

Redis holds two things in production: the sign-in limits (tests/integration/
test_faults.py) and the count of staff views each user gives a day
(bench.staffviews.limit). Pages use neither. Here the staff views' daily count and the
pages, with Redis behind the proxy of tests/faults.py taken down or hung.
"""

from __future__ import annotations

import secrets

import pytest

from bench.models import Role, TokenScope
from bench.staffviews import limit as staff_view_limit
from tests import factories
from tests.faults import timed
from tests.integration.test_faults import redis_app, redis_proxy  # noqa: F401 - fixtures
from tests.pages import sign_in

PER_DAY = 2
QUICK = 1.5  # seconds: Redis is given up on within half a second (config.py)


@pytest.mark.parametrize("fault", ["down", "hang"])
def test_staff_views_and_pages_work_and_stay_limited_with_redis_down_or_hung(
    redis_app,  # noqa: F811 - the fixture imported above
    redis_proxy,  # noqa: F811
    fault,
):
    redis_app.config["STAFF_VIEWS_PER_DAY"] = PER_DAY
    # The day's count is kept in Redis under an HMAC of the user's id keyed by the secret
    # key: a key of its own keeps this run's counts apart from any earlier run's today.
    redis_app.config["SECRET_KEY"] = secrets.token_urlsafe(32)
    staff_view_limit._fallback.reset()  # a count kept in memory by an earlier test
    with redis_app.app_context():
        staff = factories.user(Role.STAFF)
        email = staff.email
        _, secret = factories.api_token(staff, TokenScope.RECORD)
    browser = redis_app.test_client()
    assert sign_in(browser, email, factories.PASSWORD).status_code == 302
    api = redis_app.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}

    def give(text: str):
        body = {"key_area": "cost_efficiency", "body": text, "anonymous": True}
        return api.post("/api/v1/staff-views", headers=bearer, json=body)

    assert give("Given while Redis is up").status_code == 201  # counted in Redis
    pages = ("/", "/staff-views/", "/account")
    for path in pages:  # each page drawn once (templates compiled) before the fault
        assert browser.get(path).status_code == 200

    getattr(redis_proxy, fault)()
    for path in pages:
        response, seconds = timed(lambda path=path: browser.get(path), limit=10)
        assert response.status_code == 200, path
        assert seconds < QUICK, (path, seconds)
    # The day's count goes on in this process's memory, from nothing (what Redis holds
    # cannot be read): the limit holds per worker while Redis is away, as the sign-in
    # limits do. PER_DAY more views, then refused.
    for number in range(PER_DAY):
        response, seconds = timed(lambda n=number: give(f"Given while Redis is away {n}"), 10)
        assert response.status_code == 201, response.get_json()
        assert seconds < QUICK, seconds
    response, seconds = timed(lambda: give("One too many"), limit=10)
    assert response.status_code == 429
    assert seconds < QUICK, seconds
