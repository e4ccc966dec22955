"""The visits area's routes of the JSON API (/api/v1): same rules as its pages.

Visits and their notes are the visiting authority's (its users, with a record token to
write); a note is also read, through /notes/<id>, by every reader the sharing rules allow.
Another authority's id, or a note the caller may not read, is a 404.
"""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import Permission, allow
from bench.api import API_PREFIX
from bench.api.openapi import operation
from bench.api.schemas import PageQuerySchema, load
from bench.api.views import json_body, page_response
from bench.errors import Conflict, problem
from bench.visits import notes, service
from bench.visits.schemas import (
    NoteConflictSchema,
    NoteEditSchema,
    NoteInSchema,
    NoteListSchema,
    NoteOutSchema,
    VisitDetailSchema,
    VisitInSchema,
    VisitPageSchema,
)

bp = Blueprint("visits_api", __name__, url_prefix=API_PREFIX)


def _user():  # noqa: ANN202 - the proxied User
    return current_user._get_current_object()


@bp.get("/visits")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Your council's visits",
    description=(
        "Visits to allies and meetings with them, newest first, a page at a time. The host "
        "is named while your councils are allies, as a former ally after (its name then "
        "taken out of titles and text); a visit to a council that is not an ally names none."
    ),
    query=PageQuerySchema,
    response=VisitPageSchema,
)
def list_visits() -> ResponseReturnValue:
    query = load(PageQuerySchema(), request.args)
    # One shape for every list of the API: the page and the path of the next one.
    return page_response(service.visits_page(_user(), **query), VisitPageSchema(), query)


@bp.post("/visits")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Record a visit or meeting",
    description=(
        "The host is the GSS code of one of your council's current allies, or null for a "
        "council that is not an ally: it is then recorded without naming it, and any other "
        "code is refused (422, naming the field). Who went are your council's active users, "
        "by email address; topics are approved issue types' and indicators' codes."
    ),
    body=VisitInSchema,
    response=VisitDetailSchema,
    status=201,
)
def record_visit() -> ResponseReturnValue:
    made = service.record(_user(), json_body())
    return jsonify(VisitDetailSchema().dump({**vars(made), "notes": []})), 201


@bp.get("/visits/<visit_id>")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="One of your council's visits, with its notes",
    description="Another council's visit is a 404.",
    response=VisitDetailSchema,
)
def get_visit(visit_id: str) -> ResponseReturnValue:
    shown = service.visit(_user(), visit_id)
    found = notes.visit_notes(_user(), visit_id)
    return jsonify(VisitDetailSchema().dump({**vars(shown), "notes": found}))


@bp.get("/visits/<visit_id>/notes")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="A visit's notes",
    description="The current text of each note of one of your council's visits, by section.",
    response=NoteListSchema,
)
def list_notes(visit_id: str) -> ResponseReturnValue:
    return jsonify(NoteListSchema().dump({"notes": notes.visit_notes(_user(), visit_id)}))


@bp.post("/visits/<visit_id>/notes")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Write a note",
    description=(
        "A new note in one section of the visit (what they do differently, what we could "
        "adopt, what to ask next, good practice seen), in Markdown: its revision 1. It is "
        "your council's own until shared."
    ),
    body=NoteInSchema,
    response=NoteOutSchema,
    status=201,
)
def write_note(visit_id: str) -> ResponseReturnValue:
    made = notes.write(_user(), visit_id, json_body())
    return jsonify(NoteOutSchema().dump(made)), 201


@bp.get("/notes/<note_id>")
@allow(Permission.RECORD_VISITS, Permission.HOLD_GRANTS)
@operation(
    summary="Read a note",
    description=(
        "The note's current text (Markdown source and sanitised HTML) with its revisions, "
        "for your own council's notes, and for a note shared with your council (as its "
        "host, or with all allies, while allied) or with inspectors (under a current "
        "grant). Where you may not see the host's name, it is taken out of the title and "
        "text. Any other note is a 404. An inspector's read is in the council's audit log."
    ),
    response=NoteOutSchema,
)
def read_note(note_id: str) -> ResponseReturnValue:
    return jsonify(NoteOutSchema().dump(notes.read(_user(), note_id)))


@bp.put("/notes/<note_id>")
@allow(Permission.RECORD_VISITS)
@operation(
    summary="Revise a note",
    description=(
        "Send the new text with the number of the revision you edited. If someone saved "
        "the note since, nothing is saved: 409, with the current revision's number in "
        "current_revision (read the note, merge, and send again with that number). "
        "Otherwise the answer is the note at its new revision."
    ),
    body=NoteEditSchema,
    response=NoteOutSchema,
    errors=(409,),
    problems={409: NoteConflictSchema},
)
def revise_note(note_id: str) -> ResponseReturnValue:
    try:
        revised = notes.revise(_user(), note_id, json_body())
    except Conflict as conflict:
        response = problem(409, conflict.message)
        body = json.loads(response.get_data())
        body["current_revision"] = notes.for_editing(_user(), note_id).revision
        response.set_data(json.dumps(body))
        return response
    return jsonify(NoteOutSchema().dump(revised))
