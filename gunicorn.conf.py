"""gunicorn's settings for bench: `gunicorn -c gunicorn.conf.py wsgi:app` (make serve, the
Docker image). Every value can be changed from the environment; README.md, "Production".

Workers are sync processes: bench's requests spend their time in Python (the comparison
engine, templates, Vega-Lite specs), not waiting, so more processes than cores buy little
but each holds its own comparison cache (hundreds of MB for a national network). One more
than the cores keeps a core busy while another worker waits on PostgreSQL.
"""

from __future__ import annotations

import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw else default


bind = os.environ.get("BENCH_BIND", "127.0.0.1:8000")
workers = _int("BENCH_WORKERS", _cores() + 1)
worker_class = "sync"

# A worker busy longer than this is killed and replaced. bench's own limits come first:
# a database statement stops after BENCH_DATABASE_STATEMENT_TIMEOUT (10 s), and the
# longest honest requests (a 100,000-row upload, a full-network export) take about 10 s.
timeout = _int("BENCH_WORKER_TIMEOUT", 60)
# On restart or SIGTERM, requests in flight get this long to finish.
graceful_timeout = _int("BENCH_GRACEFUL_TIMEOUT", 30)
keepalive = 5

# Replace each worker after about this many requests (bounds memory a long-lived worker
# could gather). High, because a new worker starts with a cold comparison cache (about
# 1.5 s to fill for one period's comparisons); the jitter keeps workers from restarting
# together. 0: never.
max_requests = _int("BENCH_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10

# Load the app once in the master, then fork: workers share its code pages, boot fast,
# and a configuration error (no SECRET_KEY, no PostgreSQL) stops the master at once
# instead of failing in every worker. Nothing connects while loading; post_fork drops
# any connection all the same, so no two processes share one. A new release needs a
# restart, not a HUP (which would reload from the preloaded code).
preload_app = os.environ.get("BENCH_PRELOAD", "1") == "1"

# The heartbeat file on memory, not a container's overlay filesystem (gunicorn's advice).
# (nosec B108: gunicorn's own directory for its heartbeat file, not bench's data.)
if os.path.isdir("/dev/shm"):  # noqa: S108  # nosec B108
    worker_tmp_dir = "/dev/shm"  # noqa: S108  # nosec B108


# Preloading, the master also works out every released period's comparisons before it
# forks (BENCH_WARM_CACHE=1, the default): each worker starts with them cached, and the
# workers share those arrays' memory (copy on write; nothing writes to them) until the
# data changes, when each works out its own again. Without it, each worker's first page
# pays the fill. A database away at start is not fatal: workers then fill as they go.
warm_cache = os.environ.get("BENCH_WARM_CACHE", "1") == "1"


def when_ready(server):  # noqa: ANN001, ANN201 - gunicorn's hook signature
    """In the master, once the app is loaded and before any worker is forked."""
    if not (server.cfg.preload_app and warm_cache):
        return
    import time

    from bench.compare import service
    from bench.extensions import db

    app = server.app.wsgi()
    started = time.perf_counter()
    with app.app_context():
        try:
            periods = service.warm()
        except Exception as error:  # noqa: BLE001 - a cold start is still a start
            server.log.warning("comparison cache not warmed: %s", type(error).__name__)
        else:
            server.log.info(
                "comparison cache warmed: %d periods in %.1f s",
                periods,
                time.perf_counter() - started,
            )
        finally:
            db.session.remove()
            db.engine.dispose()


def post_fork(server, worker):  # noqa: ANN001, ANN201 - gunicorn's hook signature
    """In each new worker: forget the master's database connections (if it made any)
    without closing them, as SQLAlchemy advises after fork."""
    if not server.cfg.preload_app:
        return
    from bench.extensions import db

    app = worker.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)


# Logs: gunicorn's access log is off (bench writes its own access line, with the request
# id and without the query string); gunicorn's own messages go through bench's handler,
# as JSON unless BENCH_LOG_FORMAT=text.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("BENCH_LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": loglevel.upper(), "handlers": ["bench"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    },
    "handlers": {
        "bench": {
            "()": "bench.logs.StderrHandler",
            "format": os.environ.get("BENCH_LOG_FORMAT", "json"),
        }
    },
    "formatters": {},
}

# No control socket (gunicornc is not used; signals do the same). Its default path is one
# per user, so two servers on one machine would take each other's.
control_socket_disable = True
