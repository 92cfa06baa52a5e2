"""How the whole suite is spread over pytest-xdist's workers, and how its processes collect garbage."""

from __future__ import annotations

import gc
import os

# A worker keeps a large heap for its whole life (the modules, some 2,000 collected tests, the session's app),
# and at the default thresholds (700, 10, 10) the collector walked it again thousands of times: about a tenth
# of the in-process tests' time (-n 0 on tests/integrations, exobridge, voice, control and
# contract_tests/test_errors.py: 31.4-31.8 s before, 27.3 s after).
# Reference counting frees almost every object at once; cycles are still collected, only less often.
gc.set_threshold(10_000, 50, 100)


def pytest_xdist_auto_num_workers(config) -> int:
    # one more worker than CPUs: about a third of the suite's time is spent waiting on subprocesses, browsers
    # and loads, which leaves a CPU idle under one worker each (measured on 2 CPUs: 104 s with 2, 88 s with 3,
    # 116 s with 4)
    return (os.cpu_count() or 1) + 1


def pytest_collection_finish(session) -> None:
    gc.freeze()  # the modules and the collected tests live until the end: no collection need walk them


def pytest_collection_modifyitems(items) -> None:
    # xdist hands out whole files in this order (--no-loadscope-reorder): a file that waits seconds on a
    # subprocess or a browser then overlaps the rest, instead of starting last and ending the run alone
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
