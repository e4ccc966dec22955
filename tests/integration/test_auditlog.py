"""The audit log: an authority admin reads their own authority's events, network admins all."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from bench.extensions import db
from bench.models import AuditEvent, Role
from tests import factories
from tests.pages import check_page, post_form, text_of

BASE = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)


def _event(action, authority, *, actor=None, at=BASE, details=None):
    """An event as bench.audit.record writes it, at a chosen moment."""
    event = AuditEvent(
        occurred_at=at,
        actor_id=actor.id if actor else None,
        authority_id=authority.id if authority else None,
        action=action,
        details=details or {},
    )
    db.session.add(event)
    db.session.commit()
    return event


def _table(response):
    """The HTML of the log's table body."""
    body = response.get_data(as_text=True).split('<tbody class="govuk-table__body">')[1]
    return body.split("</tbody>")[0]


def _rows(response):
    """The number of events listed."""
    return _table(response).count('<tr class="govuk-table__row">')


def test_authority_admin_sees_only_own_authoritys_events(app_context, sign_in_as, session):
    own = factories.authority(name="Ownshire")
    other = factories.authority(name="Othershire")
    colleague = factories.user(Role.ANALYST, own, name="Colleague Cole")
    stranger = factories.user(Role.ANALYST, other, name="Stranger Strange")
    _event("password_changed", own, actor=colleague)
    _event("user_deactivated", other, actor=stranger, details={"email": stranger.email})
    _event("indicator_created", None, details={"code": "NETWORK-ONLY"})
    admin = sign_in_as(Role.AUTHORITY_ADMIN, own)

    response = admin.get("/audit/")
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    assert "Colleague Cole" in text
    assert "Changed their password" in text
    assert admin.user.name in text  # signing in is an event of its own
    for foreign in ("Stranger Strange", stranger.email, "Othershire", other.gss_code):
        assert foreign not in text
    assert "Deactivated a user" not in text  # not even in the filter's list
    assert "NETWORK-ONLY" not in text
    assert "2 events" in text


def test_who_did_it(app_context, sign_in_as, session):
    own = factories.authority()
    network_admin = factories.user(Role.NETWORK_ADMIN, name="Nina Network")
    outsider = factories.user(Role.ANALYST, name="Oscar Outsider")
    outsider_authority = outsider.authority.name
    _event("user_created", own, at=BASE)
    _event("user_deactivated", own, actor=network_admin, at=BASE + timedelta(minutes=1))
    # Should another authority's user ever act on this authority, the log does not name them.
    _event("user_invited", own, actor=outsider, at=BASE + timedelta(minutes=2))
    admin = sign_in_as(Role.AUTHORITY_ADMIN, own)
    text = text_of(admin.get("/audit/?action=user_created"))
    assert "System Account created" in text
    assert "Nina Network Deactivated a user" in text_of(
        admin.get("/audit/?action=user_deactivated")
    )
    invited = text_of(admin.get("/audit/?action=user_invited"))
    assert "A user of another authority Invited a user" in invited
    assert "Oscar Outsider" not in invited
    assert outsider_authority not in invited


def test_times_are_uk_local_time(app_context, sign_in_as, session):
    own = factories.authority()
    _event("signed_out", own, at=datetime(2024, 1, 15, 9, 30, tzinfo=UTC))
    _event("password_changed", own, at=datetime(2024, 7, 1, 9, 30, tzinfo=UTC))
    text = text_of(sign_in_as(Role.AUTHORITY_ADMIN, own).get("/audit/"))
    assert "15 January 2024 at 09:30 GMT" in text  # winter: UK time is UTC
    assert "1 July 2024 at 10:30 BST" in text  # summer: an hour ahead


def test_actions_and_details_in_plain_words(app_context, sign_in_as, session):
    own = factories.authority()
    _event(
        "user_invited",
        own,
        details={"email": "ada@example.gov.uk", "role": {"old": "staff", "new": "analyst"}},
    )
    _event("an_undeclared_action", own, at=BASE - timedelta(days=1))  # a code with no sentence
    response = sign_in_as(Role.AUTHORITY_ADMIN, own).get("/audit/")
    check_page(response)
    text = text_of(response)
    assert "Invited a user Email ada@example.gov.uk Role staff → analyst" in text
    assert "An undeclared action" in text
    assert "<dt>Role</dt><dd>staff → analyst</dd>" in response.get_data(as_text=True)


def test_newest_first_fifty_a_page(app_context, sign_in_as, session):
    own = factories.authority()
    admin = sign_in_as(Role.AUTHORITY_ADMIN, own)  # its sign-in is the newest event
    for number in range(120):
        _event("password_changed", own, at=BASE + timedelta(minutes=number), details={"n": number})
    first = admin.get("/audit/")
    check_page(first)
    assert _rows(first) == 50
    text = text_of(first)
    assert "121 events, page 1 of 3" in text
    assert text.index("Signed in") < text.index("N 119") < text.index("N 118")
    assert "N 71" in text and "N 70" not in text
    assert 'href="/audit/?page=2"' in first.get_data(as_text=True)

    last = admin.get("/audit/?page=3")
    assert last.status_code == 200
    page = check_page(last)
    assert page.title.startswith("Audit log – page 3 of 3")
    assert _rows(last) == 21
    assert "N 0" in text_of(last) and "N 20" in text_of(last)
    assert 'href="/audit/?page=2"' in last.get_data(as_text=True)  # previous

    for missing in ("/audit/?page=4", "/audit/?page=0", "/audit/?page=-1"):
        assert admin.get(missing).status_code == 404, missing


def test_filter_by_action(app_context, sign_in_as, session):
    own = factories.authority()
    admin = sign_in_as(Role.AUTHORITY_ADMIN, own)
    for number in range(55):
        _event("user_invited", own, at=BASE + timedelta(minutes=number))
    _event("user_deactivated", own)
    response = admin.get("/audit/?action=user_invited")
    check_page(response)
    text = text_of(response)
    assert "55 events, page 1 of 2" in text
    assert _table(response).count("Invited a user") == _rows(response) == 50
    body = response.get_data(as_text=True)
    assert 'href="/audit/?page=2&amp;action=user_invited"' in body
    assert re.search(r'<option value="user_invited" selected', body)
    assert _rows(admin.get("/audit/?action=user_deactivated")) == 1
    assert "No events" in text_of(admin.get("/audit/?action=no_such_action"))


def test_network_admin_reads_every_event(app_context, sign_in_as, session):
    first = factories.authority(name="Firstshire")
    second = factories.authority(name="Secondshire")
    _event("password_changed", first, actor=factories.user(Role.STAFF, first, name="Fay First"))
    _event("password_changed", second, actor=factories.user(Role.STAFF, second, name="Sam Second"))
    network_admin = sign_in_as(Role.NETWORK_ADMIN)
    post_form(
        network_admin,
        "/admin/periods/new",
        {
            "code": "2024-25",
            "label": "2024 to 2025",
            "kind": "financial_year",
            "starts_on": ["1", "4", "2024"],
            "ends_on": ["31", "3", "2025"],
        },
    )
    response = network_admin.get("/admin/audit/")
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    assert "Fay First Firstshire Changed their password" in text
    assert "Sam Second Secondshire Changed their password" in text
    assert f"{network_admin.user.name} Network Created a period Code 2024-25" in text


@pytest.mark.parametrize("role", [Role.STAFF, Role.ANALYST, Role.INSPECTOR, Role.NETWORK_ADMIN])
def test_only_authority_admins_read_their_authoritys_log(app_context, sign_in_as, role):
    assert sign_in_as(role).get("/audit/").status_code == 403


def test_network_log_shows_only_details_declared_safe(app_context, sign_in_as, session):
    # DESIGN.md Anonymity 14: the network's log shows the event (who, when, which authority,
    # what kind of action) but no figure or answer; a detail key nobody declared safe for
    # the network view stays hidden. The authority's own admins see everything.
    own = factories.authority(name="Figureshire")
    analyst = factories.user(Role.ANALYST, own, name="Ann Analyst")
    _event(
        "values_published",
        own,
        actor=analyst,
        details={
            "source": "form",
            "added": 12,
            "corrected": 1,
            "unchanged": 0,
            "corrections": [
                {"indicator": "X1", "period": "2022-23", "old": {"value": 4321.5}, "new": {}}
            ],
            "corrections_listed": 1,
            "a_key_added_later": "Secret sauce",
        },
        at=BASE,
    )
    _event(
        "flag_recorded",
        own,
        actor=analyst,
        details={"issue_type": "staff-turnover", "old": None, "new": {"tried": "Quiet rota"}},
        at=BASE + timedelta(minutes=1),
    )
    # An action with no declaration at all: its event shows, its details do not.
    _event("an_undeclared_action", own, details={"to": "Neighbourshire"}, at=BASE + timedelta(2))
    network = sign_in_as(Role.NETWORK_ADMIN).get("/admin/audit/")
    check_page(network)
    text = text_of(network)
    assert "Ann Analyst Figureshire Published figures Source form Added 12 Corrected 1" in text
    assert "Ann Analyst Figureshire Answered about a known issue" in text
    assert "An undeclared action" in text
    for hidden in ("4321.5", "X1", "Secret sauce", "staff-turnover", "Quiet rota", "Neighbour"):
        assert hidden not in text, hidden
    assert "shown only in the authority’s own audit log" in text

    own_admin = text_of(sign_in_as(Role.AUTHORITY_ADMIN, own).get("/audit/"))
    for shown in ("4321.5", "X1", "Secret sauce", "staff-turnover", "Quiet rota", "Neighbour"):
        assert shown in own_admin, shown


def test_merged_answers_stay_out_of_the_network_log(app_context, sign_in_as, session):
    # Which authorities' answers a merge moved or dropped tells who answered about what:
    # those events are for each authority's own admins; the merge itself is the network's.
    own = factories.authority(name="Mergeshire")
    _event("flag_moved", own, details={"from": "a", "into": "b", "old": {"answer": "reported"}})
    _event("flag_dropped", own, details={"from": "a", "into": "b", "old": None})
    _event(
        "issue_type_merged",
        None,
        details={"code": "a", "into": "b", "old": "approved", "flags_moved": 1, "flags_dropped": 1},
    )
    network_admin = sign_in_as(Role.NETWORK_ADMIN)
    text = text_of(network_admin.get("/admin/audit/"))
    assert "Merged an issue type Code a Into b" in text
    assert "Mergeshire" not in text and "Flags moved" not in text and "Flags dropped" not in text
    for action in ("flag_moved", "flag_dropped"):
        assert "No events" in text_of(network_admin.get(f"/admin/audit/?action={action}"))
    own_admin = text_of(sign_in_as(Role.AUTHORITY_ADMIN, own).get("/audit/"))
    assert "An answer moved to the merged issue type" in own_admin
    assert "An answer dropped: the merged issue type already had one" in own_admin
    assert "Old answer: reported" in own_admin
