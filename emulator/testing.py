"""Helpers for testing code against the emulator."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class CallbackListener:
    """A real HTTP server on 127.0.0.1 that records the JSON bodies POSTed to it (callback receiver).

    ``status`` is what it answers; ``wait(n)`` blocks until ``n`` callbacks arrived (or the timeout).
    """

    def __init__(self, status: int = 200):
        self.status = status
        self.received: list[dict] = []
        self._cond = threading.Condition()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                with listener._cond:
                    listener.received.append({"path": self.path, "headers": dict(self.headers), "json": body})
                    listener._cond.notify_all()
                self.send_response(listener.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[dict]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    def payloads(self) -> list:
        with self._cond:
            return [r["json"] for r in self.received]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "CallbackListener":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
