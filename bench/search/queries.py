"""The search: one statement for a page of results and one for their number, each holding
the full-text match, the rule on who may read what, and the filters.

Who may read a document is decided by its kind, inside the statement:

- notes: bench.visits.visibility.note_readable, on the note joined to its visit;
- review updates and actions: users of the authority that owns them;
- good practice: every authority user and inspector, once published and its day has come.

A note whose visit has a host is matched and shown from its redacted copy (the host's
names taken out) unless the reader may know who the host is (:func:`host_nameable`, the
SQL twin of visibility.may_name_host). Each statement is a union of two halves, the
plain text and the redacted text, and each document falls in exactly one: so neither a
result, its title, its snippet nor the count can come from text the reader may not see.

Ranking uses only the document itself (a title holding a word first; on PostgreSQL then
``ts_rank``; then the newest), never statistics over the whole index such as FTS5's
bm25, which would let documents a reader cannot see shift the order of those they can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    column,
    exists,
    false,
    func,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    table,
    union_all,
)

from bench.extensions import db
from bench.models import (
    GoodPracticeItem,
    GoodPracticeStatus,
    Indicator,
    InspectorGrant,
    IssueType,
    IssueTypeStatus,
    KeyArea,
    Review,
    SearchDocument,
    SearchFacet,
    SearchKind,
    Visit,
    VisitNote,
)
from bench.models.search import FULL_TEXT_TABLE, SEARCH_VECTOR, SEARCH_VECTOR_REDACTED
from bench.search.terms import MARK_END, MARK_START, Terms
from bench.visits.visibility import Reader, host_nameable, note_readable

D = SearchDocument


@dataclass(frozen=True)
class Filters:
    kind: SearchKind | None = None
    issue_type_id: int | None = None
    indicator_id: int | None = None
    key_area: KeyArea | None = None
    review_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


class Hit(NamedTuple):
    kind: SearchKind
    public_id: str
    link_id: str
    title: str
    dated_on: date
    # The matched words between terms.MARK_START and terms.MARK_END.
    snippet: str
    # Notes, updates and actions: the council they belong to (never shown).
    owner_authority_id: int | None


# --- who may read what --------------------------------------------------------------


def readable(reader: Reader | None) -> ColumnElement[bool]:
    """The documents *reader* may read: a condition on ``SearchDocument`` outer-joined to
    its note, the note's visit and its good-practice item."""
    if reader is None:
        return false()
    out_now = and_(
        D.kind == SearchKind.GOOD_PRACTICE,
        GoodPracticeItem.status == GoodPracticeStatus.PUBLISHED,
        GoodPracticeItem.published_on <= reader.now.date(),
    )
    notes = and_(D.kind == SearchKind.NOTE, note_readable(reader))
    if reader.inspector:
        return or_(notes, out_now)
    own = and_(
        D.kind.in_((SearchKind.REVIEW_UPDATE, SearchKind.ACTION)),
        D.owner_authority_id == reader.authority_id,
    )
    return or_(notes, own, out_now)


def _filtered(filters: Filters) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.kind is not None:
        conditions.append(D.kind == filters.kind)
    if filters.review_id is not None:
        conditions.append(D.review_id == filters.review_id)
    if filters.date_from is not None:
        conditions.append(D.dated_on >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(D.dated_on <= filters.date_to)
    for facet, wanted in (
        (SearchFacet.issue_type_id, filters.issue_type_id),
        (SearchFacet.indicator_id, filters.indicator_id),
        (SearchFacet.key_area, filters.key_area),
    ):
        if wanted is not None:
            conditions.append(exists().where(SearchFacet.document_id == D.id, facet == wanted))
    return conditions


# --- each backend's full text -------------------------------------------------------

FTS_COLUMNS = ("title", "body", "title_redacted", "body_redacted")  # the FTS5 order
ENGLISH = literal_column("'english'::regconfig")
HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, ShortWord=2, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


class _SQLite:
    """FTS5: the match, the title test and the snippet come from the FTS5 row."""

    fts = table(FULL_TEXT_TABLE, column("rowid"))
    name = literal_column(FULL_TEXT_TABLE)

    def source(self, query: Select[Any]) -> Select[Any]:
        return query.select_from(self.fts).join(D, D.id == self.fts.c.rowid)

    def _columns(self, redacted: bool) -> tuple[str, str]:
        return FTS_COLUMNS[2:] if redacted else FTS_COLUMNS[:2]

    def match(self, terms: Terms, redacted: bool) -> ColumnElement[bool]:
        return self.name.bool_op("MATCH")(literal(terms.fts5(*self._columns(redacted))))

    def title_hit(self, terms: Terms, redacted: bool) -> ColumnElement[Any]:
        title = FTS_COLUMNS.index(self._columns(redacted)[0])
        marked = func.highlight(self.name, title, MARK_START, MARK_END)
        return func.instr(marked, MARK_START) > 0

    def relevance(self, terms: Terms, redacted: bool) -> ColumnElement[Any]:
        return literal(0.0)

    def snippet(self, terms: Terms, redacted: bool) -> ColumnElement[Any]:
        body = FTS_COLUMNS.index(self._columns(redacted)[1])
        return func.snippet(self.name, body, MARK_START, MARK_END, "…", 24)

    def page(self, chosen: Subquery, terms: Terms) -> Select[Any]:
        return select(*_shown(chosen), chosen.c.snippet, chosen.c.owner_authority_id)


class _PostgreSQL:
    """Generated tsvector columns; the snippet (ts_headline, slow) for one page only."""

    def source(self, query: Select[Any]) -> Select[Any]:
        return query.select_from(D)

    def _vector(self, redacted: bool) -> ColumnElement[Any]:
        name = SEARCH_VECTOR_REDACTED if redacted else SEARCH_VECTOR
        return literal_column(f"{D.__tablename__}.{name}")

    def _query(self, text: str) -> ColumnElement[Any]:
        return func.websearch_to_tsquery(ENGLISH, literal(text))

    def match(self, terms: Terms, redacted: bool) -> ColumnElement[bool]:
        return self._vector(redacted).bool_op("@@")(self._query(terms.websearch()))

    def title_hit(self, terms: Terms, redacted: bool) -> ColumnElement[Any]:
        titles = func.ts_filter(self._vector(redacted), literal_column("'{a}'"))
        return titles.bool_op("@@")(self._query(terms.websearch_any()))

    def relevance(self, terms: Terms, redacted: bool) -> ColumnElement[Any]:
        return func.ts_rank(self._vector(redacted), self._query(terms.websearch()))

    def snippet(self, terms: Terms, redacted: bool) -> ColumnElement[Any]:
        return null()

    def page(self, chosen: Subquery, terms: Terms) -> Select[Any]:
        text = case((chosen.c.redacted, D.body_redacted), else_=D.body)
        headline = func.ts_headline(
            ENGLISH, text, self._query(terms.websearch()), literal(HEADLINE)
        )
        return select(*_shown(chosen), headline, chosen.c.owner_authority_id).join_from(
            chosen, D, D.id == chosen.c.id
        )


def _shown(chosen: Subquery) -> tuple[Any, ...]:
    return (
        chosen.c.kind,
        chosen.c.public_id,
        chosen.c.link_id,
        chosen.c.title,
        chosen.c.dated_on,
    )


def _backend() -> _SQLite | _PostgreSQL:
    return _SQLite() if db.session.get_bind().dialect.name == "sqlite" else _PostgreSQL()


# --- the statements -----------------------------------------------------------------


def _half(
    backend: _SQLite | _PostgreSQL,
    reader: Reader,
    terms: Terms,
    filters: Filters,
    *,
    redacted: bool,
    counting: bool,
) -> Select[Any]:
    """The documents matched in the plain text (or the redacted text) that *reader* may
    read, and the text they are shown with."""
    if counting:
        columns: tuple[Any, ...] = (D.id,)
    else:
        columns = (
            D.id,
            D.kind,
            D.public_id,
            D.link_id,
            (D.title_redacted if redacted else D.title).label("title"),
            D.dated_on,
            D.owner_authority_id,
            backend.title_hit(terms, redacted).label("title_hit"),
            backend.relevance(terms, redacted).label("relevance"),
            literal(redacted, Boolean).label("redacted"),
            backend.snippet(terms, redacted).label("snippet"),
        )
    nameable = host_nameable(reader)
    half = (
        or_(D.body_redacted.is_(None), nameable)
        if not redacted
        else and_(D.body_redacted.is_not(None), not_(nameable))
    )
    return (
        backend.source(select(*columns))
        .outerjoin(VisitNote, VisitNote.id == D.note_id)
        .outerjoin(Visit, Visit.id == VisitNote.visit_id)
        .outerjoin(GoodPracticeItem, GoodPracticeItem.id == D.good_practice_item_id)
        .where(
            backend.match(terms, redacted),
            readable(reader),
            half,
            *_filtered(filters),
        )
    )


def search(
    reader: Reader, terms: Terms, filters: Filters, page: int, per_page: int
) -> tuple[list[Hit], int]:
    """One page of what *reader* may read that holds every word, best first, and how many
    there are on all pages."""
    backend = _backend()

    def halves(counting: bool) -> Any:
        return union_all(
            *(
                _half(backend, reader, terms, filters, redacted=redacted, counting=counting)
                for redacted in (False, True)
            )
        ).subquery("hits" if not counting else "counted")

    total = db.session.scalar(select(func.count()).select_from(halves(True))) or 0
    hits = halves(False)
    order = (hits.c.title_hit.desc(), hits.c.relevance.desc(), hits.c.dated_on.desc(), hits.c.id)
    chosen = (select(hits).order_by(*order).limit(per_page).offset((page - 1) * per_page)).subquery(
        "chosen"
    )
    again = (
        chosen.c.title_hit.desc(),
        chosen.c.relevance.desc(),
        chosen.c.dated_on.desc(),
        chosen.c.id,
    )
    rows = db.session.execute(backend.page(chosen, terms).order_by(*again)).all()
    return [Hit(*row[:5], row[5] or "", row[6]) for row in rows], int(total)


# --- the filters' choices -----------------------------------------------------------


class Choice(NamedTuple):
    value: str
    text: str


def issue_types() -> list[Choice]:
    """The approved catalogue (proposals may name the council that proposed them)."""
    rows = db.session.execute(
        select(IssueType.code, IssueType.title)
        .where(IssueType.status == IssueTypeStatus.APPROVED)
        .order_by(IssueType.title, IssueType.code)
    )
    return [Choice(*row) for row in rows]


def indicators() -> list[Choice]:
    rows = db.session.execute(
        select(Indicator.code, Indicator.title).order_by(Indicator.title, Indicator.code)
    )
    return [Choice(*row) for row in rows]


def reviews_of(authority_id: int | None) -> list[Choice]:
    if authority_id is None:
        return []
    rows = db.session.execute(
        select(Review.public_id, Review.title)
        .where(Review.authority_id == authority_id)
        .order_by(Review.starts_on.desc(), Review.title, Review.id)
    )
    return [Choice(*row) for row in rows]


def issue_type_id(code: str) -> int | None:
    return db.session.scalar(
        select(IssueType.id)
        .where(IssueType.code == code, IssueType.status == IssueTypeStatus.APPROVED)
        .order_by(IssueType.id)
    )


def indicator_id(code: str) -> int | None:
    return db.session.scalar(
        select(Indicator.id).where(Indicator.code == code).order_by(Indicator.id)
    )


def current_grants(
    inspector_id: int, authority_ids: set[int], now: datetime
) -> list[InspectorGrant]:
    """The inspector's grants in force now for these authorities, one an authority (the
    one lasting longest)."""
    rows = db.session.scalars(
        select(InspectorGrant)
        .where(
            InspectorGrant.inspector_id == inspector_id,
            InspectorGrant.authority_id.in_(authority_ids),
            InspectorGrant.revoked_at.is_(None),
            InspectorGrant.starts_at <= now,
            InspectorGrant.expires_at > now,
        )
        .order_by(InspectorGrant.authority_id, InspectorGrant.expires_at.desc())
    )
    chosen: dict[int, InspectorGrant] = {}
    for grant in rows:
        chosen.setdefault(grant.authority_id, grant)
    return list(chosen.values())


def review_id(authority_id: int | None, public_id: str) -> int | None:
    """A review of the reader's own authority; None for anyone else's."""
    if authority_id is None:
        return None
    return db.session.scalar(
        select(Review.id)
        .where(Review.authority_id == authority_id, Review.public_id == public_id)
        .order_by(Review.id)
    )
