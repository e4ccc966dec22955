"""How many views one person may give a day, counted without linking them to the views.

The count lives in the rate-limit storage (bench.limits: memory in development, Redis in
production), never in the database, under a key that is an HMAC of the user's id and the
day keyed by the app's SECRET_KEY: the key names no view, and nobody without the secret
can tell whose count it is. It expires when the day ends (UK time), so no count outlives
the day it was made. Named and anonymous views count alike, so the count says nothing
about which kind anyone gave.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
from datetime import date, datetime, time, timedelta

from flask import current_app
from limits.storage import MemoryStorage, Storage

from bench.dates import LONDON
from bench.limits import limiter

DEFAULT_PER_DAY = 10
KEY_PREFIX = "staff-views-per-day/"
# Where the count goes while the configured storage (Redis) is unreachable: this process's
# memory, as Flask-Limiter's own in-memory fallback does for the sign-in limits.
_fallback = MemoryStorage()


def per_day() -> int:
    """BENCH_STAFF_VIEWS_PER_DAY (default 10): the most views one user gives a day."""
    configured = current_app.config.get("STAFF_VIEWS_PER_DAY")
    if configured is None:
        configured = os.environ.get("BENCH_STAFF_VIEWS_PER_DAY") or DEFAULT_PER_DAY
    return max(1, int(configured))


def counter_key(user_id: int, day: date) -> str:
    """The storage key for one user's count on one day: an HMAC, never the id itself."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = f"staff-views:{user_id}:{day.isoformat()}".encode()
    return KEY_PREFIX + hmac.new(secret, message, hashlib.sha256).hexdigest()


def seconds_left(now: datetime) -> int:
    """Seconds until the next midnight in the UK (at least 1)."""
    local = now.astimezone(LONDON)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=LONDON)
    return max(1, math.ceil((midnight - local).total_seconds()))


def _storage() -> Storage:
    return limiter.limiter.storage


def count_one(user_id: int, now: datetime) -> bool:
    """Count one view for the user today; False when that would pass the daily limit
    (the caller then writes nothing)."""
    key = counter_key(user_id, now.astimezone(LONDON).date())
    expiry = seconds_left(now)
    try:
        count = _storage().incr(key, expiry)
    except Exception:  # noqa: BLE001 - Redis away or hung: count in this process instead
        count = _fallback.incr(key, expiry)
    return count <= per_day()
