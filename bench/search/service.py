"""Full-text search over what a user may read: notes, review updates, actions and good
practice. The rules live in the query (bench.search.queries); this module reads the
request's words and filters, and turns hits into results with links and safe snippets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup, escape

from bench import audit, messages
from bench.api.schemas import load
from bench.api.service import Page
from bench.errors import NotAllowed, RowError, ValidationFailed
from bench.extensions import db
from bench.models import KeyArea, SearchKind, User, utcnow
from bench.search import documents, index, queries
from bench.search.links import path_for
from bench.search.queries import Choice, Filters
from bench.search.schemas import page_query_schema
from bench.search.terms import MARK_END, MARK_START, without_marks
from bench.visits.visibility import Reader, reader_for

PER_PAGE = 20
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)


@dataclass(frozen=True)
class Result:
    kind: SearchKind
    id: str
    title: str
    snippet: str
    snippet_html: Markup
    date: date
    url: str


@dataclass(frozen=True)
class Choices:
    """What each filter offers: (value, words) pairs."""

    kinds: list[Choice]
    issue_types: list[Choice]
    indicators: list[Choice]
    key_areas: list[Choice]
    reviews: list[Choice]


@dataclass(frozen=True)
class SearchPage:
    choices: Choices
    # Whether a search was asked for (the form sent), and its results when it was valid.
    asked: bool
    results: Page[Result] | None = None
    errors: list[RowError] = field(default_factory=list)

    @property
    def pages(self) -> int:
        if self.results is None:
            return 0
        return max(1, -(-self.results.total // self.results.per_page))


def keep_index_current() -> None:
    """Re-index what every flush touches (called once the app registers the area)."""
    index.listen()


def _reader(user: User) -> Reader:
    reader = reader_for(user, utcnow())
    if reader is None:  # network admins: they read no authority's notes or plans
        raise NotAllowed(messages.API_FORBIDDEN)
    return reader


def marked(snippet: str) -> Markup:
    """*snippet* escaped for HTML, each matched word in ``<mark>``: the text is escaped
    before any tag is added, so nothing written in a note can become markup."""
    escaped = str(escape(snippet))
    return Markup(without_marks(_MARKED.sub(r"<mark>\1</mark>", escaped)))  # noqa: S704  # nosec B704  # escaped first


def _result(hit: queries.Hit) -> Result:
    return Result(
        kind=hit.kind,
        id=hit.public_id,
        title=hit.title,
        snippet=without_marks(hit.snippet),
        snippet_html=marked(hit.snippet),
        date=hit.dated_on,
        url=path_for(hit.kind, hit.link_id),
    )


def _filters(reader: Reader, query: Mapping[str, Any]) -> Filters:
    """The filters as ids; a code or id that names nothing (or another council's
    review) is an error on its field, so a typo does not read as "no results"."""
    errors: list[RowError] = []
    found: dict[str, Any] = {}
    for name, lookup, message in (
        ("issue_type", queries.issue_type_id, messages.SEARCH_ISSUE_TYPE_UNKNOWN),
        ("indicator", queries.indicator_id, messages.SEARCH_INDICATOR_UNKNOWN),
        (
            "review",
            lambda public_id: queries.review_id(reader.authority_id, public_id),
            messages.SEARCH_REVIEW_UNKNOWN,
        ),
    ):
        if query.get(name) is not None:
            found[name] = lookup(query[name])
            if found[name] is None:
                errors.append(RowError(None, name, message))
    if errors:
        raise ValidationFailed(errors)
    return Filters(
        kind=SearchKind(query["kind"]) if query.get("kind") else None,
        issue_type_id=found.get("issue_type"),
        indicator_id=found.get("indicator"),
        key_area=KeyArea(query["key_area"]) if query.get("key_area") else None,
        review_id=found.get("review"),
        date_from=query.get("date_from"),
        date_to=query.get("date_to"),
    )


def _audit_grant_use(user: User, reader: Reader, hits: list[queries.Hit]) -> None:
    """An inspector shown notes under a grant: each authority's log says so, as a page
    opened under its grant does (DESIGN.md, Anonymity 8)."""
    owners = {hit.owner_authority_id for hit in hits if hit.kind is SearchKind.NOTE}
    if not reader.inspector or not owners:
        return
    grants = queries.current_grants(user.id, {owner for owner in owners if owner}, reader.now)
    audit.grants_used(user, grants, "search")


def search(user: User, query: Mapping[str, Any]) -> Page[Result]:
    """One page of the results for *query* (loaded by SearchQuerySchema)."""
    reader = _reader(user)
    filters = _filters(reader, query)
    page, per_page = query["page"], query.get("per_page", PER_PAGE)
    hits, total = queries.search(reader, query["q"], filters, page, per_page)
    results = [_result(hit) for hit in hits]
    _audit_grant_use(user, reader, hits)
    return Page(results, page, per_page, total)


def search_page(user: User, args: Mapping[str, Any]) -> SearchPage:
    """The search page: the filters' choices and, once the form is sent, the results or
    what is wrong with the form."""
    reader = _reader(user)
    choices = Choices(
        kinds=[Choice(kind.value, kind.label) for kind in SearchKind],
        issue_types=queries.issue_types(),
        indicators=queries.indicators(),
        key_areas=[Choice(area.value, area.label) for area in KeyArea],
        reviews=queries.reviews_of(reader.authority_id),
    )
    if not args:
        return SearchPage(choices, asked=False)
    try:
        results = search(user, load(page_query_schema(), args))
    except ValidationFailed as failed:
        return SearchPage(choices, asked=True, errors=failed.errors)
    return SearchPage(choices, asked=True, results=results)


def reindex() -> int:
    """Every document written again from its source (``flask search reindex``, and the
    demo seed); the number written."""
    written = documents.rebuild(db.session.connection())
    db.session.commit()
    return written
