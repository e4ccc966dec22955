"""The search area's routes of the JSON API (/api/v1): same rules as its pages."""

from __future__ import annotations

from flask import Blueprint

from bench.api import API_PREFIX

bp = Blueprint("search_api", __name__, url_prefix=API_PREFIX)
