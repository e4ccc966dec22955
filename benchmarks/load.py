"""``make load``: bench under gunicorn on PostgreSQL, driven by many signed-in users at once.

What it does, every step bounded and on loopback only:

1. Prepares a national-scale network in its own PostgreSQL database (``bench_load`` unless
   ``BENCH_LOAD_DATABASE_URL`` says otherwise): 400 authorities, 100 indicators, 12 periods,
   15 neighbours each, as ``make bench`` builds it, plus staff, an analyst and an inspector.
   The first run builds it (about a minute); later runs reuse it. ``--network demo``: the
   demo network instead (``bench_load_demo``), as PERFORMANCE.md's first figures were
   measured.
2. Starts gunicorn with the production configuration (``gunicorn.conf.py``; 2 workers on
   this 2-core machine unless ``BENCH_WORKERS`` says otherwise) on a free loopback port,
   with Redis for the rate limits.
3. Signs every user in through the real sign-in form, warms each worker (``--warm``
   seconds of the same load, reported apart: pages are built once per worker and data
   version, and the phases measure the steady state), then runs closed loops of 10, 50
   and 100 users for ``--seconds`` each: staff browsing home, Where we
   stand (each peer-group kind), indicator pages and Norm or exception?; one analyst
   previewing an upload of their figures and confirming it once a phase; one inspector
   downloading the network's figures as CSV. Users wait ``--think`` seconds between pages,
   and before the first (0: back to back, the harshest case, as wrk measures).
4. Prints requests a second, errors and p50/p95/p99 per phase and per page kind, and one
   JSON line per phase for machines.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_DATABASE = "bench_load"
PASSWORD = "load-test-password-not-for-production"  # noqa: S105 - a throw-away database
STAFF = 110  # more than the largest phase, so that no two users share a session
LEVELS = (10, 50, 100)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
UPLOAD_BATCH = re.compile(r"/publish/uploads/(\d+)")


def _database_url(network: str) -> str:
    if os.environ.get("BENCH_LOAD_DATABASE_URL"):
        return os.environ["BENCH_LOAD_DATABASE_URL"]
    admin = make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_ADMIN_URL))
    database = DEFAULT_DATABASE if network == "national" else f"{DEFAULT_DATABASE}_{network}"
    return admin.set(database=database).render_as_string(hide_password=False)


def prepare(url: str, network: str = "national") -> dict[str, Any]:
    """The *network* (national, or the demo's) in *url*'s database (made once); returns who
    signs in as what."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from bench import create_app, security
    from bench.extensions import db
    from bench.models import Authority, Indicator, InspectorGrant, Period, Role, User, utcnow
    from benchmarks.compare import _load_national

    app = create_app("test", DATABASE_URL=url)
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count(Authority.id))):
            print(f"load: building the {network} network (once)...", flush=True)
            if network == "demo":
                from seed.demo import load_demo

                load_demo(PASSWORD)
            else:
                _load_national()
        authorities = list(db.session.scalars(select(Authority).order_by(Authority.id)))
        users = {user.email: user for user in db.session.scalars(select(User))}
        password_hash = security.hash_password(PASSWORD)

        def account(email: str, role: Role, authority: Authority | None) -> str:
            user = users.get(email)
            if user is None:
                user = User(email=email, name=email.split("@")[0], role=role)
                db.session.add(user)
            user.password_hash = password_hash
            user.authority_id = authority.id if authority else None
            user.active = True
            return email

        councils = authorities[:60]  # staff of many councils, several of some
        staff = [
            account(f"staff{n}@load.example.gov.uk", Role.STAFF, councils[n % len(councils)])
            for n in range(STAFF)
        ]
        analyst = account("analyst@load.example.gov.uk", Role.ANALYST, authorities[0])
        inspector = account("inspector@load.example.gov.uk", Role.INSPECTOR, None)
        db.session.flush()
        inspector_user = db.session.scalar(select(User).where(User.email == inspector))
        if not db.session.scalar(
            select(func.count(InspectorGrant.id)).where(
                InspectorGrant.inspector_id == inspector_user.id
            )
        ):
            now = utcnow()
            from datetime import timedelta

            db.session.add(
                InspectorGrant(
                    inspector_id=inspector_user.id,
                    authority_id=authorities[1].id,
                    starts_at=now - timedelta(days=1),
                    expires_at=now + timedelta(days=3650),
                    reason="Load test",
                )
            )
        db.session.commit()
        codes = list(db.session.scalars(select(Indicator.code).order_by(Indicator.code)))
        newest = db.session.scalar(select(Period.code).order_by(Period.starts_on.desc()))
        inspected = authorities[1].gss_code
        db.engine.dispose()
    return {
        "staff": staff, "analyst": analyst, "inspector": inspector,
        "inspected": inspected, "codes": codes, "period": newest,
    }  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    environment = {
        **os.environ,
        "BENCH_CONFIG": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "BENCH_WORKERS": str(workers),
        "BENCH_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    }
    settings = ROOT / "gunicorn.conf.py"
    command = [
        sys.executable, "-m", "gunicorn",
        *(["--config", str(settings)] if settings.exists() else []),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "wsgi:app",
    ]  # fmt: skip
    (ROOT / "instance").mkdir(exist_ok=True)  # a fresh clone has no instance folder yet
    log = open(ROOT / "instance" / "load-server.log", "ab")  # noqa: SIM115 - the server's
    server = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=environment, stdout=log, stderr=log, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/sign-in", timeout=10).status_code == 200:
                return server, base
        except requests.RequestException:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("load: gunicorn did not answer within 90 s (instance/load-server.log)")


class User:
    """One browser: its own session cookie, sent by hand (the cookie is Secure in
    production, and requests will not send a Secure cookie over plain HTTP)."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        self.email = email
        self.http = requests.Session()
        self.cookie = ""

    def _headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie} if self.cookie else {}

    def _keep(self, response: requests.Response) -> None:
        for value in response.raw.headers.getlist("Set-Cookie"):
            self.cookie = value.split(";", 1)[0]

    def get(self, path: str) -> requests.Response:
        response = self.http.get(
            self.base + path, headers=self._headers(), allow_redirects=False, timeout=60
        )
        self._keep(response)
        return response

    def post(self, path: str, data: dict[str, Any], files: Any = None) -> requests.Response:
        response = self.http.post(
            self.base + path, data=data, files=files, headers=self._headers(),
            allow_redirects=False, timeout=60,
        )  # fmt: skip
        self._keep(response)
        return response

    def csrf(self, path: str) -> str:
        match = CSRF.search(self.get(path).text)
        if match is None:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)

    def sign_in(self) -> None:
        token = self.csrf("/sign-in")
        response = self.post(
            "/sign-in", {"csrf_token": token, "email": self.email, "password": PASSWORD}
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.email} could not sign in: {response.status_code}")


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1


def _browse(user: User, codes: list[str], rng: random.Random) -> tuple[str, str]:
    group = rng.choice(["neighbours", "type", "region", "all"])
    roll = rng.random()
    if roll < 0.2:
        return "home", "/"
    if roll < 0.45:
        return "where_we_stand", f"/compare/?group={group}"
    if roll < 0.8:
        return "indicator", f"/compare/indicators/{rng.choice(codes)}?group={group}"
    return "norms", f"/compare/norms?group={group}"


def _upload_csv(codes: list[str], period: str, rng: random.Random) -> bytes:
    """The analyst's figures for the newest period, as the template lays them out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["indicator", "period", "numerator", "denominator", "value", "status", "note"])
    for code in codes[:60]:
        denominator = rng.randint(1000, 40000)
        numerator = rng.randint(50, denominator // 2)
        writer.writerow([code, period, numerator, denominator, "", "final", "load test"])
    return buffer.getvalue().encode()


def _analyst(
    user: User, codes: list[str], period: str, rng: random.Random, tally: Tally, stop: float
) -> None:
    """Preview an upload every few seconds; confirm one a phase, discard the others."""
    confirmed = False
    while time.monotonic() < stop:
        start = time.perf_counter()
        token = user.csrf("/publish/")
        files = {"file": ("figures.csv", _upload_csv(codes, period, rng), "text/csv")}
        response = user.post("/publish/upload", {"csrf_token": token}, files=files)
        batch = UPLOAD_BATCH.search(response.headers.get("Location", ""))
        if response.status_code == 302 and batch is not None:
            response = user.get(f"/publish/uploads/{batch.group(1)}")
            token = CSRF.search(response.text)
            if response.status_code == 200 and token is not None:
                verb = "discard" if confirmed else "confirm"
                response = user.post(
                    f"/publish/uploads/{batch.group(1)}/{verb}", {"csrf_token": token.group(1)}
                )
                confirmed = True
        ok = response.status_code in (200, 302) and "/sign-in" not in response.headers.get(
            "Location", ""
        )
        if not ok:
            print(f"load: upload step answered {response.status_code}", file=sys.stderr)
        tally.add("upload", time.perf_counter() - start, ok)
        time.sleep(5)


def _inspector(user: User, authority: str, tally: Tally, stop: float) -> None:
    """An inspector preparing a visit: the authority's comparisons as CSV, now and then."""
    files = ("where-we-stand.csv", "norm-or-exception.csv", "trends.csv")
    turn = 0
    while time.monotonic() < stop:
        start = time.perf_counter()
        response = user.get(f"/compare/export/{files[turn % 3]}?authority={authority}")
        ok = response.status_code == 200 and b"\n" in response.content
        tally.add("export", time.perf_counter() - start, ok)
        turn += 1
        time.sleep(2)


def _staff(
    user: User, codes: list[str], seed: int, think: float, tally: Tally, stop: float
) -> None:
    rng = random.Random(seed)
    if think:
        # Users are already at work when the phase starts: each reads for a while before
        # the first page, as before every other. Starting all at once would measure a
        # burst of N simultaneous clicks that no office produces.
        time.sleep(rng.expovariate(1 / think))
    while time.monotonic() < stop:
        kind, path = _browse(user, codes, rng)
        start = time.perf_counter()
        try:
            response = user.get(path)
            ok = response.status_code == 200
        except requests.RequestException:
            ok = False
        tally.add(kind, time.perf_counter() - start, ok)
        if think:
            time.sleep(rng.expovariate(1 / think))


def _processes(server_pid: int) -> dict[int, tuple[str, float]]:
    """Each server process (gunicorn's master and workers) and PostgreSQL process now
    running, with the CPU it has used so far: read from /proc (Linux; empty where it cannot
    be read)."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[str, float]] = {}
    try:
        entries = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return found
    for entry in entries:
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended while we looked
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        if int(entry) == server_pid or int(fields[1]) == server_pid:  # master or a worker
            found[int(entry)] = ("server", seconds)
        elif name.startswith("postgres"):
            found[int(entry)] = ("postgres", seconds)
    return found


class CpuMeter:
    """The CPU the server, PostgreSQL and this load generator (with wrk, once it has
    ended) use during a phase, so that it can say where the two cores went.

    Processes are looked at every half second, so that one that ends meanwhile still
    counts what it used until then: gunicorn replaces a worker after max_requests (10,000
    pages, so every minute or two a worker here), and its PostgreSQL connections end with
    it; reading /proc only at the start and the end lost their CPU (and once gave a
    negative figure)."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.start = _processes(server_pid)
        self.last = dict(self.start)
        self.own = _own_cpu()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            self.last.update(_processes(self.server_pid))

    def used(self) -> dict[str, float]:
        """Seconds of CPU since the start, by part: server, postgres, load."""
        self._stop.set()
        self._thread.join()
        self.last.update(_processes(self.server_pid))
        used = {"server": 0.0, "postgres": 0.0}
        for pid, (part, seconds) in self.last.items():
            before = self.start.get(pid)
            used[part] += seconds - (before[1] if before is not None else 0.0)
        used["load"] = _own_cpu() - self.own
        return used


def _own_cpu() -> float:
    own = os.times()  # with wrk's, once it has ended (the only child waited for)
    return own.user + own.system + own.children_user + own.children_system


# wrk drives the staff's pages when it is installed (Debian's package `wrk`): a C client
# with an event loop costs the two cores almost nothing, where Python's threads cost about
# as much CPU a page as PostgreSQL and add their own queueing to what they measure.
# PERFORMANCE.md's figures were measured with wrk. Each of wrk's connections is one user
# clicking back to back; each request carries one of the phase's users' session cookies,
# taken in turn, and one of the pages _browse picks.
WRK_SCRIPT = """
local cookies = {%(cookies)s}
local paths = {%(paths)s}
local think = %(think)s
local threads = {}
local turn = 0
errors = 0  -- a global: done() reads each thread's with thread:get

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  turn = id * 7919
  math.randomseed(id + 1)
end

function request()
  turn = turn + 1
  local cookie = cookies[(turn %% #cookies) + 1]
  local path = paths[(turn %% #paths) + 1]
  return wrk.format("GET", path, {["Cookie"] = cookie})
end

function delay()
  if think <= 0 then return 0 end
  return math.floor(-math.log(1 - math.random()) * think * 1000)
end

function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do wrong = wrong + thread:get("errors") end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "microseconds": %%d, "errors": %%d, "socket_errors": %%d, '
    .. '"p50_us": %%d, "p95_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, wrong, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
WRK_RESULT = re.compile(r"^WRK (\{.*\})$", re.MULTILINE)


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk(
    base: str, users: list[User], codes: list[str], seconds: float, think: float, seed: int
) -> dict[str, Any]:
    """wrk's closed loop of one connection per user for *seconds*: its figures."""
    rng = random.Random(seed)
    paths = [_browse(users[0], codes, rng)[1] for _ in range(5_000)]
    script = WRK_SCRIPT % {
        "cookies": ", ".join(_lua_string(user.cookie) for user in users),
        "paths": ", ".join(_lua_string(path) for path in paths),
        "think": repr(float(think)),
    }
    (ROOT / "instance").mkdir(exist_ok=True)
    lua = ROOT / "instance" / "load-wrk.lua"
    lua.write_text(script)
    threads = min(2, len(users))
    command = [
        "wrk", "--threads", str(threads), "--connections", str(len(users)),
        "--duration", f"{max(1, round(seconds))}s", "--timeout", "60s",
        "--script", str(lua), base,
    ]  # fmt: skip
    finished = subprocess.run(  # noqa: S603 - wrk from PATH, our own arguments
        command, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    found = WRK_RESULT.search(finished.stdout)
    if finished.returncode != 0 or found is None:
        raise SystemExit(f"load: wrk failed ({finished.returncode}): {finished.stderr.strip()}")
    return json.loads(found.group(1))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def phase(
    users: list[User], analyst: User, inspector: User, people: dict[str, Any],
    seconds: float, think: float, server_pid: int, driver: str = "python",
) -> dict[str, Any]:  # fmt: skip
    """One closed loop of *users*, with the analyst and the inspector, for *seconds*; the
    staff's pages driven by wrk or by Python's threads (*driver*)."""
    codes, period, inspected = people["codes"], people["period"], people["inspected"]
    tally = Tally()
    cpu = CpuMeter(server_pid)
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_staff, args=(user, codes, n, think, tally, stop))
        for n, user in enumerate(users)
        if driver == "python"
    ]
    threads.append(
        threading.Thread(
            target=_analyst, args=(analyst, codes, period, random.Random(7), tally, stop)
        )
    )
    threads.append(threading.Thread(target=_inspector, args=(inspector, inspected, tally, stop)))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    wrk = _wrk(analyst.base, users, codes, seconds, think, len(users)) if driver == "wrk" else {}
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    cpu_used = cpu.used()
    pages = [t for kind, times in tally.times.items() if kind in PAGES for t in times]
    served = wrk["requests"] if wrk else len(pages)
    report: dict[str, Any] = {
        "users": len(users),
        "driver": driver,
        "seconds": round(elapsed, 1),
        "requests": sum(len(times) for times in tally.times.values()) + served * bool(wrk),
        "errors": sum(tally.errors.values()) + (wrk["errors"] + wrk["socket_errors"] if wrk else 0),
        "pages_per_s": round(served / (wrk["microseconds"] / 1e6 if wrk else elapsed), 1),
        **{
            f"p{share}_ms": round(wrk[f"p{share}_us"] / 1000)
            if wrk
            else round(1000 * _percentile(pages, share / 100))
            for share in (50, 95, 99)
        },
        # CPU milliseconds per page served, by process: where the machine's cores went.
        "cpu_ms_per_request": {
            part: round(1000 * seconds / max(1, served), 1) for part, seconds in cpu_used.items()
        },
        "kinds": {
            kind: {
                "n": len(times),
                "errors": tally.errors.get(kind, 0),
                "p50_ms": round(1000 * statistics.median(times)),
                "p95_ms": round(1000 * _percentile(times, 0.95)),
            }
            for kind, times in sorted(tally.times.items())
        },
    }
    return report


PAGES = ("home", "where_we_stand", "indicator", "norms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of each phase")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between pages")
    parser.add_argument(
        "--network", choices=("national", "demo"), default="national",
        help="national scale (as make bench), or the demo network (as make run seeds it)",
    )  # fmt: skip
    parser.add_argument(
        "--warm", type=float, default=30, help="seconds of load before the phases (0: none)"
    )
    parser.add_argument("--users", type=int, action="append", help="phases (10, 50, 100)")
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", os.cpu_count() or 1) + 1)
    )
    parser.add_argument(
        "--driver", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python",
        help="what drives the staff's pages: wrk (when installed) or Python's threads, which "
        "also give figures per kind of page",
    )  # fmt: skip
    arguments = parser.parse_args()
    driver = arguments.driver
    levels = tuple(arguments.users or LEVELS)
    if max(levels) > STAFF:
        raise SystemExit(f"load: at most {STAFF} users")
    url = _database_url(arguments.network)
    people = prepare(url, arguments.network)
    server, base = start_server(url, arguments.workers)
    try:
        staff = [User(base, email) for email in people["staff"][: max(levels)]]
        analyst, inspector = User(base, people["analyst"]), User(base, people["inspector"])
        for user in (*staff, analyst, inspector):
            user.sign_in()
        # Warm every worker's comparison cache (the first page after a publish pays it):
        # an indicator page reads every period's results.
        for user in staff[: 4 * arguments.workers]:
            user.get(f"/compare/indicators/{people['codes'][0]}")
        print(
            f"load: {arguments.workers} workers, {len(staff)} users signed in, {driver}, "
            f"think {arguments.think} s, {arguments.seconds:.0f} s a phase",
            flush=True,
        )
        if arguments.warm:
            # Steady state: each worker builds each authority's pages once per data version
            # (kept per process), which a short phase would mostly measure. This phase
            # fills them, with every user of the largest phase; its figures are shown apart.
            report = phase(
                staff[: max(levels)], analyst, inspector, people,
                arguments.warm, arguments.think, server.pid, driver,
            )  # fmt: skip
            print(
                f"warm-up ({max(levels)} users, {arguments.warm:.0f} s, not counted): "
                f"{report['pages_per_s']} pages/s, p95 {report['p95_ms']} ms, "
                f"{report['errors']} errors of {report['requests']}",
                flush=True,
            )
        for level in levels:
            report = phase(
                staff[:level], analyst, inspector, people,
                arguments.seconds, arguments.think, server.pid, driver,
            )  # fmt: skip
            print(
                f"{level:>4} users: {report['pages_per_s']:>6} pages/s, "
                f"p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, "
                f"p99 {report['p99_ms']} ms, {report['errors']} errors of {report['requests']}"
            )
            cpu = ", ".join(f"{part} {ms} ms" for part, ms in report["cpu_ms_per_request"].items())
            print(f"       CPU a page: {cpu}")
            for kind, figures in report["kinds"].items():
                print(f"       {kind:<15} n {figures['n']:>5}  p50 {figures['p50_ms']:>5} ms  "
                      f"p95 {figures['p95_ms']:>5} ms  errors {figures['errors']}")  # fmt: skip
            print(json.dumps({"suite": "load", **report}), flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
