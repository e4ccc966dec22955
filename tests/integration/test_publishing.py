"""Publishing by CSV and form: every rule, encodings, preview, revisions, queries."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bench.models import (
    AuditEvent,
    Polarity,
    QueryStatus,
    Role,
    UnitKind,
    UploadBatch,
    Value,
    ValueQuery,
)
from tests import factories
from tests.pages import check_page, csrf_token, post_form, text_of

HEADER = "indicator,period,numerator,denominator,value,status,note\r\n"


@pytest.fixture
def catalogue(session):
    """Three indicators (counts as a proportion, counts as a rate, a value) and two periods."""
    return {
        "dp": factories.indicator(
            code="DP-PCT", unit_kind=UnitKind.PROPORTION, multiplier=100, has_counts=True,
            plausible_min=0, plausible_max=100,
        ),
        "adm": factories.indicator(
            code="ADM65", unit_kind=UnitKind.RATE, multiplier=100_000, has_counts=True,
            polarity=Polarity.LOWER_IS_BETTER, decimals=0,
        ),
        "cost": factories.indicator(
            code="COST", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False,
            plausible_min=300, plausible_max=3000,
        ),
        "2022-23": factories.period("2022-23"),
        "2023-24": factories.period("2023-24", released=False),
    }  # fmt: skip


@pytest.fixture
def analyst(sign_in_as, catalogue):
    return sign_in_as(Role.ANALYST)


def upload(client, content, filename="figures.csv"):
    data = content if isinstance(content, bytes) else content.encode()
    token = csrf_token(client, "/publish/")
    return client.post(
        "/publish/upload",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def confirm(client, batch_url, **extra):
    return post_form(client, f"{batch_url}/confirm", extra, form_page=batch_url)


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def latest(session, authority_id):
    return session.scalars(
        select(Value)
        .where(Value.authority_id == authority_id, Value.is_latest)
        .order_by(Value.indicator_id, Value.period_id)
    ).all()


GOOD = (
    HEADER
    + "DP-PCT,2022-23,1890,10796,,final,\r\n"
    + "ADM65,2022-23,1912,278794,,provisional,first count\r\n"
    + "COST,2022-23,,,928,final,\r\n"
)


def test_upload_preview_confirm_and_round_trip(analyst, session, catalogue):
    response = upload(analyst, GOOD)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = analyst.get(preview_url)
    check_page(page)
    text = text_of(page)
    assert "New figures 3" in text and "Corrections 0" in text
    assert count(session, Value) == 0  # nothing until confirmed

    assert confirm(analyst, preview_url).status_code == 302
    values = latest(session, analyst.user.authority_id)
    assert len(values) == 3
    dp = next(v for v in values if v.indicator_id == catalogue["dp"].id)
    assert dp.numerator == 1890 and dp.denominator == 10796
    assert dp.value == pytest.approx(1890 / 10796 * 100)
    assert dp.revision == 1 and dp.published_by_id == analyst.user.id

    # Round trip: the current figures, uploaded back, change nothing.
    current = analyst.get("/publish/current.csv")
    assert current.mimetype == "text/csv"
    again = upload(analyst, current.get_data())
    assert again.status_code == 302
    assert "New figures 0 Corrections 0 Unchanged 3" in text_of(
        analyst.get(again.headers["Location"])
    )


def test_a_correction_adds_a_revision_and_keeps_the_old(analyst, session, catalogue):
    confirm(analyst, upload(analyst, GOOD).headers["Location"])
    corrected = HEADER + "DP-PCT,2022-23,1900,10796,,final,recounted\r\n"
    preview_url = upload(analyst, corrected).headers["Location"]
    text = text_of(analyst.get(preview_url))
    assert "Corrections 1" in text
    assert "1,890 of 10,796 = 17.5% (final)" in text and "1,900 of 10,796 = 17.6% (final)" in text
    confirm(analyst, preview_url)
    revisions = session.scalars(
        select(Value).where(Value.indicator_id == catalogue["dp"].id).order_by(Value.revision)
    ).all()
    assert [(v.revision, v.is_latest, v.numerator) for v in revisions] == [
        (1, False, 1890),
        (2, True, 1900),
    ]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "values_published").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.details["corrected"] == 1
    assert event.details["corrections"][0]["old"]["numerator"] == 1890


# (row, its column, the message, the error summary's line): each names the figures.
BAD_ROWS = [
    ("XYZ,2022-23,1,10,,,", "indicator", "Unknown indicator 'XYZ'",
     "Row 3 (XYZ 2022-23): unknown indicator 'XYZ'"),
    ("DP-PCT,1999-00,1,10,,,", "period", "Unknown period '1999-00'",
     "Row 3 (DP-PCT 1999-00): unknown period '1999-00'"),
    ("DP-PCT,2022-23,lots,10,,,", "numerator", "Numerator 'lots' is not a number",
     "Row 3 (DP-PCT 2022-23): numerator 'lots' is not a number"),
    ('DP-PCT,2022-23,"50,000","42,077",,,', "numerator",
     "Numerator 50,000 is more than the denominator 42,077",
     "Row 3 (DP-PCT 2022-23): numerator 50,000 is more than the denominator 42,077"),
    ("DP-PCT,2022-23,0,0,,,", "denominator", "Denominator 0 must be greater than 0",
     "Row 3 (DP-PCT 2022-23): denominator 0 must be greater than 0"),
    ("ADM65,2022-23,5,-10,,,", "denominator", "Denominator -10 must be greater than 0",
     "Row 3 (ADM65 2022-23): denominator -10 must be greater than 0"),
    ("ADM65,2022-23,-5,10,,,", "numerator", "Numerator -5 cannot be negative",
     "Row 3 (ADM65 2022-23): numerator -5 cannot be negative"),
    ("DP-PCT,2022-23,1,10,12.5,,", "value",
     "Value 12.5 does not match numerator ÷ denominator × 100 = 10.00",
     "Row 3 (DP-PCT 2022-23): value 12.5 does not match numerator ÷ denominator × 100 = 10.00"),
    ("DP-PCT,2022-23,,10,,,", "numerator", "Enter the numerator for DP-PCT",
     "Row 3 (DP-PCT 2022-23): enter the numerator for DP-PCT"),
    ("COST,2022-23,,,,,", "value", "Enter the value for COST",
     "Row 3 (COST 2022-23): enter the value for COST"),
    ("COST,2022-23,5,10,900,,", "numerator", "COST takes a value only: leave the numerator empty",
     "Row 3 (COST 2022-23): COST takes a value only: leave the numerator empty"),
    ("DP-PCT,2022-23,1_000,2000,,,", "numerator", "Numerator '1_000' is not a number",
     "Row 3 (DP-PCT 2022-23): numerator '1_000' is not a number"),
    ("DP-PCT,2022-23,１２,20,,,", "numerator", "Numerator '１２' is not a number",
     "Row 3 (DP-PCT 2022-23): numerator '１２' is not a number"),
    ("COST,2022-23,,,NaN,,", "value", "Value 'NaN' is not a number",
     "Row 3 (COST 2022-23): value 'NaN' is not a number"),
    ("COST,2022-23,,,inf,,", "value", "Value 'inf' is not a number",
     "Row 3 (COST 2022-23): value 'inf' is not a number"),
    ("COST,2022-23,,,900,maybe,", "status", "Status must be provisional or final",
     "Row 3 (COST 2022-23): status must be provisional or final"),
    ("COST,2022-23,,,900,final," + "x" * 1001, "note", "Note must be 1000 characters or fewer",
     "Row 3 (COST 2022-23): note must be 1000 characters or fewer"),
    ("COST,2022-23,,,900,final", "row", "This row has 6 cells, not one per column",
     "Row 3 (COST 2022-23): this row has 6 cells, not one per column"),
]  # fmt: skip


def summary_links(response) -> list[tuple[str, str]]:
    """(href, text) of each entry of the page's GOV.UK error summary."""
    body = response.get_data(as_text=True)
    found = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', body, re.S)
    assert found, "no error summary"
    return [
        (href, html.unescape(re.sub(r"\s+", " ", text).strip()))
        for href, text in re.findall(r'<a href="([^"]*)">(.*?)</a>', found.group(1), re.S)
    ]


def anchored(response, anchor: str) -> str:
    """The text of the list's row the error summary's *anchor* links to."""
    body = response.get_data(as_text=True)
    row = rf'<tr class="govuk-table__row">\s*<th[^>]*id="{anchor}"[^>]*>(.*?)</tr>'
    found = re.search(row, body, re.S)
    assert found, f"nothing has the id {anchor}"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))).strip()


@pytest.mark.parametrize(
    ("row", "column", "message", "summary"), BAD_ROWS, ids=[r[2][:50] for r in BAD_ROWS]
)
def test_each_rule_names_row_column_and_problem(analyst, session, row, column, message, summary):
    content = HEADER + "COST,2022-23,,,900,final,\r\n" + row + "\r\n"
    response = upload(analyst, content)
    assert response.status_code == 200
    page = check_page(response)
    assert page.title.startswith("Error:")
    # The error summary names the row, what it is about and the figures, and links to the
    # problem in the list, which reads: row (what it is about), column, problem.
    assert summary_links(response) == [("#problem-1", summary)]
    label = summary.partition("(")[2].partition(")")[0]
    assert anchored(response, "problem-1") == f"3 {label} {column} {message}"
    assert count(session, Value) == 0 and count(session, UploadBatch) == 0


def test_duplicate_rows_name_the_first(analyst, session):
    content = HEADER + "COST,2022-23,,,900,,\r\nCOST,2022/23,,,901,,\r\n"
    text = text_of(upload(analyst, content))
    assert "3 indicator COST for 2022/23 is already in row 2" in text


def test_another_authoritys_code_is_refused(analyst, session):
    other = factories.authority()
    content = "indicator,period,value,authority\r\nCOST,2022-23,900," + other.gss_code + "\r\n"
    text = text_of(upload(analyst, content))
    assert (
        f"you can publish only your own authority's figures ({analyst.user.authority.gss_code})"
        in text
    )
    assert other.name not in text


def test_every_problem_is_reported_at_once(analyst, session):
    content = HEADER + "XYZ,2022-23,1,10,,,\r\nDP-PCT,2022-23,11,10,,,\r\nCOST,nope,,,1,,\r\n"
    response = upload(analyst, content)
    text = text_of(response)
    assert "3 problems to fix" in text
    assert "The file has 3 problems: nothing was saved" in text  # on the file, and above
    assert "The file has 3 problems" not in dict(summary_links(response)).values()
    assert summary_links(response) == [
        ("#problem-1", "Row 2 (XYZ 2022-23): unknown indicator 'XYZ'"),
        ("#problem-2", "Row 3 (DP-PCT 2022-23): numerator 11 is more than the denominator 10"),
        ("#problem-3", "Row 4 (COST nope): unknown period 'nope'"),
    ]
    assert anchored(response, "problem-3") == "4 COST nope period Unknown period 'nope'"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV file"),
        (b"indicator,period,colour\r\nCOST,2022-23,red\r\n", "Unknown column 'colour'"),
        (b"indicator,value\r\nCOST,900\r\n", "The column 'period' is missing"),
        (HEADER.encode(), "The file has no rows of figures"),
        (b"\x81\x8d\x8f\x90\x9d", "encoding is not recognised"),
    ],
)
def test_files_that_are_not_usable(analyst, session, content, message):
    response = upload(analyst, content)
    assert message in text_of(response)
    assert count(session, UploadBatch) == 0


def test_a_spreadsheet_is_not_csv(analyst, session):
    assert "must be a CSV file" in text_of(upload(analyst, GOOD, filename="figures.xlsx"))


def test_a_file_too_large_is_refused(app_context, analyst, session):
    limit = app_context.config["MAX_CONTENT_LENGTH"]
    app_context.config["MAX_CONTENT_LENGTH"] = 2_000
    try:
        response = upload(analyst, GOOD + "COST,2022-23,,,900,,\r\n" * 200)
    finally:
        app_context.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    check_page(response)
    assert count(session, UploadBatch) == 0


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(("\ufeff" + GOOD).encode("utf-8"), id="utf-8 with BOM"),
        pytest.param(GOOD.replace("first count", "Café £5").encode("cp1252"), id="windows-1252"),
        pytest.param(GOOD.replace(",", ";").encode(), id="semicolons"),
        pytest.param(GOOD.replace("\r\n", "\n").encode(), id="LF only"),
        pytest.param((GOOD + "\r\n\r\n,,,,,,\r\n").encode(), id="trailing blank lines"),
        pytest.param(
            GOOD.replace("1912,278794", '"1,912","278,794"').replace("2022-23", "2022/23").encode(),
            id="thousands separators, quoted, 2022/23",
        ),
    ],
)
def test_what_people_actually_produce(analyst, session, encoded):
    response = upload(analyst, encoded)
    assert response.status_code == 302, text_of(response)[-500:]
    confirm(analyst, response.headers["Location"])
    values = latest(session, analyst.user.authority_id)
    assert sorted(v.value for v in values) == pytest.approx(
        sorted([1890 / 10796 * 100, 1912 / 278794 * 100_000, 928])
    )


def test_windows_1252_note_is_read_correctly(analyst, session, catalogue):
    content = (HEADER + "COST,2022-23,,,928,,Café £5\r\n").encode("cp1252")
    confirm(analyst, upload(analyst, content).headers["Location"])
    assert latest(session, analyst.user.authority_id)[0].note == "Café £5"


def test_implausible_figures_must_be_confirmed(analyst, session, catalogue):
    content = HEADER + "COST,2022-23,,,5000,,\r\n"
    preview_url = upload(analyst, content).headers["Location"]
    text = text_of(analyst.get(preview_url))
    # Figures to the indicator's decimal places, with its unit.
    assert "£5,000.0 is outside the plausible range for COST (£300.0 to £3,000.0)" in text
    refused = confirm(analyst, preview_url)
    assert refused.status_code == 200
    assert "Confirm that you have checked the warnings" in text_of(refused)
    assert count(session, Value) == 0
    assert confirm(analyst, preview_url, warnings_checked="y").status_code == 302
    assert count(session, Value) == 1


def test_unreleased_figures_are_queried_and_answered(analyst, session, catalogue):
    content = HEADER + "COST,2023-24,,,5000,,\r\nCOST,2022-23,,,5000,,\r\n"
    confirm(analyst, upload(analyst, content).headers["Location"], warnings_checked="y")
    queries = session.scalars(select(ValueQuery)).all()
    assert len(queries) == 1  # only the unreleased period is queried
    page = analyst.get("/publish/queries")
    check_page(page)
    assert "outside the plausible range" in text_of(page)
    answer = post_form(
        analyst,
        f"/publish/queries/{queries[0].id}/confirm",
        {"response": "A new contract with a specialist home"},
        form_page="/publish/queries",
    )
    assert answer.status_code == 302
    assert session.get(ValueQuery, queries[0].id).status is QueryStatus.CONFIRMED


def test_a_correction_closes_the_query(analyst, session, catalogue):
    content = HEADER + "COST,2023-24,,,5000,,\r\n"
    confirm(analyst, upload(analyst, content).headers["Location"], warnings_checked="y")
    content = HEADER + "COST,2023-24,,,950,,\r\n"
    confirm(analyst, upload(analyst, content).headers["Location"])
    assert session.scalars(select(ValueQuery.status)).all() == [QueryStatus.CORRECTED]


def test_late_corrections_wait_for_the_next_release_round(analyst, session, catalogue):
    content = HEADER + "COST,2022-23,,,900,,\r\nCOST,2023-24,,,950,,\r\n"
    confirm(analyst, upload(analyst, content).headers["Location"])
    by_period = {v.period_id: v for v in latest(session, analyst.user.authority_id)}
    released = by_period[catalogue["2022-23"].id].visible_from
    now = datetime.now(UTC)
    assert released > now and released.day == 1 and released - now < timedelta(days=32)
    assert by_period[catalogue["2023-24"].id].visible_from is None  # follows the release


def test_single_value_form(analyst, session, catalogue):
    page = analyst.get("/publish/value")
    check_page(page)
    response = post_form(
        analyst,
        "/publish/value",
        {"indicator": "DP-PCT", "period": "2022-23", "numerator": "12,000", "denominator": "5"},
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "Enter a number" in text  # thousands separators are for files only
    assert "cannot be more than the denominator" not in text
    response = post_form(
        analyst,
        "/publish/value",
        {"indicator": "DP-PCT", "period": "2022-23", "numerator": "12", "denominator": "50",
         "status": "final"},
    )  # fmt: skip
    assert response.status_code == 302
    (value,) = latest(session, analyst.user.authority_id)
    assert value.value == 24.0 and value.status.value == "final" and value.source == "form"


def test_staff_cannot_publish_and_uploads_are_private(sign_in_as, app_context, session, catalogue):
    staff = sign_in_as(Role.STAFF)
    assert staff.get("/publish/").status_code == 403
    owner = sign_in_as(Role.ANALYST)
    preview_url = upload(owner, GOOD).headers["Location"]
    stranger = sign_in_as(Role.AUTHORITY_ADMIN)
    assert stranger.get(preview_url).status_code == 404
    token = csrf_token(stranger, "/publish/")
    assert stranger.post(f"{preview_url}/confirm", data={"csrf_token": token}).status_code == 404
    assert count(session, Value) == 0


def test_templates_list_each_indicator_for_the_latest_period(analyst, session, catalogue):
    response = analyst.get("/publish/template.csv?key_area=national_framework")
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "indicator,indicator_name,period,numerator,denominator,value,status,note"
    # Each indicator's name beside its code, for people; the importer skips the column.
    assert {tuple(line.split(",")[:2]) for line in lines[1:]} == {
        (catalogue[key].code, catalogue[key].title) for key in ("dp", "adm", "cost")
    }
    assert all(",2023-24," in line for line in lines[1:])


def test_export_neutralises_formula_cells(analyst, session, catalogue):
    content = HEADER + 'COST,2022-23,,,900,,"=HYPERLINK(""http://x"")"\r\n'
    confirm(analyst, upload(analyst, content).headers["Location"])
    body = analyst.get("/publish/current.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_release_checks_query_figures_far_from_peers(app_context, session, catalogue):
    # Seven councils' released 2022-23 figures are 900-930 (and their 2023-24 ones much
    # the same); one council publishes 2,900 for 2023-24 (inside the plausible range, so
    # nothing warned at upload). Checked before release against the figures peers may see
    # (the latest released period: others' unreleased figures never count, DESIGN.md
    # Anonymity 13), it stands far outside their range and is queried back to its publisher.
    from bench.publishing import service

    period = catalogue["2023-24"]
    odd = factories.authority()
    for figure in (900, 905, 910, 915, 920, 925, 930):
        peer = factories.authority()
        factories.value(peer, catalogue["cost"], catalogue["2022-23"], value=float(figure))
        factories.value(peer, catalogue["cost"], period, value=float(figure + 5))
    factories.value(odd, catalogue["cost"], period, value=2900.0)
    result = app_context.test_cli_runner().invoke(args=["publishing", "check", "2023-24"])
    assert result.exit_code == 0, result.output
    assert "1 new queries raised" in result.output
    query = session.scalars(select(ValueQuery)).one()
    assert query.authority_id == odd.id and query.reason.value == "far_from_peers"
    assert "figures for 2022-23, the latest period released to peers" in query.detail
    assert service.run_release_checks("2023-24") == 0  # asked once only
    released = app_context.test_cli_runner().invoke(args=["publishing", "check", "2022-23"])
    assert released.exit_code != 0 and "is released" in released.output


def test_single_value_form_asks_to_confirm_warnings(analyst, session, catalogue):
    data = {"indicator": "COST", "period": "2022-23", "value": "5000"}
    response = post_form(analyst, "/publish/value", data)
    assert response.status_code == 200
    text = text_of(response)
    assert "outside the plausible range for COST" in text
    assert "Confirm that you have checked the warnings" in text
    assert count(session, Value) == 0
    confirmed = post_form(analyst, "/publish/value", {**data, "warnings_checked": "y"})
    assert confirmed.status_code == 302 and count(session, Value) == 1


def _queried(analyst, session):
    content = HEADER + "COST,2023-24,,,5000,,\r\n"
    confirm(analyst, upload(analyst, content).headers["Location"], warnings_checked="y")
    return session.scalars(select(ValueQuery)).one()


def _answer(analyst, query, response):
    answered = post_form(
        analyst,
        f"/publish/queries/{query.id}/confirm",
        {"response": response},
        form_page="/publish/queries",
    )
    assert answered.status_code == 302
    return text_of(analyst.get(answered.headers["Location"]))


def test_an_over_long_answer_to_a_query_gets_the_length_message(analyst, session, catalogue):
    """Issue 9: 2,001 characters were answered "Say why the figure is right"."""
    query = _queried(analyst, session)
    text = _answer(analyst, query, "x" * 2001)
    assert "Your answer must be 2000 characters or fewer" in text
    assert "Say why the figure is right" not in text
    assert session.get(ValueQuery, query.id).status is QueryStatus.OPEN

    assert "Say why the figure is right" in _answer(analyst, query, "   ")
    assert session.get(ValueQuery, query.id).status is QueryStatus.OPEN

    assert "the figure is confirmed" in _answer(analyst, query, "y" * 2000)
    assert session.get(ValueQuery, query.id).status is QueryStatus.CONFIRMED


def test_an_over_long_note_gets_the_schemas_message(analyst, session, catalogue):
    """The single-value form's note has one length rule, the schema's, with its words."""
    response = post_form(
        analyst,
        "/publish/value",
        {"indicator": "COST", "period": "2022-23", "value": "900", "note": "n" * 1001},
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "Note must be 1000 characters or fewer" in text
    assert "Field cannot be longer" not in text
    assert count(session, Value) == 0


def test_the_error_summary_lists_the_first_problems_and_links_to_the_rest(analyst, session):
    content = HEADER + "".join(f"DP-PCT,2022-23,{n + 20},{n + 10},,,\r\n" for n in range(12))
    response = upload(analyst, content)
    links = summary_links(response)
    assert len(links) == 11
    assert links[0] == (
        "#problem-1",
        "Row 2 (DP-PCT 2022-23): numerator 20 is more than the denominator 10",
    )
    assert links[9][0] == "#problem-10"
    assert links[-1] == ("#problems", "2 more problems in the list of problems")
    assert anchored(response, "problem-12").startswith("13 DP-PCT 2022-23 numerator")
    assert 'id="problems"' in response.get_data(as_text=True)


def test_header_and_file_problems_in_the_error_summary(analyst, session):
    response = upload(analyst, "indicator,period,colour\r\nCOST,2022-23,red\r\n")
    assert summary_links(response) == [
        ("#problem-1", "Row 1 (column names): unknown column 'colour'")
    ]
    # A problem with the file as a whole links to the file input, which says it too.
    response = upload(analyst, b"")
    assert summary_links(response) == [("#file", "The file is empty")]
    assert 'id="file-error"' in response.get_data(as_text=True)


def test_warnings_show_figures_to_the_indicators_decimals_with_units(analyst, session, catalogue):
    factories.indicator(
        code="RATE", unit_kind=UnitKind.RATE, multiplier=100_000, has_counts=False,
        decimals=0, plausible_max=1000,
    )  # fmt: skip
    content = HEADER + "RATE,2022-23,,,1500.4,,\r\n"
    text = text_of(analyst.get(upload(analyst, content).headers["Location"]))
    assert (
        "1,500 per 100,000 is outside the plausible range for RATE (at most 1,000 per 100,000)"
        in text
    )


def test_a_filled_in_template_uploads_as_it_is_and_the_preview_names_indicators(
    analyst, session, catalogue
):
    template = analyst.get("/publish/template.csv?period=2022-23").get_data(as_text=True)
    figures = {"DP-PCT": "1890,10796,", "ADM65": "1912,278794,", "COST": ",,928"}
    lines = template.splitlines()
    filled = [lines[0]] + [
        line.replace(",,,,provisional", f",{figures[line.split(',')[0]]},provisional")
        for line in lines[1:]
    ]
    response = upload(analyst, "\r\n".join(filled) + "\r\n")
    assert response.status_code == 302, text_of(response)[-600:]
    text = text_of(analyst.get(response.headers["Location"]))
    assert "New figures 3" in text
    assert f"COST {catalogue['cost'].title}" in text  # the name beside the code
