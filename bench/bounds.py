"""Benchmark: the emulator's bounds under floods a CI fleet or a QA script can cause, as a user runs it.

    python bench/bounds.py memory [--calls 20000]     # RSS before/after N callbacks to a dead URL
    python bench/bounds.py sigterm [--backlog 2000]   # seconds from SIGTERM to exit with a backlog
                                                      # of deliveries to a URL that never answers
    python bench/bounds.py journal [--requests 1000]  # RSS after N GETs with 200 kB query strings

Each simulated ExoBridge call (``POST /_emulator/accounts/<sid>/exobridge/calls``) fires one call event.
Everything talks to 127.0.0.1 only. ``--serve-args`` passes more options to ``serve``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import auth_headers, rss_mb, start  # noqa: E402

CONNECTIONS = 8  # keep-alive client connections issuing the calls


def dead_url() -> str:
    with socket.socket() as s:  # a port that was free a moment ago: connections to it are refused
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/events"


def silent_listener() -> tuple[socket.socket, str]:
    """A server that accepts connections and never answers (a hung webhook)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4096)
    held: list = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, f"http://127.0.0.1:{server.getsockname()[1]}/events"


def call(conn: http.client.HTTPConnection, method: str, path: str, body=None) -> dict:
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    assert response.status < 300, (path, response.status, data[:200])
    return json.loads(data) if data else {}


def prepare(url: str, account: dict, callback: str) -> tuple[str, str, str]:
    """Points the tenant's call events at ``callback`` and makes one allocation to call through."""
    host, port = url.split("//")[1].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port))
    sid = account["sid"]
    call(conn, "PUT", f"/_emulator/accounts/{sid}/exobridge", {"callbacks": {"call_event": callback}})
    conn.request("POST", f"/v1/tenants/{sid}/greenvn", body=json.dumps({
        "connection_id": "bench", "aparty_numbers": ["+919900000001"], "bparty_numbers": ["+919900000002"],
        "usage": "twoway"}), headers={"Content-Type": "application/json", **auth_headers(account)})
    allocation = json.loads(conn.getresponse().read())["data"]
    conn.close()
    return f"/_emulator/accounts/{sid}/exobridge/calls", allocation["greenvn"], "+919900000001"


def fire(url: str, path: str, greenvn: str, caller: str, count: int) -> float:
    """``count`` simulated calls over ``CONNECTIONS`` connections; returns the seconds it took."""
    host, port = url.split("//")[1].rsplit(":", 1)

    def run(n: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        for _ in range(n):
            call(conn, "POST", path, {"greenvn": greenvn, "from": caller})
        conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=run, args=(count // CONNECTIONS + (i < count % CONNECTIONS),))
               for i in range(CONNECTIONS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - started


def log_states(url: str) -> dict:
    host, port = url.split("//")[1].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port))
    entries = call(conn, "GET", "/_emulator/callbacks")["callbacks"]
    health = call(conn, "GET", "/_emulator/health")
    conn.close()
    states: dict = {}
    for entry in entries:
        states[entry["state"]] = states.get(entry["state"], 0) + 1
    return {"log": states, "health": {k: v for k, v in health.items() if "callback" in k}}


def memory(args) -> None:
    proc, url, account, _ = start(*args.serve_args)
    try:
        path, greenvn, caller = prepare(url, account, dead_url())
        fire(url, path, greenvn, caller, 200)  # warm up: imports, the first deliveries
        time.sleep(1)
        before = rss_mb(proc.pid)[0]
        took = fire(url, path, greenvn, caller, args.calls)
        after_calls = rss_mb(proc.pid)
        time.sleep(args.settle)
        after = rss_mb(proc.pid)
        print(f"{args.calls} calls with a dead callback URL in {took:.1f} s ({args.calls / took:.0f}/s)")
        print(f"resident memory  {before:6.1f} MB before, {after_calls[0]:6.1f} MB right after, "
              f"{after[0]:6.1f} MB {args.settle:.0f} s later (peak {after[1]:.1f} MB)")
        print(f"callback log {args.settle:.0f} s later: {log_states(url)}")
    finally:
        proc.terminate()
        proc.wait()


def sigterm(args) -> None:
    listener, hung = silent_listener()
    proc, url, account, _ = start(*args.serve_args)
    try:
        path, greenvn, caller = prepare(url, account, hung)
        fire(url, path, greenvn, caller, args.backlog)
        time.sleep(0.5)  # the workers are now blocked on the hung URL
        started = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=args.give_up)
            print(f"SIGTERM with {args.backlog} deliveries queued to a URL that never answers: exited "
                  f"{code} after {time.perf_counter() - started:.2f} s")
        except subprocess.TimeoutExpired:
            print(f"SIGTERM with {args.backlog} deliveries queued: still running after {args.give_up:.0f} s "
                  f"(killed)")
    finally:
        proc.kill()
        proc.wait()
        listener.close()


def journal(args) -> None:
    proc, url, account, _ = start(*args.serve_args)
    try:
        host, port = url.split("//")[1].rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port))
        path = f"/v2_beta/Accounts/{account['sid']}/AvailablePhoneNumbers?pad=" + "q" * 200_000
        before = rss_mb(proc.pid)[0]
        for _ in range(args.requests):
            conn.request("GET", path, headers=auth_headers(account))
            conn.getresponse().read()
        conn.close()
        after = rss_mb(proc.pid)
        print(f"{args.requests} GETs with a 200 kB query: resident memory {before:.1f} MB before, "
              f"{after[0]:.1f} MB after (peak {after[1]:.1f} MB)")
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("memory", "sigterm", "journal"))
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--settle", type=float, default=10, help="seconds to wait before the second reading")
    parser.add_argument("--backlog", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--give-up", type=float, default=60, help="seconds to wait for the exit")
    parser.add_argument("--serve-args", nargs="*", default=[])
    args = parser.parse_args()
    {"memory": memory, "sigterm": sigterm, "journal": journal}[args.mode](args)


if __name__ == "__main__":
    main()
