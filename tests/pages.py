"""Helpers for driving pages through Flask's test client like a browser would."""

from __future__ import annotations

import html
import re
from collections import Counter
from html.parser import HTMLParser

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "path",
}  # fmt: skip


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: Counter[str] = Counter()
        self.title = ""
        self.h1 = ""
        self._in: str | None = None
        self.csrf_tokens: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids[attributes["id"] or ""] += 1
        if tag == "input" and attributes.get("name") == "csrf_token":
            self.csrf_tokens.append(attributes.get("value") or "")
        if tag in ("title", "h1"):
            self._in = tag
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.h1 += data


def parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check_page(response: TestResponse) -> _PageParser:
    """A page is well formed, its ids are unique and its <title> starts with its <h1>."""
    assert response.mimetype == "text/html"
    page = parse(response.get_data(as_text=True))
    assert not page.problems, page.problems[:5]
    assert not page.stack, f"unclosed tags: {page.stack}"
    duplicates = [name for name, count in page.ids.items() if count > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    title = squash(page.title).removeprefix("Error: ")
    assert squash(page.h1), "page has no <h1>"
    assert title.startswith(squash(page.h1)), (title, squash(page.h1))
    return page


def csrf_token(client: FlaskClient, path: str) -> str:
    page = parse(client.get(path).get_data(as_text=True))
    assert page.csrf_tokens, f"no CSRF token on {path}"
    return page.csrf_tokens[0]


def post_form(client: FlaskClient, path: str, data: dict, *, form_page: str | None = None):
    """POST like a browser: with the CSRF token of the page that shows the form."""
    token = csrf_token(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token})


def sign_in(client: FlaskClient, email: str, password: str) -> TestResponse:
    return post_form(client, "/sign-in", {"email": email, "password": password})


def text_of(response: TestResponse) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded."""
    return squash(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))
