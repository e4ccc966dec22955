"""Pages of the visits area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("visits", __name__, url_prefix="/visits")
