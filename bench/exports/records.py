"""The inspection pack's files about the authority's own work: its reviews, the visit
notes shared with inspectors, its actions and its staff views' summary.

Inspectors have no page for reviews, actions or staff views: a grant from the authority's
admin is what lets an inspector see them, and the pack is how. So each file holds what the
grant justifies and no more, and says so in its description:

- reviews and their updates as every user of the authority reads them, never who posted;
- visits and notes only where a note is shared with inspectors, read through the very SQL
  the pages use (bench.visits.visibility); the host named only with its consent, else
  "an ally" with its name, short name and GSS code taken out of every text;
- the host's replies and corrections as facts only (kind, status, dates): the pages show
  their text to the host and the note's own authority alone;
- actions and their updates with an owner who has an account given by role, never name;
- staff views as counts (1 to 4 withheld) and "you said, we did" as staff read it, never
  the author, dates as months.

Reproducible "as published on" ``as_of``: a row exists only if its record did by then,
and where bench keeps history (note revisions, sharing, consent, action updates, review
updates, responses, value revisions) it is shown as it stood then. What was withdrawn
since (a share revoked, consent withdrawn, an alliance ended, a note deleted, a view
hidden) is left out or redacted now, as the pages do: a later pack is never more open
than the pages. Rows are in a fixed order (date, then public id), so the same call gives
the same rows. No e-mail address, user id or database id appears: public ids only.

The caller (the pack) has checked and audited the inspector's grant; nothing here audits.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from functools import cached_property

from bench import disclosure
from bench.dates import LONDON
from bench.exports import records_queries as queries
from bench.exports.tables import (
    CONFIDENTIAL,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSION_REASON,
    Column,
    Section,
    Table,
)
from bench.models import (
    AUTHORITY_ROLES,
    ActionSource,
    ActionStatus,
    ActionUpdate,
    FollowUpAction,
    KeyArea,
    NoteSection,
    Rag,
    ResponseKind,
    ResponseStatus,
    Review,
    ReviewStatus,
    StaffView,
    StaffViewStatus,
    UpdateKind,
    User,
    Visit,
    VisitKind,
    VisitStatus,
    utcnow,
)
from bench.staffviews import queries as staff_view_queries
from bench.staffviews import rounds
from bench.visits.naming import Naming, naming_for
from bench.visits.visibility import REDACTED, names_of, reader_for, redact

# --- the files, described once ----------------------------------------------------------

GRANT = (
    " Inspectors have no page for this: it is in the pack because the authority's admin "
    "granted the inspector access to the authority."
)
REDACTION = (
    f" The name, short name and GSS code of every council the authority visited are "
    f"replaced by {REDACTED} unless that council agreed to be named to inspectors on the "
    "visit's notes (see visits.csv)."
)
DATE = "ISO 8601 date (YYYY-MM-DD), in UK time."


def _values(enum_class: Iterable[object]) -> tuple[str, ...]:
    return tuple(str(member) for member in enum_class)


def _id(name: str, title: str, what: str, empty: str = "") -> Column:
    return Column(
        name,
        title,
        f"{what} A random public id, the same on bench's pages and in every file of this "
        "pack (rows join on it); never a database id.",
        empty_means=empty,
    )


REVIEW_ID = _id("review_id", "Review", "The review.")
KEY_AREA = Column(
    "key_area",
    "Key area",
    "One of the five things a Best Value review watches: "
    + "; ".join(f"{area.value} = {area.label}" for area in KeyArea)
    + ".",
    allowed=_values(KeyArea),
)

REVIEWS = Table(
    "reviews",
    "Reviews",
    "The authority's Best Value reviews recorded by the as-of date: one row per review, "
    "as every user of the authority reads it; the review team's members are not listed." + GRANT,
    (
        REVIEW_ID,
        Column("title", "Title", "The review's title as the authority wrote it." + REDACTION),
        Column(
            "service_scope",
            "Service in scope",
            "The services the review covers, as the authority wrote them." + REDACTION,
            empty_means="no scope written",
        ),
        Column(
            "period",
            "Period reviewed",
            "The reporting period the review looks at, by its code (a financial year "
            "such as 2023-24, or a quarter).",
            empty_means="no period chosen",
        ),
        Column("starts_on", "Starts on", "The day the review starts. " + DATE, type="date"),
        Column(
            "ends_on",
            "Ends on",
            "The day the review is planned to end. " + DATE,
            type="date",
            empty_means="no end date set",
        ),
        Column(
            "status",
            "Status",
            "Where the review is: planning, fieldwork, reporting, action_planning or "
            "closed. bench keeps no history of a review's status, so this is its status "
            "when the pack was made, even in a pack as of an earlier date.",
            allowed=_values(ReviewStatus),
        ),
        _id(
            "previous_review_id",
            "Previous review",
            "The review before this one in the authority's chain of reviews (its "
            "unfinished actions were carried into this one).",
            "the first review of its chain",
        ),
    ),
)

REVIEW_KEY_AREAS = Table(
    "review-key-areas",
    "Key areas of each review",
    "One row per review and key area it watches (reviews.csv joins on review_id)." + GRANT,
    (REVIEW_ID, KEY_AREA),
)

REVIEW_UPDATES = Table(
    "review-updates",
    "Updates posted to staff about reviews",
    "The short updates the review team posted to every user of the authority by the "
    "as-of date, oldest first; never who posted them." + GRANT,
    (
        _id("update_id", "Update", "The update."),
        REVIEW_ID,
        Column(
            "kind",
            "Kind",
            "update = an update; change_considered = a change being considered; "
            "decision = a decision.",
            allowed=_values(UpdateKind),
        ),
        Column("posted_on", "Posted on", "The day it was posted. " + DATE, type="date"),
        Column(
            "body_md",
            "Text",
            "The update as posted, in Markdown source (not rendered)." + REDACTION,
        ),
    ),
)

VISIT_ID = _id("visit_id", "Visit", "The visit.")
VISITS = Table(
    "visits",
    "Visits with notes shared with inspectors",
    "The authority's visits to allies (and meetings with them) that have at least one "
    "note shared with inspectors (visit-notes.csv), as of the as-of date; visits with no "
    "such note are not listed. Who went and who was met are not included: the pages do "
    "not show them to inspectors.",
    (
        VISIT_ID,
        Column("visited_on", "Visited on", "The day of the visit or meeting. " + DATE, "date"),
        Column(
            "kind",
            "Kind",
            "visit = a visit; meeting = a meeting.",
            allowed=_values(VisitKind),
        ),
        Column(
            "status",
            "Status",
            "planned, held or written_up, when the pack was made (bench keeps no history "
            "of a visit's status).",
            allowed=_values(VisitStatus),
        ),
        Column("title", "Title", "The visit's title as the authority wrote it." + REDACTION),
        Column(
            "host",
            "Host",
            "The council visited: its name where it agreed to be named to inspectors on "
            "every note of this visit in this pack (consent given by the as-of date and "
            "still standing, while the two councils are allies); otherwise 'an ally', or "
            "'a council that is not an ally' for a visit recorded without a host.",
        ),
        Column(
            "host_gss_code",
            "Host's GSS code",
            "The host's GSS code, where it is named in the host column.",
            empty_means="the host is not named",
        ),
        _id(
            "review_id",
            "Review",
            "The review the visit was part of (reviews.csv).",
            "not part of a review",
        ),
        Column(
            "issue_type_codes",
            "Known issues discussed",
            "The codes of the known issues (issue types) the visit discussed, separated "
            "by '; ', in code order.",
            empty_means="none recorded",
        ),
        Column(
            "indicator_codes",
            "Indicators discussed",
            "The codes of the indicators the visit discussed, separated by '; ', in code order.",
            empty_means="none recorded",
        ),
    ),
)

NOTE_ID = _id("note_id", "Note", "The note.")
VISIT_NOTES = Table(
    "visit-notes",
    "Visit notes shared with inspectors",
    "The notes the authority shared with inspectors, as the inspector's pages show them: "
    "only notes shared with inspectors at the as-of date and still shared (and not "
    "deleted) now; each in the revision that was current at the as-of date." + REDACTION,
    (
        NOTE_ID,
        VISIT_ID,
        Column(
            "section",
            "Section",
            "what_they_do_differently, what_we_could_adopt, what_to_ask_next or "
            "good_practice_seen.",
            allowed=_values(NoteSection),
        ),
        Column(
            "revision_number",
            "Revision",
            "The number of the revision shown (revisions are numbered 1, 2, ... per note): "
            "the one current at the as-of date.",
            type="integer",
        ),
        Column("written_on", "Written on", "The day the note was first saved. " + DATE, "date"),
        Column("revised_on", "Revised on", "The day the revision shown was saved. " + DATE, "date"),
        Column(
            "body_md",
            "Text",
            "The note's text in that revision, in Markdown source (not rendered)." + REDACTION,
        ),
    ),
)

HOST_RESPONSES = Table(
    "host-responses",
    "The host's replies and corrections to shared notes",
    "For the notes in visit-notes.csv: each reply or proposed correction the host sent "
    "by the as-of date, and what the authority decided. Facts only: bench shows the text "
    "of a reply or correction to the host and the note's own authority alone, so it is not "
    "exported; an accepted correction is already in the note's later revisions.",
    (
        _id("response_id", "Response", "The reply or correction."),
        NOTE_ID,
        Column(
            "kind",
            "Kind",
            "reply = a reply to the note; correction = a corrected text the authority "
            "accepts or declines.",
            allowed=_values(ResponseKind),
        ),
        Column(
            "revision_number",
            "Revision answered",
            "The note's revision the host was answering.",
            type="integer",
        ),
        Column(
            "status",
            "Status at the as-of date",
            "open = not decided (every reply stays open); accepted = the correction became "
            "a new revision of the note; declined = the note stayed as it was.",
            allowed=_values(ResponseStatus),
        ),
        Column("received_on", "Received on", "The day the host sent it. " + DATE, "date"),
        Column(
            "decided_on",
            "Decided on",
            "The day the authority accepted or declined the correction. " + DATE,
            type="date",
            empty_means="not decided by the as-of date",
        ),
    ),
)

OWNER_ROLE = Column(
    "owner_role",
    "Owner's role",
    "Where the owner is a user of bench: their role at the authority (staff, analyst or "
    "authority_admin); their name is not exported.",
    allowed=tuple(sorted(role.value for role in AUTHORITY_ROLES)),
    empty_means="the owner is a named person without an account (see owner), or none",
)
OWNER = Column(
    "owner",
    "Owner (named person)",
    "The person who owns the action, as the authority named them, where they have no "
    "account on bench.",
    empty_means="the owner is a user of bench (see owner_role), or none",
)
STATUS = Column(
    "status",
    "Status",
    "open, in_progress, done, dropped, or carried_forward (carried into the next review "
    "as a new action).",
    allowed=_values(ActionStatus),
)
RAG = Column(
    "rag",
    "RAG rating",
    "The authority's red, amber or green rating of the action's progress.",
    allowed=_values(Rag),
    empty_means="not rated",
)
DUE_ON = Column(
    "due_on", "Due on", "The day the action is due. " + DATE, "date", empty_means="no due date"
)
ACTION_ID = _id("action_id", "Action", "The action.")

ACTIONS = Table(
    "actions",
    "Follow-up actions",
    "The authority's follow-up actions recorded by the as-of date, each as it stood at "
    "that date (its status, rating, due date and owner from its updates)." + GRANT + REDACTION,
    (
        ACTION_ID,
        _id("review_id", "Review", "The review it belongs to (reviews.csv).", "no review"),
        Column(
            "source",
            "Came from",
            "What the action came from: visit, review or staff_view.",
            allowed=_values(ActionSource),
        ),
        _id(
            "visit_id",
            "Visit",
            "The visit it came from, where that visit is in visits.csv.",
            "not from a visit, or from a visit with no note shared with inspectors",
        ),
        Column("description", "What", "The action, in Markdown source." + REDACTION),
        OWNER_ROLE,
        OWNER,
        DUE_ON,
        STATUS,
        RAG,
        Column(
            "completed_on",
            "Completed on",
            "The day it was marked done. " + DATE,
            type="date",
            empty_means="not done at the as-of date",
        ),
        Column(
            "overdue",
            "Overdue",
            "true when, at the as-of date, the action was unfinished (open or in "
            "progress) and its due date had passed.",
            type="boolean",
        ),
        _id(
            "carried_from_id",
            "Carried from",
            "The earlier review's action this one continues.",
            "not carried from an earlier action",
        ),
        Column(
            "indicator_code",
            "Indicator",
            "The code of the indicator that measures the action's progress.",
            empty_means="no indicator linked",
        ),
        Column(
            "issue_type_code",
            "Known issue",
            "The code of the known issue (issue type) the action addresses.",
            empty_means="no known issue linked",
        ),
        Column(
            "baseline_period",
            "Baseline period",
            "The period of the baseline figure, by its code.",
            empty_means="no baseline set",
        ),
        Column(
            "baseline_value",
            "Baseline",
            "The authority's figure the action starts from, in the indicator's unit.",
            type="number",
            unit="the indicator's unit",
            empty_means="no baseline set",
        ),
        Column(
            "target_period",
            "Target period",
            "The period by which the target should be met, by its code.",
            empty_means="no target set",
        ),
        Column(
            "target_value",
            "Target",
            "The figure the authority aims for, in the indicator's unit.",
            type="number",
            unit="the indicator's unit",
            empty_means="no target set",
        ),
        Column(
            "latest_period",
            "Latest period",
            "The latest period, from the baseline period on, whose figures were released "
            "by the as-of date and for which the authority has a figure.",
            empty_means="see suppression_reason",
        ),
        Column(
            "latest_value",
            "Latest figure",
            "The authority's own figure for that period, as published at the as-of date "
            "(later corrections left out), to the indicator's published decimal places.",
            type="number",
            unit="the indicator's unit",
            empty_means="see suppression_reason",
        ),
        Column(
            "latest_value_status",
            "Latest figure's status",
            "provisional or final.",
            allowed=("provisional", "final"),
            empty_means="see suppression_reason",
        ),
        Column("created_on", "Recorded on", "The day the action was recorded. " + DATE, "date"),
        SUPPRESSION_REASON,
    ),
)

ACTION_UPDATES = Table(
    "action-updates",
    "Updates to follow-up actions",
    "Every change to the actions in actions.csv made by the as-of date, in order (the "
    "first is the action's creation); never who made it." + GRANT + REDACTION,
    (
        ACTION_ID,
        Column(
            "update_number",
            "Update",
            "1 for the creation, then 2, 3, ... in order.",
            type="integer",
        ),
        Column("updated_on", "Updated on", "The day of the update. " + DATE, "date"),
        STATUS,
        RAG,
        DUE_ON,
        OWNER_ROLE,
        OWNER,
        Column(
            "note_md",
            "Note",
            "What the update said, in Markdown source." + REDACTION,
            empty_means="no note",
        ),
    ),
)

STAFF_VIEWS_SUMMARY = Table(
    "staff-views-summary",
    "Staff views: a summary",
    "The views the authority's staff gave, counted by key area and status at the as-of "
    "date: only views given in calendar months that had ended by the as-of date, and only "
    "those the review team can see (anonymous views reach the team in batches of five or "
    "at their round's end). Counts from 1 to 4 are withheld (c): a small count of views "
    "could identify the staff who gave them. Nothing about any view's author is exported." + GRANT,
    (
        KEY_AREA,
        Column(
            "status",
            "Status",
            "new = not yet answered; responded = answered by the review team; hidden = "
            "hidden by the team as abusive (kept, not shown to staff).",
            allowed=_values(StaffViewStatus),
        ),
        Column(
            "views",
            "Views",
            "How many views.",
            type="integer",
            unit="views",
            empty_means="withheld: see suppression_reason",
        ),
        Column(
            "responded",
            "Responded",
            "How many of them the team had answered by the as-of date.",
            type="integer",
            unit="views",
            empty_means="withheld: see suppression_reason",
        ),
        Column(
            "median_days_to_respond",
            "Median days to respond",
            "The median number of days from a view being given to the team's first "
            "answer, over the views answered.",
            type="number",
            unit="days",
            empty_means="withheld or none answered: see suppression_reason",
        ),
        SUPPRESSION_REASON,
    ),
)

YOU_SAID_WE_DID = Table(
    "staff-views-you-said-we-did",
    "Staff views: you said, we did",
    "The views the review team answered by the as-of date, with each answer, as every "
    "user of the authority reads them: never the author (named and anonymous views are "
    "treated alike), never the day a view was given; hidden views are left out."
    + GRANT
    + REDACTION,
    (
        Column(
            "view_label",
            "View",
            "A label for the view within this file only (view-1, view-2, ... by first "
            "answer): rows with the same label are answers to one view. It means nothing "
            "outside this file.",
        ),
        KEY_AREA,
        _id("review_id", "Review", "The review the view was about.", "about no review"),
        Column(
            "responded_month",
            "Answered in",
            "The month of the answer, as YYYY-MM (the day is not exported).",
        ),
        Column("you_said", "You said", "The view, in Markdown source." + REDACTION),
        Column("we_did", "We did", "The team's answer, in Markdown source." + REDACTION),
        _id(
            "action_id",
            "Action",
            "The action the answer links to (actions.csv).",
            "no action linked",
        ),
    ),
)

TABLES = (
    REVIEWS,
    REVIEW_KEY_AREAS,
    REVIEW_UPDATES,
    VISITS,
    VISIT_NOTES,
    HOST_RESPONSES,
    ACTIONS,
    ACTION_UPDATES,
    STAFF_VIEWS_SUMMARY,
    YOU_SAID_WE_DID,
)


# --- the rows ---------------------------------------------------------------------------


def _day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


class _Rows:
    """Rows made when iterated, and again on each iteration (a hash, then the write)."""

    def __init__(self, make: Callable[[], Iterator[Sequence[object]]]) -> None:
        self._make = make

    def __iter__(self) -> Iterator[Sequence[object]]:
        return self._make()


class _Records:
    """One pack's record files for one inspector and authority, as of one moment; what
    the files share (which visits name their host, what text to redact) worked out once."""

    def __init__(self, inspector: User, authority_id: int, as_of: datetime) -> None:
        reader = reader_for(inspector, utcnow())
        if reader is None or not reader.inspector:
            raise ValueError("The inspection pack is for inspectors")
        self.reader = reader
        self.authority_id = authority_id
        self.as_of = as_of
        self.as_of_day = _day(as_of)

    # --- shared ------------------------------------------------------------------------

    @cached_property
    def notes(self) -> list:  # noqa: ANN201 - (note, revision, nameable) rows
        return queries.shared_notes(self.reader, self.authority_id, self.as_of)

    @cached_property
    def visits(self) -> list[Visit]:
        """The visits with a note in the pack, by date then public id."""
        found = {note.visit.id: note.visit for note, _, _ in self.notes}
        return sorted(found.values(), key=lambda visit: (visit.visited_on, visit.public_id))

    @cached_property
    def naming(self) -> dict[int, Naming]:
        """How each visit's host appears: named only where it may be named on every one
        of the visit's notes in the pack, so that no note joined to a named visit by its
        id gives away a host that did not consent on it."""
        nameable: dict[int, bool] = {}
        for note, _, named in self.notes:
            nameable[note.visit_id] = nameable.get(note.visit_id, True) and named
        return {
            visit.id: naming_for(
                self.reader, visit, allied_now=False, host_consented=nameable[visit.id]
            )
            for visit in self.visits
        }

    @cached_property
    def host_names(self) -> dict[int, list[str]]:
        """The ways to name each council the authority visited, by its id."""
        return {
            visit.host_authority.id: names_of(visit.host_authority)
            for visit in queries.hosts_of_visits(self.authority_id)
            if visit.host_authority is not None
        }

    def text(self, source: str, visit: Visit | None = None) -> str:
        """*source* with every visited council's names taken out, except the host of
        *visit* where the pack names it."""
        kept = None
        if visit is not None and visit.id in self.naming and self.naming[visit.id].may_name:
            kept = visit.host_authority_id
        names = [
            name for host_id, found in self.host_names.items() if host_id != kept for name in found
        ]
        return redact(source, sorted(set(names), key=lambda name: (-len(name), name)))

    # --- reviews ---------------------------------------------------------------------------

    @cached_property
    def reviews(self) -> list:  # noqa: ANN201 - Review rows
        return queries.reviews(self.authority_id, self.as_of)

    def review_rows(self) -> Iterator[Sequence[object]]:
        for review in self.reviews:
            previous = review.previous_review
            yield [
                review.public_id,
                self.text(review.title),
                self.text(review.service_scope),
                review.period.code if review.period is not None else None,
                review.starts_on,
                review.ends_on,
                review.status.value,
                self.review_id(previous),
            ]

    def review_id(self, review: Review | None) -> str | None:
        """A review's public id where it existed at the as-of date."""
        if review is None or review.created_at > self.as_of:
            return None
        return review.public_id

    def key_area_rows(self) -> Iterator[Sequence[object]]:
        for review in self.reviews:
            for area in sorted(review.key_areas, key=lambda found: found.key_area.value):
                yield [review.public_id, area.key_area.value]

    def update_rows(self) -> Iterator[Sequence[object]]:
        for update in queries.review_updates([review.id for review in self.reviews], self.as_of):
            yield [
                update.public_id,
                update.review.public_id,
                update.kind.value,
                _day(update.posted_at),
                self.text(update.body_md),
            ]

    # --- visits and notes ---------------------------------------------------------------

    def visit_rows(self) -> Iterator[Sequence[object]]:
        for visit in self.visits:
            naming = self.naming[visit.id]
            issues = sorted(t.issue_type.code for t in visit.topics if t.issue_type is not None)
            indicators = sorted(t.indicator.code for t in visit.topics if t.indicator is not None)
            yield [
                visit.public_id,
                visit.visited_on,
                visit.kind.value,
                visit.status.value,
                self.text(visit.title, visit),
                naming.label,
                naming.gss_code if naming.may_name else None,
                self.review_id(visit.review),
                "; ".join(issues) or None,
                "; ".join(indicators) or None,
            ]

    def note_rows(self) -> Iterator[Sequence[object]]:
        for note, revision, _ in self.notes:
            yield [
                note.public_id,
                note.visit.public_id,
                note.section.value,
                revision.number,
                _day(note.created_at),
                _day(revision.created_at),
                self.text(revision.body_md, note.visit),
            ]

    def response_rows(self) -> Iterator[Sequence[object]]:
        for response in queries.host_responses([note.id for note, _, _ in self.notes], self.as_of):
            decided = response.decided_at is not None and response.decided_at <= self.as_of
            yield [
                response.public_id,
                response.note.public_id,
                response.kind.value,
                response.revision_number,
                response.status.value if decided else ResponseStatus.OPEN.value,
                _day(response.created_at),
                _day(response.decided_at) if decided and response.decided_at else None,
            ]

    # --- actions --------------------------------------------------------------------------

    @cached_property
    def actions(self) -> list[FollowUpAction]:
        return queries.actions(self.authority_id, self.as_of)

    @cached_property
    def updates(self) -> dict[int, list[ActionUpdate]]:
        return queries.updates_by_action((action.id for action in self.actions), self.as_of)

    @cached_property
    def roles(self) -> dict[str, str]:
        return {
            name: role.value for name, role in queries.user_roles_by_name(self.authority_id).items()
        }

    def owner(self, named: str) -> tuple[str | None, str | None]:
        """(owner_role, owner) for an owner as an update names them: a user of the
        authority by role, anyone else by the name the authority gave."""
        if not named:
            return None, None
        if named in self.roles:
            return self.roles[named], None
        return None, named

    def _pack_visit(self, action: FollowUpAction) -> Visit | None:
        visit = action.visit
        return visit if visit is not None and visit.id in self.naming else None

    def action_rows(self) -> Iterator[Sequence[object]]:
        for action in self.actions:
            history = self.updates[action.id]
            last = history[-1] if history else None
            status = last.status if last else action.status
            due_on = last.due_on if last else action.due_on
            completed_on = None
            for update in history:
                if update.status is not ActionStatus.DONE:
                    completed_on = None
                elif completed_on is None:
                    completed_on = _day(update.at)
            rag = last.rag if last else action.rag
            role, named = self.owner(last.owner if last else "")
            visit = self._pack_visit(action)
            carried = action.carried_from
            latest, reason = self._latest(action)
            yield [
                action.public_id,
                self.review_id(action.review),
                action.source.value,
                visit.public_id if visit is not None else None,
                self.text(action.description, visit),
                role,
                named,
                due_on,
                status.value,
                rag.value if rag else None,
                completed_on if status is ActionStatus.DONE else None,
                not status.finished and due_on is not None and due_on < self.as_of_day,
                carried.public_id if carried is not None else None,
                action.indicator.code if action.indicator is not None else None,
                action.issue_type.code if action.issue_type is not None else None,
                action.baseline_period.code if action.baseline_period is not None else None,
                action.baseline_value,
                action.target_period.code if action.target_period is not None else None,
                action.target_value,
                *latest,
                _day(action.created_at),
                reason,
            ]

    def _latest(self, action: FollowUpAction) -> tuple[list[object], str | None]:
        """The latest released figure of the action's indicator, and why it is empty."""
        indicator, baseline = action.indicator, action.baseline_period
        if indicator is None or baseline is None:
            return [None, None, None], NOT_APPLICABLE
        found = queries.own_latest_value(
            self.authority_id, indicator.id, baseline.starts_on, self.as_of
        )
        if found is None or found[1].value is None:
            return [None, None, None], NOT_AVAILABLE
        period, value = found
        return [
            period.code,
            round(float(value.value), indicator.decimals),
            value.status.value,
        ], None

    def action_update_rows(self) -> Iterator[Sequence[object]]:
        for action in self.actions:
            visit = self._pack_visit(action)
            for number, update in enumerate(self.updates[action.id], start=1):
                role, named = self.owner(update.owner)
                yield [
                    action.public_id,
                    number,
                    _day(update.at),
                    update.status.value,
                    update.rag.value if update.rag else None,
                    update.due_on,
                    role,
                    named,
                    self.text(update.note_md, visit) or None,
                ]

    # --- staff views ------------------------------------------------------------------------

    @cached_property
    def staff_views(self) -> list[StaffView]:
        """Views the team can see today (bench.staffviews.rounds' rule), given by the
        as-of date."""
        today = _day(utcnow())
        return [
            view
            for view in staff_view_queries.views_of(self.authority_id)
            if rounds.shown_to_team(view, today) and view.submitted_on <= self.as_of_day
        ]

    def _responses_by_as_of(self, view: StaffView) -> list:  # noqa: ANN201 - responses
        return sorted(
            (found for found in view.responses if found.responded_at <= self.as_of),
            key=lambda found: (found.responded_at, found.public_id),
        )

    def _status_at(self, view: StaffView) -> StaffViewStatus:
        hidden_at = view.hidden_at if view.status is StaffViewStatus.HIDDEN else None
        if hidden_at is not None and hidden_at <= self.as_of:
            return StaffViewStatus.HIDDEN
        return StaffViewStatus.RESPONDED if self._responses_by_as_of(view) else StaffViewStatus.NEW

    def summary_rows(self) -> Iterator[Sequence[object]]:
        month_start = self.as_of_day.replace(day=1)
        cells: dict[tuple[KeyArea, StaffViewStatus], list[StaffView]] = defaultdict(list)
        for view in self.staff_views:
            if view.submitted_on < month_start:
                cells[(view.key_area, self._status_at(view))].append(view)
        smallest = max(disclosure.SMALL_COUNT_MAX + 1, disclosure.min_peers())
        for area in KeyArea:
            for status in StaffViewStatus:
                views = cells.get((area, status), [])
                days = [
                    (_day(self._responses_by_as_of(view)[0].responded_at) - view.submitted_on).days
                    for view in views
                    if self._responses_by_as_of(view)
                ]
                if 0 < len(views) < smallest:
                    yield [area.value, status.value, None, None, None, CONFIDENTIAL]
                elif 0 < len(days) < smallest:
                    yield [area.value, status.value, len(views), None, None, CONFIDENTIAL]
                elif not days:
                    yield [area.value, status.value, len(views), 0, None, NOT_APPLICABLE]
                else:
                    median = statistics.median(days)
                    yield [area.value, status.value, len(views), len(days), median, None]

    def you_said_rows(self) -> Iterator[Sequence[object]]:
        action_ids = {action.id for action in self.actions}
        answered = []
        for view in self.staff_views:
            responses = self._responses_by_as_of(view)
            if view.status is StaffViewStatus.RESPONDED and responses:
                answered.append((responses[0].responded_at, responses[0].public_id, view))
        answered.sort(key=lambda found: (found[0], found[1]))
        for number, (_, _, view) in enumerate(answered, start=1):
            for response in self._responses_by_as_of(view):
                action = response.action
                yield [
                    f"view-{number}",
                    view.key_area.value,
                    self.review_id(view.review),
                    f"{_day(response.responded_at):%Y-%m}",
                    self.text(view.body_md),
                    self.text(response.body_md),
                    action.public_id if action is not None and action.id in action_ids else None,
                ]

    # --- the sections ----------------------------------------------------------------------

    def sections(self) -> list[Section]:
        made = (
            (REVIEWS, self.review_rows),
            (REVIEW_KEY_AREAS, self.key_area_rows),
            (REVIEW_UPDATES, self.update_rows),
            (VISITS, self.visit_rows),
            (VISIT_NOTES, self.note_rows),
            (HOST_RESPONSES, self.response_rows),
            (ACTIONS, self.action_rows),
            (ACTION_UPDATES, self.action_update_rows),
            (STAFF_VIEWS_SUMMARY, self.summary_rows),
            (YOU_SAID_WE_DID, self.you_said_rows),
        )
        return [Section(table, _Rows(make)) for table, make in made]


def sections(inspector: User, authority_id: int, as_of: datetime) -> list[Section]:
    """The pack's record files for *inspector*, who holds a current grant for
    *authority_id* (checked and audited by the caller), as published on *as_of*: each
    a lazily made :class:`Section`, its rows read from the database when iterated."""
    return _Records(inspector, authority_id, as_of).sections()
