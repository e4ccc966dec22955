"""Forms for importing published neighbours and for saving a custom group."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField

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
