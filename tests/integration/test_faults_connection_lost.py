"""The database connection lost after the view has answered, while the request ends.

A request ends its transaction as its context closes (bench.database). If PostgreSQL
goes away between the view's answer and that end (a restart, a failover, a cut network),
ending the transaction fails. The answer stands: a read has read, a write has committed
(or rolled back, when it had not). Before, the failure escaped the application and the
client got gunicorn's bare 500 instead of the answer. Found by the restart test
(test_faults_restart.py).
"""

from __future__ import annotations

from bench.extensions import db
from tests.integration.test_faults import _seed_user, postgres_via_proxy  # noqa: F401


def test_postgresql_connection_lost_as_the_request_ends_keeps_the_answer(
    postgres_via_proxy,  # noqa: F811 - the fixture imported above
):
    app, proxy, _ = postgres_via_proxy
    cutting = []

    @app.after_request
    def _cut_every_connection(response):  # noqa: ANN001, ANN202
        if cutting:
            proxy.cut()  # the view has answered, its transaction is still open
        return response

    _, secret = _seed_user(app)
    bearer = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()
    assert client.get("/api/v1/indicators", headers=bearer).status_code == 200  # warm pool

    cutting.append(True)
    response = client.get("/api/v1/indicators", headers=bearer)
    assert response.status_code == 200
    assert response.get_json()["items"] == []
    # And the next request finds a working connection by itself.
    cutting.clear()
    assert client.get("/api/v1/indicators", headers=bearer).status_code == 200
    with app.app_context():
        db.engine.dispose()
