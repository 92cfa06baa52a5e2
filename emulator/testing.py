"""Helpers for testing code against the emulator.

- ``mock_exotel``: a decorator / context manager under which ``requests`` calls to Exotel's production
  hosts are answered by an emulator app in this process (no socket, no server).
- ``EmulatorServer``: a real emulator on a free 127.0.0.1 port, served as ``serve`` serves it, from a thread
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
from urllib.parse import parse_qsl, urlsplit

from emulator.app import families
from emulator.control.client import ControlClient

# Where the vendor serves each family (each family declares its own); mock_exotel answers for these, on
# http and https.
PRODUCTION_HOSTS = tuple(host for family in families() for host in family.hosts)


class CallbackListener:
    """A real HTTP server on 127.0.0.1 that records the requests the emulator makes to it: the JSON (or form)
    bodies of POSTed callbacks, and the query strings of a call flow's GETs (Passthru, dial whom).

    ``status`` and ``body`` are what it answers, or ``answer(request)`` returns ``(status, body)`` (or
    ``(status, body, headers)``) per request (a Passthru handler choosing 200 or 302); ``wait(n)`` blocks
    until ``n`` requests arrived (or the timeout). Each recorded request has ``method``, ``path``,
    ``headers``, ``json`` (a POST's body) and ``query`` (a GET's parameters as ``(name, value)`` pairs, in
    order)."""

    def __init__(self, status: int = 200, body: str = "",
                 answer: Callable[[dict], tuple] | None = None):
        self.status, self.body, self.answer = status, body, answer
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
                self._record({"method": "POST", "path": self.path, "headers": dict(self.headers), "json": body,
                              "query": []})

            def do_GET(self):
                query = parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
                self._record({"method": "GET", "path": self.path, "headers": dict(self.headers), "json": None,
                              "query": query})

            def _record(self, request: dict) -> None:
                status, body, *headers = listener.answer(request) if listener.answer else (
                    listener.status, listener.body)
                with listener._cond:
                    listener.received.append(request)
                    listener._cond.notify_all()
                data = body.encode()
                self.send_response(status)
                for name, value in (headers[0] if headers else {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # serve_forever checks for shutdown once per poll_interval: its default 0.5 s made every close() wait
        # up to half a second (the largest teardown cost of a test suite using listeners)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)
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

    def callbacks(self, account: str | None = None) -> list[dict]:
        """The callback log, oldest first; ``account``: only that account's."""
        return self.client.callbacks(account=account)

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
    """A real emulator on a free 127.0.0.1 port, served as ``exotel-emulator serve`` serves it, from a
    background thread.

    ``with EmulatorServer() as emulator: requests.get(emulator.url + ...)``. ``config`` is passed to
    ``create_app`` (``FIXTURES``, ``SEED``, ``JOURNAL_SIZE``...); callbacks default to a short timeout.
    ``access_log``, a stream, gets a line per request.
    """

    def __init__(self, config: Mapping[str, Any] | None = None, *, app=None, access_log=None):
        from emulator.core.server import create_server

        self._owns_app = app is None
        app = app if app is not None else _create_app(config)
        self._server = create_server(app, host="127.0.0.1", port=0, access_log=access_log)
        url = f"http://127.0.0.1:{self._server.port}"  # listening already: requests queue until it serves
        self._thread = threading.Thread(target=self._server.run, name="exotel-emulator-server", daemon=True)
        self._thread.start()
        super().__init__(url, ControlClient(url, token=app.config.get("CONTROL_TOKEN")), app)

    def close(self) -> None:
        self.store.faults.clear()  # a request held by a delay answers (or is dropped) at once
        self._server.stop()
        self._thread.join(10)
        self.client.close()
        if self._owns_app:
            _shut_down(self.app)

    def __enter__(self) -> "EmulatorServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---- mock_exotel ---------------------------------------------------------------------------------------

_active: list["MockExotel"] = []
_patch: Any = None  # the get_adapter patch, installed while any mock_exotel is active
_patch_lock = threading.Lock()


def current_mock() -> "MockExotel":
    """The innermost active ``mock_exotel`` (for tests using it as a decorator)."""
    if not _active:
        raise RuntimeError("no mock_exotel is active")
    return _active[-1]


def _get_adapter(original: Callable) -> Callable:
    """``Session.get_adapter`` that hands URLs of an active mock's hosts to that mock's adapter.

    Choosing the adapter is the step above ``HTTPAdapter.send``, where ``responses`` (and most other
    mocking) patches: so a user's own ``responses`` stubs keep working inside ``mock_exotel``, and
    Exotel's hosts keep being served inside a user's ``responses`` mock, whichever was started first.
    """

    def get_adapter(session, url: str):
        for mock in reversed(_active):
            if mock.serves(url):
                return mock.adapter
        return original(session, url)

    return get_adapter


class MockExotel(Emulator):
    """``requests`` calls to Exotel's hosts answered by an in-process emulator app; see ``mock_exotel``."""

    def __init__(self, config: Mapping[str, Any] | None = None, *, app=None,
                 hosts: Iterable[str] = PRODUCTION_HOSTS):
        self._config, self._given_app, self.hosts = config, app, tuple(hosts)
        names = "|".join(re.escape(h) for h in self.hosts)
        self._url = re.compile(rf"^https?://([^/@]*@)?({names})(:\d+)?([/?#].*)?$", re.IGNORECASE)
        self.adapter: Any = None  # the requests transport adapter, while active

    def serves(self, url: str) -> bool:
        return self._url.match(url) is not None

    # ---- start/stop, a context manager, a decorator ------------------------------------------------

    def start(self) -> "MockExotel":
        """Serve the hosts from now on (until ``stop``); returns the emulator."""
        global _patch
        import requests

        app = self._given_app if self._given_app is not None else _create_app(self._config)
        super().__init__("https://" + self.hosts[0], ControlClient(app=app, token=app.config.get("CONTROL_TOKEN")),
                         app)
        self._http = app.test_client(use_cookies=False)
        self.adapter = _Adapter(self)
        with _patch_lock:
            if _patch is None:
                from unittest import mock

                _patch = mock.patch.object(requests.Session, "get_adapter",
                                           _get_adapter(requests.Session.get_adapter))
                _patch.start()
            _active.append(self)
        return self

    def stop(self) -> None:
        global _patch
        with _patch_lock:
            _active.remove(self)
            if not _active and _patch is not None:
                _patch.stop()
                _patch = None
        if self._given_app is None:
            _shut_down(self.app)

    def __enter__(self) -> "MockExotel":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __call__(self, target):
        """Decorate a function (each call gets a fresh emulator) or a class (each ``test*`` method does)."""
        options = dict(config=self._config, app=self._given_app, hosts=self.hosts)
        if inspect.isclass(target):
            for name, method in list(vars(target).items()):
                if name.startswith("test") and callable(method):
                    setattr(target, name, MockExotel(**options)(method))
            return target
        if inspect.iscoroutinefunction(target):
            @functools.wraps(target)
            async def run_async(*args, **kwargs):
                with MockExotel(**options):
                    return await target(*args, **kwargs)

            return run_async

        @functools.wraps(target)
        def run(*args, **kwargs):
            with MockExotel(**options):
                return target(*args, **kwargs)

        return run

    # ---- one request --------------------------------------------------------------------------------

    def serve(self, request, timeout) -> Any:
        """Hand a prepared ``requests`` request to the app as a client would have sent it."""
        import io

        import requests
        from requests.structures import CaseInsensitiveDict
        from requests.utils import get_encoding_from_headers

        from emulator.core.gate import CLIENT_TIMEOUT, ClientTimedOut, ConnectionDropped

        parts = urlsplit(request.url)
        host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in ("content-length", "host")]
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        environ = {CLIENT_TIMEOUT: float(read_timeout)} if read_timeout is not None else {}
        body = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
        if body is not None and not isinstance(body, bytes):  # a file or a generator: what requests streams
            body = b"".join(chunk.encode() if isinstance(chunk, str) else chunk for chunk in body)
        try:
            answer = self._http.open(parts.path or "/", method=request.method, query_string=parts.query,
                                     headers=headers, data=body or None, base_url=f"{parts.scheme}://{host}",
                                     environ_overrides=environ)
        except ClientTimedOut:
            raise requests.exceptions.ReadTimeout(f"emulated read timeout ({read_timeout} s)", request=request)
        except ConnectionDropped:
            raise requests.exceptions.ConnectionError("Connection aborted: the emulator dropped it (fault)",
                                                      request=request)
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = answer.status.split(" ", 1)[1] if " " in answer.status else ""
        response.headers = CaseInsensitiveDict(answer.headers.items())
        content = answer.get_data()
        response._content = content
        response.raw = io.BytesIO(content)  # for callers that read the raw stream
        response.encoding = get_encoding_from_headers(response.headers)
        response.url, response.request, response.connection = request.url, request, self.adapter
        return response


class _Adapter:
    """A ``requests`` transport adapter that answers from the emulator (requests' documented extension
    point: ``send`` and ``close``)."""

    def __init__(self, mock: MockExotel):
        self.mock = mock

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        return self.mock.serve(request, timeout)

    def close(self) -> None:
        pass


def mock_exotel(func: Callable | None = None, *, config: Mapping[str, Any] | None = None, app=None,
                hosts: Iterable[str] = PRODUCTION_HOSTS):
    """Serve ``requests`` calls to Exotel's production hosts from an in-process emulator.

    As a context manager it yields the emulator (``.app``, ``.store``, ``.client``, ``.sid``, helpers)::

        with mock_exotel() as exotel:
            exotel.add_fault("/v2_beta/*", status=503, times=1)
            requests.get("https://api.exotel.com/v2_beta/Accounts/...", auth=exotel.auth)

    ``exotel = mock_exotel().start()`` ... ``exotel.stop()`` does the same without a block. As a decorator
    (``@mock_exotel`` or ``@mock_exotel(config=...)``) on a function it wraps each call in a fresh one,
    on a class each ``test*`` method; ``current_mock()`` returns it inside. Other hosts go where they
    went before (the network, or a ``responses`` mock of the user's). A fresh app is built per
    activation unless ``app`` is given (then it is reused and left running).
    """
    mock = MockExotel(config, app=app, hosts=hosts)
    return mock(func) if func is not None else mock
