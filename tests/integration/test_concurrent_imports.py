"""Two network admins confirm nearest-neighbour imports at the same instant.

Real concurrency: two threads, each with its own requests and database connection (no
test transaction around them), as tests/integration/test_publishing_corpus.py does for
concurrent corrections. One import lands; the other admin is told why theirs did not,
on the import page, instead of an error page from the unique version index.
"""

from __future__ import annotations

import io
import re
import threading

from sqlalchemy import delete, select

from bench.extensions import db
from bench.limits import limiter
from bench.models import AuditEvent, Authority, PeerGroup, PeerGroupKind, Role, User, UserSession
from bench.security import hash_password
from tests.factories import PASSWORD
from tests.pages import csrf_token, sign_in, text_of

IMPORT = "/admin/peer-groups/import"
PUBLISHED = PeerGroupKind.PUBLISHED_NEIGHBOURS
CLASH = "Another import was confirmed at the same moment or since you checked your file"


def _checked(client, content: str):
    """Upload a file and return the confirm form's fields, as the browser would send them."""
    preview = client.post(
        IMPORT,
        data={
            "csrf_token": csrf_token(client, IMPORT),
            "file": (io.BytesIO(content.encode()), "neighbours.csv"),
        },
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200, text_of(preview)[:300]
    body = preview.get_data(as_text=True)
    fields = dict(re.findall(r'name="(apply-[a-z]+)" type="hidden" value="([^"]*)"', body))
    return {name: value.replace("&#34;", '"') for name, value in fields.items()}


def test_two_imports_confirmed_at_once(app):
    with app.app_context():
        limiter.reset()
        councils = [
            Authority(gss_code=f"XIMP0000{n}", name=f"Import {n}", type="county", region="X")
            for n in range(3)
        ]
        admins = [
            User(email=f"importer{n}@example.gov.uk", name="I", role=Role.NETWORK_ADMIN,
                 password_hash=hash_password(PASSWORD))
            for n in range(2)
        ]  # fmt: skip
        db.session.add_all([*councils, *admins])
        db.session.commit()
        codes = [council.gss_code for council in councils]
        council_ids = [council.id for council in councils]
        admin_ids = [admin.id for admin in admins]
        emails = [admin.email for admin in admins]
    try:
        clients = [app.test_client() for _ in emails]
        for client, email in zip(clients, emails, strict=True):
            assert sign_in(client, email, PASSWORD).status_code == 302
        files = [
            f"authority,neighbour\r\n{codes[0]},{codes[1]}\r\n",
            f"authority,neighbour\r\n{codes[0]},{codes[2]}\r\n",
        ]
        forms = [_checked(client, file) for client, file in zip(clients, files, strict=True)]
        tokens = [csrf_token(client, IMPORT) for client in clients]
        barrier = threading.Barrier(2)
        responses: list = [None, None]
        errors: list[BaseException] = []

        def confirm(n: int) -> None:
            try:
                barrier.wait(timeout=10)
                responses[n] = clients[n].post(
                    IMPORT, data={"csrf_token": tokens[n], **forms[n], "apply-submit": "Import"}
                )
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=confirm, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200, 302], [text_of(r)[:300] for r in responses]
        refused = next(response for response in responses if response.status_code == 200)
        assert CLASH in text_of(refused)
        with app.app_context():
            versions = db.session.scalars(
                select(PeerGroup.version).where(
                    PeerGroup.kind == PUBLISHED, PeerGroup.authority_id.in_(council_ids)
                )
            ).all()
            assert versions == [1]  # one import landed, whole
    finally:
        with app.app_context():
            db.session.execute(delete(PeerGroup).where(PeerGroup.authority_id.in_(council_ids)))
            db.session.execute(delete(AuditEvent).where(AuditEvent.actor_id.in_(admin_ids)))
            db.session.execute(delete(UserSession).where(UserSession.user_id.in_(admin_ids)))
            db.session.execute(delete(User).where(User.id.in_(admin_ids)))
            db.session.execute(delete(Authority).where(Authority.id.in_(council_ids)))
            db.session.commit()
