"""Form fields used by more than one form, with the product's wording and widgets."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovPasswordInput,
    GovSelect,
    GovTextInput,
)
from marshmallow import Schema
from wtforms import EmailField, Field, PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length

from bench import messages
from bench.models import QualityStatement


def email_field(label: str = "Email address", *, check_format: bool = False) -> EmailField:
    validators = [InputRequired(messages.EMAIL_REQUIRED), Length(max=320)]
    if check_format:
        validators.insert(1, Email(messages.EMAIL_INVALID, check_deliverability=False))
    return EmailField(label, widget=GovTextInput(), validators=validators)


def password_field(label: str, description: str = "") -> PasswordField:
    return PasswordField(
        label,
        description=description,
        widget=GovPasswordInput(),
        validators=[InputRequired(messages.PASSWORD_REQUIRED), Length(max=1000)],
    )


def strip(value: Any) -> Any:
    """WTForms filter: surrounding spaces are never meant."""
    return value.strip() if isinstance(value, str) else value


def quality_statement_field() -> SelectField:
    """CQC's quality statements, or none (the indicator and issue-type forms)."""
    return SelectField(
        "CQC quality statement (optional)",
        description="The statement in CQC’s assessment of local authorities’ adult social care "
        "that it is evidence for",
        widget=GovSelect(),
        choices=[SelectChoice("", "None")]
        + [SelectChoice(statement.value, statement.label) for statement in QualityStatement],
        validate_choice=False,
    )


class DateInputField(Field):
    """GOV.UK's date input (day, month, year), read strictly: ASCII digits, a real date.

    WTForms' DateField goes through ``strptime``, which also reads other scripts' digits;
    and the widget needs exactly three raw values, which an incomplete POST lacks.
    A blank date loads as None: the schema says whether one is required.
    """

    widget = GovDateInput()

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_data = ([str(part).strip() for part in valuelist] + ["", "", ""])[:3]
        self.data = None
        day, month, year = self.raw_data
        if not (day or month or year):
            return
        invalid = messages.DATE_INVALID.format(label=self.label.text)
        if not (
            re.fullmatch(r"[0-9]{1,2}", day)
            and re.fullmatch(r"[0-9]{1,2}", month)
            and re.fullmatch(r"[0-9]{4}", year)
        ):
            raise ValueError(invalid)
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValueError(invalid) from error


class SchemaForm(FlaskForm):
    """A form whose rules are a marshmallow schema's, so the two can never disagree.

    Fields carry no validators of their own; :meth:`validate` runs the schema and puts
    each message on its field, for the error summary. A field that already has an
    error (a date that is not a date) keeps only that one.
    """

    schema: ClassVar[type[Schema]]

    def schema_data(self) -> dict[str, Any]:
        """The submitted values as the schema reads them: strings, booleans, ISO dates."""
        data: dict[str, Any] = {}
        for name, field in self._fields.items():
            if name == "csrf_token" or isinstance(field, SubmitField):
                continue
            value = field.data
            data[name] = value.isoformat() if isinstance(value, date) else value
        return data

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        problems = self.schema().validate(self.schema_data())
        for name, field_messages in problems.items():
            field = self._fields.get(name)
            if field is not None and not field.errors:
                field.errors = list(field_messages)
        return valid and not problems
