"""Forms for inviting users and changing whether they can sign in."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from bench import messages
from bench.fields import email_field
from bench.models import AUTHORITY_ROLES, Role

ROLE_CHOICES = [
    SelectChoice(role.value, role.label)
    for role in (Role.STAFF, Role.ANALYST, Role.AUTHORITY_ADMIN)
    if role in AUTHORITY_ROLES
]


class InviteForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(messages.NAME_REQUIRED), Length(max=200)],
    )
    email = email_field(check_format=True)
    role = RadioField(
        "Role",
        choices=ROLE_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired(messages.ROLE_REQUIRED)],
    )
    # Shown to network admins only; authority admins always invite to their own authority.
    authority = SelectField(
        "Authority", widget=GovSelect(), coerce=int, validators=[Optional()], choices=[]
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ActivationForm(FlaskForm):
    """Only a CSRF token; the route says what happens."""


class UserSearchForm(FlaskForm):
    """The user list's search, sent with GET so a search is a link. It only draws the
    field; UserListQuerySchema checks it (and the page number, shown on this field)."""

    class Meta:
        csrf = False  # a search changes nothing

    q = StringField("Search users", widget=GovTextInput())

    def show(self, errors: list) -> None:
        self.q.errors = [error.message for error in errors]
