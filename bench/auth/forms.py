"""Forms for signing in, changing a password and accepting an invitation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

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


class SignOutForm(FlaskForm):
    """Only a CSRF token: signing out is a POST so another site cannot sign users out."""
