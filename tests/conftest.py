"""Fixtures shared by the unit and HTTP-level tests (Flask's test client, no sockets)."""

from __future__ import annotations

import base64
import copy
import gc
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from emulator import create_app
from emulator.core.fixtures import default_dir
from emulator.testing import CallbackListener

DEFAULT_ACCOUNT = json.loads((default_dir() / "accounts.json").read_text())["accounts"][0]
# fast, bounded deliveries so a dead callback URL costs milliseconds in tests
TEST_CONFIG = {"CALLBACKS": {"timeout": 1.0, "retries": 1, "backoff": 0.01}}


def race(n: int, action) -> list:
    """``action(i)`` in ``n`` threads released together by a barrier; their results, in thread order."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        results[i] = action(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def basic(user: str, password: str) -> dict:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture(scope="session")
def session_app():
    """The one app every Flask-client test of the session shares (see ``app``)."""
    app = create_app(TEST_CONFIG)
    gc.freeze()  # as the collected tests (conftest.py): this app lives as long as the worker
    store = app.extensions["exotel_emulator"]
    app.extensions["tests_pristine"] = {
        "config": copy.deepcopy(dict(app.config)),
        "dispatcher": {k: getattr(store.callbacks, k) for k in DISPATCHER_SETTINGS},
    }
    yield app
    store.faults.clear()
    store.scheduler.stop()
    store.callbacks.shutdown()


DISPATCHER_SETTINGS = ("timeout", "retries", "backoff")


def pristine(app) -> None:
    """Back to the world a freshly built app has: what ``Store.reset`` restores (accounts, every family's
    model, the clock and its jobs, the journal, the callback log, faults, rate limits), after any delivery of
    the last test has ended, plus the app's config and the dispatcher's settings as the session started."""
    store = app.extensions["exotel_emulator"]
    saved = app.extensions["tests_pristine"]
    store.faults.clear()  # wakes a request still held in a delay (reset does too; this is before waiting)
    store.callbacks.wait_idle(5)
    for key in set(app.config) - set(saved["config"]):
        del app.config[key]
    app.config.update(copy.deepcopy(saved["config"]))
    for key, value in saved["dispatcher"].items():
        setattr(store.callbacks, key, value)
    store.reset()


@pytest.fixture
def app(session_app):
    """The session's app, reset to its pristine world before each test: building an app costs about 57 ms
    (most of it compiling the URL rules), a reset well under a millisecond. tests/test_isolation.py proves
    nothing leaks from one test to the next. Tests that need another config build their own app."""
    pristine(session_app)
    yield session_app
    store = session_app.extensions["exotel_emulator"]
    store.faults.clear()  # releases any request still held, so it cannot finish in the next test's world
    store.callbacks.wait_idle(5)  # and this test's deliveries cannot reach the next test's listener


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app):
    return app.extensions["exotel_emulator"]


@pytest.fixture
def account() -> dict:
    return dict(DEFAULT_ACCOUNT)


@pytest.fixture
def auth(account) -> dict:
    return basic(account["api_key"], account["api_token"])


@pytest.fixture
def new_account(client):
    """Creates accounts through the control API: ``new_account("acme")`` -> (account dict, auth headers)."""

    def create(sid: str):
        body = {"sid": sid, "api_key": f"{sid}_key", "api_token": f"{sid}_token"}
        response = client.post("/_emulator/accounts", json=body)
        assert response.status_code == 201, response.get_json()
        return body, basic(body["api_key"], body["api_token"])

    return create


@pytest.fixture
def listener():
    with CallbackListener() as server:
        yield server


class Delays:
    """Watches the delays of fault rules (``Faults.sleep`` in-process, ``Faults.pause`` on a served emulator's
    event loop) so tests wait for events, not for the wall clock:
    ``held`` lists each delay a request sat in, as ``{"seconds": asked, "waited_out": None while held, then True
    (the whole delay passed) or False (released early by a reset or ``DELETE /_emulator/faults``)}``."""

    def __init__(self, faults, monkeypatch):
        self.held: list[dict] = []
        self._cond = threading.Condition()
        original, original_pause = faults.sleep, faults.pause

        def began(seconds) -> dict:
            entry = {"seconds": seconds, "waited_out": None}
            with self._cond:
                self.held.append(entry)
                self._cond.notify_all()
            return entry

        def ended(entry: dict, waited_out: bool) -> bool:
            with self._cond:
                entry["waited_out"] = waited_out
                self._cond.notify_all()
            return waited_out

        def sleep(seconds, generation):
            entry = began(seconds)
            return ended(entry, original(seconds, generation))

        async def pause(seconds, generation):
            entry = began(seconds)
            return ended(entry, await original_pause(seconds, generation))

        monkeypatch.setattr(faults, "sleep", sleep)
        monkeypatch.setattr(faults, "pause", pause)

    def wait_held(self, count: int = 1, timeout: float = 10.0) -> bool:
        """True once ``count`` requests have entered a delay."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self.held) >= count, timeout)

    def wait_over(self, count: int = 1, timeout: float = 10.0) -> bool:
        """True once ``count`` delays have ended (waited out or cut short)."""
        with self._cond:
            return self._cond.wait_for(lambda: sum(e["waited_out"] is not None for e in self.held) >= count, timeout)


@pytest.fixture
def watch_delays(monkeypatch):
    """``watch_delays(store)`` -> a ``Delays`` on that store's faults (undone after the test)."""
    return lambda store: Delays(store.faults, monkeypatch)


class HangingListener:
    """A callback URL that takes each POST (or GET) and holds it unanswered until ``release()``; from then on it
    closes every connection without an answer (a receiver that hangs, then dies), or with ``answer`` answers
    200 (a receiver that was only slow). ``wait_arrived(n)`` blocks until ``n`` requests have reached it."""

    def __init__(self, answer: bool = False):
        self._released = threading.Event()
        self._cond = threading.Condition()
        self.arrived = 0
        hanging = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.do_GET()

            def do_GET(self):
                with hanging._cond:
                    hanging.arrived += 1
                    hanging._cond.notify_all()
                hanging._released.wait(30)
                if answer:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self.close_connection = True  # and not a byte of answer

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)
        self._thread.start()

    def wait_arrived(self, count: int = 1, timeout: float = 10.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.arrived >= count, timeout)

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def hanging():
    server = HangingListener()
    yield server
    server.close()
