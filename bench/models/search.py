"""The search index: one document a note, review update, action or good-practice item.

Documents are copies, kept current by bench.search.index and rebuilt whole by ``flask
search reindex``; who may read one is never stored here but worked out inside each search
query (bench.search.queries), so a change of sharing or alliance takes effect at once.

Each document points at its source through one foreign key a kind, so deleting the
source anywhere (the ORM, a database cascade) takes the document with it.

The full-text index itself is not in this metadata: each backend has its own (migration
0009). SQLite keeps an FTS5 table over the title and body columns; PostgreSQL keeps
generated ``tsvector`` columns with GIN indexes. :func:`include_name` keeps them out of
Alembic's comparison of models and database.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bench.models.base import Base, str_enum
from bench.models.indicators import KeyArea


class SearchKind(enum.StrEnum):
    NOTE = "note"
    REVIEW_UPDATE = "review_update"
    ACTION = "action"
    GOOD_PRACTICE = "good_practice"

    @property
    def label(self) -> str:
        return {
            "note": "Visit note",
            "review_update": "Review update",
            "action": "Action",
            "good_practice": "Good practice",
        }[self.value]


# Exactly the source column of the document's kind is set; good practice has no owner.
_ONE_SOURCE = (
    "(kind = 'note' AND note_id IS NOT NULL AND visit_id IS NOT NULL"
    " AND owner_authority_id IS NOT NULL)"
    " OR (kind = 'review_update' AND review_update_id IS NOT NULL"
    " AND owner_authority_id IS NOT NULL)"
    " OR (kind = 'action' AND action_id IS NOT NULL AND owner_authority_id IS NOT NULL)"
    " OR (kind = 'good_practice' AND good_practice_item_id IS NOT NULL"
    " AND owner_authority_id IS NULL)"
)


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (CheckConstraint(_ONE_SOURCE, name="one_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SearchKind] = mapped_column(str_enum(SearchKind, "search_kind"))
    note_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit_notes.id", ondelete="CASCADE"), unique=True
    )
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="CASCADE"), index=True
    )
    review_update_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_updates.id", ondelete="CASCADE"), unique=True
    )
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up_actions.id", ondelete="CASCADE"), unique=True
    )
    good_practice_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("good_practice_items.id", ondelete="CASCADE"), unique=True
    )
    # The authority whose users own the source (None for good practice: nothing on an
    # anonymised copy leads back to its authority).
    owner_authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("authorities.id", ondelete="CASCADE"), index=True
    )
    # Facet: the review the source belongs to (notes through their visit).
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="SET NULL"), index=True
    )
    # The source's own random id, and the id of the page a result links to (the review's
    # for an update; the source's own otherwise).
    public_id: Mapped[str] = mapped_column(String(22))
    link_id: Mapped[str] = mapped_column(String(22))
    title: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    # Notes whose visit has a host: the same text with the host's names taken out, the
    # only text matched and shown to readers who may not know who the host is.
    title_redacted: Mapped[str | None] = mapped_column(String(400))
    body_redacted: Mapped[str | None] = mapped_column(Text)
    # Notes: the current revision's date; updates: posted; actions: created; good
    # practice: the release round's date.
    dated_on: Mapped[date] = mapped_column(Date, index=True)


class SearchFacet(Base):
    """One issue type, indicator or key area a document is about (one fact a row)."""

    __tablename__ = "search_facets"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN issue_type_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN indicator_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN key_area IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_subject",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("search_documents.id", ondelete="CASCADE"), index=True
    )
    issue_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("issue_types.id", ondelete="CASCADE")
    )
    indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE")
    )
    key_area: Mapped[KeyArea | None] = mapped_column(str_enum(KeyArea, "search_key_area"))


# The full-text index's own objects, made by migration 0009 for one backend each.
FULL_TEXT_TABLE = "search_documents_fts"  # SQLite: FTS5 over search_documents
SEARCH_VECTOR = "search_vector"  # PostgreSQL: title (weight A) and body (B)
SEARCH_VECTOR_REDACTED = "search_vector_redacted"  # the same from the redacted text
_BACKEND_ONLY_COLUMNS = {SEARCH_VECTOR, SEARCH_VECTOR_REDACTED}
_BACKEND_ONLY_INDEXES = {f"ix_search_documents_{name}" for name in _BACKEND_ONLY_COLUMNS}


def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Alembic's ``include_name`` hook: leave the full-text index's backend-specific
    objects out of the comparison of models and database (``flask db check``)."""
    if type_ == "table":
        return not (name or "").startswith(FULL_TEXT_TABLE)
    if parent_names.get("table_name") == SearchDocument.__tablename__:
        if type_ == "column":
            return name not in _BACKEND_ONLY_COLUMNS
        if type_ == "index":
            return name not in _BACKEND_ONLY_INDEXES
    return True
