"""Exports: the role x route rows (pages and API).

An authority's users download their own comparisons; an inspector names an authority
they hold a current grant for (without one there is nothing to export: 404); the
network's exports are the inspectors' alone. The API answers only to a token.
"""

from __future__ import annotations

from typing import Any

from bench.models import AUTHORITY_ROLES, Role, TokenScope

ANONYMOUS = "anonymous"
SIGN_IN = 302
REFUSED = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 403)}
COMPARERS = {**REFUSED, **dict.fromkeys(AUTHORITY_ROLES, 200), Role.INSPECTOR: 404}
INSPECTORS = {**REFUSED, Role.INSPECTOR: 200}
TOKEN_ONLY = {ANONYMOUS: 401, **dict.fromkeys(Role, 401)}

COMPARISONS = (
    "where-we-stand.csv",
    "trends.csv",
    "norm-or-exception.csv",
    "indicators/<indicator_code>.csv",
)
NETWORK = ("spread.csv", "figures.csv")

ROUTES: dict[tuple[str, str], dict[Any, int]] = {
    **{("GET", f"/compare/export/{name}"): COMPARERS for name in COMPARISONS},
    **{("GET", f"/compare/network/export/{name}"): INSPECTORS for name in NETWORK},
    **{("GET", f"/api/v1/exports/{name}"): TOKEN_ONLY for name in COMPARISONS},
    **{("GET", f"/api/v1/exports/network/{name}"): TOKEN_ONLY for name in NETWORK},
    # The pack: inspectors only, for an authority they name under a grant (none here: 404).
    ("GET", "/compare/export/inspection-pack.zip"): {**REFUSED, Role.INSPECTOR: 404},
    ("GET", "/api/v1/exports/inspection-pack.zip"): TOKEN_ONLY,
}

# No period is released in the API table: a reader reaches the service's 404.
API_ROUTES: dict[tuple[str, str], dict[Any, dict[Any, int]]] = {
    **{
        ("GET", f"/api/v1/exports/{name}"): {
            scope: {**dict.fromkeys(AUTHORITY_ROLES, 404), Role.INSPECTOR: 404}
            for scope in TokenScope
        }
        for name in COMPARISONS
    },
    **{
        ("GET", f"/api/v1/exports/network/{name}"): {
            scope: {Role.INSPECTOR: 404} for scope in TokenScope
        }
        for name in NETWORK
    },
    ("GET", "/api/v1/exports/inspection-pack.zip"): {
        scope: {Role.INSPECTOR: 404} for scope in TokenScope
    },
}
