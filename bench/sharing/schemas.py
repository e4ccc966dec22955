"""What sharing a note, a host's response, consent and a good-practice copy must look like.

The one source of the rules and their messages: the services load what pages and the API
send through these schemas, and the API dumps its answers with the output schemas below.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from bench import messages
from bench.api.schemas import PageQuerySchema, PageSchema
from bench.models import KeyArea, ShareLevel
from bench.validation import free_text, required_messages

REPLY_MAX = 5000
NOTE_TEXT_MAX = 50_000
TITLE_MAX = 200
CODE_MAX = 60
# Who a note can be shared with on its sharing page and through the API (the whole
# network gets an edited good-practice copy instead, never the note).
SHARE_LEVELS = (ShareLevel.HOST, ShareLevel.ALLIES, ShareLevel.INSPECTOR)
CONSENT_DECISIONS = ("consent", "refuse", "withdraw")
CHECKLIST = tuple(messages.GOOD_PRACTICE_CHECKLIST)


def _level(text: str) -> None:
    if not text.strip():
        raise ValidationError(messages.SHARE_LEVEL_REQUIRED)
    if text == ShareLevel.NETWORK_GOOD_PRACTICE:
        raise ValidationError(messages.SHARE_LEVEL_GOOD_PRACTICE)
    if text not in SHARE_LEVELS:
        raise ValidationError(messages.SHARE_LEVEL_UNKNOWN)


class _Strict(Schema):
    error_messages = {"unknown": messages.FIELD_UNKNOWN, "type": messages.ITEM_INVALID}


class ShareBodySchema(_Strict):
    level = fields.String(
        required=True,
        error_messages=required_messages(messages.SHARE_LEVEL_REQUIRED),
        validate=_level,
        metadata={
            "description": "host, allies or inspector",
            "enum": [level.value for level in SHARE_LEVELS],
        },
    )


class ReplySchema(_Strict):
    body = free_text(
        messages.REPLY_REQUIRED,
        messages.REPLY_TOO_LONG,
        REPLY_MAX,
        "The host's reply, in Markdown",
    )


class CorrectionSchema(_Strict):
    text = free_text(
        messages.CORRECTION_TEXT_REQUIRED,
        messages.CORRECTION_TEXT_TOO_LONG,
        NOTE_TEXT_MAX,
        "The note's whole text as the host proposes it, in Markdown",
    )
    reason = free_text(
        messages.CORRECTION_REASON_REQUIRED,
        messages.CORRECTION_REASON_TOO_LONG,
        REPLY_MAX,
        "Why the host proposes it",
    )
    revision = fields.Integer(
        required=True,
        strict=False,
        error_messages=required_messages(messages.CORRECTION_REVISION_INVALID),
        validate=validate.Range(min=1, error=messages.CORRECTION_REVISION_INVALID),
        metadata={"description": "The revision of the note the correction was made to"},
    )


class DecisionSchema(_Strict):
    decision = fields.String(
        required=True,
        error_messages=required_messages(messages.CONSENT_DECISION_UNKNOWN),
        validate=validate.OneOf(CONSENT_DECISIONS, error=messages.CONSENT_DECISION_UNKNOWN),
    )


def _optional_code(message: str) -> fields.String:
    return fields.String(
        load_default=None,
        allow_none=True,
        error_messages={"invalid": message},
        validate=validate.Length(max=CODE_MAX, error=message),
    )


class CopySchema(_Strict):
    """A good-practice copy as the author edits it."""

    title = free_text(
        messages.GOOD_PRACTICE_TITLE_REQUIRED,
        messages.GOOD_PRACTICE_TITLE_TOO_LONG,
        TITLE_MAX,
        "The copy's title",
    )
    body = free_text(
        messages.GOOD_PRACTICE_BODY_REQUIRED,
        messages.GOOD_PRACTICE_BODY_TOO_LONG,
        NOTE_TEXT_MAX,
        "The copy's text, in Markdown",
    )
    key_area = fields.Enum(
        KeyArea,
        by_value=True,
        load_default=None,
        allow_none=True,
        error_messages={"unknown": messages.GOOD_PRACTICE_KEY_AREA_UNKNOWN},
    )
    issue_type = _optional_code(messages.GOOD_PRACTICE_ISSUE_TYPE_UNKNOWN)
    indicator = _optional_code(messages.GOOD_PRACTICE_INDICATOR_UNKNOWN)
    # The check's fingerprint of the text the author last saw checked.
    checked = fields.String(load_default="", validate=validate.Length(max=64))

    @pre_load
    def _blank_is_none(self, data: Any, **kwargs: Any) -> Any:
        # A select left on its "none" option sends an empty string.
        if not isinstance(data, dict):
            return data
        tidied = dict(data)
        for key in ("key_area", "issue_type", "indicator"):
            if isinstance(tidied.get(key), str) and not tidied[key].strip():
                tidied[key] = None
        return tidied


def _ticked(message: str) -> fields.Boolean:
    def must_be_ticked(value: bool) -> None:
        if value is not True:
            raise ValidationError(message)

    return fields.Boolean(
        load_default=False,
        truthy={True, "y", "yes", "true", "1", "on"},
        falsy={False, "", "n", "no", "false", "0", "off"},
        error_messages={"invalid": message},
        validate=must_be_ticked,
    )


class ScheduleSchema(CopySchema):
    """A copy to schedule: the author confirms each line of the checklist."""

    no_place_names = _ticked(messages.GOOD_PRACTICE_CHECKLIST["no_place_names"])
    no_service_names = _ticked(messages.GOOD_PRACTICE_CHECKLIST["no_service_names"])
    no_staff_names = _ticked(messages.GOOD_PRACTICE_CHECKLIST["no_staff_names"])
    no_matching_figures = _ticked(messages.GOOD_PRACTICE_CHECKLIST["no_matching_figures"])


class GoodPracticeQuerySchema(PageQuerySchema):
    @pre_load
    def _blank_is_all(self, data: Any, **kwargs: Any) -> Any:
        # The page's filter form sends its "all" options as empty values.
        if not hasattr(data, "items"):
            return data
        return {key: value for key, value in data.items() if value != ""}

    key_area = fields.Enum(
        KeyArea,
        by_value=True,
        error_messages={"unknown": messages.GOOD_PRACTICE_KEY_AREA_UNKNOWN},
        metadata={"description": "Only this key area."},
    )
    issue_type = fields.String(
        validate=validate.Length(min=1, max=CODE_MAX),
        metadata={"description": "Only this issue type (its code)."},
    )
    indicator = fields.String(
        validate=validate.Length(min=1, max=CODE_MAX),
        metadata={"description": "Only this indicator (its code)."},
    )


# --- the API's answers ------------------------------------------------------------------


class ShareSchema(Schema):
    level = fields.String(metadata={"description": "host, allies or inspector"})
    shared_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True, metadata={"description": "null while live"})
    live = fields.Boolean()
    host_consented = fields.Boolean(
        metadata={"description": "Inspector level: the host let inspectors see it named"}
    )


class CopyOutSchema(Schema):
    id = fields.String(metadata={"description": "The good-practice item's random id"})
    status = fields.String(metadata={"description": "scheduled, published or withdrawn"})
    published_on = fields.Date(
        allow_none=True, metadata={"description": "null until a release round is scheduled"}
    )


class NoteSharesSchema(Schema):
    note = fields.String(metadata={"description": "The note's random id"})
    shares = fields.List(
        fields.Nested(ShareSchema), metadata={"description": "Live and revoked, newest first"}
    )
    good_practice = fields.List(
        fields.Nested(CopyOutSchema),
        metadata={"description": "Anonymised copies made from the note (yours alone to see)"},
    )


class CatalogueRefSchema(Schema):
    code = fields.String()
    title = fields.String()


class GoodPracticeItemSchema(Schema):
    id = fields.String(attribute="public_id", metadata={"description": "Random"})
    title = fields.String()
    body = fields.String(attribute="body_md", metadata={"description": "Markdown"})
    key_area = fields.Enum(KeyArea, by_value=True, allow_none=True)
    issue_type = fields.Nested(CatalogueRefSchema, allow_none=True)
    indicator = fields.Nested(CatalogueRefSchema, allow_none=True)
    published_on = fields.Date()


class GoodPracticePageSchema(PageSchema):
    items = fields.List(fields.Nested(GoodPracticeItemSchema), required=True)
