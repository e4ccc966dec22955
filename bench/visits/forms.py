"""Forms for visits, notes and drafts. They only turn answers into the fields the schemas
load (the JSON API sends the same); the rules and their messages are in
``bench.visits.schemas`` and the services. Choices are not checked here
(``validate_choice=False``), so that every message comes from one place, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from bench.errors import RowError
from bench.fields import DateInputField, strip
from bench.models import NoteSection, VisitKind, VisitStatus
from bench.visits.schemas import KEEP_HOST

NOT_AN_ALLY = "none"
KIND_WORDS = {VisitKind.VISIT: "A visit to the council", VisitKind.MEETING: "A meeting"}
MARKDOWN_HINT = (
    "You can use Markdown: **bold**, _italic_, lists starting with -, links written as "
    "[words](https://example.org). No images or HTML."
)


def _radio(label: str, choices: list[SelectChoice], description: str = "") -> RadioField:
    return RadioField(
        label,
        choices=choices,
        description=description,
        widget=GovRadioInput(),
        validate_choice=False,
    )


def _checkboxes(label: str, description: str) -> SelectMultipleField:
    return SelectMultipleField(
        label,
        description=description,
        widget=GovCheckboxesInput(),
        validate_choice=False,
        choices=[],
    )


def submitted(form: FlaskForm) -> bool:
    """The form was posted with a good CSRF token. Whatever else is wrong with it is the
    schema's to say, all at once (a date that is not a date included)."""
    if not form.is_submitted():
        return False
    form.validate()
    token = getattr(form, "csrf_token", None)
    return not (token is not None and token.errors)


def show_errors(form: FlaskForm, errors: Iterable[RowError], fallback: str) -> None:
    """Put each error on the field it names, unless the field already shows one."""
    for error in errors:
        field = form._fields.get(error.field) or form._fields[fallback]
        if not field.errors:
            field.errors = [error.message]


class VisitForm(FlaskForm):
    kind = _radio("Visit or meeting", [SelectChoice(k.value, KIND_WORDS[k]) for k in VisitKind])
    visited_on = DateInputField("Date", description="For example, 12 9 2024")
    title = StringField("Title", widget=GovTextInput(), filters=[strip])
    status = _radio("Status", [SelectChoice(s.value, s.label) for s in VisitStatus])
    host = _radio(
        "Host",
        [],
        description="Only your council's allies can be named. A visit to any other council "
        "is recorded without naming it.",
    )
    review = SelectField(
        "Review", widget=GovSelect(), validate_choice=False, choices=[], description="Optional"
    )
    visitors = _checkboxes("Who went from your council", "Select all that apply.")
    people = TextAreaField(
        "Others who went", description="Optional. Names or roles.", widget=GovTextArea()
    )
    met_people = TextAreaField(
        "Who you met", description="Optional. Names or roles.", widget=GovTextArea()
    )
    issue_types = _checkboxes("Issue types discussed", "Optional. Select all that apply.")
    indicators = _checkboxes("Indicators discussed", "Optional. Select all that apply.")
    lock_version = HiddenField()
    submit = SubmitField("Save visit", widget=GovSubmitInput())

    def set_choices(self, choices: Any, *, former_ally_host: bool = False) -> None:
        """Offer the authority's allies, reviews, users and the catalogue. A host that is
        no longer an ally is offered unnamed, to keep as recorded."""
        hosts = [SelectChoice(ally.gss_code, ally.name) for ally in choices.allies]
        if former_ally_host:
            hosts.append(SelectChoice(KEEP_HOST, "A former ally (as recorded)"))
        hosts.append(SelectChoice(NOT_AN_ALLY, "A council that is not an ally"))
        self.host.choices = hosts
        self.review.choices = [SelectChoice("", "None")] + [
            SelectChoice(review.public_id, review.title) for review in choices.reviews
        ]
        self.visitors.choices = [SelectChoice(u.email, u.name) for u in choices.users]
        self.issue_types.choices = [SelectChoice(t.code, t.title) for t in choices.issue_types]
        self.indicators.choices = [
            SelectChoice(i.code, f"{i.title} ({i.code})") for i in choices.indicators
        ]

    def item(self) -> dict[str, Any]:
        """The answers as the fields :class:`VisitInSchema` loads."""
        day = self.visited_on
        visited_on = "not a date" if day.process_errors else day.data and day.data.isoformat()
        host = self.host.data
        return {
            "kind": self.kind.data,
            "visited_on": visited_on,
            "title": self.title.data or "",
            "status": self.status.data,
            "review": self.review.data or None,
            "host": None if host in (None, "", NOT_AN_ALLY) else host,
            "visitors": list(self.visitors.data or []),
            "people": self.people.data or "",
            "met_people": self.met_people.data or "",
            "issue_types": list(self.issue_types.data or []),
            "indicators": list(self.indicators.data or []),
        }

    def lock(self) -> int | None:
        value = self.lock_version.data or ""
        return int(value) if value.isascii() and value.isdigit() else None


def visit_form_data(visit: Any) -> dict[str, Any]:
    """A saved visit (as its own authority sees it) as the form's initial answers."""
    if visit.host.gss_code:
        host = visit.host.gss_code
    elif visit.host.names:  # a host that is no longer an ally: kept, not named
        host = KEEP_HOST
    else:
        host = NOT_AN_ALLY
    return {
        "kind": visit.kind.value,
        "visited_on": visit.visited_on,
        "title": visit.title,
        "status": visit.status.value,
        "host": host,
        "review": visit.review.public_id if visit.review else "",
        "visitors": [user.email for user in visit.visitors],
        "people": visit.people,
        "met_people": visit.met_people,
        "issue_types": [t.code for t in visit.issue_types],
        "indicators": [i.code for i in visit.indicators],
        "lock_version": str(visit.lock_version),
    }


def _body() -> TextAreaField:
    return TextAreaField("Note", description=MARKDOWN_HINT, widget=GovTextArea())


class NewNoteForm(FlaskForm):
    section = _radio("Section", [SelectChoice(s.value, s.label) for s in NoteSection])
    body = _body()
    publish = SubmitField("Save note", widget=GovSubmitInput())
    save_draft = SubmitField("Save draft", widget=GovSubmitInput())

    def item(self) -> dict[str, Any]:
        return {"section": self.section.data, "body": self.body.data or ""}

    def draft(self) -> dict[str, Any]:
        return {"note": None, "section": self.section.data, "body": self.body.data or ""}


class EditNoteForm(FlaskForm):
    body = _body()
    change_summary = StringField(
        "Summary of your changes",
        description="Optional. Shown in the note's list of revisions.",
        widget=GovTextInput(),
        filters=[strip],
    )
    revision = HiddenField()
    publish = SubmitField("Save note", widget=GovSubmitInput())
    save_draft = SubmitField("Save draft", widget=GovSubmitInput())

    def item(self) -> dict[str, Any]:
        return {
            "body": self.body.data or "",
            "revision": self.revision.data or None,
            "change_summary": self.change_summary.data or "",
        }

    def draft(self, note_id: str) -> dict[str, Any]:
        return {"note": note_id, "revision": self.revision.data or None, "body": self.body.data}


class ConfirmForm(FlaskForm):
    """Only a CSRF token: the route says what happens (delete a note, discard a draft)."""

    note = HiddenField()
