"""The sharing area's routes of the JSON API (/api/v1): same rules as its pages."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow
from bench.api import API_PREFIX
from bench.api.openapi import operation
from bench.api.views import json_body, page_response
from bench.sharing import goodpractice, service
from bench.sharing.schemas import (
    GoodPracticePageSchema,
    GoodPracticeQuerySchema,
    NoteSharesSchema,
    ShareBodySchema,
    ShareSchema,
)

bp = Blueprint("sharing_api", __name__, url_prefix=API_PREFIX)


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


@bp.get("/notes/<note_id>/shares")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Who a note is shared with",
    description=(
        "For the note's own authority: each level it was shared at (host, allies, "
        "inspector), live and revoked, newest first, and the anonymised good-practice "
        "copies made from it. Another authority's note is a 404."
    ),
    response=NoteSharesSchema,
)
def list_note_shares(note_id: str) -> ResponseReturnValue:
    return jsonify(NoteSharesSchema().dump(service.note_shares(_user(), note_id)))


@bp.post("/notes/<note_id>/shares")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Share a note",
    description=(
        "Share one of your authority's notes with the host (only while the host is your "
        "ally), with all allies, or with inspectors holding a current grant. A share with "
        "the host or allies lasts only while the alliances do. 409 if already shared at "
        "that level; the whole network gets an edited good-practice copy instead (pages)."
    ),
    body=ShareBodySchema,
    response=ShareSchema,
    errors=(409,),
    status=201,
)
def share_note(note_id: str) -> ResponseReturnValue:
    share = service.add_share(_user(), note_id, json_body())
    return jsonify(ShareSchema().dump(service.share_out(share))), 201


@bp.delete("/notes/<note_id>/shares/<level>")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Stop sharing a note at one level",
    description=(
        "The share is revoked now and kept in the note's history. 404 for a note that is "
        "not your authority's or a level that is not host, allies or inspector; 409 if "
        "the note is not shared at that level."
    ),
    response=ShareSchema,
    errors=(409,),
)
def unshare_note(note_id: str, level: str) -> ResponseReturnValue:
    share = service.revoke_share(_user(), note_id, level)
    return jsonify(ShareSchema().dump(service.share_out(share)))


@bp.get("/good-practice")
@allow(Permission.RECORD_VISITS, Permission.HOLD_GRANTS)
@operation(
    summary="The network's good practice",
    description=(
        "Anonymised good practice from visits across the network, published in release "
        "rounds: newest date first, by title within a date. Nothing in an item names the "
        "council, visit or note it came from."
    ),
    query=GoodPracticeQuerySchema,
    response=GoodPracticePageSchema,
)
def list_good_practice() -> ResponseReturnValue:
    page, query = goodpractice.api_page(request.args)
    return page_response(page, GoodPracticePageSchema(), query)
