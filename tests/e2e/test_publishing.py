"""An analyst uploads a file, checks the preview and confirms it, in a real browser."""

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, screenshot

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_upload_preview_confirm(page, backend):
    sign_in(page, "analyst@e06000001.demo.example")  # Hartlepool
    page.get_by_role("link", name="Publish", exact=True).click()
    page.wait_for_url("**/publish/")
    assert page.locator("h1").inner_text() == "Publish figures"

    # A correction to a synthetic figure and a bad row: first the problems, nothing saved.
    bad = (
        "indicator,period,numerator,denominator,value,status,note\r\n"
        "SAT,2022-23,300,550,,final,recount\r\n"
        "SAT,2021-22,600,550,,final,\r\n"
    )
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    assert (
        "Row 3 (SAT 2021-22): numerator 600 is more than the denominator 550"
        in summary.inner_text()
    )
    problems = page.locator("#problems").inner_text()
    assert "numerator" in problems and "600 is more than the denominator 550" in problems

    good = bad.replace("SAT,2021-22,600,550", "SAT,2021-22,290,550")
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/publish/uploads/*")
    assert page.locator("h1").inner_text() == "Check the changes before you publish"
    corrections = page.locator("#corrections").inner_text()
    assert "SAT" in corrections and "300 of 550" in corrections
    screenshot(page, f"publish-preview-{backend}")

    if page.get_by_label("I have checked the warnings and the figures are right").count():
        page.get_by_label("I have checked the warnings and the figures are right").check()
    page.get_by_role("button", name="Publish these figures").click()
    page.wait_for_url("**/publish/")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "2 corrected" in banner
    assert page.problems == []
