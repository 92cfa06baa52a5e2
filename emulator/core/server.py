"""Serving an app with waitress: the one place ``serve`` and ``EmulatorServer`` build their server.

Two additions to plain waitress:

- What waitress refuses before the app sees it (a request line or path that is not valid, a bad
  ``Content-Length`` or chunked body, headers over its limit, an unknown ``Transfer-Encoding``) is
  answered in the JSON envelope of the path's family, like the app's own errors: waitress builds those
  answers in an ``ErrorTask``, and each channel here uses a subclass that renders through the app.
  Waitress's text answer remains only if rendering itself fails.
- ``access_log``: one line per request, ``GET /path 200 1.2 ms``, written by a tiny WSGI wrapper (a
  string format and one write per request; the journal is not involved).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, TextIO

from waitress.channel import ClientDisconnected, HTTPChannel
from waitress.task import ErrorTask

from emulator.core.errors import Reason, Refused

if TYPE_CHECKING:
    from flask import Flask

IDENT = "exotel-emulator"


def create_server(app: "Flask", host: str = "127.0.0.1", port: int = 0, threads: int = 8,
                  access_log: TextIO | None = None):
    """A waitress server for ``app``, listening already (``.effective_port``); ``run()`` serves."""
    from waitress.server import BaseWSGIServer
    from waitress.server import create_server as waitress_server

    wsgi: Callable = AccessLog(app, access_log) if access_log is not None else app
    server = waitress_server(wsgi, host=host, port=port, threads=threads, ident=IDENT)
    channel = _channel_for(app, access_log)
    # one server, or several when the host names more than one address: each makes its own channels
    for each in [server, *getattr(server, "map", {}).values()]:
        if isinstance(each, BaseWSGIServer):
            each.channel_class = channel
    return server


def address(server) -> tuple[str, int]:
    """The host and port a server listens on (the first, when it listens on several)."""
    if hasattr(server, "effective_host"):
        return server.effective_host, server.effective_port
    host, port = server.effective_listen[0]
    return host, port


class AccessLog:
    """WSGI wrapper writing ``METHOD PATH STATUS MS`` for every request (no query: it may hold secrets)."""

    def __init__(self, app: Callable, stream: TextIO):
        self.app, self.stream = app, stream

    def __call__(self, environ: dict, start_response: Callable):
        started = time.perf_counter()
        status = "-"

        def capture(line: str, headers: list, exc_info: Any = None):
            nonlocal status
            status = line[:3]
            return start_response(line, headers, exc_info)

        try:
            return self.app(environ, capture)
        except ClientDisconnected:
            status = "dropped"
            raise
        finally:
            _log(self.stream, environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO", ""), status,
                 (time.perf_counter() - started) * 1000)


def _log(stream: TextIO | None, method: str, path: str, status: str, ms: float) -> None:
    if stream is None:
        return
    if not path.isprintable():  # a terminal must not interpret what a client put in its path
        path = path.encode("unicode_escape").decode("ascii")
    try:
        stream.write(f"{method} {path} {status} {ms:.1f} ms\n")
    except (OSError, ValueError):  # a closed or broken stderr never fails a request
        pass


def _channel_for(app: "Flask", access_log: TextIO | None) -> type[HTTPChannel]:
    class JsonErrorTask(ErrorTask):
        def execute(self):
            request = self.request
            try:
                status, body = _render(app, request)
            except Exception:  # never leave the client without an answer
                return super().execute()
            self.status = status
            self.response_headers.append(("Content-Type", "application/json"))
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)
            _log(access_log, getattr(request, "command", None) or "-", _path(request), status[:3], 0.0)

    class Channel(HTTPChannel):
        error_task_class = JsonErrorTask

    return Channel


def _path(request) -> str:
    """The path waitress parsed, else the one of the raw request line (an undecodable path stops the
    parser before it sets ``path``), else ``/``."""
    path = getattr(request, "path", None)
    if path:
        return path
    uri = getattr(request, "request_uri", "") or ""
    return uri.split("?", 1)[0] if uri.startswith("/") else "/"


def _render(app: "Flask", request) -> tuple[str, bytes]:
    """Waitress's refusal in the envelope of the path's family: a 400 as that family's malformed request,
    any other status (413, 431, 501, 500) as that status."""
    from emulator.core.request import render

    error = request.error
    method = getattr(request, "command", "") or "GET"
    store = app.extensions["exotel_emulator"]
    envelope = store.envelope(_path(request))
    with app.test_request_context("/", method=method if method.isalpha() else "GET"):
        if error.code == 400:
            api_error = envelope.refusal(Refused(Reason.MALFORMED, f"{error.reason}: {error.body}"))
        else:
            api_error = envelope.from_status(error.code)
        response, status = render(api_error)
        return f"{status} {error.reason}", response.get_data()
