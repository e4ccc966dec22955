"""The audit log as people read it: who, when, what, in plain words, a page at a time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bench import audit
from bench.auditlog import queries
from bench.errors import NotFound
from bench.models import AuditEvent, User

PAGE_SIZE = 50
SYSTEM = "System"
OTHER_AUTHORITY = "A user of another authority"


@dataclass(frozen=True)
class LogRow:
    occurred_at: datetime
    who: str
    authority: str | None
    action: str
    details: list[tuple[str, str]]
    # The network's log: some details are for the authority's own admins only.
    withheld: bool = False


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    number: int
    pages: int
    total: int
    action: str
    # (code, plain words) of every action in this log, for the filter
    actions: list[tuple[str, str]]

    def page_numbers(self) -> list[int | None]:
        """Page links to show: first, last, and the current page's neighbours; None marks
        a gap (GOV.UK pagination's ellipsis)."""
        shown = sorted({1, self.pages, *range(self.number - 1, self.number + 2)})
        numbers: list[int | None] = []
        for page in (page for page in shown if 1 <= page <= self.pages):
            if numbers and page - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(page)
        return numbers


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_text(item)}" for key, item in value.items())
    return str(value)


def detail_rows(details: dict[str, Any]) -> list[tuple[str, str]]:
    """Each detail as (label, text); a change reads "old → new"."""
    rows = []
    for key, value in details.items():
        label = key.replace("_", " ").capitalize()
        if isinstance(value, dict) and set(value) == {"old", "new"}:
            rows.append((label, f"{_text(value['old'])} → {_text(value['new'])}"))
        else:
            rows.append((label, _text(value)))
    return rows


def _who(event: AuditEvent, own_authority_id: int | None) -> str:
    actor = event.actor
    if actor is None:
        return SYSTEM
    # An authority's log names its own people and network admins, never another
    # authority's (DESIGN.md, Anonymity 1), should another authority's user ever act on it.
    if own_authority_id is not None and actor.authority_id not in (None, own_authority_id):
        return OTHER_AUTHORITY
    return actor.name


def _row(event: AuditEvent, authority_name: str | None, authority_id: int | None) -> LogRow:
    details = event.details or {}
    # The network's log: only what bench.audit declares free of an authority's figures
    # and known-issue answers (DESIGN.md, Anonymity 14). An authority's log: everything.
    shown = audit.network_details(event.action, details) if authority_id is None else details
    return LogRow(
        occurred_at=event.occurred_at,
        who=_who(event, authority_id),
        authority=authority_name,
        action=audit.describe(event.action),
        details=detail_rows(shown),
        withheld=len(shown) < len(details),
    )


def _log(authority_id: int | None, page: int, action: str) -> LogPage:
    left_out = audit.kept_from_network_log() if authority_id is None else []
    total = queries.count(authority_id, action, left_out)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if not 1 <= page <= pages:
        raise NotFound("No such page")
    rows = [
        _row(event, authority_name, authority_id)
        for event, authority_name in queries.events(
            authority_id, action, (page - 1) * PAGE_SIZE, PAGE_SIZE, left_out
        )
    ]
    actions = [(code, audit.describe(code)) for code in queries.actions(authority_id, left_out)]
    return LogPage(rows, page, pages, total, action, actions)


def authority_log(admin: User, page: int, action: str = "") -> LogPage:
    """The admin's own authority's events, newest first."""
    if admin.authority_id is None:
        raise NotFound("No authority")
    return _log(admin.authority_id, page, action)


def network_log(page: int, action: str = "") -> LogPage:
    """Every event, for network admins (they manage the whole network), without any
    authority's figures or known-issue answers: see :class:`bench.audit.Action`."""
    return _log(None, page, action)
