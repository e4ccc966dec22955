"""XSS payloads in every text field of visits, notes and drafts render inert on every page
that shows them (CONVENTIONS.md; issue 11 "XSS payloads in every text field rendered
inert"): escaped where the text is plain, sanitised where it is Markdown."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from bench.models import Role, ShareLevel, Visit, VisitNote
from tests import factories_visits
from tests.pages import check_page, csrf_token, post_form

PAYLOADS = [
    "<script>alert('title')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    "![pixel](https://evil.example/p.png)",
    "<style>body{display:none}</style>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]
PAYLOAD = " ".join(PAYLOADS)
DANGEROUS_TAGS = {"img", "svg", "iframe", "style", "object", "embed"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        attributes = dict(attrs)
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "script" and not (attributes.get("src") or attributes.get("nonce")):
            self.problems.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                ("javascript:", "data:")
            ):
                self.problems.append(f"{tag} {name}={value}")


def assert_inert(response) -> None:
    parser = _Tags()
    parser.feed(response.get_data(as_text=True))
    assert parser.problems == []


@pytest.fixture
def net(app_context, sign_in_as):
    return factories_visits.Network().sign_in_recorder(app_context, sign_in_as)


def test_payloads_in_every_field_render_inert(net, session, sign_in_as):
    made = net.api.post(
        "/api/v1/visits",
        headers=net.headers,
        json={
            "kind": "visit",
            "visited_on": "2024-09-12",
            "title": PAYLOADS[0] + PAYLOADS[1],
            "host": net.host.gss_code,
            "people": PAYLOAD,
            "met_people": PAYLOAD,
        },
    )
    assert made.status_code == 201, made.get_json()
    visit_id = made.get_json()["id"]
    note = net.api.post(
        f"/api/v1/visits/{visit_id}/notes",
        headers=net.headers,
        json={
            "section": "what_they_do_differently",
            "body": PAYLOAD,
            "change_summary": PAYLOADS[1],
        },
    ).get_json()
    html = _Tags()
    html.feed(note["html"])
    assert html.problems == [] and "<script" not in note["html"]
    note_id = note["id"]
    revised = net.api.put(
        f"/api/v1/notes/{note_id}",
        headers=net.headers,
        json={"body": PAYLOAD + "\n\nmore", "revision": 1, "change_summary": PAYLOADS[0]},
    )
    assert revised.status_code == 200
    visit = session.scalars(select(Visit).where(Visit.public_id == visit_id)).one()
    note_row = session.scalars(select(VisitNote).where(VisitNote.public_id == note_id)).one()
    factories_visits.draft(net.user, visit, body=PAYLOAD)
    factories_visits.draft(net.user, visit, body=PAYLOAD, note_=note_row)
    for level in (ShareLevel.HOST, ShareLevel.ALLIES):
        factories_visits.share(note_row, level)
    pages = [
        "/visits/",
        f"/visits/{visit_id}",
        f"/visits/{visit_id}/edit",
        f"/visits/{visit_id}/notes/new?draft=restore",
        f"/visits/notes/{note_id}",
        f"/visits/notes/{note_id}/edit",
        f"/visits/notes/{note_id}/edit?draft=restore",
        f"/visits/notes/{note_id}/delete",
        f"/visits/notes/{note_id}/revisions",
        f"/visits/notes/{note_id}/revisions/1",
        f"/visits/notes/{note_id}/revisions/2",
    ]
    for path in pages:
        response = net.client.get(path)
        assert response.status_code == 200, path
        check_page(response)
        assert_inert(response)
        if "draft=restore" in path or path.endswith("/edit"):
            # The editor shows the source as written, escaped inside the textarea.
            assert "&lt;script&gt;" in response.get_data(as_text=True), path
    # Readers of other councils get the same inert text.
    ally = sign_in_as(Role.STAFF, net.ally)
    response = ally.get(f"/visits/notes/{note_id}")
    assert response.status_code == 200
    assert_inert(response)
    # The conflict page shows both versions, rendered, inert.
    edit = f"/visits/notes/{note_id}/edit"
    conflict = post_form(
        net.client, edit, {"body": PAYLOAD + "\n\nmine", "revision": "1", "publish": "y"}
    )
    assert conflict.status_code == 409
    check_page(conflict)
    assert_inert(conflict)
    assert csrf_token(net.client, edit)
