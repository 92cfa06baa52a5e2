"""Serving an app: the one place ``serve`` and ``EmulatorServer`` build their server.

uvicorn (with httptools, and uvloop where it exists) runs ``emulator.core.asgi.Front`` on one event loop
in this process, so state stays whole: Flask is called inline, a delay fault is awaited, a ``drop`` aborts
the connection. It was chosen on measurements (docs/benchmark.md): on the documented GET it
serves about 1.3 times the requests of a bare Flask app on waitress (1.25-1.37x), with a third of its p99.

Two additions to plain uvicorn, in its HTTP protocol:

- What the parser refuses before the app sees it (a request line or path that is not valid, a bad
  ``Content-Length`` or chunked body) is answered in the JSON envelope of the path's family, like the
  app's own errors, and so are headers over ``MAX_HEADER_BYTES`` (431) and a ``Transfer-Encoding`` other
  than chunked (501); uvicorn's text answer remains only if rendering itself fails.
- ``access_log``: one line per request, ``GET /path 200 1.2 ms`` (no query string: it may hold secrets).
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, TextIO

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from emulator.core.errors import Reason, Refused

if TYPE_CHECKING:
    from flask import Flask

IDENT = "exotel-emulator"
MAX_HEADER_BYTES = 256 << 10  # a request line and its header lines together, as sent
# (status, reason) of the refusals the protocol answers itself
TOO_LARGE, NOT_IMPLEMENTED = (431, "Request Header Fields Too Large"), (501, "Not Implemented")


class Refusal(Exception):
    """Raised from a parser callback to stop reading a request the server will not serve."""

    def __init__(self, status: tuple[int, str], detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def protocol_for(app: "Flask", access_log: TextIO | None = None) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol, answering what it refuses in the path's family's JSON envelope."""

    class Protocol(HttpToolsProtocol):
        # reading a request line and headers (the parser keeps them until they end: that must be bounded)
        # ``_chunk_bytes`` counts the chunks of a head still unfinished, ``_head_bytes`` its parts as they end
        _in_head, _chunk_bytes, _head_bytes, _refusal, _parse_error = True, 0, 0, None, ""

        def data_received(self, data: bytes) -> None:
            """uvicorn's, which says nothing of why the parser refused; and a bound on the head."""
            self._unset_keepalive_if_required()
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserUpgrade:  # no websockets here: the request is served as HTTP
                pass
            except httptools.HttpParserError as exc:
                self._parse_error = str(exc)
                self.send_400_response("Invalid HTTP request received.")
                return
            if self._in_head:  # this chunk ended inside the head, which the parser keeps until it ends
                self._chunk_bytes += len(data)
                if self._over(self._chunk_bytes):
                    self.send_400_response("Request Header Fields Too Large")

        def _count(self, size: int) -> None:
            """A head that ended inside the chunk that crossed the bound is counted here, part by part."""
            self._head_bytes += size
            refusal = self._over(self._head_bytes)
            if refusal is not None:
                raise refusal

        def _over(self, size: int) -> Refusal | None:
            """The 431, made the refusal to send, if a head of ``size`` bytes is over the bound."""
            if size <= MAX_HEADER_BYTES:
                return None
            refusal = self._refusal = Refusal(TOO_LARGE, f"request line and headers over {MAX_HEADER_BYTES} bytes")
            return refusal

        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head, self._chunk_bytes, self._head_bytes, self._refusal = True, 0, 0, None

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + 4)  # the line as sent: ": " and CRLF
            if name.lower() == b"transfer-encoding" and value.strip().lower() != b"chunked":
                self._refusal = Refusal(NOT_IMPLEMENTED, f"Transfer-Encoding {value.decode('latin-1')!r}")
                raise self._refusal
            super().on_header(name, value)

        def send_400_response(self, msg: str) -> None:
            refusal = self._refusal
            try:
                status, body = render_refusal(app, getattr(self, "url", b"") or b"", refusal,
                                              self._parse_error or msg)
            except Exception:  # never leave the client without an answer
                return super().send_400_response(msg)
            head = [f"HTTP/1.1 {status}\r\n".encode("latin-1"), b"Content-Type: application/json\r\n",
                    b"Content-Length: " + str(len(body)).encode("ascii") + b"\r\n", b"Connection: close\r\n",
                    f"Server: {IDENT}\r\n".encode("ascii"), b"\r\n"]
            self.transport.write(b"".join(head) + body)
            self.transport.close()
            self._in_head = False
            log_line(access_log, "-", _path(getattr(self, "url", b"") or b""), status[:3], 0.0)

    return Protocol


def _path(url: bytes) -> str:
    """The path of a request line's URL, as far as it can be read; ``/`` when it cannot."""
    try:
        path = httptools.parse_url(url).path.decode("latin-1") if url else "/"
    except (httptools.HttpParserInvalidURLError, ValueError):
        return "/"
    return path if path.startswith("/") else "/"


def render_refusal(app: "Flask", url: bytes, refusal: Refusal | None, msg: str) -> tuple[str, bytes]:
    """The server's refusal in the envelope of the path's family: a 400 as that family's malformed
    request, 431 and 501 by status."""
    from emulator.core.request import render

    envelope = app.extensions["exotel_emulator"].envelope(_path(url))
    with app.test_request_context("/"):
        if refusal is None:
            api_error = envelope.refusal(Refused(Reason.MALFORMED, f"Bad Request: {msg}"))
            reason = "Bad Request"
        else:
            api_error = envelope.from_status(refusal.status[0])
            reason = refusal.status[1]
        response, status = render(api_error)
        return f"{status} {reason}", response.get_data()


class Server:
    """One uvicorn server on one bound socket; ``run()`` serves on the calling thread until ``stop()`` (or
    SIGTERM/Ctrl-C when that is the main thread). The socket listens from the start, so clients may
    connect before ``run()`` begins: the backlog holds them."""

    def __init__(self, app: "Flask", sock: socket.socket, access_log: TextIO | None):
        import uvicorn

        from emulator.core.asgi import Front

        self.sock = sock
        self.host, self.port = sock.getsockname()[:2]
        config = uvicorn.Config(Front(app, access_log), http=protocol_for(app, access_log), loop=_loop(), ws="none",
                                # its own refusals are answered here, not logged as warnings
                                lifespan="off", access_log=False, log_level="error", server_header=False,
                                proxy_headers=False,  # the client is who connected: no X-Forwarded-For rewriting
                                headers=[("server", IDENT)], timeout_keep_alive=5, timeout_graceful_shutdown=2)
        self._uvicorn = uvicorn.Server(config)

    def run(self) -> None:
        self._uvicorn.run(sockets=[self.sock])

    def stop(self) -> None:
        """Ask the serving loop to end (from any thread): it stops at once, closing its connections."""
        self._uvicorn.should_exit = True
        self._uvicorn.force_exit = True


def _loop() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:  # Windows: asyncio's own loop
        return "asyncio"
    return "uvloop"


def create_server(app: "Flask", host: str = "127.0.0.1", port: int = 0, access_log: TextIO | None = None) -> Server:
    """A server for ``app``, listening already (``.port``: the one bound when 0 was asked)."""
    return Server(app, bind(host, port), access_log)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host`` (a name or an address, IPv4 or IPv6) and ``port``; OSError if it
    cannot be (a port in use, an address not of this machine) or ValueError for a host that is no name."""
    if not host or any(c.isspace() for c in host):
        raise ValueError(f"not a host name or address: {host!r}")
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(2048)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock


def address(server: Server) -> tuple[str, int]:
    """The host and port a server listens on."""
    return server.host, server.port


def log_line(stream: TextIO | None, method: str, path: str, status: str, ms: float) -> None:
    if stream is None:
        return
    if not path.isprintable():  # a terminal must not interpret what a client put in its path
        path = path.encode("unicode_escape").decode("ascii")
    try:
        stream.write(f"{method} {path} {status} {ms:.1f} ms\n")
    except (OSError, ValueError):  # a closed or broken stderr never fails a request
        pass
