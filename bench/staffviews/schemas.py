"""The rules for a staff view, the team's response and a moderation, with the API's
answers: forms, the service and the API all load through these (bench.fields.SchemaForm).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_load, validate

from bench import messages
from bench.models import KeyArea
from bench.validation import free_text, required_messages

BODY_MAX = 5000
RESPONSE_MAX = 5000
REASON_MAX = 1000
ID_MAX = 40


def _public_id(message: str, description: str) -> fields.String:
    return fields.String(
        load_default=None,
        allow_none=True,
        error_messages={"invalid": message},
        validate=validate.Length(min=1, max=ID_MAX, error=message),
        metadata={"description": description},
    )


class _Input(Schema):
    error_messages = {"unknown": messages.FIELD_UNKNOWN, "type": messages.ITEM_INVALID}

    # Optional ids: a form's empty choice means none.
    optional_ids: tuple[str, ...] = ()

    @pre_load
    def _blank_is_none(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        tidied = dict(data)
        for key in self.optional_ids:
            if isinstance(tidied.get(key), str) and not tidied[key].strip():
                tidied[key] = None
        return tidied


class StaffViewInSchema(_Input):
    """A view from a user of the authority: the form's fields and the API's body."""

    optional_ids = ("review",)

    key_area = fields.Enum(
        KeyArea,
        by_value=True,
        required=True,
        error_messages=required_messages(messages.STAFF_VIEW_KEY_AREA_REQUIRED)
        | {"unknown": messages.STAFF_VIEW_KEY_AREA_REQUIRED},
        metadata={"description": "One of the five key areas of a Best Value review"},
    )
    review = _public_id(
        messages.STAFF_VIEW_REVIEW_UNKNOWN,
        "Optional: the id of one of your council's reviews that is still taking views. "
        "Without one, the view belongs to this calendar month's round",
    )
    body = free_text(
        messages.STAFF_VIEW_BODY_REQUIRED,
        messages.STAFF_VIEW_BODY_TOO_LONG,
        BODY_MAX,
        "Your view (Markdown)",
    )
    anonymous = fields.Boolean(
        load_default=True,
        truthy={True, "true"},
        falsy={False, "false"},
        error_messages=required_messages(messages.STAFF_VIEW_ANONYMITY_REQUIRED),
        metadata={
            "description": "true (the default): anonymous within your council, kept "
            "without your name, account or time of day. false: named"
        },
    )


class ResponseInSchema(_Input):
    """The team's "we did"."""

    optional_ids = ("action",)

    body = free_text(
        messages.STAFF_VIEW_RESPONSE_REQUIRED,
        messages.STAFF_VIEW_RESPONSE_TOO_LONG,
        RESPONSE_MAX,
        "What the team did, or will do (Markdown)",
    )
    action = _public_id(
        messages.STAFF_VIEW_ACTION_UNKNOWN,
        "Optional: the id of one of your council's follow-up actions",
    )


class HideInSchema(_Input):
    reason = free_text(
        messages.STAFF_VIEW_HIDE_REASON_REQUIRED,
        messages.STAFF_VIEW_HIDE_REASON_TOO_LONG,
        REASON_MAX,
        "Why the view is hidden. The team sees it; staff never do",
    )


# --- the API's answers ----------------------------------------------------------------


class ActionRefSchema(Schema):
    id = fields.String(attribute="public_id")
    description = fields.String()
    status = fields.String()


class ResponseSchema(Schema):
    id = fields.String(attribute="public_id", metadata={"description": "Random, not sequential"})
    body = fields.String(attribute="body_md", metadata={"description": "Markdown"})
    action = fields.Nested(ActionRefSchema, allow_none=True)
    responded_by = fields.String(allow_none=True, metadata={"description": "Who responded"})
    responded_at = fields.DateTime()


class ShownViewSchema(Schema):
    id = fields.String(
        allow_none=True,
        metadata={"description": "Random, not sequential: the team's handle on the view"},
    )
    round = fields.String(
        metadata={"description": "A review's title or a month, never the day it was given"}
    )
    key_area = fields.Enum(KeyArea, by_value=True)
    body = fields.String(attribute="body_md", metadata={"description": "Markdown, as written"})
    anonymous = fields.Boolean()
    author = fields.String(
        allow_none=True, metadata={"description": "The author's name, for a named view only"}
    )
    status = fields.String(metadata={"description": "new, responded or hidden"})
    hidden_reason = fields.String(
        allow_none=True, metadata={"description": "The team's reason, for a hidden view"}
    )
    responses = fields.List(fields.Nested(ResponseSchema))


class RoundSchema(Schema):
    label = fields.String(metadata={"description": "The review's title, or a month"})
    review = fields.String(allow_none=True, metadata={"description": "The review's id"})
    ended = fields.Boolean(
        metadata={"description": "Ended: every anonymous view of the round is shown"}
    )
    anonymous_waiting = fields.String(
        allow_none=True,
        metadata={
            "description": "While the round is open: anonymous views not yet shown, "
            "never counted exactly. They are shown in fives, and all at the round's end"
        },
    )
    views = fields.List(fields.Nested(ShownViewSchema))
    hidden = fields.List(fields.Nested(ShownViewSchema))


class StaffViewsSchema(Schema):
    on_team = fields.Boolean(
        metadata={"description": "Whether you are on a review team (or an authority admin)"}
    )
    rounds = fields.List(
        fields.Nested(RoundSchema),
        metadata={"description": "The team's view of its rounds; empty for anyone else"},
    )
    you_said_we_did = fields.List(
        fields.Nested(ShownViewSchema),
        metadata={"description": "Views the team has responded to: every user sees them"},
    )


class GivenSchema(Schema):
    id = fields.String(
        allow_none=True, metadata={"description": "A named view's id; null for an anonymous one"}
    )
    anonymous = fields.Boolean()
    round = fields.String()
    key_area = fields.Enum(KeyArea, by_value=True)
