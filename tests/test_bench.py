"""bench/bench.py runs: ``--quick`` prints every row of its tables with figures in them.

Only the shape of the output is checked, never a figure: speed depends on the machine, and is the bench's
to report, not a test's to assert. waitress (the bare app's server) is in the test extra, so this never
skips; without wrk the bench falls back to its Python generator, and says so.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import scaling  # noqa: E402

NUMBER = r"\d[\d,]*(?:\.\d+)?"


@pytest.mark.slow
def test_quick_bench_prints_every_row_with_figures():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "bench.py"), "--quick"], capture_output=True,
                            text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    verdict = r"\s+(met|NOT MET)$"
    # bare app and emulator side by side, their ratio, the goal and whether it is met
    for row, goal in [(r"time to healthy, median of \d+ starts? \(ms\)", r"<= 1\.15x"),
                      (r"requests per second", r">= 1\.30x"), (r"p99 latency \(ms\)", r"<= 1\.00x")]:
        assert re.search(rf"^  {row}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}x\s+{goal}{verdict}", out, re.M), (row, out)
    assert re.search(rf"^  resident memory after the load \(MB\)\s+{NUMBER}\s+{NUMBER}\s+-\s+<= 50 MB{verdict}",
                     out, re.M), out
    for name in ("GET one ExoPhone", "POST Calls/connect", r"GET Calls/<sid>", r"GET Calls/<sid> \(XML\)",
                 r"POST calls/incoming \(control API\)"):
        assert re.search(rf"^  {name}\s+{NUMBER}$", out, re.M), (name, out)
    # the slow callback URL's effect on the GET's p99
    assert re.search(rf"^  p99 without callbacks \(ms\)\s+{NUMBER}$", out, re.M), out
    assert re.search(rf"^  p99 with the slow callback URL \(ms\)\s+{NUMBER}\s+{NUMBER}x\s+<= 1\.10x{verdict}", out,
                     re.M), out
    # the scaling table: every family's every request, with 100 and with N records
    for family, request in scaling.ROWS:
        row = rf"^  {family}\s+{re.escape(request)}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}x\s+flat{verdict}"
        assert re.search(row, out, re.M), (family, request, out)
    assert re.search(rf"^\s+{NUMBER} records of .+:\s+{NUMBER} s\s+{NUMBER} MB$", out, re.M), out
    # the pytest fixture's cost per test
    assert re.search(rf"^  without the fixture\s+{NUMBER}$", out, re.M), out
    assert re.search(rf"^  what the fixture costs a test\s+-?{NUMBER}\s+<= 1 ms{verdict}", out, re.M), out


def test_wrk_output_is_read_for_requests_latency_and_errors():
    import loadgen

    out = """Running 5s test @ http://127.0.0.1:8080/doc
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.91ms    2.10ms  40.12ms   90.00%
    Req/Sec     2.31k   120.00     2.50k    70.00%
  Latency Distribution
     50%    6.50ms
     75%    7.20ms
     90%    8.90ms
     99%   16.52ms
  11550 requests in 5.00s, 7.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   2309.87
Transfer/sec:      1.42MB
"""
    load = loadgen.parse_wrk(out)
    assert (load.rps, load.p99_ms, load.requests, load.errors) == (2309.87, 16.52, 11550, 7)
    assert loadgen.parse_wrk(out.replace("16.52ms", "1.20s")).p99_ms == 1200.0
    assert loadgen.parse_wrk(out.replace("16.52ms", "950.00us")).p99_ms == pytest.approx(0.95)
