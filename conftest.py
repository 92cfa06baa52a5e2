"""How the whole suite is spread over pytest-xdist's workers."""

from __future__ import annotations

import os


def pytest_xdist_auto_num_workers(config) -> int:
    # one more worker than CPUs: about a third of the suite's time is spent waiting on subprocesses, browsers
    # and loads, which leaves a CPU idle under one worker each (measured on 2 CPUs: 104 s with 2, 88 s with 3,
    # 116 s with 4)
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items) -> None:
    # xdist hands out whole files in this order (--no-loadscope-reorder): a file that waits seconds on a
    # subprocess or a browser then overlaps the rest, instead of starting last and ending the run alone
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
