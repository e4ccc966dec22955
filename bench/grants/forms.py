"""The page's form for a grant: UK dates in, the API's fields out (one schema checks both)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField

from bench.dates import LONDON
from bench.fields import DateInputField, strip
from bench.grants.schemas import moment_text, start_of_day
from bench.models import utcnow

# The schema's field -> the form's field that shows its message.
FIELDS = {"inspector_email": "inspector_email", "starts_at": "starts_on", "expires_at": "ends_on"}


class GrantForm(FlaskForm):
    inspector_email = StringField(
        "Inspector's email address",
        description="The email address of their inspector account on bench",
        widget=GovTextInput(),
        filters=[strip],
    )
    starts_on = DateInputField(
        "Start date", description="Optional: leave it empty to start now. For example, 1 4 2027"
    )
    ends_on = DateInputField(
        "End date",
        description=(
            "The grant lasts until the end of this day (UK time), at most a year after it "
            "starts. For example, 30 6 2027"
        ),
    )
    reason = TextAreaField(
        "Reason",
        description="Why the inspector needs to see your authority's figures. They see it too",
        widget=GovTextArea(),
    )
    submit = SubmitField("Grant access", widget=GovSubmitInput())

    def grant_data(self) -> dict[str, Any]:
        """The answers as the API's fields: a start today means now; the end date counts
        whole (the grant ends at midnight after it, UK time)."""
        today = utcnow().astimezone(LONDON).date()
        starts_on, ends_on = self.starts_on.data, self.ends_on.data
        starts_at = None
        if starts_on is not None and starts_on != today:
            starts_at = moment_text(start_of_day(starts_on))
        expires_at = None
        if ends_on is not None:
            # 31 December 9999 has no day after it; the schema refuses it as too long anyway.
            day_after = min(ends_on, date.max - timedelta(days=1)) + timedelta(days=1)
            expires_at = moment_text(start_of_day(day_after))
        # Blank answers are missing answers: the schema says what is required.
        return {
            "inspector_email": self.inspector_email.data or None,
            "starts_at": starts_at,
            "expires_at": expires_at,
            "reason": self.reason.data or None,
        }


class ConfirmForm(FlaskForm):
    """Only a CSRF token: the route says what happens (revoke a grant)."""
