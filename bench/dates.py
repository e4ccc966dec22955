"""How pages write moments: UTC for release times (set in UTC), London time for the log."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utc_text(moment: datetime | None) -> str:
    """Like "1 December 2024 at 09:30 UTC"; a dash for none."""
    if moment is None:
        return "–"
    moment = moment.astimezone(UTC)
    return f"{moment:%-d %B %Y} at {moment:%H:%M} UTC"


def london_text(moment: datetime | None) -> str:
    """Like "1 July 2024 at 10:30 BST": local time in the UK, with GMT or BST said."""
    if moment is None:
        return "–"
    local = moment.astimezone(LONDON)
    return f"{local:%-d %B %Y} at {local:%H:%M %Z}"
