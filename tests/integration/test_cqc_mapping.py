"""The catalogue's CQC mapping: network admins set an indicator's quality statement and
evidence category and an issue type's quality statement; bad codes are refused with a
message naming the field and nothing is written; the API and the demo catalogue carry it.
"""

import csv
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bench.extensions import db
from bench.models import (
    AuditEvent,
    EvidenceCategory,
    Indicator,
    IssueType,
    QualityStatement,
    Role,
    UnitKind,
)
from tests import factories
from tests.integration.test_admin import VALID_INDICATOR
from tests.pages import check_page, post_form, text_of

MAPPING = Path(__file__).resolve().parents[2] / "seed" / "data" / "cqc" / "mapping.csv"
STATEMENT_MESSAGE = "CQC quality statement must be one of QS1 to QS9 from the list, or none"
CATEGORY_MESSAGE = "CQC evidence category must be one from the list, or none"
NEEDS_STATEMENT = (
    "Select the CQC quality statement this evidence is for, or set the evidence category to none"
)


@pytest.fixture
def admin(sign_in_as):
    return sign_in_as(Role.NETWORK_ADMIN)


def _events(session, action):
    return session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def test_an_indicator_is_created_mapped_and_its_page_says_so(app_context, admin, session):
    data = {
        **VALID_INDICATOR,
        "cqc_quality_statement": "QS2",
        "cqc_evidence_category": "outcomes",
    }
    assert post_form(admin, "/admin/indicators/new", data).status_code == 302
    indicator = session.scalars(select(Indicator)).one()
    assert indicator.cqc_quality_statement is QualityStatement.QS2
    assert indicator.cqc_evidence_category is EvidenceCategory.OUTCOMES
    [event] = _events(session, "indicator_created")
    assert event.details["cqc_quality_statement"] == "QS2"
    assert event.details["cqc_evidence_category"] == "outcomes"

    page = admin.get(f"/admin/indicators/{indicator.id}")
    check_page(page)
    assert "QS2 Supporting people to live healthier lives" in text_of(page)
    assert "Outcomes" in text_of(page)
    edit = admin.get(f"/admin/indicators/{indicator.id}/edit")
    check_page(edit)
    assert '<option value="QS2" selected>' in edit.get_data(as_text=True)


def test_an_unmapped_indicator_stays_unmapped(app_context, admin, session):
    data = {**VALID_INDICATOR, "cqc_quality_statement": "", "cqc_evidence_category": ""}
    assert post_form(admin, "/admin/indicators/new", data).status_code == 302
    indicator = session.scalars(select(Indicator)).one()
    assert (indicator.cqc_quality_statement, indicator.cqc_evidence_category) == (None, None)
    assert "Not mapped" in text_of(admin.get(f"/admin/indicators/{indicator.id}"))
    edit = admin.get(f"/admin/indicators/{indicator.id}/edit").get_data(as_text=True)
    assert '<option value="" selected>None</option>' in edit


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cqc_quality_statement": "QS10"}, "cqc_quality_statement", STATEMENT_MESSAGE),
        ({"cqc_quality_statement": "qs1"}, "cqc_quality_statement", STATEMENT_MESSAGE),
        ({"cqc_quality_statement": "Assessing needs"}, "cqc_quality_statement", STATEMENT_MESSAGE),
        (
            {"cqc_quality_statement": "QS1", "cqc_evidence_category": "gossip"},
            "cqc_evidence_category",
            CATEGORY_MESSAGE,
        ),
        (
            {"cqc_quality_statement": "", "cqc_evidence_category": "processes"},
            "cqc_evidence_category",
            NEEDS_STATEMENT,
        ),
    ],
)
def test_bad_cqc_codes_are_refused_naming_the_field(
    app_context, admin, session, changes, field, message
):
    response = post_form(admin, "/admin/indicators/new", {**VALID_INDICATOR, **changes})
    assert response.status_code == 200
    check_page(response)
    assert message in text_of(response)
    assert f'href="#{field}' in response.get_data(as_text=True)
    assert session.scalars(select(Indicator)).all() == []
    assert _events(session, "indicator_created") == []


def test_a_bad_code_on_edit_changes_nothing(app_context, admin, session):
    indicator = factories.indicator(
        cqc_quality_statement=QualityStatement.QS1,
        cqc_evidence_category=EvidenceCategory.PROCESSES,
    )
    path = f"/admin/indicators/{indicator.id}/edit"
    data = {
        **VALID_INDICATOR,
        "code": indicator.code,
        "title": "A new title",
        "cqc_quality_statement": "QS0",
        "cqc_evidence_category": "processes",
    }
    response = post_form(admin, path, data)
    assert response.status_code == 200
    assert STATEMENT_MESSAGE in text_of(response)
    session.expire_all()
    kept = session.get(Indicator, indicator.id)
    assert kept.title == indicator.title
    assert kept.cqc_quality_statement is QualityStatement.QS1
    assert _events(session, "indicator_changed") == []


def test_the_database_refuses_a_category_without_a_statement(app_context, session):
    with pytest.raises(IntegrityError):
        factories.indicator(cqc_evidence_category=EvidenceCategory.OUTCOMES)
    session.rollback()


def test_network_admins_map_an_issue_type(app_context, admin, session):
    issue_type = factories.issue_type(title="Delayed discharges")
    path = f"/admin/issue-types/{issue_type.code}/edit"
    form = admin.get(path)
    check_page(form)
    assert "CQC quality statement (optional)" in text_of(form)

    refused = post_form(admin, path, {"title": "Delayed discharges", "cqc_quality_statement": "QS"})
    assert refused.status_code == 200
    check_page(refused)
    assert STATEMENT_MESSAGE in text_of(refused)
    assert 'href="#cqc_quality_statement' in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(IssueType, issue_type.id).cqc_quality_statement is None
    assert _events(session, "issue_type_renamed") == []

    data = {"title": "Delayed discharges", "cqc_quality_statement": "QS6"}
    assert post_form(admin, path, data).status_code == 302
    session.expire_all()
    assert session.get(IssueType, issue_type.id).cqc_quality_statement is QualityStatement.QS6
    (event,) = _events(session, "issue_type_renamed")
    assert event.details["old"]["cqc_quality_statement"] is None
    assert event.details["new"]["cqc_quality_statement"] == "QS6"
    catalogue = text_of(admin.get("/admin/issue-types/"))
    assert "CQC: QS6 Safe pathways, systems and transitions" in catalogue
    edit = admin.get(path).get_data(as_text=True)
    assert '<option value="QS6" selected>' in edit


def test_authorities_propose_wording_only(app_context, sign_in_as, session):
    """A proposal carries no CQC mapping: network admins place an approved type."""
    analyst = sign_in_as(Role.ANALYST)
    data = {"title": "Advocacy waiting times", "cqc_quality_statement": "QS1"}
    assert post_form(analyst, "/issues/propose", data).status_code == 302
    proposal = session.scalars(select(IssueType)).one()
    assert proposal.cqc_quality_statement is None


def test_the_api_lists_the_mapping(app_context, session):
    factories.indicator(
        code="SAT",
        cqc_quality_statement=QualityStatement.QS1,
        cqc_evidence_category=EvidenceCategory.PEOPLES_EXPERIENCE,
    )
    factories.indicator(code="UNMAPPED")
    factories.issue_type(code="waits", cqc_quality_statement=QualityStatement.QS1)
    user = factories.user(Role.ANALYST)
    _, secret = factories.api_token(user)
    client = app_context.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    indicators = client.get("/api/v1/indicators", headers=headers).get_json()["items"]
    mapped = {
        item["code"]: (item["cqc_quality_statement"], item["cqc_evidence_category"])
        for item in indicators
    }
    assert mapped == {"SAT": ("QS1", "peoples_experience"), "UNMAPPED": (None, None)}
    issue_types = client.get("/api/v1/issue-types", headers=headers).get_json()["items"]
    assert [(item["code"], item["cqc_quality_statement"]) for item in issue_types] == [
        ("waits", "QS1")
    ]


def test_the_demo_catalogue_carries_the_mapping_file(demo):
    with MAPPING.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    indicators = {i.code: i for i in db.session.scalars(select(Indicator))}
    issue_types = {t.code: t for t in db.session.scalars(select(IssueType))}
    for row in rows:
        if row["kind"] == "indicator":
            record = indicators[row["code"]]
            category = record.cqc_evidence_category
            assert (category.value if category else "") == row["cqc_evidence_category"]
        else:
            record = issue_types[row["code"]]
        assert record.cqc_quality_statement == row["cqc_quality_statement"], row["code"]
    # Section 8.3's anchors: survey satisfaction is QS1 people's experience.
    assert indicators["SAT"].cqc_quality_statement is QualityStatement.QS1
    assert indicators["SAT"].cqc_evidence_category is EvidenceCategory.PEOPLES_EXPERIENCE
    assert issue_types["slow-direct-payments"].cqc_quality_statement is QualityStatement.QS4
    # Every demo indicator and issue type is in the file (nothing was left out unthought).
    assert {row["code"] for row in rows} == set(indicators) | set(issue_types)


def test_the_indicator_page_names_its_quality_statement(sign_in_as, session):
    indicator = factories.indicator(
        title="Cost per week",
        unit_kind=UnitKind.CURRENCY,
        multiplier=1,
        has_counts=False,
        cqc_quality_statement=QualityStatement.QS8,
        cqc_evidence_category=EvidenceCategory.PROCESSES,
    )
    unmapped = factories.indicator(
        title="Other", unit_kind=UnitKind.CURRENCY, multiplier=1, has_counts=False
    )
    period = factories.period("2022-23")
    authorities = [factories.authority(name=f"Council {n}") for n in range(6)]
    for number, authority in enumerate(authorities):
        factories.value(authority, indicator, period, value=float(10 + number))
        factories.value(authority, unmapped, period, value=float(10 + number))
    client = sign_in_as(Role.ANALYST, authorities[0])
    response = client.get(f"/compare/indicators/{indicator.code}?group=type")
    check_page(response)
    assert (
        "Evidence for CQC’s quality statement QS8 Governance, management and sustainability "
        "(processes)." in text_of(response)
    )
    other = client.get(f"/compare/indicators/{unmapped.code}?group=type")
    check_page(other)
    assert "quality statement" not in text_of(other)
