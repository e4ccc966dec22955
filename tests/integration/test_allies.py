"""Allies by mutual consent (DESIGN.md, Anonymity 7 and 8; issue 10 "Allies").

The whole cycle on both databases, through pages and the API as people and scripts use
them: ask, then accept, decline or let expire, then end. The rule tested hardest: to the
asker a decline reads exactly as no answer, byte for byte, until the request expires and
after.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from bench.allies import service
from bench.errors import NotFound
from bench.models import (
    Alliance,
    AllyAsk,
    AllyRequest,
    AllyRequestStatus,
    AuditEvent,
    AuthorityType,
    FlagStatus,
    Notification,
    Role,
    TokenScope,
    utcnow,
)
from tests import factories
from tests.pages import check_page, post_form, text_of

PUBLIC_ID = re.compile(r"\A[A-Za-z0-9_-]{22}\Z")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


class Side:
    """One council's admin: signed in for pages, with a manage token for the API."""

    def __init__(self, app, sign_in_as, authority, **user_fields):
        self.authority = authority
        self.client = sign_in_as(Role.AUTHORITY_ADMIN, authority, **user_fields)
        self.user = self.client.user
        _, self.secret = factories.api_token(self.user, TokenScope.MANAGE)
        self.api = app.test_client()

    def get(self, path):
        return self.api.get(path, headers=bearer(self.secret))

    def post(self, path, body=None):
        return self.api.post(path, headers=bearer(self.secret), json=body or {})

    def delete(self, path):
        return self.api.delete(path, headers=bearer(self.secret))

    def ask(self, code, message="What did you try that worked?", **contact):
        return self.post(
            "/api/v1/ally-requests", {"issue_type": code, "message": message, **contact}
        )

    def incoming(self):
        return self.get("/api/v1/ally-requests").get_json()["incoming"]

    def notifications(self, session):
        return session.scalars(
            select(Notification)
            .where(Notification.user_id == self.user.id)
            .order_by(Notification.id)
        ).all()


@pytest.fixture
def network(app_context, sign_in_as, session):
    """An issue; an asker; two councils open to contact about it (one to accept, one to
    decline); one that reports it but is not open to contact; a replaced council."""
    issue = factories.issue_type(code="slow-dp", title="Slow direct payments")
    asker = factories.authority(name="Askerton Council")
    recipient = factories.authority(
        name="Recipientshire Council", type=AuthorityType.UNITARY, region="London"
    )
    decliner = factories.authority(name="Declinebury Council")
    quiet = factories.authority(name="Quietshire Council")
    gone = factories.authority(name="Goneshire Council", ended_on=date(2020, 4, 1))
    factories.flag(asker, issue, open_to_contact=True)  # never asks itself
    factories.flag(recipient, issue, status=FlagStatus.RESOLVED, open_to_contact=True)
    factories.flag(decliner, issue, status=FlagStatus.IMPROVING, open_to_contact=True)
    factories.flag(quiet, issue, open_to_contact=False)
    factories.flag(gone, issue, open_to_contact=True)

    class Network:
        pass

    net = Network()
    net.issue = issue
    net.asker = Side(app_context, sign_in_as, asker)
    net.recipient = Side(app_context, sign_in_as, recipient)
    net.decliner = Side(app_context, sign_in_as, decliner)
    net.quiet, net.gone = quiet, gone
    net.recipient_staff = factories.user(Role.STAFF, recipient)
    return net


def _requests(session):
    return session.scalars(select(AllyRequest).order_by(AllyRequest.recipient_id)).all()


def _events(session, authority_id=None, action=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    if authority_id is not None:
        query = query.where(AuditEvent.authority_id == authority_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return session.scalars(query).all()


# --- asking ----------------------------------------------------------------------


def test_asking_reaches_exactly_the_councils_open_to_contact_and_tells_the_asker_none(
    network, session
):
    asker = network.asker
    form = asker.client.get(f"/allies/ask/{network.issue.code}")
    check_page(form)
    assert "Ask about Slow direct payments" in text_of(form)
    assert asker.user.email in form.get_data(as_text=True)  # the contact defaults to you

    sent = post_form(
        asker.client,
        f"/allies/ask/{network.issue.code}",
        {
            "message": "How did you clear the backlog?\nWe are stuck.",
            "contact_name": "Ada Lovelace",
            "contact_email": "ada@askerton.example.gov.uk",
        },
    )
    assert sent.status_code == 302 and sent.headers["Location"] == "/allies/"
    page = asker.client.get("/allies/")
    check_page(page)
    text = text_of(page)
    assert "Your request was sent to the peers open to contact about this issue" in text
    assert "Slow direct payments" in text and "How did you clear the backlog?" in text
    # No recipient, and no number of them, anywhere the asker looks.
    for name in ("Recipientshire", "Declinebury", "Quietshire", "Goneshire"):
        assert name not in page.get_data(as_text=True)
    outgoing = asker.get("/api/v1/ally-requests").get_json()["outgoing"]
    assert len(outgoing) == 1
    assert set(outgoing[0]) == {
        "id", "issue_type", "message", "your_contact", "sent_at", "expires_at", "status"
    }  # fmt: skip
    assert outgoing[0]["status"] == "open"

    # Reported and open to contact (open, improving or resolved), current, not the asker.
    requests = _requests(session)
    assert {r.recipient_id for r in requests} == {
        network.recipient.authority.id,
        network.decliner.authority.id,
    }
    assert {r.status for r in requests} == {AllyRequestStatus.PENDING}
    (ask,) = session.scalars(select(AllyAsk)).all()
    assert ask.expires_at - ask.created_at == timedelta(days=30)
    assert all(r.expires_at == ask.expires_at for r in requests)

    # The recipients' admins are told, naming nobody; their staff are not.
    for side in (network.recipient, network.decliner):
        (notice,) = side.notifications(session)
        assert notice.subject == "A council asks to contact you about Slow direct payments"
        assert "Askerton" not in notice.subject + notice.body and notice.link == "/allies/"
    assert (
        session.scalars(
            select(Notification).where(Notification.user_id == network.recipient_staff.id)
        ).all()
        == []
    )
    assert network.asker.notifications(session) == []

    # The recipient sees who asks and why, with a count in the header.
    inbox = network.recipient.client.get("/allies/")
    check_page(inbox)
    assert "Allies (1)" in text_of(inbox)
    assert "Askerton Council asks about Slow direct payments" in text_of(inbox)
    assert "How did you clear the backlog?" in text_of(inbox)
    (incoming,) = network.recipient.incoming()
    assert incoming["asked_by"]["name"] == "Askerton Council"
    assert incoming["message"] == "How did you clear the backlog?\nWe are stuck."

    # The asker's audit log: what it asked, never to whom or how many.
    (event,) = _events(session, asker.authority.id, "ally_request_sent")
    assert set(event.details) == {
        "request", "issue_type", "message", "contact_name", "contact_email"
    }  # fmt: skip
    assert event.details["request"] == ask.public_id
    received = _events(session, action="ally_request_received")
    assert {e.authority_id for e in received} == {r.recipient_id for r in requests}
    assert all("Askerton" not in json.dumps(e.details) for e in received)


def test_asking_from_norm_or_exception_is_for_authority_admins(network, sign_in_as):
    admin_page = network.asker.client.get(f"/allies/ask/{network.issue.code}")
    assert admin_page.status_code == 200
    analyst = sign_in_as(Role.ANALYST, network.asker.authority)
    assert analyst.get(f"/allies/ask/{network.issue.code}").status_code == 403
    assert "Allies (" not in text_of(analyst.get("/"))
    assert "Allies (0)" in text_of(network.asker.client.get("/"))


def test_nobody_open_to_contact_reads_the_same_as_many(network, session, sign_in_as):
    lonely_issue = factories.issue_type(code="lonely", title="Lonely issue")
    response = network.asker.ask(lonely_issue.code)
    assert response.status_code == 201
    assert _requests(session) == []
    body = response.get_json()
    assert body["status"] == "open" and body["issue_type"]["code"] == "lonely"
    assert set(body) == {
        "id", "issue_type", "message", "your_contact", "sent_at", "expires_at", "status"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"issue_type": "slow-dp"}, "message", "Say what you would like to learn from them"),
        (
            {"issue_type": "slow-dp", "message": "   "},
            "message",
            "Say what you would like to learn from them",
        ),
        (
            {"issue_type": "slow-dp", "message": "x" * 2001},
            "message",
            "Your message must be 2000 characters or fewer",
        ),
        (
            # NUL itself is refused before any schema (bench.validation); other control
            # characters by the allies schema.
            {"issue_type": "slow-dp", "message": "a\x01b"},
            "message",
            "Remove the control characters (such as NUL) from this text",
        ),
        (
            {"issue_type": "no-such", "message": "Hello"},
            "issue_type",
            "There is no issue type in the catalogue with this code",
        ),
        ({"message": "Hello"}, "issue_type", "Enter the code of an issue type"),
        (
            {"issue_type": "slow-dp", "message": "Hi", "contact_email": "not-an-address"},
            "contact_email",
            "Enter an email address in the correct format, like name@example.gov.uk",
        ),
        (
            {"issue_type": "slow-dp", "message": "Hi", "contact_name": ""},
            "contact_name",
            "Enter the name of the person they should contact",
        ),
        ({"issue_type": "slow-dp", "message": "Hi", "recipient": 3}, "recipient", None),
    ],
)
def test_bad_requests_are_a_422_naming_the_field(network, session, body, field, message):
    response = network.asker.post("/api/v1/ally-requests", body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert [error["field"] for error in errors] == [field]
    if message:
        assert errors[0]["message"] == message
    assert session.scalars(select(AllyAsk)).all() == []


def test_the_asking_form_shows_its_errors(network, session):
    response = post_form(
        network.asker.client,
        f"/allies/ask/{network.issue.code}",
        {"message": "", "contact_name": "", "contact_email": "nope"},
    )
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    assert "Say what you would like to learn from them" in text
    assert "Enter the name of the person they should contact" in text
    assert "Enter an email address in the correct format" in text
    assert session.scalars(select(AllyAsk)).all() == []


def test_one_open_request_per_issue_at_a_time(network, session):
    assert network.asker.ask("slow-dp").status_code == 201
    again = network.asker.ask("slow-dp")
    assert again.status_code == 409
    assert "already asked about this issue" in again.get_json()["detail"]
    page = network.asker.client.get("/allies/ask/slow-dp")
    check_page(page)
    assert "already asked about this issue" in text_of(page)
    assert 'name="message"' not in page.get_data(as_text=True)


def test_unapproved_issue_types_cannot_be_asked_about(network, session):
    proposed = factories.issue_type(code="proposed-one", status="proposed")
    assert network.asker.client.get(f"/allies/ask/{proposed.code}").status_code == 404
    assert network.asker.client.get("/allies/ask/no-such-issue").status_code == 404


# --- accepting and ending ------------------------------------------------------------


def test_accept_then_end_names_each_side_only_while_allied(network, session, app_context):
    asker, recipient = network.asker, network.recipient
    asker.ask("slow-dp", contact_name="Ada Lovelace", contact_email="ada@askerton.example")
    (incoming,) = recipient.incoming()
    assert PUBLIC_ID.match(incoming["id"])

    form = recipient.client.get(f"/allies/requests/{incoming['id']}/accept")
    check_page(form)
    assert "Accept Askerton Council" in text_of(form)
    accepted = post_form(
        recipient.client,
        f"/allies/requests/{incoming['id']}/accept",
        {"contact_name": "Grace Hopper", "contact_email": "grace@recipientshire.example"},
    )
    assert accepted.status_code == 302
    (alliance,) = session.scalars(select(Alliance)).all()
    assert accepted.headers["Location"] == f"/allies/{alliance.public_id}"
    assert "You are now allies with Askerton Council" in text_of(recipient.client.get("/"))

    # Each side sees the other's name and the contact the other chose.
    for side, other, theirs, yours in (
        (asker, "Recipientshire Council", "Grace Hopper", "Ada Lovelace"),
        (recipient, "Askerton Council", "Ada Lovelace", "Grace Hopper"),
    ):
        page = side.client.get(f"/allies/{alliance.public_id}")
        check_page(page)
        text = text_of(page)
        assert f"Alliance with {other}" in text
        assert f"Their contact {theirs}" in text and f"Your contact {yours}" in text
        assert other in text_of(side.client.get("/allies/"))
        (ally,) = side.get("/api/v1/allies").get_json()["current"]
        assert ally["ally"]["name"] == other and ally["their_contact"]["name"] == theirs
        assert ally["your_contact"]["name"] == yours and ally["id"] == alliance.public_id
    began = text_of(asker.client.get(f"/allies/{alliance.public_id}"))
    assert "You asked about Slow direct payments" in began

    # The asker learns of the acceptance, by notification naming nobody.
    (notice,) = asker.notifications(session)
    assert notice.subject == "A council accepted your request about Slow direct payments"
    assert "Recipientshire" not in notice.subject + notice.body
    assert notice.link == f"/allies/{alliance.public_id}"
    assert recipient.incoming() == []
    assert "Allies (0)" in text_of(recipient.client.get("/"))

    # The reveal is in both councils' audit logs, by the alliance's id only.
    (formed,) = _events(session, asker.authority.id, "alliance_formed")
    (accept_event,) = _events(session, recipient.authority.id, "ally_request_accepted")
    assert formed.details["alliance"] == accept_event.details["alliance"] == alliance.public_id
    assert "Recipientshire" not in json.dumps(formed.details)

    # The recipient ends it: names are hidden again on both sides, everywhere.
    ended = recipient.delete(f"/api/v1/allies/{alliance.public_id}")
    assert ended.status_code == 200
    assert ended.get_json()["status"] == "ended" and ended.get_json()["ally"] is None
    for side, other in ((asker, "Recipientshire"), (recipient, "Askerton")):
        page = side.client.get(f"/allies/{alliance.public_id}")
        check_page(page)
        assert "An alliance you had ended on" in text_of(page)
        assert other not in page.get_data(as_text=True)
        assert other not in side.client.get("/allies/").get_data(as_text=True)
        listing = side.get("/api/v1/allies").get_json()
        assert listing["current"] == []
        (gone,) = listing["ended"]
        assert gone["ally"] is None and gone["their_contact"] is None
        assert other not in json.dumps(listing)
    assert asker.notifications(session)[-1].subject == "An alliance has ended"
    assert {e.authority_id for e in _events(session, action="alliance_ended")} == {
        asker.authority.id,
        recipient.authority.id,
    }
    again = asker.delete(f"/api/v1/allies/{alliance.public_id}")
    assert again.status_code == 409

    # They can become allies again later: a new alliance, a new id.
    session.scalars(select(AllyAsk)).one().expires_at = utcnow()
    session.commit()
    assert asker.ask("slow-dp").status_code == 201
    new_request = recipient.incoming()[0]["id"]
    renewed = recipient.post(f"/api/v1/ally-requests/{new_request}/accept")
    assert renewed.status_code == 200
    assert renewed.get_json()["id"] != alliance.public_id
    assert renewed.get_json()["your_contact"]["email"] == recipient.user.email  # the default


def test_accepting_twice_or_after_declining_is_a_conflict(network, session):
    network.asker.ask("slow-dp")
    (first,) = network.recipient.incoming()
    assert network.recipient.post(f"/api/v1/ally-requests/{first['id']}/accept").status_code == 200
    again = network.recipient.post(f"/api/v1/ally-requests/{first['id']}/accept")
    assert again.status_code == 409
    assert again.get_json()["detail"] == "This request has already been answered"
    (declined,) = network.decliner.incoming()
    assert (
        network.decliner.post(f"/api/v1/ally-requests/{declined['id']}/decline").status_code == 200
    )
    late = network.decliner.post(f"/api/v1/ally-requests/{declined['id']}/accept")
    assert late.status_code == 409
    page = network.decliner.client.get(f"/allies/requests/{declined['id']}/accept")
    assert page.status_code == 302
    assert "already been answered" in text_of(network.decliner.client.get("/allies/"))


def test_another_councils_ids_are_not_found(network, session, sign_in_as, app_context):
    network.asker.ask("slow-dp")
    (incoming,) = network.recipient.incoming()
    accepted = network.recipient.post(f"/api/v1/ally-requests/{incoming['id']}/accept")
    alliance_id = accepted.get_json()["id"]
    (other_incoming,) = network.decliner.incoming()
    ask_id = network.asker.get("/api/v1/ally-requests").get_json()["outgoing"][0]["id"]
    stranger = Side(app_context, sign_in_as, factories.authority(name="Strangeford Council"))

    # The asker cannot answer its own request (by the ask's id or a recipient's).
    for side, request_id in (
        (network.asker, ask_id),
        (network.asker, other_incoming["id"]),
        (network.recipient, other_incoming["id"]),
        (stranger, other_incoming["id"]),
    ):
        for verb in ("accept", "decline"):
            response = side.post(f"/api/v1/ally-requests/{request_id}/{verb}")
            assert response.status_code == 404, (verb, response.get_data(as_text=True))
            assert response.mimetype == "application/problem+json"
        page = side.client.get(f"/allies/requests/{request_id}/accept")
        assert page.status_code == 404
        check_page(page)
        refused = post_form(
            side.client, f"/allies/requests/{request_id}/decline", {}, form_page="/allies/"
        )
        assert refused.status_code == 404
    for verb, path in (
        ("get", f"/allies/{alliance_id}"),
        ("post", f"/allies/{alliance_id}/end"),
    ):
        if verb == "get":
            response = stranger.client.get(path)
        else:
            response = post_form(stranger.client, path, {}, form_page="/allies/")
        assert response.status_code == 404
        assert "Askerton" not in response.get_data(as_text=True)
    assert stranger.delete(f"/api/v1/allies/{alliance_id}").status_code == 404
    assert network.decliner.delete(f"/api/v1/allies/{alliance_id}").status_code == 404
    assert session.scalars(select(Alliance)).one().ended_at is None
    assert {r.status for r in _requests(session)} == {
        AllyRequestStatus.ACCEPTED,
        AllyRequestStatus.PENDING,
    }


def test_ids_are_random_never_sequential(network, session):
    for number in range(6):
        issue = factories.issue_type(code=f"issue-{number}")
        factories.flag(network.recipient.authority, issue, open_to_contact=True)
        assert network.asker.ask(f"issue-{number}").status_code == 201
    outgoing = network.asker.get("/api/v1/ally-requests").get_json()["outgoing"]
    incoming = network.recipient.incoming()
    for item in incoming[:3]:
        network.recipient.post(f"/api/v1/ally-requests/{item['id']}/accept")
        network.asker.delete(
            f"/api/v1/allies/{network.asker.get('/api/v1/allies').get_json()['current'][0]['id']}"
        )
    ids = [item["id"] for item in outgoing + incoming]
    ids += [a["id"] for a in network.asker.get("/api/v1/allies").get_json()["ended"]]
    assert len(ids) == len(set(ids)) == 6 + 6 + 3
    assert all(PUBLIC_ID.match(public_id) for public_id in ids)
    # Not the database's ids, and not in creation order (a chance of 1 in 6! per list).
    database_ids = {str(r.id) for r in _requests(session)} | {
        str(a.id) for a in session.scalars(select(AllyAsk))
    }
    assert not set(ids) & database_ids
    created = [a.public_id for a in session.scalars(select(AllyAsk).order_by(AllyAsk.id))]
    assert created != sorted(created) or created != sorted(created, reverse=True)


# --- decline, silence and expiry ---------------------------------------------------


def test_expiry_closes_requests_and_tells_the_asker_once(network, session, app_context):
    network.asker.ask("slow-dp")
    (incoming,) = network.recipient.incoming()
    asked = session.scalars(select(AllyAsk)).one()
    for record in (asked, *_requests(session)):
        record.created_at -= timedelta(days=31)
        record.expires_at -= timedelta(days=31)
    session.commit()
    # Pages read the dates: nothing waits for the expiry run.
    assert network.recipient.incoming() == []
    assert "Allies (0)" in text_of(network.recipient.client.get("/"))
    outgoing = network.asker.get("/api/v1/ally-requests").get_json()["outgoing"]
    assert outgoing[0]["status"] == "closed"
    late = network.recipient.post(f"/api/v1/ally-requests/{incoming['id']}/accept")
    assert late.status_code == 409 and late.get_json()["detail"] == "This request has expired"

    result = app_context.test_cli_runner().invoke(args=["allies", "expire"])
    assert result.exit_code == 0, result.output
    assert "1 requests for allies closed" in result.output
    assert {r.status for r in _requests(session)} == {AllyRequestStatus.EXPIRED}
    (closed,) = network.asker.notifications(session)
    assert closed.subject == "Your request about Slow direct payments has closed"
    # Once only, whichever command runs next.
    result = app_context.test_cli_runner().invoke(args=["alerts", "run"])
    assert "0 requests for allies closed" in result.output
    assert len(network.asker.notifications(session)) == 1


def test_emails_go_out_with_the_alerts_run_and_name_nobody(network, session, app_context):
    outbox = app_context.extensions["bench.mail_sender"].outbox
    network.asker.ask("slow-dp")
    assert outbox == []  # never during the request: its time must not tell how many
    (incoming,) = network.recipient.incoming()
    network.recipient.post(f"/api/v1/ally-requests/{incoming['id']}/accept")
    result = app_context.test_cli_runner().invoke(args=["alerts", "run"])
    assert result.exit_code == 0, result.output
    sent = {(m.to, m.subject.removeprefix("bench: ")) for m in outbox}
    asked = "A council asks to contact you about Slow direct payments"
    assert sent == {
        (network.recipient.user.email, asked),
        (network.decliner.user.email, asked),
        (network.asker.user.email, "A council accepted your request about Slow direct payments"),
    }
    for message in outbox:
        assert "Askerton" not in message.body and "Recipientshire" not in message.body
        assert "as an authority admin of your council" in message.body
        assert "follow" not in message.body


def test_ally_events_stay_out_of_the_network_log(network, session, sign_in_as):
    network.asker.ask("slow-dp")
    (incoming,) = network.recipient.incoming()
    network.recipient.post(f"/api/v1/ally-requests/{incoming['id']}/accept")
    network_admin = sign_in_as(Role.NETWORK_ADMIN)
    log = network_admin.get("/admin/audit/")
    check_page(log)
    text = text_of(log).lower()
    assert "allies" not in text and "alliance" not in text and "slow-dp" not in text
    # The councils' own admins read their own events in full.
    own = text_of(network.asker.client.get("/audit/"))
    assert "Asked for allies about an issue" in own and "names revealed" in own
    assert "Recipientshire" not in own


def test_manage_tokens_are_for_authority_admins(sign_in_as, session):
    analyst = sign_in_as(Role.ANALYST)
    form = analyst.get("/account/tokens/new")
    assert 'value="manage"' not in form.get_data(as_text=True)
    refused = post_form(analyst, "/account/tokens/new", {"name": "Allies", "scope": "manage"})
    assert "Only authority admins can make tokens that manage" in text_of(refused)
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    assert 'value="manage"' in admin.get("/account/tokens/new").get_data(as_text=True)
    made = post_form(admin, "/account/tokens/new", {"name": "Allies", "scope": "manage"})
    assert re.search(r"bench_[A-Za-z0-9_-]{43}", made.get_data(as_text=True))


def test_service_refuses_anyone_but_authority_admins(network, session):
    for role in (Role.STAFF, Role.ANALYST, Role.INSPECTOR, Role.NETWORK_ADMIN):
        user = factories.user(role, network.asker.authority if role.belongs_to_authority else None)
        with pytest.raises(NotFound):
            service.ask(user, {"issue_type": "slow-dp", "message": "Hi"})
        assert service.pending_count(user) == 0


# --- a decline reads exactly as no answer -------------------------------------------

LONDON_TIME = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2} (?:GMT|BST)")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?\+00:00")
CSRF = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]*')
NONCE = re.compile(r'nonce="[^"]*"')
TOKEN_PREFIX = re.compile(r"bench_[A-Za-z0-9_-]+")
ASKER_PAGES = ("/", "/allies/", "/alerts/", "/audit/", "/allies/ask/twin-issue", "/account")
ASKER_API = ("/api/v1/ally-requests", "/api/v1/allies")


def _normalised(text: str, side: Side, session) -> str:
    """The response with what differs between two twin councils by construction (their
    codes, addresses, ids, tokens and the minute of each request) replaced."""
    for ask in session.scalars(select(AllyAsk).where(AllyAsk.requester_id == side.authority.id)):
        text = text.replace(ask.public_id, "ID")
    text = text.replace(side.authority.gss_code, "GSS").replace(side.user.email, "EMAIL")
    text = LONDON_TIME.sub("TIME", ISO_TIME.sub("TIME", text))
    text = CSRF.sub(r"\1TOKEN", NONCE.sub('nonce="NONCE"', text))
    return TOKEN_PREFIX.sub("bench_TOKEN", text)


def _what_the_asker_sees(side: Side, session) -> dict[str, object]:
    seen: dict[str, object] = {}
    for path in ASKER_PAGES:
        response = side.client.get(path)
        seen[path] = (
            response.status_code,
            _normalised(response.get_data(as_text=True), side, session),
        )
    for path in ASKER_API:
        response = side.get(path)
        seen[path] = (
            response.status_code,
            _normalised(response.get_data(as_text=True), side, session),
        )
    notices = side.notifications(session)
    seen["notifications"] = [(n.kind, n.subject, n.body, n.link, n.read_at) for n in notices]
    events = _events(session, side.authority.id)
    seen["audit"] = [
        (e.action, _normalised(json.dumps(e.details, sort_keys=True), side, session))
        for e in events
    ]
    return seen


@pytest.fixture
def twins(network, app_context, sign_in_as, session):
    """Two councils alike in all a page shows them (name, admin, contact), both asking
    about an issue only the recipient is open to contact about."""
    issue = factories.issue_type(code="twin-issue", title="Twin issue")
    factories.flag(network.recipient.authority, issue, open_to_contact=True)
    sides = []
    for _ in range(2):
        twin = factories.authority(name="Twinford Council")
        side = Side(app_context, sign_in_as, twin, name="Ada Twin")
        response = side.ask(
            "twin-issue",
            message="What worked for you?",
            contact_name="Ada Twin",
            contact_email="ada@twinford.example",
        )
        assert response.status_code == 201
        sides.append(side)
    return sides


def _request_from(session, side: Side) -> AllyRequest:
    return session.scalars(
        select(AllyRequest).where(AllyRequest.requester_id == side.authority.id)
    ).one()


def test_a_decline_reads_to_the_asker_exactly_as_no_answer(network, twins, session):
    declined_side, silent_side = twins
    assert _what_the_asker_sees(declined_side, session) == _what_the_asker_sees(
        silent_side, session
    )
    declined = _request_from(session, declined_side)
    response = network.recipient.post(f"/api/v1/ally-requests/{declined.public_id}/decline")
    assert response.status_code == 200
    session.expire_all()
    assert _request_from(session, declined_side).status is AllyRequestStatus.DECLINED
    assert _request_from(session, silent_side).status is AllyRequestStatus.PENDING

    after_decline = _what_the_asker_sees(declined_side, session)
    assert after_decline == _what_the_asker_sees(silent_side, session)
    assert "Open" in after_decline["/allies/"][1]  # both still open, as silence is

    # After the expiry date and the expiry run: both closed, both told the same, once.
    for record in session.scalars(select(AllyAsk)).all() + _requests(session):
        record.created_at -= timedelta(days=31)
        record.expires_at -= timedelta(days=31)
    session.commit()
    service.expire_due(utcnow())
    closed = _what_the_asker_sees(declined_side, session)
    assert closed == _what_the_asker_sees(silent_side, session)
    assert [kind for kind, *_ in closed["notifications"]] == ["ally_closed"]
    assert "Closed" in closed["/allies/"][1]


# --- no query per row ---------------------------------------------------------------


def test_query_counts_do_not_grow_with_allies_or_recipients(app_context, sign_in_as, session):
    def statements(size, call):
        issue = factories.issue_type()
        side = Side(app_context, sign_in_as, factories.authority(name="Counting Council"))
        others = [factories.authority(name=f"Other {n}") for n in range(size)]
        for other in others:
            factories.flag(other, issue, open_to_contact=True)
            factories.alliance(side.authority, other, ended_at=None)
            factories.ally_request(other, side.authority, issue)
        count = 0

        def counter(*_args):
            nonlocal count
            count += 1

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", counter)
        try:
            assert call(side, issue).status_code in (200, 201)
        finally:
            event.remove(connection, "before_cursor_execute", counter)
        return count

    calls = {
        "page": lambda side, issue: side.client.get("/allies/"),
        "requests": lambda side, issue: side.get("/api/v1/ally-requests"),
        "allies": lambda side, issue: side.get("/api/v1/allies"),
    }
    for name, call in calls.items():
        assert statements(2, call) == statements(9, call), name


def test_a_contact_without_an_email_shows_no_empty_mail_link(network, session):
    """Alliances formed before contacts were asked for (the demo's) have names but no
    email: the pages show the name alone, not an unnamed mailto link (axe link-name)."""
    asker, recipient = network.asker, network.recipient
    alliance = factories.alliance(
        asker.authority,
        recipient.authority,
        first_contact_name="Lead (demo)",
        first_contact_email="",
        second_contact_name="Review manager (demo)",
        second_contact_email="",
    )
    listing = asker.client.get("/allies/")
    check_page(listing)
    assert 'href="mailto:"' not in listing.get_data(as_text=True)
    assert "Recipientshire Council" in text_of(listing)
    page = asker.client.get(f"/allies/{alliance.public_id}")
    check_page(page)
    text = text_of(page)
    assert "(demo)," not in text  # no comma left waiting for an address
    assert "Lead (demo)" in text and "Review manager (demo)" in text
