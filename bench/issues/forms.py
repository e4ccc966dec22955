"""Forms for answering about an issue, proposing an issue type and managing the catalogue.

The forms only parse the request into the plain dicts the schemas load (the JSON API
sends the same dicts); the rules and their messages are in ``bench.issues.schemas``.
Choices are not checked here (``validate_choice=False``) so that every message comes
from the schema, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from bench.errors import RowError
from bench.fields import quality_statement_field
from bench.models import FlagAnswer, FlagStatus, IssueFlag, Severity


def _choices(members: Iterable[Any]) -> list[SelectChoice]:
    return [SelectChoice(member.value, member.label) for member in members]


class FlagForm(FlaskForm):
    answer = RadioField(
        "Is this an issue for your authority?",
        choices=[
            SelectChoice(FlagAnswer.REPORTED.value, "Yes, it is an issue for us"),
            SelectChoice(FlagAnswer.NOT_AN_ISSUE.value, "No, it is not an issue for us"),
        ],
        widget=GovRadioInput(),
        validate_choice=False,
    )
    status = RadioField(
        "Status", choices=_choices(FlagStatus), widget=GovRadioInput(), validate_choice=False
    )
    # One GOV.UK date input without the day; the template draws it from these two.
    since_month = StringField("Month")
    since_year = StringField("Year")
    severity = RadioField(
        "Severity", choices=_choices(Severity), widget=GovRadioInput(), validate_choice=False
    )
    tried = TextAreaField(
        "What have you tried?",
        description="What you did about it and how it went. Optional.",
        widget=GovTextArea(),
    )
    share_tried = BooleanField(
        "Peers may read what we have tried, without our name", widget=GovCheckboxInput()
    )
    open_to_contact = BooleanField(
        "Peers may ask to contact us about this issue", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save answer", widget=GovSubmitInput())

    def item(self, issue_type_code: str) -> dict[str, Any]:
        """The answer as the dict :class:`FlagSchema` loads."""
        month = (self.since_month.data or "").strip()
        year = (self.since_year.data or "").strip()
        return {
            "issue_type": issue_type_code,
            "answer": self.answer.data,
            "status": self.status.data,
            # "3" and "2021" become "2021-03"; anything odd stays odd for the schema.
            "since": f"{year}-{month.zfill(2)}" if month or year else None,
            "severity": self.severity.data,
            "tried": self.tried.data or "",
            "share_tried": bool(self.share_tried.data),
            "open_to_contact": bool(self.open_to_contact.data),
        }


def flag_form_data(flag: IssueFlag | None) -> dict[str, Any]:
    """A saved answer as the form's initial data."""
    if flag is None:
        return {}
    return {
        "answer": flag.answer.value,
        "status": flag.status.value if flag.status else None,
        "since_month": str(flag.since.month) if flag.since else "",
        "since_year": str(flag.since.year) if flag.since else "",
        "severity": flag.severity.value if flag.severity else None,
        "tried": flag.tried,
        "share_tried": flag.share_tried,
        "open_to_contact": flag.open_to_contact,
    }


class IssueTypeForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput())
    description = TextAreaField(
        "Description",
        description="What the problem looks like, so other authorities recognise it.",
        widget=GovTextArea(),
    )
    indicators = SelectMultipleField(
        "Indicators that measure it",
        description="Optional. Select all that apply.",
        widget=GovCheckboxesInput(),
        validate_choice=False,
        choices=[],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def item(self) -> dict[str, Any]:
        return {
            "title": self.title.data or "",
            "description": self.description.data or "",
            "indicators": list(self.indicators.data or []),
        }


class CatalogueIssueTypeForm(IssueTypeForm):
    """A network admin's edit: the wording, and the CQC quality statement it bears on."""

    cqc_quality_statement = quality_statement_field()

    def item(self) -> dict[str, Any]:
        return {**super().item(), "cqc_quality_statement": self.cqc_quality_statement.data}


class MergeForm(FlaskForm):
    into = SelectField("Merge into", widget=GovSelect(), validate_choice=False, choices=[])
    submit = SubmitField("Merge", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    """Only a CSRF token; the route says whether it approves or rejects."""


# Schema fields whose errors show on a differently named form field.
FIELD_ALIASES = {"since": "since_month"}


def show_errors(form: FlaskForm, errors: Iterable[RowError], fallback: str) -> None:
    """Put a service's errors on the form fields they name (the page summarises them)."""
    for error in errors:
        name = FIELD_ALIASES.get(error.field, error.field)
        field = form._fields.get(name) or form._fields[fallback]
        field.errors = [*field.errors, error.message]
