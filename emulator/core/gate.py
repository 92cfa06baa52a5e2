"""The gate every vendor request passes: rate limits and faults on the way in, the journal on the way out.

It is WSGI middleware around the Flask app because two of its effects happen below HTTP: a ``drop``
fault closes the connection without any answer, and a delay holds the request before Flask sees it.
What it decides to answer instead (an injected error, a raw body, a 429) is rendered inside Flask by
``answer_injected``, so it comes out in the family's envelope exactly like a natural error.
Requests under ``/_emulator/`` pass straight through: the tools never disturb themselves.
"""

from __future__ import annotations

import io
import math
import socket
import time
from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app, request

from emulator.core.auth import Credentials, classify
from emulator.core.errors import ApiError
from emulator.core.faults import Fault
from emulator.core.journal import Entry, conceal
from emulator.core.request import SECRETS, render

CONTROL_PREFIX = "/_emulator"
ANSWER = "exotel_emulator.answer"  # environ key: what the gate decided Flask must answer instead
# environ key an in-process client sets to its read timeout (seconds), so a longer delay times it out
CLIENT_TIMEOUT = "exotel_emulator.client_timeout"


class ConnectionDropped(Exception):
    """Raised out of the WSGI app to close the connection without a byte of answer: the event-loop
    server aborts the connection (``emulator.core.asgi``), in-process clients turn it into
    ``requests.ConnectionError``."""


class ClientTimedOut(ConnectionDropped):
    """A delay longer than an in-process client's timeout: that client sees ``requests.ReadTimeout``."""


class RateLimited:
    """The answer to a request over its account's rate limit."""

    fault_id = "rate_limit"

    def __init__(self, retry_after: float):
        self.retry_after = retry_after


@dataclass
class Ticket:
    """A vendor request the gate has admitted: its journal entry so far, and the fault it took, if any."""

    entry: Entry
    generation: int  # the journal's, when the request arrived: a reset meanwhile disowns it
    started: float
    fault: Fault | None = None


class Gate:
    """``__call__`` is the WSGI middleware (the test client, ``mock_exotel``, Flask's debug server); the
    event-loop server calls its three steps itself, so a delay waits without holding a thread: ``admit``
    (rate limits, faults, the journal's in-flight entry), the fault's hold (``hold`` here, ``pause`` there),
    then ``answer`` (Flask, and the journal's entry of the outcome)."""

    def __init__(self, wsgi_app: Callable, store, max_body: int | None):
        self.wsgi_app = wsgi_app
        self.store = store
        self.account_of = store.account_of
        self.max_body = max_body or 1 << 20

    def __call__(self, environ: dict, start_response: Callable):
        ticket = self.admit(environ)
        if ticket is None:
            return self.wsgi_app(environ, start_response)
        if ticket.fault is not None:
            try:
                self.hold(ticket, environ)
            except ConnectionDropped:
                self.dropped(ticket)  # no answer at all: the journal says so with a null status
                raise
        return self.answer(ticket, environ, start_response)

    def admit(self, environ: dict) -> Ticket | None:
        """What the request meets before Flask: its account's rate limit, then a fault (left in the
        environ for Flask to answer, or in the ticket to hold or drop it). None: a control request."""
        path = environ.get("PATH_INFO") or "/"
        if path.startswith(CONTROL_PREFIX):
            return None
        store = self.store
        journal = store.journal
        # numbered on arrival, so the journal lists requests in the order they came, however long each took
        generation, number = journal.begin()
        entry = Entry(id=number, time=store.clock.time(), method=environ.get("REQUEST_METHOD", "GET"),
                      path=path, query=environ.get("QUERY_STRING", ""), headers=[], body=b"", status=None,
                      response=b"", response_headers=[], fault=None, duration_ms=0.0)
        ticket = Ticket(entry, generation, time.perf_counter())
        if journal.size:
            ticket.entry = entry._replace(body=self._read_body(environ), headers=[
                (k, v) for k, v in environ.items() if k[:5] == "HTTP_" or k == "CONTENT_TYPE"])

        if store.rate_limits.limits:  # empty unless a test switched a limit on (a preflight never counts:
            # it carries no credentials)
            sid = self.account_of(path)
            limited = sid is not None and sid in store.rate_limits.limits and _authenticates_as(store, environ, sid)
            retry_after = store.rate_limits.admit(sid) if limited else None
            if retry_after is not None:
                environ[ANSWER] = RateLimited(retry_after)
                ticket.entry = ticket.entry._replace(fault=RateLimited.fault_id)
                return ticket
        # faults answer vendor requests, never a browser's CORS check before one: a preflight spending a
        # `times: 1` fault would leave none for the request it announces
        if store.faults.live and not _preflight(environ):  # empty unless a test added one
            fault = store.faults.take(entry.method, path, self.account_of)
            if fault is not None:
                ticket.fault = fault
                ticket.entry = ticket.entry._replace(fault=fault.id)
                if fault.delay_ms and journal.size:  # seen in the journal while it waits
                    journal.record(generation, ticket.entry._replace(in_flight=True))
                if fault.answers:
                    environ[ANSWER] = fault
        return ticket

    def hold(self, ticket: Ticket, environ: dict) -> None:
        """A fault's effects below HTTP, on this thread: wait, then maybe close without an answer."""
        fault = ticket.fault
        assert fault is not None
        if fault.delay_ms:
            self._delay(fault.delay_ms / 1000, environ, ticket.generation)
        if fault.drop:
            _drop(environ)

    async def pause(self, ticket: Ticket) -> bool:
        """``hold`` on an event loop: the delay is awaited. True when the connection must close unanswered
        (a ``drop`` fault, or a reset during the delay: its world is gone, and answering from the new
        one would leak into the next test)."""
        fault = ticket.fault
        assert fault is not None
        if fault.delay_ms:
            faults = self.store.faults
            await faults.pause(fault.delay_ms / 1000, faults.generation)
            if self.store.journal.generation != ticket.generation:
                return True
        return fault.drop

    def answer(self, ticket: Ticket, environ: dict, start_response: Callable) -> list[bytes]:
        """Flask's answer, kept in the journal (secrets concealed) as it goes to the client."""
        journal = self.store.journal
        if not journal.size:
            return self.wsgi_app(environ, start_response)
        captured: list = []

        def capture(status, response_headers, exc_info=None):
            captured[:] = (status, response_headers)
            return start_response(status, response_headers, exc_info)

        result = self.wsgi_app(environ, capture)
        try:
            response = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, response_headers = captured
        secrets = environ.get(SECRETS)
        # the client gets a secret, the journal never; and the journal keeps a copy of the bytes alone: orjson's
        # output holds on to its whole buffer (8 kB for a 600-byte ExoPhone), which made a full journal of
        # GETs 10 MB where its weight said 1
        kept = memoryview(conceal(response, secrets) if secrets else response).tobytes()
        self._record(ticket.generation, ticket.entry._replace(status=int(status[:3]), response=kept,
                                                              response_headers=response_headers), ticket.started)
        return [response]

    def dropped(self, ticket: Ticket) -> None:
        self._record(ticket.generation, ticket.entry, ticket.started)

    def _record(self, generation: int, entry: Entry, started: float) -> None:
        if self.store.journal.size:
            self.store.journal.record(generation, entry._replace(duration_ms=(time.perf_counter() - started) * 1000))

    def _delay(self, seconds: float, environ: dict, generation: int) -> None:
        faults = self.store.faults
        timeout = environ.get(CLIENT_TIMEOUT)
        if timeout is not None and seconds > timeout:
            faults.sleep(timeout, faults.generation)
            raise ClientTimedOut()
        faults.sleep(seconds, faults.generation)
        if self.store.journal.generation != generation:
            # a reset happened while this request waited: its world is gone, and answering from the
            # new one would leak into the next test, so the connection is closed instead
            _drop(environ)

    def _read_body(self, environ: dict) -> bytes:
        """The request body, kept for the journal and handed on to Flask unchanged."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return b""
        if length <= 0 or length > self.max_body:  # Flask answers a too-large body 413 without reading it
            return b""
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return body


def _preflight(environ: dict) -> bool:
    """A CORS preflight, as the Fetch standard defines it: OPTIONS with an Origin and the method to come."""
    return (environ.get("REQUEST_METHOD") == "OPTIONS" and "HTTP_ORIGIN" in environ
            and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ)


def _authenticates_as(store, environ: dict, sid: str) -> bool:
    """Only the account's own requests count against its limit: a stranger's 401 must not spend its quota."""
    return classify(store, environ.get("HTTP_AUTHORIZATION"), sid) == Credentials.OK


def _drop(environ: dict):
    # Flask's development server (--debug) knows nothing of this exception: close its socket
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionDropped()


def answer_injected():
    """Flask ``before_request`` hook: render what the gate decided, in the envelope of the path's family."""
    answer = request.environ.get(ANSWER)
    if answer is None:
        return None
    error_type = current_app.extensions["exotel_emulator"].envelope(request.path)
    if isinstance(answer, RateLimited):
        response, status = render(error_type.from_status(429))
        response.headers["Retry-After"] = str(max(1, math.ceil(answer.retry_after)))
        return response, status
    if answer.has_body:
        if isinstance(answer.body, str):  # a proxy's or gateway's page: the one non-JSON answer there is
            kind = "text/html" if answer.body.lstrip().startswith("<") else "text/plain"
            return current_app.response_class(answer.body, answer.status or 500, mimetype=kind)
        return current_app.json.response(answer.body), answer.status or 500
    return render(fault_error(error_type, answer.status, answer.code))


def fault_error(error_type: type[ApiError], status: int | None, code: int | None) -> ApiError:
    """The family's error for a fault: a documented code brings its own status and message."""
    if status is None:
        status = error_type.codes[code][0] if code is not None and code in error_type.codes else 500
    return error_type.from_status(status, code)


def install(app: Flask) -> None:
    """Put the gate in front of ``app`` (called once by ``create_app``)."""
    app.wsgi_app = Gate(app.wsgi_app, app.extensions["exotel_emulator"],  # type: ignore[method-assign]
                        app.config.get("MAX_CONTENT_LENGTH"))
    # first of all hooks: a fault the gate took must answer (a family's hook answering first, as the
    # integrations preflight hook did, would spend the fault on a request it never answered)
    app.before_request_funcs.setdefault(None, []).insert(0, answer_injected)
