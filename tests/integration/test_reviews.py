"""Reviews through their pages (issue 11, "Reviews"): starting one, reading it, changing
it with optimistic locking, its team and its chain of previous reviews; who may do what.

On both databases, through real HTTP as a browser would (forms with their CSRF tokens).
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from bench.models import (
    ActionStatus,
    AuditEvent,
    FollowUpAction,
    KeyArea,
    Review,
    ReviewStatus,
    ReviewTeamMember,
    Role,
    StaffViewResponse,
    StaffViewStatus,
    TeamRole,
)
from tests import factories, factories_actions, factories_reviews
from tests.pages import check_page, post_form, text_of

PUBLIC_ID = re.compile(r"/reviews/([A-Za-z0-9_-]{22})\Z")


def _day(value: date) -> list[str]:
    """A date as the GOV.UK date input sends it: day, month, year."""
    return [str(value.day), str(value.month), str(value.year)]


def review_form(**changes):
    data = {
        "title": "Adult social care review 2027",
        "service_scope": "Direct payments and **home care**",
        "key_areas": ["national_framework", "cost_efficiency"],
        "period": "2025-26",
        "starts_on": _day(date(2027, 4, 1)),
        "ends_on": _day(date(2028, 3, 31)),
        "status": "planning",
        "previous_review": "",
    }
    data.update(changes)
    return data


def edit_form(review, **changes):
    data = review_form(
        title=review.title,
        service_scope=review.service_scope,
        key_areas=[row.key_area.value for row in review.key_areas],
        period=review.period.code,
        starts_on=_day(review.starts_on),
        ends_on=_day(review.ends_on) if review.ends_on else ["", "", ""],
        status=review.status.value,
        previous_review=review.previous_review.public_id if review.previous_review else "",
        lock_version=str(review.lock_version),
    )
    data.update(changes)
    return data


def events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


@pytest.fixture
def council(app_context, sign_in_as):
    """An authority with a staff user (signed in), an analyst and an admin; two periods."""
    authority = factories.authority(name="Reviewshire Council")
    factories.period("2024-25")
    factories.period("2025-26", released=False)

    class Council:
        pass

    council = Council()
    council.authority = authority
    council.staff = sign_in_as(Role.STAFF, authority, name="Sam Staff")
    council.analyst = sign_in_as(Role.ANALYST, authority, name="Ann Analyst")
    council.admin = sign_in_as(Role.AUTHORITY_ADMIN, authority, name="Ada Admin")
    return council


# --- starting and reading ---------------------------------------------------------


def test_any_user_starts_a_review_and_leads_it(council, session):
    form = council.staff.get("/reviews/new")
    check_page(form)
    assert "2025-26" in text_of(form)  # any period, released or not

    response = post_form(council.staff, "/reviews/new", review_form())
    assert response.status_code == 302, text_of(response)
    public_id = PUBLIC_ID.search(response.headers["Location"]).group(1)
    page = council.staff.get(f"/reviews/{public_id}")
    check_page(page)
    text = text_of(page)
    assert "The review has been started. You are on its team as the lead" in text
    assert "Adult social care review 2027" in text and "Planning" in text
    assert "Sam Staff, lead" in text
    assert "Performance against the national framework" in text and "Cost efficiency" in text
    assert "1 April 2027 to 31 March 2028" in text
    assert "<strong>home care</strong>" in page.get_data(as_text=True)  # Markdown, rendered
    assert "Change the review" in text and "Post an update" in text

    review = session.scalars(select(Review)).one()
    assert review.public_id == public_id and review.authority_id == council.authority.id
    assert review.period.code == "2025-26" and review.lock_version == 1
    assert review.created_by_id == council.staff.user.id
    assert {row.key_area for row in review.key_areas} == {
        KeyArea.NATIONAL_FRAMEWORK,
        KeyArea.COST_EFFICIENCY,
    }
    (lead,) = review.team
    assert (lead.user_id, lead.role) == (council.staff.user.id, TeamRole.LEAD)
    (event,) = events(session, "review_created")
    assert event.actor_id == council.staff.user.id and event.authority_id == council.authority.id
    assert event.details == {"review": public_id, "status": "planning"}


def test_a_review_started_after_another_carries_its_unfinished_actions_in(council, session):
    last = factories_reviews.review(council.authority, title="Last year's review")
    open_one = factories_actions.action(
        council.authority, review_id=last.id, description="Pilot peer support"
    )
    done = factories_actions.action(
        council.authority, review_id=last.id, status=ActionStatus.DONE, description="Done one"
    )
    response = post_form(council.staff, "/reviews/new", review_form(previous_review=last.public_id))
    assert response.status_code == 302, text_of(response)
    review = session.scalars(select(Review).where(Review.id != last.id)).one()
    carried = session.scalars(
        select(FollowUpAction).where(FollowUpAction.review_id == review.id)
    ).all()
    assert [(action.description, action.carried_from_id) for action in carried] == [
        ("Pilot peer support", open_one.id)
    ]
    open_one = session.get(FollowUpAction, open_one.id, populate_existing=True)
    done = session.get(FollowUpAction, done.id, populate_existing=True)
    assert open_one.status is ActionStatus.CARRIED_FORWARD
    assert done.status is ActionStatus.DONE and done.review_id == last.id


def test_the_list_shows_the_authoritys_reviews_newest_start_first(council, session):
    other = factories.authority(name="Otherton Council")
    factories_reviews.review(council.authority, title="Older review", starts_on=date(2024, 4, 1))
    factories_reviews.review(
        council.authority,
        title="Newer review",
        starts_on=date(2026, 4, 1),
        status=ReviewStatus.FIELDWORK,
    )
    factories_reviews.review(other, title="Otherton's own review")
    page = council.analyst.get("/reviews/")
    check_page(page)
    text = text_of(page)
    assert text.index("Newer review") < text.index("Older review")
    assert "Fieldwork" in text and "Otherton" not in text
    assert 'href="/reviews/"' in council.staff.get("/").get_data(as_text=True)  # the nav link


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title for the review"),
        ({"title": "   "}, "title", "Enter a title for the review"),
        ({"title": "x" * 201}, "title", "The title must be 200 characters or fewer"),
        ({"title": "Tab\x0bbed"}, "title", "Remove the control characters from this text"),
        (
            {"service_scope": "s" * 4001},
            "service_scope",
            "The service in scope must be 4000 characters or fewer",
        ),
        ({"key_areas": []}, "key_areas", "Select at least one key area the review watches"),
        ({"key_areas": ["happiness"]}, "key_areas", "Select key areas from the list"),
        ({"period": ""}, "period", "Select the period the review covers"),
        ({"period": "1999-00"}, "period", "Select a period from the list"),
        ({"starts_on": ["", "", ""]}, "starts_on", "Enter the date the review starts"),
        ({"starts_on": ["31", "2", "2027"]}, "starts_on", "Start date must be a real date"),
        (
            {"ends_on": ["31", "3", "2027"]},
            "ends_on",
            "The end date must be the same as or after the start date",
        ),
        ({"status": "abandoned"}, "status", "Select the review's status from the list"),
        ({"previous_review": "no-such-review"}, "previous_review", "Select one of your"),
    ],
)
def test_the_form_says_what_is_wrong_and_writes_nothing(council, session, changes, field, message):
    response = post_form(council.staff, "/reviews/new", review_form(**changes))
    assert response.status_code == 200
    check_page(response)
    body = response.get_data(as_text=True)
    assert message in text_of(response)
    assert f'href="#{field}"' in body  # the error summary links to the field
    assert session.scalars(select(Review)).all() == []
    assert events(session, "review_created") == []


# --- changing: optimistic locking ----------------------------------------------------


def test_a_team_member_changes_the_review_and_each_change_is_audited(council, session):
    review = factories_reviews.review(council.authority, team=[council.analyst.user])
    form = council.analyst.get(f"/reviews/{review.public_id}/edit")
    check_page(form)
    assert 'value="1"' in form.get_data(as_text=True)  # the lock_version read
    response = post_form(
        council.analyst,
        f"/reviews/{review.public_id}/edit",
        edit_form(
            review,
            title="Renamed review",
            status="fieldwork",
            key_areas=["user_satisfaction"],
        ),
    )
    assert response.status_code == 302, text_of(response)
    session.expire_all()
    review = session.get(Review, review.id)
    assert review.title == "Renamed review" and review.status is ReviewStatus.FIELDWORK
    assert [row.key_area for row in review.key_areas] == [KeyArea.USER_SATISFACTION]
    assert review.lock_version == 2
    (changed,) = events(session, "review_changed")
    assert changed.details == {"review": review.public_id, "fields": ["title", "key_areas"]}
    (status,) = events(session, "review_status_changed")
    assert status.details == {"review": review.public_id, "from": "planning", "to": "fieldwork"}
    # Any status may follow any other, back to planning too; each move is audited.
    for status_value in ("closed", "planning"):
        post_form(
            council.analyst,
            f"/reviews/{review.public_id}/edit",
            edit_form(session.get(Review, review.id), status=status_value),
        )
        session.expire_all()
    assert [e.details["to"] for e in events(session, "review_status_changed")] == [
        "fieldwork",
        "closed",
        "planning",
    ]
    # A save that changes nothing records nothing and keeps the version.
    version = session.get(Review, review.id).lock_version
    post_form(
        council.analyst,
        f"/reviews/{review.public_id}/edit",
        edit_form(session.get(Review, review.id)),
    )
    session.expire_all()
    assert session.get(Review, review.id).lock_version == version
    assert len(events(session, "review_changed")) == 1


def test_a_stale_save_is_refused_showing_both_versions(council, session):
    review = factories_reviews.review(
        council.authority, team=[council.staff.user, council.analyst.user], title="First title"
    )
    path = f"/reviews/{review.public_id}/edit"
    stale = edit_form(review, title="Staff's title")  # read at version 1
    # The analyst saves first.
    saved = post_form(council.analyst, path, edit_form(review, title="Analyst's title"))
    assert saved.status_code == 302
    # The staff member's save, from version 1, is refused: nothing lost, nothing overwritten.
    refused = post_form(council.staff, path, stale)
    assert refused.status_code == 200
    check_page(refused)
    text = text_of(refused)
    assert "Someone else saved this review after you opened it" in text
    assert "The review as it is saved now" in text and "Analyst's title" in text
    body = refused.get_data(as_text=True)
    assert 'value="Staff&#39;s title"' in body  # their change is still in the form
    assert 'href="#lock_version"' in body and 'id="lock_version"' in body
    session.expire_all()
    assert session.get(Review, review.id).title == "Analyst's title"
    assert session.get(Review, review.id).lock_version == 2
    # The form now carries the version shown: saving again replaces theirs, knowingly.
    assert re.search(r'id="lock_version-input" name="lock_version" type="hidden" value="2"', body)
    again = post_form(council.staff, path, {**stale, "lock_version": "2"})
    assert again.status_code == 302
    session.expire_all()
    assert session.get(Review, review.id).title == "Staff's title"


def test_a_bad_lock_version_is_refused(council, session):
    review = factories_reviews.review(council.authority, team=[council.staff.user])
    response = post_form(
        council.staff,
        f"/reviews/{review.public_id}/edit",
        edit_form(review, title="Changed", lock_version="１"),
    )
    assert response.status_code == 200
    assert "Send the lock_version of the review as you last read it" in text_of(response)
    session.expire_all()
    assert session.get(Review, review.id).title != "Changed"


# --- the team -----------------------------------------------------------------------------


def _team_form(client, review):
    """The team page's form as it stands, as a dict a browser would send back."""
    page = client.get(f"/reviews/{review.public_id}/team")
    check_page(page)
    body = page.get_data(as_text=True)
    data = {"lock_version": re.search(r'name="lock_version" type="hidden" value="(\d+)"', body)[1]}
    for name, value in re.findall(r'name="(members-\d+-name)"[^>]*?value="([^"]*)"', body):
        data[name] = value
    for row in sorted(set(re.findall(r'name="members-(\d+)-role"', body))):
        select_html = body.split(f'name="members-{row}-user"')[1].split("</select>")[0]
        chosen = re.search(r'<option value="([^"]*)" selected', select_html)
        data[f"members-{row}-user"] = chosen[1] if chosen else ""
        role_html = body.split(f'name="members-{row}-role"')[1].split("</select>")[0]
        data[f"members-{row}-role"] = re.search(r'<option value="([^"]*)" selected', role_html)[1]
        data.setdefault(f"members-{row}-name", "")
    return page, data


def test_the_team_has_colleagues_and_people_without_accounts(council, session):
    review = factories_reviews.review(council.authority, team=[council.staff.user])
    stranger = factories.user(Role.STAFF, factories.authority(), name="Stranger Danger")
    gone = factories.user(Role.STAFF, council.authority, name="Gone Person", active=False)
    page, data = _team_form(council.admin, review)
    options = page.get_data(as_text=True)
    assert "Ann Analyst" in options and "Stranger Danger" not in options
    assert "Gone Person" not in options  # deactivated: not offered
    data.update(
        {
            "members-0-role": "lead",
            "members-1-user": council.analyst.user.email,
            "members-1-role": "member",
            "members-2-name": "Councillor Jones",
            "members-2-role": "sponsor",
        }
    )
    response = post_form(council.admin, f"/reviews/{review.public_id}/team", data)
    assert response.status_code == 302, text_of(response)
    text = text_of(council.staff.get(f"/reviews/{review.public_id}"))
    assert "Sam Staff, lead" in text and "Ann Analyst, member" in text
    assert "Councillor Jones, sponsor (no account)" in text
    (event,) = events(session, "review_team_changed")
    assert event.details == {
        "review": review.public_id,
        "added": 2,
        "removed": 0,
        "role_changed": 1,
    }
    assert "Councillor" not in str(event.details)  # counts, never names
    # The analyst can now change the review; removing the staff member takes theirs away.
    assert council.analyst.get(f"/reviews/{review.public_id}/edit").status_code == 200
    _, data = _team_form(council.analyst, review)
    data["members-0-remove"] = "y"
    assert post_form(council.analyst, f"/reviews/{review.public_id}/team", data).status_code == 302
    refused = council.staff.get(f"/reviews/{review.public_id}/edit")
    assert refused.status_code == 403
    # Someone who is not an active colleague cannot be added by editing the form.
    for email in (stranger.email, gone.email):
        _, data = _team_form(council.analyst, review)
        data.update({"members-3-user": email, "members-3-role": "member"})
        response = post_form(council.analyst, f"/reviews/{review.public_id}/team", data)
        assert response.status_code == 200
        check_page(response)
        assert "Choose a colleague from the list of your authority's active users" in text_of(
            response
        )
        assert 'href="#members-3-user"' in response.get_data(as_text=True)
    assert (
        session.scalars(
            select(ReviewTeamMember).where(ReviewTeamMember.user_id.in_([stranger.id, gone.id]))
        ).all()
        == []
    )


def test_team_rows_say_what_is_wrong(council, session):
    review = factories_reviews.review(council.authority, team=[council.staff.user])
    _, data = _team_form(council.staff, review)
    data.update({"members-1-name": "x" * 201, "members-1-role": "member"})
    response = post_form(council.staff, f"/reviews/{review.public_id}/team", data)
    assert response.status_code == 200
    check_page(response)
    assert "The name must be 200 characters or fewer" in text_of(response)
    assert 'href="#members-1-name"' in response.get_data(as_text=True)
    _, data = _team_form(council.staff, review)
    data.update({"members-1-user": council.staff.user.email, "members-1-role": "member"})
    response = post_form(council.staff, f"/reviews/{review.public_id}/team", data)
    assert "This colleague is already on the team" in text_of(response)
    session.expire_all()
    assert len(session.get(Review, review.id).team) == 1


def test_a_stale_team_save_is_refused(council, session):
    review = factories_reviews.review(council.authority, team=[council.staff.user])
    _, stale = _team_form(council.staff, review)
    _, data = _team_form(council.admin, review)
    data.update({"members-1-name": "Added First", "members-1-role": "member"})
    assert post_form(council.admin, f"/reviews/{review.public_id}/team", data).status_code == 302
    stale.update({"members-1-name": "Added Second", "members-1-role": "member"})
    refused = post_form(council.staff, f"/reviews/{review.public_id}/team", stale)
    assert refused.status_code == 200
    check_page(refused)
    text = text_of(refused)
    assert "Someone else saved this review after you opened it" in text
    assert "The team as it is saved now" in text and "Added First" in text
    assert 'value="Added Second"' in refused.get_data(as_text=True)
    session.expire_all()
    names = {member.display_name for member in session.get(Review, review.id).team}
    assert names == {"", "Added First"}


# --- who may do what ------------------------------------------------------------------------


def test_off_the_team_a_colleague_reads_but_is_told_why_they_cannot_change(council, session):
    review = factories_reviews.review(council.authority, team=["Named Only"], title="Team test")
    page = council.staff.get(f"/reviews/{review.public_id}")
    check_page(page)
    text = text_of(page)
    assert "Team test" in text and "Named Only" in text
    assert "You are not on this review’s team, so you can read it but not change it" in text
    assert "Post an update" not in text and "Pin a comparison" not in text
    for path in ("edit", "team"):
        refused = council.staff.get(f"/reviews/{review.public_id}/{path}")
        assert refused.status_code == 403
        check_page(refused)
        assert "You are not on this review's team" in text_of(refused)
    writes = {
        "edit": edit_form(review, title="Hijacked"),
        "team": {"lock_version": "1", "members-0-name": "Me", "members-0-role": "lead"},
        "updates": {"kind": "update", "body": "Sneaky update"},
        "evidence": {"indicator": "x", "period": "2024-25", "group": "all"},
    }
    for path, data in writes.items():
        refused = post_form(
            council.staff, f"/reviews/{review.public_id}/{path}", data, form_page="/reviews/"
        )
        assert refused.status_code == 403, path
        assert "Only the team and your authority's admins can change the review" in text_of(refused)
    session.expire_all()
    assert session.get(Review, review.id).title == "Team test"
    assert events(session, "review_update_posted") == []
    # An authority admin may, team or not.
    assert council.admin.get(f"/reviews/{review.public_id}/edit").status_code == 200


def test_another_authoritys_review_is_not_found(council, session, sign_in_as):
    other = factories.authority(name="Elsewhere Council")
    theirs = factories_reviews.review(other, title="Elsewhere's secret review")
    factories_reviews.update(theirs, body_md="Elsewhere's secret update")
    admin = council.admin  # an admin of another authority: not even admins see it
    for path in ("", "/edit", "/team"):
        assert admin.get(f"/reviews/{theirs.public_id}{path}").status_code == 404
    for path in ("/edit", "/updates", "/evidence", "/team"):
        response = post_form(admin, f"/reviews/{theirs.public_id}{path}", {}, form_page="/reviews/")
        assert response.status_code == 404
    assert admin.get(f"/reviews/updates?review={theirs.public_id}").status_code == 404
    for listing in ("/reviews/", "/reviews/updates"):
        assert "Elsewhere" not in text_of(admin.get(listing))
    # Chosen as a previous review by its id: not one of ours.
    response = post_form(admin, "/reviews/new", review_form(previous_review=theirs.public_id))
    assert "Select one of your authority's earlier reviews" in text_of(response)


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.NETWORK_ADMIN])
def test_inspectors_and_network_admins_have_no_access(council, sign_in_as, role):
    review = factories_reviews.review(council.authority)
    factories.grant(factories.user(Role.INSPECTOR), council.authority)
    client = sign_in_as(role)
    for path in ("/reviews/", "/reviews/updates", f"/reviews/{review.public_id}"):
        assert client.get(path).status_code == 403
    assert 'href="/reviews/"' not in client.get("/").get_data(as_text=True)


# --- the chain of reviews ----------------------------------------------------------------


def test_a_review_follows_an_earlier_one_never_itself_or_a_loop(council, session):
    earlier = factories_reviews.review(
        council.authority, title="Last year's review", starts_on=date(2025, 4, 1)
    )
    response = post_form(
        council.staff, "/reviews/new", review_form(previous_review=earlier.public_id)
    )
    assert response.status_code == 302
    current = session.scalars(select(Review).where(Review.id != earlier.id)).one()
    assert current.previous_review_id == earlier.id
    text = text_of(council.staff.get(f"/reviews/{current.public_id}"))
    assert "Previous review Last year's review" in text
    text = text_of(council.staff.get(f"/reviews/{earlier.public_id}"))
    assert "Next review Adult social care review 2027" in text

    # The form never offers a review as its own previous one; sent anyway, it is refused.
    page = council.staff.get(f"/reviews/{current.public_id}/edit")
    assert f'value="{current.public_id}"' not in page.get_data(as_text=True)
    path = f"/reviews/{current.public_id}/edit"
    response = post_form(council.staff, path, edit_form(current, previous_review=current.public_id))
    assert "A review cannot be its own previous review" in text_of(response)
    # A previous review must start before this one.
    response = post_form(council.staff, path, edit_form(current, starts_on=_day(date(2025, 1, 1))))
    assert "The previous review must start before this one" in text_of(response)

    # Dates can move after a link is made; a loop is refused all the same.
    council.admin.get("/reviews/")
    earlier_path = f"/reviews/{earlier.public_id}/edit"
    moved = edit_form(earlier, starts_on=_day(date(2028, 4, 1)), ends_on=["", "", ""])
    assert post_form(council.admin, earlier_path, moved).status_code == 302
    session.expire_all()
    earlier = session.get(Review, earlier.id)
    looped = edit_form(earlier, previous_review=current.public_id)
    response = post_form(council.admin, earlier_path, looped)
    assert response.status_code == 200
    assert "That review already follows this one, so it cannot come before it" in text_of(response)
    session.expire_all()
    assert session.get(Review, earlier.id).previous_review_id is None


# --- what may not run ----------------------------------------------------------------------

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
XSS_MARKDOWN = XSS + ' [click](javascript:alert(1)) <a href="javascript:alert(2)">a</a>'


class _Tags(HTMLParser):
    """Every element a browser would build from a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def assert_inert(body: str) -> None:
    """No payload became markup: no image, no handler, no javascript: link, no script of
    anyone's but the page's own."""
    parser = _Tags()
    parser.feed(body)
    for tag, attrs in parser.tags:
        assert tag not in ("img", "iframe", "object", "embed"), (tag, attrs)
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), attrs
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/") or "nonce" in attrs, attrs
    assert not [script for script in parser.scripts if "alert" in script]


def test_payloads_in_titles_scope_and_team_names_render_inert(council, session):
    response = post_form(
        council.staff,
        "/reviews/new",
        review_form(title=XSS, service_scope=XSS_MARKDOWN),
    )
    assert response.status_code == 302
    review = session.scalars(select(Review)).one()
    assert review.title == XSS  # stored as written
    _, data = _team_form(council.staff, review)
    data.update({"members-1-name": XSS, "members-1-role": "member"})
    assert post_form(council.staff, f"/reviews/{review.public_id}/team", data).status_code == 302
    for path in ("", "/edit", "/team"):
        page = council.staff.get(f"/reviews/{review.public_id}{path}")
        check_page(page)
        assert_inert(page.get_data(as_text=True))
    listing = council.staff.get("/reviews/")
    assert_inert(listing.get_data(as_text=True))
    assert "&lt;script&gt;" in listing.get_data(as_text=True)


def test_the_review_page_brings_together_its_visits_actions_and_answered_views(council, session):
    review = factories_reviews.review(council.authority, title="This year's review")
    other = factories_reviews.review(council.authority, title="Another review")
    factories_actions.visit(council.authority, review_id=review.id, title="Visit about triage")
    factories_actions.visit(council.authority, review_id=other.id, title="Visit elsewhere")
    factories_actions.action(council.authority, review_id=review.id, description="Pilot triage")
    factories_actions.action(council.authority, review_id=other.id, description="Not this one")
    answered = factories_actions.staff_view(
        council.authority,
        review_id=review.id,
        body_md="Caseloads are <script>alert(1)</script> too high",
        status=StaffViewStatus.RESPONDED,
        released=True,
    )
    session.add(StaffViewResponse(view_id=answered.id, body_md="We hired two **workers**"))
    factories_actions.staff_view(council.authority, review_id=review.id, body_md="Not answered")
    session.commit()

    page = council.staff.get(f"/reviews/{review.public_id}")
    check_page(page)
    text = text_of(page)
    assert "Visit about triage" in text and "Visit elsewhere" not in text
    assert "Pilot triage" in text and "Not this one" not in text
    assert "Caseloads are <script>alert(1)</script> too high" in text  # shown as text
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)
    assert "<strong>workers</strong>" in page.get_data(as_text=True)
    assert "Not answered" not in text  # only answered views, as every member of staff sees
