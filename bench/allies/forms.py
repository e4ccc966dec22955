"""Forms for asking for allies and answering. Their rules are the schemas' (see
bench.fields.SchemaForm)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField

from bench.allies.schemas import AskMessageSchema, ContactSchema
from bench.fields import SchemaForm, strip


def _contact_name() -> StringField:
    return StringField(
        "Contact person",
        description="Who the other council should contact. They see this only if you "
        "become allies.",
        widget=GovTextInput(),
        filters=[strip],
    )


def _contact_email() -> StringField:
    return StringField(
        "Contact email address",
        description="Where they should write. Shared only with an ally.",
        widget=GovTextInput(),
        filters=[strip],
    )


class AskForm(SchemaForm):
    schema = AskMessageSchema

    message = TextAreaField(
        "What would you like to learn from them?",
        description="For example what they tried and what worked. The councils you ask "
        "see this, and your council's name.",
        widget=GovTextArea(),
    )
    contact_name = _contact_name()
    contact_email = _contact_email()
    submit = SubmitField("Send request", widget=GovSubmitInput())


class AcceptForm(SchemaForm):
    schema = ContactSchema

    contact_name = _contact_name()
    contact_email = _contact_email()
    submit = SubmitField("Accept and become allies", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """Only a CSRF token: declining a request, ending an alliance."""
