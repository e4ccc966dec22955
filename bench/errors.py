"""Domain errors (no HTTP here) and the one place that maps errors to pages or, for the
JSON API, to RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from flask import Flask, Response, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from bench import messages
from bench.api import is_api_request


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
}


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
        app.logger.exception("Unhandled error")
        if is_api_request():
            return problem(500)
        return render_error(500)
