"""The search page and GET /api/v1/search: results, filters, ranking, paging, bad input,
query syntax treated as text, and XSS in indexed text left inert."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from bench import messages
from bench.models import KeyArea, Role, SearchKind, ShareLevel
from tests import factories
from tests import factories_search as fs
from tests.factories_search import own_fixture, staff_fixture  # noqa: F401 - fixtures
from tests.pages import check_page, text_of

WORD = "fennel"


def ids(items):
    return {item["id"] for item in items}


def test_the_form_comes_first_and_search_is_in_the_header(staff):
    page = staff.client.get("/search/")
    check_page(page)
    html = page.get_data(as_text=True)
    assert 'href="/search/"' in html  # the header's link
    for name in ("q", "kind", "issue_type", "indicator", "key_area", "from", "to"):
        assert f'name="{name}"' in html
    assert "result" not in text_of(page)  # nothing searched yet, no "No results"


def test_each_kind_is_found_with_its_link_date_and_marked_snippet(app_context, staff, own):
    review = fs.review(own, title="Reablement review")
    update = fs.review_update(review, f"We are trying {WORD} rotas.")
    action = fs.action(own, f"Try {WORD} rotas in two teams")
    note = fs.note(fs.visit(own), f"They run {WORD} rotas.")
    item = fs.good_practice("Weekend rotas", f"A {WORD} rota.", published_on=date(2025, 2, 1))
    found = {item_["kind"]: item_ for item_ in staff.found(WORD)}
    assert found["note"]["url"] == f"/visits/notes/{note.public_id}"
    assert found["review_update"]["url"] == f"/reviews/{review.public_id}"
    assert found["review_update"]["id"] == update.public_id
    assert found["review_update"]["title"] == "Reablement review: Update"
    assert found["action"]["url"] == f"/actions/{action.public_id}"
    assert found["good_practice"]["url"] == f"/sharing/good-practice/{item.public_id}"
    assert found["good_practice"]["date"] == "2025-02-01"
    # (PostgreSQL's ts_headline leaves out the full stop.)
    assert found["note"]["snippet"].startswith(f"They run {WORD} rotas")
    assert found["note"]["snippet_html"].startswith(f"They run <mark>{WORD}</mark> rotas")
    page = staff.page(WORD)
    check_page(page)
    html = page.get_data(as_text=True)
    assert "4 results for ‘fennel’" in text_of(page)
    assert f'href="/actions/{action.public_id}"' in html
    assert f"<mark>{WORD}</mark>" in html
    assert "1 February 2025" in text_of(page)


@pytest.fixture
def filtered(app_context, own):
    """Documents about different subjects, reviews and days, all holding WORD."""
    issue, other_issue = factories.issue_type(), factories.issue_type()
    indicator, other_indicator = factories.indicator(), factories.indicator()
    first = fs.review(own, (KeyArea.USER_SATISFACTION,), title="First")
    second = fs.review(own, (KeyArea.COST_EFFICIENCY,), title="Second")
    spring = datetime(2025, 4, 10, tzinfo=UTC)
    summer = datetime(2025, 7, 10, tzinfo=UTC)
    made = {
        "note one": fs.note(
            fs.visit(own, review_id=first.id, issue_types=(issue,), indicators=(indicator,)),
            f"{WORD} one",
            at=spring,
        ),
        "note two": fs.note(
            fs.visit(own, review_id=second.id, issue_types=(other_issue,)), f"{WORD} two", at=summer
        ),
        "update": fs.review_update(first, f"{WORD} update", posted_at=summer),
        "action": fs.action(
            own,
            f"{WORD} action",
            issue_type_id=issue.id,
            indicator_id=other_indicator.id,
            review_id=second.id,
            created_at=spring,
        ),
        "item": fs.good_practice(
            "Item",
            f"{WORD} item",
            key_area=KeyArea.COST_EFFICIENCY,
            issue_type_id=other_issue.id,
            published_on=date(2025, 1, 5),
        ),
    }
    return {
        "ids": {name: record.public_id for name, record in made.items()},
        "issue": issue.code,
        "indicator": indicator.code,
        "other_indicator": other_indicator.code,
        "first": first.public_id,
        "second": second.public_id,
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"note one", "note two", "update", "action", "item"}),
        ({"kind": "note"}, {"note one", "note two"}),
        ({"kind": "good_practice"}, {"item"}),
        ({"issue_type": "issue"}, {"note one", "action"}),
        ({"indicator": "indicator"}, {"note one"}),
        ({"indicator": "other_indicator"}, {"action"}),
        # A note and an update take their review's key areas; good practice its own.
        ({"key_area": "user_satisfaction"}, {"note one", "update"}),
        ({"key_area": "cost_efficiency"}, {"note two", "item"}),
        ({"review": "first"}, {"note one", "update"}),
        ({"review": "second"}, {"note two", "action"}),
        ({"from": "2025-04-10"}, {"note one", "note two", "update", "action"}),
        ({"from": "2025-04-11", "to": "2025-12-31"}, {"note two", "update"}),
        ({"to": "2025-04-10"}, {"note one", "action", "item"}),
        ({"kind": "action", "issue_type": "issue", "review": "second"}, {"action"}),
        ({"kind": "review_update", "key_area": "cost_efficiency"}, set()),
    ],
)
def test_filters(staff, filtered, filters, expected):
    # Codes and ids by the fixture's names.
    query = {key: filtered.get(value, value) for key, value in filters.items()}
    wanted = {filtered["ids"][name] for name in expected}
    assert ids(staff.found(WORD, **query)) == wanted


def test_the_page_keeps_the_filters_chosen(staff, filtered):
    page = staff.page(WORD, kind="note", review=filtered["second"], **{"from": "2025-01-01"})
    check_page(page)
    html = page.get_data(as_text=True)
    assert '<option value="note" selected>' in html
    assert f'<option value="{filtered["second"]}" selected>' in html
    assert 'value="2025-01-01"' in html
    assert "1 result for ‘fennel’" in text_of(page)


BAD_INPUT = [
    ({}, "q", messages.SEARCH_WORDS_REQUIRED),
    ({"q": "   "}, "q", messages.SEARCH_WORDS_REQUIRED),
    ({"q": "a" * 201}, "q", messages.SEARCH_TOO_LONG.format(max=200)),
    ({"q": "* - ( ) \" ' :"}, "q", messages.SEARCH_NO_WORDS),
    ({"q": " ".join(["word"] * 13)}, "q", messages.SEARCH_TOO_MANY_WORDS.format(max=12)),
    ({"q": WORD, "kind": "visits"}, "kind", messages.SEARCH_KIND_INVALID),
    ({"q": WORD, "key_area": "happiness"}, "key_area", messages.SEARCH_KEY_AREA_INVALID),
    ({"q": WORD, "issue_type": "no-such"}, "issue_type", messages.SEARCH_ISSUE_TYPE_UNKNOWN),
    ({"q": WORD, "indicator": "no-such"}, "indicator", messages.SEARCH_INDICATOR_UNKNOWN),
    ({"q": WORD, "review": "no-such"}, "review", messages.SEARCH_REVIEW_UNKNOWN),
    ({"q": WORD, "from": "2025-02-30"}, "from", "The date from must be a real date"),
    ({"q": WORD, "to": "31/03/2025"}, "to", "The date to must be a real date"),
    ({"q": WORD, "from": "２０２５-01-01"}, "from", "The date from must be a real date"),
    ({"q": WORD, "from": "2025-05-01", "to": "2025-04-01"}, "to", messages.SEARCH_DATES_REVERSED),
]


@pytest.mark.parametrize(("query", "field", "message"), BAD_INPUT)
def test_bad_input_names_its_field_on_the_page_and_in_the_api(staff, query, field, message):
    response = staff.api_client.get("/api/v1/search", query_string=query, headers=staff.headers)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [error["field"] for error in errors] == [field]
    assert errors[0]["message"].startswith(message)
    page = staff.client.get("/search/", query_string={"q": "", **query})
    assert page.status_code == 200
    parsed = check_page(page)
    assert parsed.title.startswith("Error: Search")
    assert message in text_of(page)
    assert "result" not in text_of(page).replace(message, "")


def test_another_councils_review_reads_as_no_such_review(staff, app_context):
    stranger_review = fs.review(factories.authority(), title="Strangers' review")
    for review in (stranger_review.public_id, "no-such"):
        response = staff.api(WORD, review=review)
        assert response.status_code == 422
        assert response.get_json()["errors"][0]["message"] == messages.SEARCH_REVIEW_UNKNOWN
    assert "Strangers" not in staff.client.get("/search/").get_data(as_text=True)


def test_the_api_refuses_unknown_parameters_and_bad_pages(staff):
    for query, field in (({"authority": "1"}, "authority"), ({"per_page": "0"}, "per_page")):
        response = staff.api(WORD, **query)
        assert response.status_code == 422
        assert response.get_json()["errors"][0]["field"] == field


def test_results_come_a_page_at_a_time(staff, own):
    visit = fs.visit(own)
    for number in range(25):
        fs.note(visit, f"{WORD} number {number}", at=datetime(2025, 1, 1 + number, tzinfo=UTC))
    first = staff.api(WORD, per_page=10).get_json()
    assert (first["total"], len(first["items"])) == (25, 10)
    assert first["next"].startswith("/api/v1/search?") and "page=2" in first["next"]
    third = staff.api_client.get(
        first["next"].replace("page=2", "page=3"), headers=staff.headers
    ).get_json()
    assert len(third["items"]) == 5 and third["next"] is None
    # Newest first among equals; no result twice across the pages.
    pages = [staff.api(WORD, per_page=10, page=n).get_json()["items"] for n in (1, 2, 3)]
    dates = [item["date"] for page in pages for item in page]
    assert dates == sorted(dates, reverse=True)
    assert len({item["id"] for page in pages for item in page}) == 25
    page_one = staff.page(WORD)
    check_page(page_one)
    assert "25 results for ‘fennel’, page 1 of 2" in text_of(page_one)
    html = page_one.get_data(as_text=True)
    assert "q=fennel" in html and "page=2" in html
    page_two = staff.page(WORD, page=2)
    assert "page 2 of 2" in text_of(page_two)
    assert html.count("<li>") - page_two.get_data(as_text=True).count("<li>") == 15


def test_a_title_holding_the_word_ranks_above_text_holding_it(staff, own):
    visit = fs.visit(own, title="Day services")
    body_only = fs.note(visit, f"{WORD} " * 12, at=datetime(2025, 6, 1, tzinfo=UTC))
    title = fs.good_practice(f"The {WORD} hub", "Run weekly.", published_on=date(2024, 1, 1))
    assert [item["id"] for item in staff.found(WORD)] == [title.public_id, body_only.public_id]


@pytest.mark.parametrize(
    ("words", "finds"),
    [
        # As syntax these would find the note; as text they do not (each needs a word the
        # note lacks).
        (f'{WORD}" OR "quuxvelder', False),
        (f"{WORD} OR quuxvelder", False),
        (f"NEAR({WORD} rota)", False),
        ("{title_redacted body_redacted} : Hostshire", False),
        ("body_redacted:Hostshire", False),
        (f"{WORD} NOT quuxvelder", False),
        # As syntax these would miss it (a column filter, a negation); as text they find it.
        (f"title:{WORD}", True),
        (f"-{WORD}", True),
        (f"^{WORD}", True),
        (f"{WORD}*", True),
        (f'"{WORD}', True),
        (f"({WORD})", True),
        ("'; DROP TABLE search_documents; --", False),
        ("1=1 OR 1=1 --", False),
    ],
)
def test_query_syntax_is_searched_as_text(staff, own, words, finds):
    host = factories.authority(name="Hostshire Council")
    factories.alliance(own, host)
    fs.note(fs.visit(own, host, title="Visit"), f"The title {WORD} rota, Hostshire.")
    assert len(staff.found(words)) == (1 if finds else 0)
    assert len(staff.found(WORD)) == 1  # and the index is still there


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)><svg onload=alert(2)>'


def test_text_written_as_markup_is_shown_as_text(app_context, staff, own):
    host = factories.authority(name="Hostshire Council")
    factories.alliance(own, host)
    visit = fs.visit(own, host, title=f"{XSS} visit")
    # The private-use characters are the snippets' own marks: text cannot forge one.
    fs.note(visit, f"{XSS} {WORD} [link](javascript:alert(3)) \ue000<b>forged</b>\ue001")
    fs.action(own, f"{XSS} {WORD} action")
    fs.review_update(fs.review(own, title=f"{XSS} review"), f"{XSS} {WORD}")
    fs.good_practice(f"{XSS} item", f"{XSS} {WORD}")
    page = staff.page(WORD)
    check_page(page)
    html = page.get_data(as_text=True)
    tags = re.findall(r"<([a-zA-Z]+)([^>]*)>", html)
    assert not [tag for tag in tags if tag[0].lower() in ("img", "svg", "b")]
    # The page's own scripts only.
    own_scripts = staff.client.get("/search/").get_data(as_text=True).count("<script")
    assert [name for name, _ in tags].count("script") == own_scripts
    assert not [
        attributes for _, attributes in tags if re.search(r"\son\w+=|javascript:", attributes)
    ]
    assert "&lt;script&gt;alert" in html  # the titles, as written
    assert html.count(f"<mark>{WORD}</mark>") == html.count("<mark>") == 4
    for item in staff.found(WORD):
        assert "<script" not in item["snippet_html"] and "<b>" not in item["snippet_html"]
        assert "\ue000" not in item["snippet"] + item["snippet_html"]


def test_a_note_shared_with_the_host_links_to_the_same_note_page(app_context, sign_in_as, own):
    host = factories.authority(name="Hostshire Council")
    factories.alliance(own, host)
    note = fs.note(fs.visit(own, host), f"A {WORD} rota.", shared_with=(ShareLevel.HOST,))
    reader = fs.Searcher(sign_in_as(Role.STAFF, host), app_context.test_client())
    (found,) = reader.found(WORD)
    assert found["kind"] == SearchKind.NOTE.value
    assert found["url"] == f"/visits/notes/{note.public_id}"
