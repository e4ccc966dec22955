"""A page never offers an action its viewer may not take.

Issue 9: inspectors were offered "Follow" buttons that led to a 403 saying "ask your
authority's admin". For each role this walks the demo network's pages from the home page,
following every link, and checks every link and form on every page against the role x
route table of tests/integration/test_access.py (the guard's own rules): a role is
never offered a route that refuses its role. Every page reached must also open (no 403
or 404 behind a link).
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from bench.access import ROLE_PERMISSIONS, rule_for
from bench.models import Role
from seed.demo import INSPECTOR_EMAIL, NETWORK_ADMIN_EMAIL, demo_email
from tests.conftest import DEMO_PASSWORD
from tests.integration.test_access import API_COOKIE_ONLY, ROUTES
from tests.pages import sign_in

LANCASHIRE = "E10000017"
EMAILS = {
    Role.STAFF: demo_email("staff", LANCASHIRE),
    Role.ANALYST: demo_email("analyst", LANCASHIRE),
    Role.AUTHORITY_ADMIN: demo_email("admin", LANCASHIRE),
    Role.INSPECTOR: INSPECTOR_EMAIL,
    Role.NETWORK_ADMIN: NETWORK_ADMIN_EMAIL,
}
REFUSED = {401, 403}  # what the guard answers a role it does not admit
# Rules whose every URL is worth opening once (query strings aside); the rest are opened
# for their first URL only, which keeps the walk to one page per route.
MAX_PAGES = 80


class _Offers(HTMLParser):
    """Every link (GET) and form (its method) on a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.offers: list[tuple[str, str, str]] = []  # (method, url, what)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.offers.append(("GET", attributes["href"] or "", "link"))
        elif tag == "form":
            method = (attributes.get("method") or "get").upper()
            self.offers.append((method, attributes.get("action") or "", "form"))


def _offers(html: str) -> list[tuple[str, str, str]]:
    parser = _Offers()
    parser.feed(html)
    parser.close()
    return parser.offers


def _rule(adapter, path: str, method: str) -> str | None:
    try:
        rule, _ = adapter.match(path, method=method, return_rule=True)
    except RequestRedirect as redirect:
        return _rule(adapter, urlsplit(redirect.new_url).path, method)
    except (NotFound, MethodNotAllowed):
        return None
    return None if rule.endpoint == "static" else rule.rule


def _guard_admits(app, adapter, path: str, method: str, role: Role) -> bool:
    endpoint, _ = adapter.match(path, method=method)
    rule = rule_for(endpoint, app)
    return rule == "public" or bool(rule and rule & ROLE_PERMISSIONS[role])


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_offered_action_is_one_the_role_may_take(demo, role):
    client = demo.test_client()
    assert sign_in(client, EMAILS[role], DEMO_PASSWORD).status_code == 302
    adapter = demo.url_map.bind("localhost")

    queue = ["/"]
    opened_rules: set[str] = set()
    seen_urls: set[str] = set()
    failures: list[str] = []
    offered = 0
    while queue and len(seen_urls) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        response = client.get(url)
        if response.status_code != 200:
            failures.append(f"GET {url}: {response.status_code}")
            continue
        if response.mimetype != "text/html":
            continue
        for method, target, what in _offers(response.get_data(as_text=True)):
            absolute = urljoin(f"http://localhost{url}", target)
            parts = urlsplit(absolute)
            if parts.netloc != "localhost" or parts.path == urlsplit(url).path and not target:
                # Off site, or a form that submits to the page it is on (a filter).
                continue
            rule = _rule(adapter, parts.path, method)
            if rule is None:
                if not parts.path.startswith("/static/"):
                    failures.append(f"{url}: {what} to {method} {parts.path} matches no route")
                continue
            expected = ROUTES[(method, rule)]
            if expected is API_COOKIE_ONLY:  # the JSON API, for tokens (test_api.py)
                continue
            offered += 1
            # Refused by role (the guard), not by an object's rule the page already
            # applied (a review's team, the staff-views team): opening it below checks.
            if expected[role] in REFUSED and not _guard_admits(
                demo, adapter, parts.path, method, role
            ):
                failures.append(f"{url}: {what} to {method} {rule}, refused to {role}")
            elif method == "GET" and rule not in opened_rules:
                opened_rules.add(rule)
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert failures == [], "\n".join(failures)
    assert offered > 10, sorted(opened_rules)
