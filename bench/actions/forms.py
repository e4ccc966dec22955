"""Forms for adding an action, posting an update, filtering the list and carrying
forward. Their rules are the schemas' (see bench.fields.SchemaForm); what needs the
database comes back from the service as errors naming the same fields."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from bench.actions.schemas import SETTABLE, ActionInSchema, ActionUpdateInSchema
from bench.actions.service import Choices
from bench.fields import DateInputField, SchemaForm, strip
from bench.models import ActionSource, ActionStatus, Rag, User

SOURCE_CHOICES = [
    (ActionSource.VISIT.value, "A visit"),
    (ActionSource.REVIEW.value, "A review"),
    (ActionSource.STAFF_VIEW.value, "A staff view"),
]
STATUS_CHOICES = [(status.value, status.label) for status in SETTABLE]
RAG_CHOICES = [("", "No rating"), *((rag.value, rag.value.capitalize()) for rag in Rag)]
NO_OWNER_USER = "Someone without an account (enter their name below)"


def _radios(label: str, choices: list[tuple[str, str]], hint: str = "") -> RadioField:
    # validate_choice off: the schema checks the choice, with its own message.
    return RadioField(
        label,
        description=hint,
        choices=[SelectChoice(value, text) for value, text in choices],
        widget=GovRadioInput(),
        validate_choice=False,
    )


def _select(label: str, hint: str = "") -> SelectField:
    return SelectField(
        label, description=hint, widget=GovSelect(), choices=[], validate_choice=False
    )


def _owner_fields() -> tuple[SelectField, StringField]:
    return (
        _select("Owner", "A user of your authority, or someone without an account"),
        StringField(
            "Name of an owner without an account",
            description="Only if the owner has no account on bench",
            widget=GovTextInput(),
            filters=[strip],
        ),
    )


def _owner_choices(users: list[User]) -> list[tuple[str, str]]:
    return [("", NO_OWNER_USER), *((user.email, user.name) for user in users)]


class ActionForm(SchemaForm):
    schema = ActionInSchema

    description = TextAreaField(
        "What is to be done",
        description="You can use Markdown: **bold**, lists, links",
        widget=GovTextArea(),
    )
    source = _radios("Where it came from", SOURCE_CHOICES)
    source_id = _select("The visit, review or staff view it came from")
    review = _select("Review it belongs to", "Optional")
    owner_email, owner_name = _owner_fields()
    due_on = DateInputField("Due date", description="Optional. For example, 31 3 2027")
    status = _radios("Status", STATUS_CHOICES)
    rag = _radios("RAG rating", RAG_CHOICES)
    indicator = _select(
        "Indicator that measures it",
        "Optional. Progress is then shown from your own released figures",
    )
    baseline_period = _select("Baseline period", "Released, or still to come")
    baseline_value = StringField(
        "Baseline value", description="In the indicator's unit", widget=GovTextInput()
    )
    target_value = StringField(
        "Target value", description="No worse than the baseline", widget=GovTextInput()
    )
    target_period = _select("Target period", "After the baseline period")
    issue_type = _select("Issue type", "Optional")
    submit = SubmitField("Add action", widget=GovSubmitInput())

    def offer(self, found: Choices, staff_view: tuple[str, str] | None = None) -> None:
        """Fill the lists from the authority's own reviews, visits and users."""
        sources = [("", "Choose one")]
        sources += [(r.public_id, f"Review: {r.title}") for r in found.reviews]
        sources += [
            (v.public_id, f"Visit: {v.title}, {v.visited_on:%-d %B %Y}") for v in found.visits
        ]
        if staff_view is not None:
            sources.append(staff_view)
        self.source_id.choices = sources
        self.review.choices = [("", "None"), *((r.public_id, r.title) for r in found.reviews)]
        self.owner_email.choices = _owner_choices(found.users)
        self.indicator.choices = [
            ("", "None"),
            *((i.code, f"{i.title} ({i.code})") for i in found.indicators),
        ]
        periods = [("", "Choose a period"), *((p.code, p.label) for p in found.periods)]
        self.baseline_period.choices = periods
        self.target_period.choices = periods
        self.issue_type.choices = [
            ("", "None"),
            *((t.code, t.title) for t in found.issue_types),
        ]


class UpdateForm(SchemaForm):
    schema = ActionUpdateInSchema

    lock_version = HiddenField()
    status = _radios("Status", STATUS_CHOICES)
    rag = _radios("RAG rating", RAG_CHOICES)
    due_on = DateInputField("Due date", description="Leave it empty for no due date")
    owner_email, owner_name = _owner_fields()
    note = TextAreaField(
        "Note",
        description="What happened or what changed. You can use Markdown",
        widget=GovTextArea(),
    )
    submit = SubmitField("Save update", widget=GovSubmitInput())

    def offer(self, users: list[User]) -> None:
        self.owner_email.choices = _owner_choices(users)

    def show_current(self, action: Any) -> None:
        """Start from the action as it stands, so an update changes only what it says."""
        self.lock_version.data = str(action.lock_version)
        self.status.data = action.status.value
        self.rag.data = action.rag.value if action.rag else ""
        self.due_on.data = action.due_on
        self.owner_email.data = action.owner.email or ""
        self.owner_name.data = "" if action.owner.email else action.owner.name
        self.note.data = ""


class FilterForm(FlaskForm):
    """The list's filters: a GET form, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    status = _select("Status")
    review = _select("Review")
    owner = _select("Owner")
    rag = _select("RAG rating")
    submit = SubmitField("Filter", widget=GovSubmitInput())

    def offer(self, page: Any, finished: bool) -> None:
        shown = (
            [ActionStatus.DONE, ActionStatus.DROPPED, ActionStatus.CARRIED_FORWARD]
            if finished
            else [ActionStatus.OPEN, ActionStatus.IN_PROGRESS]
        )
        self.status.choices = [("", "Any"), *((s.value, s.label) for s in shown)]
        self.review.choices = [("", "Any"), *((r.public_id, r.title) for r in page.reviews)]
        self.owner.choices = [("", "Anyone"), *page.owners]
        self.rag.choices = [("", "Any"), *((r.value, r.value.capitalize()) for r in Rag)]


class ConfirmForm(FlaskForm):
    """Only a CSRF token: carrying a review's unfinished actions forward."""
