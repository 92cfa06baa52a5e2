"""The one callback dispatcher: requests to users' URLs off the request thread, from a bounded queue, with
timeouts, retries, a per-host circuit breaker and an honest log.

Callbacks are POSTs (JSON, or a form whose nested fields are bracket-indexed); a call flow's questions to a
user's URL (a Passthru, a "dial whom" URL) are GETs whose answer the flow waits for: ``send(...,
method="GET", on_done=...)`` hands it back as a ``Reply``.

Bounds (``create_app`` config ``CALLBACKS``, defaults in ``Dispatcher.__init__``): the queue holds at most
``queue_size`` deliveries and ``queue_bytes`` bytes (URL, event and encoded body of each); a delivery that
does not fit is not queued but logged as ``dropped`` and counted (``stats()``, shown by health). The log
keeps the newest ``log_size`` entries within ``log_bytes``.

A dead URL is given up quickly: connecting times out after ``connect_timeout`` seconds, and after
``breaker_after`` failed connections in a row to one host (``host:port``), deliveries to it fail at once,
without a try, for ``breaker_seconds`` (real time: it is about the network, not the emulator's clock); the
first delivery after that tries again.

Every entry ends in one state: ``delivered`` (2xx/3xx), ``failed`` (an error answer, retries spent, or the
breaker open), ``dropped`` (the queue was full) or ``canceled`` (a reset or shutdown came first); until
then it is ``pending``. A GET's ``on_done`` hears of every ending but a cancellation: a reset's cancels
belong to a world that is gone, and a shutdown's to none.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

from emulator.core.clock import Clock, rfc3339

log = logging.getLogger(__name__)

# bytes an entry costs beyond its URL, event and body: the object, its fields and an error message (cut to
# MAX_ERROR characters)
ENTRY_OVERHEAD = 512
MAX_ERROR = 200
REPLY_BYTES = 64 << 10  # of a GET's answer, what ``on_done`` gets (a Passthru's or dial-whom URL's body is short)
# how a POST's body is encoded: JSON, or the form fields (kept url-encoded; multipart is written when sent)
ENCODINGS = {None: "application/json", "urlencoded": "application/x-www-form-urlencoded",
             "multipart": "multipart/form-data"}


@dataclass(frozen=True)
class Reply:
    """How a GET to a user's URL went: its status and the start of its body, or why there was none."""

    status_code: int | None
    body: str = ""
    error: str | None = None  # "Timeout: ...", "ConnectionError: ...": no answer came


class Delivery:
    """One callback: its log entry, and its place in the queue while it waits."""

    __slots__ = ("id", "event", "method", "url", "account", "body", "content_type", "state", "attempts",
                 "status_code", "error", "created_at", "delivered_at", "generation", "weight", "timeout", "on_done")

    def __init__(self, id: int, event: str, url: str, body: bytes, content_type: str, created_at: str,
                 generation: int, method: str = "POST", timeout: float | None = None,
                 on_done: Callable[[Reply], None] | None = None, account: str | None = None):
        self.id, self.event, self.url, self.body, self.content_type = id, event, url, body, content_type
        self.method, self.timeout, self.on_done, self.account = method, timeout, on_done, account
        self.state, self.attempts = "pending", 0
        self.status_code: int | None = None
        self.error: str | None = None
        self.created_at, self.generation = created_at, generation
        self.delivered_at: str | None = None
        self.weight = ENTRY_OVERHEAD + len(url) + len(event) + len(body) + len(account or "")

    def fail(self, state: str, error: str) -> None:
        self.state, self.error = state, error[:MAX_ERROR]

    def answered(self, reply: Reply) -> None:
        """A GET's outcome goes to whoever waits on it, before the entry leaves ``pending`` (so whoever
        waits on the log sees the answer taken)."""
        if self.on_done is not None:
            try:
                self.on_done(reply)
            except Exception:
                log.exception("completion of %s %s failed", self.event, self.url)

    def to_dict(self, payload: Any = None) -> dict:
        return {"id": self.id, "event": self.event, "method": self.method, "url": self.url, "account": self.account,
                "payload": payload if payload is not None else self.payload(), "state": self.state,
                "attempts": self.attempts, "status_code": self.status_code, "error": self.error,
                "created_at": self.created_at, "delivered_at": self.delivered_at}

    def payload(self) -> Any:
        """The body as it was given (only the encoded bytes are kept, so the log's bound is honest)."""
        text = self.body.decode("utf-8", "replace")
        if self.content_type == "application/json":
            return json.loads(text)
        if self.content_type in ("application/x-www-form-urlencoded", "multipart/form-data", ""):
            return dict(parse_qsl(text, keep_blank_values=True))  # a form's fields, or a GET's query
        return text


class Breaker:
    """Per host: consecutive failed connections, and until when deliveries to it are not even tried."""

    MAX_HOSTS = 1024  # hosts remembered; the oldest is forgotten first

    def __init__(self, after: int, seconds: float):
        self.after, self.seconds = after, seconds
        self.now = time.monotonic
        self._failures: dict[str, int] = {}
        self._open_until: dict[str, float] = {}

    def is_open(self, host: str) -> bool:
        return self._open_until.get(host, 0.0) > self.now()

    def failed(self, host: str) -> None:
        failures = self._failures[host] = self._failures.pop(host, 0) + 1
        if failures >= self.after:
            self._open_until[host] = self.now() + self.seconds
        while len(self._failures) > self.MAX_HOSTS:
            oldest = next(iter(self._failures))
            del self._failures[oldest]
            self._open_until.pop(oldest, None)

    def succeeded(self, host: str) -> None:
        self._failures.pop(host, None)
        self._open_until.pop(host, None)

    def clear(self) -> None:
        self._failures.clear()
        self._open_until.clear()


class Dispatcher:
    """Delivers callbacks from ``workers`` threads; ``send`` only queues, so an API request never waits
    for a callback URL, however slow or dead. Each delivery is tried ``retries + 1`` times with
    exponential backoff between tries and a ``timeout`` for the answer."""

    def __init__(self, clock: Clock, timeout: float = 2.0, retries: int = 2, backoff: float = 0.2,
                 workers: int = 4, log_size: int = 1000, log_bytes: int = 8 << 20, queue_size: int = 1000,
                 queue_bytes: int = 8 << 20, connect_timeout: float = 1.0, breaker_after: int = 3,
                 breaker_seconds: float = 5.0):
        self.clock = clock
        self.timeout, self.connect_timeout, self.retries, self.backoff = timeout, connect_timeout, retries, backoff
        self.log_size, self.log_bytes = log_size, log_bytes
        self.queue_size, self.queue_bytes = queue_size, queue_bytes
        self._workers = workers
        self._threads: list[threading.Thread] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # queue, idle, reset and shutdown all signal it
        self._queue: deque[Delivery] = deque()
        self._queued_bytes = 0
        self._log: deque[Delivery] = deque()
        self._log_weight = 0
        self._in_flight = 0
        self._dropped = 0
        self._generation = 0
        self._stopped = False
        self._breaker = Breaker(breaker_after, breaker_seconds)

    # ---- what the families call -------------------------------------------------------------------------

    def send(self, url: str, event: str, payload: Any, *, form: str | None = None, method: str = "POST",
             timeout: float | None = None, on_done: Callable[[Reply], None] | None = None,
             account: str | None = None) -> dict:
        """Queue one delivery; returns its log entry (``pending``, or ``dropped`` when the queue is full).
        ``account``: the sid of the account whose state fired it (None where there is none), logged and
        filtered on (``entries(account=)``).

        A POST's ``payload`` goes as JSON, or with ``form="urlencoded"`` (or ``"multipart"``) as a form whose
        nested fields are bracket-indexed (``Legs[0][Status]``), as handlers of Exotel's form callbacks read
        them. ``method="GET"`` sends ``payload`` as the query string instead, once (the caller waits on the
        answer: a question is not asked twice), never following a redirect (a 302 is an answer);
        ``on_done`` gets its ``Reply`` on the delivering thread and must not block. ``timeout`` replaces
        the dispatcher's for this delivery."""
        if method == "GET":
            body, content_type = urlencode(payload).encode("utf-8"), ""
        elif form is None:
            body, content_type = json.dumps(payload).encode("utf-8"), ENCODINGS[None]
        else:
            from emulator.core.forms import flatten

            body, content_type = urlencode(flatten(payload)).encode("utf-8"), ENCODINGS[form]
        with self._lock:
            delivery = Delivery(next(self._ids), event, url, body, content_type, rfc3339(self.clock.time()),
                                self._generation, method, timeout, on_done, account)
            if self._stopped:
                delivery.fail("canceled", "the emulator is shutting down")
            elif len(self._queue) >= self.queue_size or self._queued_bytes + delivery.weight > self.queue_bytes:
                delivery.fail("dropped", f"callback queue full ({len(self._queue)} deliveries, {self._queued_bytes} "
                                         f"bytes waiting; bounds {self.queue_size} and {self.queue_bytes})")
                self._dropped += 1
            else:
                self._queue.append(delivery)
                self._queued_bytes += delivery.weight
                self._start_workers()
                self._changed.notify()
            self._remember(delivery)
        if delivery.state == "dropped":
            delivery.answered(Reply(None, error=delivery.error))  # outside the lock: it may queue again
        return delivery.to_dict(payload)

    # ---- what the control API and tests call ------------------------------------------------------------

    def entries(self, account: str | None = None) -> list[dict]:
        """The log, oldest first; ``account``: only that account's deliveries."""
        with self._lock:
            log = [d for d in self._log if account is None or d.account == account]
        return [d.to_dict() for d in log]

    def stats(self) -> dict:
        with self._lock:
            return {"queued": len(self._queue), "queued_bytes": self._queued_bytes, "in_flight": self._in_flight,
                    "dropped": self._dropped}

    def clear(self) -> None:
        """A reset: queued deliveries are canceled (none reaches its URL), retries of those in flight stop,
        the log, the dropped count and the breaker are emptied."""
        with self._lock:
            self._generation += 1
            self._cancel_queued("canceled by a reset")
            self._log.clear()
            self._log_weight = 0
            self._dropped = 0
            self._breaker.clear()
            self._ids = itertools.count(1)  # as in a fresh app
            self._changed.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery has finished (tests wait for callbacks with it)."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._queue and not self._in_flight, timeout)

    def shutdown(self, deadline: float = 2.0) -> bool:
        """Cancel what is queued, stop the workers and wait for them at most ``deadline`` seconds (a worker
        stuck on a slow URL is a daemon thread: it never holds the process). True if all stopped."""
        with self._lock:
            self._stopped = True
            self._cancel_queued("canceled: the emulator shut down")
            self._changed.notify_all()
            threads = list(self._threads)
        end = time.monotonic() + deadline
        for thread in threads:
            thread.join(max(0.0, end - time.monotonic()))
        return not any(t.is_alive() for t in threads)

    # ---- inside ---------------------------------------------------------------------------------------

    def _start_workers(self) -> None:
        while len(self._threads) < self._workers:
            thread = threading.Thread(target=self._work, name=f"emulator-callback-{len(self._threads) + 1}",
                                      daemon=True)
            self._threads.append(thread)
            thread.start()

    def _remember(self, delivery: Delivery) -> None:
        self._log.append(delivery)
        self._log_weight += delivery.weight
        while len(self._log) > 1 and (len(self._log) > self.log_size or self._log_weight > self.log_bytes):
            self._log_weight -= self._log.popleft().weight

    def _cancel_queued(self, why: str) -> None:
        for delivery in self._queue:
            delivery.fail("canceled", why)
        self._queue.clear()
        self._queued_bytes = 0

    def _work(self) -> None:
        import requests  # imported by the first worker: keeps start-up fast

        session = requests.Session()  # one per worker thread: a Session is not meant to be shared
        session.trust_env = False  # callbacks go where the user said, never via a proxy
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._queue or self._stopped)
                if self._stopped:
                    session.close()
                    return
                delivery = self._queue.popleft()
                self._queued_bytes -= delivery.weight
                self._in_flight += 1
            try:
                self._deliver(session, delivery)
            except Exception:  # never lose a worker: log it and go on
                log.exception("callback delivery %s failed unexpectedly", delivery.id)
                delivery.fail("failed", "internal error while delivering")
            finally:
                with self._changed:
                    self._in_flight -= 1
                    self._changed.notify_all()

    def _halted(self, delivery: Delivery) -> bool:
        return self._stopped or delivery.generation != self._generation

    def _why_halted(self) -> str:
        return "canceled: the emulator shut down" if self._stopped else "canceled by a reset"

    def _deliver(self, session, delivery: Delivery) -> None:
        if delivery.method == "GET":
            return self._ask(session, delivery)
        import requests

        host = (urlsplit(delivery.url).netloc or delivery.url).lower()
        for attempt in range(self.retries + 1):
            if attempt:
                with self._changed:  # the backoff ends early on a reset or a shutdown
                    self._changed.wait_for(lambda: self._halted(delivery), self.backoff * 2 ** (attempt - 1))
            if self._halted(delivery):
                delivery.fail("canceled", self._why_halted())
                return
            if self._breaker.is_open(host):
                delivery.fail("failed", f"not sent: connecting to {host} failed {self._breaker.after} times in a row; "
                                        f"it is tried again {self._breaker.seconds:g} s after the last failure")
                break
            delivery.attempts = attempt + 1
            try:
                if delivery.content_type == "multipart/form-data":  # requests writes the parts and boundary
                    fields = parse_qsl(delivery.body.decode("utf-8"), keep_blank_values=True)
                    sent: dict[str, Any] = {"files": [(k, (None, v)) for k, v in fields]}
                else:
                    sent = {"data": delivery.body, "headers": {"Content-Type": delivery.content_type}}
                response = session.post(delivery.url, timeout=(self.connect_timeout, delivery.timeout or self.timeout),
                                        **sent)
                response.close()
            except requests.ConnectionError as exc:  # refused, unreachable, DNS, connect timeout
                self._breaker.failed(host)
                delivery.error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
                continue
            except Exception as exc:  # a read timeout, a bad URL...: retried, the host is not to blame
                delivery.error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
                continue
            self._breaker.succeeded(host)
            delivery.status_code, delivery.error = response.status_code, None
            if response.status_code < 500:
                delivery.state = "delivered" if response.status_code < 400 else "failed"
                break
        else:
            delivery.state = "failed"
        delivery.delivered_at = rfc3339(self.clock.time())

    def _ask(self, session, delivery: Delivery) -> None:
        """One GET, its answer (or the failure) to ``on_done``; then the entry leaves ``pending``."""
        if self._halted(delivery):
            delivery.fail("canceled", self._why_halted())
            return
        host = (urlsplit(delivery.url).netloc or delivery.url).lower()
        delivery.attempts = 1
        if self._breaker.is_open(host):
            reply = Reply(None, error=f"not sent: connecting to {host} failed {self._breaker.after} times in a row")
        else:
            try:
                with session.get(delivery.url, params=delivery.body.decode("utf-8"), allow_redirects=False,
                                 stream=True, timeout=(self.connect_timeout, delivery.timeout or self.timeout)) as r:
                    body = b""
                    for chunk in r.iter_content(8192):  # (requests has read a redirect's body already)
                        body += chunk
                        if len(body) >= REPLY_BYTES:
                            break
                    reply = Reply(r.status_code, body[:REPLY_BYTES].decode(r.encoding or "utf-8", "replace"))
                self._breaker.succeeded(host)
            except Exception as exc:  # a dead, slow or broken URL is an outcome the caller handles
                import requests

                if isinstance(exc, requests.ConnectionError):
                    self._breaker.failed(host)
                reply = Reply(None, error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR])
        if self._halted(delivery):  # a reset came while it was asked: its world is gone
            delivery.fail("canceled", self._why_halted())
            return
        delivery.answered(reply)
        delivery.status_code, delivery.error = reply.status_code, reply.error
        delivery.state = "delivered" if reply.status_code is not None and reply.status_code < 400 else "failed"
        delivery.delivered_at = rfc3339(self.clock.time())
