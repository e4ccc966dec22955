"""BENCH_PROXY_HOPS: behind a proxy, a client's address is the one its proxy forwards
(so sign-in limits count each client, not the proxy); with no proxy configured, a
forwarded address is ignored (so a client cannot choose the address it is counted as)."""

from __future__ import annotations

import pytest

from bench.limits import limiter
from bench.models import Role
from tests import factories
from tests.conftest import make_app, migrate_to_head
from tests.integration.test_faults import _dispose, _pair_limit
from tests.pages import sign_in


def _wrong_password_from(app, email: str, address: str) -> int:
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    # Over HTTPS (as the proxy says, when trusted), Flask-WTF checks the Referer.
    client.environ_base["HTTP_REFERER"] = "https://localhost/sign-in"
    return sign_in(client, email, "wrong").status_code


@pytest.mark.parametrize("hops", [0, 1])
def test_sign_in_limits_count_the_forwarded_address_only_behind_a_proxy(tmp_path, hops):
    app = make_app(f"sqlite:///{tmp_path / 'bench.sqlite3'}", PROXY_HOPS=hops)
    migrate_to_head(app)
    limiter.reset()
    with app.app_context():
        email = factories.user(Role.ANALYST).email
    try:
        for _ in range(_pair_limit(app)):
            assert _wrong_password_from(app, email, "203.0.113.1") == 200
        assert _wrong_password_from(app, email, "203.0.113.1") == 429
        other = _wrong_password_from(app, email, "198.51.100.7")
        # Behind one proxy the other client is another address; with none, a forwarded
        # header is anyone's to write, and every attempt is the same (direct) address.
        assert other == (200 if hops else 429)
    finally:
        _dispose(app)
        limiter.reset()
