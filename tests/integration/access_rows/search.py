"""Search: users of an authority and inspectors search what they may read; network admins
read no authority's notes or plans, so they are refused (DESIGN.md, Anonymity 14)."""

from __future__ import annotations

from bench.models import AUTHORITY_ROLES, Role, TokenScope

READERS = (*AUTHORITY_ROLES, Role.INSPECTOR)

ROUTES = {
    # No words yet: the form alone.
    ("GET", "/search/"): {
        "anonymous": 302,
        **dict.fromkeys(Role, 403),
        **dict.fromkeys(READERS, 200),
    },
    ("GET", "/api/v1/search"): {"anonymous": 401, **dict.fromkeys(Role, 401)},
}

# Any token reads; without q the search is a 422 naming the field.
API_ROUTES = {
    ("GET", "/api/v1/search"): {scope: dict.fromkeys(READERS, 422) for scope in TokenScope},
}
