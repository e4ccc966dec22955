"""Forms for giving a view, responding and hiding. Their rules are the schemas' (see
bench.fields.SchemaForm); the choices of review and action are the page's own."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from bench.fields import SchemaForm
from bench.models import KeyArea
from bench.staffviews.schemas import HideInSchema, ResponseInSchema, StaffViewInSchema

ANONYMOUS, NAMED = "true", "false"


def _text(label: str, description: str) -> TextAreaField:
    # Free text is stored as written: no filters.
    return TextAreaField(label, description=description, widget=GovTextArea())


def _choice(label: str, description: str) -> SelectField:
    # The page sets the choices; the service checks the one made, naming the field.
    return SelectField(
        label, description=description, choices=[], widget=GovSelect(), validate_choice=False
    )


class GiveViewForm(SchemaForm):
    schema = StaffViewInSchema

    key_area = RadioField(
        "Which key area is your view about?",
        choices=[SelectChoice(area.value, area.label) for area in KeyArea],
        widget=GovRadioInput(),
        validate_choice=False,  # the schema checks it, with the catalogue's message
    )
    review = _choice(
        "Is it about a review?", "Optional. A view about a review reaches that review's team."
    )
    body = _text(
        "Your view", "What needs changing, and why. You can use Markdown: *emphasis*, lists, links."
    )
    anonymous = RadioField(
        "Give it anonymously or with your name?",
        choices=[
            SelectChoice(ANONYMOUS, "Anonymously within your council"),
            SelectChoice(NAMED, "With my name"),
        ],
        default=ANONYMOUS,
        widget=GovRadioInput(),
        validate_choice=False,
    )
    submit = SubmitField("Give your view", widget=GovSubmitInput())


class RespondForm(SchemaForm):
    schema = ResponseInSchema

    body = _text(
        "What did the team do, or what will it do?",
        "Every user of your council reads this beside the view. You can use Markdown.",
    )
    action = _choice(
        "Follow-up action (optional)",
        "Link one of your council's actions, if one answers the view.",
    )
    submit = SubmitField("Save response", widget=GovSubmitInput())


class HideForm(SchemaForm):
    schema = HideInSchema

    reason = _text(
        "Why hide this view?",
        "The team sees the reason beside the hidden view; staff never see either. The "
        "audit log records who hid it and why, never who wrote it.",
    )
    submit = SubmitField("Hide the view", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """Only a CSRF token: showing a hidden view again."""
