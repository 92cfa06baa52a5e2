"""Benchmark: start the emulator as a user would and print time-to-healthy, throughput, p99 and memory.

    python bench/bench.py [--seconds 5] [--clients 16] [--owned 100000]

Everything talks to 127.0.0.1 only. Load comes from several client processes (16 keep-alive
connections in all), so the Python client is not the bottleneck on a 2-core machine.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def command() -> list[str]:
    script = Path(sys.executable).with_name("exotel-emulator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "emulator"]


def start(*extra: str) -> tuple[subprocess.Popen, str, dict, float]:
    """Start ``serve --port 0``; returns the process, base URL, default account and seconds to healthy."""
    started = time.perf_counter()
    # --quiet: the line per request on stderr would be measured too
    proc = subprocess.Popen(command() + ["serve", "--port", "0", "--quiet", *extra], stdout=subprocess.PIPE,
                            text=True)
    url = proc.stdout.readline().split("listening on ")[1].strip()
    account = dict(part.split("=", 1) for part in proc.stdout.readline().split()[1:])
    while True:
        try:
            with urllib.request.urlopen(url + "/_emulator/health", timeout=1) as r:
                if r.status == 200:
                    return proc, url, account, time.perf_counter() - started
        except OSError:
            time.sleep(0.005)


def rss_mb(pid: int) -> tuple[float, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _client(args) -> list[float]:
    host, port, path, headers, threads, seconds = args
    import threading

    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run():
        conn = http.client.HTTPConnection(host, port, timeout=10)
        mine = []
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return latencies


def load(url: str, path: str, headers: dict, clients: int, seconds: float) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of ``clients`` keep-alive connections for ``seconds``."""
    host, port = url.split("//")[1].rsplit(":", 1)
    processes = min(4, clients)
    per = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    with multiprocessing.Pool(processes) as pool:
        started = time.perf_counter()
        results = pool.map(_client, [(host, int(port), path, headers, n, seconds) for n in per])
        elapsed = time.perf_counter() - started
    latencies = sorted(latency for r in results for latency in r)
    return len(latencies) / elapsed, latencies[int(len(latencies) * 0.99)] * 1000


def timed_get(url: str, path: str, headers: dict, n: int = 200, method: str = "GET", body: str | None = None,
              content_type: str = "application/x-www-form-urlencoded", expect: int = 200) -> float:
    """Median latency (ms) of ``n`` sequential requests (GETs unless told)."""
    host, port = url.split("//")[1].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port))
    if body is not None:
        headers = dict(headers, **{"Content-Type": content_type})
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        r.read()
        assert r.status == expect, (path, r.status)
        times.append(time.perf_counter() - t0)
    conn.close()
    return sorted(times)[n // 2] * 1000


def auth_headers(account: dict) -> dict:
    token = base64.b64encode(f"{account['api_key']}:{account['api_token']}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def big_fixtures(owned: int) -> Path:
    """The shipped fixtures plus ``owned`` ExoPhones for the default account."""
    target = Path(tempfile.mkdtemp(prefix="exotel-bench-")) / "fixtures"
    shutil.copytree(ROOT / "fixtures", target)
    sid = json.loads((target / "accounts.json").read_text())["accounts"][0]["sid"]
    numbers = [{"account_sid": sid, "phone_number": f"+9122{n:08d}", "country": "IN", "region": "MU",
                "number_type": "Landline"} for n in range(owned)]
    (target / "exophones" / "bulk.json").write_text(json.dumps({"exophones": numbers}))
    return target


def first_sid(url: str, headers: dict, base: str) -> str:
    conn = http.client.HTTPConnection(*url.split("//")[1].rsplit(":", 1))
    conn.request("GET", base + "?PageSize=1", headers=headers)
    sid = json.loads(conn.getresponse().read())["incoming_phone_numbers"][0]["sid"]
    conn.close()
    return sid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--owned", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()

    proc, url, account, healthy = start()
    try:
        headers = auth_headers(account)
        base = f"/v2_beta/Accounts/{account['sid']}/IncomingPhoneNumbers"
        path = f"{base}/{first_sid(url, headers, base)}"
        rps, p99 = load(url, path, headers, args.clients, args.seconds)
        rss, peak = rss_mb(proc.pid)
        voice = voice_costs(url, headers, account["sid"], path)
    finally:
        proc.terminate()
        proc.wait()

    print(f"time to healthy          {healthy * 1000:8.0f} ms   (target <= 500)")
    print(f"GET one ExoPhone         {rps:8.0f} req/s with {args.clients} clients (target >= 1000), p99 {p99:.1f} ms")
    print(f"resident memory          {rss:8.1f} MB after the load (peak {peak:.1f} MB; target <= 50)")
    print("median of 200 sequential requests (a Calls/connect, a call-details GET and a simulated incoming call "
          "cost about an ExoPhone GET):")
    for name, ms in voice.items():
        print(f"  {name:22s} {ms:6.2f} ms")

    # list and get must not grow with the number of owned ExoPhones: same requests, 100 vs --owned numbers
    costs = {n: scale(n, headers, base) for n in (100, args.owned)}
    small, big = costs[100], costs[args.owned]
    print(f"cost with 100 -> {args.owned:,} owned numbers (median of 200 sequential requests):")
    for name in ("get", "list first page", "list last page"):
        print(f"  {name:22s} {small[name]:6.2f} ms -> {big[name]:6.2f} ms")
    print(f"  (start-up with {args.owned:,} numbers in fixtures: {big['healthy']:.1f} s, {big['rss']:.0f} MB)")

    # call details must not grow with the number of calls either: same requests, 100 vs --calls calls
    costs = {n: call_scale(n, headers, account["sid"]) for n in (100, args.calls)}
    small, big = costs[100], costs[args.calls]
    print(f"cost with 100 -> {args.calls:,} calls (median of 200 sequential requests):")
    for name in CALL_QUERIES:
        print(f"  {name:22s} {small[name]:6.2f} ms -> {big[name]:6.2f} ms")
    print(f"  (start-up from a snapshot of {args.calls:,} calls: {big['healthy']:.1f} s, {big['rss']:.0f} MB)")


def scale(owned: int, headers: dict, base: str) -> dict:
    fixtures = big_fixtures(owned)
    proc, url, _, healthy = start("--fixtures", str(fixtures))
    try:
        last_page = (owned + 3 - 1) // 50
        return {
            "get": timed_get(url, f"{base}/{first_sid(url, headers, base)}", headers),
            "list first page": timed_get(url, f"{base}?Page=0&PageSize=50", headers),
            "list last page": timed_get(url, f"{base}?Page={last_page - 1}&PageSize=50", headers),
            "healthy": healthy,
            "rss": rss_mb(proc.pid)[0],
        }
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(fixtures.parent, ignore_errors=True)


CONNECT = "From=09876543210&To=09123456789&CallerId=08039591111"
INCOMING = json.dumps({"from": "09876543210", "to": "01139585476"})


def voice_costs(url: str, headers: dict, sid: str, exophone_path: str) -> dict:
    v1 = f"/v1/Accounts/{sid}"
    conn = http.client.HTTPConnection(*url.split("//")[1].rsplit(":", 1))
    conn.request("POST", f"{v1}/Calls/connect.json", body=CONNECT,
                 headers=dict(headers, **{"Content-Type": "application/x-www-form-urlencoded"}))
    call_sid = json.loads(conn.getresponse().read())["Call"]["Sid"]
    conn.close()
    return {
        "GET one ExoPhone": timed_get(url, exophone_path, headers),
        "POST Calls/connect": timed_get(url, f"{v1}/Calls/connect.json", headers, method="POST", body=CONNECT),
        "GET Calls/<sid>": timed_get(url, f"{v1}/Calls/{call_sid}.json", headers),
        "GET Calls/<sid> (XML)": timed_get(url, f"{v1}/Calls/{call_sid}", headers),
        # the shipped ExoPhone's flow 1234: the call is created and its first applet (a greeting) runs
        "POST calls/incoming": timed_get(url, f"/_emulator/accounts/{sid}/calls/incoming", {}, method="POST",
                                         body=INCOMING, content_type="application/json", expect=201),
    }


CALL_QUERIES = ("details GET", "bulk first page", "bulk page deep (After)", "bulk Status=busy",
                "bulk DateCreated range")


def call_snapshot(url: str, headers: dict, sid: str, n: int) -> tuple[Path, str]:
    """A state file with ``n`` ended calls (one in ten busy) for the default account, one a second, and
    the page cursor of the call in the middle."""
    conn = http.client.HTTPConnection(*url.split("//")[1].rsplit(":", 1))
    conn.request("POST", f"/v1/Accounts/{sid}/Calls/connect.json", body=CONNECT,
                 headers=dict(headers, **{"Content-Type": "application/x-www-form-urlencoded"}))
    conn.getresponse().read()
    conn.request("POST", "/_emulator/clock/advance", body=json.dumps({"seconds": 60}),
                 headers={"Content-Type": "application/json"})
    conn.getresponse().read()
    conn.request("GET", "/_emulator/state")
    state = json.loads(conn.getresponse().read())
    conn.close()
    book = state["families"]["voice"]["accounts"][sid]
    template = book["calls"][0]
    start = template["created"] - n
    calls = []
    for i in range(n):
        call = json.loads(json.dumps(template))
        call.update(sid=f"{i:032x}", created=start + i, updated=start + i + 40, ended=start + i + 40)
        if i % 10 == 0:
            call["status"] = "busy"
        calls.append(call)
    book["calls"] = calls
    target = Path(tempfile.mkdtemp(prefix="exotel-bench-")) / "calls.json"
    target.write_text(json.dumps(state))
    middle = calls[n // 2]
    return target, f"{int(round(middle['created'] * 1_000_000)):x}-{middle['sid']}"


def call_scale(n: int, headers: dict, sid: str) -> dict:
    proc, url, _, _ = start()
    try:
        snapshot, cursor = call_snapshot(url, headers, sid, n)
    finally:
        proc.terminate()
        proc.wait()
    proc, url, _, healthy = start("--state", str(snapshot))
    try:
        v1 = f"/v1/Accounts/{sid}/Calls"
        middle = f"{n // 2:032x}"
        day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 19800))
        return {
            "details GET": timed_get(url, f"{v1}/{middle}.json", headers),
            "bulk first page": timed_get(url, f"{v1}.json?PageSize=50", headers),
            "bulk page deep (After)": timed_get(url, f"{v1}.json?PageSize=50&After={cursor}", headers),
            # one call in ten is busy: pages of 10, so 100 calls fill one too
            "bulk Status=busy": timed_get(url, f"{v1}.json?PageSize=10&Status=busy", headers),
            "bulk DateCreated range": timed_get(
                url, f"{v1}.json?PageSize=50&DateCreated=gte:{day}%2000:00:00%3Blte:{day}%2023:59:59", headers),
            "healthy": healthy,
            "rss": rss_mb(proc.pid)[0],
        }
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(snapshot.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
