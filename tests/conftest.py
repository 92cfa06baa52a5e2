"""Fixtures shared by the unit and HTTP-level tests (Flask's test client, no sockets)."""

from __future__ import annotations

import base64
import json
import threading

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


@pytest.fixture
def app():
    app = create_app(TEST_CONFIG)
    yield app
    store = app.extensions["exotel_emulator"]
    store.scheduler.stop()
    store.callbacks.shutdown()


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
