"""Factories for test data: small, explicit, committed into the test's outer transaction.

A commit here releases a savepoint; the test's transaction still rolls it all back.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench import security
from bench.extensions import db
from bench.models import (
    Alliance,
    AllyAsk,
    AllyRequest,
    AllyRequestStatus,
    ApiToken,
    Authority,
    AuthorityType,
    FlagAnswer,
    FlagStatus,
    Indicator,
    InspectorGrant,
    IssueFlag,
    IssueType,
    IssueTypeStatus,
    KeyArea,
    PeerGroup,
    PeerGroupKind,
    PeerGroupMember,
    Period,
    PeriodKind,
    Polarity,
    Role,
    SeriesBreak,
    Severity,
    TokenScope,
    UnitKind,
    User,
    Value,
    ValueStatus,
    utcnow,
)

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def authority(**fields: Any) -> Authority:
    number = next(_numbers)
    values = {
        "gss_code": f"X{number:08d}",
        "name": f"Testshire {number}",
        "type": AuthorityType.COUNTY,
        "region": "North West",
    }
    values.update(fields)
    record = Authority(**values)
    db.session.add(record)
    db.session.commit()
    return record


def user(role: Role = Role.ANALYST, authority_: Authority | None = None, **fields: Any) -> User:
    number = next(_numbers)
    if authority_ is None and role in (Role.STAFF, Role.ANALYST, Role.AUTHORITY_ADMIN):
        authority_ = authority()
    values = {
        "email": f"user{number}@example.gov.uk",
        "name": f"Test User {number}",
        "password_hash": security.hash_password(PASSWORD),
        "role": role,
        "authority": authority_,
    }
    values.update(fields)
    record = User(**values)
    db.session.add(record)
    db.session.commit()
    return record


def api_token(
    user_: User, scope: TokenScope = TokenScope.READ, **fields: Any
) -> tuple[ApiToken, str]:
    """A token for *user_* and its secret (which the product shows only once)."""
    secret = f"bench_{security.new_token()}"
    values = {
        "user": user_,
        "name": f"Token {next(_numbers)}",
        "scope": scope,
        "token_hash": security.token_hash(secret),
        "prefix": secret[:12],
    }
    values.update(fields)
    record = ApiToken(**values)
    db.session.add(record)
    db.session.commit()
    return record, secret


def indicator(**fields: Any) -> Indicator:
    number = next(_numbers)
    values = {
        "code": f"IND{number}",
        "title": f"Indicator {number}",
        "key_area": KeyArea.NATIONAL_FRAMEWORK,
        "unit_kind": UnitKind.PROPORTION,
        "multiplier": 100,
        "polarity": Polarity.HIGHER_IS_BETTER,
        "has_counts": True,
    }
    values.update(fields)
    record = Indicator(**values)
    db.session.add(record)
    db.session.commit()
    return record


def period(code: str = "2022-23", released: bool = True, **fields: Any) -> Period:
    first = int(code[:4])
    values = {
        "code": code,
        "label": code,
        "kind": PeriodKind.FINANCIAL_YEAR,
        "starts_on": date(first, 4, 1),
        "ends_on": date(first + 1, 3, 31),
        "released_at": datetime(first + 1, 12, 1, tzinfo=UTC) if released else None,
    }
    values.update(fields)
    record = Period(**values)
    db.session.add(record)
    db.session.commit()
    return record


def value(authority_: Authority, indicator_: Indicator, period_: Period, **fields: Any) -> Value:
    values = {
        "authority": authority_,
        "indicator_id": indicator_.id,
        "unit_kind": indicator_.unit_kind,
        "period": period_,
        "status": ValueStatus.FINAL,
    }
    values.update(fields)
    if "value" not in values and values.get("denominator"):
        values["value"] = values["numerator"] / values["denominator"] * indicator_.multiplier
    record = Value(**values)
    db.session.add(record)
    db.session.commit()
    return record


def issue_type(indicators: list[Indicator] | None = None, **fields: Any) -> IssueType:
    number = next(_numbers)
    values = {
        "code": f"issue-{number}",
        "title": f"Issue {number}",
        "description": f"Description of issue {number}.",
        "status": IssueTypeStatus.APPROVED,
        "indicators": indicators or [],
    }
    values.update(fields)
    record = IssueType(**values)
    db.session.add(record)
    db.session.commit()
    return record


def flag(authority_: Authority, issue_type_: IssueType, **fields: Any) -> IssueFlag:
    """A reported flag unless *answer* says otherwise."""
    values: dict[str, Any] = {
        "authority_id": authority_.id,
        "issue_type_id": issue_type_.id,
        "answer": FlagAnswer.REPORTED,
        "status": FlagStatus.OPEN,
        "since": date(2021, 3, 1),
        "severity": Severity.MEDIUM,
    }
    if fields.get("answer") is FlagAnswer.NOT_AN_ISSUE:
        values.update(status=None, since=None, severity=None)
    values.update(fields)
    record = IssueFlag(**values)
    db.session.add(record)
    db.session.commit()
    return record


def series_break(indicator_: Indicator, period_: Period, **fields: Any) -> SeriesBreak:
    values = {"indicator": indicator_, "period": period_, "reason": "Definition changed"}
    values.update(fields)
    record = SeriesBreak(**values)
    db.session.add(record)
    db.session.commit()
    return record


def peer_group(
    authority_: Authority,
    members: list[Authority],
    kind: PeerGroupKind = PeerGroupKind.CUSTOM,
    **fields: Any,
) -> PeerGroup:
    values: dict[str, Any] = {"name": "Our group" if kind is PeerGroupKind.CUSTOM else ""}
    values.update(fields)
    record = PeerGroup(kind=kind, authority_id=authority_.id, **values)
    record.members = [PeerGroupMember(authority_id=member.id) for member in members]
    db.session.add(record)
    db.session.commit()
    return record


def grant(inspector: User, authority_: Authority, **fields: Any) -> InspectorGrant:
    """A current grant (from a day ago for thirty days) unless *fields* say otherwise."""
    now = datetime.now(UTC)
    values = {
        "inspector": inspector,
        "authority": authority_,
        "reason": "Inspection of adult social care",
        "starts_at": now - timedelta(days=1),
        "expires_at": now + timedelta(days=30),
    }
    values.update(fields)
    record = InspectorGrant(**values)
    db.session.add(record)
    db.session.commit()
    return record


def ally_request(
    asker: Authority, recipient: Authority, issue_type_: IssueType, **fields: Any
) -> AllyRequest:
    """A pending request from *asker* to *recipient* (and the ask it belongs to)."""
    now = utcnow()
    ask = AllyAsk(
        requester_id=asker.id,
        issue_type_id=issue_type_.id,
        message="What worked for you?",
        contact_name="Asker Contact",
        contact_email="asker@example.gov.uk",
        created_at=now,
        expires_at=now + timedelta(days=30),
    )
    db.session.add(ask)
    db.session.flush()
    values: dict[str, Any] = {
        "ask_id": ask.id,
        "requester_id": asker.id,
        "recipient_id": recipient.id,
        "issue_type_id": issue_type_.id,
        "message": ask.message,
        "status": AllyRequestStatus.PENDING,
        "created_at": now,
        "expires_at": ask.expires_at,
    }
    values.update(fields)
    record = AllyRequest(**values)
    db.session.add(record)
    db.session.commit()
    return record


def alliance(one: Authority, other: Authority, **fields: Any) -> Alliance:
    first, second = sorted((one, other), key=lambda authority_: authority_.id)
    values: dict[str, Any] = {
        "first_id": first.id,
        "second_id": second.id,
        "first_contact_name": "First Contact",
        "first_contact_email": "first@example.gov.uk",
        "second_contact_name": "Second Contact",
        "second_contact_email": "second@example.gov.uk",
    }
    values.update(fields)
    record = Alliance(**values)
    db.session.add(record)
    db.session.commit()
    return record
