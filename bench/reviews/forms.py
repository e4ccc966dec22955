"""Forms for reviews. Their rules are the schemas' (see bench.fields.SchemaForm); the
choices (periods, earlier reviews, colleagues, groups) come from the service."""

from __future__ import annotations

import enum
import re
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
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from bench.fields import DateInputField, SchemaForm, strip
from bench.models import KeyArea, ReviewStatus, TeamRole, UpdateKind
from bench.reviews.pins import PinOptions
from bench.reviews.schemas import (
    EvidenceInSchema,
    ReviewEditSchema,
    ReviewFieldsSchema,
    ReviewUpdateInSchema,
    TeamSchema,
)
from bench.reviews.service import Choices, EditPage

VERSION = re.compile(r"[0-9]{1,9}")
TEAM_ROLES = [SelectChoice(role.value, role.label) for role in TeamRole]
BLANK_TEAM_ROWS = 3


def version(text: Any) -> Any:
    """The hidden lock_version as the schema reads it: a whole number, or as sent (and
    refused by the schema)."""
    return int(text) if isinstance(text, str) and VERSION.fullmatch(text) else text


def _radios(
    label: str, kind: type[enum.StrEnum], default: enum.StrEnum, description: str
) -> RadioField:
    return RadioField(
        label,
        description=description,
        widget=GovRadioInput(),
        choices=[SelectChoice(member.value, member.label) for member in kind],
        default=default.value,
        validate_choice=False,
    )


def _offered(blank: str | None, pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """A select's choices: *blank* first (value ""), when there is one."""
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + [SelectChoice(value, label) for value, label in pairs]


def _select(label: str, description: str = "") -> SelectField:
    # The schema says what is wrong with a choice, in the product's words.
    return SelectField(
        label, description=description, widget=GovSelect(), choices=[], validate_choice=False
    )


class _ShowsErrors(SchemaForm):
    """A form that puts a service's message on the field it names (the first field when
    it names none of the form's)."""

    def show_error(self, field: str, message: str) -> None:
        target = self._fields.get(field.split(".")[0])
        if target is None:
            target = next(f for name, f in self._fields.items() if name != "csrf_token")
        target.errors = [*target.errors, message]


class ReviewForm(_ShowsErrors):
    """Starting a review."""

    schema = ReviewFieldsSchema

    title = StringField("Title", widget=GovTextInput(), filters=[strip])
    service_scope = TextAreaField(
        "Service in scope",
        description="What the review covers. You can use Markdown: lists, bold, links.",
        widget=GovTextArea(),
    )
    key_areas = SelectMultipleField(
        "Key areas the review watches",
        description="Select all that apply.",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(area.value, area.label) for area in KeyArea],
        validate_choice=False,
    )
    period = _select("Period reviewed")
    starts_on = DateInputField("Start date", description="For example, 1 4 2027")
    ends_on = DateInputField(
        "End date",
        description="Optional: when the review ends or is due to. For example, 31 3 2028",
    )
    status = _radios(
        "Status", ReviewStatus, ReviewStatus.PLANNING, "Any status can follow any other."
    )
    previous_review = _select(
        "Previous review", "The review this one follows on from, so it starts from the last one."
    )
    submit = SubmitField("Start the review", widget=GovSubmitInput())

    def offer(self, choices: Choices) -> None:
        self.period.choices = _offered(
            "Select a period", ((period.code, period.label) for period in choices.periods)
        )
        self.previous_review.choices = _offered(
            "None",
            (
                (review.public_id, f"{review.title} (from {review.starts_on:%-d %B %Y})")
                for review in choices.reviews
            ),
        )


class ReviewEditForm(ReviewForm):
    """Changing a review, from the version it was read at."""

    schema = ReviewEditSchema

    lock_version = HiddenField()
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def schema_data(self) -> dict[str, Any]:
        return {**super().schema_data(), "lock_version": version(self.lock_version.data)}

    @classmethod
    def initial(cls, editing: EditPage) -> dict[str, Any]:
        review = editing.review
        return {
            "title": review.title,
            "service_scope": review.service_scope,
            "key_areas": [area.value for area in review.key_areas],
            "period": review.period_code or "",
            "starts_on": review.starts_on,
            "ends_on": review.ends_on,
            "status": review.status.value,
            "previous_review": review.previous_review or "",
            "lock_version": review.lock_version,
        }


class TeamRowForm(Form):
    """One person on the team: a colleague, or the name of someone without an account."""

    user = _select("Colleague")
    name = StringField(
        "Or the name of someone without an account", widget=GovTextInput(), filters=[strip]
    )
    role = SelectField("Role", widget=GovSelect(), choices=TEAM_ROLES, validate_choice=False)
    remove = BooleanField("Remove from the team", widget=GovCheckboxInput())


class TeamForm(FlaskForm):
    """The whole team, from the version it was read at. Rows left empty add no one."""

    lock_version = HiddenField()
    members = FieldList(FormField(TeamRowForm))
    submit = SubmitField("Save the team", widget=GovSubmitInput())

    @classmethod
    def initial(cls, editing: EditPage) -> dict[str, Any]:
        """The team as it stands, then empty rows for adding people."""
        rows = [
            {"user": member.user or "", "name": "" if member.user else member.name,
             "role": member.role.value}
            for member in editing.review.team
        ]  # fmt: skip
        blank = {"user": "", "name": "", "role": TeamRole.MEMBER.value}
        rows += [dict(blank) for _ in range(BLANK_TEAM_ROWS)]
        return {"members": rows, "lock_version": editing.review.lock_version}

    def offer(self, choices: Choices) -> None:
        people = _offered(
            "Not a colleague with an account",
            ((colleague.email, colleague.name) for colleague in choices.colleagues),
        )
        for row in self.members:
            row.form.user.choices = people

    def team(self) -> tuple[list[dict[str, Any]], list[int]]:
        """The team as the schema reads it, and each member's row on the form."""
        team, rows = [], []
        for index, row in enumerate(self.members):
            values = row.form
            if values.remove.data or not (values.user.data or values.name.data):
                continue
            team.append(
                {
                    "user": values.user.data or None,
                    "name": values.name.data,
                    "role": values.role.data,
                }
            )
            rows.append(index)
        return team, rows

    def schema_data(self) -> dict[str, Any]:
        return {"team": self.team()[0], "lock_version": version(self.lock_version.data)}

    def show_error(self, field: str, message: str) -> None:
        """Put *message* on the field it names: ``team.2.user`` is the third member's row."""
        parts = field.split(".")
        rows = self.team()[1]
        if parts[0] == "team" and len(parts) == 3 and parts[1].isdigit():
            position, name = int(parts[1]), parts[2]
            if position < len(rows) and name in ("user", "name", "role"):
                target = self.members[rows[position]].form[name]
                target.errors = [*target.errors, message]
                # The summary reads the rows' errors in order, one entry a row.
                self.members.errors = [row.errors for row in self.members]
                return
        if parts[0] == "lock_version":
            self.lock_version.errors = [*self.lock_version.errors, message]
        else:
            self.members.errors = [message]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        problems = TeamSchema().validate(self.schema_data())
        for field, found in problems.items():
            if field == "team" and isinstance(found, dict):
                for position, row in found.items():
                    for name, row_messages in row.items():
                        self.show_error(f"team.{position}.{name}", row_messages[0])
            else:
                self.show_error(field, found[0] if isinstance(found, list) else str(found))
        return valid and not problems


class UpdateForm(_ShowsErrors):
    schema = ReviewUpdateInSchema

    kind = _radios(
        "Kind of update",
        UpdateKind,
        UpdateKind.UPDATE,
        "News, a change the team is considering, or a decision.",
    )
    body = TextAreaField(
        "Update",
        description="Everyone in your authority can read it. It cannot be changed once "
        "posted. You can use Markdown: lists, bold, links.",
        widget=GovTextArea(),
    )
    submit = SubmitField("Post the update", widget=GovSubmitInput())


class PinForm(_ShowsErrors):
    schema = EvidenceInSchema

    indicator = _select("Indicator")
    period = _select("Period", "Released periods only.")
    group = _select("Peer group")
    note = TextAreaField(
        "Note",
        description="Optional: why the review relies on this comparison. Markdown allowed.",
        widget=GovTextArea(),
    )
    submit = SubmitField("Pin this comparison", widget=GovSubmitInput())

    def offer(self, options: PinOptions) -> None:
        self.indicator.choices = _offered(
            "Select an indicator", ((i.code, i.title) for i in options.indicators)
        )
        self.period.choices = _offered(None, ((p.code, p.label) for p in options.periods))
        self.group.choices = _offered(None, ((g.key, g.label) for g in options.groups))
