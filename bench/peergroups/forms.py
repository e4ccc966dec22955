"""Forms for importing published neighbours and for saving a custom group."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, SubmitField

from bench.fields import SchemaForm, strip
from bench.peergroups.schemas import CustomGroupSchema


class ImportForm(FlaskForm):
    file = FileField("Upload a CSV or JSON file", widget=GovFileInput())
    source = StringField(
        "Source (optional)",
        description="Where the lists come from, like “CIPFA nearest neighbours 2025”",
        widget=GovTextInput(),
        filters=[strip],
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class ApplyImportForm(FlaskForm):
    """The checked lists travel back in the form; the service checks them again."""

    lists = HiddenField()
    source = HiddenField()
    version = HiddenField()  # the version the admin was shown: another import may come first
    submit = SubmitField("Import as a new version", widget=GovSubmitInput())


class CustomGroupForm(SchemaForm):
    schema = CustomGroupSchema

    name = StringField(
        "Name",
        description="Only your council's users see it",
        widget=GovTextInput(),
        filters=[strip],
    )
    members = SelectMultipleField(
        "Councils in the group",
        description="Select all that apply. Your own council is always compared.",
        widget=GovCheckboxesInput(),
        validate_choice=False,
        choices=[],
    )
    submit = SubmitField("Save group", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """Only a CSRF token: the route says what happens."""


class GroupFilterForm(FlaskForm):
    """The builder's filters and "start from", drawn with GOV.UK's widgets. Sent with the
    group's form (its buttons lead to a link with the filters) or as a link; only draws
    the fields: BuilderQuerySchema and the service check them."""

    class Meta:
        csrf = False  # the group's form carries the token

    q = StringField("Council name", widget=GovTextInput(), filters=[strip])
    type = SelectField("Type", choices=[], validate_choice=False, widget=GovSelect())
    region = SelectField("Region", choices=[], validate_choice=False, widget=GovSelect())
    start = SelectField("Group", choices=[], validate_choice=False, widget=GovSelect())

    def offer(self, builder: Any) -> None:
        """Fill the lists from the builder (a Builder), an empty first choice meaning any."""
        self.type.choices = [("", "Any type"), *builder.types]
        self.region.choices = [("", "Any region"), *((r, r) for r in builder.regions)]
        self.start.choices = [("", "Choose a group"), *builder.starts]
        self.q.data, self.type.data, self.region.data = builder.words, builder.type, builder.region

    def show(self, errors: list) -> None:
        for error in errors:
            target = self._fields.get(error.field)
            if target is not None:
                target.errors = [*target.errors, error.message]
