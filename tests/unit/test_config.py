"""Configurations come from the environment; production refuses unsafe settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import config

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 48


def _start(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env={**clean, "BENCH_CONFIG": "production", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": config.DEVELOPMENT_SECRET_KEY}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY}, "DATABASE_URL"),
        (
            {"SECRET_KEY": GOOD_KEY, "DATABASE_URL": "postgresql://db/bench"},
            "REDIS_URL",
        ),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(env, complaint):
    result = _start(env)
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr
    assert complaint in result.stderr


def test_production_starts_with_real_settings():
    result = _start(
        {
            "SECRET_KEY": GOOD_KEY,
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr


def test_production_cookies_are_secure():
    assert config.ProductionConfig.SESSION_COOKIE_SECURE is True
    assert config.Config.SESSION_COOKIE_HTTPONLY is True


def test_unknown_configuration_name():
    with pytest.raises(config.ConfigurationError, match="not one of"):
        config.load("staging")


def test_anonymity_threshold_never_below_three(monkeypatch):
    monkeypatch.setenv("BENCH_ANONYMITY_MIN_PEERS", "1")
    import importlib

    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.ANONYMITY_MIN_PEERS == 3
    finally:
        monkeypatch.delenv("BENCH_ANONYMITY_MIN_PEERS")
        importlib.reload(config)


def test_database_and_redis_timeouts_come_from_the_environment(monkeypatch):
    import importlib

    settings = {
        "BENCH_DATABASE_CONNECT_TIMEOUT": ("DATABASE_CONNECT_TIMEOUT", 3.0, 5),
        "BENCH_DATABASE_STATEMENT_TIMEOUT": ("DATABASE_STATEMENT_TIMEOUT", 2.5, 10),
        "BENCH_DATABASE_POOL_TIMEOUT": ("DATABASE_POOL_TIMEOUT", 4.0, 5),
    }
    assert {name: getattr(config.Config, name) for name, _, _ in settings.values()} == {
        name: default for name, _, default in settings.values()
    }
    for variable, (_, value, _) in settings.items():
        monkeypatch.setenv(variable, str(value))
    monkeypatch.setenv("BENCH_REDIS_TIMEOUT", "0.25")
    reloaded = importlib.reload(config)
    try:
        for name, value, _ in settings.values():
            assert getattr(reloaded.Config, name) == value
        assert reloaded.Config.RATELIMIT_STORAGE_OPTIONS == {
            "socket_connect_timeout": 0.25,
            "socket_timeout": 0.25,
        }
        assert reloaded.ProductionConfig.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED is True
    finally:
        for variable in [*settings, "BENCH_REDIS_TIMEOUT"]:
            monkeypatch.delenv(variable)
        importlib.reload(config)
