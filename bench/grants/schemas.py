"""What a grant must look like, for the API and the page alike, and what the API shows.

One schema holds every rule about a grant's shape and window (start, end, at most a
year, the reason); the page's form turns its dates into the same fields and loads them
here, so a rule and its message live in one place. Whether the email names an active
inspector is the service's question (it needs the database).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from bench import messages
from bench.dates import LONDON
from bench.models import InspectorGrant, utcnow

REASON_MAX = 1000
EMAIL_MAX = 320
# A request made "now" reaches the server a little later: a start up to a minute in the
# past is read as now.
START_GRACE = timedelta(minutes=1)
# ASCII digits only (DESIGN.md "Data and input"), and a time zone: a moment without one
# means different things to different clocks.
MOMENT = re.compile(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})\Z"
)


def a_year_after(moment: datetime) -> datetime:
    """The same moment a calendar year later (29 February gives 28 February)."""
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:
        return moment.replace(year=moment.year + 1, day=28)


def start_of_day(day: date) -> datetime:
    """Midnight at the start of *day* in the UK, in UTC: the page's dates are UK dates."""
    try:
        return datetime.combine(day, time(0, 0), tzinfo=LONDON).astimezone(UTC)
    except OverflowError:  # 1 January in year 1: too early for any rule to allow anyway
        return datetime.combine(day, time(0, 0), tzinfo=UTC)


def moment_text(moment: datetime | None) -> str | None:
    """An aware moment as ISO 8601 in UTC, for the API (and the page's hidden fields)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


class Moment(fields.Field):
    """An ISO 8601 date and time with a time zone, loaded as an aware UTC datetime."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str) or not MOMENT.match(value):
            raise self.make_error("invalid")
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise self.make_error("invalid") from error
        return moment.astimezone(UTC)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return moment_text(value)


class GrantInSchema(Schema):
    """A new grant: who, from when (now if left out), until when, and why."""

    error_messages = {"unknown": messages.FIELD_UNKNOWN}  # noqa: RUF012

    inspector_email = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, error=messages.GRANT_INSPECTOR_REQUIRED),
            validate.Length(max=EMAIL_MAX, error=messages.GRANT_INSPECTOR_UNKNOWN),
        ],
        error_messages={
            "required": messages.GRANT_INSPECTOR_REQUIRED,
            "null": messages.GRANT_INSPECTOR_REQUIRED,
            "invalid": messages.GRANT_INSPECTOR_UNKNOWN,
        },
        metadata={"description": "The email address of an active inspector account."},
    )
    starts_at = Moment(
        load_default=None,
        allow_none=True,
        error_messages={"invalid": messages.GRANT_START_INVALID},
        metadata={
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": (
                "When the inspector may start seeing your authority's figures, with a time "
                "zone. Left out: now. Not in the past (a minute's grace), at most a year ahead."
            ),
        },
    )
    expires_at = Moment(
        required=True,
        error_messages={
            "required": messages.GRANT_END_REQUIRED,
            "null": messages.GRANT_END_REQUIRED,
            "invalid": messages.GRANT_END_INVALID,
        },
        metadata={
            "type": "string",
            "format": "date-time",
            "description": "When the grant ends: after the start, at most a year after it.",
        },
    )
    # Free text is stored as written (DESIGN.md); surrounding spaces are not a reason.
    reason = fields.String(
        required=True,
        validate=validate.Length(
            max=REASON_MAX, error=messages.GRANT_REASON_TOO_LONG.format(max=f"{REASON_MAX:,}")
        ),
        error_messages={
            "required": messages.GRANT_REASON_REQUIRED,
            "null": messages.GRANT_REASON_REQUIRED,
        },
        metadata={
            "description": f"Why the inspector needs access, 1 to {REASON_MAX:,} characters."
        },
    )

    @validates_schema(skip_on_field_errors=False)
    def _window(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Every rule about the window at once, beside any field's own error."""
        now = utcnow()
        errors: dict[str, str] = {}
        starts = data.get("starts_at") or now
        if "reason" in data and not data["reason"].strip():
            errors["reason"] = messages.GRANT_REASON_REQUIRED
        if starts < now - START_GRACE:
            errors["starts_at"] = messages.GRANT_START_IN_PAST
        elif starts > a_year_after(now):
            errors["starts_at"] = messages.GRANT_START_TOO_LATE
        starts = max(starts, now)  # within the grace: now, as the grant will start
        expires = data.get("expires_at")
        if expires is not None and expires <= starts:
            errors["expires_at"] = messages.GRANT_END_BEFORE_START
        elif expires is not None and expires > a_year_after(starts):
            errors["expires_at"] = messages.GRANT_TOO_LONG
        if errors:
            raise ValidationError(errors)

    @post_load
    def _now_when_left_out(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["inspector_email"] = data["inspector_email"].strip().lower()
        if data.get("starts_at") is None or data["starts_at"] < utcnow():
            data["starts_at"] = utcnow()
        return data


# --- what the API shows ----------------------------------------------------------------


class GrantAuthoritySchema(Schema):
    gss_code = fields.String(metadata={"description": "The authority's GSS code."})
    name = fields.String()


class GrantInspectorSchema(Schema):
    email = fields.String()
    name = fields.String()


class GrantSchema(Schema):
    """One grant, as its authority's admins and its inspector see it: to the inspector,
    an ended grant names no authority and gives no reason (null)."""

    id = fields.String(
        attribute="public_id",
        metadata={"description": "Random, never sequential: use it to revoke the grant."},
    )
    authority = fields.Nested(GrantAuthoritySchema, allow_none=True)
    inspector = fields.Nested(GrantInspectorSchema)
    reason = fields.String(allow_none=True)
    granted_at = Moment(attribute="created_at", metadata={"type": "string", "format": "date-time"})
    starts_at = Moment(metadata={"type": "string", "format": "date-time"})
    expires_at = Moment(metadata={"type": "string", "format": "date-time"})
    revoked_at = Moment(metadata={"type": "string", "format": "date-time", "nullable": True})
    status = fields.String(
        metadata={
            "type": "string",
            "enum": ["upcoming", "current", "expired", "revoked"],
            "description": "Current: the inspector sees the authority's figures now.",
        },
    )


class GrantListSchema(Schema):
    grants = fields.List(
        fields.Nested(GrantSchema),
        metadata={"description": "Newest start first."},
    )


def grant_status(grant: InspectorGrant, now: datetime) -> str:
    """upcoming, current, expired or revoked (revoked before it ended)."""
    if grant.revoked_at is not None and grant.revoked_at < grant.expires_at:
        return "revoked"
    if now >= grant.expires_at:
        return "expired"
    return "current" if now >= grant.starts_at else "upcoming"
