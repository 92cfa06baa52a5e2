"""Load: ``wrk`` when it is installed, else a Python generator in separate processes (figures it bounds).

wrk (C, one thread, epoll) costs a fraction of a CPU at these rates, so on a 2-core machine it leaves the
server its own core; a Python generator needs about as much CPU per request as the server does, so on the
same machine it caps the figure it reports (713-803 req/s measured here, against 2,300 with wrk).
"""

from __future__ import annotations

import http.client
import multiprocessing
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass

import procs

WRK = shutil.which("wrk")
GENERATOR_WARNING = ("WARNING: wrk is not installed (apt-get install wrk): load comes from a Python generator, "
                     "which competes with the server for CPU; req/s and p99 below are bounded by the generator, "
                     "not the server's")


@dataclass
class Load:
    rps: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx answers and socket errors


def describe(clients: int, seconds: float) -> str:
    where = f" on CPU {','.join(map(str, procs.CLIENT_CPUS))}" if procs.PIN else ""
    if WRK:
        return f"wrk -t1 -c{clients} -d{seconds:g}s --latency{where}"
    return f"Python generator, {clients} keep-alive connections in {min(4, clients)} processes{where}"


def warm_up(server, path: str, headers: dict, clients: int, seconds: int) -> None:
    """Imports, caches, the first connections: ``seconds`` of load, or with 0 a few requests."""
    if seconds > 0:
        run(server.url, path, headers, clients, seconds)
        return
    conn = server.connection()
    try:
        sequential(conn, path, headers, 20)
    finally:
        conn.close()


def run(url: str, path: str, headers: dict, clients: int, seconds: float) -> Load:
    """``clients`` keep-alive connections GETting ``path`` for ``seconds``."""
    if WRK:
        return _wrk(url + path, headers, clients, seconds)
    return _python(url, path, headers, clients, seconds)


def _wrk(target: str, headers: dict, clients: int, seconds: float) -> Load:
    cmd = [WRK, "-t1", f"-c{clients}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd = procs.pinned([*cmd, target], procs.CLIENT_CPUS)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(out: str) -> Load:
    """req/s, the 99% latency (ms), the request count and errors of ``wrk --latency`` output."""
    rps = float(_find(r"Requests/sec:\s+([\d.]+)", out)[0])
    value, unit = _find(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", out)
    requests = int(_find(r"(\d+) requests in", out)[0])
    errors = 0
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if bad:
        errors += int(bad.group(1))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return Load(rps, float(value) * UNITS[unit], requests, errors)


def _find(pattern: str, text: str) -> tuple[str, ...]:
    found = re.search(pattern, text, re.M)
    if found is None:
        raise ValueError(f"no {pattern!r} in wrk's output:\n{text}")
    return found.groups()


def _client(args) -> tuple[list[float], int]:
    host, port, path, headers, threads, seconds = args
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run_one():
        conn = http.client.HTTPConnection(host, port, timeout=10)
        mine, bad = [], 0
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            bad += response.status != 200
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    workers = [threading.Thread(target=run_one) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return latencies, errors[0]


def _python(url: str, path: str, headers: dict, clients: int, seconds: float) -> Load:
    host, port = url.split("//")[1].rsplit(":", 1)
    processes = min(4, clients)
    per = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    with multiprocessing.Pool(processes) as pool:
        started = time.perf_counter()
        results = pool.map(_client, [(host, int(port), path, headers, n, seconds) for n in per])
        elapsed = time.perf_counter() - started
    latencies = sorted(latency for r, _ in results for latency in r)
    return Load(len(latencies) / elapsed, latencies[int(len(latencies) * 0.99)] * 1000, len(latencies),
                sum(e for _, e in results))


def sequential(conn: http.client.HTTPConnection, path: str, headers: dict, n: int = 200, method: str = "GET",
               body: str | None = None, expect: int = 200) -> float:
    """Median latency (ms) of ``n`` sequential requests on one keep-alive connection."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        r.read()
        assert r.status == expect, (path, r.status)
        times.append(time.perf_counter() - t0)
    return sorted(times)[n // 2] * 1000
