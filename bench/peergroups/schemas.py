"""The rules for a custom group's form; the service adds the rules that need the database."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from bench import messages


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
