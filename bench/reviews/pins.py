"""Comparisons pinned to a review: what it relied on, as it stood when pinned.

The review page's form chooses an indicator, a released period and one of the
authority's peer groups; the comparison engine answers exactly as the indicator page
does (:func:`bench.compare.service.where_we_stand`, the same groups, admissions and
classification): the authority's own figure and its classification against that group.
Only those are kept, with the group's key and label, the data version and a note; never
a peer's figure, so nothing pinned outlives the rules on peers. A group withheld for the
viewer (too few councils, or one that beside the viewer's other groups would single out
councils: DESIGN.md, Anonymity 9) cannot be pinned, and the form says why.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bench import audit, messages
from bench.compare import service as compare
from bench.errors import InvalidInput
from bench.extensions import db
from bench.models import Indicator, Period, ReviewEvidence, User, utcnow
from bench.reviews import present, queries, rules
from bench.reviews.present import EvidenceView, GroupRef
from bench.reviews.schemas import EvidenceInSchema


@dataclass(frozen=True)
class PinOptions:
    """What the pinning form offers: every indicator, the released periods (newest
    first) and the viewer's peer groups as the comparison pages offer them."""

    indicators: list[Indicator]
    periods: list[Period]
    groups: list[GroupRef]


def options(user: User) -> PinOptions | None:
    """None until a period has been released: there is nothing to pin before."""
    rules.own_authority(user)
    if not compare.released_periods(utcnow()):
        return None
    latest = compare.where_we_stand(compare.viewing(user), None, None, custom=True)
    return PinOptions(
        queries.indicators(),
        list(reversed(latest.periods)),
        [GroupRef(option.key, option.label) for option in latest.options],
    )


def data_version(now: datetime) -> str:
    """The release round, and a short fingerprint of everything the engine read: two
    pins with the same version were classified from the same figures."""
    fingerprint = hashlib.sha256(repr(compare.data_version(now)).encode()).hexdigest()
    return f"release round {now:%Y-%m}, data {fingerprint[:12]}"


def pin(
    user: User, public_id: str, data: dict[str, Any], now: datetime | None = None
) -> EvidenceView:
    """Pin the authority's standing on one indicator against one group in one period."""
    now = now or utcnow()
    review = rules.editable_review(user, public_id)
    fields = rules.load(EvidenceInSchema(), data)
    indicator = queries.indicator_by_code(fields["indicator"])
    if indicator is None:
        raise InvalidInput(messages.PIN_INDICATOR_UNKNOWN, field="indicator")
    period = queries.period_by_code(fields["period"])
    if period is None or not period.is_released(now):
        raise InvalidInput(messages.PIN_PERIOD_UNKNOWN, field="period")
    # The indicator page's own answer; it falls back to another group or period when
    # asked for one it does not offer, so check that it answered what was asked.
    page = compare.where_we_stand(compare.viewing(user), fields["group"], period.code, custom=True)
    if page.group.key != fields["group"] or page.period.id != period.id:
        raise InvalidInput(messages.PIN_GROUP_UNKNOWN, field="group")
    standing = next(
        (s for _, rows in page.sections for s in rows if s.indicator.id == indicator.id), None
    )
    if standing is None:
        raise InvalidInput(messages.PIN_INDICATOR_UNKNOWN, field="indicator")
    if standing.value is None:
        words = {"indicator": indicator.title, "period": period.label}
        raise InvalidInput(messages.PIN_NO_FIGURE.format(**words), field="indicator")
    if standing.withheld is not None:
        words = {"group": page.group.label, "period": period.label, "why": standing.withheld}
        raise InvalidInput(messages.PIN_WITHHELD.format(**words), field="group")
    pinned = ReviewEvidence(
        review_id=review.id,
        indicator_id=indicator.id,
        period_id=period.id,
        group_key=page.group.key,
        group_label=page.group.label,
        value_at_pin=standing.value,
        classification_at_pin=standing.words,
        data_version=data_version(now),
        note=fields["note"],
        pinned_by_id=user.id,
        pinned_at=now,
    )
    queries.add(pinned)
    audit.record(
        "review_comparison_pinned",
        actor=user,
        authority_id=review.authority_id,
        subject=pinned,
        details={
            "review": review.public_id,
            "evidence": pinned.public_id,
            "indicator": indicator.code,
            "period": period.code,
            "group": page.group.key,
        },
    )
    db.session.commit()
    return present.evidence(pinned)
