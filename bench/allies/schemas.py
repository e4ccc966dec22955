"""What a request for allies and an answer to one must look like.

The one source of the rules and their messages: the forms run these schemas (through
``bench.fields.SchemaForm``), the services load through them again, and the JSON API
loads its bodies with them and dumps its answers with the output schemas below.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from bench import messages
from bench.validation import required_messages

MESSAGE_MAX = 2000
CONTACT_NAME_MAX = 200
CONTACT_EMAIL_MAX = 320


def _no_control_characters(text: str) -> None:
    # PostgreSQL cannot store NUL; other control characters (bar line breaks and tabs)
    # are never meant in a message or a name.
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text) or "\x7f" in text:
        raise ValidationError(messages.ALLY_CONTROL_CHARACTERS)


def _not_blank(text: str) -> None:
    if not text.strip():
        raise ValidationError(messages.ALLY_MESSAGE_REQUIRED)


def _contact_name(*, required: bool) -> fields.String:
    return fields.String(
        required=required,
        error_messages=required_messages(messages.ALLY_CONTACT_NAME_REQUIRED),
        validate=[
            validate.Length(min=1, error=messages.ALLY_CONTACT_NAME_REQUIRED),
            validate.Length(
                max=CONTACT_NAME_MAX,
                error=messages.ALLY_CONTACT_NAME_TOO_LONG.format(max=CONTACT_NAME_MAX),
            ),
            _no_control_characters,
        ],
        metadata={"description": "Whom the other council should contact (API default: you)"},
    )


def _contact_email(*, required: bool) -> fields.Email:
    return fields.Email(
        required=required,
        error_messages={
            **required_messages(messages.ALLY_CONTACT_EMAIL_REQUIRED),
            "invalid": messages.EMAIL_INVALID,
        },
        validate=validate.Length(max=CONTACT_EMAIL_MAX, error=messages.EMAIL_INVALID),
        metadata={"description": "The address they should write to (API default: yours)"},
    )


class ContactSchema(Schema):
    """The contact person and email a side shares with its ally."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN, "type": messages.ITEM_INVALID}

    contact_name = _contact_name(required=True)
    contact_email = _contact_email(required=True)

    @pre_load
    def _tidy(self, data: Any, **kwargs: Any) -> Any:
        # A name and an address are labels, not free text: surrounding spaces mean nothing.
        if not isinstance(data, dict):
            return data
        tidied = dict(data)
        for key in ("contact_name", "contact_email"):
            if isinstance(tidied.get(key), str):
                tidied[key] = tidied[key].strip()
        return tidied


class AskMessageSchema(ContactSchema):
    """What the asking page's form holds: the message and the contact (the issue type is
    the page's own)."""

    # Free text is stored as written (DESIGN.md): no stripping, escaped when shown.
    message = fields.String(
        required=True,
        error_messages=required_messages(messages.ALLY_MESSAGE_REQUIRED),
        validate=[
            validate.Length(
                max=MESSAGE_MAX, error=messages.ALLY_MESSAGE_TOO_LONG.format(max=MESSAGE_MAX)
            ),
            _no_control_characters,
            _not_blank,
        ],
        metadata={"description": "What you would like to learn from them"},
    )


class AskSchema(AskMessageSchema):
    """A request to the peers open to contact about one issue type."""

    issue_type = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60, error=messages.ISSUE_TYPE_UNKNOWN),
        error_messages=required_messages(messages.ISSUE_TYPE_REQUIRED),
        metadata={"description": "The issue type's code"},
    )


class ContactBodySchema(ContactSchema):
    """The API's acceptance body: the contact defaults to the accepting user."""

    contact_name = _contact_name(required=False)
    contact_email = _contact_email(required=False)


class AskBodySchema(AskSchema):
    """The API's request body: the contact defaults to the asking user."""

    contact_name = _contact_name(required=False)
    contact_email = _contact_email(required=False)


# --- the API's answers ----------------------------------------------------------


class IssueRefSchema(Schema):
    code = fields.String()
    title = fields.String()


class AuthorityRefSchema(Schema):
    name = fields.String()
    gss_code = fields.String()


class ContactOutSchema(Schema):
    name = fields.String()
    email = fields.String()


class IncomingRequestSchema(Schema):
    id = fields.String(attribute="public_id", metadata={"description": "Random, not sequential"})
    asked_by = fields.Nested(
        AuthorityRefSchema, metadata={"description": "The council that asks (it chose to)"}
    )
    issue_type = fields.Nested(IssueRefSchema, allow_none=True)
    message = fields.String()
    received_at = fields.DateTime()
    expires_at = fields.DateTime(metadata={"description": "Answer before this"})


class OutgoingRequestSchema(Schema):
    id = fields.String(attribute="public_id", metadata={"description": "Random, not sequential"})
    issue_type = fields.Nested(IssueRefSchema, allow_none=True)
    message = fields.String()
    your_contact = fields.Nested(ContactOutSchema)
    sent_at = fields.DateTime()
    expires_at = fields.DateTime()
    status = fields.String(
        metadata={
            "description": "open until expires_at, then closed. Says nothing of who "
            "received it or answered: councils that accepted are listed under /allies"
        }
    )


class AllyRequestsSchema(Schema):
    incoming = fields.List(
        fields.Nested(IncomingRequestSchema),
        metadata={"description": "Requests to your council awaiting an answer"},
    )
    outgoing = fields.List(
        fields.Nested(OutgoingRequestSchema),
        metadata={"description": "Your council's requests, newest first; no recipient"},
    )


class AllianceSchema(Schema):
    id = fields.String(attribute="public_id", metadata={"description": "Random, not sequential"})
    status = fields.String(metadata={"description": "current or ended"})
    ally = fields.Nested(AuthorityRefSchema, allow_none=True)
    their_contact = fields.Nested(ContactOutSchema, allow_none=True)
    your_contact = fields.Nested(ContactOutSchema, allow_none=True)
    issue_type = fields.Nested(IssueRefSchema, allow_none=True)
    formed_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)


class AlliesSchema(Schema):
    current = fields.List(fields.Nested(AllianceSchema))
    ended = fields.List(
        fields.Nested(AllianceSchema),
        metadata={"description": "Alliances that ended: only when, never with whom"},
    )


class DeclinedSchema(Schema):
    id = fields.String()
    status = fields.String()
