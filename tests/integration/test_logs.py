"""The server log: one JSON object a line, a request id on each request's lines, one
access line a request, and no personal data or secrets (emails, names, passwords,
tokens, cookies, query strings, uploaded figures)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pytest

from bench import logs
from bench.models import Role
from tests import factories
from tests.pages import csrf_token, post_form, sign_in

ACCESS_FIELDS = {
    "timestamp",
    "level",
    "logger",
    "message",
    "pid",
    "request_id",
    "method",
    "path",
    "status",
    "duration_ms",
    "user_id",
}
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


@pytest.fixture
def json_log(app_context, capsys) -> Iterator[callable]:
    """bench's handler writing JSON; calling the fixture gives the lines so far, parsed
    (each line must be one JSON object)."""
    logs.configure("json", "INFO")
    capsys.readouterr()

    def lines() -> list[dict]:
        text = capsys.readouterr().err
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    yield lines
    logs.configure(app_context.config["LOG_FORMAT"], app_context.config["LOG_LEVEL"])


def _access(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "bench.access"]


def test_one_json_access_line_a_request_with_its_id(client, json_log):
    response = client.get("/sign-in", headers={"X-Request-ID": "lb-7f3a.2_x"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.2_x"
    (line,) = _access(json_log())
    assert set(line) == ACCESS_FIELDS
    assert TIMESTAMP.fullmatch(line["timestamp"])
    assert line["request_id"] == "lb-7f3a.2_x"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/sign-in", 200)
    assert line["user_id"] is None and line["level"] == "INFO"
    assert isinstance(line["duration_ms"], float) and isinstance(line["pid"], int)


@pytest.mark.parametrize(
    "incoming",
    [
        "",
        "has space",
        "a" * 65,
        "someone@example.com",
        "id;injected=yes",
        "../../etc",
        "ünïcode",
    ],
)
def test_an_unsafe_incoming_request_id_is_replaced(client, json_log, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming} if incoming else {})
    given = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", given), given
    assert _access(json_log())[0]["request_id"] == given
    assert client.get("/healthz").headers["X-Request-ID"] != given  # one per request


def test_a_server_error_page_gives_the_reference_in_the_log(
    app_context, sign_in_as, json_log, monkeypatch
):
    from bench.home import service

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    analyst = sign_in_as(Role.ANALYST)
    monkeypatch.setattr(service, "authority_home", broken)
    response = analyst.get("/")
    assert response.status_code == 500
    reference = response.headers["X-Request-ID"]
    assert reference in response.get_data(as_text=True)  # "quote this reference"
    lines = [line for line in json_log() if line.get("request_id") == reference]
    error = next(line for line in lines if line["level"] == "ERROR")
    assert "RuntimeError: a bug" in error["exception"]
    assert error["user_id"] == analyst.user.id
    assert _access(lines)[0]["status"] == 500


def test_no_personal_data_or_secrets_in_the_log(app_context, sign_in_as, json_log):
    """Sign in (and fail to), upload, make and use a token, search, follow a secret link:
    then look for every secret and personal detail in everything logged."""
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    user = admin.user
    session_cookie = admin.get_cookie("bench_session").value

    wrong_password = "not-my-password-Zq81"
    stranger = app_context.test_client()
    assert sign_in(stranger, user.email, wrong_password).status_code == 200

    figure_note = "note-only-in-the-file-7731"
    header = "indicator,period,numerator,denominator,value,status,note\r\n"
    csv = f"{header}X,2022-23,,,1,,{figure_note}\r\n"
    admin.post(
        "/publish/upload",
        data={
            "csrf_token": csrf_token(admin, "/publish/"),
            "file": (io.BytesIO(csv.encode()), "figures.csv"),
        },
        content_type="multipart/form-data",
    )

    made = post_form(admin, "/account/tokens/new", {"name": "Logged?", "scope": "read"})
    token = re.search(r"bench_[A-Za-z0-9_-]{43}", made.get_data(as_text=True))[0]
    api = app_context.test_client()
    assert (
        api.get("/api/v1/indicators", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )

    # A query string can carry anything: an email, a token.
    admin.get(f"/search?q={user.email}&token={token}")
    # A secret in the path (an invitation's token) is logged as its route.
    invitation_secret = "invitation-secret-Qx9"
    stranger.get(f"/invitations/{invitation_secret}")

    lines = json_log()
    text = "\n".join(json.dumps(line) for line in lines)
    access = _access(lines)
    assert len(access) >= 9
    assert {"/invitations/<token>", "/search", "/api/v1/indicators"} <= {a["path"] for a in access}
    assert user.id in {a["user_id"] for a in access}
    for secret in (
        user.email,
        user.name,
        factories.PASSWORD,
        wrong_password,
        token,
        token.removeprefix("bench_"),
        session_cookie,
        figure_note,
        invitation_secret,
        "q=",
    ):
        assert secret not in text, secret


def test_production_without_smtp_logs_that_mail_was_not_sent_and_nothing_of_it(app_context, caplog):
    """With no BENCH_SMTP_HOST, development logs whole messages (a developer follows the
    invitation link from the log); production logs only the subject."""
    from bench.mail import LogSender, Message

    message = Message(
        to="invitee@example.gov.uk",
        subject="You are invited to bench",
        body="Accept: https://bench.example/invitations/secret-invitation-token",
    )
    with caplog.at_level("INFO"):
        LogSender(whole=False).send(message)
    assert "You are invited to bench" in caplog.text
    assert "invitee@example.gov.uk" not in caplog.text
    assert "secret-invitation-token" not in caplog.text
    caplog.clear()
    with caplog.at_level("INFO"):
        LogSender(whole=True).send(message)
    assert "secret-invitation-token" in caplog.text


def test_production_mails_through_the_log_without_the_message(monkeypatch):
    from bench import create_app, mail

    monkeypatch.setattr("config.ProductionConfig.SECRET_KEY", "x" * 40)
    monkeypatch.setattr("config.ProductionConfig.DATABASE_URL", "postgresql://db.invalid/bench")
    monkeypatch.setattr("config.ProductionConfig.RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setattr("config.ProductionConfig.SMTP_HOST", "")
    monkeypatch.setattr(
        "config.check_production", lambda config: None
    )  # the settings above are not a real deployment's
    try:
        app = create_app("production")
    finally:
        logs.configure("text", "INFO")  # production logs JSON; the suite reads text
    assert app.extensions[mail.EXTENSION_KEY].whole is False
    assert create_app("test", MAIL_BACKEND="").extensions[mail.EXTENSION_KEY].whole is True


def test_giving_a_staff_view_logs_no_user(app_context, sign_in_as, json_log):
    """A staff view may be anonymous: the log must not say who gave one (by page or API),
    as the view's own row does not."""
    from tests.integration.test_staff_views_anonymity import Council

    council = Council(app_context, sign_in_as)
    json_log()  # forget the set-up's lines
    assert council.give_page("The rota changes too late").status_code == 302
    assert council.give_api("The rota changes too late to plan").status_code == 201
    giving = [
        line
        for line in _access(json_log())
        if line["method"] == "POST" and line["path"] in ("/staff-views/", "/api/v1/staff-views")
    ]
    assert len(giving) == 2
    assert [line["user_id"] for line in giving] == [None, None]
