"""Catalogue forms. Their rules are the schemas' (see bench.fields.SchemaForm)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from bench.admin.schemas import (
    IndicatorSchema,
    PeriodSchema,
    ReleaseSchema,
    SeriesBreakSchema,
)
from bench.fields import DateInputField, SchemaForm, quality_statement_field, strip
from bench.models import EvidenceCategory, KeyArea, PeriodKind, Polarity, UnitKind

UNIT_KIND_LABELS = {
    UnitKind.PROPORTION: "Proportion (a percentage or a share)",
    UnitKind.RATE: "Rate per N (per 1,000 or per 100,000)",
    UnitKind.MEAN: "Mean",
    UnitKind.SCORE: "Score",
    UnitKind.COUNT: "Count",
    UnitKind.CURRENCY: "Currency (pounds)",
}
MULTIPLIER_LABELS = {
    "1": "1 (none)",
    "100": "100 (per cent, or per 100)",
    "1000": "1,000 (per 1,000)",
    "100000": "100,000 (per 100,000)",
}
PERIOD_KIND_LABELS = {PeriodKind.FINANCIAL_YEAR: "Financial year", PeriodKind.QUARTER: "Quarter"}


def _text(label: str, hint: str = "") -> StringField:
    return StringField(label, description=hint, widget=GovTextInput(), filters=[strip])


def _radios(label: str, choices: list[tuple[str, str]]) -> RadioField:
    # validate_choice off: the schema checks the choice, with the catalogue's message.
    return RadioField(
        label,
        choices=[SelectChoice(value, text) for value, text in choices],
        widget=GovRadioInput(),
        validate_choice=False,
    )


class IndicatorForm(SchemaForm):
    schema = IndicatorSchema

    code = _text("Code", "Capital letters, digits and hyphens, like ASCOF-2A")
    title = _text("Title")
    key_area = _radios("Key area", [(area.value, area.label) for area in KeyArea])
    unit_kind = _radios(
        "Unit kind", [(kind.value, label) for kind, label in UNIT_KIND_LABELS.items()]
    )
    multiplier = _radios("Multiplier", list(MULTIPLIER_LABELS.items()))
    unit_label = _text(
        "Unit label (optional)", "Shown beside figures, like “per 100,000 adults aged 18 to 64”"
    )
    polarity = _radios("Polarity", [(polarity.value, polarity.label) for polarity in Polarity])
    has_counts = BooleanField(
        "Authorities publish a numerator and a denominator", widget=GovCheckboxInput()
    )
    definition = TextAreaField("Definition", widget=GovTextArea(), filters=[strip])
    source = TextAreaField("Source", widget=GovTextArea(), filters=[strip])
    is_public = BooleanField(
        "A national publication prints this indicator under authorities’ names",
        widget=GovCheckboxInput(),
    )
    is_synthetic = BooleanField("Demo data that no public source has", widget=GovCheckboxInput())
    plausible_min = _text("Lowest plausible value (optional)")
    plausible_max = _text("Highest plausible value (optional)")
    decimals = _text("Decimal places shown", "A whole number from 0 to 6")
    cqc_quality_statement = quality_statement_field()
    cqc_evidence_category = SelectField(
        "CQC evidence category (optional)",
        description="What kind of evidence it is; only with a quality statement",
        widget=GovSelect(),
        choices=[SelectChoice("", "None")]
        + [SelectChoice(category.value, category.label) for category in EvidenceCategory],
        validate_choice=False,
    )
    submit = SubmitField("Save indicator", widget=GovSubmitInput())


class SeriesBreakForm(SchemaForm):
    schema = SeriesBreakSchema

    period_id = SelectField(
        "Period from which the series breaks", widget=GovSelect(), choices=[], validate_choice=False
    )
    reason = TextAreaField(
        "Reason",
        description="What changed: the definition, the source, or how it is counted",
        widget=GovTextArea(),
        filters=[strip],
    )
    submit = SubmitField("Add series break", widget=GovSubmitInput())


class PeriodForm(SchemaForm):
    schema = PeriodSchema

    code = _text("Code", "2023-24 for a financial year, 2023-24 Q1 for a quarter")
    label = _text("Label", "How pages name the period, like 2023 to 2024")
    kind = _radios("Kind", [(kind.value, label) for kind, label in PERIOD_KIND_LABELS.items()])
    starts_on = DateInputField("Start date")
    ends_on = DateInputField("End date")
    submit = SubmitField("Create period", widget=GovSubmitInput())


class ReleaseForm(SchemaForm):
    schema = ReleaseSchema

    released_on = DateInputField("Release date")
    released_time = _text("Time (UTC)", "On the 24-hour clock, like 09:30")
    submit = SubmitField("Set release date", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """Only a CSRF token: the route says what happens (clear a release, remove a break)."""
