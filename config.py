"""Configurations for bench, read from environment variables.

``BENCH_CONFIG`` picks one of ``development`` (the default), ``test`` or ``production``.
Every setting a deployment may change is read from the environment; see README.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# The development key is public (it is in this file), so production refuses it.
DEVELOPMENT_SECRET_KEY = "bench-development-key-not-for-production"  # noqa: S105


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


class Config:
    """Settings shared by every configuration."""

    NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'bench.sqlite3'}")
    REDIS_URL = os.environ.get("REDIS_URL", "")

    # A database that is down or hung answers 503 within these limits, instead of holding
    # every worker until gunicorn kills it (seconds).
    # How long to wait to connect to PostgreSQL (libpq counts whole seconds, at least 2).
    DATABASE_CONNECT_TIMEOUT = _env_seconds("BENCH_DATABASE_CONNECT_TIMEOUT", 5)
    # The longest one statement of a web request may run, waiting on locks included
    # (PostgreSQL statement_timeout); on SQLite, how long to wait for another writer.
    DATABASE_STATEMENT_TIMEOUT = _env_seconds("BENCH_DATABASE_STATEMENT_TIMEOUT", 10)
    # How long a request waits for a free connection from its worker's pool.
    DATABASE_POOL_TIMEOUT = _env_seconds("BENCH_DATABASE_POOL_TIMEOUT", 5)

    # Sessions: the cookie carries only a session token; the server keeps the rest.
    SESSION_COOKIE_NAME = "bench_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # Strict-Transport-Security: production only (a development server speaks plain HTTP).
    STRICT_TRANSPORT_SECURITY = ""
    # A session ends at the sooner of two limits (NIST SP 800-63B 4.2.3, AAL2): this long
    # after signing in, however active ("Stay signed in" cannot pass it; the NIST ceiling is
    # 12 hours, 8 is a working day)...
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("BENCH_SESSION_HOURS", 8))
    # ...and this long after the last request (NIST: 30 minutes at most; shorter would sign
    # out someone reading a long comparison or writing a visit note, whose editor warns
    # two minutes before and keeps a draft).
    SESSION_IDLE_TIMEOUT = timedelta(minutes=max(1, _env_int("BENCH_SESSION_IDLE_MINUTES", 30)))
    # Creating API tokens, granting or revoking inspectors' access and managing users need
    # the password entered within this many minutes (signing in counts): a session cookie
    # stolen or a computer left unlocked cannot do them for long.
    REAUTHENTICATION_WINDOW = timedelta(minutes=max(1, _env_int("BENCH_REAUTH_MINUTES", 15)))
    REMEMBER_COOKIE_HTTPONLY = True

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Sign-in attempts (Flask-Limiter syntax). Only wrong credentials count.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down or hung: count in this process's memory until it is back (the limits
    # then hold per worker), and give up on Redis within half a second, not at 15 s.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {
        "socket_connect_timeout": _env_seconds("BENCH_REDIS_TIMEOUT", 0.5),
        "socket_timeout": _env_seconds("BENCH_REDIS_TIMEOUT", 0.5),
    }
    # Failures for one account from one address: the owner elsewhere is not locked out.
    SIGN_IN_LIMIT_PER_ACCOUNT_AND_ADDRESS = os.environ.get(
        "BENCH_SIGN_IN_LIMIT_PER_ACCOUNT_AND_ADDRESS", "5 per 15 minutes"
    )
    # Failures for one account from anywhere: slows guessing spread over many addresses
    # (NIST SP 800-63B 5.2.2: no more than 100 in a row).
    SIGN_IN_LIMIT_PER_ACCOUNT = os.environ.get("BENCH_SIGN_IN_LIMIT_PER_ACCOUNT", "50 per hour")
    SIGN_IN_LIMIT_PER_ADDRESS = os.environ.get(
        "BENCH_SIGN_IN_LIMIT_PER_ADDRESS", "20 per 15 minutes"
    )

    # Password hashing (argon2id); defaults are argon2-cffi's RFC 9106 low-memory profile.
    ARGON2_TIME_COST = _env_int("BENCH_ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _env_int("BENCH_ARGON2_MEMORY_COST", 65536)
    ARGON2_PARALLELISM = _env_int("BENCH_ARGON2_PARALLELISM", 4)

    INVITATION_LIFETIME = timedelta(days=_env_int("BENCH_INVITATION_DAYS", 7))
    # How long a request for allies stays open; a decline looks like silence until then.
    ALLY_REQUEST_DAYS = max(1, _env_int("BENCH_ALLY_REQUEST_DAYS", 30))
    # How long an unpublished note draft (autosaved, or saved without JavaScript) is kept.
    NOTE_DRAFT_DAYS = max(1, _env_int("BENCH_NOTE_DRAFT_DAYS", 30))

    # Anonymity: no group statistic from fewer than this many peers (never below 3).
    ANONYMITY_MIN_PEERS = max(3, _env_int("BENCH_ANONYMITY_MIN_PEERS", 5))

    # How an over-dispersed peer group's funnel is widened: multiplicative or additive.
    OVERDISPERSION_ADJUSTMENT = os.environ.get("BENCH_OVERDISPERSION", "multiplicative")

    # Computed statistical neighbours: the network's one fixed k (DESIGN.md, Anonymity 9).
    COMPUTED_NEIGHBOURS_K = _env_int("BENCH_COMPUTED_NEIGHBOURS_K", 15)

    DEMO_PASSWORD = os.environ.get("BENCH_DEMO_PASSWORD", "bench-demo-password")
    SEED_ALLOWED = True

    SMTP_HOST = os.environ.get("BENCH_SMTP_HOST", "")
    SMTP_PORT = _env_int("BENCH_SMTP_PORT", 587)
    SMTP_USER = os.environ.get("BENCH_SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("BENCH_SMTP_PASSWORD", "")
    MAIL_FROM = os.environ.get("BENCH_MAIL_FROM", "bench@localhost")
    # Where users reach bench, for links in emails sent from cron (outside any request).
    BASE_URL = os.environ.get("BENCH_BASE_URL", "http://127.0.0.1:5000")

    MAX_CONTENT_LENGTH = _env_int("BENCH_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

    # Logs: one line a record on stderr, `json` (one object a line) or `text`; see bench/logs.py.
    LOG_FORMAT = os.environ.get("BENCH_LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("BENCH_LOG_LEVEL", "INFO")
    # How many proxies in front set X-Forwarded-For and X-Forwarded-Proto (0: none, the
    # client talks to bench directly). Trusting more hops than there are lets a client
    # choose the address its sign-in attempts are counted against.
    PROXY_HOPS = max(0, _env_int("BENCH_PROXY_HOPS", 0))
    # /readyz: how long to wait for the database (libpq counts whole seconds, at least 2).
    READINESS_TIMEOUT = _env_seconds("BENCH_READINESS_TIMEOUT", 2)


class DevelopmentConfig(Config):
    NAME = "development"
    DEBUG = False


class TestConfig(Config):
    NAME = "test"
    TESTING = True
    SECRET_KEY = "bench-test-key"  # noqa: S105
    DATABASE_URL = os.environ.get("TEST_SQLITE_URL", "sqlite://")
    # Cheap hashing keeps the suite fast; production uses the defaults above.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "memory"


def _plain_http() -> bool:
    return os.environ.get("BENCH_PLAIN_HTTP", "") == "1"


class ProductionConfig(Config):
    NAME = "production"
    # BENCH_PLAIN_HTTP=1 (`make serve`, compose.yaml: a trial on http://127.0.0.1 with no
    # TLS proxy) drops what needs HTTPS: Secure cookies (a browser would not send them
    # back over plain HTTP, so nobody could sign in) and Strict-Transport-Security.
    PLAIN_HTTP = _plain_http()
    SESSION_COOKIE_SECURE = not PLAIN_HTTP
    REMEMBER_COOKIE_SECURE = not PLAIN_HTTP
    SEED_ALLOWED = False
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "")
    PREFERRED_URL_SCHEME = "http" if PLAIN_HTTP else "https"
    # Two years, the HSTS preload list's minimum; browsers then refuse plain HTTP.
    STRICT_TRANSPORT_SECURITY = (
        ""
        if PLAIN_HTTP
        else os.environ.get(
            "BENCH_STRICT_TRANSPORT_SECURITY", "max-age=63072000; includeSubDomains"
        )
    )
    LOG_FORMAT = os.environ.get("BENCH_LOG_FORMAT", "json")
    # Production runs behind one TLS-terminating proxy (README, "Production").
    PROXY_HOPS = max(0, _env_int("BENCH_PROXY_HOPS", 1))


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


class ConfigurationError(RuntimeError):
    """The environment does not describe a configuration bench can run with."""


def load(name: str | None = None) -> type[Config]:
    """Return the configuration class named by *name* or ``BENCH_CONFIG``."""
    name = name or os.environ.get("BENCH_CONFIG", "development")
    try:
        config = CONFIGS[name]
    except KeyError:
        raise ConfigurationError(
            f"BENCH_CONFIG={name!r} is not one of {', '.join(sorted(CONFIGS))}"
        ) from None
    if config is ProductionConfig:
        check_production(config)
    return config


def check_production(config: type[Config]) -> None:
    """Refuse to start production without the settings it cannot do without."""
    key = config.SECRET_KEY or ""
    if key in ("", DEVELOPMENT_SECRET_KEY) or len(key) < 32:
        raise ConfigurationError(
            "Production needs SECRET_KEY: a random value of at least 32 characters "
            '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))").'
        )
    if config.DATABASE_URL.startswith("sqlite"):
        raise ConfigurationError("Production needs DATABASE_URL pointing at PostgreSQL.")
    if not config.RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://")):
        raise ConfigurationError("Production needs REDIS_URL for the sign-in rate limits.")
