"""What the index holds for each source: its document's text, facets, owner and date.

Everything here works on a Core connection, so it can run inside a flush (bench.search.
index) as well as from ``flask search reindex``. Sources are read a set at a time: the
statements a refresh makes do not grow with the number of documents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Connection, and_, delete, insert, select, true

from bench.markdown import plain_text
from bench.models import (
    ActionUpdate,
    Authority,
    FollowUpAction,
    GoodPracticeItem,
    GoodPracticeStatus,
    NoteSection,
    Review,
    ReviewKeyArea,
    ReviewUpdate,
    SearchDocument,
    SearchFacet,
    SearchKind,
    UpdateKind,
    Visit,
    VisitNote,
    VisitNoteRevision,
    VisitTopic,
)
from bench.models.search import FULL_TEXT_TABLE
from bench.search.terms import without_marks
from bench.visits.visibility import names_of, redact

ACTION_TITLE_LENGTH = 120
Ids = set[int] | None  # None: every source of the kind


@dataclass
class Changed:
    """What a flush touched, by the ids the documents depend on."""

    notes: set[int] = field(default_factory=set)
    visits: set[int] = field(default_factory=set)
    hosts: set[int] = field(default_factory=set)
    reviews: set[int] = field(default_factory=set)
    updates: set[int] = field(default_factory=set)
    actions: set[int] = field(default_factory=set)
    items: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return any(vars(self).values())


class Built(NamedTuple):
    row: dict[str, Any]
    facets: list[dict[str, Any]]


class _Named(NamedTuple):
    """What bench.visits.visibility.names_of reads of an authority."""

    name: str
    gss_code: str


def _within(column: Any, ids: Ids) -> ColumnElement[bool]:
    return true() if ids is None else column.in_(ids)


def _text(markdown: str) -> str:
    return without_marks(plain_text(markdown))


def _day(moment: datetime) -> date:
    return moment.date()


def _key_areas(connection: Connection, review_ids: Iterable[int]) -> dict[int, list[str]]:
    wanted = set(review_ids)
    found: dict[int, list[str]] = defaultdict(list)
    if wanted:
        rows = connection.execute(
            select(ReviewKeyArea.review_id, ReviewKeyArea.key_area)
            .where(ReviewKeyArea.review_id.in_(wanted))
            .order_by(ReviewKeyArea.review_id, ReviewKeyArea.key_area)
        )
        for review_id, key_area in rows:
            found[review_id].append(key_area)
    return found


def _facets(issue_types=(), indicators=(), key_areas=()) -> list[dict[str, Any]]:  # noqa: ANN001
    return [
        *({"issue_type_id": x, "indicator_id": None, "key_area": None} for x in issue_types),
        *({"issue_type_id": None, "indicator_id": x, "key_area": None} for x in indicators),
        *({"issue_type_id": None, "indicator_id": None, "key_area": x} for x in key_areas),
    ]


def _document(kind: SearchKind, row: Any, **values: Any) -> dict[str, Any]:
    """A document's row: the source's own id (the page's too, unless *values* says), and
    its owner and review where *row* has them."""
    document = dict.fromkeys(
        ("note_id", "visit_id", "review_update_id", "action_id", "good_practice_item_id"), None
    )
    document.update(
        kind=kind,
        public_id=row.public_id,
        link_id=row.public_id,
        owner_authority_id=getattr(row, "authority_id", None),
        review_id=getattr(row, "review_id", None),
        title_redacted=None,
        body_redacted=None,
    )
    document.update(values)
    return document


# --- one builder a kind -------------------------------------------------------------


def note_documents(connection: Connection, ids: Ids) -> list[Built]:
    """Live notes at their current revision. Where the visit has a host, the title and
    text are kept a second time with the host's names taken out."""
    rows = connection.execute(
        select(
            VisitNote.id.label("note_id"),
            VisitNote.public_id,
            VisitNote.section,
            Visit.id.label("visit_id"),
            Visit.authority_id,
            Visit.host_authority_id,
            Visit.review_id,
            Visit.title,
            VisitNoteRevision.body_md,
            VisitNoteRevision.created_at,
        )
        .join(Visit, Visit.id == VisitNote.visit_id)
        .join(
            VisitNoteRevision,
            and_(
                VisitNoteRevision.note_id == VisitNote.id,
                VisitNoteRevision.number == VisitNote.revision_number,
            ),
        )
        .where(_within(VisitNote.id, ids), VisitNote.deleted_at.is_(None))
        .order_by(VisitNote.id)
    ).all()
    topics: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    visit_ids = {row.visit_id for row in rows}
    if visit_ids:
        for visit_id, issue_type_id, indicator_id in connection.execute(
            select(VisitTopic.visit_id, VisitTopic.issue_type_id, VisitTopic.indicator_id)
            .where(VisitTopic.visit_id.in_(visit_ids))
            .order_by(VisitTopic.id)
        ):
            if issue_type_id is not None:
                topics[visit_id][0].append(issue_type_id)
            if indicator_id is not None:
                topics[visit_id][1].append(indicator_id)
    host_ids = {row.host_authority_id for row in rows if row.host_authority_id is not None}
    hosts = {}
    if host_ids:
        hosts = {
            host_id: names_of(_Named(name, code))  # type: ignore[arg-type]
            for host_id, name, code in connection.execute(
                select(Authority.id, Authority.name, Authority.gss_code)
                .where(Authority.id.in_(host_ids))
                .order_by(Authority.id)
            )
        }
    key_areas = _key_areas(connection, {row.review_id for row in rows if row.review_id})
    built = []
    for row in rows:
        title = without_marks(f"{row.title}: {NoteSection(row.section).label}")
        body = _text(row.body_md)
        redacted = {}
        if row.host_authority_id is not None:
            names = hosts[row.host_authority_id]
            redacted = {
                "title_redacted": redact(title, names),
                "body_redacted": redact(body, names),
            }
        issue_types, indicators = topics[row.visit_id]
        document = _document(
            SearchKind.NOTE,
            row,
            note_id=row.note_id,
            visit_id=row.visit_id,
            title=title,
            body=body,
            dated_on=_day(row.created_at),
            **redacted,
        )
        built.append(
            Built(document, _facets(issue_types, indicators, key_areas.get(row.review_id, [])))
        )
    return built


def update_documents(connection: Connection, ids: Ids) -> list[Built]:
    rows = connection.execute(
        select(
            ReviewUpdate.id,
            ReviewUpdate.public_id,
            ReviewUpdate.kind,
            ReviewUpdate.body_md,
            ReviewUpdate.posted_at,
            Review.id.label("review_id"),
            Review.public_id.label("review_public_id"),
            Review.authority_id,
            Review.title,
        )
        .join(Review, Review.id == ReviewUpdate.review_id)
        .where(_within(ReviewUpdate.id, ids))
        .order_by(ReviewUpdate.id)
    ).all()
    key_areas = _key_areas(connection, {row.review_id for row in rows})
    return [
        Built(
            _document(
                SearchKind.REVIEW_UPDATE,
                row,
                review_update_id=row.id,
                link_id=row.review_public_id,
                title=without_marks(f"{row.title}: {UpdateKind(row.kind).label}"),
                body=_text(row.body_md),
                dated_on=_day(row.posted_at),
            ),
            _facets(key_areas=key_areas.get(row.review_id, [])),
        )
        for row in rows
    ]


def _action_title(description: str) -> str:
    if len(description) <= ACTION_TITLE_LENGTH:
        return description
    return description[: ACTION_TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _one(value: int | None) -> list[int]:
    return [] if value is None else [value]


def action_documents(connection: Connection, ids: Ids) -> list[Built]:
    """An action's description, then the notes of its updates in order."""
    rows = connection.execute(
        select(
            FollowUpAction.id,
            FollowUpAction.public_id,
            FollowUpAction.authority_id,
            FollowUpAction.review_id,
            FollowUpAction.description,
            FollowUpAction.created_at,
            FollowUpAction.issue_type_id,
            FollowUpAction.indicator_id,
        )
        .where(_within(FollowUpAction.id, ids))
        .order_by(FollowUpAction.id)
    ).all()
    update_notes: dict[int, list[str]] = defaultdict(list)
    if rows:
        for action_id, note_md in connection.execute(
            select(ActionUpdate.action_id, ActionUpdate.note_md)
            .where(_within(ActionUpdate.action_id, ids), ActionUpdate.note_md != "")
            .order_by(ActionUpdate.action_id, ActionUpdate.id)
        ):
            update_notes[action_id].append(_text(note_md))
    built = []
    for row in rows:
        text = _text(row.description)
        document = _document(
            SearchKind.ACTION,
            row,
            action_id=row.id,
            title=_action_title(text),
            body=" ".join([text, *update_notes[row.id]]),
            dated_on=_day(row.created_at),
        )
        built.append(Built(document, _facets(_one(row.issue_type_id), _one(row.indicator_id))))
    return built


def good_practice_documents(connection: Connection, ids: Ids) -> list[Built]:
    """Items not withdrawn that have a release date: whether one is out yet is asked when
    searching (its status and date), so a release round needs no re-indexing; an item
    waiting for a round to be set is indexed when it gets its date (a change to the row).
    No owner, nothing leading back."""
    rows = connection.execute(
        select(
            GoodPracticeItem.id,
            GoodPracticeItem.public_id,
            GoodPracticeItem.title,
            GoodPracticeItem.body_md,
            GoodPracticeItem.key_area,
            GoodPracticeItem.issue_type_id,
            GoodPracticeItem.indicator_id,
            GoodPracticeItem.published_on,
        )
        .where(
            _within(GoodPracticeItem.id, ids),
            GoodPracticeItem.status != GoodPracticeStatus.WITHDRAWN,
            GoodPracticeItem.published_on.is_not(None),
        )
        .order_by(GoodPracticeItem.id)
    ).all()
    return [
        Built(
            _document(
                SearchKind.GOOD_PRACTICE,
                row,
                good_practice_item_id=row.id,
                title=without_marks(row.title),
                body=_text(row.body_md),
                dated_on=row.published_on,
            ),
            _facets(
                _one(row.issue_type_id),
                _one(row.indicator_id),
                [] if row.key_area is None else [row.key_area],
            ),
        )
        for row in rows
    ]


# --- writing ------------------------------------------------------------------------

BUILDERS = (
    (SearchDocument.note_id, note_documents),
    (SearchDocument.review_update_id, update_documents),
    (SearchDocument.action_id, action_documents),
    (SearchDocument.good_practice_item_id, good_practice_documents),
)


def _replace(connection: Connection, key: Any, ids: Ids, builder: Any) -> int:
    """Drop the documents of these sources and write them again from the sources."""
    if ids is not None and not ids:
        return 0
    connection.execute(
        delete(SearchDocument).where(key.is_not(None) if ids is None else key.in_(ids))
    )
    built = builder(connection, ids)
    if not built:
        return 0
    table = SearchDocument.__table__
    made = connection.execute(
        insert(table).returning(table.c.id, table.c[key.key]), [item.row for item in built]
    )
    document_ids = {source_id: document_id for document_id, source_id in made}
    facets = [
        {**facet, "document_id": document_ids[item.row[key.key]]}
        for item in built
        for facet in item.facets
    ]
    if facets:
        connection.execute(insert(SearchFacet.__table__), facets)
    return len(built)


def _dependants(connection: Connection, changed: Changed) -> tuple[set[int], set[int]]:
    """Notes and updates whose documents read a changed visit, host or review."""
    notes = set(changed.notes)
    updates = set(changed.updates)
    conditions = []
    if changed.visits:
        conditions.append(Visit.id.in_(changed.visits))
    if changed.hosts:
        conditions.append(Visit.host_authority_id.in_(changed.hosts))
    if changed.reviews:
        conditions.append(Visit.review_id.in_(changed.reviews))
        updates.update(
            connection.scalars(
                select(ReviewUpdate.id)
                .where(ReviewUpdate.review_id.in_(changed.reviews))
                .order_by(ReviewUpdate.id)
            )
        )
    for condition in conditions:
        notes.update(
            connection.scalars(
                select(VisitNote.id)
                .join(Visit, Visit.id == VisitNote.visit_id)
                .where(condition)
                .order_by(VisitNote.id)
            )
        )
    return notes, updates


def refresh(connection: Connection, changed: Changed) -> None:
    """Bring the documents of everything *changed* touched up to date."""
    notes, updates = _dependants(connection, changed)
    wanted = (notes, updates, changed.actions, changed.items)
    for (key, builder), ids in zip(BUILDERS, wanted, strict=True):
        _replace(connection, key, ids, builder)


def rebuild(connection: Connection) -> int:
    """Every document again from its source; the number written."""
    written = sum(_replace(connection, key, None, builder) for key, builder in BUILDERS)
    if connection.dialect.name == "sqlite":
        # FTS5's own rebuild, from the documents table: it repairs an index that lost
        # step with its content, whatever happened.
        connection.exec_driver_sql(
            f"INSERT INTO {FULL_TEXT_TABLE}({FULL_TEXT_TABLE}) VALUES ('rebuild')"  # noqa: S608  # nosec B608  # a constant
        )
    return written
