"""CQC's framework for assessing local authorities' adult social care duties: its nine
quality statements and five evidence categories, named once here.

Indicators and issue types may map to a quality statement (and indicators to an evidence
category) so that the inspection pack can be organised the way CQC reads evidence.
The titles are CQC's own words; pages, forms and exports all take them from here.
"""

from __future__ import annotations

import enum


class QualityStatement(enum.StrEnum):
    """A quality statement, stored as its short code (QS1 to QS9, in CQC's order)."""

    QS1 = "QS1"
    QS2 = "QS2"
    QS3 = "QS3"
    QS4 = "QS4"
    QS5 = "QS5"
    QS6 = "QS6"
    QS7 = "QS7"
    QS8 = "QS8"
    QS9 = "QS9"

    @property
    def official_title(self) -> str:
        # Not ``title``: that would hide ``str.title``, which templates' filters call.
        return QUALITY_STATEMENTS[self][1]

    @property
    def theme(self) -> str:
        return QUALITY_STATEMENTS[self][0]

    @property
    def label(self) -> str:
        """How pages and forms name it: ``QS1 Assessing needs``."""
        return f"{self.value} {self.official_title}"


# CQC, "Assessment framework for local authority assessments": theme, quality statement.
WORKING_WITH_PEOPLE = "Working with people"
PROVIDING_SUPPORT = "Providing support"
ENSURING_SAFETY = "How the local authority ensures safety within the system"
LEADERSHIP = "Leadership"
QUALITY_STATEMENTS: dict[QualityStatement, tuple[str, str]] = {
    QualityStatement.QS1: (WORKING_WITH_PEOPLE, "Assessing needs"),
    QualityStatement.QS2: (WORKING_WITH_PEOPLE, "Supporting people to live healthier lives"),
    QualityStatement.QS3: (WORKING_WITH_PEOPLE, "Equity in experiences and outcomes"),
    QualityStatement.QS4: (PROVIDING_SUPPORT, "Care provision, integration and continuity"),
    QualityStatement.QS5: (PROVIDING_SUPPORT, "Partnerships and communities"),
    QualityStatement.QS6: (ENSURING_SAFETY, "Safe pathways, systems and transitions"),
    QualityStatement.QS7: (ENSURING_SAFETY, "Safeguarding"),
    QualityStatement.QS8: (LEADERSHIP, "Governance, management and sustainability"),
    QualityStatement.QS9: (LEADERSHIP, "Learning, improvement and innovation"),
}


class EvidenceCategory(enum.StrEnum):
    """What kind of evidence an indicator is, in CQC's categories for local authorities."""

    PEOPLES_EXPERIENCE = "peoples_experience"
    STAFF_AND_LEADERS = "feedback_from_staff_and_leaders"
    PARTNERS = "feedback_from_partners"
    PROCESSES = "processes"
    OUTCOMES = "outcomes"

    @property
    def label(self) -> str:
        return EVIDENCE_CATEGORY_LABELS[self]


EVIDENCE_CATEGORY_LABELS = {
    EvidenceCategory.PEOPLES_EXPERIENCE: "People’s experience",
    EvidenceCategory.STAFF_AND_LEADERS: "Feedback from staff and leaders",
    EvidenceCategory.PARTNERS: "Feedback from partners",
    EvidenceCategory.PROCESSES: "Processes",
    EvidenceCategory.OUTCOMES: "Outcomes",
}
