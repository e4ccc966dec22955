"""Role x route rows of the sharing area (notes shared with hosts, allies, inspectors, and
the network's good practice). The note and response are a stranger's: nobody else may
know they exist. The stranger's good-practice item is published: every authority user
and inspector reads it, nothing on it names the stranger, and only the stranger may
withdraw it."""

from __future__ import annotations

from bench.models import AUTHORITY_ROLES, ResponseKind, Role, ShareLevel, TokenScope
from tests import factories_sharing

ANONYMOUS = "anonymous"
SIGN_IN = 302
COOKIE_ONLY = {ANONYMOUS: 401, **dict.fromkeys(Role, 401)}
RECORDERS = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 403), **dict.fromkeys(AUTHORITY_ROLES, 200)}
# Another authority's note, response or item: its users' roles get a 404.
RECORDERS_MISSING = {**RECORDERS, **dict.fromkeys(AUTHORITY_ROLES, 404)}
HOST_ADMINS_MISSING = {
    ANONYMOUS: SIGN_IN,
    **dict.fromkeys(Role, 403),
    Role.AUTHORITY_ADMIN: 404,
}
INSPECTORS = {ANONYMOUS: SIGN_IN, **dict.fromkeys(Role, 403), Role.INSPECTOR: 200}
READERS = {**RECORDERS, Role.INSPECTOR: 200}

ROUTES = {
    ("GET", "/sharing/notes/<note_id>"): RECORDERS_MISSING,
    ("POST", "/sharing/notes/<note_id>/shares"): RECORDERS_MISSING,
    ("POST", "/sharing/notes/<note_id>/shares/revoke"): RECORDERS_MISSING,
    ("GET", "/sharing/notes/<note_id>/responses"): RECORDERS_MISSING,
    ("POST", "/sharing/notes/<note_id>/responses/reply"): RECORDERS_MISSING,
    ("POST", "/sharing/notes/<note_id>/responses/correction"): RECORDERS_MISSING,
    ("GET", "/sharing/responses/<response_id>/accept"): RECORDERS_MISSING,
    ("POST", "/sharing/responses/<response_id>/accept"): RECORDERS_MISSING,
    ("POST", "/sharing/responses/<response_id>/decline"): RECORDERS_MISSING,
    ("POST", "/sharing/notes/<note_id>/consent"): HOST_ADMINS_MISSING,
    ("GET", "/sharing/with-us"): RECORDERS,
    ("GET", "/sharing/inspected"): INSPECTORS,
    ("GET", "/sharing/notes/<note_id>/good-practice"): RECORDERS_MISSING,
    ("POST", "/sharing/notes/<note_id>/good-practice"): RECORDERS_MISSING,
    ("POST", "/sharing/good-practice/<item_id>/withdraw"): RECORDERS_MISSING,
    ("GET", "/sharing/good-practice"): READERS,
    ("GET", "/sharing/good-practice/<item_id>"): READERS,
    ("GET", "/api/v1/notes/<note_id>/shares"): COOKIE_ONLY,
    ("POST", "/api/v1/notes/<note_id>/shares"): COOKIE_ONLY,
    ("DELETE", "/api/v1/notes/<note_id>/shares/<level>"): COOKIE_ONLY,
    ("GET", "/api/v1/good-practice"): COOKIE_ONLY,
}

_OWN = dict.fromkeys(AUTHORITY_ROLES, 404)  # the ids name nothing
_RECORD_ONLY = {scope: {} for scope in TokenScope} | {TokenScope.RECORD: _OWN}
API_ROUTES = {
    ("GET", "/api/v1/notes/<note_id>/shares"): {scope: _OWN for scope in TokenScope},
    ("POST", "/api/v1/notes/<note_id>/shares"): _RECORD_ONLY,
    ("DELETE", "/api/v1/notes/<note_id>/shares/<level>"): _RECORD_ONLY,
    ("GET", "/api/v1/good-practice"): {
        scope: {**dict.fromkeys(AUTHORITY_ROLES, 200), Role.INSPECTOR: 200} for scope in TokenScope
    },
}


def stranger_ids(stranger, third, stranger_user):  # noqa: ANN001, ANN201
    """The stranger's note about a visit to its ally *third*, shared with the host and
    with inspectors, with the host's correction; and a published good-practice copy of
    it (everyone reads it; only the stranger may withdraw it)."""
    visit = factories_sharing.visit(stranger, third, title=f"Visit to {third.name}")
    note = factories_sharing.note(visit, f"{third.name} triages on the day.")
    factories_sharing.share(note, ShareLevel.HOST)
    factories_sharing.share(note, ShareLevel.INSPECTOR)
    correction = factories_sharing.host_response(
        note, third, ResponseKind.CORRECTION, proposed_body_md="Corrected."
    )
    item = factories_sharing.good_practice(note, stranger)
    return {
        "note_id": note.public_id,
        "response_id": correction.public_id,
        "item_id": item.public_id,
    }
