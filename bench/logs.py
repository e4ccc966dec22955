"""Logs: one record a line on stderr (JSON in production), each request's lines tied by
a request id, one access line a request, and nothing personal or secret in any of them.

What a request's lines say about it: its id, method, path (never the query string, which
can carry tokens or emails; a path carrying a secret, an invitation's token, is logged as
its route instead), status, duration and the signed-in user's number. Never emails, names,
passwords, tokens, cookies or bodies. gunicorn.conf.py sends gunicorn's own lines through
the same handler; gunicorn's access log is off (these lines replace it).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask.logging import default_handler
from flask.wrappers import Response
from sqlalchemy import inspect

import config as bench_config

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only if it is a short token of these characters: anything else
# (a header smuggling a newline, an email, a long string) is replaced by our own.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# What a request adds to each of its lines, in this order.
REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")
FORMATS = ("json", "text")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Route parameters that are secrets: a path holding one is logged as its route.
SECRET_PARAMETERS = re.compile(r"token|secret|password", re.IGNORECASE)

access_log = logging.getLogger("bench.access")


def request_id() -> str | None:
    """This request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


def _user_id() -> int | None:
    # Only a user this request already loaded (the log never touches the database), and
    # only its number: its identity, which an expired object (after a rollback) keeps,
    # so nothing is refreshed from a database that may be away.
    user = g.get("_login_user")  # Flask-Login's per-request user
    if user is None or not getattr(user, "is_authenticated", False) or _untraced():
        return None
    state = inspect(user, raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity else None


def _untraced() -> bool:
    """Whether the view must leave no trace of who sent the request (giving a staff
    view, which may be anonymous): then no line of the request names the user."""
    from bench.access import UNTRACED_ATTRIBUTE

    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, UNTRACED_ATTRIBUTE, False))


def _logged_path() -> str:
    arguments = request.view_args or {}
    if request.url_rule is not None and any(SECRET_PARAMETERS.search(k) for k in arguments):
        return request.url_rule.rule
    return request.path


class RequestContextFilter(logging.Filter):
    """Adds the current request's fields to every record logged while it is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
            record.method = request.method
            record.path = _logged_path()
            record.user_id = _user_id()
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: timestamp (ISO 8601, UTC), level, logger, message, pid,
    the request's fields when there is a request, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """For people reading a terminal: the same fields, on one line (a traceback below)."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(
            f"{field}={getattr(record, field)}"
            for field in REQUEST_FIELDS
            if hasattr(record, field) and field not in ("method", "path", "status")
        )
        line = (
            f"{_timestamp(record)} {record.levelname} {record.name} [{record.process}] "
            f"{record.getMessage()}"
        )
        line = f"{line} {fields}" if fields else line
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


class StderrHandler(logging.StreamHandler):
    """bench's one handler, on the root logger: writes to whatever ``sys.stderr`` is when
    a record arrives (as ``logging.lastResort`` does), and adds the request's fields."""

    bench = True

    def __init__(self, format: str | None = None) -> None:  # noqa: A002 - dictConfig's key
        super().__init__()
        self.addFilter(RequestContextFilter())
        self.setFormatter(formatter(format or "json"))

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def formatter(name: str) -> logging.Formatter:
    if name not in FORMATS:
        raise bench_config.ConfigurationError(
            f"BENCH_LOG_FORMAT={name!r} is not one of {', '.join(FORMATS)}"
        )
    return JsonFormatter() if name == "json" else TextFormatter()


def _drop_werkzeug_request_lines(record: logging.LogRecord) -> bool:
    # The development server's own access line holds the query string; ours replaces it.
    return not (record.name == "werkzeug" and str(record.msg).startswith('"%s" %s %s'))


def configure(log_format: str, level: str) -> StderrHandler:
    """Put bench's handler on the root logger (once a process; gunicorn.conf.py may have
    put it there already) with *log_format*, and set the root level."""
    level = level.upper()
    if level not in LEVELS:
        raise bench_config.ConfigurationError(
            f"BENCH_LOG_LEVEL={level!r} is not one of {', '.join(LEVELS)}"
        )
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "bench", False)), None)
    if handler is None:
        handler = StderrHandler(log_format)
        root.addHandler(handler)
    handler.setFormatter(formatter(log_format))
    root.setLevel(level)
    # Alembic names each of its plugins as the app loads: not worth a line a worker.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    werkzeug = logging.getLogger("werkzeug")
    if _drop_werkzeug_request_lines not in werkzeug.filters:
        werkzeug.addFilter(_drop_werkzeug_request_lines)
    return handler


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    if "request_id" not in g:  # a hook before ours failed; nothing to tie the line to
        return response
    response.headers[REQUEST_ID_HEADER] = g.request_id
    duration = (time.perf_counter() - g.request_started) * 1000
    access_log.info(
        "%s %s %s",
        request.method,
        _logged_path(),
        response.status_code,
        extra={"status": response.status_code, "duration_ms": round(duration, 1)},
    )
    return response


def init_app(app: Flask) -> None:
    configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    # Flask's own handler would print each app.logger line a second time, as plain text.
    app.logger.removeHandler(default_handler)
    # First of the before-request hooks, so every later line (the access guard's, the
    # rate limiter's) carries the id.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_finish_request)
