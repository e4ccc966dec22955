"""The search area's routes of the JSON API (/api/v1): same rules as its pages."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bench.access import allow
from bench.api import API_PREFIX
from bench.api.openapi import operation
from bench.api.schemas import load
from bench.api.views import page_response
from bench.search import service
from bench.search.schemas import SearchPageSchema, SearchQuerySchema
from bench.search.views import READERS

bp = Blueprint("search_api", __name__, url_prefix=API_PREFIX)


@bp.get("/search")
@allow(*READERS)
@operation(
    summary="Search what you may read",
    description=(
        "Full-text search over the visit notes, review updates, actions and good practice "
        "you may read, best first (a title holding a word first, then the newest). Notes: "
        "your council's own, and those shared with your council as a current ally or host, "
        "or with you as an inspector holding a current grant; a note about a host you may "
        "not know is matched and shown with the host's name taken out. Updates and "
        "actions: your council's only. Good practice: once published. Nothing else is "
        "counted or shown. Network admins are refused."
    ),
    query=SearchQuerySchema,
    response=SearchPageSchema,
)
def search() -> ResponseReturnValue:
    query = load(SearchQuerySchema(), request.args)
    page = service.search(current_user._get_current_object(), query)
    # The next page's link repeats the parameters as sent (the words, not their parse).
    return page_response(page, SearchPageSchema(), request.args.to_dict())
