"""The staffviews area's routes of the JSON API (/api/v1): same rules as its pages.

Writes need a token with the record scope. Giving an anonymous view answers without its
id, and leaves the token's "last used" time as it was (bench.access.untraced): nothing
written by the request says who sent it.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow, untraced
from bench.api import API_PREFIX
from bench.api.openapi import operation
from bench.api.views import json_body
from bench.errors import Conflict
from bench.staffviews import service
from bench.staffviews.schemas import (
    GivenSchema,
    HideInSchema,
    ResponseInSchema,
    ShownViewSchema,
    StaffViewInSchema,
    StaffViewsSchema,
)

bp = Blueprint("staffviews_api", __name__, url_prefix=API_PREFIX)


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


@bp.get("/staff-views")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Staff views: what you may see",
    description=(
        "you_said_we_did: views the team has responded to, with the responses; every user "
        "of your council reads them, the author named only where they chose to be. For "
        "the team (your council's authority admins, and a review's team members for views "
        "about it), rounds: each open round, and ended rounds with views. A round shows "
        "its named views, its anonymous views in batches of five (all of them once it has "
        "ended), what the team hid and why, and while open only that fewer than five "
        "anonymous views are waiting. No view carries the day it was given."
    ),
    response=StaffViewsSchema,
)
def list_staff_views() -> ResponseReturnValue:
    return jsonify(StaffViewsSchema().dump(service.staff_views(_user())))


@bp.post("/staff-views")
@allow(Permission.RECORD_VISITS)
@untraced
@operation(
    summary="Give a staff view",
    description=(
        "A view on what needs changing, for a key area and optionally one of your "
        "council's reviews still taking views; anonymous unless anonymous is false. An "
        "anonymous view is kept with no user, session, token, address or time of day "
        "(the date only), writes no audit event, and the answer carries no id. At most "
        "BENCH_STAFF_VIEWS_PER_DAY views (default 10) a user a day, named or anonymous "
        "alike: beyond that, 429 and nothing is written."
    ),
    body=StaffViewInSchema,
    response=GivenSchema,
    errors=(429,),
    status=201,
)
def give_staff_view() -> ResponseReturnValue:
    try:
        given = service.give(_user(), json_body())
    except Conflict as error:  # the daily limit: too many requests, said as such
        abort(429, error.message)
    return jsonify(GivenSchema().dump(given)), 201


@bp.post("/staff-views/<view_id>/responses")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Respond to a staff view (the team)",
    description=(
        "The team's \"we did\", optionally linking one of your council's follow-up "
        "actions by its id; the view is then read by every user of your council. 404 for "
        "a view the team cannot see (another council's, or an anonymous view not yet "
        "released); 403 for a responded view you are not on the team for; 409 while the "
        "view is hidden."
    ),
    body=ResponseInSchema,
    response=ShownViewSchema,
    errors=(409,),
    status=201,
)
def respond_to_staff_view(view_id: str) -> ResponseReturnValue:
    shown = service.respond(_user(), view_id, json_body())
    return jsonify(ShownViewSchema().dump(shown)), 201


@bp.post("/staff-views/<view_id>/hide")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Hide a staff view (the team)",
    description=(
        "Moderation: the text is kept and shown to the team as hidden, with the reason; "
        "staff no longer see it. Audited with you and the reason, never the author. 409 "
        "if it is already hidden."
    ),
    body=HideInSchema,
    response=ShownViewSchema,
    errors=(409,),
)
def hide_staff_view(view_id: str) -> ResponseReturnValue:
    return jsonify(ShownViewSchema().dump(service.hide(_user(), view_id, json_body())))


@bp.post("/staff-views/<view_id>/unhide")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Show a hidden staff view again (the team)",
    description="Audited with you, never the author. 409 if it is not hidden.",
    response=ShownViewSchema,
    errors=(409,),
)
def unhide_staff_view(view_id: str) -> ResponseReturnValue:
    return jsonify(ShownViewSchema().dump(service.unhide(_user(), view_id)))
