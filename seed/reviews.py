"""The demo's review cycle for Lancashire: last year's Best Value review, closed, with its
unfinished actions carried into this year's; visits to two allies with notes (one shared
with its host, one with the inspector, with the host's consent); updates to staff; staff
views with responses. Demo text only (labelled so), never real notes or staff views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from bench.extensions import db
from bench.models import (
    ActionSource,
    ActionStatus,
    ActionUpdate,
    Alliance,
    AllyAsk,
    AllyRequest,
    AllyRequestStatus,
    Authority,
    FollowUpAction,
    Indicator,
    IssueType,
    KeyArea,
    NoteSection,
    NoteShare,
    Period,
    Rag,
    Review,
    ReviewKeyArea,
    ReviewStatus,
    ReviewTeamMember,
    ReviewUpdate,
    ShareLevel,
    StaffView,
    StaffViewResponse,
    StaffViewStatus,
    TeamRole,
    UpdateKind,
    Visit,
    VisitKind,
    VisitNote,
    VisitNoteRevision,
    VisitStatus,
    VisitTopic,
    VisitVisitor,
)

LAST_REVIEW_TITLE = "Adult social care Best Value review 2025-26 (demo)"
THIS_REVIEW_TITLE = "Adult social care Best Value review 2026-27 (demo)"


@dataclass(frozen=True)
class People:
    """Lancashire's three demo users and the two allies' admins."""

    staff: int
    analyst: int
    admin: int
    ally_admins: tuple[int, int]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def load_review_cycle(
    visitor_id: int,
    ally_ids: tuple[int, int],
    people: People,
    issue_types: dict[str, IssueType],
    indicators: dict[str, Indicator],
    periods: dict[str, Period],
) -> bool:
    """Add the cycle unless Lancashire already has a review; True when added."""
    if db.session.scalar(select(Review.id).where(Review.authority_id == visitor_id).limit(1)):
        return False
    _allies(visitor_id, ally_ids, people, issue_types["slow-direct-payments"])
    last = _review(
        visitor_id,
        people,
        LAST_REVIEW_TITLE,
        periods["2021-22"],
        (date(2025, 4, 7), date(2026, 2, 27)),
        ReviewStatus.CLOSED,
        (KeyArea.NATIONAL_FRAMEWORK, KeyArea.USER_SATISFACTION, KeyArea.COST_EFFICIENCY),
    )
    this = _review(
        visitor_id,
        people,
        THIS_REVIEW_TITLE,
        periods["2022-23"],
        (date(2026, 4, 13), date(2027, 3, 26)),
        ReviewStatus.FIELDWORK,
        (KeyArea.NATIONAL_FRAMEWORK, KeyArea.STAFF_ACCEPTANCE, KeyArea.USER_SATISFACTION),
        previous=last,
    )
    _updates(last, this, people)
    first_visit = _visit(
        visitor_id,
        ally_ids[0],
        last,
        people,
        date(2025, 9, 16),
        "Direct payments: how they doubled take-up (demo)",
        (issue_types["slow-direct-payments"], indicators["DP-PCT"]),
        {
            NoteSection.WHAT_THEY_DO_DIFFERENTLY: (
                "Peer supporters who already use direct payments meet every new person "
                "within a week of their assessment (demo)."
            ),
            NoteSection.WHAT_WE_COULD_ADOPT: (
                "- A **peer-support** offer at assessment\n- A one-page guide to employing a "
                "personal assistant (demo)"
            ),
        },
        shares=(ShareLevel.HOST, ShareLevel.INSPECTOR),
    )
    second_visit = _visit(
        visitor_id,
        ally_ids[1],
        this,
        people,
        date(2026, 10, 13),
        "Workforce: recruitment and retention (demo)",
        (issue_types["social-worker-recruitment"], indicators["WF-VAC"]),
        {
            NoteSection.GOOD_PRACTICE_SEEN: (
                "A career pathway from support worker to social worker apprenticeship, "
                "with protected study days (demo)."
            ),
            NoteSection.WHAT_TO_ASK_NEXT: "Their exit-interview questions (demo).",
        },
        shares=(ShareLevel.ALLIES,),
    )
    _actions(visitor_id, last, this, first_visit, second_visit, people, indicators, periods)
    _staff_views(visitor_id, this, people)
    return True


def _allies(
    visitor_id: int, ally_ids: tuple[int, int], people: People, issue_type: IssueType
) -> None:
    """Lancashire asked about slow direct payments; both councils accepted."""
    asked = _at(date(2025, 6, 2))
    ask = AllyAsk(
        requester_id=visitor_id,
        issue_type_id=issue_type.id,
        message="We would like to learn how you grew direct payments (demo).",
        contact_name="Review manager (demo)",
        contact_email="review.manager@e10000017.demo.example",
        requested_by_id=people.admin,
        created_at=asked,
        expires_at=asked + timedelta(days=30),
        closed_at=asked + timedelta(days=30),
    )
    db.session.add(ask)
    for ally_id, admin_id in zip(ally_ids, people.ally_admins, strict=True):
        request = AllyRequest(
            ask=ask,
            requester_id=visitor_id,
            recipient_id=ally_id,
            issue_type_id=issue_type.id,
            message=ask.message,
            status=AllyRequestStatus.ACCEPTED,
            requested_by_id=people.admin,
            responded_by_id=admin_id,
            created_at=asked,
            expires_at=asked + timedelta(days=30),
            responded_at=asked + timedelta(days=3),
        )
        db.session.add(request)
        db.session.flush()
        first, second = sorted((visitor_id, ally_id))
        visitor_first = first == visitor_id
        # Each side's contact, as each side chose to share it: meeting is the point.
        visitor = ("Review manager (demo)", ask.contact_email)
        ally_code = db.session.get(Authority, ally_id).gss_code.lower()
        ally = ("Lead (demo)", f"direct.payments.lead@{ally_code}.demo.example")
        (first_name, first_email), (second_name, second_email) = (
            (visitor, ally) if visitor_first else (ally, visitor)
        )
        db.session.add(
            Alliance(
                first_id=first,
                second_id=second,
                request_id=request.id,
                formed_at=asked + timedelta(days=3),
                first_contact_name=first_name,
                first_contact_email=first_email,
                second_contact_name=second_name,
                second_contact_email=second_email,
            )
        )


def _review(
    authority_id: int,
    people: People,
    title: str,
    period: Period,
    dates: tuple[date, date],
    status: ReviewStatus,
    key_areas: tuple[KeyArea, ...],
    previous: Review | None = None,
) -> Review:
    review = Review(
        authority_id=authority_id,
        title=title,
        service_scope="Adult social care: assessment, direct payments, workforce (demo)",
        period_id=period.id,
        starts_on=dates[0],
        ends_on=dates[1],
        status=status,
        previous_review=previous,
        created_by_id=people.admin,
        created_at=_at(dates[0]),
        updated_at=_at(dates[0]),
        key_areas=[ReviewKeyArea(key_area=area) for area in key_areas],
        team=[
            ReviewTeamMember(user_id=people.staff, role=TeamRole.LEAD),
            ReviewTeamMember(user_id=people.analyst, role=TeamRole.MEMBER),
            ReviewTeamMember(display_name="Councillor (demo)", role=TeamRole.SPONSOR),
            ReviewTeamMember(
                display_name="Carer representative (demo)", role=TeamRole.LIVED_EXPERIENCE
            ),
        ],
    )
    db.session.add(review)
    db.session.flush()
    return review


def _updates(last: Review, this: Review, people: People) -> None:
    for review, kind, day, body in (
        (last, UpdateKind.UPDATE, date(2025, 5, 12), "The review has started (demo)."),
        (last, UpdateKind.DECISION, date(2026, 2, 20), "We will pilot peer support (demo)."),
        (this, UpdateKind.UPDATE, date(2026, 4, 20), "This year's review has started (demo)."),
        (
            this,
            UpdateKind.CHANGE_CONSIDERED,
            date(2026, 10, 27),
            "We are considering a support-worker apprenticeship route (demo).",
        ),
    ):
        db.session.add(
            ReviewUpdate(
                review_id=review.id,
                kind=kind,
                body_md=body,
                posted_by_id=people.staff,
                posted_at=_at(day),
            )
        )


def _visit(
    authority_id: int,
    host_id: int,
    review: Review,
    people: People,
    day: date,
    title: str,
    topics: tuple[IssueType, Indicator],
    notes: dict[NoteSection, str],
    shares: tuple[ShareLevel, ...],
) -> Visit:
    issue_type, indicator = topics
    visit = Visit(
        authority_id=authority_id,
        host_authority_id=host_id,
        review_id=review.id,
        kind=VisitKind.VISIT,
        status=VisitStatus.WRITTEN_UP,
        visited_on=day,
        title=title,
        people="A practice lead (demo)",
        met_people="Their direct-payments lead and a peer supporter (demo)",
        created_by_id=people.staff,
        created_at=_at(day),
        updated_at=_at(day),
        topics=[VisitTopic(issue_type_id=issue_type.id), VisitTopic(indicator_id=indicator.id)],
        visitors=[VisitVisitor(user_id=people.staff), VisitVisitor(user_id=people.analyst)],
    )
    for section, body in notes.items():
        written = _at(day + timedelta(days=1), 15)
        visit.notes.append(
            VisitNote(
                section=section,
                created_by_id=people.staff,
                created_at=written,
                updated_at=written,
                revisions=[
                    VisitNoteRevision(
                        number=1,
                        body_md=body,
                        change_summary="Written up",
                        author_id=people.staff,
                        created_at=written,
                    )
                ],
                shares=[
                    NoteShare(
                        level=level,
                        shared_by_id=people.staff,
                        shared_at=written,
                        host_consented_at=written if level is ShareLevel.INSPECTOR else None,
                        host_consented_by_id=(
                            people.ally_admins[0] if level is ShareLevel.INSPECTOR else None
                        ),
                    )
                    for level in shares
                ],
            )
        )
    db.session.add(visit)
    db.session.flush()
    return visit


def _actions(
    authority_id: int,
    last: Review,
    this: Review,
    first_visit: Visit,
    second_visit: Visit,
    people: People,
    indicators: dict[str, Indicator],
    periods: dict[str, Period],
) -> None:
    def action(review: Review, **fields: object) -> FollowUpAction:
        made = FollowUpAction(
            authority_id=authority_id, review_id=review.id, created_by_id=people.staff, **fields
        )
        db.session.add(made)
        db.session.flush()
        return made

    def update(made: FollowUpAction, day: date, note: str) -> None:
        made.updates.append(
            ActionUpdate(
                status=made.status,
                rag=made.rag,
                due_on=made.due_on,
                note_md=note,
                by_id=people.staff,
                at=_at(day),
            )
        )

    started = last.starts_on + timedelta(days=200)
    done = action(
        last,
        source=ActionSource.VISIT,
        visit_id=first_visit.id,
        description="Ask the ally's direct-payments lead to present to our team (demo)",
        owner_user_id=people.staff,
        due_on=date(2025, 11, 28),
        status=ActionStatus.DONE,
        rag=Rag.GREEN,
        completed_on=date(2025, 11, 14),
        created_at=_at(started),
    )
    update(done, started, "Created (demo)")
    update(done, date(2025, 11, 14), "Presented to the team (demo)")
    carried = [
        (
            "Pilot peer support for people new to direct payments (demo)",
            ActionSource.VISIT,
            first_visit.id,
            {
                "indicator_id": indicators["DP-PCT"].id,
                "baseline_period_id": periods["2021-22"].id,
                "target_period_id": periods["2022-23"].id,
            },
            date(2026, 3, 31),
        ),
        (
            "Weekly senior triage of everyone waiting more than 28 days (demo)",
            ActionSource.REVIEW,
            None,
            {"owner": "Head of assessment (demo)"},
            date(2026, 6, 30),
        ),
    ]
    for description, source, visit_id, extra, due in carried:
        old = action(
            last,
            source=source,
            visit_id=visit_id,
            description=description,
            owner_user_id=None if "owner" in extra else people.analyst,
            due_on=due,
            status=ActionStatus.IN_PROGRESS,
            rag=Rag.AMBER,
            created_at=_at(started),
            **extra,
        )
        update(old, started, "Created (demo)")
        old.status = ActionStatus.CARRIED_FORWARD
        update(old, this.starts_on, f"Carried forward into {THIS_REVIEW_TITLE}")
        new = action(
            this,
            source=source,
            visit_id=visit_id,
            description=description,
            owner_user_id=old.owner_user_id,
            due_on=due + timedelta(days=270),
            status=ActionStatus.OPEN,
            rag=Rag.RED if due.month == 3 else Rag.AMBER,
            carried_from_id=old.id,
            created_at=_at(this.starts_on),
            **extra,
        )
        update(new, this.starts_on, f"Carried forward from {LAST_REVIEW_TITLE}")
    fresh = action(
        this,
        source=ActionSource.VISIT,
        visit_id=second_visit.id,
        description="Design a support-worker to social-worker apprenticeship (demo)",
        owner_user_id=people.admin,
        due_on=date(2027, 2, 26),
        status=ActionStatus.OPEN,
        rag=Rag.GREEN,
        indicator_id=indicators["WF-VAC"].id,
        created_at=_at(date(2026, 10, 20)),
    )
    update(fresh, date(2026, 10, 20), "Created (demo)")


STAFF_VIEWS = (
    # key area, anonymous, text, response (None: not yet answered)
    (KeyArea.STAFF_ACCEPTANCE, True, "Caseloads are too high to do reviews well (demo).", None),
    (
        KeyArea.STAFF_ACCEPTANCE,
        True,
        "Let support workers train as social workers (demo).",
        "We are designing an apprenticeship route with an ally's help (demo).",
    ),
    (KeyArea.USER_SATISFACTION, True, "People wait too long to hear back (demo).", None),
    (
        KeyArea.NATIONAL_FRAMEWORK,
        True,
        "Direct payments paperwork puts people off (demo).",
        "A one-page guide is being written with peer supporters (demo).",
    ),
    (KeyArea.COST_EFFICIENCY, True, "Agency staff cost more than overtime (demo).", None),
    (KeyArea.STAFF_ACCEPTANCE, True, "Hybrid working helps retention (demo).", None),
    (
        KeyArea.LOCAL_PRIORITIES,
        False,
        "Our rural teams need pool cars (demo).",
        "Two pool cars are on order for the northern team (demo).",
    ),
)


def _staff_views(authority_id: int, review: Review, people: People) -> None:
    """Six anonymous views (five released to the team: a batch of five) and a named one."""
    for number, (area, anonymous, text, response) in enumerate(STAFF_VIEWS):
        view = StaffView(
            authority_id=authority_id,
            review_id=review.id,
            key_area=area,
            body_md=text,
            anonymous=anonymous,
            author_user_id=None if anonymous else people.analyst,
            submitted_on=date(2026, 5, 4) + timedelta(days=9 * number),
            status=StaffViewStatus.RESPONDED if response else StaffViewStatus.NEW,
            # The first five anonymous views made the batch the team has seen.
            released=anonymous and number < 5,
        )
        if response:
            view.responses.append(
                StaffViewResponse(
                    body_md=response,
                    responded_by_id=people.staff,
                    responded_at=_at(date(2026, 6, 1) + timedelta(days=number)),
                )
            )
        db.session.add(view)
    db.session.flush()
