"""Real faults for the fault tests: a loopback TCP proxy a test can take down or hang.

The proxy stands between the application and a real server (PostgreSQL, Redis). Up, it
passes bytes both ways; down, nothing listens on its port (connections are refused, as
when a server has stopped); hung, it accepts connections and never answers (as a server
that is overloaded or paused). Switching cuts the connections already open, as a server
restart or a network fault would.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit


class Proxy:
    """A TCP proxy on 127.0.0.1 to *target_port*; ``port`` is where clients connect."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.mode = "up"
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._serve(self._listener)

    # --- what a test does -----------------------------------------------------------

    def up(self) -> None:
        """Pass connections through to the real server again."""
        with self._lock:
            previous, self.mode = self.mode, "up"
        if previous == "down":
            self._listener = socket.create_server(("127.0.0.1", self.port))
            self._serve(self._listener)

    def down(self) -> None:
        """Stop listening (connections are refused) and cut every open connection."""
        with self._lock:
            self.mode = "down"
        # shutdown() wakes the thread blocked in accept(); close() alone would leave the
        # socket listening until that accept() returned.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self.cut()

    def hang(self) -> None:
        """Accept connections and never answer; cut the open ones."""
        with self._lock:
            self.mode = "hang"
        self.cut()

    def cut(self) -> None:
        with self._lock:
            sockets, self._open = self._open, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.down()

    # --- the machinery ----------------------------------------------------------------

    def _serve(self, listener: socket.socket) -> None:
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed: down
            with self._lock:
                mode = self.mode
                self._open.append(client)
            if mode == "down":
                client.close()
                continue
            if mode == "up":
                try:
                    server = socket.create_connection(self.target)
                except OSError:
                    client.close()
                    continue
                with self._lock:
                    self._open.append(server)
                _pump_both_ways(client, server)
            # hung: the connection stays open and unread; the kernel's buffer takes what
            # the client sends, so the client waits for an answer that never comes.


def _pump_both_ways(client: socket.socket, server: socket.socket) -> None:
    for source, sink in ((client, server), (server, client)):
        threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    for sock in (source, sink):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def timed(call: Callable[[], Any], limit: float) -> tuple[Any, float]:
    """Run *call* in a thread; return its result and seconds taken, or fail after *limit*.

    A request stuck on a hung server would hang the test run: the thread is left behind
    (a daemon, ended when the proxy closes its socket) and the test fails at once.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            outcome["error"] = error

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    elapsed = time.monotonic() - started
    if thread.is_alive():
        raise AssertionError(f"no answer within {limit:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"], elapsed


# --- a real server: gunicorn in a process of its own --------------------------------------
# Added for tests/integration/test_faults_restart.py: PostgreSQL restarted under load, a
# worker killed mid-upload. Loopback only.

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


GUNICORN_CONFIG = """
def post_fork(server, worker):
    # The master loaded the application: each worker forgets any database connection it
    # inherited, without closing it under the master (SQLAlchemy's advice after fork).
    from bench.extensions import db

    with worker.app.wsgi().app_context():
        db.engine.dispose(close=False)
"""


class Gunicorn:
    """``gunicorn wsgi:app`` with *workers* sync workers on a free loopback port.

    Started with explicit flags and a configuration file of its own (GUNICORN_CONFIG), so
    that no gunicorn.conf.py in the tree changes what is tested. The application is loaded
    once, before the workers are forked (as production does), so a worker starts in a
    moment. *env* is added to this process's environment (BENCH_CONFIG, SECRET_KEY,
    DATABASE_URL, REDIS_URL, ...).
    """

    def __init__(self, env: dict[str, str], log_path: Any, workers: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = Path(log_path).with_suffix(".conf.py")
        config.write_text(GUNICORN_CONFIG)
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(config),
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--preload",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "wsgi:app",
            ],  # fmt: skip
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, path: str = "/sign-in", limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if Http(self.base).get(path, timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer {path}:\n{self.log()[-3000:]}")

    def workers(self) -> set[int]:
        """The pids of the master's worker processes now."""
        children = set()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.add(int(entry))
        return children

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        with open(self.log_path, "rb") as log:
            return log.read().decode(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self._log.close()


def process_owning(local_port: int, pids: set[int]) -> int | None:
    """Which of *pids* holds the loopback TCP socket whose local port is *local_port*
    (PostgreSQL's pg_stat_activity.client_port names a backend's client this way)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    if int(fields[1].rsplit(":", 1)[1], 16) == local_port:
                        inodes.add(f"socket:[{fields[9]}]")
        except OSError:
            continue
    for pid in pids:
        try:
            descriptors = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for descriptor in descriptors:
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{pid}/fd/{descriptor}") in inodes:
                    return pid
    return None


# --- a small HTTP client: cookies by hand, so production's Secure cookies work over
# loopback HTTP, and no session shared between threads ---------------------------------------


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


class Http:
    """One user's connection-per-request HTTP client, keeping its cookies."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, cookie = pair.partition("=")
                    if cookie:
                        self.cookies[key.strip()] = cookie.strip()
                    else:
                        self.cookies.pop(key.strip(), None)
            return Reply(response.status, dict(response.getheaders()), data)
        finally:
            connection.close()

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post_json(self, path: str, data: Any, **kwargs: Any) -> Reply:
        body = json.dumps(data).encode()
        return self.request("POST", path, body, {"Content-Type": "application/json"}, **kwargs)

    def post_form(
        self,
        path: str,
        fields: dict[str, str],
        files: dict[str, tuple[str, bytes]] | None = None,
        **kwargs: Any,
    ) -> Reply:
        if not files:
            body = urlencode(fields).encode()
            kind = "application/x-www-form-urlencoded"
        else:
            boundary = f"bench-{time.monotonic_ns()}"
            parts = []
            for name, value in fields.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
            for name, (filename, data) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                    + data
                    + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            kind = f"multipart/form-data; boundary={boundary}"
        return self.request("POST", path, body, {"Content-Type": kind}, **kwargs)
