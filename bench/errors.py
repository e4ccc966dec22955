"""Domain errors (no HTTP here) and the one place that maps errors to pages or, for the
JSON API, to RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from flask import Flask, Response, current_app, g, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as database_errors
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from bench import messages
from bench.api import is_api_request
from bench.extensions import db


class BenchError(Exception):
    """Base of the errors services raise for the views to report."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(BenchError):
    """The thing does not exist, or the user may not know it exists."""


class NotAllowed(BenchError):
    """The user may not do this."""


class InvalidInput(BenchError):
    """The input breaks a rule; ``field`` names the form field when there is one."""


class Conflict(BenchError):
    """The change clashes with the current state (a duplicate, a stale edit)."""


@dataclass(frozen=True)
class RowError:
    """One problem with one row (1-based, as a spreadsheet numbers it) and field."""

    row: int | None
    field: str
    message: str


class ValidationFailed(BenchError):
    """A batch (file, form or API body) broke rules; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found")
        self.errors = errors


ERROR_PAGES = {
    400: ("Sorry, there is a problem with your request", "errors/400.html"),
    403: ("You do not have access to this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("Sorry, there is a problem with your request", "errors/400.html"),
    409: ("Sorry, that could not be done", "errors/problems.html"),
    422: ("Sorry, there is a problem with what you sent", "errors/problems.html"),
    413: ("The file is too large", "errors/413.html"),
    429: ("Too many attempts", "errors/429.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
    503: ("Sorry, the service is unavailable", "errors/503.html"),
}

# How long a client should wait before trying again when the database is unavailable.
RETRY_AFTER_SECONDS = 30


def render_error(status: int, **context: Any) -> tuple[str, int]:
    title, template = ERROR_PAGES.get(status, ERROR_PAGES[500])
    return render_template(template, title=title, status=status, **context), status


PROBLEM_MIMETYPE = "application/problem+json"
# Where the API reference explains a validation failure (a URI reference, RFC 9457 3.1.1).
VALIDATION_PROBLEM_TYPE = "/api/reference#validation-failed"
# Our words where Werkzeug's default text is written for browsers.
PROBLEM_DETAILS = {
    401: messages.API_TOKEN_REQUIRED,
    403: messages.API_FORBIDDEN,
    404: messages.API_NOT_FOUND,
    500: messages.API_SERVER_ERROR,
    503: messages.API_UNAVAILABLE,
}


def problem(
    status: int,
    detail: str | None = None,
    errors: list[RowError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An RFC 9457 problem response; *errors* (row, field, message) for validation."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail or PROBLEM_DETAILS.get(status, HTTP_STATUS_CODES.get(status, "")),
    }
    if errors is not None:
        body["type"] = VALIDATION_PROBLEM_TYPE
        body["title"] = "Validation failed"
        body["errors"] = [asdict(error) for error in errors]
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="bench"'
    response.headers.update(headers or {})
    return response


def _http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    detail = PROBLEM_DETAILS.get(status, error.description)
    if status == 400 and error.description != type(error).description:
        detail = error.description  # the view's own words (abort(400, ...))
    allow = dict(error.get_headers()).get("Allow")
    return problem(status, detail, headers={"Allow": allow} if allow else None)


def database_unavailable(error: BaseException) -> bool:
    """Whether *error* says the database is down, hung or busy rather than a bug:
    refused or timed-out connections, a statement cut short by its timeout, a locked
    SQLite file, no free connection in the pool, a connection lost mid-request."""
    if isinstance(error, database_errors.TimeoutError):
        return True
    if isinstance(error, database_errors.OperationalError):
        original = getattr(error, "orig", None)
        if type(original).__module__.startswith("sqlite3"):
            # sqlite3 calls a missing column an OperationalError too: that is a bug (500),
            # not a database that is away.
            message = str(original).lower()
            return any(word in message for word in SQLITE_AWAY)
        return True
    return isinstance(error, database_errors.DBAPIError) and error.connection_invalidated


SQLITE_AWAY = ("locked", "busy", "unable to open", "disk i/o")


def _end_transaction() -> bool:
    """Roll back what the failed request left, so the error page can be drawn (a failed
    transaction refuses every later statement). False when even that failed."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database is gone; the page must still be drawn
        current_app.logger.warning("Rollback after an error failed", exc_info=True)
        return False
    return True


def _unavailable() -> Any:
    """503 without touching the database again: the page is drawn as for a visitor (the
    user cannot be loaded), and the client is told when to come back."""
    g._login_user = current_app.login_manager.anonymous_user()  # Flask-Login's per-request user
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api_request():
        return problem(503, headers=headers)
    page, status = render_error(503)
    return page, status, headers


# Each domain error's status, for pages and the API alike (the nearest class counts).
DOMAIN_STATUS: dict[type[BenchError], int] = {
    NotFound: 404,
    NotAllowed: 403,
    Conflict: 409,
    InvalidInput: 422,
    ValidationFailed: 422,
    BenchError: 422,
}


def domain_status(error: BenchError) -> int:
    return next(DOMAIN_STATUS[kind] for kind in type(error).__mro__ if kind in DOMAIN_STATUS)


def domain_error_response(error: BenchError) -> Any:
    """A domain error no view handled: problem+json, or bench's page with its status.

    Pages say what was wrong (the messages are written for users), except where the
    user may not know the thing exists (404) or may not do it (403).
    """
    status = domain_status(error)
    errors: list[RowError] | None = None
    detail = error.message
    if isinstance(error, ValidationFailed):
        errors, count = error.errors, len(error.errors)
        detail = messages.API_VALIDATION_FAILED.format(count=count, s="" if count == 1 else "s")
    elif isinstance(error, InvalidInput):
        errors = [RowError(None, error.field or "", error.message)]
    if is_api_request():
        return problem(status, detail, errors)
    if status in (403, 404):
        return render_error(status)
    return render_error(status, problems=[e.message for e in errors or []] or [error.message])


def register_error_handlers(app: Flask) -> None:
    """The one place errors become responses: GOV.UK pages, or problem+json under the API."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Any:
        if is_api_request():
            return _http_problem(error)
        return render_error(400, reason="csrf")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        if is_api_request():
            return _http_problem(error)
        if error.code in ERROR_PAGES:
            return render_error(error.code or 500)
        return error

    @app.errorhandler(BenchError)
    def _domain(error: BenchError) -> Any:
        return domain_error_response(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return _http(error)
        rolled_back = _end_transaction()
        if database_unavailable(error) or not rolled_back:
            # One line per request, not a traceback each, while the database is away.
            app.logger.error("Database unavailable, answered 503: %s", error)
            return _unavailable()
        app.logger.exception("Unhandled error")
        if is_api_request():
            return problem(500)
        return render_error(500)
