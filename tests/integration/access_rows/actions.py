"""Follow-up actions: any user of the authority who records visits (staff, analysts,
authority admins); inspectors and network admins have no access here. The action and
review ids are a stranger authority's: nobody else may know they exist (404)."""

from __future__ import annotations

from typing import Any

from bench.models import AUTHORITY_ROLES, Role, TokenScope
from tests import factories_actions

ANONYMOUS = "anonymous"
SIGN_IN = 302

RECORDERS = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 403), **dict.fromkeys(AUTHORITY_ROLES, 200)}
RECORDERS_MISSING = {**RECORDERS, **dict.fromkeys(AUTHORITY_ROLES, 404)}
API_COOKIE_ONLY = {ANONYMOUS: 401, **dict.fromkeys(Role, 401)}

ROUTES: dict[tuple[str, str], dict[Any, int]] = {
    ("GET", "/actions/"): RECORDERS,
    ("GET", "/actions/new"): RECORDERS,
    ("POST", "/actions/new"): RECORDERS,  # empty: the form again, with errors
    ("GET", "/actions/<action_id>"): RECORDERS_MISSING,
    ("POST", "/actions/<action_id>/updates"): RECORDERS_MISSING,
    ("POST", "/actions/carry/<review_id>"): RECORDERS_MISSING,
    ("GET", "/api/v1/actions"): API_COOKIE_ONLY,
    ("POST", "/api/v1/actions"): API_COOKIE_ONLY,
    ("GET", "/api/v1/actions/<action_id>"): API_COOKIE_ONLY,
    ("POST", "/api/v1/actions/<action_id>/updates"): API_COOKIE_ONLY,
}

READERS = dict.fromkeys(AUTHORITY_ROLES, 200)
# Writes need a record token; an empty body is a 422, an id that names nothing a 404.
API_ROUTES: dict[tuple[str, str], dict[Any, dict[Any, int]]] = {
    ("GET", "/api/v1/actions"): {scope: READERS for scope in TokenScope},
    ("POST", "/api/v1/actions"): {
        TokenScope.READ: {},
        TokenScope.PUBLISH: {},
        TokenScope.MANAGE: {},
        TokenScope.RECORD: dict.fromkeys(AUTHORITY_ROLES, 422),
    },
    ("GET", "/api/v1/actions/<action_id>"): {
        scope: dict.fromkeys(AUTHORITY_ROLES, 404) for scope in TokenScope
    },
    ("POST", "/api/v1/actions/<action_id>/updates"): {
        TokenScope.READ: {},
        TokenScope.PUBLISH: {},
        TokenScope.MANAGE: {},
        TokenScope.RECORD: dict.fromkeys(AUTHORITY_ROLES, 404),
    },
}


def stranger_ids(stranger: Any, third: Any, stranger_user: Any) -> dict[str, str]:
    """A stranger's review (with a previous review holding an unfinished action, so that
    carrying would do something) and an action of it."""
    earlier = factories_actions.review(stranger, title=f"{stranger.name} last year")
    review = factories_actions.review(
        stranger, title=f"{stranger.name} this year", previous_review_id=earlier.id
    )
    factories_actions.action(stranger, review_id=earlier.id, description=stranger.name)
    action = factories_actions.action(stranger, review_id=review.id, owner=stranger.name)
    return {"action_id": action.public_id, "review_id": review.public_id}
