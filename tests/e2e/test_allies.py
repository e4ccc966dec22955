"""Two demo councils' admins become allies through a real browser: one asks from Norm or
exception?, the other accepts from the Allies page; then the alliance ends."""

import pytest
from sqlalchemy import select

from bench.extensions import db
from bench.models import Authority, FlagAnswer, IssueFlag, IssueType
from tests.e2e.conftest import DEMO_PASSWORD, screenshot

pytestmark = pytest.mark.browser


def _new_page(browser, live_server):
    page = browser.new_context(base_url=live_server).new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page


def _sign_in(page, email):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def _a_recipient(app, code):
    """A council that the request reaches: open to contact about the issue."""
    with app.app_context():
        return db.session.scalars(
            select(Authority)
            .join(IssueFlag, IssueFlag.authority_id == Authority.id)
            .join(IssueType, IssueType.id == IssueFlag.issue_type_id)
            .where(
                IssueType.code == code,
                IssueFlag.answer == FlagAnswer.REPORTED,
                IssueFlag.open_to_contact.is_(True),
                Authority.ended_on.is_(None),
                Authority.gss_code != "E10000017",
            )
            .order_by(Authority.gss_code)
        ).first()


def test_an_admin_asks_and_another_accepts(browser, live_server, live_app, backend):
    asker = _new_page(browser, live_server)
    _sign_in(asker, "admin@e10000017.demo.example")
    asker.get_by_role("link", name="Norm or exception?").click()
    link = asker.locator("a[href^='/allies/ask/']").first
    code = link.get_attribute("href").rsplit("/", 1)[1]
    link.click()
    assert asker.locator("h1").inner_text().startswith("Ask about ")
    asker.get_by_label("What would you like to learn from them?").fill(
        "How did you bring waiting times down?"
    )
    assert asker.get_by_label("Contact email address").input_value() == (
        "admin@e10000017.demo.example"
    )
    asker.get_by_role("button", name="Send request").click()
    asker.wait_for_url("**/allies/")
    main = asker.locator("main").inner_text()
    assert "Your request was sent to the peers open to contact about this issue" in main
    assert "How did you bring waiting times down?" in main
    screenshot(asker, f"allies-asked-{backend}")

    recipient_authority = _a_recipient(live_app, code)
    recipient = _new_page(browser, live_server)
    _sign_in(recipient, f"admin@{recipient_authority.gss_code.lower()}.demo.example")
    recipient.get_by_role("link", name="Allies (1)").click()
    card = recipient.locator(".govuk-summary-card", has_text="Lancashire asks about")
    assert "How did you bring waiting times down?" in card.inner_text()
    card.get_by_role("button", name="Accept").click()
    assert recipient.locator("h1").inner_text() == "Accept Lancashire's request"
    recipient.get_by_label("Contact person").fill("Grace Hopper")
    recipient.get_by_label("Contact email address").fill("grace@example.gov.uk")
    recipient.get_by_role("button", name="Accept and become allies").click()
    recipient.wait_for_url("**/allies/*")
    assert recipient.locator("h1").inner_text() == "Alliance with Lancashire"
    assert "You are now allies with Lancashire" in recipient.locator("main").inner_text()
    screenshot(recipient, f"allies-accepted-{backend}")

    asker.goto("/allies/")
    row = asker.locator("tr", has_text=recipient_authority.name)
    assert "Grace Hopper" in row.inner_text()
    row.get_by_role("link", name=recipient_authority.name).click()
    asker.get_by_role("button", name="End the alliance").click()
    assert "An alliance you had ended on" in asker.locator("main").inner_text()
    assert recipient_authority.name not in asker.locator("main").inner_text()
    assert asker.problems == [] and recipient.problems == []
