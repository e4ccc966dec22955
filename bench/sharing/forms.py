"""Forms of the sharing pages. Their rules are the schemas' (bench.sharing.schemas)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField

from bench.fields import SchemaForm
from bench.sharing.schemas import CHECKLIST, CorrectionSchema, ReplySchema


class ActionForm(FlaskForm):
    """Only a CSRF token: the route and its buttons say what happens."""


class ReplyForm(SchemaForm):
    schema = ReplySchema

    body = TextAreaField(
        "Your reply",
        description="The council that wrote the note reads it beside the note. You can use "
        "Markdown: **bold**, *italic*, lists and links.",
        widget=GovTextArea(),
    )
    post_reply = SubmitField("Post reply", widget=GovSubmitInput())


class CorrectionForm(SchemaForm):
    schema = CorrectionSchema

    text = TextAreaField(
        "The note as it should read",
        description="Change what is wrong; the council that wrote the note accepts the whole "
        "text or declines it.",
        widget=GovTextArea(),
    )
    reason = TextAreaField(
        "Why it needs correcting", widget=GovTextArea(), description="They see this too."
    )
    revision = HiddenField()
    send_correction = SubmitField("Send correction", widget=GovSubmitInput())


class AcceptForm(FlaskForm):
    confirm = BooleanField(
        "I have compared the two versions: replace the note's current text with the "
        "host's correction",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Accept the correction", widget=GovSubmitInput())


def _select(label: str, hint: str = "") -> SelectField:
    # validate_choice off: the service checks the choice, with its own message.
    return SelectField(label, description=hint, widget=GovSelect(), validate_choice=False)


def _tick(label: str) -> BooleanField:
    return BooleanField(label, widget=GovCheckboxInput())


class CopyForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput())
    body = TextAreaField(
        "Good practice",
        description="Copied from your note: edit it so that no council, place, service, "
        "product or person can be recognised. Markdown works as in notes.",
        widget=GovTextArea(),
    )
    key_area = _select("Key area (optional)")
    issue_type = _select("Issue type (optional)")
    indicator = _select("Indicator (optional)")
    no_place_names = _tick("It names no place")
    no_service_names = _tick("It names no service or product")
    no_staff_names = _tick("It names no member of staff")
    no_matching_figures = _tick("No figure in it matches a published value")
    checked = HiddenField()
    check = SubmitField("Check the copy", widget=GovSubmitInput())
    schedule = SubmitField("Schedule for the next release round", widget=GovSubmitInput())

    def offer(self, choices: Any) -> None:
        """The choices (bench.sharing.goodpractice.Choices): key areas, approved issue
        types and indicators, each with none."""
        none = [("", "None")]
        self.key_area.choices = none + [(area.value, area.label) for area in choices.key_areas]
        self.issue_type.choices = none + [(item.code, item.title) for item in choices.issue_types]
        self.indicator.choices = none + [(item.code, item.title) for item in choices.indicators]

    def copy_data(self) -> dict[str, Any]:
        """The answers as the schema reads them."""
        names = ("title", "body", "key_area", "issue_type", "indicator", "checked")
        data: dict[str, Any] = {name: self[name].data or "" for name in names}
        return data | {name: bool(self[name].data) for name in CHECKLIST}
