"""The request journal: the newest vendor-API requests with their answers, for tests to inspect.

Recording must cost next to nothing (it runs on every request), so an entry keeps the raw bytes and the
header pairs as received; parsing JSON and redacting credentials happen only when someone reads the
journal (``GET /_emulator/requests``). The one exception is a value a handler marked secret (the token
``/token`` issues: its field name says nothing): it is cut out of the recorded answer before it is kept.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import threading
from typing import Callable, Iterable, NamedTuple
from urllib.parse import parse_qsl, urlencode

from emulator.core.clock import rfc3339
from emulator.core.request import parse_json

REDACTED = "[redacted]"
# Header and body field names that carry credentials: Authorization, api_token, ExotelApiKey, Secret,
# AppSecret, SipSecret, Token, Cookie... (compiled once: the journal is read far less often than written)
CREDENTIAL = re.compile(r"authorization|cookie|secret|token|password|api_?key", re.IGNORECASE)
AUTH_SCHEMES = ("basic", "bearer", "digest", "token")
# what an entry costs beyond the bytes of its strings: the tuple, its lists, the header pairs' objects
ENTRY_OVERHEAD = 512
# a body that is neither JSON nor a form, shown as text: "name": "value" and name=value pairs with a
# credential's name still lose their value (a JSON body too deep to parse, say)
_TEXT_PAIR = re.compile(r'("(?:[^"\\]|\\.)*"\s*:\s*)("(?:[^"\\]|\\.)*"|[^\s,}\]]+)|([^\s&=?"]+=)([^\s&"]*)')


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
    in_flight: bool = False  # held by a delay fault: shown at once, replaced by its outcome when it ends


def weight(entry: Entry) -> int:
    """Every byte the entry keeps: request line, query, headers, body, answer and its headers."""
    return (ENTRY_OVERHEAD + len(entry.method) + len(entry.path) + len(entry.query) + len(entry.body)
            + len(entry.response) + sum(len(k) + len(v) for k, v in entry.headers)
            + sum(len(k) + len(v) for k, v in entry.response_headers))


class Journal:
    """The newest entries: at most ``size`` of them, together weighing at most ``max_bytes`` (``weight``:
    a run listing 17 kB inventories, or sending 200 kB query strings, all day must not grow memory).
    ``clear`` also disowns requests still in flight.

    A request that started before a reset (a delayed fault, say) finishes in another test's world; its
    entry carries the generation it started in and is dropped if that generation is over.
    """

    def __init__(self, size: int = 1000, max_bytes: int = 8 << 20):
        self.size = max(0, int(size))
        self.max_bytes = max_bytes
        self._entries: dict[int, tuple[Entry, int]] = {}  # id -> (entry, its weight), in recording order
        self._bytes = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.generation = 0

    def begin(self) -> tuple[int, int]:
        """A new request's (generation, id), taken together: ids start again at 1 after each reset, so an
        id is never reused within a generation."""
        with self._lock:
            return self.generation, next(self._ids)

    def record(self, generation: int, entry: Entry) -> None:
        """Keep ``entry``, or replace the in-flight entry of the same request with its outcome."""
        with self._lock:
            if generation != self.generation:
                return
            previous = self._entries.get(entry.id)
            if previous is not None:
                self._bytes -= previous[1]
            kept = weight(entry)
            self._entries[entry.id] = (entry, kept)
            self._bytes += kept
            # the newest entry always stays, whatever its size
            while len(self._entries) > 1 and (len(self._entries) > self.size or self._bytes > self.max_bytes):
                self._bytes -= self._entries.pop(next(iter(self._entries)))[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.generation += 1
            self._ids = itertools.count(1)  # as in a fresh app

    def entries(self) -> list[Entry]:
        """Oldest first by arrival: entries are added as requests finish, and a delayed one finishes late."""
        with self._lock:
            entries = [entry for entry, _ in self._entries.values()]
        return sorted(entries, key=lambda e: e.id)

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, account_of: Callable[[str], str | None], method: str | None = None, path: str | None = None,
             account: str | None = None, limit: int | None = None) -> list[dict]:
        """Rendered entries, oldest first, filtered by method, path prefix and account; the newest ``limit``."""
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
            found.append((entry, owner))
        # rendering (JSON parsing, redaction) is the costly part: only what is answered pays it
        return [render(entry, owner) for entry, owner in (found[-limit:] if limit else found)]


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
        "in_flight": entry.in_flight,
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
    """JSON-parsed when it is JSON, a form's pairs or text otherwise, credentials redacted; None when
    empty. The Content-Type is not trusted: ExoPhones reads a form whatever the client labels it."""
    if not raw:
        return None
    try:
        return redact(parse_json(raw))
    except ValueError:  # not JSON, or JSON the API refused (too deep...)
        pass
    if content_type.startswith("multipart/form-data"):
        return _multipart(raw, content_type)
    text = raw.decode("utf-8", "replace")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return _TEXT_PAIR.sub(_redact_pair, text)
    if any(CREDENTIAL.search(name) for name, _ in pairs):
        return urlencode([(n, REDACTED if CREDENTIAL.search(n) else v) for n, v in pairs])
    return text


def _redact_pair(match: re.Match) -> str:
    name, value = (match.group(1), match.group(2)) if match.group(1) is not None else (match.group(3),
                                                                                        match.group(4))
    if not CREDENTIAL.search(name):
        return match.group(0)
    return name + (f'"{REDACTED}"' if match.group(1) is not None else REDACTED)


def _multipart(raw: bytes, content_type: str) -> dict:
    """A multipart form's fields (files by their name), credential fields redacted."""
    from werkzeug.formparser import parse_form_data

    environ = {"wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw)), "CONTENT_TYPE": content_type,
               "REQUEST_METHOD": "POST"}
    _, form, files = parse_form_data(environ, silent=True)
    fields: dict = {k: REDACTED if CREDENTIAL.search(k) else v for k, v in form.items()}
    fields.update({k: f"[file {f.filename or ''}]" for k, f in files.items()})
    return fields


def conceal(raw: bytes, secrets: Iterable[str]) -> bytes:
    """``raw`` with every occurrence of each secret (as sent and as JSON escapes it) replaced."""
    for secret in secrets:
        if secret:
            for form in {secret.encode("utf-8"), json.dumps(secret)[1:-1].encode("utf-8")}:
                raw = raw.replace(form, REDACTED.encode())
    return raw


def redact(value):
    """A JSON value with every credential-named field's value replaced. The recursion is bounded: every
    value comes from ``parse_json`` or from the app's own answers, no deeper than ``MAX_DEPTH``."""
    if isinstance(value, dict):
        return {k: (REDACTED if isinstance(k, str) and CREDENTIAL.search(k) and v is not None else redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value
