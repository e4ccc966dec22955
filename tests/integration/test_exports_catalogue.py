"""indicators.csv and issue-types.csv: the catalogue's rows as they are, each column
described, every cell within its column's allowed values, and the files read back by
Python's csv module and pandas as written."""

import csv
import io

import pandas as pd

from bench.csvout import rows_to_csv
from bench.exports.catalogue import (
    INDICATORS,
    indicators_section,
    issue_types_section,
    quality_statements,
)
from bench.models import (
    EvidenceCategory,
    IssueTypeStatus,
    KeyArea,
    Polarity,
    QualityStatement,
    UnitKind,
)
from tests import factories

CQC_TITLES = [
    ("QS1", "Assessing needs"),
    ("QS2", "Supporting people to live healthier lives"),
    ("QS3", "Equity in experiences and outcomes"),
    ("QS4", "Care provision, integration and continuity"),
    ("QS5", "Partnerships and communities"),
    ("QS6", "Safe pathways, systems and transitions"),
    ("QS7", "Safeguarding"),
    ("QS8", "Governance, management and sustainability"),
    ("QS9", "Learning, improvement and innovation"),
]


def test_quality_statements_are_cqcs_nine_in_order():
    assert quality_statements() == CQC_TITLES


def _catalogue():
    sat = factories.indicator(
        code="SAT",
        title="Users satisfied with their care and support",
        definition="Extremely or very satisfied, out of all respondents (ASCOF 3A).",
        key_area=KeyArea.USER_SATISFACTION,
        unit_kind=UnitKind.PROPORTION,
        multiplier=100,
        decimals=1,
        polarity=Polarity.HIGHER_IS_BETTER,
        source='=HYPERLINK("http://attacker.example")',  # neutralised by the writer
        is_public=True,
        cqc_quality_statement=QualityStatement.QS1,
        cqc_evidence_category=EvidenceCategory.PEOPLES_EXPERIENCE,
    )
    cost = factories.indicator(
        code="COST",
        title="Cost per week",
        key_area=KeyArea.COST_EFFICIENCY,
        unit_kind=UnitKind.CURRENCY,
        unit_label="£ per week",
        multiplier=1,
        decimals=0,
        polarity=Polarity.NEITHER,
        has_counts=False,
        is_synthetic=True,
    )
    factories.issue_type(
        code="waits",
        title="Assessment waiting lists",
        description="People wait too long.",
        indicators=[sat, cost],
        cqc_quality_statement=QualityStatement.QS1,
    )
    factories.issue_type(code="advocacy", title="Advocacy", description="")
    # Neither a proposal (its authority's own) nor a merged or rejected type is exported.
    factories.issue_type(code="proposal", title="Proposed", status=IssueTypeStatus.PROPOSED)
    factories.issue_type(code="rejected", title="Rejected", status=IssueTypeStatus.REJECTED)
    return sat, cost


def test_indicator_rows_are_the_catalogues(app_context, session):
    _catalogue()
    section = indicators_section()
    assert section.table.filename == "indicators.csv"
    assert section.table.header == [
        "code",
        "title",
        "definition",
        "key_area",
        "unit_kind",
        "unit_label",
        "multiplier",
        "decimals",
        "polarity",
        "source",
        "is_public",
        "is_synthetic",
        "cqc_quality_statement",
        "cqc_quality_statement_title",
        "cqc_evidence_category",
    ]
    assert list(section.rows) == [
        (
            "COST",
            "Cost per week",
            "",
            "cost_efficiency",
            "currency",
            "£ per week",
            1,
            0,
            "neither",
            "",
            False,
            True,
            None,
            None,
            None,
        ),
        (
            "SAT",
            "Users satisfied with their care and support",
            "Extremely or very satisfied, out of all respondents (ASCOF 3A).",
            "user_satisfaction",
            "proportion",
            "",
            100,
            1,
            "higher_is_better",
            '=HYPERLINK("http://attacker.example")',
            True,
            False,
            "QS1",
            "Assessing needs",
            "peoples_experience",
        ),
    ]


def test_issue_type_rows_are_the_approved_catalogues(app_context, session):
    _catalogue()
    section = issue_types_section()
    assert section.table.filename == "issue-types.csv"
    assert section.table.header == [
        "code",
        "title",
        "description",
        "indicator_codes",
        "cqc_quality_statement",
        "cqc_quality_statement_title",
    ]
    assert list(section.rows) == [
        ("advocacy", "Advocacy", "", "", None, None),
        (
            "waits",
            "Assessment waiting lists",
            "People wait too long.",
            "COST SAT",
            "QS1",
            "Assessing needs",
        ),
    ]


def _written(section):
    return "".join(rows_to_csv(section.table.header, section.rows))


def test_every_column_is_described_and_every_cell_allowed(app_context, session):
    _catalogue()
    for section in (indicators_section(), issue_types_section()):
        table = section.table
        assert len(set(table.header)) == len(table.header)
        text = _written(section)
        parsed = list(csv.reader(io.StringIO(text, newline="")))
        assert parsed[0] == table.header
        assert text.count("\r\n") == len(parsed)  # CRLF after every record
        for column in table.columns:
            assert column.title and len(column.description) > 30, column.name
            assert column.type in ("string", "integer", "boolean"), column.name
            cells = [row[table.header.index(column.name)] for row in parsed[1:]]
            if column.allowed is not None:
                assert set(cells) - {""} <= set(column.allowed), column.name
            if "" in cells:
                assert column.empty_means, f"{column.name}: what does an empty cell mean?"
            if column.type == "boolean":
                assert set(cells) <= {"true", "false"}
            if column.type == "integer":
                assert all(cell.isdigit() for cell in cells)
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        assert list(frame.columns) == table.header
        assert frame.values.tolist() == parsed[1:]


def test_formula_looking_catalogue_text_is_neutralised(app_context, session):
    _catalogue()
    parsed = list(csv.DictReader(io.StringIO(_written(indicators_section()), newline="")))
    assert [row["source"] for row in parsed if row["code"] == "SAT"] == [
        '\'=HYPERLINK("http://attacker.example")'
    ]


def test_allowed_values_name_every_enum_member():
    """The dictionary's allowed values come from the models, so a new member cannot be
    written without being described."""
    columns = {column.name: column for column in INDICATORS.columns}
    assert columns["key_area"].allowed == tuple(area.value for area in KeyArea)
    assert columns["cqc_quality_statement"].allowed == tuple(code for code, _ in CQC_TITLES)
    assert columns["cqc_quality_statement_title"].allowed == tuple(t for _, t in CQC_TITLES)
    assert columns["cqc_evidence_category"].allowed == (
        "peoples_experience",
        "feedback_from_staff_and_leaders",
        "feedback_from_partners",
        "processes",
        "outcomes",
    )
    for code, title in CQC_TITLES:
        assert f"{code} {title}" in columns["cqc_quality_statement"].description
