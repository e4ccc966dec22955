"""Real faults for the fault tests: a loopback TCP proxy a test can take down or hang.

The proxy stands between the application and a real server (PostgreSQL, Redis). Up, it
passes bytes both ways; down, nothing listens on its port (connections are refused, as
when a server has stopped); hung, it accepts connections and never answers (as a server
that is overloaded or paused). Switching cuts the connections already open, as a server
restart or a network fault would.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from typing import Any


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
