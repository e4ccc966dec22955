"""DESIGN.md Anonymity 14: network admins run the network; they see no authority's figures
or known-issue answers, in pages or in the audit log. An authority's own admins still see
its events in full.

Against the seeded demo network: Hartlepool's analyst corrects a figure (with a note) and
answers about a known issue with "what we tried" kept unshared; the demo network admin
then reads the audit log under every action filter and on every page, every page a
network admin may open, and the API with their own token.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from bench import audit
from bench.auditlog.service import PAGE_SIZE
from bench.extensions import db
from bench.issues import service as issues
from bench.models import Authority, Indicator, IssueType, Period, Role, User, Value
from bench.publishing import service as publishing
from seed.demo import NETWORK_ADMIN_EMAIL, TRIED, demo_email
from tests import factories
from tests.integration.test_access import ROUTES
from tests.pages import check_page, sign_in, text_of

PASSWORD = "bench-demo-password"
HARTLEPOOL = "E06000001"
INDICATOR = "COST-RES65"
PERIOD = "2022-23"
ISSUE = "slow-direct-payments"
NEW_VALUE = 1187.43
NOTE = "Recounted after the Quillfeather audit"
WHAT_WE_TRIED = "A brokerage pilot with the Zephyrine care cooperative"
# The flag's answer, as the audit log would write it: words chosen to be rare elsewhere.
ANSWER = {
    "answer": "reported",
    "status": "improving",
    "severity": "high",
    "since": "2019-07",
    "tried": WHAT_WE_TRIED,
    "share_tried": False,
    "open_to_contact": True,
}
ANSWER_WORDS = (
    "reported",
    "improving",
    "high",
    "2019-07",
    "July 2019",
    "open to contact",
    "open_to_contact",
    "share_tried",
)


def formats(number: float) -> set[str]:
    """Every plausible way a page might print *number* with decimals."""
    shown = {repr(number), str(number)}
    for places in (1, 2, 3):
        shown.add(f"{number:.{places}f}")
        shown.add(f"{number:,.{places}f}")
    return shown


def whole(number: float) -> set[str]:
    """*number* rounded to a whole number, as a page might print it. Such a short number
    can stand in a page for something else (a user's id in a link), so pages are checked
    for more of them after the figures were published than before."""
    return {f"{number:.0f}", f"{number:,.0f}"}


def _count(word: str, text: str) -> int:
    return len(re.findall(rf"(?<![\w.,]){re.escape(word)}(?![\w]|[.,]\d)", text))


def _current_value(authority_id: int, indicator_id: int, period_id: int) -> float:
    value = db_scalar(
        select(Value.value)
        .where(
            Value.authority_id == authority_id,
            Value.indicator_id == indicator_id,
            Value.period_id == period_id,
        )
        .order_by(Value.revision.desc())
    )
    assert value is not None
    return float(value)


def db_scalar(query):
    """The first value a select gives, or None."""
    return db.session.scalars(query).first()


def _signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client


def _audit_pages(client, base):
    """Every page of the log under every action in its filter (and with none)."""
    first = client.get(base)
    assert first.status_code == 200
    body = first.get_data(as_text=True)
    actions = [""] + re.findall(r'<option value="([a-z_]+)"', body)
    assert "values_published" in actions and "flag_recorded" in actions
    pages = []
    for action in actions:
        number = 1
        while True:
            response = client.get(base, query_string={"action": action, "page": number})
            assert response.status_code == 200, (action, number)
            check_page(response)
            pages.append((f"{base}?action={action}&page={number}", response))
            if f"page={number + 1}" not in response.get_data(as_text=True):
                break
            number += 1
    return pages


def _network_admin_get_routes():
    return sorted(
        path
        for (method, path), expected in ROUTES.items()
        if method == "GET" and expected[Role.NETWORK_ADMIN] == 200
    )


def _fill(path: str, ids: dict[str, int]) -> str:
    path = path.replace("<token>", "no-such-token").replace("<code>", ISSUE)
    path = path.replace("<indicator_code>", INDICATOR)
    return re.sub(r"<int:(\w+)>", lambda part: str(ids[part[1]]), path)


def _pages_of(client, ids):
    """(url, text) of every GET page a network admin may open, audit log aside."""
    shown = []
    for path in _network_admin_get_routes():
        if path.startswith("/admin/audit"):
            continue
        url = _fill(path, ids)
        response = client.get(url)
        assert response.status_code == 200, url
        shown.append((url, response.get_data(as_text=True)))
    return shown


def _api_bodies(app, secret):
    """Every API GET with the network admin's own read token (what it is allowed)."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    bodies = []
    for (method, path), _ in sorted(ROUTES.items()):
        if method != "GET" or not path.startswith("/api/v1/"):
            continue
        url = _fill(path, {})
        # The lists of the catalogue take no filters; the figures' routes do.
        catalogue = path in ("/api/v1/indicators", "/api/v1/periods", "/api/v1/issue-types")
        query = {} if catalogue else {"indicator": INDICATOR, "period": PERIOD}
        response = client.get(url, headers=headers, query_string=query)
        assert response.status_code == (200 if catalogue or "openapi" in path else 403), url
        bodies.append((url, response.get_data(as_text=True)))
    return bodies


def test_network_admin_sees_no_figure_or_answer_anywhere(demo):
    app = demo
    hartlepool = db_scalar(select(Authority).where(Authority.gss_code == HARTLEPOOL))
    indicator = db_scalar(select(Indicator).where(Indicator.code == INDICATOR))
    period = db_scalar(select(Period).where(Period.code == PERIOD))
    issue_type = db_scalar(select(IssueType).where(IssueType.code == ISSUE))
    analyst = db_scalar(select(User).where(User.email == demo_email("analyst", HARTLEPOOL)))
    network_admin_user = db_scalar(select(User).where(User.email == NETWORK_ADMIN_EMAIL))
    old_value = _current_value(hartlepool.id, indicator.id, period.id)
    ids = {"user_id": analyst.id, "indicator_id": indicator.id, "period_id": period.id}

    network_admin = _signed_in(app, NETWORK_ADMIN_EMAIL)
    before = {url: body.lower() for url, body in _pages_of(network_admin, ids)}

    publishing.publish_values(
        analyst,
        hartlepool.id,
        [{"indicator": INDICATOR, "period": PERIOD, "value": str(NEW_VALUE), "note": NOTE}],
        source="form",
    )
    issues.record_flags(analyst, hartlepool.id, [{"issue_type": ISSUE, **ANSWER}])
    assert _current_value(hartlepool.id, indicator.id, period.id) == NEW_VALUE
    assert issue_type is not None
    # Enough later events that the correction and the answer sit on the log's second page.
    for _ in range(PAGE_SIZE):
        audit.record("signed_in", actor=analyst, authority_id=hartlepool.id, subject=analyst)
    db.session.commit()

    figures = formats(NEW_VALUE) | formats(old_value) | {NOTE}
    rounded = whole(NEW_VALUE) | whole(old_value)
    texts = {WHAT_WE_TRIED, *TRIED}

    # The audit log, under every filter and on every page.
    audit_pages = _audit_pages(network_admin, "/admin/audit/")
    assert "/admin/audit/?action=&page=2" in dict(audit_pages)
    assert any("Published figures" in text_of(r) for _, r in audit_pages)
    assert any("Answered about a known issue" in text_of(r) for _, r in audit_pages)
    leaks = []
    for url, response in audit_pages:
        body = response.get_data(as_text=True)
        text = text_of(response)
        leaks += [(url, shown) for shown in figures | texts if shown in body or shown in text]
        leaks += [
            (url, word)
            for word in ANSWER_WORDS
            if re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)
        ]
        leaks += [(url, shown) for shown in rounded if _count(shown, text)]
    assert leaks == [], "\n".join(map(str, leaks))

    # Every other page a network admin may open: no figure, no text, no new answer word.
    for url, body in _pages_of(network_admin, ids):
        lowered = body.lower()
        leaks += [(url, shown) for shown in figures | texts if shown.lower() in lowered]
        leaks += [
            (url, word)
            for word in (*ANSWER_WORDS, *rounded)
            if _count(word.lower(), lowered) > _count(word.lower(), before[url])
        ]
    assert leaks == [], "\n".join(map(str, leaks))

    # The API, with a read token of their own.
    _, secret = factories.api_token(network_admin_user)
    for url, body in _api_bodies(app, secret):
        leaks += [(url, shown) for shown in figures | texts | rounded if _count(shown, body)]
    assert leaks == [], "\n".join(map(str, leaks))

    # Hartlepool's own admin still sees its events in full.
    own_admin = _signed_in(app, demo_email("admin", HARTLEPOOL))
    published = text_of(own_admin.get("/audit/?action=values_published"))
    assert f"{old_value!r}" in published or f"{old_value}" in published
    assert f"{NEW_VALUE}" in published
    assert NOTE in published
    answered = text_of(own_admin.get("/audit/?action=flag_recorded"))
    check_page(own_admin.get("/audit/?action=flag_recorded"))
    assert WHAT_WE_TRIED in answered
    assert "improving" in answered
