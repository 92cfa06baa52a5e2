"""The emulator on an event loop: each HTTP request becomes a WSGI call of the Flask app, made inline.

Flask's handlers never wait on the network (callbacks and a flow's questions go through the dispatcher's
threads), so running them on the loop's own thread costs no concurrency and saves the hand-over to a
worker thread every request would pay. What may wait does so without holding the thread: a delay fault
is awaited (``Gate.pause``), so a held request never delays another; a ``drop`` aborts the connection.
"""

from __future__ import annotations

import io
import sys
import time
from typing import TYPE_CHECKING, Any, Callable, TextIO
from urllib.parse import unquote_to_bytes

from emulator.core.gate import ConnectionDropped, Gate

if TYPE_CHECKING:
    from flask import Flask


class Front:
    """The ASGI application that serves a Flask app built by ``create_app``."""

    def __init__(self, app: "Flask", access_log: TextIO | None = None):
        self.app = app
        gate = app.wsgi_app
        assert isinstance(gate, Gate), "create_app puts the gate in front of the app"
        self.gate = gate
        self.max_body = gate.max_body
        self.access_log = access_log

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":  # no lifespan or websockets here
            return
        started = time.perf_counter()
        status = "-"
        try:
            environ = await self._environ(scope, receive)
            ticket = self.gate.admit(environ)
            if ticket is not None and ticket.fault is not None and await self.gate.pause(ticket):
                self.gate.dropped(ticket)
                status = "dropped"
                abort(send)
                return
            captured: list = []

            def start_response(line: str, headers: list, exc_info: Any = None):
                captured[:] = (line, headers)

            try:
                if ticket is None:  # the control API: straight to Flask, as the gate lets it through
                    result = self.gate.wsgi_app(environ, start_response)
                    body = b"".join(result)
                    if hasattr(result, "close"):
                        result.close()
                else:
                    body = b"".join(self.gate.answer(ticket, environ, start_response))
            except ConnectionDropped:  # a reset while it waited, decided below the gate
                status = "dropped"
                abort(send)
                return
            line, headers = captured
            status = line[:3]
            await send({"type": "http.response.start", "status": int(status),
                        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]})
            await send({"type": "http.response.body", "body": body})
        finally:
            if self.access_log is not None:
                from emulator.core.server import log_line

                log_line(self.access_log, scope.get("method", "-"), scope.get("path", ""), status,
                         (time.perf_counter() - started) * 1000)

    async def _environ(self, scope: dict, receive: Callable) -> dict:
        """The WSGI environ of an ASGI request (PEP 3333: the path as bytes-in-latin-1, headers as
        ``HTTP_*``). At most ``max_body`` + 1 bytes of the body are read: Flask answers a longer one 413."""
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            if len(body) <= self.max_body:
                body += message.get("body", b"")
            more = message.get("more_body", False)
        server = scope.get("server") or ("127.0.0.1", 0)
        client = scope.get("client") or ("", 0)
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        environ = {
            "REQUEST_METHOD": scope["method"],
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(raw_path.split(b"?", 1)[0]).decode("latin-1"),
            "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
            "SERVER_NAME": str(server[0]),
            "SERVER_PORT": str(server[1]),
            "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
            "REMOTE_ADDR": client[0],
            "REMOTE_PORT": str(client[1]),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.get("scheme", "http"),
            "wsgi.input": io.BytesIO(bytes(body)),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in scope["headers"]:
            key = name.decode("latin-1").upper().replace("-", "_")
            text = value.decode("latin-1")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = text
            elif key == "CONTENT_LENGTH":
                environ["CONTENT_LENGTH"] = text
            else:
                key = "HTTP_" + key
                environ[key] = f"{environ[key]},{text}" if key in environ else text  # repeated: one, joined
        if "CONTENT_LENGTH" not in environ and body:  # chunked: the length read
            environ["CONTENT_LENGTH"] = str(len(body))
        return environ


def abort(send: Callable) -> None:
    """Close the connection without a byte of answer (a ``drop`` fault).

    ASGI has no message for it; uvicorn's ``send`` is a method of the request's cycle, which holds the
    connection's transport: aborting it and marking the cycle disconnected makes uvicorn write nothing.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:  # not uvicorn: an exception is the closest an ASGI app gets
        raise ConnectionDropped()
    transport.abort()
    cycle.disconnected = True  # type: ignore[union-attr]
