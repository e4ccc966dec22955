"""What a visit, a note, an edit and a draft must look like, and what the API answers.

One schema each holds the rules and their messages: the pages' forms turn their answers
into the same fields, the services load them here, and the JSON API loads its bodies with
them. Whether a host, review, user or topic exists (and may be chosen) is the service's
question: it needs the database.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from bench import messages
from bench.api.schemas import PageSchema, ProblemSchema
from bench.grants.schemas import Moment
from bench.models import NoteSection, VisitKind, VisitStatus, utcnow
from bench.validation import StrictNumber, required_messages

TITLE_MAX = 200
PEOPLE_MAX = 2000
BODY_MAX = 100_000
SUMMARY_MAX = 200
LIST_MAX = 200
EARLIEST_YEAR = 2000
YEARS_AHEAD = 5
ISO_DATE = re.compile(r"\A([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
# The form's value for "keep the host as recorded" when it is no longer an ally (the
# edit page cannot name it, and must not drop it unasked).
KEEP_HOST = "keep"


def _control_characters(label: str, *, single_line: bool):
    allowed = "" if single_line else "\t\n\r"

    def check(text: str) -> None:
        # PostgreSQL cannot store NUL; other control characters are never meant (and a
        # title is one line).
        if any(ord(c) < 32 and c not in allowed for c in text) or "\x7f" in text:
            raise ValidationError(messages.VISIT_CONTROL_CHARACTERS.format(label=label))

    return check


def _not_blank(message: str):
    def check(text: str) -> None:
        if not text.strip():
            raise ValidationError(message)

    return check


def _text(label: str, maximum: int, *, single_line: bool = False, **kwargs: Any) -> fields.String:
    """Free text: stored as written (DESIGN.md), at most *maximum* characters."""
    too_long = messages.VISIT_TEXT_TOO_LONG.format(label=label, max=f"{maximum:,}")
    return fields.String(
        validate=[
            validate.Length(max=maximum, error=too_long),
            _control_characters(label, single_line=single_line),
        ],
        error_messages={"invalid": too_long, "null": too_long},
        **kwargs,
    )


class CodeList(fields.Field):
    """A list of codes (or email addresses): one message for the whole field, never one
    per item, so that a form shows it beside the field it names."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        invalid = messages.VISIT_LIST_INVALID.format(label=label)
        super().__init__(error_messages={"invalid": invalid, "null": invalid}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if not isinstance(value, list) or len(value) > LIST_MAX:
            raise self.make_error("invalid")
        if not all(isinstance(item, str) and 0 < len(item) <= 320 for item in value):
            raise self.make_error("invalid")
        return list(value)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


def _codes(label: str, description: str) -> CodeList:
    return CodeList(
        label,
        load_default=list,
        metadata={"type": "array", "items": {"type": "string"}, "description": description},
    )


def _one_of(members: Any, message: str) -> validate.OneOf:
    return validate.OneOf([member.value for member in members], error=message)


class VisitDate(fields.Field):
    """A date as ``YYYY-MM-DD`` (ASCII digits), from 2000 to five years ahead."""

    default_error_messages = {"invalid": messages.VISIT_DATE_INVALID}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        match = ISO_DATE.match(value) if isinstance(value, str) else None
        if match is None:
            raise self.make_error("invalid")
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as error:
            raise self.make_error("invalid") from error
        today = utcnow().date()
        if day.year < EARLIEST_YEAR or day.year > today.year + YEARS_AHEAD:
            raise ValidationError(messages.VISIT_DATE_OUT_OF_RANGE)
        return day

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value.isoformat() if value else None


class VisitInSchema(Schema):
    """A visit or meeting: recorded by the API and the page, changed by the page."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN}  # noqa: RUF012

    kind = fields.String(
        required=True,
        validate=_one_of(VisitKind, messages.VISIT_KIND_REQUIRED),
        error_messages=required_messages(messages.VISIT_KIND_REQUIRED),
        metadata={"enum": [kind.value for kind in VisitKind]},
    )
    visited_on = VisitDate(
        required=True,
        error_messages={
            "required": messages.VISIT_DATE_REQUIRED,
            "null": messages.VISIT_DATE_REQUIRED,
        },
        metadata={"type": "string", "format": "date", "description": "YYYY-MM-DD"},
    )
    title = fields.String(
        required=True,
        validate=[
            _not_blank(messages.VISIT_TITLE_REQUIRED),
            validate.Length(
                max=TITLE_MAX, error=messages.VISIT_TITLE_TOO_LONG.format(max=TITLE_MAX)
            ),
            _control_characters("Title", single_line=True),
        ],
        error_messages=required_messages(messages.VISIT_TITLE_REQUIRED),
    )
    status = fields.String(
        load_default=VisitStatus.PLANNED.value,
        validate=_one_of(VisitStatus, messages.VISIT_STATUS_INVALID),
        error_messages=required_messages(messages.VISIT_STATUS_INVALID),
        metadata={"enum": [status.value for status in VisitStatus], "default": "planned"},
    )
    review = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=40, error=messages.VISIT_REVIEW_UNKNOWN),
        error_messages={"invalid": messages.VISIT_REVIEW_UNKNOWN},
        metadata={"description": "The id of one of your council's reviews, or null."},
    )
    host = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=40, error=messages.VISIT_HOST_NOT_ALLY),
        error_messages={"invalid": messages.VISIT_HOST_NOT_ALLY},
        metadata={
            "description": "The GSS code of one of your council's current allies, or null "
            "for a council that is not an ally (recorded without naming it)."
        },
    )
    visitors = _codes("Who went", "Email addresses of your council's active users who went.")
    people = _text(
        "Others who went",
        PEOPLE_MAX,
        load_default="",
        metadata={"description": "Other people who went, as text."},
    )
    met_people = _text(
        "Who you met", PEOPLE_MAX, load_default="", metadata={"description": "As text."}
    )
    issue_types = _codes("Issue types", "Codes of the issue types discussed.")
    indicators = _codes("Indicators", "Codes of the indicators discussed.")

    @pre_load
    def _blank_is_none(self, data: Any, **kwargs: Any) -> Any:
        # A form's "none" is an empty string: the same as the API's null.
        if not isinstance(data, dict):
            return data
        return {
            **data,
            **{key: None for key in ("review", "host") if data.get(key) == ""},
        }


def _optional(required: bool, default: Any) -> dict[str, Any]:
    return {"required": True} if required else {"load_default": default}


def _body(*, required: bool) -> fields.String:
    return fields.String(
        **_optional(required, ""),
        validate=[
            *([_not_blank(messages.NOTE_BODY_REQUIRED)] if required else []),
            validate.Length(
                max=BODY_MAX, error=messages.NOTE_BODY_TOO_LONG.format(max=f"{BODY_MAX:,}")
            ),
            _control_characters("The note", single_line=False),
        ],
        error_messages=required_messages(messages.NOTE_BODY_REQUIRED),
        metadata={"description": "Markdown (no HTML, no images); rendered sanitised."},
    )


def _summary() -> fields.String:
    return fields.String(
        load_default="",
        validate=[
            validate.Length(
                max=SUMMARY_MAX, error=messages.NOTE_SUMMARY_TOO_LONG.format(max=SUMMARY_MAX)
            ),
            _control_characters("The summary of your changes", single_line=True),
        ],
        error_messages=required_messages(messages.NOTE_SUMMARY_TOO_LONG.format(max=SUMMARY_MAX)),
        metadata={"description": f"Optional: what changed, at most {SUMMARY_MAX} characters."},
    )


def _section(*, required: bool) -> fields.String:
    return fields.String(
        **_optional(required, None),
        allow_none=not required,
        validate=_one_of(NoteSection, messages.NOTE_SECTION_REQUIRED),
        error_messages=required_messages(messages.NOTE_SECTION_REQUIRED),
        metadata={"enum": [section.value for section in NoteSection]},
    )


def _revision(*, required: bool) -> StrictNumber:
    return StrictNumber(
        integer=True,
        **_optional(required, None),
        allow_none=not required,
        validate=validate.Range(min=1, error=messages.NOTE_REVISION_REQUIRED),
        error_messages=required_messages(messages.NOTE_REVISION_REQUIRED),
        metadata={
            "type": "integer",
            "description": "The number of the revision your edit started from.",
        },
    )


class NoteInSchema(Schema):
    """A new note in one section of a visit (its first revision)."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN}  # noqa: RUF012

    section = _section(required=True)
    body = _body(required=True)
    change_summary = _summary()


class NoteEditSchema(Schema):
    """A new revision of a note, made from the revision the editor opened."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN}  # noqa: RUF012

    body = _body(required=True)
    revision = _revision(required=True)
    change_summary = _summary()


class DraftSchema(Schema):
    """An unpublished text, autosaved or saved with the Save draft button: the note it
    edits (none for a new note), its section (a new note's) and the revision it started
    from. It may be empty: the user may be halfway through."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN}  # noqa: RUF012

    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    section = _section(required=False)
    revision = _revision(required=False)
    body = _body(required=False)

    @pre_load
    def _blank_is_none(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {
            **data,
            **{key: None for key in ("note", "section", "revision") if data.get(key) == ""},
        }


# --- what the API answers -----------------------------------------------------------


class VisitTopicSchema(Schema):
    code = fields.String()
    title = fields.String()


class VisitHostSchema(Schema):
    label = fields.String(
        metadata={
            "description": "The host by name while your councils are allies; otherwise "
            '"a former ally", "an ally" or "a council that is not an ally".'
        }
    )
    gss_code = fields.String(
        allow_none=True, metadata={"description": "Only where the host may be named."}
    )


class VisitReviewSchema(Schema):
    id = fields.String(attribute="public_id")
    title = fields.String()


class VisitPersonSchema(Schema):
    name = fields.String()
    email = fields.String()


class NoteRevisionSchema(Schema):
    number = fields.Integer()
    author = fields.String(allow_none=True, metadata={"description": "Who saved it."})
    saved_at = Moment(metadata={"type": "string", "format": "date-time"})
    change_summary = fields.String()
    body = fields.String(metadata={"description": "The Markdown of this revision."})


class NoteSummarySchema(Schema):
    id = fields.String(attribute="public_id", metadata={"description": "Random, not sequential"})
    visit = fields.String(
        attribute="visit_public_id",
        allow_none=True,
        metadata={"description": "The visit's id: for its own council only."},
    )
    visit_title = fields.String(
        metadata={"description": "The host's name taken out where you may not see it."}
    )
    visited_on = fields.Date()
    recorded_by = fields.String(metadata={"description": "The visiting council."})
    host = fields.Nested(VisitHostSchema)
    section = fields.String(metadata={"enum": [section.value for section in NoteSection]})
    revision = fields.Integer(metadata={"description": "The current revision's number."})
    body = fields.String(metadata={"description": "Markdown source of the current revision."})
    html = fields.String(metadata={"description": "The current revision, rendered sanitised."})
    saved_at = Moment(metadata={"type": "string", "format": "date-time"})
    saved_by = fields.String(allow_none=True)


class NoteOutSchema(NoteSummarySchema):
    revisions = fields.List(
        fields.Nested(NoteRevisionSchema),
        metadata={
            "description": "Every revision, oldest first, for the visiting council; other "
            "readers get the current one only."
        },
    )


class VisitOutSchema(Schema):
    id = fields.String(attribute="public_id", metadata={"description": "Random, not sequential"})
    kind = fields.String(metadata={"enum": [kind.value for kind in VisitKind]})
    visited_on = fields.Date()
    title = fields.String()
    status = fields.String(metadata={"enum": [status.value for status in VisitStatus]})
    host = fields.Nested(VisitHostSchema)
    review = fields.Nested(VisitReviewSchema, allow_none=True)
    visitors = fields.List(fields.Nested(VisitPersonSchema))
    people = fields.String()
    met_people = fields.String()
    issue_types = fields.List(fields.Nested(VisitTopicSchema))
    indicators = fields.List(fields.Nested(VisitTopicSchema))
    note_count = fields.Integer(metadata={"description": "How many notes it has."})
    updated_at = Moment(metadata={"type": "string", "format": "date-time"})


class VisitDetailSchema(VisitOutSchema):
    notes = fields.List(
        fields.Nested(NoteSummarySchema),
        metadata={"description": "The visit's notes, by section."},
    )


class VisitPageSchema(PageSchema):
    items = fields.List(fields.Nested(VisitOutSchema), required=True)


class NoteListSchema(Schema):
    notes = fields.List(fields.Nested(NoteSummarySchema))


class NoteConflictSchema(ProblemSchema):
    """The 409 of a revision sent against a note saved since: the problem, and the number
    to send again once merged."""

    current_revision = fields.Integer(
        required=True, metadata={"description": "The note's revision now: read it, merge, resend."}
    )
