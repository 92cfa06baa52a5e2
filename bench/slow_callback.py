"""Does a slow callback URL slow the API? p99 of the documented GET while calls are being made, with and
without a ``StatusCallback`` to a URL that answers after ``delay`` seconds.

Each call comes from a number scripted ``busy`` with no ringing, so it ends as it is placed and its terminal
callback is queued at once: ``rate`` callbacks a second. The default delay (3 s) is past the dispatcher's
2 s answer timeout, so every try holds a worker for the whole timeout and is retried: the most a slow URL
can cost. Each condition runs on a fresh server (a backlog left by the slow phase would otherwise go on into
the next), ``rounds`` times, alternating (without first, then with first...); the figure per condition is
the median over rounds.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import loadgen
from procs import Server, auth_headers, median, start

CALLER = "09111111111"  # scripted busy, ringing 0 s: the call ends as it is placed


class SlowListener:
    """A callback URL that answers 200 after ``delay`` seconds; counts what it was sent."""

    def __init__(self, delay: float):
        self.received = 0
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                listener.received += 1
                time.sleep(delay)  # the slowness being measured
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:  # the dispatcher gave up first
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/status"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Caller(threading.Thread):
    """``POST Calls/connect`` at ``rate`` a second on one keep-alive connection until stopped."""

    def __init__(self, server: Server, rate: float, callback: str | None):
        super().__init__(daemon=True)
        self.server, self.rate, self.callback = server, rate, callback
        self.stopped = threading.Event()
        self.placed = 0

    def run(self) -> None:
        sid = self.server.account["sid"]
        body = f"From={CALLER}&To=09123456789&CallerId=08039591111"
        if self.callback:
            body += f"&StatusCallback={self.callback}"
        headers = dict(auth_headers(self.server.account), **{"Content-Type": "application/x-www-form-urlencoded"})
        conn = self.server.connection()
        started = time.perf_counter()
        while not self.stopped.is_set():
            conn.request("POST", f"/v1/Accounts/{sid}/Calls/connect.json", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            self.placed += 1
            # a steady rate: the next call is due at started + placed / rate
            self.stopped.wait(max(0.0, started + self.placed / self.rate - time.perf_counter()))
        conn.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join()


@dataclass
class Phase:
    load: loadgen.Load
    placed: int
    received: int = 0
    queued: int = 0
    dropped: int = 0


@dataclass
class Comparison:
    without: list[Phase] = field(default_factory=list)
    slow: list[Phase] = field(default_factory=list)

    @property
    def p99(self) -> tuple[float, float]:
        return median([p.load.p99_ms for p in self.without]), median([p.load.p99_ms for p in self.slow])


def _health(server: Server) -> dict:
    conn = server.connection()
    try:
        conn.request("GET", "/_emulator/health")
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def phase(path, clients: int, seconds: int, warmup: int, rate: float, listener: SlowListener | None) -> Phase:
    with start() as server:
        sid = server.account["sid"]
        conn = server.connection()
        conn.request("PUT", f"/_emulator/accounts/{sid}/numbers/{CALLER}",
                     body=json.dumps({"call": "busy", "ring_seconds": 0}), headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
        conn.close()
        headers = auth_headers(server.account)
        before = listener.received if listener else 0
        caller = Caller(server, rate, listener.url if listener else None)
        caller.start()
        try:
            target = path(server)
            loadgen.warm_up(server, target, headers, clients, warmup)  # and the backlog builds
            load = loadgen.run(server.url, target, headers, clients, seconds)
        finally:
            caller.stop()
        stats = _health(server).get("callbacks", {})
        return Phase(load, caller.placed, (listener.received - before) if listener else 0, stats.get("queued", 0),
                     stats.get("dropped", 0))


def compare(path, clients: int, seconds: int, warmup: int, rate: float, delay: float, rounds: int) -> Comparison:
    """``path(server)``: the GET to load. Rounds alternate without and with the slow callback URL."""
    listener = SlowListener(delay)
    result = Comparison()
    try:
        for i in range(rounds):  # which goes first alternates too: an order effect falls on both
            for slow in ((False, True) if i % 2 == 0 else (True, False)):
                if slow:
                    result.slow.append(phase(path, clients, seconds, warmup, rate, listener))
                else:
                    result.without.append(phase(path, clients, seconds, warmup, rate, None))
    finally:
        listener.close()
    return result
