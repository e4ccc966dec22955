"""What one process keeps between requests: built pages, and the parts of pages rendered
from them, each under a key that holds everything it was built from (a data version
first), so that a kept item is never stale and never another authority's. Per process:
a worker fills its own after each change of the data (README.md, "Under load"), and
nothing is shared between workers or hosts."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, ClassVar

from flask import render_template, request
from markupsafe import Markup


class KeptItems:
    """Items by key (a data version first), shared by the requests of one process, the
    least recently used dropped beyond *size*."""

    _every: ClassVar[list[KeptItems]] = []

    def __init__(self, size: int) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        KeptItems._every.append(self)

    @classmethod
    def clear_every(cls) -> None:
        """Empties every cache of built results and pages (tests: a rolled-back test can
        leave the next one the same data version)."""
        for items in cls._every:
            items.clear()

    def get(self, key: Any) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: Any, item: Any) -> None:
        with self._lock:
            self._items[key] = item
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def rendered(items: KeptItems, key: Any, template: str, **context: Any) -> Markup:
    """*template* rendered with *context*, kept in *items* under *key* (None: rendered
    afresh, never kept). *key* must hold everything the template reads; the links' root
    (a proxy's X-Forwarded-Prefix) is added here."""
    if key is not None:
        key = (request.script_root, key)
    kept = items.get(key) if key is not None else None
    if kept is None:
        # Rendered by Jinja with autoescape on, as the page it goes in: safe as it is.
        kept = Markup(render_template(template, **context))  # noqa: S704
        if key is not None:
            items.put(key, kept)
    return kept
