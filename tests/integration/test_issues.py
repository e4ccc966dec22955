"""Known issues: an authority's flags, its proposals, and the network admins' catalogue.

Expectations come from the issue ("Known issues") and DESIGN.md: silence is not "no",
"not an issue" clears the reported fields, every write is all or nothing with errors that
name the item and field, free text is stored as written and shown escaped, and no
authority sees another's flags or proposals.
"""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from bench.errors import NotAllowed, NotFound, RowError, ValidationFailed
from bench.issues import service
from bench.models import (
    AuditEvent,
    FlagAnswer,
    FlagStatus,
    IssueFlag,
    IssueType,
    IssueTypeStatus,
    Role,
    Severity,
)
from tests import factories
from tests.pages import check_page, post_form, text_of


def _flags(session, **where):
    query = select(IssueFlag).order_by(IssueFlag.id)
    for name, value in where.items():
        query = query.where(getattr(IssueFlag, name) == value)
    return session.scalars(query).all()


def _fresh(session, record):
    """The record as the database has it now (the request wrote in its own session)."""
    return session.get(type(record), record.id, populate_existing=True)


def _flag_count(session):
    return session.scalar(select(func.count()).select_from(IssueFlag))


def _events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _answer(client, code, **fields):
    return post_form(client, f"/issues/{code}/answer", fields)


REPORTED = {
    "answer": "reported",
    "status": "improving",
    "since_month": "3",
    "since_year": "2021",
    "severity": "high",
}


# --- the own authority's page -------------------------------------------------------


def test_page_shows_every_approved_type_with_the_authoritys_answer(app_context, sign_in_as):
    staff = sign_in_as(Role.STAFF)
    own = staff.user.authority
    measure = factories.indicator(title="Direct payments take-up")
    unanswered = factories.issue_type(title="Carers' assessments backlog")
    not_ours = factories.issue_type(title="Delayed hospital discharges")
    reported = factories.issue_type(title="Slow direct-payments take-up", indicators=[measure])
    factories.issue_type(
        title="Merged away", status=IssueTypeStatus.MERGED, merged_into_id=reported.id
    )
    factories.issue_type(title="Turned down", status=IssueTypeStatus.REJECTED)
    factories.flag(own, not_ours, answer=FlagAnswer.NOT_AN_ISSUE)
    factories.flag(own, reported, status=FlagStatus.OPEN, severity=Severity.HIGH)

    page = staff.get("/issues/")
    assert page.status_code == 200
    check_page(page)
    text = text_of(page)
    assert "Carers' assessments backlog Description" in text
    assert f"{unanswered.description} Not answered" in text
    assert f"{not_ours.description} Not an issue for us" in text
    assert "Reported Open, high severity, since March 2021" in text
    assert "Direct payments take-up" in text
    assert "Merged away" not in text and "Turned down" not in text
    # Staff see their authority's answers but do not publish them.
    assert f"/issues/{reported.code}/answer" not in page.get_data(as_text=True)
    assert "Propose an issue type" not in text


def test_navigation_links(app_context, sign_in_as):
    analyst = sign_in_as(Role.ANALYST)
    assert 'href="/issues/"' in analyst.get("/").get_data(as_text=True)
    inspector = sign_in_as(Role.INSPECTOR)
    assert "Known issues" not in text_of(inspector.get("/"))
    network_admin = sign_in_as(Role.NETWORK_ADMIN)
    home = network_admin.get("/").get_data(as_text=True)
    assert home.count('href="/admin/issue-types/"') == 2  # header and the home page
    assert 'href="/issues/"' not in home


def test_other_authorities_flags_are_never_shown(app_context, sign_in_as):
    analyst = sign_in_as(Role.ANALYST)
    stranger = factories.authority(name="Otherton Council")
    issue_type = factories.issue_type()
    factories.flag(
        stranger,
        issue_type,
        tried="Otherton's secret remedy",
        share_tried=True,
        open_to_contact=True,
    )
    for path in ("/issues/", f"/issues/{issue_type.code}/answer"):
        page = analyst.get(path)
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        for secret in ("Otherton", stranger.gss_code, "secret remedy"):
            assert secret not in body, (path, secret)
    assert "Not answered" in text_of(analyst.get("/issues/"))


# --- recording answers --------------------------------------------------------------


def test_analyst_reports_an_issue(app_context, sign_in_as, session):
    analyst = sign_in_as(Role.ANALYST)
    issue_type = factories.issue_type()
    tried = "  <script>alert('x')</script> & a peer-support scheme\r\nsecond line"
    form_page = analyst.get(f"/issues/{issue_type.code}/answer")
    assert form_page.status_code == 200
    check_page(form_page)

    response = _answer(
        analyst, issue_type.code, **REPORTED, tried=tried, share_tried="y", open_to_contact="y"
    )

    assert response.status_code == 302
    (flag,) = _flags(session)
    assert flag.authority_id == analyst.user.authority_id
    assert flag.issue_type_id == issue_type.id
    assert flag.answer is FlagAnswer.REPORTED
    assert flag.status is FlagStatus.IMPROVING
    assert flag.since == date(2021, 3, 1)
    assert flag.severity is Severity.HIGH
    assert flag.tried == tried  # stored as written
    assert flag.share_tried is True and flag.open_to_contact is True
    assert flag.updated_by_id == analyst.user.id
    (event,) = _events(session, "flag_recorded")
    assert event.actor_id == analyst.user.id
    assert event.authority_id == analyst.user.authority_id
    assert event.details == {
        "issue_type": issue_type.code,
        "old": None,
        "new": {
            "answer": "reported",
            "status": "improving",
            "since": "2021-03",
            "severity": "high",
            "tried": tried,
            "share_tried": True,
            "open_to_contact": True,
        },
    }
    page = analyst.get("/issues/")
    body = page.get_data(as_text=True)
    assert "&lt;script&gt;" in body and "<script>alert" not in body
    assert "Improving, high severity, since March 2021" in text_of(page)
    # The form shows the saved answer.
    again = analyst.get(f"/issues/{issue_type.code}/answer").get_data(as_text=True)
    assert re.search(r'name="since_year"[^>]* value="2021"', again)


def test_not_an_issue_clears_the_reported_fields(app_context, sign_in_as, session):
    admin = sign_in_as(Role.AUTHORITY_ADMIN)
    issue_type = factories.issue_type()
    factories.flag(
        admin.user.authority, issue_type, tried="Tried", share_tried=True, open_to_contact=True
    )
    # The reported fields are still filled in: "not an issue" wins and clears them.
    response = _answer(
        admin,
        issue_type.code,
        **{**REPORTED, "answer": "not_an_issue"},
        tried="ignored",
        share_tried="y",
    )
    assert response.status_code == 302
    (flag,) = _flags(session)
    assert flag.answer is FlagAnswer.NOT_AN_ISSUE
    assert (flag.status, flag.since, flag.severity) == (None, None, None)
    assert (flag.tried, flag.share_tried, flag.open_to_contact) == ("", False, False)
    (event,) = _events(session, "flag_recorded")
    assert event.details["old"]["answer"] == "reported"
    assert event.details["old"]["tried"] == "Tried"
    assert event.details["new"] == {
        "answer": "not_an_issue",
        "status": None,
        "since": None,
        "severity": None,
        "tried": "",
        "share_tried": False,
        "open_to_contact": False,
    }
    assert "Not an issue for us" in text_of(admin.get("/issues/"))
    # Saving the same answer again changes nothing, so nothing more is logged.
    assert _answer(admin, issue_type.code, answer="not_an_issue").status_code == 302
    assert len(_events(session, "flag_recorded")) == 1


def test_since_is_optional(app_context, sign_in_as, session):
    analyst = sign_in_as(Role.ANALYST)
    issue_type = factories.issue_type()
    response = _answer(analyst, issue_type.code, answer="reported", status="open", severity="low")
    assert response.status_code == 302
    assert _flags(session)[0].since is None


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({}, "answer", "Select whether this is an issue for your authority"),
        ({"answer": "maybe"}, "answer", "Select whether this is an issue for your authority"),
        (
            {**REPORTED, "status": ""},
            "status",
            "Select whether the issue is open, improving or resolved",
        ),
        (
            {**REPORTED, "status": "closed"},
            "status",
            "Select whether the issue is open, improving or resolved",
        ),
        ({**REPORTED, "severity": ""}, "severity", "Select how severe the issue is"),
        ({**REPORTED, "severity": "extreme"}, "severity", "Select how severe the issue is"),
        ({**REPORTED, "since_month": "13"}, "since_month", "must be a real month and year"),
        ({**REPORTED, "since_month": ""}, "since_month", "must be a real month and year"),
        ({**REPORTED, "since_year": "21"}, "since_month", "must be a real month and year"),
        # Full-width digits are not numbers (DESIGN.md, Data and input).
        (
            {**REPORTED, "since_year": "２０２１"},
            "since_month",
            "must be a real month and year",
        ),
        ({**REPORTED, "since_year": "1899"}, "since_month", "must be in 1900 or later"),
        ({**REPORTED, "since_year": "2999"}, "since_month", "must be this month or earlier"),
        ({**REPORTED, "tried": "x" * 5001}, "tried", "5000 characters or fewer"),
    ],
)
def test_answer_validation_messages(app_context, sign_in_as, session, fields, field_id, message):
    analyst = sign_in_as(Role.ANALYST)
    issue_type = factories.issue_type()
    response = _answer(analyst, issue_type.code, **fields)
    assert response.status_code == 200
    page = check_page(response)
    assert page.title.startswith("Error: ")
    assert message in text_of(response).split("There is a problem")[1]
    assert f'href="#{field_id}"' in response.get_data(as_text=True)
    assert _flag_count(session) == 0
    assert _events(session, "flag_recorded") == []


def test_reported_without_status_or_severity_names_both(app_context, sign_in_as):
    analyst = sign_in_as(Role.ANALYST)
    issue_type = factories.issue_type()
    text = text_of(_answer(analyst, issue_type.code, answer="reported"))
    assert "Select whether the issue is open, improving or resolved" in text
    assert "Select how severe the issue is" in text


def test_staff_cannot_record(app_context, sign_in_as, session):
    staff = sign_in_as(Role.STAFF)
    issue_type = factories.issue_type()
    assert staff.get(f"/issues/{issue_type.code}/answer").status_code == 403
    response = post_form(staff, f"/issues/{issue_type.code}/answer", REPORTED, form_page="/account")
    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        service.record_flags(
            staff.user,
            staff.user.authority_id,
            [{"issue_type": issue_type.code, "answer": "not_an_issue"}],
        )
    assert _flag_count(session) == 0


def test_no_one_records_for_another_authority(app_context, session):
    analyst = factories.user(Role.ANALYST)
    other = factories.authority()
    issue_type = factories.issue_type()
    with pytest.raises(NotFound):
        service.record_flags(
            analyst, other.id, [{"issue_type": issue_type.code, "answer": "not_an_issue"}]
        )
    assert _flag_count(session) == 0


@pytest.mark.parametrize("status", [IssueTypeStatus.PROPOSED, IssueTypeStatus.REJECTED])
def test_only_approved_types_can_be_answered(app_context, sign_in_as, status):
    analyst = sign_in_as(Role.ANALYST)
    issue_type = factories.issue_type(
        status=status, proposed_by_authority_id=analyst.user.authority_id
    )
    assert analyst.get(f"/issues/{issue_type.code}/answer").status_code == 404
    assert analyst.get("/issues/no-such-issue/answer").status_code == 404


# --- record_flags: the service the form and the API share ----------------------------


def test_record_flags_is_all_or_nothing(app_context, session):
    analyst = factories.user(Role.ANALYST)
    authority_id = analyst.authority_id
    first, second, third = (factories.issue_type() for _ in range(3))
    factories.flag(analyst.authority, first, severity=Severity.LOW)
    proposed = factories.issue_type(status=IssueTypeStatus.PROPOSED)
    before = _flag_count(session)
    items = [
        {"issue_type": first.code, "answer": "reported", "status": "resolved", "severity": "high"},
        {"issue_type": second.code, "answer": "reported", "status": "open", "severity": "dire"},
        {"issue_type": third.code, "answer": "not_an_issue"},
        {"issue_type": "no-such-type", "answer": "not_an_issue"},
        {"issue_type": proposed.code, "answer": "not_an_issue"},
        {"issue_type": third.code, "answer": "not_an_issue"},
        {"issue_type": first.code, "answer": "reported", "since": "2021-3", "colour": "red"},
        {"issue_type": second.code, "answer": "not_an_issue", "share_tried": "perhaps"},
        "not an object",
    ]
    with pytest.raises(ValidationFailed) as failed:
        service.record_flags(analyst, authority_id, items)
    errors = failed.value.errors
    assert [error.row for error in errors] == sorted(error.row for error in errors)
    assert set(errors) == {
        RowError(2, "severity", "Select how severe the issue is: low, medium or high"),
        RowError(4, "issue_type", "There is no issue type in the catalogue with this code"),
        RowError(5, "issue_type", "There is no issue type in the catalogue with this code"),
        RowError(6, "issue_type", "This issue type is already answered in an earlier item"),
        RowError(7, "colour", "Unknown field: remove it"),
        RowError(
            7,
            "since",
            "Since when must be a real month and year, like 3 and 2021 (2021-03 in the API)",
        ),
        RowError(7, "status", "Select whether the issue is open, improving or resolved"),
        RowError(7, "severity", "Select how severe the issue is: low, medium or high"),
        RowError(8, "share_tried", "Must be true or false"),
        RowError(9, "item", "Each item must be an object of named fields"),
    }
    # Nothing was written, not even the valid first and third items.
    session.expire_all()
    assert _flag_count(session) == before
    assert _flags(session, issue_type_id=first.id)[0].severity is Severity.LOW
    assert _events(session, "flag_recorded") == []

    saved = service.record_flags(analyst, authority_id, [items[0], items[2]])
    assert [flag.issue_type_id for flag in saved] == [first.id, third.id]
    assert _flag_count(session) == before + 1
    assert len(_events(session, "flag_recorded")) == 2


def test_record_flags_needs_at_least_one_item(app_context):
    analyst = factories.user(Role.ANALYST)
    with pytest.raises(ValidationFailed) as failed:
        service.record_flags(analyst, analyst.authority_id, [])
    assert failed.value.errors == [RowError(None, "items", "Send at least one answer")]


def test_record_flags_reads_the_api_shape(app_context, session):
    analyst = factories.user(Role.ANALYST)
    issue_type = factories.issue_type()
    item = {
        "issue_type": issue_type.code,
        "answer": "reported",
        "status": "open",
        "since": "2019-11",
        "severity": "medium",
        "tried": "Weekly triage",
        "share_tried": True,
        "open_to_contact": False,
    }
    (flag,) = service.record_flags(analyst, analyst.authority_id, [item])
    assert flag.since == date(2019, 11, 1)
    assert (flag.tried, flag.share_tried, flag.open_to_contact) == ("Weekly triage", True, False)


# --- proposals ----------------------------------------------------------------------


def _propose(client, **fields):
    data = {"title": "Transitions to adult care", "description": "Young people wait.", **fields}
    return post_form(client, "/issues/propose", data)


def test_proposal_is_seen_by_its_authority_and_network_admins_only(
    app_context, sign_in_as, session
):
    analyst = sign_in_as(Role.ANALYST)
    measure = factories.indicator(code="WAIT-ASSESS", title="People waiting for assessment")
    assert analyst.get("/issues/propose").status_code == 200
    check_page(analyst.get("/issues/propose"))

    response = _propose(analyst, indicators=["WAIT-ASSESS"])

    assert response.status_code == 302
    proposal = session.scalars(select(IssueType)).one()
    assert proposal.code == "transitions-to-adult-care"
    assert proposal.status is IssueTypeStatus.PROPOSED
    assert proposal.proposed_by_authority_id == analyst.user.authority_id
    assert [indicator.id for indicator in proposal.indicators] == [measure.id]
    (event,) = _events(session, "issue_type_proposed")
    assert event.authority_id == analyst.user.authority_id
    assert event.details["new"]["title"] == "Transitions to adult care"
    assert event.details["new"]["indicators"] == ["WAIT-ASSESS"]

    colleague = sign_in_as(Role.STAFF, analyst.user.authority)
    text = text_of(colleague.get("/issues/"))
    assert "Transitions to adult care Proposed, awaiting approval" in text
    stranger = sign_in_as(Role.ANALYST)
    assert "Transitions to adult care" not in text_of(stranger.get("/issues/"))
    network_admin = sign_in_as(Role.NETWORK_ADMIN)
    catalogue = network_admin.get("/admin/issue-types/")
    check_page(catalogue)
    assert f"Transitions to adult care {proposal.code}" in text_of(catalogue)
    assert analyst.user.authority.name in text_of(catalogue)


def test_another_authoritys_proposal_does_not_block_the_same_title(
    app_context, sign_in_as, session
):
    first = sign_in_as(Role.ANALYST)
    second = sign_in_as(Role.AUTHORITY_ADMIN)
    assert _propose(first).status_code == 302
    assert _propose(second).status_code == 302
    codes = session.scalars(select(IssueType.code).order_by(IssueType.id)).all()
    assert codes == ["transitions-to-adult-care", "transitions-to-adult-care-2"]


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"title": ""}, "title", "Enter a title for the issue type"),
        ({"title": "   "}, "title", "Enter a title for the issue type"),
        ({"title": "x" * 201}, "title", "The title must be 200 characters or fewer"),
        ({"title": "slow DIRECT-payments take-up"}, "title", "already exists"),
        ({"title": "My own earlier proposal"}, "title", "already exists"),
        ({"description": "x" * 5001}, "description", "5000 characters or fewer"),
        ({"indicators": ["NO-SUCH"]}, "indicators", "Select indicators from the list"),
    ],
)
def test_proposal_validation_messages(app_context, sign_in_as, session, fields, field_id, message):
    analyst = sign_in_as(Role.ANALYST)
    factories.issue_type(title="Slow direct-payments take-up")
    factories.issue_type(
        title="My own earlier proposal",
        status=IssueTypeStatus.PROPOSED,
        proposed_by_authority_id=analyst.user.authority_id,
    )
    before = session.scalar(select(func.count()).select_from(IssueType))
    response = _propose(analyst, **fields)
    assert response.status_code == 200
    check_page(response)
    assert message in text_of(response)
    assert f'href="#{field_id}"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(IssueType)) == before


def test_network_admins_and_staff_cannot_propose(app_context, sign_in_as):
    for role in (Role.STAFF, Role.NETWORK_ADMIN, Role.INSPECTOR):
        client = sign_in_as(role)
        assert client.get("/issues/propose").status_code == 403


# --- the network admins' catalogue --------------------------------------------------


def _decide(client, code, action):
    return post_form(
        client, f"/admin/issue-types/{code}/{action}", {}, form_page="/admin/issue-types/"
    )


def test_approving_a_proposal_puts_it_in_the_catalogue(app_context, sign_in_as, session):
    proposer = factories.authority()
    proposal = factories.issue_type(
        title="Transitions to adult care",
        status=IssueTypeStatus.PROPOSED,
        proposed_by_authority_id=proposer.id,
    )
    network_admin = sign_in_as(Role.NETWORK_ADMIN)
    response = _decide(network_admin, proposal.code, "approve")
    assert response.status_code == 302
    proposal = _fresh(session, proposal)
    assert proposal.status is IssueTypeStatus.APPROVED
    (event,) = _events(session, "issue_type_approved")
    assert event.actor_id == network_admin.user.id
    assert event.details == {"code": proposal.code, "old": "proposed", "new": "approved"}
    assert "is now in the catalogue" in text_of(network_admin.get("/admin/issue-types/"))
    # Everyone answers about it now; who proposed it stays hidden from them.
    stranger = sign_in_as(Role.STAFF)
    text = text_of(stranger.get("/issues/"))
    assert "Transitions to adult care" in text
    assert proposer.name not in text

    # An approved type is not a proposal any more.
    assert _decide(network_admin, proposal.code, "reject").status_code == 302
    proposal = _fresh(session, proposal)
    assert proposal.status is IssueTypeStatus.APPROVED
    assert "is not awaiting approval" in text_of(network_admin.get("/admin/issue-types/"))
    assert _events(session, "issue_type_rejected") == []


def test_rejecting_a_proposal(app_context, sign_in_as, session):
    analyst = sign_in_as(Role.ANALYST)
    proposal = factories.issue_type(
        title="Transitions to adult care",
        status=IssueTypeStatus.PROPOSED,
        proposed_by_authority_id=analyst.user.authority_id,
    )
    network_admin = sign_in_as(Role.NETWORK_ADMIN)
    assert _decide(network_admin, proposal.code, "reject").status_code == 302
    proposal = _fresh(session, proposal)
    assert proposal.status is IssueTypeStatus.REJECTED
    (event,) = _events(session, "issue_type_rejected")
    assert event.details == {"code": proposal.code, "old": "proposed", "new": "rejected"}
    assert "Transitions to adult care" not in text_of(analyst.get("/issues/"))
    assert _decide(network_admin, "no-such-type", "approve").status_code == 404


def test_renaming_an_issue_type(app_context, sign_in_as, session):
    old_measure = factories.indicator(code="OLD")
    new_measure = factories.indicator(code="NEW")
    issue_type = factories.issue_type(
        title="Home care", description="Old words.", indicators=[old_measure]
    )
    factories.issue_type(title="Taken title")
    flag = factories.flag(factories.authority(), issue_type)
    network_admin = sign_in_as(Role.NETWORK_ADMIN)
    path = f"/admin/issue-types/{issue_type.code}/edit"
    form = network_admin.get(path)
    check_page(form)
    assert 'value="Home care"' in form.get_data(as_text=True)

    refused = post_form(network_admin, path, {"title": "taken TITLE"})
    assert refused.status_code == 200
    check_page(refused)
    assert "An issue type with this title already exists" in text_of(refused)
    assert "Enter a title" in text_of(post_form(network_admin, path, {"title": ""}))

    data = {
        "title": "Home-care market sustainability",
        "description": "New words.",
        "indicators": ["NEW"],
    }
    assert post_form(network_admin, path, data).status_code == 302
    issue_type = _fresh(session, issue_type)
    assert issue_type.title == "Home-care market sustainability"
    assert issue_type.description == "New words."
    assert [indicator.id for indicator in issue_type.indicators] == [new_measure.id]
    assert issue_type.code.startswith("issue-")  # the code the API uses does not change
    assert session.get(IssueFlag, flag.id).issue_type_id == issue_type.id
    (event,) = _events(session, "issue_type_renamed")
    assert event.details["old"]["title"] == "Home care"
    assert event.details["old"]["indicators"] == ["OLD"]
    assert event.details["new"]["title"] == "Home-care market sustainability"
    assert event.details["new"]["indicators"] == ["NEW"]


def test_merging_moves_flags_and_keeps_the_targets_on_collision(app_context, sign_in_as, session):
    source = factories.issue_type(title="Domiciliary care market")
    target = factories.issue_type(title="Home-care market sustainability")
    only_source, both, only_target = (factories.authority() for _ in range(3))
    moved = factories.flag(only_source, source, tried="Moved text", severity=Severity.HIGH)
    dropped = factories.flag(both, source, tried="Dropped text")
    kept = factories.flag(both, target, answer=FlagAnswer.NOT_AN_ISSUE)
    untouched = factories.flag(only_target, target)
    moved_id, dropped_id = moved.id, dropped.id
    network_admin = sign_in_as(Role.NETWORK_ADMIN)
    path = f"/admin/issue-types/{source.code}/merge"

    confirmation = network_admin.get(path)
    check_page(confirmation)
    text = text_of(confirmation)
    assert "moves to the issue type you choose" in text
    assert "that answer is kept and its answer about Domiciliary care market is dropped" in text

    response = post_form(network_admin, path, {"into": target.code})

    assert response.status_code == 302
    source = _fresh(session, source)
    assert source.status is IssueTypeStatus.MERGED
    assert source.merged_into_id == target.id
    assert _flags(session, issue_type_id=source.id) == []
    moved = session.get(IssueFlag, moved_id)
    assert (moved.issue_type_id, moved.authority_id) == (target.id, only_source.id)
    assert (moved.tried, moved.severity) == ("Moved text", Severity.HIGH)
    assert session.get(IssueFlag, dropped_id) is None
    assert session.get(IssueFlag, kept.id).answer is FlagAnswer.NOT_AN_ISSUE
    assert session.get(IssueFlag, untouched.id).issue_type_id == target.id
    assert {flag.authority_id for flag in _flags(session, issue_type_id=target.id)} == {
        only_source.id,
        both.id,
        only_target.id,
    }
    (merged,) = _events(session, "issue_type_merged")
    assert merged.details == {
        "code": source.code,
        "into": target.code,
        "old": "approved",
        "flags_moved": 1,
        "flags_dropped": 1,
    }
    (moved_event,) = _events(session, "flag_moved")
    assert moved_event.authority_id == only_source.id
    (dropped_event,) = _events(session, "flag_dropped")
    assert dropped_event.authority_id == both.id
    assert dropped_event.details["old"]["tried"] == "Dropped text"

    catalogue = text_of(network_admin.get("/admin/issue-types/"))
    assert "has been merged into Home-care market sustainability" in catalogue
    assert "Merged into Home-care market sustainability" in catalogue
    # A merged type cannot be merged again.
    again = post_form(network_admin, path, {"into": target.code})
    assert again.status_code == 302
    assert "Only proposed or approved issue types can be merged" in text_of(
        network_admin.get("/admin/issue-types/")
    )


def test_merge_target_must_be_another_approved_type(app_context, sign_in_as, session):
    source = factories.issue_type()
    proposal = factories.issue_type(status=IssueTypeStatus.PROPOSED)
    network_admin = sign_in_as(Role.NETWORK_ADMIN)
    path = f"/admin/issue-types/{source.code}/merge"
    for into in ("", source.code, proposal.code, "no-such-type"):
        response = post_form(network_admin, path, {"into": into})
        assert response.status_code == 200, into
        check_page(response)
        assert "Select the issue type to merge into" in text_of(response)
    source = _fresh(session, source)
    assert source.status is IssueTypeStatus.APPROVED
    assert _events(session, "issue_type_merged") == []
