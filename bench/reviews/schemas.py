"""What a review, its team, an update and a pinned comparison must look like.

The one source of the rules and their messages: the pages' forms run these schemas
(through ``bench.fields.SchemaForm``), the service loads through them again, and the JSON
API loads its bodies with them and dumps its answers with the output schemas below.
Whether a period, colleague or earlier review exists is the service's question (it needs
the database).
"""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    missing,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from bench import messages
from bench.api.schemas import PageSchema
from bench.models import KeyArea, ReviewStatus, TeamRole, UpdateKind

TITLE_MAX = 200
SCOPE_MAX = 4000
NAME_MAX = 200
TEAM_MAX = 50
UPDATE_MAX = 10000
NOTE_MAX = 2000
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only (DESIGN.md)


def _plain(text: str) -> None:
    """No control characters bar line breaks and tabs: never meant in a title or a note."""
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text) or "\x7f" in text:
        raise ValidationError(messages.REVIEW_CONTROL_CHARACTERS)


def _errors(message: str, **others: str) -> dict[str, str]:
    return {"required": message, "null": message, "invalid": message, **others}


class Day(fields.Field):
    """A date as ISO 8601, like 2027-04-01."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
            raise self.make_error("invalid")
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise self.make_error("invalid") from error

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value.isoformat() if value is not None else None


def _choice(
    kind: type[enum.StrEnum], message: str, description: str, **options: Any
) -> fields.String:
    """One of *kind*'s values."""
    return fields.String(
        validate=validate.OneOf([member.value for member in kind], error=message),
        error_messages=_errors(message),
        metadata={"description": description},
        **options,
    )


# --- a review's fields --------------------------------------------------------------


def _title() -> fields.String:
    return fields.String(
        required=True,
        error_messages=_errors(messages.REVIEW_TITLE_REQUIRED),
        validate=[
            validate.Length(min=1, error=messages.REVIEW_TITLE_REQUIRED),
            validate.Length(
                max=TITLE_MAX, error=messages.REVIEW_TITLE_TOO_LONG.format(max=TITLE_MAX)
            ),
            _plain,
        ],
        metadata={"description": f"What the review is called, at most {TITLE_MAX} characters."},
    )


class ReviewFieldsSchema(Schema):
    """A review's own fields: what the page for starting a review holds."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN, "type": messages.ITEM_INVALID}  # noqa: RUF012
    replacing = False  # a PUT: every field must be sent

    title = _title()
    # Free text is stored as written (DESIGN.md); Markdown, sanitised when shown.
    service_scope = fields.String(
        load_default="",
        error_messages={
            "null": messages.REVIEW_SCOPE_INVALID,
            "invalid": messages.REVIEW_SCOPE_INVALID,
        },
        validate=[
            validate.Length(
                max=SCOPE_MAX, error=messages.REVIEW_SCOPE_TOO_LONG.format(max=SCOPE_MAX)
            ),
            _plain,
        ],
        metadata={"description": "The service in scope (Markdown)."},
    )
    # Checked as a whole, so that the message is the field's (a form has one per field).
    key_areas = fields.List(
        fields.String(error_messages=_errors(messages.REVIEW_KEY_AREA_UNKNOWN)),
        required=True,
        error_messages=_errors(messages.REVIEW_KEY_AREAS_REQUIRED),
        validate=[
            validate.Length(min=1, error=messages.REVIEW_KEY_AREAS_REQUIRED),
            validate.ContainsOnly(
                [area.value for area in KeyArea], error=messages.REVIEW_KEY_AREA_UNKNOWN
            ),
        ],
        metadata={"description": "The key areas the review watches: at least one."},
    )
    period = fields.String(
        required=True,
        error_messages=_errors(messages.REVIEW_PERIOD_REQUIRED),
        validate=validate.Length(min=1, max=20, error=messages.REVIEW_PERIOD_REQUIRED),
        metadata={"description": "The code of the period reviewed, like 2023-24."},
    )
    starts_on = Day(
        required=True,
        error_messages=_errors(
            messages.REVIEW_STARTS_REQUIRED, invalid=messages.REVIEW_DATE_INVALID
        ),
        metadata={"type": "string", "format": "date", "description": "When the review starts."},
    )
    ends_on = Day(
        load_default=None,
        allow_none=True,
        error_messages={"invalid": messages.REVIEW_DATE_INVALID},
        metadata={
            "type": "string",
            "format": "date",
            "nullable": True,
            "description": "When it ends (or is due to), on or after the start; null if unknown.",
        },
    )
    status = _choice(
        ReviewStatus,
        messages.REVIEW_STATUS_UNKNOWN,
        "Any status may follow any other; each change is audited.",
        load_default=ReviewStatus.PLANNING.value,
    )
    previous_review = fields.String(
        load_default=None,
        allow_none=True,
        error_messages={"invalid": messages.REVIEW_PREVIOUS_UNKNOWN},
        validate=validate.Length(min=1, max=40, error=messages.REVIEW_PREVIOUS_UNKNOWN),
        metadata={
            "nullable": True,
            "description": "The id of the authority's review this one follows: an earlier "
            "one, never itself, never one that already follows it.",
        },
    )

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        # Replacing (PUT): every field is required, so leaving one out never resets it.
        if not self.replacing or field_name == "team" or field_obj.required:
            return
        field_obj.required = True
        field_obj.load_default = missing
        missing_message = messages.REVIEW_FIELD_MISSING.format(field=field_name)
        field_obj.error_messages = {**field_obj.error_messages, "required": missing_message}

    @pre_load
    def _tidy(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        tidied = dict(data)
        if isinstance(tidied.get("title"), str):
            tidied["title"] = tidied["title"].strip()
        if tidied.get("previous_review") == "":  # the form's "None"
            tidied["previous_review"] = None
        return tidied

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on is not None and ends_on is not None and ends_on < starts_on:
            raise ValidationError(messages.REVIEW_ENDS_BEFORE_START, field_name="ends_on")

    @post_load
    def _key_areas_once(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "key_areas" in data:
            data["key_areas"] = list(dict.fromkeys(data["key_areas"]))
        return data


class TeamMemberSchema(Schema):
    """A user of the authority (by email address) or a named person without an account."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN, "type": messages.ITEM_INVALID}  # noqa: RUF012

    user = fields.String(
        load_default=None,
        allow_none=True,
        error_messages={"invalid": messages.REVIEW_TEAM_USER_UNKNOWN},
        validate=validate.Length(max=320, error=messages.REVIEW_TEAM_USER_UNKNOWN),
        metadata={
            "nullable": True,
            "description": "The email address of an active user of your authority.",
        },
    )
    name = fields.String(
        load_default="",
        allow_none=True,
        error_messages={"invalid": messages.REVIEW_TEAM_MEMBER_REQUIRED},
        validate=[
            validate.Length(
                max=NAME_MAX, error=messages.REVIEW_TEAM_NAME_TOO_LONG.format(max=NAME_MAX)
            ),
            _plain,
        ],
        metadata={"description": "Someone without an account: their name. Ignored with user."},
    )
    role = _choice(
        TeamRole, messages.REVIEW_TEAM_ROLE_REQUIRED, "Their role on the team.", required=True
    )

    @pre_load
    def _tidy(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        tidied = dict(data)
        if isinstance(tidied.get("user"), str):
            tidied["user"] = tidied["user"].strip().lower() or None
        if isinstance(tidied.get("name"), str):
            tidied["name"] = tidied["name"].strip()
        return tidied

    @validates_schema
    def _someone(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("user") and not data.get("name"):
            raise ValidationError(messages.REVIEW_TEAM_MEMBER_REQUIRED, field_name="user")

    @post_load
    def _one_of(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("user"):
            data["name"] = ""
        data["name"] = data.get("name") or ""
        return data


def _team(**options: Any) -> fields.List:
    return fields.List(
        fields.Nested(TeamMemberSchema),
        error_messages=_errors(messages.REVIEW_TEAM_INVALID),
        validate=validate.Length(
            max=TEAM_MAX, error=messages.REVIEW_TEAM_TOO_LARGE.format(max=TEAM_MAX)
        ),
        **options,
    )


def _lock_version() -> fields.Integer:
    return fields.Integer(
        required=True,
        strict=True,
        error_messages=_errors(messages.REVIEW_LOCK_REQUIRED),
        metadata={"description": "The review's lock_version as you last read it."},
    )


class ReviewEditSchema(ReviewFieldsSchema):
    """The page's edit form: the fields and the version they were read at."""

    replacing = True
    lock_version = _lock_version()


class ReviewInSchema(ReviewFieldsSchema):
    """A new review (API): its fields and, optionally, its team (default: you, as lead)."""

    team = _team(
        load_default=None,
        allow_none=True,
        metadata={"description": "Who is on the team. Left out: you, as the lead."},
    )


class ReviewPutSchema(ReviewInSchema):
    """A review replaced (API): every field, and the lock_version it was read at."""

    replacing = True
    team = _team(
        load_default=None,
        allow_none=True,
        metadata={"description": "Who is on the team. Left out: the team stays as it is."},
    )
    lock_version = _lock_version()


class TeamSchema(Schema):
    """The page's team form: the whole team, and the version it was read at."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN, "type": messages.ITEM_INVALID}  # noqa: RUF012

    team = _team(required=True)
    lock_version = _lock_version()


class ReviewUpdateInSchema(Schema):
    """An update to every user of the authority: read-only once posted."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN, "type": messages.ITEM_INVALID}  # noqa: RUF012

    kind = _choice(
        UpdateKind,
        messages.UPDATE_KIND_UNKNOWN,
        "update, change_considered or decision.",
        load_default=UpdateKind.UPDATE.value,
    )
    body = fields.String(
        required=True,
        error_messages=_errors(messages.UPDATE_BODY_REQUIRED),
        validate=[
            validate.Length(
                max=UPDATE_MAX, error=messages.UPDATE_BODY_TOO_LONG.format(max=UPDATE_MAX)
            ),
            _plain,
        ],
        metadata={"description": "The update, in Markdown (no raw HTML, no images)."},
    )

    @validates_schema
    def _not_blank(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "body" in data and not data["body"].strip():
            raise ValidationError(messages.UPDATE_BODY_REQUIRED, field_name="body")


class EvidenceInSchema(Schema):
    """A comparison to pin: an indicator, a released period, one of your peer groups."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN, "type": messages.ITEM_INVALID}  # noqa: RUF012

    indicator = fields.String(
        required=True,
        error_messages=_errors(messages.PIN_INDICATOR_UNKNOWN),
        validate=validate.Length(min=1, max=40, error=messages.PIN_INDICATOR_UNKNOWN),
        metadata={"description": "The indicator's code."},
    )
    period = fields.String(
        required=True,
        error_messages=_errors(messages.PIN_PERIOD_UNKNOWN),
        validate=validate.Length(min=1, max=20, error=messages.PIN_PERIOD_UNKNOWN),
        metadata={"description": "The code of a released period."},
    )
    group = fields.String(
        required=True,
        error_messages=_errors(messages.PIN_GROUP_UNKNOWN),
        validate=validate.Length(min=1, max=60, error=messages.PIN_GROUP_UNKNOWN),
        metadata={
            "description": "One of your peer groups, as the comparison pages name it: "
            "neighbours, computed, type, region, all, or a custom group's key."
        },
    )
    note = fields.String(
        load_default="",
        error_messages={"null": messages.PIN_NOTE_INVALID, "invalid": messages.PIN_NOTE_INVALID},
        validate=[
            validate.Length(max=NOTE_MAX, error=messages.PIN_NOTE_TOO_LONG.format(max=NOTE_MAX)),
            _plain,
        ],
        metadata={"description": "Why the review relies on it (Markdown)."},
    )


# --- the API's answers ----------------------------------------------------------


class TeamMemberOutSchema(Schema):
    user = fields.String(
        allow_none=True, metadata={"description": "The user's email; null without an account."}
    )
    name = fields.String()
    role = fields.String()


class GroupRefSchema(Schema):
    key = fields.String()
    label = fields.String()


class EvidenceSchema(Schema):
    id = fields.String(attribute="public_id", metadata={"description": "Random, not sequential"})
    indicator = fields.String(attribute="indicator.code")
    period = fields.String(attribute="period.code")
    group = fields.Nested(GroupRefSchema)
    value = fields.Float(
        allow_none=True, metadata={"description": "Your own figure when pinned (never a peer's)."}
    )
    classification = fields.String(
        metadata={"description": "Your figure against the group when pinned, in words."}
    )
    data_version = fields.String(
        metadata={"description": "The release round and data the classification came from."}
    )
    note = fields.String()
    pinned_by = fields.String(allow_none=True)
    pinned_at = fields.DateTime()
    live = fields.String(metadata={"description": "Path of the live comparison page."})


class ReviewSummarySchema(Schema):
    """A review in a list: everything but its pinned comparisons."""

    id = fields.String(attribute="public_id", metadata={"description": "Random, not sequential"})
    title = fields.String()
    service_scope = fields.String()
    key_areas = fields.List(fields.String())
    period = fields.String(
        attribute="period_code", allow_none=True, metadata={"description": "The period's code."}
    )
    starts_on = Day(metadata={"type": "string", "format": "date"})
    ends_on = Day(allow_none=True, metadata={"type": "string", "format": "date"})
    status = fields.String()
    previous_review = fields.String(allow_none=True)
    next_reviews = fields.List(
        fields.String(), metadata={"description": "Reviews that follow this one."}
    )
    team = fields.List(fields.Nested(TeamMemberOutSchema))
    lock_version = fields.Integer(metadata={"description": "Send it back with a PUT."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ReviewSchema(ReviewSummarySchema):
    evidence = fields.List(
        fields.Nested(EvidenceSchema), metadata={"description": "Pinned comparisons."}
    )


class ReviewPageSchema(PageSchema):
    items = fields.List(fields.Nested(ReviewSummarySchema), required=True)


class UpdateSchema(Schema):
    id = fields.String(attribute="public_id", metadata={"description": "Random, not sequential"})
    review = fields.String(attribute="review_id")
    kind = fields.String()
    body = fields.String(metadata={"description": "Markdown, as written."})
    posted_by = fields.String(allow_none=True)
    posted_at = fields.DateTime()


class UpdatePageSchema(PageSchema):
    items = fields.List(fields.Nested(UpdateSchema), required=True)
