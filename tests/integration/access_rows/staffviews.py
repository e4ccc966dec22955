"""Staff views: the role x route rows (pages and API) and a stranger's view.

Any user of an authority gives views and reads "you said, we did"; only the team (its
authority admins, and a review's team members) reads views as they come in. Inspectors
and network admins have no access. The view in the table is a stranger's (named, and
responded to, so the most visible kind): everyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

from bench.extensions import db
from bench.models import AUTHORITY_ROLES, Role, StaffViewResponse, StaffViewStatus, TokenScope
from tests import factories_staffviews

ANONYMOUS = "anonymous"
SIGN_IN = 302
OWN_USERS = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 403), **dict.fromkeys(AUTHORITY_ROLES, 200)}
# The team page: authority admins are the team for every view; a user on no review team
# is refused.
TEAM = {**OWN_USERS, Role.STAFF: 403, Role.ANALYST: 403}
# Another authority's view: as if it did not exist.
STRANGERS_VIEW = {**OWN_USERS, **dict.fromkeys(AUTHORITY_ROLES, 404)}

ROUTES: dict[tuple[str, str], dict[Any, int]] = {
    ("GET", "/staff-views/"): OWN_USERS,
    ("POST", "/staff-views/"): OWN_USERS,  # empty: the form again, with errors
    ("GET", "/staff-views/team"): TEAM,
    ("GET", "/staff-views/<view_id>/respond"): STRANGERS_VIEW,
    ("POST", "/staff-views/<view_id>/respond"): STRANGERS_VIEW,
    ("GET", "/staff-views/<view_id>/hide"): STRANGERS_VIEW,
    ("POST", "/staff-views/<view_id>/hide"): STRANGERS_VIEW,
    ("POST", "/staff-views/<view_id>/unhide"): STRANGERS_VIEW,
    ("GET", "/api/v1/staff-views"): {ANONYMOUS: 401, **dict.fromkeys(Role, 401)},
    ("POST", "/api/v1/staff-views"): {ANONYMOUS: 401, **dict.fromkeys(Role, 401)},
    ("POST", "/api/v1/staff-views/<view_id>/responses"): {
        ANONYMOUS: 401,
        **dict.fromkeys(Role, 401),
    },
    ("POST", "/api/v1/staff-views/<view_id>/hide"): {ANONYMOUS: 401, **dict.fromkeys(Role, 401)},
    ("POST", "/api/v1/staff-views/<view_id>/unhide"): {
        ANONYMOUS: 401,
        **dict.fromkeys(Role, 401),
    },
}


def _writes(status: int) -> dict[TokenScope, dict[Role, int]]:
    """A write: only a record token of an authority's user reaches the service."""
    return {
        scope: dict.fromkeys(AUTHORITY_ROLES, status) if scope is TokenScope.RECORD else {}
        for scope in TokenScope
    }


# (method, path) -> scope -> role -> status (a missing role: 403). An empty body is a 422;
# the API table's ids name nothing, so a view is a 404.
API_ROUTES: dict[tuple[str, str], dict[Any, dict[Any, int]]] = {
    ("GET", "/api/v1/staff-views"): {
        scope: dict.fromkeys(AUTHORITY_ROLES, 200) for scope in TokenScope
    },
    ("POST", "/api/v1/staff-views"): _writes(422),
    ("POST", "/api/v1/staff-views/<view_id>/responses"): _writes(404),
    ("POST", "/api/v1/staff-views/<view_id>/hide"): _writes(404),
    ("POST", "/api/v1/staff-views/<view_id>/unhide"): _writes(404),
}


def stranger_ids(stranger: Any, third: Any, stranger_user: Any) -> dict[str, str]:
    """A named view of the stranger's, responded to: every other user gets a 404."""
    view = factories_staffviews.staff_view(
        stranger, stranger_user, body_md=f"{stranger.name} needs more staff"
    )
    view.status = StaffViewStatus.RESPONDED
    db.session.add(
        StaffViewResponse(view_id=view.id, body_md="We hired two", responded_by_id=stranger_user.id)
    )
    db.session.commit()
    return {"view_id": view.id}
