"""Rules applied to every vendor request, whatever its family: injected faults and per-account rate limits.

Both are off until a test asks for them, and both are checked through one attribute that is empty then,
so a request pays nothing for them. The rules live here; their routes are in ``emulator.control``, and
``emulator.core.gate`` applies them.
"""

from __future__ import annotations

import fnmatch
import re
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from emulator.core.clock import Clock

# ---- faults --------------------------------------------------------------------------------------------

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")  # what a fault's method may be


@dataclass
class Fault:
    """One rule of ``POST /_emulator/faults``; see ``Faults`` for how a request picks one."""

    path: str
    method: str | None = None
    account: str | None = None
    times: int | None = None  # None: every matching request, for as long as the rule exists
    status: int | None = None
    code: int | None = None
    body: Any = None
    has_body: bool = False  # a raw ``body`` may itself be null
    delay_ms: int = 0
    drop: bool = False
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    hits: int = 0
    pattern: re.Pattern = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # compiled once here; fnmatch's "*" also matches "/", so "/v2_beta/*" covers every path below it
        self.pattern = re.compile(fnmatch.translate(self.path))

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else max(0, self.times - self.hits)

    @property
    def answers(self) -> bool:
        """True when the rule answers in place of the API (an error or a raw body), not just late."""
        return self.has_body or self.status is not None or self.code is not None

    def matches(self, method: str, path: str, account_of: Callable[[str], str | None]) -> bool:
        return ((self.method is None or self.method == method) and self.pattern.match(path) is not None
                and (self.account is None or self.account == account_of(path)))

    def to_dict(self) -> dict:
        rule = {"id": self.id, "method": self.method, "path": self.path, "account": self.account,
                "times": self.times, "remaining": self.remaining, "hits": self.hits, "status": self.status,
                "code": self.code}
        if self.has_body:
            rule["body"] = self.body
        return dict(rule, delay_ms=self.delay_ms, drop=self.drop)


class Faults:
    """The fault rules, checked in the order they were added; the first live match answers.

    ``live`` is the tuple of rules that can still fire: empty (and falsy) when there is nothing to do.
    ``clear`` also wakes every request still sleeping in a delay, so a reset never waits for them.
    """

    def __init__(self) -> None:
        self._rules: dict[str, Fault] = {}
        self.live: tuple[Fault, ...] = ()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._wakers: set[Callable[[], None]] = set()  # requests paused on an event loop (``pause``)
        self.generation = 0

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._rules[fault.id] = fault
            self._refresh()
        return fault

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._rules.values())

    def remove(self, fault_id: str) -> bool:
        with self._lock:
            found = self._rules.pop(fault_id, None) is not None
            self._refresh()
            return found

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._refresh()
            self.generation += 1
            self._wake.notify_all()
            wakers, self._wakers = self._wakers, set()
        for wake in wakers:
            wake()

    def take(self, method: str, path: str, account_of: Callable[[str], str | None]) -> Fault | None:
        """The rule this request triggers, counted as used (so ``times: 1`` fires exactly once)."""
        with self._lock:
            for fault in self.live:
                if fault.matches(method, path, account_of):
                    fault.hits += 1
                    if fault.remaining == 0:
                        self._refresh()
                    return fault
        return None

    async def pause(self, seconds: float, generation: int) -> bool:
        """``sleep`` for a request served on an event loop: it waits without holding a thread, so a held
        request never delays another one; False when a reset or ``DELETE /_emulator/faults`` cut it short."""
        import asyncio

        loop = asyncio.get_running_loop()
        woken = loop.create_future()

        def settle() -> None:
            if not woken.done():
                woken.set_result(None)

        def wake() -> None:  # from whichever thread clears the faults
            try:
                loop.call_soon_threadsafe(settle)
            except RuntimeError:  # that loop has stopped serving: nobody waits any more
                pass

        with self._lock:
            if self.generation != generation:
                return False
            self._wakers.add(wake)
        try:
            await asyncio.wait_for(woken, seconds)
            return False
        except asyncio.TimeoutError:
            return True
        finally:
            with self._lock:
                self._wakers.discard(wake)

    def sleep(self, seconds: float, generation: int) -> bool:
        """Wait out a delay; False when a reset or ``DELETE /_emulator/faults`` cut it short."""
        with self._wake:
            return not self._wake.wait_for(lambda: self.generation != generation, seconds)

    def _refresh(self) -> None:
        self.live = tuple(f for f in self._rules.values() if f.remaining != 0)


# ---- rate limits ------------------------------------------------------------------------------------------


class RateLimits:
    """Per-account limits of requests per minute, over a sliding 60-second window of the emulator clock.

    Only accepted requests count, so a client that backs off gets through again once the window has
    moved past its older requests (advancing the clock by 60 s frees it at once).
    """

    WINDOW = 60.0

    def __init__(self, clock: Clock):
        self.clock = clock
        self.limits: dict[str, int] = {}  # empty: no account is limited and nobody pays for the check
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def set(self, sid: str, per_minute: int | None) -> None:
        with self._lock:
            if per_minute is None:
                self.limits.pop(sid, None)
                self._seen.pop(sid, None)
            else:
                self.limits[sid] = per_minute
                self._seen.setdefault(sid, deque())
            self.limits = dict(self.limits)  # readers iterate without the lock: give them a new dict

    def settings(self) -> dict[str, int]:
        return dict(self.limits)

    def replace(self, limits: Mapping[str, int]) -> None:
        with self._lock:
            self.limits = dict(limits)
            self._seen = {sid: deque() for sid in self.limits}

    def clear(self) -> None:
        self.replace({})

    def admit(self, sid: str) -> float | None:
        """None if this request of ``sid`` is within its limit (and counts it); else seconds to wait."""
        limit = self.limits.get(sid)
        if limit is None:
            return None
        now = self.clock.time()
        with self._lock:
            seen = self._seen.setdefault(sid, deque())
            while seen and seen[0] <= now - self.WINDOW:
                seen.popleft()
            if len(seen) >= limit:
                return max(0.0, seen[0] + self.WINDOW - now)
            seen.append(now)
            return None

