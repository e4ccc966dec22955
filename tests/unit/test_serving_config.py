"""Serving settings: plain HTTP for a local trial, proxies, log format and level."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "BENCH_CONFIG": "production",
    "SECRET_KEY": "k" * 48,
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}
SHOW = (
    "import json, wsgi; c = wsgi.app.config; print(json.dumps({k: c.get(k) for k in "
    "('SESSION_COOKIE_SECURE', 'REMEMBER_COOKIE_SECURE', 'STRICT_TRANSPORT_SECURITY', "
    "'PREFERRED_URL_SCHEME', 'PROXY_HOPS', 'LOG_FORMAT', 'LOG_LEVEL')}))"
)
OURS = {"BENCH_PLAIN_HTTP", "BENCH_PROXY_HOPS", "BENCH_LOG_FORMAT", "BENCH_LOG_LEVEL"}


def _run(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OURS | set(PRODUCTION)}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _settings(env: dict[str, str]) -> dict:
    result = _run(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_is_https_behind_one_proxy_and_logs_json():
    settings = _settings(PRODUCTION)
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert settings["STRICT_TRANSPORT_SECURITY"].startswith("max-age=")
    assert settings["PREFERRED_URL_SCHEME"] == "https"
    assert settings["PROXY_HOPS"] == 1
    assert (settings["LOG_FORMAT"], settings["LOG_LEVEL"]) == ("json", "INFO")


def test_plain_http_for_a_local_trial_drops_secure_cookies_and_hsts():
    settings = _settings({**PRODUCTION, "BENCH_PLAIN_HTTP": "1", "BENCH_PROXY_HOPS": "0"})
    assert not settings["SESSION_COOKIE_SECURE"] and not settings["REMEMBER_COOKIE_SECURE"]
    assert settings["STRICT_TRANSPORT_SECURITY"] == ""
    assert settings["PREFERRED_URL_SCHEME"] == "http"
    assert settings["PROXY_HOPS"] == 0


def test_development_logs_text_and_trusts_no_proxy():
    settings = _settings({"BENCH_CONFIG": "development"})
    assert (settings["LOG_FORMAT"], settings["PROXY_HOPS"]) == ("text", 0)


@pytest.mark.parametrize(
    ("variable", "value"), [("BENCH_LOG_FORMAT", "yaml"), ("BENCH_LOG_LEVEL", "LOUD")]
)
def test_a_bad_log_setting_stops_the_start_naming_it(variable, value):
    result = _run({**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr and variable in result.stderr
