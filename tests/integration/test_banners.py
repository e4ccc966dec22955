"""Flashed messages show as GOV.UK notification banners holding plain text.

Issue 9: every success banner showed its own markup to the user
(``<p class="govuk-notification-banner__heading">Published: ...</p>``).
"""

import re

from bench import messages
from bench.models import Role
from tests import factories
from tests.pages import check_page, csrf_token, post_form, text_of


def _banners(html: str) -> list[str]:
    """The inner HTML of each banner's content."""
    return re.findall(
        r'<div class="govuk-notification-banner__content">(.*?)</div>', html, flags=re.DOTALL
    )


def test_signed_out_banner_is_a_heading_with_plain_text(app_context, sign_in_as):
    client = sign_in_as(Role.STAFF)
    response = post_form(client, "/sign-out", {}, form_page="/account")
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    check_page(page)
    [content] = _banners(html)
    assert re.fullmatch(
        r'\s*<p class="govuk-notification-banner__heading">\s*'
        + re.escape(messages.SIGNED_OUT)
        + r"\s*</p>\s*",
        content,
    ), content
    # What a reader sees: the message, and no markup.
    assert messages.SIGNED_OUT in text_of(page)
    assert "govuk-notification-banner__heading" not in text_of(page)
    assert "&lt;" not in html


def test_banner_text_from_the_user_is_escaped_once(app_context, sign_in_as):
    """A name the user typed is shown as they typed it: neither markup nor double-escaped."""
    authority = factories.authority()
    client = sign_in_as(Role.STAFF, authority)
    name = "<b>Tom & Jerry</b>"
    group = factories.peer_group(authority, [factories.authority() for _ in range(5)], name=name)
    token = csrf_token(client, "/compare/groups")
    response = client.post(f"/compare/groups/{group.id}/delete", data={"csrf_token": token})
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    check_page(page)
    [content] = _banners(html)
    assert "<b>" not in content
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in content
    assert "govuk-notification-banner__heading" not in text_of(page)
    assert messages.CUSTOM_GROUP_DELETED.format(name=name) in text_of(page)


def test_two_banners_keep_ids_unique(app_context, sign_in_as):
    client = sign_in_as(Role.STAFF)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "First"), ("error", "Second")]
    page = client.get("/account")
    check_page(page)
    assert [text_of_fragment(c) for c in _banners(page.get_data(as_text=True))] == [
        "First",
        "Second",
    ]


def text_of_fragment(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()
