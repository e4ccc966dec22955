"""Every API request and response, as marshmallow schemas: the source of the OpenAPI document.

Numbers follow DESIGN.md "Data and input" through bench.validation.StrictNumber: query
parameters are ASCII digits only (Python's ``int`` would also read ``1_000`` and full-width
digits, which are errors here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from bench.errors import RowError, ValidationFailed
from bench.issues.schemas import FlagSchema
from bench.models import (
    EvidenceCategory,
    FlagAnswer,
    FlagStatus,
    KeyArea,
    PeriodKind,
    Polarity,
    QualityStatement,
    Severity,
    UnitKind,
    ValueStatus,
)
from bench.validation import StrictNumber

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500
# Far beyond any list's end, and small enough that the row offset, (page - 1) x per_page,
# fits any database's integer (a bigger page number was a 500: OFFSET out of range).
MAX_PAGE = 1_000_000
MAX_BATCH = 10_000


# --- requests ------------------------------------------------------------------


class PageQuerySchema(Schema):
    page = StrictNumber(
        integer=True,
        load_default=1,
        validate=[
            validate.Range(min=1, error="page must be 1 or more"),
            validate.Range(max=MAX_PAGE, error=f"page must be {MAX_PAGE:,} or less"),
        ],
        metadata={"type": "integer", "description": f"Which page, from 1 to {MAX_PAGE:,}."},
    )
    per_page = StrictNumber(
        integer=True,
        load_default=DEFAULT_PER_PAGE,
        validate=validate.Range(
            min=1, max=MAX_PER_PAGE, error=f"per_page must be from 1 to {MAX_PER_PAGE}"
        ),
        metadata={"type": "integer", "description": f"Items per page, 1 to {MAX_PER_PAGE}."},
    )


class ValuesQuerySchema(PageQuerySchema):
    period = fields.String(
        validate=validate.Length(min=1, max=20),
        metadata={"description": "Only this period (its code, like 2023-24)."},
    )
    indicator = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "Only this indicator (its code)."},
    )


class ValueInSchema(Schema):
    """One value to publish: the upload file's columns, as JSON.

    The publishing service checks every figure with the one schema shared by uploads,
    forms and this API (bench.publishing.schemas.ValueRowSchema), so that each problem
    reads the same wherever it is made. Here the fields only pass through, typed for the
    OpenAPI document.
    """

    error_messages = {"unknown": "Unknown field"}  # noqa: RUF012 - as the upload page says

    indicator = fields.Raw(
        required=True,
        error_messages={"required": "Enter the indicator code"},
        metadata={"type": "string", "description": "The indicator's code."},
    )
    period = fields.Raw(
        required=True,
        error_messages={"required": "Enter the period"},
        metadata={"type": "string", "description": "The period's code, like 2023-24."},
    )
    numerator = fields.Raw(
        allow_none=True,
        metadata={
            "type": "number",
            "nullable": True,
            "minimum": 0,
            "description": "For indicators with counts: 0 or more.",
        },
    )
    denominator = fields.Raw(
        allow_none=True,
        metadata={
            "type": "number",
            "nullable": True,
            "minimum": 0,
            "exclusiveMinimum": True,
            "description": "For indicators with counts: more than 0.",
        },
    )
    value = fields.Raw(
        allow_none=True,
        metadata={
            "type": "number",
            "nullable": True,
            "description": "Required without counts; with counts, worked out when left out.",
        },
    )
    status = fields.Raw(
        metadata={
            "type": "string",
            "enum": [status.value for status in ValueStatus],
            "description": "provisional (the default) or final.",
        }
    )
    note = fields.Raw(metadata={"type": "string", "description": "Up to 1,000 characters."})


class PublishValuesSchema(Schema):
    values = fields.List(
        fields.Nested(ValueInSchema),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_BATCH, error=f"Send from 1 to {MAX_BATCH:,} values in one request"
        ),
        error_messages={"required": "Send the values to publish as a list"},
        metadata={"description": "All are published, or none: item n is row n in errors."},
    )


class ItemsForTheService(fields.List):
    """A list passed on unloaded: the service loads each item with the inner schema (and
    numbers the rows itself); here the inner schema only documents the items."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        return list(value)


class PublishFlagsSchema(Schema):
    flags = ItemsForTheService(
        fields.Nested(FlagSchema),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_BATCH, error=f"Send from 1 to {MAX_BATCH:,} answers in one request"
        ),
        error_messages={
            "required": "Send the answers to record as a list",
            "invalid": "Send the answers to record as a list",
        },
        metadata={"description": "All are recorded, or none: item n is row n in errors."},
    )


# --- responses -----------------------------------------------------------------


class IndicatorSchema(Schema):
    code = fields.String(required=True)
    title = fields.String(required=True)
    key_area = fields.Enum(KeyArea, by_value=True, required=True)
    unit_kind = fields.Enum(UnitKind, by_value=True, required=True)
    unit_label = fields.String(required=True)
    multiplier = fields.Integer(
        required=True, metadata={"description": "value = numerator / denominator x multiplier"}
    )
    polarity = fields.Enum(Polarity, by_value=True, required=True)
    has_counts = fields.Boolean(
        required=True, metadata={"description": "Whether values carry numerator and denominator."}
    )
    definition = fields.String(required=True)
    source = fields.String(required=True)
    is_public = fields.Boolean(
        required=True, metadata={"description": "Printed by a national publication."}
    )
    is_synthetic = fields.Boolean(required=True, metadata={"description": "Demo data."})
    plausible_min = fields.Float(allow_none=True, required=True)
    plausible_max = fields.Float(allow_none=True, required=True)
    decimals = fields.Integer(required=True)
    cqc_quality_statement = fields.Enum(
        QualityStatement,
        by_value=True,
        allow_none=True,
        required=True,
        metadata={"description": "The CQC quality statement it evidences (QS1 to QS9), if any."},
    )
    cqc_evidence_category = fields.Enum(
        EvidenceCategory,
        by_value=True,
        allow_none=True,
        required=True,
        metadata={"description": "CQC's evidence category for it, if any."},
    )


class PeriodSchema(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    kind = fields.Enum(PeriodKind, by_value=True, required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    released_at = fields.DateTime(
        allow_none=True,
        required=True,
        metadata={"description": "Release date: peers see the period's values from then."},
    )


class IssueTypeSchema(Schema):
    code = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    indicators = fields.Pluck(
        IndicatorSchema,
        "code",
        many=True,
        required=True,
        metadata={"description": "Codes of the indicators that measure it."},
    )
    cqc_quality_statement = fields.Enum(
        QualityStatement,
        by_value=True,
        allow_none=True,
        required=True,
        metadata={"description": "The CQC quality statement it bears on (QS1 to QS9), if any."},
    )


class ValueSchema(Schema):
    indicator = fields.Pluck(IndicatorSchema, "code", required=True)
    period = fields.Pluck(PeriodSchema, "code", required=True)
    revision = fields.Integer(required=True, metadata={"description": "1, then 2 for a correction"})
    numerator = fields.Float(allow_none=True, required=True)
    denominator = fields.Float(allow_none=True, required=True)
    value = fields.Float(allow_none=True, required=True)
    status = fields.Enum(ValueStatus, by_value=True, required=True)
    note = fields.String(required=True)
    source = fields.String(
        required=True, metadata={"description": "How it came: csv, form, api, ..."}
    )
    published_at = fields.DateTime(required=True)
    visible_from = fields.DateTime(
        allow_none=True,
        required=True,
        metadata={"description": "When peers may first see this revision."},
    )


class PageSchema(Schema):
    """What every list answers: one page of items and where the next one is."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Items on all pages."})
    next = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Path and query of the next page; null on the last."},
    )


class IndicatorPageSchema(PageSchema):
    items = fields.List(fields.Nested(IndicatorSchema), required=True)


class PeriodPageSchema(PageSchema):
    items = fields.List(fields.Nested(PeriodSchema), required=True)


class IssueTypePageSchema(PageSchema):
    items = fields.List(fields.Nested(IssueTypeSchema), required=True)


class ValuePageSchema(PageSchema):
    items = fields.List(fields.Nested(ValueSchema), required=True)


class PublishOutcomeSchema(Schema):
    added = fields.Integer(required=True, metadata={"description": "New values."})
    corrected = fields.Integer(
        required=True, metadata={"description": "Corrections: each a new revision."}
    )
    unchanged = fields.Integer(required=True, metadata={"description": "Same as published."})
    queried = fields.Integer(
        required=True,
        metadata={"description": "Suspicious figures queried back before their release."},
    )
    warnings = fields.List(
        fields.Nested(lambda: RowErrorSchema()),
        required=True,
        metadata={"description": "Published, but worth a second look (plausibility checks)."},
    )


class FlagOutSchema(Schema):
    issue_type = fields.Pluck(IssueTypeSchema, "code", required=True)
    answer = fields.Enum(FlagAnswer, by_value=True, required=True)
    status = fields.Enum(FlagStatus, by_value=True, allow_none=True, required=True)
    since = fields.Date("%Y-%m", allow_none=True, required=True, metadata={"format": "YYYY-MM"})
    severity = fields.Enum(Severity, by_value=True, allow_none=True, required=True)
    tried = fields.String(required=True)
    share_tried = fields.Boolean(required=True)
    open_to_contact = fields.Boolean(required=True)
    updated_at = fields.DateTime(required=True)


class RecordedFlagsSchema(Schema):
    flags = fields.List(
        fields.Nested(FlagOutSchema),
        required=True,
        metadata={"description": "Each answer as now recorded, in the order sent."},
    )


class StandingQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    group = fields.String(
        load_default=None,
        metadata={
            "description": "Peer group key (see `groups` in the response); default the first"
        },
    )
    period = fields.String(
        load_default=None, metadata={"description": "Period code; default the latest released"}
    )


class GroupOptionSchema(Schema):
    key = fields.String()
    label = fields.String()
    admitted = fields.Boolean(
        metadata={
            "description": "False: the group shows peers' figures for no indicator this "
            "period (DESIGN.md Anonymity 9, atoms); see each item's `withheld`"
        }
    )
    partly = fields.Boolean(
        metadata={"description": "True: shown, but withheld for some indicators this period"}
    )
    reason = fields.String(allow_none=True)


LEVEL_NAMES = {
    -2: "no_figure",
    -1: "too_few_peers",
    0: "norm",
    1: "possible_exception",
    2: "exception",
}


class StandingItemSchema(Schema):
    indicator = fields.Function(lambda s: s.indicator.code)
    key_area = fields.Function(lambda s: s.indicator.key_area.value)
    value = fields.Float(allow_none=True)
    numerator = fields.Float(allow_none=True)
    denominator = fields.Float(allow_none=True)
    interval_95 = fields.Function(
        lambda s: list(s.interval) if s.interval else None,
        metadata={"description": "95% interval of your figure (counts only)"},
    )
    classification = fields.Function(
        lambda s: LEVEL_NAMES[s.level],
        metadata={"description": "no_figure, too_few_peers, norm, possible_exception, exception"},
    )
    judgement = fields.Function(
        lambda s: s.judgement if s.level > 0 else None,
        metadata={"description": "better, worse (by polarity), or higher, lower"},
    )
    words = fields.String()
    method = fields.Function(
        lambda s: {1: "funnel", 3: "funnel_overdispersion_adjusted"}.get(s.method, "robust_z")
    )
    phi = fields.Float(
        allow_none=True, metadata={"description": "Over-dispersion factor, when adjusted"}
    )
    peers = fields.Integer(allow_none=True)
    median = fields.Float(
        allow_none=True, metadata={"description": "Peers' median, to the indicator's decimals"}
    )
    lower_quartile = fields.Float(allow_none=True)
    upper_quartile = fields.Float(allow_none=True)
    target = fields.Float(
        allow_none=True,
        metadata={
            "description": "Pooled peer value (counts), to the indicator's decimals; small "
            "counts (<5) left out"
        },
    )
    withheld = fields.String(allow_none=True)
    robustness = fields.String()


class StandingSchema(Schema):
    period = fields.Function(lambda p: p.period.code)
    group = fields.Nested(GroupOptionSchema)
    groups = fields.Function(lambda p: GroupOptionSchema(many=True).dump(p.options))
    peer_count = fields.Integer()
    items = fields.Function(
        lambda p: StandingItemSchema(many=True).dump(
            [standing for _, rows in p.sections for standing in rows]
        )
    )


class PeerPointSchema(Schema):
    number = fields.Integer(metadata={"description": "Position by value in this response only"})
    value = fields.Float(
        allow_none=True,
        metadata={"description": "To the indicator's decimal places; null where the count is <5"},
    )
    count = fields.Function(
        lambda p: p.count_text or None, metadata={"description": '"<5" for small counts'}
    )
    denominator_from = fields.Function(
        lambda p: p.band.low if p.band is not None else None,
        metadata={
            "type": "number",
            "nullable": True,
            "description": "The peer's denominator band, from this figure ... "
            "(each band holds at least k of the response's peers; null: not shown)",
        },
    )
    denominator_to = fields.Function(
        lambda p: p.band.high if p.band is not None else None,
        metadata={"type": "number", "nullable": True, "description": "... up to this one"},
    )


class SeriesPointSchema(Schema):
    period = fields.Function(lambda r: r.period.code)
    value = fields.Float(allow_none=True)
    median = fields.Float(allow_none=True)
    lower_quartile = fields.Float(allow_none=True)
    upper_quartile = fields.Float(allow_none=True)


class ComparisonSchema(Schema):
    indicator = fields.Function(lambda p: p.indicator.code)
    period = fields.Function(lambda p: p.period.code)
    group = fields.Function(lambda p: GroupOptionSchema().dump(p.group))
    standing = fields.Function(lambda p: StandingItemSchema().dump(p.standing))
    sentence = fields.String()
    peers = fields.List(fields.Nested(PeerPointSchema), metadata={"description": "Unlabelled"})
    funnel = fields.List(
        fields.Dict(), metadata={"description": "Control limits at a range of denominators"}
    )
    series = fields.List(fields.Nested(SeriesPointSchema))
    breaks = fields.List(fields.String())


class IssuePrevalenceSchema(Schema):
    issue_type = fields.Function(lambda i: i.issue_type.code)
    title = fields.Function(lambda i: i.issue_type.title)
    your_answer = fields.Function(lambda i: i.viewer_answer or None)
    reporting = fields.Integer(allow_none=True, metadata={"description": "Peers; cell-key noise"})
    answering = fields.Integer(allow_none=True, metadata={"description": "Peers; cell-key noise"})
    proportion = fields.Float(allow_none=True)
    lower = fields.Float(allow_none=True)
    upper = fields.Float(allow_none=True)
    label = fields.String(metadata={"description": "the norm, common, uncommon, only you"})
    withheld = fields.String(allow_none=True)


class NormsSchema(Schema):
    period = fields.Function(lambda p: p.standing.period.code)
    group = fields.Function(lambda p: GroupOptionSchema().dump(p.group))
    shared = fields.List(fields.Nested(IssuePrevalenceSchema))
    own = fields.List(fields.Nested(IssuePrevalenceSchema))
    elsewhere = fields.List(fields.Nested(IssuePrevalenceSchema))
    figures_shared = fields.Function(lambda p: [s.indicator.code for s, _ in p.figures_shared])
    figures_own = fields.Function(lambda p: [s.indicator.code for s in p.figures_own])


class NetworkQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    period = fields.String(
        load_default=None, metadata={"description": "Period code; default the latest released"}
    )


class NetworkSpreadSchema(Schema):
    indicator = fields.Function(lambda s: s.indicator.code)
    key_area = fields.Function(lambda s: s.indicator.key_area.value)
    period = fields.Function(lambda s: s.period.code)
    councils = fields.Integer(
        attribute="contributors",
        metadata={
            "description": "Councils in the figures (small counts left out); 0 when withheld"
        },
    )
    small_counts = fields.Integer(
        attribute="suppressed",
        metadata={"description": "Councils whose count is <5: listed, in no figure"},
    )
    median = fields.Float(
        allow_none=True, metadata={"description": "To the indicator's decimal places"}
    )
    lower_quartile = fields.Float(allow_none=True)
    upper_quartile = fields.Float(allow_none=True)
    deciles = fields.List(
        fields.Float(allow_none=True),
        metadata={"description": "The 10th to the 90th percentile; empty when withheld"},
    )
    pooled = fields.Float(
        allow_none=True, metadata={"description": "Counts only: the network's pooled value"}
    )
    withheld = fields.String(
        allow_none=True, metadata={"description": "Why no figure is shown, or null"}
    )


class NetworkPrevalenceSchema(Schema):
    issue_type = fields.Function(lambda i: i.issue_type.code)
    title = fields.Function(lambda i: i.issue_type.title)
    reporting = fields.Integer(
        allow_none=True, metadata={"description": "Councils; cell-key noise"}
    )
    answering = fields.Integer(
        allow_none=True, metadata={"description": "Councils; cell-key noise"}
    )
    proportion = fields.Float(allow_none=True)
    lower = fields.Float(allow_none=True, metadata={"description": "95% Wilson interval"})
    upper = fields.Float(allow_none=True)
    label = fields.String(metadata={"description": "the norm, common, uncommon"})
    withheld = fields.String(allow_none=True)


class NetworkSchema(Schema):
    period = fields.Function(lambda p: p["overview"].period.code)
    periods = fields.Function(lambda p: [period.code for period in p["overview"].periods])
    items = fields.Function(
        lambda p: NetworkSpreadSchema(many=True).dump(
            [spread for _, rows in p["overview"].sections for spread in rows]
        )
    )
    issues = fields.List(fields.Nested(NetworkPrevalenceSchema))


class NetworkValueSchema(Schema):
    value = fields.Float(
        allow_none=True,
        metadata={"description": "To the indicator's decimal places; null where the count is <5"},
    )
    count = fields.Function(
        lambda v: v.count_text or None, metadata={"description": '"<5" for small counts'}
    )


class NetworkIndicatorSchema(Schema):
    indicator = fields.Function(lambda p: p.indicator.code)
    period = fields.Function(lambda p: p.period.code)
    spread = fields.Function(lambda p: NetworkSpreadSchema().dump(p.spread))
    values = fields.List(
        fields.Nested(NetworkValueSchema),
        metadata={"description": "Every council's figure, unlabelled, lowest first"},
    )
    series = fields.List(
        fields.Nested(NetworkSpreadSchema),
        metadata={"description": "The spread in every released period, oldest first"},
    )
    breaks = fields.List(fields.String())


class GroupMemberSchema(Schema):
    name = fields.String()
    gss_code = fields.String()


class PeerGroupMembersSchema(Schema):
    key = fields.String(metadata={"description": "The group's key, as `group` in comparisons"})
    label = fields.String()
    kind = fields.String(metadata={"description": "published, computed, type, region or custom"})
    description = fields.String(metadata={"description": "What the group is, in one sentence"})
    members = fields.List(
        fields.Nested(GroupMemberSchema),
        metadata={"description": "The other councils in the group, by name (never a figure)"},
    )


class PeerGroupsSchema(Schema):
    authority = fields.Nested(GroupMemberSchema, metadata={"description": "Your authority"})
    groups = fields.List(
        fields.Nested(PeerGroupMembersSchema),
        metadata={
            "description": "Published nearest neighbours (newest version first), computed "
            "neighbours, same type, same region, then your custom groups, oldest first"
        },
    )


class RowErrorSchema(Schema):
    row = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "1-based item of the batch; null for the request itself."},
    )
    field = fields.String(required=True)
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details, the body of every API error."""

    type = fields.String(
        required=True, metadata={"description": "about:blank, or a link to the explanation"}
    )
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(
        fields.Nested(RowErrorSchema),
        metadata={
            "description": "Validation failures only: each problem's row and field.",
            "x-may-be-absent": True,
        },
    )


# --- marshmallow's errors as the product's --------------------------------------


def row_errors(messages: Any, row: int | None = None, field: str = "") -> list[RowError]:
    """Flatten marshmallow's nested messages into RowErrors.

    An integer key is an item of a list (a batch row), numbered from 1 like a
    spreadsheet; other keys build the field's dotted name.
    """
    if isinstance(messages, str):
        return [RowError(row, field, messages)]
    if isinstance(messages, Mapping):
        found: list[RowError] = []
        for key, nested in messages.items():
            if isinstance(key, int):
                found += row_errors(nested, key + 1, "")
            elif key == "_schema":  # the item or the body as a whole
                found += row_errors(nested, row, field or ("row" if row else "body"))
            else:
                found += row_errors(nested, row, f"{field}.{key}" if field else str(key))
        return found
    return [error for message in messages for error in row_errors(message, row, field)]


def load(schema: Schema, data: Any) -> dict[str, Any]:
    """Validate *data* with *schema*; failures become :class:`ValidationFailed`."""
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ValidationFailed(row_errors(error.messages)) from None
