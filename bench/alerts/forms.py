"""Forms for following and for marking notifications read.

The follow buttons sit on other pages as small forms of hidden fields; the service checks
the codes and says what is wrong, so the messages live in one place.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField

# Where a follow button sends the user back to (never a URL from the request).
RETURN_TO = {
    "alerts": "alerts.index",
    "issues": "issues.index",
    "compare": "compare.where_we_stand",
}


class FollowForm(FlaskForm):
    indicator = HiddenField()
    issue_type = HiddenField()
    return_to = HiddenField()

    def return_endpoint(self) -> str:
        return RETURN_TO.get(self.return_to.data or "", "alerts.index")


class MarkReadForm(FlaskForm):
    """Only a CSRF token."""
