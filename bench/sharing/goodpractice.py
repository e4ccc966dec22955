"""Good practice for the whole network: an edited, anonymised copy of a note.

The note's own authority makes the copy (title, text, key area, issue type, indicator),
prefilled from the note and edited to take out attribution. The identifying-details
check (:mod:`bench.sharing.checks`) lists what may still identify a council, a person or
a service: hard findings block it; the author reads the warnings and confirms a
checklist. The copy is then scheduled for the date of the next release round, so that
when it appears says nothing about when, or by whom, it was written; with no round
scheduled it waits for the next one.

Nothing on the item's row leads back: a fresh random id, no creator, no creation time.
The link to the note sits in GoodPracticeSource, read only by the note's own authority
(on the note's sharing page, where it can be withdrawn). Pages and the API that show
items name no authority, visit or note. Scheduling and withdrawing are audited in the
visiting authority's log only, never the network's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError

from bench import audit, messages
from bench.allies.queries import approved_issue_type
from bench.api import queries as api_queries
from bench.api.service import Page
from bench.dates import LONDON
from bench.errors import Conflict, NotFound, RowError, ValidationFailed
from bench.extensions import db
from bench.models import (
    GoodPracticeItem,
    GoodPracticeSource,
    GoodPracticeStatus,
    Indicator,
    IssueType,
    KeyArea,
    User,
    VisitNote,
    utcnow,
)
from bench.sharing import checks, queries
from bench.sharing.reading import ShownNote, own_authority, reader, shown
from bench.sharing.schemas import CHECKLIST, CopySchema, GoodPracticeQuerySchema, ScheduleSchema
from bench.sharing.service import allied_now_for, own_note
from bench.visits.visibility import names_of


def london_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def fingerprint(title: str, body: str) -> str:
    """Which text the author saw checked: a warning found in other text is shown again."""
    return hashlib.sha256(f"{title}\x00{body}".encode()).hexdigest()


def next_round(now: datetime) -> date | None:
    """The date of the next release round, if one is scheduled."""
    moment = queries.next_release(now)
    return london_date(moment) if moment is not None else None


@dataclass(frozen=True)
class Choices:
    issue_types: list[IssueType]
    indicators: list[Indicator]
    key_areas: tuple[KeyArea, ...] = tuple(KeyArea)


def choices() -> Choices:
    """The catalogue as the API lists it: approved issue types and indicators, by code."""
    return Choices(
        queries.fetch(api_queries.approved_issue_types()), queries.fetch(api_queries.indicators())
    )


@dataclass(frozen=True)
class CopyStart:
    note: ShownNote
    next_round: date | None
    choices: Choices


def _note(user: User, public_id: str) -> tuple[int, VisitNote, ShownNote, str]:
    authority_id, note = own_note(user, public_id)
    text = queries.revision_text(note.id, note.revision_number) or ""
    seen = shown(reader(user), note, text, allied_now=allied_now_for(note))
    return authority_id, note, seen, text


def copy_start(user: User, public_id: str, now: datetime | None = None) -> CopyStart:
    """The copy form's page: the note it starts from, and when a copy would appear."""
    _, _, seen, _ = _note(user, public_id)
    return CopyStart(seen, next_round(now or utcnow()), choices())


@dataclass(frozen=True)
class CopyOutcome:
    findings: checks.Findings
    fingerprint: str
    errors: list[RowError]
    item: GoodPracticeItem | None = None  # set once scheduled


def _problems(error: ValidationError) -> list[RowError]:
    problems = error.messages if isinstance(error.messages, dict) else {"body": error.messages}
    return [
        RowError(None, field, message)
        for field, found in problems.items()
        for message in (found if isinstance(found, list) else [str(found)])
    ]


def _load(data: Any, *, schedule: bool) -> tuple[dict[str, Any], list[RowError]]:
    if not schedule and isinstance(data, dict):
        data = {key: value for key, value in data.items() if key not in CHECKLIST}
    try:
        return (ScheduleSchema() if schedule else CopySchema()).load(data), []
    except ValidationError as error:
        valid = error.valid_data if isinstance(error.valid_data, dict) else {}
        return valid, _problems(error)


def _subjects(fields: dict[str, Any]) -> tuple[IssueType | None, Indicator | None, list[RowError]]:
    """The issue type and indicator named by code (either may be left out), and an error
    naming each code the catalogue does not have."""
    errors = []
    issue_type = indicator = None
    if fields.get("issue_type"):
        issue_type = approved_issue_type(fields["issue_type"])
        if issue_type is None:
            errors.append(RowError(None, "issue_type", messages.GOOD_PRACTICE_ISSUE_TYPE_UNKNOWN))
    if fields.get("indicator"):
        indicator = api_queries.indicator_by_code(fields["indicator"])
        if indicator is None:
            errors.append(RowError(None, "indicator", messages.GOOD_PRACTICE_INDICATOR_UNKNOWN))
    return issue_type, indicator, errors


def submit_copy(
    user: User, public_id: str, data: Any, *, schedule: bool, now: datetime | None = None
) -> CopyOutcome:
    """Check a copy and, with *schedule*, schedule it if nothing stops it: no field
    error, no hard finding, every checklist line confirmed, and no warning the author
    has not seen (a fingerprint of the text they last saw checked). Writes nothing
    otherwise."""
    now = now or utcnow()
    authority_id, note, seen, text = _note(user, public_id)
    fields, errors = _load(data, schedule=schedule)
    title, body = fields.get("title", ""), fields.get("body", "")
    visit = note.visit
    names = [name for authority in queries.authorities() for name in names_of(authority)]
    figures = queries.published_figures(visit.authority_id, visit.host_authority_id, now)
    findings = checks.check([title, body], names, figures)
    printed = fingerprint(title, body)
    if body and body.strip() in (text.strip(), seen.body_md.strip()):
        errors.append(RowError(None, "body", messages.GOOD_PRACTICE_BODY_UNEDITED))
    issue_type, indicator, unknown = _subjects(fields)
    errors += unknown
    if schedule and findings.hard:
        errors.append(
            RowError(
                None, "body", messages.GOOD_PRACTICE_HARD_FINDINGS.format(count=len(findings.hard))
            )
        )
    elif schedule and findings.warnings and fields.get("checked") != printed:
        errors.append(RowError(None, "body", messages.GOOD_PRACTICE_CHECK_AGAIN))
    if errors or not schedule:
        return CopyOutcome(findings, printed, errors)
    round_date = next_round(now)
    item = GoodPracticeItem(
        title=title,
        body_md=body,
        key_area=fields.get("key_area"),
        issue_type_id=issue_type.id if issue_type else None,
        indicator_id=indicator.id if indicator else None,
        published_on=round_date,
        status=GoodPracticeStatus.SCHEDULED,
    )
    queries.add(item)
    queries.add(
        GoodPracticeSource(
            item_id=item.id,
            note_id=note.id,
            authority_id=authority_id,
            checklist_confirmed=True,
            confirmed_by_id=user.id,
            confirmed_at=now,
        )
    )
    audit.record(
        "good_practice_scheduled",
        actor=user,
        authority_id=authority_id,
        subject=note,
        details={
            "note": note.public_id,
            "item": item.public_id,
            "published_on": round_date.isoformat() if round_date else None,
        },
    )
    db.session.commit()
    return CopyOutcome(findings, printed, [], item)


def withdraw(user: User, item_public_id: str) -> str:
    """Withdraw one of the authority's copies: nobody else sees it any more. Returns the
    note's id (for its sharing page)."""
    authority_id = own_authority(user)
    source = queries.copy_of(authority_id, item_public_id)
    if source is None:
        raise NotFound("No such item")
    if source.item.status is GoodPracticeStatus.WITHDRAWN:
        raise Conflict(messages.GOOD_PRACTICE_ALREADY_WITHDRAWN)
    source.item.status = GoodPracticeStatus.WITHDRAWN
    audit.record(
        "good_practice_withdrawn",
        actor=user,
        authority_id=authority_id,
        subject=source.note,
        details={"note": source.note.public_id, "item": item_public_id},
    )
    db.session.commit()
    return source.note.public_id


# --- publishing ---------------------------------------------------------------------------


def _date_waiting(now: datetime) -> int:
    """Give items scheduled while no release round was the date of the next one."""
    round_date = next_round(now)
    if round_date is None:
        return 0
    waiting = queries.waiting_items(lock=True)
    for item in waiting:
        item.published_on = round_date
    return len(waiting)


def publish_due(now: datetime | None = None) -> tuple[int, int]:
    """The daily run (``flask goodpractice publish``): date the items waiting for a
    release round, and mark published those whose date has come. Returns both counts."""
    now = now or utcnow()
    dated = _date_waiting(now)
    due = queries.due_items(london_date(now))
    for item in due:
        item.status = GoodPracticeStatus.PUBLISHED
    db.session.commit()
    return dated, len(due)


def _dated_on_read(now: datetime) -> None:
    # Pages show due items without waiting for the daily run (the query reads dates);
    # items still waiting get their date here too, once a round is scheduled.
    if next_round(now) is None or not queries.waiting_items():
        return
    db.begin_write()  # this read path writes: take SQLite's write lock first
    _date_waiting(now)
    db.session.commit()


@dataclass(frozen=True)
class Filters:
    key_area: KeyArea | None = None
    issue_type: IssueType | None = None
    indicator: Indicator | None = None


def _filters(query: dict[str, Any]) -> Filters:
    issue_type, indicator, errors = _subjects(query)
    if errors:
        raise ValidationFailed(errors)
    return Filters(query.get("key_area"), issue_type, indicator)


def _visible(filters: Filters, now: datetime):  # noqa: ANN202 - a Select of items
    return queries.visible_items(
        london_date(now),
        filters.key_area,
        filters.issue_type.id if filters.issue_type else None,
        filters.indicator.id if filters.indicator else None,
    )


def load_query(args: Any) -> dict[str, Any]:
    try:
        return GoodPracticeQuerySchema().load(args)
    except ValidationError as error:
        raise ValidationFailed(_problems(error)) from None


@dataclass(frozen=True)
class Listing:
    items: list[GoodPracticeItem]
    filters: Filters
    choices: Choices


def listing(args: Any, now: datetime | None = None) -> Listing:
    """The network's good practice: published items, newest date first, by title."""
    now = now or utcnow()
    filters = _filters(load_query(args))
    _dated_on_read(now)
    items = queries.fetch(_visible(filters, now))
    return Listing(items, filters, choices())


def api_page(args: Any, now: datetime | None = None) -> tuple[Page[GoodPracticeItem], dict]:
    """One page of published items for the API, and the query that asked for it."""
    now = now or utcnow()
    query = load_query(args)
    filters = _filters(query)
    _dated_on_read(now)
    items, total = api_queries.paged(_visible(filters, now), query["page"], query["per_page"])
    return Page(items, query["page"], query["per_page"], total), query


def item(public_id: str, now: datetime | None = None) -> GoodPracticeItem:
    """One published item; a scheduled, waiting or withdrawn one is not found."""
    found = queries.visible_item(london_date(now or utcnow()), public_id)
    if found is None:
        raise NotFound("No such item")
    return found
