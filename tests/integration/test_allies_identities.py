"""Who sees whose name, on the demo network: a crawl of every page and API answer.

Two demo councils, each through its admin (pages with a session, the API with an allies
token), read every GET route bench has, before a request, while it is pending, while the
two are allies and after the alliance has ended. The other council's name or GSS code may
appear only where DESIGN.md Anonymity 7 allows: the asker is named to the recipient on the
request; each is named to the other on the alliance's pages while it lasts (and, issue 11,
as a host to choose when recording a visit); and nowhere else, ever (comparison pages never
mark an ally).
"""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from bench.extensions import db
from bench.models import (
    Authority,
    AuthorityType,
    FlagAnswer,
    Indicator,
    IssueFlag,
    IssueType,
    TokenScope,
    User,
)
from tests import factories
from tests.conftest import DEMO_PASSWORD
from tests.pages import sign_in, text_of

LANCASHIRE = "E10000017"
PENDING_TO_RECIPIENT = {"allies.index", "allies.accept", "api.list_ally_requests"}
# Issue 11: a visit's host is chosen from the council's current allies, by name, on the
# form that records a visit (and on the visit while the alliance lasts).
WHILE_ALLIED = {"allies.index", "allies.alliance", "api.list_allies", "visits.new"}
# And notes an ally shares with all its allies name the ally that wrote them, while the
# alliance lasts: in the demo, Lancashire shares a visit's notes with all its allies.
NOTES_SHARED_WITH_ALLIES = {"sharing.with_us"}
# Choosing the councils of a custom group lists every council in the network by name, the
# same for everyone, allied or not (tests/integration/test_access.py says the same).
EVERY_COUNCIL_LISTED = {"peer_groups.new"}


class Admin:
    def __init__(self, demo, authority: Authority):
        self.authority = authority
        email = f"admin@{authority.gss_code.lower()}.demo.example"
        self.client = demo.test_client()
        assert sign_in(self.client, email, DEMO_PASSWORD).status_code == 302
        user = db.session.scalars(select(User).where(User.email == email)).one()
        _, secret = factories.api_token(user, TokenScope.MANAGE)
        self.headers = {"Authorization": f"Bearer {secret}"}
        self.api = demo.test_client()


def _get_routes(app) -> list[tuple[str, str]]:
    return sorted(
        (rule.endpoint, rule.rule)
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static"
    )


def _url(rule: str, values: dict[str, str]) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        return values.get(name, "999999" if match.group(1).startswith("int:") else "none")

    return re.sub(r"<([^>]+)>", fill, rule)


def _where_named(demo, admin: Admin, other: Authority, values: dict[str, str]) -> set[str]:
    """The endpoints whose answer, for *admin*, names *other* (name or GSS code)."""
    marks = {other.name, html.escape(other.name), other.gss_code, other.gss_code.lower()}
    named = set()
    for endpoint, rule in _get_routes(demo):
        if endpoint in EVERY_COUNCIL_LISTED:
            continue
        url = _url(rule, values)
        if rule.startswith("/api/v1/"):
            response = admin.api.get(url, headers=admin.headers)
        else:
            response = admin.client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        seen = response.get_data(as_text=True) + response.headers.get("Location", "")
        if any(mark in seen for mark in marks):
            named.add(endpoint)
    return named


def _pair(session) -> tuple[Authority, Authority, IssueType]:
    """Lancashire, and a council open to contact about an issue that is in none of its
    listed groups, nor it in the other's (so that only an alliance could name either)."""
    lancashire = session.scalars(select(Authority).where(Authority.gss_code == LANCASHIRE)).one()
    candidates = session.execute(
        select(Authority, IssueType)
        .join(IssueFlag, IssueFlag.authority_id == Authority.id)
        .join(IssueType, IssueType.id == IssueFlag.issue_type_id)
        .where(
            IssueFlag.answer == FlagAnswer.REPORTED,
            IssueFlag.open_to_contact.is_(True),
            Authority.ended_on.is_(None),
            Authority.region != lancashire.region,
            Authority.type == AuthorityType.LONDON_BOROUGH,
        )
        .order_by(Authority.gss_code, IssueType.code)
    ).all()
    assert candidates
    return lancashire, candidates[0][0], candidates[0][1]


def test_names_appear_only_on_the_request_and_the_alliance_while_it_lasts(demo):
    session = db.session
    demo.extensions["bench.mail_sender"].outbox.clear()
    asker_authority, recipient_authority, issue = _pair(session)
    asker, recipient = Admin(demo, asker_authority), Admin(demo, recipient_authority)
    indicator = session.scalars(select(Indicator).order_by(Indicator.code)).first()
    values = {"code": issue.code, "indicator_code": indicator.code, "token": "none"}

    # Before: neither council's name reaches the other anywhere.
    assert _where_named(demo, asker, recipient_authority, values) == set()
    assert _where_named(demo, recipient, asker_authority, values) == set()
    norms = asker.client.get("/compare/norms").get_data(as_text=True)
    assert f'href="/allies/ask/{issue.code}"' in norms  # asked from Norm or exception?

    # Pending: the recipient sees who asks, on the request only; the asker sees no one.
    response = asker.api.post(
        "/api/v1/ally-requests",
        headers=asker.headers,
        json={"issue_type": issue.code, "message": "What worked?"},
    )
    assert response.status_code == 201
    incoming = recipient.api.get("/api/v1/ally-requests", headers=recipient.headers).get_json()
    (request,) = [i for i in incoming["incoming"] if i["asked_by"]["gss_code"] == LANCASHIRE]
    values["request_id"] = request["id"]
    assert _where_named(demo, asker, recipient_authority, values) == set()
    assert _where_named(demo, recipient, asker_authority, values) == PENDING_TO_RECIPIENT

    # Allied: each sees the other on the alliance's pages, and nowhere else.
    accepted = recipient.api.post(
        f"/api/v1/ally-requests/{request['id']}/accept", headers=recipient.headers
    )
    assert accepted.status_code == 200
    values["alliance_id"] = accepted.get_json()["id"]
    assert _where_named(demo, asker, recipient_authority, values) == WHILE_ALLIED
    assert (
        _where_named(demo, recipient, asker_authority, values)
        == WHILE_ALLIED | NOTES_SHARED_WITH_ALLIES
    )

    # Ended: hidden again everywhere, the alliance's own page included.
    ended = asker.api.delete(f"/api/v1/allies/{values['alliance_id']}", headers=asker.headers)
    assert ended.status_code == 200
    assert _where_named(demo, asker, recipient_authority, values) == set()
    assert _where_named(demo, recipient, asker_authority, values) == set()
    page = asker.client.get(f"/allies/{values['alliance_id']}")
    assert "An alliance you had ended on" in text_of(page)

    # Nor does any email, to either side.
    result = demo.test_cli_runner().invoke(args=["alerts", "run"])
    assert result.exit_code == 0, result.output
    outbox = demo.extensions["bench.mail_sender"].outbox
    to_either = [
        m
        for m in outbox
        if m.to.split("@")[1].startswith((LANCASHIRE.lower(), recipient_authority.gss_code.lower()))
    ]
    assert {m.subject.removeprefix("bench: ") for m in to_either} >= {
        f"A council asks to contact you about {issue.title}",
        f"A council accepted your request about {issue.title}",
        "An alliance has ended",
    }
    for message in outbox:
        for authority in (asker_authority, recipient_authority):
            assert authority.name not in message.body + message.subject
