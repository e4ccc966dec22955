"""The reviews area's routes of the JSON API (/api/v1): same rules as its pages.

Reading needs any token of a user of the authority; writing needs the record scope.
Another authority's review is a 404; a review the user may not change (not on its
team, not an authority admin) is a 403 that says why.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow
from bench.api import API_PREFIX
from bench.api.openapi import operation
from bench.api.schemas import PageQuerySchema, load
from bench.api.views import json_body, page_response
from bench.reviews import pins, service
from bench.reviews.schemas import (
    EvidenceInSchema,
    EvidenceSchema,
    ReviewInSchema,
    ReviewPageSchema,
    ReviewPutSchema,
    ReviewSchema,
    ReviewUpdateInSchema,
    UpdatePageSchema,
    UpdateSchema,
)

bp = Blueprint("reviews_api", __name__, url_prefix=API_PREFIX)

WHO_CHANGES = (
    "Only the review's team members with accounts and your authority's admins may: "
    "anyone else gets a 403 that says so. Another authority's review is a 404."
)


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


@bp.get("/reviews")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="List your authority's reviews",
    description="Every review of your authority, newest start first, with its team and "
    "the reviews it follows and is followed by (pinned comparisons: one review at a time).",
    query=PageQuerySchema,
    response=ReviewPageSchema,
)
def list_reviews() -> ResponseReturnValue:
    query = load(PageQuerySchema(), request.args)
    return page_response(service.reviews_page(_user(), **query), ReviewPageSchema(), query)


@bp.post("/reviews")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Start a review",
    description="Any user of an authority may start one. The team defaults to you, as "
    "the lead; a team you send replaces that (leave yourself out and you cannot change "
    "the review afterwards unless you are an authority admin).",
    body=ReviewInSchema,
    response=ReviewSchema,
    status=201,
)
def start_review() -> ResponseReturnValue:
    user = _user()
    started = service.start_review(user, json_body())
    return jsonify(ReviewSchema().dump(service.review(user, started.public_id))), 201


@bp.get("/reviews/<review_id>")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="One review",
    description="Its fields, team, chain (previous and next reviews), lock_version and "
    "pinned comparisons: your own figure and classification when pinned, never a peer's.",
    response=ReviewSchema,
)
def get_review(review_id: str) -> ResponseReturnValue:
    return jsonify(ReviewSchema().dump(service.review(_user(), review_id)))


@bp.put("/reviews/<review_id>")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Change a review",
    description="Replaces every field (send them all, as GET gives them), and the team "
    "when you send one. Send the lock_version you read: if someone saved the review since, "
    "the answer is a 409 and nothing changes; read it again and reapply your change. Any "
    "status may follow any other; each change is audited. " + WHO_CHANGES,
    body=ReviewPutSchema,
    response=ReviewSchema,
    errors=(409,),
)
def change_review(review_id: str) -> ResponseReturnValue:
    user = _user()
    service.change_review(user, review_id, json_body())
    return jsonify(ReviewSchema().dump(service.review(user, review_id)))


@bp.get("/reviews/<review_id>/updates")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="A review's updates",
    description="Newest first. Every user of your authority may read them.",
    query=PageQuerySchema,
    response=UpdatePageSchema,
)
def list_updates(review_id: str) -> ResponseReturnValue:
    query = load(PageQuerySchema(), request.args)
    page = service.updates_of(_user(), review_id, **query)
    return page_response(page, UpdatePageSchema(), {**query, "review_id": review_id})


@bp.post("/reviews/<review_id>/updates")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Post an update on a review",
    description="Every user of your authority sees it; it cannot be changed once posted. "
    + WHO_CHANGES,
    body=ReviewUpdateInSchema,
    response=UpdateSchema,
    status=201,
)
def post_update(review_id: str) -> ResponseReturnValue:
    posted = service.post_update(_user(), review_id, json_body())
    return jsonify(UpdateSchema().dump(posted)), 201


@bp.post("/reviews/<review_id>/evidence")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Pin a comparison to a review",
    description="Keeps your own figure on an indicator in a released period and its "
    "classification against one of your peer groups, as the indicator's comparison page "
    "shows it today, with a link to that page. A group whose peers' figures are withheld "
    "for you is refused (422), with the reason. " + WHO_CHANGES,
    body=EvidenceInSchema,
    response=EvidenceSchema,
    status=201,
)
def pin_comparison(review_id: str) -> ResponseReturnValue:
    pinned = pins.pin(_user(), review_id, json_body())
    return jsonify(EvidenceSchema().dump(pinned)), 201
