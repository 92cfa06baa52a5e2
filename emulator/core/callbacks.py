"""The one callback dispatcher: requests to users' URLs off the request thread, with timeouts, retries and a log.

Callbacks are POSTs (JSON or a form); a call flow's questions to a user's URL (a Passthru, a "dial whom" URL)
are GETs whose answer the flow waits for: ``send(..., method="GET", on_done=...)`` hands it back."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from emulator.core.clock import Clock, rfc3339

log = logging.getLogger(__name__)

REPLY_BYTES = 64 << 10  # of a GET's answer, what ``on_done`` gets (a Passthru's or dial-whom URL's body is short)


@dataclass(frozen=True)
class Reply:
    """How a GET to a user's URL went: its status and the start of its body, or why there was none."""

    status_code: int | None
    body: str = ""
    error: str | None = None  # "Timeout: ...", "ConnectionError: ...": no answer came


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

    def send(self, url: str, event: str, payload: dict, *, form: str | None = None, method: str = "POST",
             timeout: float | None = None, on_done: Callable[[Reply], None] | None = None) -> dict:
        """Queue one delivery. ``payload`` goes as JSON, or with ``form="urlencoded"`` (or ``"multipart"``)
        as a form body whose nested fields are bracket-indexed (``Legs[0][Status]``), as handlers of
        Exotel's form callbacks read them.

        ``method="GET"`` sends ``payload`` as the query string instead, once (the caller waits on the
        answer: a question is not asked twice), never following a redirect (a 302 is an answer).
        ``timeout`` replaces the dispatcher's for this delivery; ``on_done`` gets the ``Reply`` on the
        delivering thread, before the log entry leaves ``pending``, and must not block."""
        entry = {
            "id": next(self._ids), "event": event, "method": method, "url": url, "payload": payload,
            "state": "pending",
            "attempts": 0, "status_code": None, "error": None,
            "created_at": rfc3339(self.clock.time()), "delivered_at": None,
        }
        with self._lock:
            self._log.append(entry)
            self._in_flight += 1
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="emulator-callback")
            pool = self._pool
        if method == "GET":
            pool.submit(self._ask, entry, timeout or self.timeout, on_done)
        else:
            pool.submit(self._deliver, entry, form, timeout or self.timeout)
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

    def _ask(self, entry: dict, timeout: float, on_done: Callable[[Reply], None] | None) -> None:
        """One GET; its answer (or the failure) goes to ``on_done``, then the entry leaves ``pending`` (so
        whoever waits on the log sees the answer already taken)."""
        try:
            entry["attempts"] = 1
            try:
                with self._http().get(entry["url"], params=entry["payload"], timeout=timeout,
                                      allow_redirects=False, stream=True) as r:
                    body = b""
                    for chunk in r.iter_content(8192):  # (requests has read a redirect's body already)
                        body += chunk
                        if len(body) >= REPLY_BYTES:
                            break
                    reply = Reply(r.status_code, body[:REPLY_BYTES].decode(r.encoding or "utf-8", "replace"))
            except Exception as exc:  # a dead, slow or broken URL is an outcome the caller handles
                reply = Reply(None, error=f"{type(exc).__name__}: {exc}")
            if on_done is not None:
                try:
                    on_done(reply)
                except Exception:
                    log.exception("completion of %s %s failed", entry["event"], entry["url"])
            entry["status_code"], entry["error"] = reply.status_code, reply.error
            entry["delivered_at"] = rfc3339(self.clock.time())
            entry["state"] = "delivered" if reply.status_code is not None and reply.status_code < 400 else "failed"
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _deliver(self, entry: dict, form: str | None = None, timeout: float | None = None) -> None:
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
                    r = self._http().post(entry["url"], timeout=timeout or self.timeout, **body)
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
