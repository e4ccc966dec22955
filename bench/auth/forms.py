"""Forms for signing in, changing a password and accepting an invitation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length

from bench import messages


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(messages.EMAIL_REQUIRED), Length(max=320)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(messages.PASSWORD_REQUIRED), Length(max=1000)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def confirm_password_field() -> PasswordField:
    return PasswordField(
        "Confirm password",
        widget=GovPasswordInput(),
        validators=[InputRequired(messages.PASSWORD_REQUIRED)],
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired(messages.PASSWORD_REQUIRED)],
    )
    new_password = PasswordField(
        "New password",
        description="At least 12 characters. A few unrelated words make a strong password.",
        widget=GovPasswordInput(),
        validators=[InputRequired(messages.PASSWORD_REQUIRED)],
    )
    confirm_password = confirm_password_field()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class AcceptInvitationForm(FlaskForm):
    password = PasswordField(
        "Choose a password",
        description="At least 12 characters. A few unrelated words make a strong password.",
        widget=GovPasswordInput(),
        validators=[InputRequired(messages.PASSWORD_REQUIRED)],
    )
    confirm_password = confirm_password_field()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    """Only a CSRF token: signing out is a POST so another site cannot sign users out."""
