"""A Python client for the control API, for tests, CI scripts and QA.

    from emulator.control.client import ControlClient

    emulator = ControlClient("http://127.0.0.1:8080")     # a running emulator, over HTTP
    emulator = ControlClient(app=create_app())             # or an app in this process, no socket
    emulator = ControlClient(url, token="T")               # one started with --control-token T
    emulator.add_fault("/v1/tenants/*/greenvn", method="POST", code=4, times=1)
    emulator.advance_clock(86400)

Every method is one control endpoint and returns its parsed JSON; an error answer raises
``ControlClientError``. The core endpoints' methods are here; each family declares its own
(``Family.client``, a ``FamilyClient`` in the family's folder) and ``ControlClient`` combines them all.
The pytest plugin and ``mock_exotel`` hand out this same class.
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING, Any, Protocol

_UNSET: Any = object()


class ControlClientError(Exception):
    """The control API refused a call: ``status`` and the parsed ``body`` say why."""

    def __init__(self, method: str, path: str, status: int, body: Any):
        message = body.get("error") if isinstance(body, dict) else body
        super().__init__(f"{method} {path} -> {status}: {message}")
        self.status, self.body = status, body


class Transport(Protocol):
    def request(self, method: str, path: str, json: Any = None, params: dict | None = None) -> tuple[int, Any]:
        """Send one request to ``path`` (starting with ``/``); the status and the parsed JSON body."""

    def close(self) -> None:
        """Release what the transport holds (connections)."""


class HttpTransport:
    """Over HTTP with ``requests`` (never through a proxy: the emulator is local)."""

    def __init__(self, base_url: str, timeout: float = 10.0, token: str | None = None):
        import requests

        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method, path, json=None, params=None):
        response = self.session.request(method, self.base_url + path, json=json, params=params,
                                        timeout=self.timeout)
        return response.status_code, response.json() if response.content else None

    def close(self) -> None:
        self.session.close()


class AppTransport:
    """In-process, through Flask's test client: no socket, no thread."""

    def __init__(self, app, token: str | None = None):
        self.app = app
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method, path, json=None, params=None):
        response = self.client.open(path, method=method, json=json, query_string=params, headers=self.headers)
        return response.status_code, response.get_json(silent=True)

    def close(self) -> None:
        pass


class FamilyClient:
    """What every family's client methods build on: ``call`` one control endpoint."""

    def __init__(self, base_url: str | None = None, *, app=None, transport: Transport | None = None,
                 timeout: float = 10.0, token: str | None = None):
        """``token``: the emulator's ``--control-token``, sent as ``Authorization: Bearer``."""
        if transport is None:
            if (base_url is None) == (app is None):
                raise TypeError("ControlClient needs a base_url or an app (or a transport)")
            transport = (HttpTransport(base_url, timeout, token) if base_url is not None
                         else AppTransport(app, token))
        self.transport: Transport = transport
        self.base_url = base_url.rstrip("/") if base_url else None

    def call(self, method: str, path: str, json: Any = None, params: dict | None = None) -> Any:
        """One control call: ``path`` is relative to ``/_emulator``."""
        full = "/_emulator" + path
        status, body = self.transport.request(method, full, json=json, params=params)
        if status >= 400:
            raise ControlClientError(method, full, status, body)
        return body

    def close(self) -> None:
        self.transport.close()


class CoreClient(FamilyClient):
    """The control family's own endpoints: health, reset, accounts, clock and the test tooling."""

    def health(self) -> dict:
        return self.call("GET", "/health")

    def reset(self) -> dict:
        """State back to the fixtures, real time; journal, callback log, faults and rate limits emptied."""
        return self.call("POST", "/reset")

    def create_account(self, sid: str, api_key: str | None = None, api_token: str | None = None) -> dict:
        """A new account (and ExoBridge tenant); credentials default to ``<sid>_key`` / ``<sid>_token``."""
        body = {"sid": sid, "api_key": api_key or f"{sid}_key", "api_token": api_token or f"{sid}_token"}
        return self.call("POST", "/accounts", body)

    def accounts(self) -> list[dict]:
        return self.call("GET", "/accounts")["accounts"]

    def clock(self) -> dict:
        """``{"now": RFC 3339, "offset_seconds": ...}``."""
        return self.call("GET", "/clock")

    def advance_clock(self, seconds: float) -> dict:
        """Moves the clock and runs everything that fell due before returning."""
        return self.call("POST", "/clock/advance", {"seconds": seconds})

    # ---- faults and rate limits ------------------------------------------------------------------------

    def add_fault(self, path: str, *, method: str | None = None, account: str | None = None,
                  times: int | None = None, status: int | None = None, code: int | None = None,
                  body: Any = _UNSET, delay_ms: int | None = None, drop: bool = False) -> str:
        """Adds a fault rule (see ``POST /_emulator/faults``) and returns its id."""
        rule: dict[str, Any] = {"path": path}
        for name, value in (("method", method), ("account", account), ("times", times), ("status", status),
                            ("code", code), ("delay_ms", delay_ms)):
            if value is not None:
                rule[name] = value
        if body is not _UNSET:
            rule["body"] = body
        if drop:
            rule["drop"] = True
        return self.call("POST", "/faults", rule)["id"]

    def faults(self) -> list[dict]:
        return self.call("GET", "/faults")["faults"]

    def remove_fault(self, fault_id: str) -> None:
        self.call("DELETE", f"/faults/{fault_id}")

    def clear_faults(self) -> None:
        self.call("DELETE", "/faults")

    def set_rate_limit(self, sid: str, per_minute: int | None) -> dict:
        """``per_minute=None`` switches the limit off."""
        return self.call("PUT", f"/accounts/{sid}/rate_limit", {"per_minute": per_minute})

    # ---- what happened -------------------------------------------------------------------------------

    def requests(self, method: str | None = None, path: str | None = None, account: str | None = None,
                 limit: int | None = None) -> list[dict]:
        """The request journal, oldest first; ``path`` is a prefix, ``limit`` keeps the newest N."""
        params = {k: v for k, v in (("method", method), ("path", path), ("account", account), ("limit", limit))
                  if v is not None}
        return self.call("GET", "/requests", params=params)["requests"]

    def callbacks(self, limit: int | None = None, account: str | None = None) -> list[dict]:
        """The callback log, oldest first; ``account``: only that account's, ``limit`` keeps the newest N."""
        params = {k: v for k, v in (("account", account), ("limit", limit)) if v is not None}
        return self.call("GET", "/callbacks", params=params)["callbacks"]

    def wait_callbacks(self, count: int = 1, event: str | None = None, timeout: float = 10.0) -> list[dict]:
        """The callback log once ``count`` deliveries (of ``event``) have finished, or TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            done = [c for c in self.callbacks() if c["state"] != "pending" and event in (None, c["event"])]
            if len(done) >= count:
                return done
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(done)} of {count} callbacks delivered after {timeout} s")
            time.sleep(0.01)

    # ---- snapshots -------------------------------------------------------------------------------------

    def get_state(self) -> dict:
        return self.call("GET", "/state")

    def put_state(self, snapshot: dict) -> dict:
        return self.call("PUT", "/state", snapshot)


@functools.cache
def _combined() -> type:
    from emulator.app import families

    mixins = [f.client for f in families() if f.client is not None]
    return type("ControlClient", tuple(mixins), {"__module__": __name__, "__doc__": (
        "The control API from Python: the core endpoints' methods and every family's.")})


if TYPE_CHECKING:
    class ControlClient(CoreClient):
        def __getattr__(self, name: str) -> Any: ...  # the families' methods, combined at run time
else:
    def __getattr__(name: str) -> Any:
        # combined on first use: the families' packages import this module for FamilyClient
        if name == "ControlClient":
            return _combined()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
