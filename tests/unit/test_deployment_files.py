"""Dockerfile, compose.yaml, .dockerignore and gunicorn.conf.py agree with the code.

No Docker engine runs these tests: they read the files. compose.yaml's environment must
satisfy config.check_production (what production refuses to start without), its
services must wait for what they need, and the Dockerfile may only copy and run what
exists in the repository.
"""

from __future__ import annotations

import re
import runpy
import shlex
from pathlib import Path

import pytest
import yaml

import config

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
# Instructions, with continuation lines joined.
INSTRUCTIONS = [
    line.strip()
    for line in re.sub(r"\\\n\s*", " ", DOCKERFILE).splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]
# What compose.yaml's ${NAME:?…} would be given from a .env file.
GIVEN = {"SECRET_KEY": "s" * 48, "POSTGRES_PASSWORD": "pg-password"}


def _interpolate(value: str, given: dict[str, str]) -> str:
    """Compose's ${NAME:?error}, ${NAME:-default} and ${NAME}, with *given* as the env."""

    def one(match: re.Match) -> str:
        name, operator, rest = match["name"], match["op"] or "", match["rest"] or ""
        if name in given:
            return given[name]
        if operator == ":?":
            raise AssertionError(f"compose.yaml requires {name}")
        return rest if operator == ":-" else ""

    return re.sub(r"\$\{(?P<name>\w+)(?:(?P<op>:[?-])(?P<rest>[^}]*))?\}", one, value)


def _environment(service: str, given: dict[str, str] = GIVEN) -> dict[str, str]:
    return {k: _interpolate(str(v), given) for k, v in SERVICES[service]["environment"].items()}


@pytest.mark.parametrize("service", ["app", "migrate"])
def test_compose_gives_production_everything_it_requires(service):
    env = _environment(service)
    assert env["BENCH_CONFIG"] == "production"
    # The production configuration as these variables make it, checked by config.py.
    production = type(
        "ComposeProduction",
        (config.ProductionConfig,),
        {
            "SECRET_KEY": env["SECRET_KEY"],
            "DATABASE_URL": env["DATABASE_URL"],
            "RATELIMIT_STORAGE_URI": env["REDIS_URL"],
        },
    )
    config.check_production(production)
    # The URLs name compose's own services, with the database's own credentials.
    assert env["DATABASE_URL"] == "postgresql://bench:pg-password@db:5432/bench"
    db = SERVICES["db"]["environment"]
    assert (db["POSTGRES_DB"], db["POSTGRES_USER"]) == ("bench", "bench")
    assert env["REDIS_URL"].startswith("redis://redis:6379/")


@pytest.mark.parametrize("missing", sorted(GIVEN))
def test_compose_refuses_to_start_without_its_secrets(missing):
    given = {name: value for name, value in GIVEN.items() if name != missing}
    with pytest.raises(AssertionError, match=missing):
        _environment("app", given)


def test_compose_services_have_healthchecks_and_wait_for_each_other():
    assert SERVICES["db"]["image"] == "postgres:15"
    assert SERVICES["redis"]["image"] == "redis:7"
    for name in ("db", "redis", "app"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(SERVICES["app"]["healthcheck"]["test"])
    assert SERVICES["migrate"]["command"][-2:] == ["db", "upgrade"]
    assert SERVICES["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    waits = SERVICES["app"]["depends_on"]
    assert waits["migrate"]["condition"] == "service_completed_successfully"
    assert waits["db"]["condition"] == waits["redis"]["condition"] == "service_healthy"
    # PostgreSQL's data outlives the container; only the app is published, on loopback.
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    assert "pgdata" in COMPOSE["volumes"]
    assert SERVICES["app"]["ports"] == ["127.0.0.1:8000:8000"]
    assert "ports" not in SERVICES["db"] and "ports" not in SERVICES["redis"]


def test_dockerfile_copies_only_what_exists_and_runs_gunicorn_unprivileged():
    stages = [i for i in INSTRUCTIONS if i.startswith("FROM ")]
    assert stages[0].startswith("FROM node:") and stages[0].endswith(" AS assets")
    assert stages[-1] == "FROM python:3.11-slim"
    runs = " ".join(i for i in INSTRUCTIONS if i.startswith("RUN "))
    assert "npm ci" in runs and "npm run build" in runs and "pip install ." in runs
    assert "-e " not in runs  # the package is installed, not editable
    for instruction in INSTRUCTIONS:
        if not instruction.startswith("COPY ") or "--from=" in instruction:
            continue
        *sources, _target = shlex.split(instruction)[1:]
        for source in sources:
            assert (ROOT / source).exists(), f"{instruction}: {source} does not exist"
    users = [i.split()[1] for i in INSTRUCTIONS if i.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    health = next(i for i in INSTRUCTIONS if i.startswith("HEALTHCHECK "))
    assert "/healthz" in health
    command = next(i for i in INSTRUCTIONS if i.startswith("CMD "))
    assert command == 'CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]'
    assert (ROOT / "gunicorn.conf.py").exists() and (ROOT / "wsgi.py").exists()
    # The assets stage builds with the files `npm run build` reads.
    assert (ROOT / "assets" / "build.mjs").exists() and (ROOT / "package-lock.json").exists()


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "node_modules", "instance", "bench/static/dist"} <= ignored
    for needed in ("bench", "seed", "migrations", "assets", "config.py", "wsgi.py"):
        assert needed not in ignored, needed


def test_gunicorn_settings(monkeypatch):
    monkeypatch.setenv("BENCH_WORKERS", "3")
    monkeypatch.setenv("BENCH_LOG_FORMAT", "text")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == 3
    assert settings["accesslog"] is None  # bench writes its own access lines
    assert settings["logconfig_dict"]["loggers"]["gunicorn.access"]["propagate"] is False
    assert settings["logconfig_dict"]["handlers"]["bench"]["format"] == "text"
    assert settings["preload_app"] is True and "post_fork" in settings
    assert settings["timeout"] > settings["graceful_timeout"] > 0
    monkeypatch.delenv("BENCH_WORKERS")
    default = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]
    assert default >= 2
