"""The role x route rows of each product area, gathered for tests/integration/test_access.py
(pages, by role) and tests/integration/test_api.py (the API, by role and token scope).

Each module here (one an area) defines:

- ``ROUTES``: ``{(method, rule): {role: status}}`` for its pages, as in test_access.py;
- ``API_ROUTES``: ``{(method, rule): {scope: {role: status}}}`` for its API routes (a
  missing role means 403), as in test_api.py;
- ``stranger_ids(stranger, third, stranger_user)``: ids of objects that belong to a
  stranger authority (with ``third`` as its ally), keyed by the rules' parameter names
  (``<review_id>`` is ``ids["review_id"]``): no one else may know they exist, so every
  role's answer is a 404 or a refusal before it.

The API table tries its routes with ids that name nothing (``no-such-id``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

ROUTES: dict[tuple[str, str], dict[Any, int]] = {}
API_ROUTES: dict[tuple[str, str], dict[Any, dict[Any, int]]] = {}
STRANGER_IDS: list[Callable[..., dict[str, str]]] = []

for _module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
    _module = importlib.import_module(f"{__name__}.{_module_info.name}")
    ROUTES.update(getattr(_module, "ROUTES", {}))
    API_ROUTES.update(getattr(_module, "API_ROUTES", {}))
    if hasattr(_module, "stranger_ids"):
        STRANGER_IDS.append(_module.stranger_ids)


def stranger_ids(stranger: Any, third: Any, stranger_user: Any) -> dict[str, str]:
    ids: dict[str, str] = {}
    for make in STRANGER_IDS:
        ids.update(make(stranger, third, stranger_user))
    return ids
