"""The search page's form: sent with GET, so a search is a link that can be shared or
bookmarked. It only draws the fields; SearchQuerySchema checks them, as for the API."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import SelectField, StringField

from bench.errors import RowError
from bench.search.service import Choices

DATE_HINT = "For example, 2025-03-31"
# The schema's field (the query parameter) -> the form's field that shows its message.
FIELDS = {"from": "date_from", "to": "date_to", "page": "q"}


def _select(label: str) -> SelectField:
    return SelectField(label, choices=[], validate_choice=False, widget=GovSelect())


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing

    q = StringField("Words to search for", widget=GovTextInput())
    kind = _select("What to search")
    issue_type = _select("Issue type")
    indicator = _select("Indicator")
    key_area = _select("Key area")
    review = _select("Review")
    date_from = StringField("Date from", name="from", description=DATE_HINT, widget=GovTextInput())
    date_to = StringField("Date to", name="to", description=DATE_HINT, widget=GovTextInput())

    def offer(self, choices: Choices) -> None:
        """Fill each list from *choices*, an empty first choice meaning any."""
        for name, anything, offered in (
            ("kind", "Everything you can read", choices.kinds),
            ("issue_type", "Any issue type", choices.issue_types),
            ("indicator", "Any indicator", choices.indicators),
            ("key_area", "Any key area", choices.key_areas),
            ("review", "Any review", choices.reviews),
        ):
            self[name].choices = [("", anything), *offered]

    def show(self, errors: list[RowError]) -> None:
        for error in errors:
            field = self._fields.get(FIELDS.get(error.field, error.field)) or self.q
            field.errors = [*field.errors, error.message]
