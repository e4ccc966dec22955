"""What a follow-up action and an update to one must look like, and what the API shows.

The one source of the rules on shape and their messages: the forms run these schemas
(through ``bench.fields.SchemaForm``), the service loads through them again, and the
JSON API documents its bodies with them. What needs the database (is this review the
authority's own? is this an active user of it?) is the service's question.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from bench import messages
from bench.api.schemas import PageQuerySchema, PageSchema
from bench.models import ActionSource, ActionStatus, Rag
from bench.validation import StrictNumber, required_messages

DESCRIPTION_MAX = 5000
NOTE_MAX = 5000
OWNER_NAME_MAX = 200
REFERENCE_MAX = 100  # a public id, a code or an email: longer names nothing
# What a person may set; carried_forward is set only by carrying a review's actions.
SETTABLE = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.DROPPED)
# Optional references that a form sends blank when nothing is chosen.
OPTIONAL_TEXT = (
    "source_id",
    "review",
    "owner_email",
    "owner_name",
    "indicator",
    "baseline_period",
    "target_period",
    "issue_type",
    "rag",
    "due_on",
)


def _no_control_characters(text: str) -> None:
    # PostgreSQL cannot store NUL; no other control character (bar line breaks and tabs)
    # is meant in a description, a note or a name.
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text) or "\x7f" in text:
        raise ValidationError(messages.ACTION_CONTROL_CHARACTERS)


def _reference(description: str, *, invalid: str) -> fields.String:
    return fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=REFERENCE_MAX, error=invalid),
        error_messages={"invalid": invalid},
        metadata={"description": description},
    )


def _figure(label: str, description: str) -> StrictNumber:
    return StrictNumber(
        load_default=None,
        allow_none=True,
        error_messages={"invalid": messages.NUMBER_FORMAT.format(label=label)},
        metadata={"description": description},
    )


def _owner_email() -> fields.String:
    return _reference(
        "The email address of an active user of your authority who owns the action "
        "(or give owner_name).",
        invalid=messages.ACTION_OWNER_UNKNOWN,
    )


def _owner_name() -> fields.String:
    return fields.String(
        load_default=None,
        allow_none=True,
        validate=[
            validate.Length(
                max=OWNER_NAME_MAX,
                error=messages.ACTION_OWNER_NAME_TOO_LONG.format(max=OWNER_NAME_MAX),
            ),
            _no_control_characters,
        ],
        metadata={"description": "The name of an owner without an account (or owner_email)."},
    )


def _status(**kwargs: Any) -> fields.Enum:
    return fields.Enum(
        ActionStatus,
        by_value=True,
        validate=validate.OneOf(SETTABLE, error=messages.ACTION_STATUS_INVALID),
        error_messages=required_messages(messages.ACTION_STATUS_INVALID)
        | {"unknown": messages.ACTION_STATUS_INVALID},
        metadata={"description": "open, in_progress, done or dropped."},
        **kwargs,
    )


def _rag() -> fields.Enum:
    return fields.Enum(
        Rag,
        by_value=True,
        allow_none=True,
        error_messages={"unknown": messages.ACTION_RAG_INVALID},
        metadata={"description": "red, amber or green; null for no rating."},
    )


def _due_on() -> fields.Date:
    return fields.Date(
        allow_none=True,
        error_messages={"invalid": messages.DATE_INVALID.format(label="Due date")},
        metadata={"description": "YYYY-MM-DD; null for none."},
    )


def _text_rules(*, maximum: int, too_long: str) -> list[Any]:
    return [
        validate.Length(max=maximum, error=too_long.format(max=f"{maximum:,}")),
        _no_control_characters,
    ]


class _Blanks(Schema):
    """A blank optional field (a form's empty select or text box) means none."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN, "type": messages.ITEM_INVALID}  # noqa: RUF012

    @pre_load
    def _blank_is_none(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        tidied = dict(data)
        for key in OPTIONAL_TEXT:
            if isinstance(tidied.get(key), str):
                tidied[key] = tidied[key].strip() or None
        return tidied


def owner_problems(data: dict[str, Any]) -> dict[str, list[str]]:
    """Exactly one owner: a user of the authority, or a named person without an account."""
    email, name = data.get("owner_email"), data.get("owner_name")
    if email and name:
        return {"owner_name": [messages.ACTION_OWNER_BOTH]}
    if not email and not name:
        return {"owner_email": [messages.ACTION_OWNER_REQUIRED]}
    return {}


class ActionInSchema(_Blanks):
    """A new action: what, where it came from, who owns it, by when, and (where one fits)
    an indicator with a baseline and a target."""

    description = fields.String(
        required=True,
        error_messages=required_messages(messages.ACTION_DESCRIPTION_REQUIRED),
        validate=[
            validate.Length(min=1, error=messages.ACTION_DESCRIPTION_REQUIRED),
            *_text_rules(maximum=DESCRIPTION_MAX, too_long=messages.ACTION_DESCRIPTION_TOO_LONG),
        ],
        metadata={"description": f"What is to be done, in Markdown (1 to {DESCRIPTION_MAX:,})."},
    )
    source = fields.Enum(
        ActionSource,
        by_value=True,
        required=True,
        error_messages=required_messages(messages.ACTION_SOURCE_REQUIRED)
        | {"unknown": messages.ACTION_SOURCE_REQUIRED},
        metadata={"description": "Where the action came from: visit, review or staff_view."},
    )
    source_id = _reference(
        "The id of the visit, review or staff view it came from (your authority's own). "
        "Required for a visit or a staff view; for a review it is the action's review.",
        invalid=messages.ACTION_SOURCE_ID_INVALID,
    )
    review = _reference(
        "The id of your authority's review the action belongs to (optional).",
        invalid=messages.ACTION_REVIEW_UNKNOWN,
    )
    owner_email = _owner_email()
    owner_name = _owner_name()
    due_on = _due_on()
    status = _status(load_default=ActionStatus.OPEN)
    rag = _rag()
    indicator = _reference(
        "The code of the indicator that measures the action (optional; then the baseline "
        "and the target are required).",
        invalid=messages.ACTION_INDICATOR_UNKNOWN,
    )
    baseline_period = _reference(
        "The code of the baseline period: released, or still to come.",
        invalid=messages.ACTION_PERIOD_UNKNOWN,
    )
    baseline_value = _figure(
        "Baseline value", "Your figure in the baseline period, in the indicator's unit."
    )
    target_value = _figure("Target value", "The figure to reach: no worse than the baseline.")
    target_period = _reference(
        "The code of the period the target is for: after the baseline period; released, "
        "or still to come (not ended, or its release set for later).",
        invalid=messages.ACTION_PERIOD_UNKNOWN,
    )
    issue_type = _reference(
        "The code of an issue type in the catalogue (optional).",
        invalid=messages.ISSUE_TYPE_UNKNOWN,
    )

    @validates_schema(skip_on_field_errors=False)
    def _between_fields(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = owner_problems(data)
        source = data.get("source")
        if source in (ActionSource.VISIT, ActionSource.STAFF_VIEW) and not data.get("source_id"):
            errors["source_id"] = [messages.ACTION_SOURCE_ID_REQUIRED[source]]
        measured = ("baseline_period", "baseline_value", "target_value", "target_period")
        if data.get("indicator"):
            for name in measured:
                if data.get(name) is None:
                    errors[name] = [messages.ACTION_MEASURE_REQUIRED[name]]
        elif any(data.get(name) is not None for name in measured):
            errors["indicator"] = [messages.ACTION_INDICATOR_REQUIRED]
        if errors:
            raise ValidationError(errors)


class ActionUpdateInSchema(_Blanks):
    """An update: the version of the action it was written against, and what changes.

    A field left out stays as it is; null clears the rating or the due date.
    """

    lock_version = StrictNumber(
        integer=True,
        required=True,
        error_messages=required_messages(messages.ACTION_LOCK_VERSION_REQUIRED),
        metadata={
            "type": "integer",
            "description": "The action's lock_version as you last read it: a stale one is a 409.",
        },
    )
    status = _status()
    rag = _rag()
    due_on = _due_on()
    owner_email = _owner_email()
    owner_name = _owner_name()
    note = fields.String(
        load_default="",
        allow_none=True,
        validate=_text_rules(maximum=NOTE_MAX, too_long=messages.ACTION_NOTE_TOO_LONG),
        error_messages={"invalid": messages.ACTION_NOTE_INVALID},
        metadata={"description": f"What happened, in Markdown (up to {NOTE_MAX:,})."},
    )

    @validates_schema(skip_on_field_errors=False)
    def _owner(self, data: dict[str, Any], **kwargs: Any) -> None:
        # A new owner is one or the other; neither sent means the owner stays.
        if ("owner_email" in data or "owner_name" in data) and (
            data.get("owner_email") or data.get("owner_name")
        ):
            errors = owner_problems(data)
            if errors:
                raise ValidationError(errors)


class ListQuerySchema(PageQuerySchema):
    """The API list's filters (and its page)."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN}  # noqa: RUF012

    status = fields.Enum(
        ActionStatus,
        by_value=True,
        load_default=None,
        error_messages={"unknown": messages.ACTION_FILTER_STATUS_INVALID},
        metadata={
            "description": "open, in_progress, done, dropped or carried_forward. Left out: "
            "the unfinished ones (open and in progress)."
        },
    )
    review = fields.String(
        load_default=None,
        validate=validate.Length(max=REFERENCE_MAX, error=messages.ACTION_REVIEW_UNKNOWN),
        metadata={"description": "A review's id: only its actions."},
    )
    overdue = fields.Boolean(
        load_default=None,
        truthy={"true"},
        falsy={"false"},
        error_messages={"invalid": messages.ACTION_FILTER_OVERDUE_INVALID},
        metadata={"description": "true: only overdue actions; false: only those not overdue."},
    )


# --- what the API shows ----------------------------------------------------------------


class ReviewRefSchema(Schema):
    id = fields.String(metadata={"description": "Random, not sequential."})
    title = fields.String()


class CodeRefSchema(Schema):
    code = fields.String()
    title = fields.String()


class OwnerSchema(Schema):
    name = fields.String()
    email = fields.String(
        allow_none=True, metadata={"description": "A user's; null for a named person."}
    )


class MeasureSchema(Schema):
    period = fields.String(attribute="period.code", metadata={"description": "The period's code."})
    value = fields.Float()


class SourceSchema(Schema):
    kind = fields.String(metadata={"description": "visit, review or staff_view."})
    id = fields.String(allow_none=True)
    title = fields.String(
        metadata={"description": "The visit's or review's title; a staff view's key area."}
    )


class ActionSchema(Schema):
    id = fields.String(attribute="public_id", metadata={"description": "Random, not sequential."})
    description = fields.String(metadata={"description": "Markdown, as written."})
    source = fields.Nested(SourceSchema)
    review = fields.Nested(ReviewRefSchema, allow_none=True)
    owner = fields.Nested(OwnerSchema)
    due_on = fields.Date(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "Unfinished and due before today (UK)."})
    status = fields.String(
        metadata={"description": "open, in_progress, done, dropped or carried_forward."}
    )
    rag = fields.String(allow_none=True, metadata={"description": "red, amber, green or null."})
    completed_on = fields.Date(allow_none=True)
    indicator = fields.Nested(CodeRefSchema, allow_none=True)
    baseline = fields.Nested(MeasureSchema, allow_none=True)
    target = fields.Nested(MeasureSchema, allow_none=True)
    issue_type = fields.Nested(CodeRefSchema, allow_none=True)
    carried_from = fields.String(
        allow_none=True, metadata={"description": "The id of the action this one continues."}
    )
    carried_into = fields.String(
        allow_none=True, metadata={"description": "The id of the action that continues it."}
    )
    created_at = fields.DateTime()
    lock_version = fields.Integer(metadata={"description": "Send it back with an update."})


class ActionUpdateSchema(Schema):
    status = fields.String()
    rag = fields.String(allow_none=True)
    due_on = fields.Date(allow_none=True)
    owner = fields.String(metadata={"description": "Who owned the action after the update."})
    note = fields.String(metadata={"description": "Markdown, as written; may be empty."})
    by = fields.String(allow_none=True, metadata={"description": "Who posted it."})
    at = fields.DateTime()


class ProgressRowSchema(Schema):
    period = fields.String(attribute="period.code", metadata={"description": "The period's code."})
    value = fields.Float(metadata={"description": "Your own released figure, exact."})
    status = fields.String(metadata={"description": "provisional or final."})
    movement = fields.String(
        metadata={"description": "towards (better than the baseline), away or unchanged."}
    )
    target_reached = fields.Boolean()
    is_target_period = fields.Boolean()


class ProgressSchema(Schema):
    direction = fields.String(
        allow_none=True,
        metadata={"description": "Which is better, higher or lower; null: hold the baseline."},
    )
    rows = fields.List(
        fields.Nested(ProgressRowSchema),
        metadata={"description": "From the baseline period on; released periods only."},
    )
    target_met = fields.Boolean(
        allow_none=True,
        metadata={"description": "In the target period; null until its figure is released."},
    )


class ChainLinkSchema(ActionSchema):
    updates = fields.List(fields.Nested(ActionUpdateSchema))


class ActionDetailSchema(ChainLinkSchema):
    chain = fields.List(
        fields.Nested(ChainLinkSchema),
        metadata={"description": "Every earlier action this one was carried from, oldest first."},
    )
    progress = fields.Nested(ProgressSchema, allow_none=True)


class ActionPageSchema(PageSchema):
    items = fields.List(fields.Nested(ActionSchema), required=True)
