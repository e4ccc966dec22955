"""What one process keeps between requests: built pages, and the parts of pages rendered
from them, each under a key that holds everything it was built from (a data version
first), so that a kept item is never stale and never another authority's. Per process:
a worker fills its own after each change of the data (README.md, "Under load"), and
nothing is shared between workers or hosts. And what one request keeps of what it has
read, until it writes (:func:`request_memo`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, ClassVar

from flask import has_request_context, render_template, request
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session


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


_MEMO = "bench_request_memo"


def request_memo(name: str) -> dict[Any, Any]:
    """What this request has read under *name* (the data state, the header's count),
    forgotten as soon as anything in the request writes: a flush, a commit, a rollback,
    or a statement that is not a SELECT. Outside a request, an empty dict each time."""
    if not has_request_context():
        return {}
    return request.__dict__.setdefault(_MEMO, {}).setdefault(name, {})


def _forget(*_arguments: Any) -> None:
    if has_request_context():
        request.__dict__.pop(_MEMO, None)


def _forget_after_write(state: ORMExecuteState) -> None:
    if not state.is_select:
        _forget()


event.listen(Session, "after_flush", _forget)
event.listen(Session, "after_commit", _forget)
event.listen(Session, "after_soft_rollback", _forget)
event.listen(Session, "do_orm_execute", _forget_after_write)
