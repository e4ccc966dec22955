"""Role x route rows of the reviews area (see tests/integration/access_rows/__init__.py).

Any user of an authority reads its reviews and may start one; inspectors and network
admins have no access. The review in the rows is a stranger authority's: every user of
another authority gets a 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from bench.models import AUTHORITY_ROLES, Role, TokenScope
from tests import factories_reviews

ANONYMOUS = "anonymous"
SIGN_IN = 302
# Empty POSTs to /reviews/new come back as the form with its errors (200).
OWN = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 403), **dict.fromkeys(AUTHORITY_ROLES, 200)}
STRANGERS = {**OWN, **dict.fromkeys(AUTHORITY_ROLES, 404)}

ROUTES: dict[tuple[str, str], dict[Any, int]] = {
    ("GET", "/reviews/"): OWN,
    ("GET", "/reviews/new"): OWN,
    ("POST", "/reviews/new"): OWN,
    ("GET", "/reviews/updates"): OWN,
    ("GET", "/reviews/<review_id>"): STRANGERS,
    ("POST", "/reviews/<review_id>/updates"): STRANGERS,
    ("POST", "/reviews/<review_id>/evidence"): STRANGERS,
    ("GET", "/reviews/<review_id>/edit"): STRANGERS,
    ("POST", "/reviews/<review_id>/edit"): STRANGERS,
    ("GET", "/reviews/<review_id>/team"): STRANGERS,
    ("POST", "/reviews/<review_id>/team"): STRANGERS,
    # The JSON API takes bearer tokens only: a session cookie is a 401 (test_api.py).
    **{
        (method, path): {ANONYMOUS: 401, **dict.fromkeys(Role, 401)}
        for method, path in (
            ("GET", "/api/v1/reviews"),
            ("POST", "/api/v1/reviews"),
            ("GET", "/api/v1/reviews/<review_id>"),
            ("PUT", "/api/v1/reviews/<review_id>"),
            ("GET", "/api/v1/reviews/<review_id>/updates"),
            ("POST", "/api/v1/reviews/<review_id>/updates"),
            ("POST", "/api/v1/reviews/<review_id>/evidence"),
        )
    },
}

READERS = dict.fromkeys(AUTHORITY_ROLES, 200)
NOT_FOUND = dict.fromkeys(AUTHORITY_ROLES, 404)


def _writes(answer: dict[Role, int]) -> dict[TokenScope, dict[Role, int]]:
    """Writes take a record token (of a user of an authority); any other scope is a 403."""
    return {scope: answer if scope is TokenScope.RECORD else {} for scope in TokenScope}


# The ids name nothing (no-such-id): reads and writes alike are a 404 once allowed in; an
# empty body to start a review is a 422.
API_ROUTES: dict[tuple[str, str], dict[Any, dict[Any, int]]] = {
    ("GET", "/api/v1/reviews"): {scope: READERS for scope in TokenScope},
    ("POST", "/api/v1/reviews"): _writes(dict.fromkeys(AUTHORITY_ROLES, 422)),
    ("GET", "/api/v1/reviews/<review_id>"): {scope: NOT_FOUND for scope in TokenScope},
    ("PUT", "/api/v1/reviews/<review_id>"): _writes(NOT_FOUND),
    ("GET", "/api/v1/reviews/<review_id>/updates"): {scope: NOT_FOUND for scope in TokenScope},
    ("POST", "/api/v1/reviews/<review_id>/updates"): _writes(NOT_FOUND),
    ("POST", "/api/v1/reviews/<review_id>/evidence"): _writes(NOT_FOUND),
}


def stranger_ids(stranger: Any, third: Any, stranger_user: Any) -> dict[str, str]:
    """A review of the stranger's, named after it, with its user on the team."""
    review = factories_reviews.review(
        stranger, team=[stranger_user], title=f"{stranger.name} review of {stranger.gss_code}"
    )
    factories_reviews.update(review, stranger_user, body_md=f"{stranger.name} news")
    return {"review_id": review.public_id}
