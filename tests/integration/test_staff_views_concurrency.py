"""Two anonymous views arrive at the same instant, with four already waiting.

Real concurrency: threads, each with its own requests and database connection (no test
transaction around them), as tests/integration/test_concurrent_imports.py does. The
batch released to the team is exactly five, never six: a sixth view shown at once would
tell the team when it came in.
"""

from __future__ import annotations

import threading

from sqlalchemy import delete, select

from bench.extensions import db
from bench.limits import limiter
from bench.models import ApiToken, Authority, Role, StaffView, TokenScope, User
from tests import factories

ROUNDS = 3


def _at_once(give, attempt: int) -> list[int]:
    """Both authors give a view at the same instant; their statuses."""
    barrier = threading.Barrier(2)
    statuses: list[int] = [0, 0]
    errors: list[BaseException] = []

    def one(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            statuses[n] = give(n, f"At once {attempt}.{n}").status_code
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return statuses


def test_two_views_at_once_release_a_batch_of_five(app):
    with app.app_context():
        limiter.reset()
        authority = factories.authority()
        authors = [factories.user(Role.STAFF, authority) for _ in range(2)]
        secrets = [factories.api_token(author, TokenScope.RECORD)[1] for author in authors]
        authority_id, author_ids = authority.id, [author.id for author in authors]
    clients = [app.test_client() for _ in secrets]

    def give(n: int, body: str):
        return clients[n].post(
            "/api/v1/staff-views",
            headers={"Authorization": f"Bearer {secrets[n]}"},
            json={"key_area": "staff_acceptance", "body": body},
        )

    try:
        for attempt in range(ROUNDS):
            with app.app_context():
                db.session.execute(delete(StaffView).where(StaffView.authority_id == authority_id))
                db.session.commit()
            limiter.reset()
            for number in range(4):
                assert give(number % 2, f"Waiting {attempt}.{number}").status_code == 201
            assert _at_once(give, attempt) == [201, 201]
            with app.app_context():
                released = db.session.scalars(
                    select(StaffView.released)
                    .where(StaffView.authority_id == authority_id)
                    .order_by(StaffView.id)
                ).all()
            assert sorted(released) == [False, True, True, True, True, True], attempt
    finally:
        limiter.reset()
        with app.app_context():
            db.session.execute(delete(StaffView).where(StaffView.authority_id == authority_id))
            db.session.execute(delete(ApiToken).where(ApiToken.user_id.in_(author_ids)))
            db.session.execute(delete(User).where(User.id.in_(author_ids)))
            db.session.execute(delete(Authority).where(Authority.id == authority_id))
            db.session.commit()
