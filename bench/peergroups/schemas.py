"""The rules for a custom group's form; the service adds the rules that need the database."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from bench import messages
from bench.validation import printable


class CustomGroupSchema(Schema):
    name = fields.String(
        required=True,
        error_messages={
            "required": messages.CUSTOM_GROUP_NAME_REQUIRED,
            "null": messages.CUSTOM_GROUP_NAME_REQUIRED,
        },
        validate=[
            validate.Length(min=1, error=messages.CUSTOM_GROUP_NAME_REQUIRED),
            validate.Length(max=120, error=messages.CUSTOM_GROUP_NAME_TOO_LONG),
        ],
    )
    # Ids as the form sends them; the service checks each names a current council.
    members = fields.List(fields.String(), load_default=list)


FIND_MAX = 100
FIND_TOO_LONG = f"The name to find must be {FIND_MAX} characters or fewer"
TYPE_UNKNOWN = "Choose a type of council from the list"
REGION_UNKNOWN = "Choose a region from the list"
START_UNKNOWN = "Choose one of your groups from the list"


class BuilderQuerySchema(Schema):
    """The custom-group builder's filters and the councils ticked so far, from its link
    (GET) or its form. Which types, regions and groups exist is the service's to check."""

    class Meta:
        unknown = EXCLUDE  # the form's other fields (its name, the CSRF token, the button)

    q = fields.String(
        load_default="",
        validate=[validate.Length(max=FIND_MAX, error=FIND_TOO_LONG), printable()],
    )
    type = fields.String(load_default="", validate=validate.Length(max=40, error=TYPE_UNKNOWN))
    region = fields.String(load_default="", validate=validate.Length(max=100, error=REGION_UNKNOWN))
    start = fields.String(load_default="", validate=validate.Length(max=40, error=START_UNKNOWN))
    members = fields.List(fields.String(), load_default=list)
    name = fields.String(load_default="")  # the group's name, kept while filtering

    @pre_load
    def _from_a_form(self, data: Any, **kwargs: Any) -> Any:
        """A MultiDict (request.args or request.form): every ticked council, the first of
        anything else, trimmed."""
        if not hasattr(data, "getlist"):
            return data
        loaded: dict[str, Any] = {
            key: data.get(key, "").strip() for key in ("q", "type", "region", "start", "name")
        }
        loaded["members"] = data.getlist("members")
        return loaded
