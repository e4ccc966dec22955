"""Forms for uploading a file, publishing one value and answering a query."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from bench.models import ValueStatus

STATUS_CHOICES = [
    SelectChoice(ValueStatus.PROVISIONAL.value, "Provisional"),
    SelectChoice(ValueStatus.FINAL.value, "Final"),
]


class UploadForm(FlaskForm):
    file = FileField("Upload a CSV file", widget=GovFileInput())
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class ConfirmUploadForm(FlaskForm):
    warnings_checked = BooleanField(
        "I have checked the warnings and the figures are right", widget=GovCheckboxInput()
    )
    submit = SubmitField("Publish these figures", widget=GovSubmitInput())


class DiscardUploadForm(FlaskForm):
    """Only a CSRF token."""


class ValueForm(FlaskForm):
    indicator = SelectField("Indicator", widget=GovSelect(), choices=[])
    period = SelectField("Period", widget=GovSelect(), choices=[])
    numerator = StringField("Numerator", widget=GovTextInput())
    denominator = StringField("Denominator", widget=GovTextInput())
    value = StringField("Value", widget=GovTextInput())
    status = RadioField(
        "Status", choices=STATUS_CHOICES, default="provisional", widget=GovRadioInput()
    )
    # Rules and their messages are the schema's (ValueRowSchema, QueryResponseSchema): the
    # forms only parse, so a field never has two rules saying different things.
    note = TextAreaField("Note (optional)", widget=GovTextArea())
    warnings_checked = BooleanField(
        "I have checked the warnings and the figure is right", widget=GovCheckboxInput()
    )
    submit = SubmitField("Publish", widget=GovSubmitInput())


class QueryResponseForm(FlaskForm):
    response = TextAreaField("Why is the figure right?", widget=GovTextArea())
    submit = SubmitField("Confirm the figure", widget=GovSubmitInput())
