"""Pages of the actions area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("actions", __name__, url_prefix="/actions")
