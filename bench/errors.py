"""Domain errors (no HTTP here) and the one place that maps errors to pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


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
    413: ("The file is too large", "errors/413.html"),
    429: ("Too many attempts", "errors/429.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
}


def render_error(status: int, **context: Any) -> tuple[str, int]:
    title, template = ERROR_PAGES.get(status, ERROR_PAGES[500])
    return render_template(template, title=title, status=status, **context), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        return render_error(400, reason="csrf")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        if error.code in ERROR_PAGES:
            return render_error(error.code or 500)
        return error

    @app.errorhandler(NotFound)
    def _not_found(error: NotFound) -> tuple[str, int]:
        return render_error(404)

    @app.errorhandler(NotAllowed)
    def _not_allowed(error: NotAllowed) -> tuple[str, int]:
        return render_error(403)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return _http(error)
        app.logger.exception("Unhandled error")
        return render_error(500)
