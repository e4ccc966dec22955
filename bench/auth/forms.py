"""Forms for signing in, changing a password and accepting an invitation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from bench import messages
from bench.fields import email_field, password_field
from bench.messages import NEW_PASSWORD_HINT


class SignInForm(FlaskForm):
    email = email_field()
    password = password_field("Password")
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = password_field("Current password")
    new_password = password_field("New password", NEW_PASSWORD_HINT)
    confirm_password = password_field("Confirm new password")
    submit = SubmitField("Change password", widget=GovSubmitInput())


class AcceptInvitationForm(FlaskForm):
    password = password_field("Choose a password", NEW_PASSWORD_HINT)
    confirm_password = password_field("Confirm password")
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ConfirmPasswordForm(FlaskForm):
    password = password_field("Password")
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    """Only a CSRF token: signing out is a POST so another site cannot sign users out."""


class NewTokenForm(FlaskForm):
    """A personal API token. The service holds the rules; the form only shapes the input."""

    name = StringField(
        "Name",
        description="Say what will use it, like 'Monthly upload script'.",
        widget=GovTextInput(),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            InputRequired(messages.TOKEN_NAME_REQUIRED),
            Length(max=100, message=messages.TOKEN_NAME_TOO_LONG.format(max=100)),
        ],
    )
    scope = RadioField(
        "What may it do?",
        choices=[],  # the view offers what the user's role allows; the service decides
        validate_choice=False,
        widget=GovRadioInput(),
        validators=[InputRequired(messages.TOKEN_SCOPE_REQUIRED)],
    )
    # Text, not IntegerField: numbers are ASCII digits only (DESIGN.md, Data and input).
    expires_in_days = StringField(
        "Expires after (days)",
        description="Optional. Leave empty for a token that works until you revoke it.",
        widget=GovTextInput(),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Regexp(r"[0-9]{1,4}\Z", message=messages.TOKEN_EXPIRY_INVALID.format(max=366)),
        ],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())


class RevokeTokenForm(FlaskForm):
    """Only a CSRF token; the route names the token."""
