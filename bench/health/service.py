"""Liveness and readiness: what each check found, in words safe to show anyone.

A failed check says which check failed and a short reason from a fixed list (timeout,
unreachable, error); never the exception's text, which can name hosts, users and
databases. The server log gets the exception's class, tied to the request id.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from redis import exceptions as redis_errors
from sqlalchemy import exc as database_errors

from bench.health import queries


@dataclass
class Readiness:
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(check["ok"] for check in self.checks.values())

    def as_json(self) -> dict[str, Any]:
        return {"status": "ready" if self.ready else "not ready", "checks": self.checks}


def liveness() -> dict[str, str]:
    """The process answers: nothing else is asked (no database, no session)."""
    return {"status": "ok"}


def _reason(error: BaseException) -> str:
    if isinstance(error, database_errors.TimeoutError | redis_errors.TimeoutError):
        return "timeout"
    text = str(error).lower()  # classified here, never shown
    if "timeout" in text or "timed out" in text:
        return "timeout"
    if isinstance(error, database_errors.OperationalError | redis_errors.ConnectionError):
        return "unreachable"
    return "error"


def _timed(name: str, check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = {"ok": True, **check()}
    except (database_errors.SQLAlchemyError, redis_errors.RedisError, OSError) as error:
        current_app.logger.warning("Readiness: %s check failed (%s)", name, type(error).__name__)
        result = {"ok": False, "reason": _reason(error)}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def readiness() -> Readiness:
    """Database reachable, migrations at head, Redis reachable when REDIS_URL is set."""
    app = current_app._get_current_object()
    found = Readiness()
    revisions: dict[str, frozenset[str]] = {}

    def database() -> dict[str, Any]:
        revisions["database"] = queries.database_revisions(app)
        return {}

    found.checks["database"] = _timed("database", database)
    if found.checks["database"]["ok"]:
        found.checks["migrations"] = _migrations(
            revisions["database"], *queries.code_revisions(app)
        )
    else:
        found.checks["migrations"] = {"ok": False, "reason": "database unavailable"}

    redis_url = app.config.get("REDIS_URL") or ""
    if redis_url:
        timeout = app.config["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"]
        found.checks["redis"] = _timed(
            "redis", lambda: {} if queries.redis_answers(redis_url, timeout) else _no_pong()
        )
    return found


def _migrations(
    database: frozenset[str], heads: frozenset[str], known: frozenset[str]
) -> dict[str, Any]:
    """At head: ready. Behind (never migrated, or at a revision before this code's head):
    not ready, this code needs tables the database lacks. Ahead (a revision this code does
    not know: a newer release migrated during a rolling release): ready, and said so, on
    the understanding that a migration keeps the previous release working (README,
    "Health and readiness"); otherwise every old host would leave the load balancer at
    once, before any new one is up."""
    check: dict[str, Any] = {"ok": True, "database": sorted(database), "code": sorted(heads)}
    if database == heads:
        return check
    if database and not database <= known:
        return {**check, "note": "database ahead of this release"}
    return {**check, "ok": False, "reason": "not at head"}


def _no_pong() -> dict[str, Any]:
    raise redis_errors.ResponseError("no PONG")
