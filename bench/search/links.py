"""Where a result links to: the page of its note, review, action or good-practice item.

Each path is built here only, so when an area's page moves, one line changes.
"""

from __future__ import annotations

from flask import current_app, url_for

from bench.models import SearchKind

NOTE_ENDPOINT = "visits.note"
PATHS = {
    SearchKind.NOTE: "/visits/notes/{id}",
    # An update is shown on its review's page (link_id is the review's id).
    SearchKind.REVIEW_UPDATE: "/reviews/{id}",
    SearchKind.ACTION: "/actions/{id}",
    SearchKind.GOOD_PRACTICE: "/sharing/good-practice/{id}",
}


def note_path(note_id: str) -> str:
    """The visits area's note page, by its route once it has one."""
    if NOTE_ENDPOINT in current_app.view_functions:
        return url_for(NOTE_ENDPOINT, note_id=note_id)
    return PATHS[SearchKind.NOTE].format(id=note_id)


def path_for(kind: SearchKind, link_id: str) -> str:
    if kind is SearchKind.NOTE:
        return note_path(link_id)
    return PATHS[kind].format(id=link_id)
