"""A demo analyst signs in through a real browser and sees their council's figures."""

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, screenshot

pytestmark = pytest.mark.browser


def test_demo_analyst_signs_in_and_sees_lancashire(page, backend):
    page.goto("/")
    assert page.url.endswith("/sign-in?next=%2F")
    assert page.locator("h1").inner_text() == "Sign in"

    page.get_by_label("Email address").fill("analyst@e10000017.demo.example")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Lancashire"
    assert page.title() == "Lancashire – bench"
    header = page.locator("header").inner_text()
    assert "bench" in header and "Lancashire" in header and "Sign out" in header
    row = page.locator("tr", has_text="Outcome of short-term services")
    assert "98.4%" in row.inner_text()  # Oflog ASC5, Lancashire, 2022-23
    assert page.locator("text=Demo data").count() > 0
    # GOV.UK Frontend's JavaScript ran (module script allowed by the CSP).
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    screenshot(page, f"home-lancashire-{backend}")
    assert page.problems == []

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    assert "You have signed out" in page.locator("main").inner_text()
    page.goto("/")
    assert "/sign-in" in page.url


def test_wrong_password_shows_an_error_summary(page):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("analyst@e10000017.demo.example")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct email address and password" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert page.problems == []
