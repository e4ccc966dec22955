"""Visits and their notes: who gets what from each route (DESIGN.md "Who may do what":
an authority's users record and edit its own visit notes).

The ids are a stranger's visit to its ally and a note on it: no one else may know they
exist, so every role that gets past the route's rule finds nothing (404). A note's own
page and its API read also admit inspectors (a note shared with them under a grant);
without a grant they find nothing either.
"""

from __future__ import annotations

from bench.models import AUTHORITY_ROLES, Role, ShareLevel, TokenScope
from tests import factories_visits

ANONYMOUS = "anonymous"
SIGN_IN = 302
OWN = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 403), **dict.fromkeys(AUTHORITY_ROLES, 200)}
OWN_MISSING = {**OWN, **dict.fromkeys(AUTHORITY_ROLES, 404)}
READERS_MISSING = {**OWN_MISSING, Role.INSPECTOR: 404}
API_COOKIE_ONLY = {ANONYMOUS: 401, **dict.fromkeys(Role, 401)}

ROUTES = {
    ("GET", "/visits/"): OWN,
    ("GET", "/visits/new"): OWN,
    ("POST", "/visits/new"): OWN,  # empty: the form again, with errors
    ("GET", "/visits/<visit_id>"): OWN_MISSING,
    ("GET", "/visits/<visit_id>/edit"): OWN_MISSING,
    ("POST", "/visits/<visit_id>/edit"): OWN_MISSING,
    ("GET", "/visits/<visit_id>/notes/new"): OWN_MISSING,
    ("POST", "/visits/<visit_id>/notes/new"): OWN_MISSING,
    ("POST", "/visits/<visit_id>/drafts"): OWN_MISSING,
    ("POST", "/visits/<visit_id>/drafts/discard"): OWN_MISSING,
    ("POST", "/visits/session"): OWN,  # stay signed in: JSON
    ("GET", "/visits/notes/<note_id>"): READERS_MISSING,
    ("GET", "/visits/notes/<note_id>/edit"): OWN_MISSING,
    ("POST", "/visits/notes/<note_id>/edit"): OWN_MISSING,
    ("GET", "/visits/notes/<note_id>/delete"): OWN_MISSING,
    ("POST", "/visits/notes/<note_id>/delete"): OWN_MISSING,
    ("GET", "/visits/notes/<note_id>/revisions"): OWN_MISSING,
    ("GET", "/visits/notes/<note_id>/revisions/<int:number>"): OWN_MISSING,
    ("GET", "/api/v1/visits"): API_COOKIE_ONLY,
    ("POST", "/api/v1/visits"): API_COOKIE_ONLY,
    ("GET", "/api/v1/visits/<visit_id>"): API_COOKIE_ONLY,
    ("GET", "/api/v1/visits/<visit_id>/notes"): API_COOKIE_ONLY,
    ("POST", "/api/v1/visits/<visit_id>/notes"): API_COOKIE_ONLY,
    ("GET", "/api/v1/notes/<note_id>"): API_COOKIE_ONLY,
    ("PUT", "/api/v1/notes/<note_id>"): API_COOKIE_ONLY,
}

_OWN_API = dict.fromkeys(AUTHORITY_ROLES, 200)
_OWN_API_MISSING = dict.fromkeys(AUTHORITY_ROLES, 404)


def _record_only(expected: dict[Role, int]) -> dict[TokenScope, dict[Role, int]]:
    """Writes need a record token (and a role that records visits)."""
    return {scope: expected if scope is TokenScope.RECORD else {} for scope in TokenScope}


# The API table tries ids that name nothing: a 404 for whoever passes the rule.
API_ROUTES = {
    ("GET", "/api/v1/visits"): {scope: _OWN_API for scope in TokenScope},
    ("POST", "/api/v1/visits"): _record_only(dict.fromkeys(AUTHORITY_ROLES, 422)),
    ("GET", "/api/v1/visits/<visit_id>"): {scope: _OWN_API_MISSING for scope in TokenScope},
    ("GET", "/api/v1/visits/<visit_id>/notes"): {scope: _OWN_API_MISSING for scope in TokenScope},
    ("POST", "/api/v1/visits/<visit_id>/notes"): _record_only(_OWN_API_MISSING),
    ("GET", "/api/v1/notes/<note_id>"): {
        scope: {**_OWN_API_MISSING, Role.INSPECTOR: 404} for scope in TokenScope
    },
    ("PUT", "/api/v1/notes/<note_id>"): _record_only(_OWN_API_MISSING),
}


def stranger_ids(stranger, third, stranger_user) -> dict[str, str]:  # noqa: ANN001
    """The stranger's visit to its ally (*third*), named, with a note that names both and
    is shared with every level (so only the sharing rules keep others out)."""
    visit = factories_visits.visit(
        stranger, third, title=f"{stranger.name} visits {third.name}", people=stranger.name
    )
    note = factories_visits.note(
        visit, body=f"{stranger.name} ({stranger.gss_code}) saw {third.name}", author=stranger_user
    )
    for level in (ShareLevel.HOST, ShareLevel.ALLIES, ShareLevel.INSPECTOR):
        factories_visits.share(note, level)
    factories_visits.draft(stranger_user, visit, body=f"{stranger.name} draft", note_=note)
    return {"visit_id": visit.public_id, "note_id": note.public_id}
