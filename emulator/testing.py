"""Helpers for testing code against the emulator.

- ``mock_exotel``: a decorator / context manager under which ``requests`` calls to Exotel's production
  hosts are answered by an emulator app in this process (no socket, no server).
- ``EmulatorServer``: a real emulator on a free 127.0.0.1 port, served by waitress from a thread
  (the pytest plugin's ``exotel_emulator`` fixture is one of these, reset before each test).
- ``CallbackListener``: a real HTTP server recording the callbacks the emulator POSTs.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlsplit

from emulator.app import families
from emulator.control.client import ControlClient

# Where the vendor serves each family (each family declares its own); mock_exotel answers for these, on
# http and https.
PRODUCTION_HOSTS = tuple(host for family in families() for host in family.hosts)


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


class Emulator:
    """An emulator as a test holds it: its URL, the default credentials and the control client.

    The helpers are shortcuts for the control calls tests make most; ``client`` has all of them.
    """

    def __init__(self, url: str, client: ControlClient, app=None):
        self.url = url
        self.client = client
        self.app = app
        account = self.store.world.accounts[0] if app is not None and self.store.world.accounts else None
        self.sid = account.sid if account else None
        self.api_key = account.api_key if account else None
        self.api_token = account.api_token if account else None

    @property
    def store(self):
        """The app's ``Store`` (state, clock, journal...), for white-box assertions."""
        return self.app.extensions["exotel_emulator"]

    @property
    def auth(self) -> tuple[str, str]:
        """The default account's ``(api_key, api_token)``, ready for ``requests``' ``auth=``."""
        if self.api_key is None or self.api_token is None:
            raise RuntimeError("this emulator's fixtures have no account")
        return self.api_key, self.api_token

    def new_account(self, sid: str | None = None, api_key: str | None = None, api_token: str | None = None) -> dict:
        """A fresh account (a unique sid unless given): ``{"sid", "api_key", "api_token"}``."""
        return self.client.create_account(sid or f"acct_{uuid.uuid4().hex[:12]}", api_key, api_token)

    def advance_clock(self, seconds: float) -> dict:
        return self.client.advance_clock(seconds)

    def add_fault(self, path: str, **rule: Any) -> str:
        """``add_fault("/v1/tenants/*/greenvn", method="POST", code=4, times=1)``; returns the fault id."""
        return self.client.add_fault(path, **rule)

    def set_rate_limit(self, sid: str, per_minute: int | None) -> dict:
        return self.client.set_rate_limit(sid, per_minute)

    def callbacks(self) -> list[dict]:
        return self.client.callbacks()

    def wait_callbacks(self, count: int = 1, event: str | None = None, timeout: float = 10.0) -> list[dict]:
        return self.client.wait_callbacks(count, event, timeout)

    def requests(self, method: str | None = None, path: str | None = None, account: str | None = None) -> list[dict]:
        """The request journal, oldest first."""
        return self.client.requests(method, path, account)

    def reset(self) -> dict:
        return self.client.reset()


def _create_app(config: Mapping[str, Any] | None):
    from emulator.app import create_app

    return create_app(dict({"CALLBACKS": {"timeout": 2.0, "retries": 1, "backoff": 0.05}}, **(config or {})))


def _shut_down(app) -> None:
    app.extensions["exotel_emulator"].close()


class EmulatorServer(Emulator):
    """A real emulator on a free 127.0.0.1 port, served by waitress from a background thread.

    ``with EmulatorServer() as emulator: requests.get(emulator.url + ...)``. ``config`` is passed to
    ``create_app`` (``FIXTURES``, ``SEED``, ``JOURNAL_SIZE``...); callbacks default to a short timeout.
    """

    def __init__(self, config: Mapping[str, Any] | None = None, *, app=None, threads: int = 8):
        from emulator.core.server import create_server

        self._owns_app = app is None
        app = app if app is not None else _create_app(config)
        self._server = create_server(app, host="127.0.0.1", port=0, threads=threads)
        url = f"http://127.0.0.1:{self._server.effective_port}"
        self._thread = threading.Thread(target=self._server.run, name="exotel-emulator-server", daemon=True)
        self._thread.start()
        super().__init__(url, ControlClient(url, token=app.config.get("CONTROL_TOKEN")), app)

    def close(self) -> None:
        from waitress import wasyncore

        self.store.faults.clear()
        # close every socket from the server's own loop thread: its loop then ends by itself
        self._server.trigger.pull_trigger(lambda: wasyncore.close_all(self._server._map))
        self._thread.join(10)
        self._server.task_dispatcher.shutdown(timeout=5)
        self.client.close()
        if self._owns_app:
            _shut_down(self.app)

    def __enter__(self) -> "EmulatorServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---- mock_exotel ---------------------------------------------------------------------------------------

_active: list["MockExotel"] = []


def current_mock() -> "MockExotel":
    """The innermost active ``mock_exotel`` (for tests using it as a decorator)."""
    if not _active:
        raise RuntimeError("no mock_exotel is active")
    return _active[-1]


class MockExotel(Emulator):
    """``requests`` calls to Exotel's hosts answered by an in-process emulator app; see ``mock_exotel``."""

    METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

    def __init__(self, config: Mapping[str, Any] | None = None, *, app=None,
                 hosts: Iterable[str] = PRODUCTION_HOSTS):
        self._config, self._given_app, self.hosts = config, app, tuple(hosts)
        self.responses: Any = None  # the responses.RequestsMock while active

    # ---- as a context manager and a decorator --------------------------------------------------------

    def __enter__(self) -> "MockExotel":
        import responses

        app = self._given_app if self._given_app is not None else _create_app(self._config)
        super().__init__("https://" + self.hosts[0], ControlClient(app=app, token=app.config.get("CONTROL_TOKEN")),
                         app)
        self._http = app.test_client(use_cookies=False)
        self.responses = responses.RequestsMock(assert_all_requests_are_fired=False)
        hosts = "|".join(re.escape(h) for h in self.hosts)
        url = re.compile(rf"^https?://([^/@]*@)?({hosts})(:\d+)?([/?#].*)?$", re.IGNORECASE)
        for method in self.METHODS:
            self.responses.add_callback(method, url, callback=self._serve)
        self.responses.add_passthru(re.compile(r".*"))  # every other host: the real network, untouched
        self.responses.start()
        _active.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _active.remove(self)
        self.responses.stop()
        self.responses.reset()
        if self._given_app is None:
            _shut_down(self.app)

    def __call__(self, func: Callable) -> Callable:
        options = dict(config=self._config, app=self._given_app, hosts=self.hosts)
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def run_async(*args, **kwargs):
                with MockExotel(**options):
                    return await func(*args, **kwargs)

            return run_async

        @functools.wraps(func)
        def run(*args, **kwargs):
            with MockExotel(**options):
                return func(*args, **kwargs)

        return run

    # ---- one request --------------------------------------------------------------------------------

    def _serve(self, request):
        """The ``responses`` callback: hand the request to the app as a client would have sent it."""
        import requests

        from emulator.core.gate import CLIENT_TIMEOUT, ClientTimedOut, ConnectionDropped

        parts = urlsplit(request.url)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in ("content-length", "host")]
        timeout = request.req_kwargs.get("timeout")
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        environ = {CLIENT_TIMEOUT: float(read_timeout)} if read_timeout is not None else {}
        body = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
        try:
            response = self._http.open(parts.path or "/", method=request.method, query_string=parts.query,
                                       headers=headers, data=body or None, base_url=f"{parts.scheme}://{host}",
                                       environ_overrides=environ)
        except ClientTimedOut:
            raise requests.exceptions.ReadTimeout(f"emulated read timeout ({read_timeout} s)", request=request)
        except ConnectionDropped:
            raise requests.exceptions.ConnectionError("Connection aborted: the emulator dropped it (fault)",
                                                      request=request)
        answer_headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return response.status_code, answer_headers, response.get_data()


def mock_exotel(func: Callable | None = None, *, config: Mapping[str, Any] | None = None, app=None,
                hosts: Iterable[str] = PRODUCTION_HOSTS):
    """Serve ``requests`` calls to Exotel's production hosts from an in-process emulator.

    As a context manager it yields the emulator (``.app``, ``.store``, ``.client``, ``.sid``, helpers)::

        with mock_exotel() as exotel:
            exotel.add_fault("/v2_beta/*", status=503, times=1)
            requests.get("https://api.exotel.com/v2_beta/Accounts/...", auth=exotel.auth)

    As a decorator (``@mock_exotel`` or ``@mock_exotel(config=...)``) it wraps each call in a fresh one;
    ``current_mock()`` returns it inside. Other hosts go to the real network untouched. A fresh app is
    built per activation unless ``app`` is given (then it is reused and left running).
    """
    mock = MockExotel(config, app=app, hosts=hosts)
    return mock(func) if func is not None else mock
