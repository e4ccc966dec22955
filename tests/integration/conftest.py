"""Fixtures for the integration tests beyond tests/conftest.py's."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest

from bench.models import base as model_base


@pytest.fixture
def clock(monkeypatch):
    """The application's clock, set to a chosen moment: every bench module that reads
    ``utcnow`` reads the moment given to ``clock.set`` (the real time until then)."""

    class Clock:
        moment = None

        def now(self):
            return self.moment or datetime.now(UTC)

        def set(self, moment):
            self.moment = moment

    fake = Clock()
    original = model_base.utcnow
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "bench" and getattr(module, "utcnow", None) is original:
            monkeypatch.setattr(module, "utcnow", fake.now)
    return fake
