"""Form fields used by more than one form, with the product's wording and widgets."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import EmailField, PasswordField
from wtforms.validators import Email, InputRequired, Length

from bench import messages


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
