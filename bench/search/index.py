"""Keeping the search index current without touching any other area's code.

After every flush, the objects it added, changed or deleted name the documents that read
them (a note's revision, its visit's title, host and topics, a review's key areas, an
action's updates...), and those documents are written again in the same transaction: a
rolled-back change leaves the index as it was. A deleted source takes its document with
it through the database's own cascade as well.

Sharing, alliances and grants are not copied into documents at all: who may read what
is asked inside each search (bench.search.queries), so changing them needs no re-index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from bench.models import (
    ActionUpdate,
    Authority,
    FollowUpAction,
    GoodPracticeItem,
    Review,
    ReviewKeyArea,
    ReviewUpdate,
    Visit,
    VisitNote,
    VisitNoteRevision,
    VisitTopic,
)
from bench.search.documents import Changed, refresh

# Each watched class -> (the set of Changed it feeds, the attribute holding the id).
WATCHED: dict[type, tuple[str, str]] = {
    VisitNote: ("notes", "id"),
    VisitNoteRevision: ("notes", "note_id"),
    Visit: ("visits", "id"),
    VisitTopic: ("visits", "visit_id"),
    Review: ("reviews", "id"),
    ReviewKeyArea: ("reviews", "review_id"),
    ReviewUpdate: ("updates", "id"),
    FollowUpAction: ("actions", "id"),
    ActionUpdate: ("actions", "action_id"),
    GoodPracticeItem: ("items", "id"),
}


def _value(instance: Any, attribute: str) -> int | None:
    """The attribute as the flush left it, without loading anything (a deleted row
    cannot be loaded)."""
    state = inspect(instance)
    value = state.dict.get(attribute)
    if value is None and attribute == "id" and state.identity:
        value = state.identity[0]
    return value


def changes_in(session: Session) -> Changed:
    changed = Changed()
    for instance in (*session.new, *session.dirty, *session.deleted):
        watched = WATCHED.get(type(instance))
        if watched is not None:
            found, attribute = watched
            value = _value(instance, attribute)
            if value is not None:
                getattr(changed, found).add(value)
        elif isinstance(instance, Authority) and instance in session.dirty:
            # A renamed council: the notes about visits it hosted redact its new name.
            value = _value(instance, "id")
            if value is not None:
                changed.hosts.add(value)
    return changed


def _after_flush(session: Session, _transaction: UOWTransaction) -> None:
    changed = changes_in(session)
    if changed:
        refresh(session.connection(), changed)


def listen() -> None:
    """Re-index after every flush of every session (once, however often called)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
