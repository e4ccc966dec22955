"""Pages of the staffviews area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staffviews", __name__, url_prefix="/staff-views")
