"""The one callback dispatcher: POSTs JSON to users' URLs off the request thread, with retries and a log."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from emulator.core.clock import Clock, rfc3339

log = logging.getLogger(__name__)


class Dispatcher:
    """Delivers callbacks from a small pool of worker threads and records each delivery.

    ``send`` only queues: an API request never waits for a callback URL, however slow or dead. Each
    delivery is tried ``retries + 1`` times with a ``timeout`` per try and exponential backoff between
    tries; the log keeps the newest ``log_size`` entries.
    """

    def __init__(self, clock: Clock, timeout: float = 2.0, retries: int = 2, backoff: float = 0.2,
                 workers: int = 4, log_size: int = 1000):
        self.clock = clock
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._session: Any = None  # a requests.Session, made on the first delivery
        self._log: deque[dict] = deque(maxlen=log_size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0

    def send(self, url: str, event: str, payload: dict, *, form: str | None = None) -> dict:
        """Queue one delivery. ``payload`` goes as JSON, or with ``form="urlencoded"`` (or ``"multipart"``)
        as a form body whose nested fields are bracket-indexed (``Legs[0][Status]``), as handlers of
        Exotel's form callbacks read them."""
        entry = {
            "id": next(self._ids), "event": event, "url": url, "payload": payload, "state": "pending",
            "attempts": 0, "status_code": None, "error": None,
            "created_at": rfc3339(self.clock.time()), "delivered_at": None,
        }
        with self._lock:
            self._log.append(entry)
            self._in_flight += 1
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="emulator-callback")
            pool = self._pool
        pool.submit(self._deliver, entry, form)
        return entry

    def entries(self) -> list[dict]:
        with self._lock:
            return [dict(e) for e in self._log]

    def clear(self) -> None:
        with self._lock:
            self._log.clear()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery has finished (tests wait for callbacks with it)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _http(self):
        if self._session is None:
            import requests  # imported on first delivery: keeps start-up fast

            self._session = requests.Session()
            self._session.trust_env = False  # callbacks go where the user said, never via a proxy
        return self._session

    def _deliver(self, entry: dict, form: str | None = None) -> None:
        try:
            body: dict[str, Any] = {"json": entry["payload"]}
            if form is not None:
                from emulator.core.forms import flatten

                fields = flatten(entry["payload"])
                # requests writes multipart/form-data for ``files``; (None, text) parts carry no file name
                body = {"data": fields} if form == "urlencoded" else {"files": [(k, (None, v)) for k, v in fields]}
            for attempt in range(self.retries + 1):
                if attempt:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                entry["attempts"] = attempt + 1
                try:
                    r = self._http().post(entry["url"], timeout=self.timeout, **body)
                    entry["status_code"], entry["error"] = r.status_code, None
                    if r.status_code < 500:
                        entry["state"] = "delivered" if r.status_code < 400 else "failed"
                        break
                except Exception as exc:  # any transport failure is a retryable, logged error
                    entry["error"] = f"{type(exc).__name__}: {exc}"
            else:
                entry["state"] = "failed"
            entry["delivered_at"] = rfc3339(self.clock.time())
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()
