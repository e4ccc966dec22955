"""The JSON API under /api/v1: personal tokens, not cookies, and problem+json errors.

Only what the access guard, the user loaders and the error handlers need to tell an API
request from a page request lives here, so that importing it pulls in nothing else.
"""

from __future__ import annotations

from flask import has_request_context, request

API_PREFIX = "/api/v1"


def is_api_request() -> bool:
    """Whether this request is for the JSON API (by path: unknown API URLs count too)."""
    if not has_request_context():
        return False
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")
