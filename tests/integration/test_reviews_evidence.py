"""Pinned comparisons and updates (issue 11, "Reviews"): a review keeps the comparisons it
relied on as they stood, and tells every user of the authority what is happening.

Pins come from the comparison engine exactly as the indicator page shows them; a group
withheld for the viewer (DESIGN.md, Anonymity 9) cannot be pinned. Pages and the API, on
both databases; no query per update or pin.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from bench.models import AuditEvent, ReviewEvidence, Role, TokenScope, UnitKind, UpdateKind
from bench.reviews import service as review_service
from tests import factories, factories_reviews
from tests.integration.test_reviews import XSS, XSS_MARKDOWN, assert_inert
from tests.pages import check_page, post_form, text_of


def _network(values):
    """Councils of one type with one figure each on one indicator in 2022-23 (released);
    the last council is the viewer. As tests/integration/test_compare.py builds it."""
    indicator = factories.indicator(
        code="COST", title="Cost per week", unit_kind=UnitKind.CURRENCY, multiplier=1,
        has_counts=False,
    )  # fmt: skip
    period = factories.period("2022-23")
    factories.period("2023-24", released=False)
    councils = [factories.authority(name=f"Council {n}") for n in range(len(values))]
    for council, value in zip(councils, values, strict=True):
        factories.value(council, indicator, period, value=float(value))
    return councils[-1], indicator, period


@pytest.fixture
def viewer(app_context, sign_in_as):
    """Six councils of one type; the viewer's 200 is an exception against its five peers."""
    authority, indicator, period = _network([10, 20, 30, 40, 50, 200])
    client = sign_in_as(Role.ANALYST, authority, name="Vera Viewer")
    review = factories_reviews.review(authority, team=[client.user], title="Cost review")
    client.review, client.indicator, client.period = review, indicator, period
    client.authority = authority
    _, client.secret = factories.api_token(client.user, TokenScope.RECORD)
    client.api = app_context.test_client()
    return client


def _api(client, path, body):
    headers = {"Authorization": f"Bearer {client.secret}"}
    return client.api.post(path, headers=headers, json=body)


def test_a_pin_keeps_the_classification_the_indicator_page_shows(viewer, session):
    page = viewer.get(f"/reviews/{viewer.review.public_id}")
    check_page(page)
    body = page.get_data(as_text=True)
    periods = body.split('name="period"')[1].split("</select>")[0]
    assert "2022-23" in periods and "2023-24" not in periods  # released periods only
    assert '<option value="type">Same type</option>' in body

    response = post_form(
        viewer,
        f"/reviews/{viewer.review.public_id}/evidence",
        {"indicator": "COST", "period": "2022-23", "group": "type", "note": "Why we *care*"},
    )
    assert response.status_code == 302, text_of(response)
    assert response.headers["Location"].endswith("#evidence")
    page = viewer.get(f"/reviews/{viewer.review.public_id}")
    check_page(page)
    text = text_of(page)
    assert "The comparison has been pinned to the review, as it stands today" in text
    assert "Cost per week, 2022-23, against same type" in text
    assert re.search(r"As pinned on \d+ \w+ \d{4} at \d\d:\d\d \w+: An exception: better", text)
    assert "<em>care</em>" in page.get_data(as_text=True)
    live = "/compare/indicators/COST?group=type&amp;period=2022-23"
    assert f'href="{live}"' in page.get_data(as_text=True)
    # The live page says the same today.
    compared = viewer.get(live.replace("&amp;", "&"))
    assert compared.status_code == 200 and "An exception: better" in text_of(compared)

    (pinned,) = session.scalars(select(ReviewEvidence)).all()
    assert (pinned.group_key, pinned.group_label) == ("type", "Same type")
    assert pinned.value_at_pin == 200.0  # the viewer's own figure, never a peer's
    assert pinned.classification_at_pin == "An exception: better"
    assert re.fullmatch(r"release round \d{4}-\d{2}, data [0-9a-f]{12}", pinned.data_version)
    assert pinned.pinned_by_id == viewer.user.id and pinned.note == "Why we *care*"
    (audited,) = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "review_comparison_pinned")
    ).all()
    assert audited.details == {
        "review": viewer.review.public_id,
        "evidence": pinned.public_id,
        "indicator": "COST",
        "period": "2022-23",
        "group": "type",
    }


def test_the_api_pins_and_lists_pins_with_own_figures_only(viewer, session):
    path = f"/api/v1/reviews/{viewer.review.public_id}"
    response = _api(
        viewer, f"{path}/evidence", {"indicator": "COST", "period": "2022-23", "group": "all"}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    pinned = response.get_json()
    assert set(pinned) == {
        "id", "indicator", "period", "group", "value", "classification", "data_version",
        "note", "pinned_by", "pinned_at", "live",
    }  # fmt: skip
    assert pinned["group"] == {"key": "all", "label": "All councils"}
    assert pinned["value"] == 200.0 and pinned["classification"] == "An exception: better"
    assert pinned["live"] == "/compare/indicators/COST?group=all&period=2022-23"
    headers = {"Authorization": f"Bearer {viewer.secret}"}
    review = viewer.api.get(path, headers=headers).get_json()
    assert review["evidence"] == [pinned]


def test_a_withheld_group_cannot_be_pinned_and_the_form_says_why(app_context, sign_in_as, session):
    # Five councils: the viewer's same-type group holds four peers, fewer than k.
    authority, _, _ = _network([10, 20, 30, 40, 200])
    client = sign_in_as(Role.STAFF, authority)
    review = factories_reviews.review(authority, team=[client.user])
    response = post_form(
        client,
        f"/reviews/{review.public_id}/evidence",
        {"indicator": "COST", "period": "2022-23", "group": "type", "note": ""},
    )
    assert response.status_code == 200
    check_page(response)
    text = text_of(response)
    assert (
        "Same type cannot be pinned for this indicator in 2022-23: Same type has fewer than 5 "
        "councils. Choose another group"
    ) in text
    assert 'href="#group"' in response.get_data(as_text=True)
    assert session.scalars(select(ReviewEvidence)).all() == []
    _, secret = factories.api_token(client.user, TokenScope.RECORD)
    refused = app_context.test_client().post(
        f"/api/v1/reviews/{review.public_id}/evidence",
        headers={"Authorization": f"Bearer {secret}"},
        json={"indicator": "COST", "period": "2022-23", "group": "type"},
    )
    assert refused.status_code == 422
    (error,) = refused.get_json()["errors"]
    assert error["field"] == "group" and "fewer than 5 councils" in error["message"]
    assert session.scalars(select(ReviewEvidence)).all() == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"indicator": "NOPE"}, "indicator", "Select an indicator from the list"),
        ({"period": "2023-24"}, "period", "Select a released period from the list"),
        ({"period": "1066-67"}, "period", "Select a released period from the list"),
        ({"group": "custom-999999"}, "group", "Select one of your peer groups from the list"),
        ({"group": ""}, "group", "Select one of your peer groups from the list"),
        ({"note": "n" * 2001}, "note", "The note must be 2000 characters or fewer"),
        ({"indicator": "OTHER"}, "indicator", "Your authority has no figure for Other"),
    ],
)
def test_pins_are_checked(viewer, session, body, field, message):
    factories.indicator(code="OTHER", title="Other")  # no figure of the viewer's
    sent = {"indicator": "COST", "period": "2022-23", "group": "type", **body}
    response = _api(viewer, f"/api/v1/reviews/{viewer.review.public_id}/evidence", sent)
    assert response.status_code == 422, response.get_data(as_text=True)
    (error,) = response.get_json()["errors"]
    assert (error["field"], message in error["message"]) == (field, True)
    assert session.scalars(select(ReviewEvidence)).all() == []


# --- updates ------------------------------------------------------------------------


def test_updates_reach_everyone_newest_first_a_page_at_a_time(viewer, session, sign_in_as):
    other_review = factories_reviews.review(viewer.authority, title="Other review")
    posted = post_form(
        viewer,
        f"/reviews/{viewer.review.public_id}/updates",
        {"kind": "decision", "body": "We **decided** to pilot"},
    )
    assert posted.status_code == 302 and posted.headers["Location"].endswith("#updates")
    for number in range(24):
        factories_reviews.update(other_review, body_md=f"Older news {number:02d}")
    colleague = sign_in_as(Role.STAFF, viewer.authority)  # not on any team
    first = colleague.get("/reviews/updates")
    check_page(first)
    text = text_of(first)
    assert text.index("We decided to pilot") < text.index("Older news 00")
    assert "Decision on Cost review" in text and "Posted by Vera Viewer" in text
    assert "Page 1 of 2" in text and "Older news 19" not in text
    second = colleague.get("/reviews/updates?page=2")
    check_page(second)
    assert "Older news 23" in text_of(second) and "Older news 18" not in text_of(second)
    assert colleague.get("/reviews/updates?page=3").status_code == 404
    assert colleague.get("/reviews/updates?page=0").status_code == 404
    assert colleague.get(f"/reviews/updates?page={10**20}").status_code == 404
    # One review's updates; the review page links there when it shows only the newest.
    one = colleague.get(f"/reviews/updates?review={other_review.public_id}")
    assert "We decided" not in text_of(one) and "Updates on Other review" in text_of(one)
    review_page = colleague.get(f"/reviews/{other_review.public_id}")
    assert text_of(review_page).count("Older news") == 20
    assert f'href="/reviews/updates?review={other_review.public_id}"' in review_page.get_data(
        as_text=True
    )


def test_the_update_form_says_what_is_wrong(viewer, session):
    response = post_form(
        viewer, f"/reviews/{viewer.review.public_id}/updates", {"kind": "update", "body": " "}
    )
    assert response.status_code == 200
    check_page(response)
    assert "Write the update" in text_of(response)
    assert 'href="#body"' in response.get_data(as_text=True)
    assert text_of(response).startswith("Error: Cost review")


def test_payloads_in_updates_and_pin_notes_render_inert(viewer, session):
    factories_reviews.update(viewer.review, viewer.user, body_md=XSS_MARKDOWN)
    factories_reviews.evidence(
        viewer.review, viewer.indicator, viewer.period, note=XSS_MARKDOWN, group_label=XSS
    )
    for path in (f"/reviews/{viewer.review.public_id}", "/reviews/updates"):
        page = viewer.get(path)
        check_page(page)
        assert_inert(page.get_data(as_text=True))
        assert "&lt;script&gt;" in page.get_data(as_text=True)  # shown as text, not run


# --- the network's log, and no query per row ----------------------------------------


def test_the_network_log_shows_only_that_review_events_happened(viewer, session, sign_in_as):
    post_form(
        viewer,
        f"/reviews/{viewer.review.public_id}/updates",
        {"kind": "update", "body": "Private words"},
    )
    admin = sign_in_as(Role.AUTHORITY_ADMIN, viewer.authority)
    own_log = text_of(admin.get("/audit/"))
    assert "Posted an update on a review" in own_log and viewer.review.public_id in own_log
    network = text_of(sign_in_as(Role.NETWORK_ADMIN).get("/admin/audit/"))
    assert "Posted an update on a review" in network
    assert viewer.review.public_id not in network and "Private words" not in network


def _statements(session, call):
    count = 0

    def counter(*_args):
        nonlocal count
        count += 1

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", counter)
    try:
        assert call().status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", counter)
    return count


def test_no_query_per_update_or_pin(viewer, session):
    review = viewer.review
    path = f"/reviews/{review.public_id}"

    def add(number):
        # Nothing here changes what the comparison engine reads, so its cache holds.
        for index in range(number):
            poster = factories.user(Role.STAFF, viewer.authority)
            factories_reviews.update(review, poster, kind=UpdateKind.DECISION)
            factories_reviews.evidence(
                review, viewer.indicator, viewer.period, pinned_by_id=poster.id,
                note=f"Note {index}",
            )  # fmt: skip

    def read_api():
        headers = {"Authorization": f"Bearer {viewer.secret}"}
        return viewer.api.get(f"/api/v1/reviews/{review.public_id}", headers=headers)

    # One update, then a page short of full (19 of 20) on one page: a page that is full
    # would count its total (api.queries.paged: one statement a list, not one an item).
    add(1)
    viewer.get(path)  # the comparison engine's cache, warmed once for both counts
    read_api()  # and the token's last use, written at most once a minute
    small = {
        "page": _statements(session, lambda: viewer.get(path)),
        "updates": _statements(session, lambda: viewer.get("/reviews/updates")),
        "api": _statements(session, read_api),
    }
    add(review_service.UPDATES_PER_PAGE - 2)
    assert text_of(viewer.get(path)).count("As pinned on") == review_service.UPDATES_PER_PAGE - 1
    large = {
        "page": _statements(session, lambda: viewer.get(path)),
        "updates": _statements(session, lambda: viewer.get("/reviews/updates")),
        "api": _statements(session, read_api),
    }
    assert small == large
