"""Starting the servers the bench measures, as their users start them, and reading what they cost.

Both servers (the emulator's installed ``exotel-emulator serve`` and ``bare_app.py``) are started the same
way: without ``PYTHONDONTWRITEBYTECODE`` in their environment (a user's Python writes and reuses ``.pyc``
files), timed from ``Popen`` to their first 200 answer, and, only when ``PIN`` is set (``bench.py --pin``)
and the machine has two CPUs or more, pinned to ``SERVER_CPUS`` with ``taskset`` while the load generator
and the bench keep to the others.
"""

from __future__ import annotations

import base64
import http.client
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
CAN_PIN = len(CPUS) >= 2 and shutil.which("taskset") is not None
PIN = False  # set by bench.py --pin
SERVER_CPUS = CPUS[:1] if CAN_PIN else []  # the server under test
CLIENT_CPUS = CPUS[1:] if CAN_PIN else []  # wrk, the Python generator, the bench, listeners


def pin_clients() -> None:
    """Keep this process (and what it starts, unless told otherwise) off the servers' CPU."""
    if PIN and CLIENT_CPUS:
        os.sched_setaffinity(0, CLIENT_CPUS)


def pinned(cmd: list[str], cpus: list[int]) -> list[str]:
    return ["taskset", "-c", ",".join(map(str, cpus)), *cmd] if PIN and cpus else cmd


def child_env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def emulator_command() -> list[str]:
    script = Path(sys.executable).with_name("exotel-emulator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "emulator"]


def bare_command() -> list[str]:
    return [sys.executable, str(HERE / "bare_app.py")]


class Server:
    """A started server: its process, base URL and, for the emulator, the default account."""

    def __init__(self, proc: subprocess.Popen, url: str, account: dict, healthy: float):
        self.proc, self.url, self.account, self.healthy = proc, url, account, healthy
        self.host, port = url.split("//")[1].rsplit(":", 1)
        self.port = int(port)

    @property
    def pid(self) -> int:
        return self.proc.pid  # taskset execs the command: the same process

    def connection(self, timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _launch(cmd: list[str], health: str, lines: int, pin: bool = True) -> Server:
    """Start ``cmd``, read its ``listening on URL`` line (and ``lines - 1`` more), then GET ``health``
    until it answers 200; the time is from ``Popen`` to that answer."""
    started = time.perf_counter()
    proc = subprocess.Popen(pinned(cmd, SERVER_CPUS) if pin else cmd, stdout=subprocess.PIPE, text=True,
                            env=child_env())
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if "listening on " not in first:
        proc.kill()
        raise RuntimeError(f"{cmd[0]} did not start: {first!r} (exit {proc.wait()})")
    url = first.split("listening on ")[1].split()[0].strip()
    extra = [proc.stdout.readline() for _ in range(lines - 1)]
    account = dict(part.split("=", 1) for line in extra for part in line.split()[1:] if "=" in part)
    host, port = url.split("//")[1].rsplit(":", 1)
    # the socket listens before the line is printed: this GET waits in the backlog until the server serves
    while True:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            conn.request("GET", health)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return Server(proc, url, account, time.perf_counter() - started)
        except ConnectionError:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited with {proc.returncode}") from None
        finally:
            conn.close()


def start(*extra: str, pin: bool = True) -> Server:
    """``exotel-emulator serve --port 0 --quiet [extra]``, healthy (``GET /_emulator/health`` answered)."""
    # --quiet: the line per request on stderr would be measured too
    return _launch(emulator_command() + ["serve", "--port", "0", "--quiet", *extra], "/_emulator/health", 2, pin)


def start_bare(document: Path | None = None) -> Server:
    """The bare Flask+waitress app, healthy (``GET /health`` answered)."""
    return _launch(bare_command() + (["--document", str(document)] if document else []), "/health", 1)


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak, MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used, every thread's, user and system."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def auth_headers(account: dict) -> dict:
    token = base64.b64encode(f"{account['api_key']}:{account['api_token']}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
