"""Success banners read as plain sentences in a real browser (issue 9: they showed their
own markup, ``<p class="govuk-notification-banner__heading">...``)."""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_publishing import sign_in

pytestmark = pytest.mark.browser


def banner_text(page) -> str:
    banner = page.locator(".govuk-notification-banner")
    assert banner.count() == 1
    return banner.inner_text()


def test_discarding_an_upload_shows_a_plain_banner(page, backend):
    sign_in(page, "analyst@e06000001.demo.example")  # Hartlepool
    page.goto("/publish/")
    upload = (
        "indicator,period,numerator,denominator,value,status,note\r\n"
        "SAT,2022-23,300,550,,final,\r\n"
    )
    page.get_by_label("Upload a CSV file").set_input_files(
        files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": upload.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/publish/uploads/*")
    page.get_by_role("button", name="Discard this upload").click()
    page.wait_for_url("**/publish/")

    heading = page.locator(".govuk-notification-banner__heading")
    assert heading.inner_text() == "The upload was discarded: nothing was published"
    assert " ".join(banner_text(page).split()) == (
        "Success The upload was discarded: nothing was published"
    )
    assert "<" not in banner_text(page)
    screenshot(page, f"banner-discarded-{backend}")
    assert page.problems == []


def test_signing_out_shows_a_plain_banner(page):
    sign_in(page, "analyst@e06000001.demo.example")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    assert page.locator(".govuk-notification-banner__heading").inner_text() == "You have signed out"
    assert " ".join(banner_text(page).split()) == "Success You have signed out"
    assert page.problems == []
