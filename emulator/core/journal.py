"""The request journal: the newest vendor-API requests with their answers, for tests to inspect.

Recording must cost next to nothing (it runs on every request), so an entry keeps the raw bytes and the
header pairs as received; parsing JSON and redacting credentials happen only when someone reads the
journal (``GET /_emulator/requests``).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import deque
from typing import Callable, NamedTuple
from urllib.parse import parse_qsl

from emulator.core.clock import rfc3339
from emulator.core.request import parse_json

REDACTED = "[redacted]"
# Header and body field names that carry credentials: Authorization, api_token, ExotelApiKey, Secret,
# AppSecret, SipSecret, Token, Cookie... (compiled once: the journal is read far less often than written)
CREDENTIAL = re.compile(r"authorization|cookie|secret|token|password|api_?key", re.IGNORECASE)
AUTH_SCHEMES = ("basic", "bearer", "digest", "token")


class Entry(NamedTuple):
    """One request as recorded; ``render`` turns it into the JSON the control API shows."""

    id: int
    time: float  # emulator clock
    method: str
    path: str
    query: str
    headers: list  # [(name, value)] as received, credentials included: redacted on the way out
    body: bytes
    status: int | None  # None: no answer at all (a dropped connection)
    response: bytes
    response_headers: list  # [(name, value)] as the app answered
    fault: str | None  # id of the fault rule that answered, "rate_limit", or None
    duration_ms: float


def weight(entry: Entry) -> int:
    return len(entry.body) + len(entry.response)


class Journal:
    """The newest entries: at most ``size`` of them, whose bodies and answers together
    stay under ``max_bytes`` (a run listing 17 kB inventories all day must not grow memory either).
    ``clear`` also disowns requests still in flight.

    A request that started before a reset (a delayed fault, say) finishes in another test's world; its
    entry carries the generation it started in and is dropped if that generation is over.
    """

    def __init__(self, size: int = 1000, max_bytes: int = 8 << 20):
        self.size = max(0, int(size))
        self.max_bytes = max_bytes
        self._entries: deque[Entry] = deque()
        self._bytes = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.generation = 0

    def next_id(self) -> int:
        return next(self._ids)

    def record(self, generation: int, entry: Entry) -> None:
        with self._lock:
            if generation != self.generation:
                return
            self._entries.append(entry)
            self._bytes += weight(entry)
            # the newest entry always stays, whatever its size
            while len(self._entries) > 1 and (len(self._entries) > self.size or self._bytes > self.max_bytes):
                self._bytes -= weight(self._entries.popleft())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.generation += 1

    def entries(self) -> list[Entry]:
        """Oldest first by arrival: entries are added as requests finish, and a delayed one finishes late."""
        with self._lock:
            entries = list(self._entries)
        return sorted(entries, key=lambda e: e.id)

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, account_of: Callable[[str], str | None], method: str | None = None, path: str | None = None,
             account: str | None = None) -> list[dict]:
        """Rendered entries, oldest first, filtered by method, path prefix and account."""
        method = method.upper() if method else None
        found = []
        for entry in self.entries():
            if method and entry.method != method:
                continue
            if path and not entry.path.startswith(path):
                continue
            owner = account_of(entry.path)
            if account and owner != account:
                continue
            found.append(render(entry, owner))
        return found


def render(entry: Entry, account: str | None) -> dict:
    headers = {name: _redact_header(name, value) for name, value in ((header_name(k), v) for k, v in entry.headers)}
    response_type = next((v for k, v in entry.response_headers if k.lower() == "content-type"), "")
    return {
        "id": entry.id,
        "time": rfc3339(entry.time),
        "method": entry.method,
        "path": entry.path,
        "query": _query(entry.query),
        "account": account,
        "headers": headers,
        "body": _payload(entry.body, headers.get("Content-Type", "")),
        "status": entry.status,
        "response": _payload(entry.response, response_type),
        "fault": entry.fault,
        "duration_ms": round(entry.duration_ms, 3),
    }


def header_name(environ_key: str) -> str:
    """``HTTP_X_API_KEY`` -> ``X-Api-Key``, ``CONTENT_TYPE`` -> ``Content-Type``."""
    name = environ_key[5:] if environ_key.startswith("HTTP_") else environ_key
    return name.replace("_", "-").title()


def _redact_header(name: str, value: str) -> str:
    if not CREDENTIAL.search(name):
        return value
    scheme, _, rest = value.partition(" ")
    # keep the scheme: "which kind of auth did my client send?" is a fair question for a test
    return f"{scheme} {REDACTED}" if rest and scheme.lower() in AUTH_SCHEMES else REDACTED


def _query(raw: str) -> dict:
    query: dict = {}
    for name, value in parse_qsl(raw, keep_blank_values=True):
        value = REDACTED if CREDENTIAL.search(name) else value
        if name in query:  # a repeated parameter becomes a list
            previous = query[name]
            query[name] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            query[name] = value
    return query


def _payload(raw: bytes, content_type: str):
    """JSON-parsed when it is JSON (credential fields redacted), else text; None when empty."""
    if not raw:
        return None
    try:
        return redact(parse_json(raw))
    except ValueError:  # not JSON, or JSON the API refused (too deep...): shown as text
        pass
    text = raw.decode("utf-8", "replace")
    if content_type.startswith("application/x-www-form-urlencoded"):
        pairs = parse_qsl(text, keep_blank_values=True)
        if any(CREDENTIAL.search(name) for name, _ in pairs):
            from urllib.parse import urlencode

            return urlencode([(n, REDACTED if CREDENTIAL.search(n) else v) for n, v in pairs])
    return text


def redact(value):
    """A JSON value with every credential-named field's value replaced. The recursion is bounded: every
    value comes from ``parse_json`` or from the app's own answers, no deeper than ``MAX_DEPTH``."""
    if isinstance(value, dict):
        return {k: (REDACTED if isinstance(k, str) and CREDENTIAL.search(k) and v is not None else redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value
