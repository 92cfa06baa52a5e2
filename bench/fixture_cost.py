"""What the ``exotel_emulator`` pytest fixture costs a test, after the first.

Two generated files of ``n`` trivial tests each, one whose tests take the fixture and one whose tests do not,
each run by pytest in a subprocess with the installed plugin (``-p emulator.pytest_plugin``, other plugins'
autoloading off: they would cost both files alike). A ``conftest.py``
notes when each test starts; the cost of a test is the time between the second test's start and the last
one's, over the tests in between: the start-up, the first test (which starts the session's server) and the
session's teardown stay out of it. The fixture's cost per test is the difference of the two.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from procs import child_env, median

CONFTEST = '''
import json, os, time

STARTS = []


def pytest_runtest_logstart(nodeid, location):
    STARTS.append(time.perf_counter())


def pytest_sessionfinish(session, exitstatus):
    with open(os.environ["BENCH_TIMES"], "w") as f:
        json.dump(STARTS, f)
'''

WITH = '''
def test_{i}(exotel_emulator):
    assert exotel_emulator.url
'''

WITHOUT = '''
def test_{i}():
    assert True
'''


def per_test(folder: Path, name: str, template: str, n: int) -> float:
    """Seconds a test of ``template`` takes, start to start, from the second test to the last."""
    test = folder / f"test_{name}.py"
    test.write_text("".join(template.format(i=i) for i in range(n)))
    times = folder / f"{name}.json"
    # only this plugin: others' hooks cost both files alike, and loading them costs seconds
    env = dict(child_env(), BENCH_TIMES=str(times), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    env.pop("PYTEST_ADDOPTS", None)
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "emulator.pytest_plugin",
                    test.name],
                   cwd=folder, env=env, check=True, capture_output=True, text=True)
    starts = json.loads(times.read_text())
    assert len(starts) == n, (name, len(starts))
    return (starts[-1] - starts[1]) / (n - 2)


def measure(n: int, repeat: int) -> tuple[float, float]:
    """Median seconds per test, with the fixture and without, over ``repeat`` runs of each (alternating)."""
    assert n >= 3
    with tempfile.TemporaryDirectory(prefix="exotel-bench-") as tmp:
        folder = Path(tmp)
        (folder / "conftest.py").write_text(CONFTEST)
        (folder / "pytest.ini").write_text("[pytest]\naddopts =\n")  # the rootdir: no project settings
        with_, without = [], []
        for _ in range(repeat):
            with_.append(per_test(folder, "with", WITH, n))
            without.append(per_test(folder, "without", WITHOUT, n))
    return median(with_), median(without)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    w, wo = measure(n, 3)
    print(f"with the fixture {w * 1e3:.3f} ms a test, without {wo * 1e3:.3f} ms: {(w - wo) * 1e3:.3f} ms")
