"""The emulator's clock (real time plus an offset tests can advance) and the jobs that run on it."""

from __future__ import annotations

import functools
import heapq
import itertools
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from emulator.core.errors import Reason, Refused

IST = timezone(timedelta(hours=5, minutes=30), "IST")
# The instants every format below can write, in UTC and in IST: years 1 to 9999, as datetime allows.
MIN_TIME = datetime(1, 1, 2, tzinfo=timezone.utc).timestamp()
MAX_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=IST).timestamp()


class Clock:
    """Real time plus an offset; ``advance`` moves it forward, ``reset`` back to real time."""

    def __init__(self) -> None:
        self._offset = 0.0

    def time(self) -> float:
        return time.time() + self._offset

    def now(self) -> datetime:
        return _at(self.time(), timezone.utc)

    def advance(self, seconds: float) -> None:
        """Moves the clock forward; refused past the end of year 9999, which no date format can write."""
        if self.time() + seconds > MAX_TIME:
            raise Refused(Reason.INVALID, "the clock cannot be advanced past 9999-12-31T23:59:59+05:30")
        self._offset += seconds

    def reset(self, offset: float = 0.0) -> None:
        self._offset = offset

    @property
    def offset(self) -> float:
        return self._offset


def _at(ts: float, tz: timezone) -> datetime:
    """``ts`` as a datetime, held within years 1-9999 so no formatter ever raises (a snapshot's or a
    policy's far-future date shows as the last second of 9999)."""
    if not MIN_TIME <= ts <= MAX_TIME:  # NaN included
        ts = MAX_TIME if ts > MIN_TIME else MIN_TIME
    return datetime.fromtimestamp(ts, tz)


# An object's dates are formatted on every GET of it: the same few timestamps, again and again.
@functools.lru_cache(maxsize=4096)
def rfc3339(ts: float) -> str:
    """``2018-08-22T12:22:49Z``, the v2 and control API format."""
    return _at(ts, timezone.utc).replace(tzinfo=None).isoformat("T", "seconds") + "Z"


@functools.lru_cache(maxsize=4096)
def rfc3339_ist(ts: float) -> str:
    """``2023-03-23T09:36:26+05:30``, the integrations format (Exotel's servers run on IST)."""
    return _at(ts, IST).isoformat(timespec="seconds")


@functools.lru_cache(maxsize=4096)
def classic(ts: float) -> str:
    """``2016-11-09 13:48:12`` in IST, the v2_beta and ExoBridge callback format."""
    return _at(ts, IST).replace(tzinfo=None).isoformat(" ", "seconds")


class Job:
    __slots__ = ("due", "fn", "cancelled", "scheduler")

    def __init__(self, due: float, fn: Callable[[], None], scheduler: "Scheduler | None" = None):
        self.due, self.fn, self.cancelled, self.scheduler = due, fn, False, scheduler

    def cancel(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            if self.scheduler is not None:
                self.scheduler._cancelled_one()


class Scheduler:
    """Runs jobs once the emulator clock reaches their time.

    Due jobs run when the clock is advanced (synchronously, before the advance answers) and, as real time
    passes, from one background thread that sleeps until the earliest job, so an allocation with a 20 s
    policy expires 20 s later even if nobody touches the clock.
    """

    # cancelled jobs stay in the heap until due (an allocation deleted long before its 999999999d policy
    # ends...): once they are most of it, and more than this many, the heap is rebuilt without them
    COMPACT_AFTER = 64

    def __init__(self, clock: Clock):
        self.clock = clock
        self._heap: list[tuple[float, int, Job]] = []
        self._cancelled = 0
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._run_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def at(self, due: float, fn: Callable[[], None]) -> Job:
        job = Job(due, fn, self)
        with self._cond:
            heapq.heappush(self._heap, (due, next(self._seq), job))
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._loop, name="emulator-scheduler", daemon=True)
                self._thread.start()
            if self._heap[0][2] is job:  # only a new earliest job changes how long the timer sleeps
                self._cond.notify()
        return job

    def run_due(self) -> int:
        """Run every job due by now, oldest first; returns how many ran."""
        ran = 0
        with self._run_lock:  # one runner at a time, so a job never runs twice
            while True:
                with self._cond:
                    if not self._heap or self._heap[0][0] > self.clock.time():
                        self._compact()  # the live jobs that ran may leave cancelled ones the most of it
                        return ran
                    _, _, job = heapq.heappop(self._heap)
                    if job.cancelled:
                        self._cancelled = max(0, self._cancelled - 1)
                if not job.cancelled:
                    job.fn()
                    ran += 1

    def clear(self) -> None:
        with self._cond:
            self._heap.clear()
            self._cancelled = 0

    def __len__(self) -> int:
        """Jobs in the heap, cancelled ones not yet dropped included (what it costs in memory)."""
        return len(self._heap)

    def _cancelled_one(self) -> None:
        with self._cond:
            self._cancelled += 1
            self._compact()

    def _compact(self) -> None:
        """With ``_cond`` held: drop the cancelled jobs once they are more than ``COMPACT_AFTER`` and
        outnumber the live ones."""
        if self._cancelled > self.COMPACT_AFTER and 2 * self._cancelled > len(self._heap):
            self._heap = [entry for entry in self._heap if not entry[2].cancelled]
            heapq.heapify(self._heap)
            self._cancelled = 0

    def adopt(self, other: "Scheduler") -> None:
        """Take over ``other``'s pending jobs (a restored snapshot's), as the same ``Job`` objects, since
        models keep them to cancel later."""
        with other._cond:
            jobs, other._heap = other._heap, []
        with self._cond:
            for _, _, job in jobs:
                if not job.cancelled:
                    job.scheduler = self
                    heapq.heappush(self._heap, (job.due, next(self._seq), job))
            if jobs and self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._loop, name="emulator-scheduler", daemon=True)
                self._thread.start()
            self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return sum(1 for _, _, j in self._heap if not j.cancelled)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def wake(self) -> None:
        """Re-evaluate the earliest due time (after the clock moved)."""
        with self._cond:
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._stopped:
                    return
                wait = self._heap[0][0] - self.clock.time() if self._heap else None
                if wait is None or wait > 0:
                    self._cond.wait(timeout=min(wait, 60.0) if wait is not None else None)
                    continue
            try:
                self.run_due()
            except Exception:  # a failing job must not kill the timer for every other job
                import logging

                logging.getLogger(__name__).exception("scheduled job failed")
