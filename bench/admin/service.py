"""The catalogue's rules: indicators, series breaks, periods and their release dates.

Catalogue events belong to the whole network, so they go to the audit log with no
authority: network admins read them, no authority's admins do.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bench import audit, messages
from bench.admin import queries
from bench.admin.schemas import IndicatorSchema, PeriodSchema, ReleaseSchema, SeriesBreakSchema
from bench.dates import utc_text
from bench.errors import Conflict, InvalidInput, NotFound
from bench.extensions import db
from bench.models import Indicator, KeyArea, Period, SeriesBreak, User, utcnow
from bench.validation import load


def _plain(value: Any) -> Any:
    """A value as the audit log's JSON keeps it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# --- indicators ------------------------------------------------------------------------


def indicators_by_key_area() -> list[tuple[KeyArea, list[Indicator]]]:
    """Every indicator, under the key areas in DESIGN.md's order (empty areas left out)."""
    grouped: dict[KeyArea, list[Indicator]] = {}
    for indicator in queries.indicators():
        grouped.setdefault(indicator.key_area, []).append(indicator)
    return [(area, grouped[area]) for area in KeyArea if area in grouped]


@dataclass(frozen=True)
class IndicatorPage:
    indicator: Indicator
    breaks: list[SeriesBreak]
    periods: list[Period]


def indicator_page(indicator_id: int) -> IndicatorPage:
    indicator = _indicator(indicator_id)
    return IndicatorPage(indicator, queries.series_breaks_of(indicator.id), queries.periods())


def _indicator(indicator_id: int) -> Indicator:
    indicator = queries.indicator(indicator_id)
    if indicator is None:
        raise NotFound("No such indicator")
    return indicator


def _number_text(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def indicator_form_data(indicator_id: int) -> dict[str, Any]:
    """The indicator as its edit form shows it (numbers without a spurious ".0")."""
    indicator = _indicator(indicator_id)
    data = {name: getattr(indicator, name) for name in IndicatorSchema().fields}
    data["plausible_min"] = _number_text(indicator.plausible_min)
    data["plausible_max"] = _number_text(indicator.plausible_max)
    data["decimals"] = str(indicator.decimals)
    data["multiplier"] = str(indicator.multiplier)
    for name in ("cqc_quality_statement", "cqc_evidence_category"):
        data[name] = data[name] or ""  # the select's "None"
    return data


def _check_code_free(code: str, indicator_id: int | None) -> None:
    other = queries.indicator_by_code(code)
    if other is not None and other.id != indicator_id:
        raise Conflict(messages.INDICATOR_CODE_TAKEN, field="code")


def create_indicator(admin: User, data: Mapping[str, Any]) -> Indicator:
    fields = load(IndicatorSchema(), data)
    _check_code_free(fields["code"], None)
    indicator = Indicator(**fields)
    queries.add(indicator)
    audit.record(
        "indicator_created",
        actor=admin,
        authority_id=None,
        subject=indicator,
        details={name: _plain(value) for name, value in fields.items()},
    )
    db.session.commit()
    return indicator


def update_indicator(admin: User, indicator_id: int, data: Mapping[str, Any]) -> Indicator:
    """Change an indicator. Its unit kind is fixed once values exist: each value carries
    a copy of it, and the database's checks on counts depend on it."""
    indicator = _indicator(indicator_id)
    fields = load(IndicatorSchema(), data)
    _check_code_free(fields["code"], indicator.id)
    if fields["unit_kind"] != indicator.unit_kind and queries.indicator_has_values(indicator.id):
        raise InvalidInput(messages.UNIT_KIND_LOCKED, field="unit_kind")
    changes = {
        name: {"old": _plain(getattr(indicator, name)), "new": _plain(value)}
        for name, value in fields.items()
        if getattr(indicator, name) != value
    }
    if changes:
        for name, value in fields.items():
            setattr(indicator, name, value)
        audit.record(
            "indicator_changed", actor=admin, authority_id=None, subject=indicator, details=changes
        )
        db.session.commit()
    return indicator


# --- series breaks ---------------------------------------------------------------------


def add_series_break(admin: User, indicator_id: int, data: Mapping[str, Any]) -> SeriesBreak:
    indicator = _indicator(indicator_id)
    fields = load(SeriesBreakSchema(), data)
    starts = queries.period(fields["period_id"])
    if starts is None:
        raise InvalidInput(messages.BREAK_PERIOD_REQUIRED, field="period_id")
    if queries.series_break_at(indicator.id, starts.id) is not None:
        raise Conflict(messages.BREAK_EXISTS, field="period_id")
    series_break = SeriesBreak(
        indicator=indicator, period=starts, reason=fields["reason"], created_by_id=admin.id
    )
    queries.add(series_break)
    audit.record(
        "series_break_added",
        actor=admin,
        authority_id=None,
        subject=series_break,
        details={"indicator": indicator.code, "period": starts.code, "reason": fields["reason"]},
    )
    db.session.commit()
    return series_break


def remove_series_break(admin: User, indicator_id: int, break_id: int) -> SeriesBreak:
    series_break = queries.series_break(break_id)
    if series_break is None or series_break.indicator_id != indicator_id:
        raise NotFound("No such series break")
    audit.record(
        "series_break_removed",
        actor=admin,
        authority_id=None,
        subject=series_break,
        details={
            "indicator": series_break.indicator.code,
            "period": series_break.period.code,
            "reason": series_break.reason,
        },
    )
    queries.delete(series_break)
    db.session.commit()
    return series_break


# --- periods ---------------------------------------------------------------------------


def periods() -> list[Period]:
    return queries.periods()


def period(period_id: int) -> Period:
    found = queries.period(period_id)
    if found is None:
        raise NotFound("No such period")
    return found


def create_period(admin: User, data: Mapping[str, Any]) -> Period:
    fields = load(PeriodSchema(), data)
    if queries.period_by_code(fields["code"]) is not None:
        raise Conflict(messages.PERIOD_CODE_TAKEN, field="code")
    created = Period(**fields)
    queries.add(created)
    audit.record(
        "period_created",
        actor=admin,
        authority_id=None,
        subject=created,
        details={name: _plain(value) for name, value in fields.items()},
    )
    db.session.commit()
    return created


def set_release(admin: User, period_id: int, data: Mapping[str, Any]) -> Period:
    """Set when peers first see a period's values: all of them at once, never a few.

    Once peers have seen a period, its release can move earlier but not into the
    future: that would take back what they have seen.
    """
    target = period(period_id)
    released_at: datetime = load(ReleaseSchema(), data)["released_at"]
    now = utcnow()
    old = target.released_at
    if target.is_released(now) and released_at > now:
        raise InvalidInput(
            messages.RELEASE_ALREADY_SEEN.format(code=target.code, when=utc_text(old)),
            field="released_on",
        )
    if released_at == old:
        return target
    target.released_at = released_at
    scheduled = queries.reschedule_values(target.id, old, released_at)
    audit.record(
        "period_release_set",
        actor=admin,
        authority_id=None,
        subject=target,
        details={
            "period": target.code,
            "released_at": {"old": _plain(old), "new": _plain(released_at)},
            "values_scheduled": scheduled,
        },
    )
    db.session.commit()
    return target


def clear_release(admin: User, period_id: int) -> Period:
    """Take a period's release date away; refused once peers have seen the period."""
    target = period(period_id)
    old = target.released_at
    if old is None:
        return target
    if target.is_released(utcnow()):
        raise InvalidInput(
            messages.RELEASE_CANNOT_CLEAR.format(code=target.code, when=utc_text(old))
        )
    target.released_at = None
    queries.reschedule_values(target.id, old, None)
    audit.record(
        "period_release_cleared",
        actor=admin,
        authority_id=None,
        subject=target,
        details={"period": target.code, "released_at": {"old": _plain(old), "new": None}},
    )
    db.session.commit()
    return target
