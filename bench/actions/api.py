"""The actions area's routes of the JSON API (/api/v1): same rules as its pages.

Any user of an authority who records visits reads its actions with any token; adding and
updating need a token with the record scope. Another authority's action is a 404.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow
from bench.actions import lists, service
from bench.actions.schemas import (
    ActionDetailSchema,
    ActionInSchema,
    ActionPageSchema,
    ActionSchema,
    ActionUpdateInSchema,
    ListQuerySchema,
)
from bench.actions.shown import ActionDetail
from bench.api import API_PREFIX
from bench.api.openapi import operation
from bench.api.schemas import load
from bench.api.views import json_body

bp = Blueprint("actions_api", __name__, url_prefix=API_PREFIX)


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


def _detail(shown: ActionDetail) -> ResponseReturnValue:
    body = {
        **service.as_fields(shown.action),
        "chain": [service.as_fields(earlier) for earlier in shown.chain],
        "progress": shown.progress,
    }
    return jsonify(ActionDetailSchema().dump(body))


@bp.get("/actions")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="List your authority's follow-up actions",
    description=(
        "Unfinished actions (open, in progress) unless a status is asked for: overdue "
        "first (due before today, UK time), then by due date (none last), then by "
        "description. Filter by one review's id, or by whether an action is overdue."
    ),
    query=ListQuerySchema,
    response=ActionPageSchema,
)
def list_actions() -> ResponseReturnValue:
    query = load(ListQuerySchema(), request.args)
    page = lists.api_list(_user(), **query)
    next_path = None
    if page.has_next:
        arguments = {key: value for key, value in request.args.items() if key != "page"}
        next_path = url_for("actions_api.list_actions", **arguments, page=page.page + 1)
    body = {
        "items": [service.as_fields(item) for item in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "next": next_path,
    }
    return jsonify(ActionPageSchema().dump(body))


@bp.post("/actions")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Add a follow-up action",
    description=(
        "From a visit, a review or a staff view of your authority (source and source_id), "
        "owned by an active user of your authority (owner_email) or a named person "
        "(owner_name). With an indicator, give a baseline and a target (the target "
        "period after the baseline period, each released or still to come); its page then "
        "shows progress from your own released figures. 422 names every field with a "
        "problem; nothing is written then."
    ),
    body=ActionInSchema,
    response=ActionSchema,
    status=201,
)
def create_action() -> ResponseReturnValue:
    made = service.create(_user(), json_body())
    return jsonify(ActionSchema().dump(service.as_fields(made))), 201


@bp.get("/actions/<action_id>")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="One follow-up action, its history and progress",
    description=(
        "The action with every update in order, every earlier action it was carried "
        "from (oldest first, with their updates), and, for an action with an indicator, "
        "your own released figures from the baseline period on against the baseline "
        "and target. No peer's figure. 404 for another authority's action."
    ),
    response=ActionDetailSchema,
)
def get_action(action_id: str) -> ResponseReturnValue:
    return _detail(service.detail(_user(), action_id))


@bp.post("/actions/<action_id>/updates")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Post an update to a follow-up action",
    description=(
        "Change the status, RAG rating, due date or owner, or add a note (at least one). "
        "Send the action's lock_version as you last read it: if anyone has updated it "
        "since, nothing is written and the answer is 409 (read it again, then retry). "
        "409 too for an action carried forward into a later review."
    ),
    body=ActionUpdateInSchema,
    response=ActionDetailSchema,
    errors=(409,),
)
def update_action(action_id: str) -> ResponseReturnValue:
    return _detail(service.post_update(_user(), action_id, json_body()))
