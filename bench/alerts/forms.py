"""Forms for following and for marking notifications read.

The follow buttons sit on other pages as small forms of hidden fields; the service checks
the codes and says what is wrong, so the messages live in one place.
"""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField

# Where a follow button sends the user back to (never a URL from the request).
RETURN_TO = {
    "alerts": "alerts.index",
    "issues": "issues.index",
    "compare": "compare.where_we_stand",
}


# What a follow button on Where we stand carries back: the group, period and filter shown
# (keys and codes: letters, digits, hyphens, underscores), so the user lands where they
# were. Anything else is dropped; it only ever becomes a query parameter of that page.
KEPT = ("group", "period", "show")
PLAIN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class FollowForm(FlaskForm):
    indicator = HiddenField()
    issue_type = HiddenField()
    return_to = HiddenField()
    group = HiddenField()
    period = HiddenField()
    show = HiddenField()

    def return_endpoint(self) -> str:
        return RETURN_TO.get(self.return_to.data or "", "alerts.index")

    def return_arguments(self) -> dict[str, Any]:
        """url_for's arguments besides the endpoint: on Where we stand, the choices the
        page was showing, and the followed indicator's row."""
        if self.return_endpoint() != RETURN_TO["compare"]:
            return {}
        kept = {
            name: getattr(self, name).data
            for name in KEPT
            if PLAIN.fullmatch(getattr(self, name).data or "")
        }
        if PLAIN.fullmatch(self.indicator.data or ""):
            kept["_anchor"] = self.indicator.data
        return kept


class MarkReadForm(FlaskForm):
    """Only a CSRF token."""
