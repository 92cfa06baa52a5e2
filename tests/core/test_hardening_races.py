"""The store's one lock rule, proved with threads: readers never see a half-reset world, iterating accounts
never races a change, handlers render copies; and no account can take over another's login."""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

import pytest

from emulator import create_app
from emulator.core.auth import Account
from tests.conftest import DEFAULT_ACCOUNT, TEST_CONFIG, basic

SID = DEFAULT_ACCOUNT["sid"]
AUTH = basic(DEFAULT_ACCOUNT["api_key"], DEFAULT_ACCOUNT["api_token"])
LIST = f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"


@contextmanager
def eager_switching():
    """Threads switch every few microseconds instead of every 5 ms, so a race window is hit at once."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@contextmanager
def hammer(app, request, threads: int = 4):
    """``threads`` clients calling ``request(client)`` until the block ends; yields the statuses seen."""
    stop = threading.Event()
    seen: list = []

    def run():
        client = app.test_client()
        mine = []
        while not stop.is_set():
            mine.append(request(client))
        seen.extend(mine)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    try:
        yield seen
    finally:
        stop.set()
        for w in workers:
            w.join()


@pytest.fixture
def app():
    app = create_app(TEST_CONFIG)
    yield app
    app.extensions["exotel_emulator"].close()


class PausingAccounts(list):
    """The fixtures' account list, pausing a reset the ``pause_at``-th time the reset reads it: a
    reader then acts in the middle of the reset, every time, instead of by luck."""

    def __init__(self, accounts, pause_at: int):
        super().__init__(accounts)
        self.reads, self.pause_at = 0, pause_at
        self.paused, self.resume = threading.Event(), threading.Event()

    def __iter__(self):
        self.reads += 1
        if self.reads == self.pause_at:
            self.paused.set()
            self.resume.wait(10)
        return super().__iter__()


class WatchedLock:
    """The store's lock, saying when a thread has had to wait for it."""

    def __init__(self, lock):
        self._lock, self.waited = lock, threading.Event()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self._lock.acquire(blocking=False):
            return True
        self.waited.set()
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


@pytest.mark.parametrize("pause_at", [1, 2], ids=["accounts refilled", "models rebuilt"])
def test_requests_in_the_middle_of_a_reset_see_a_whole_world(app, pause_at):
    """Readers take no lock: a reset in progress must leave them the old world whole. It used to clear the
    accounts in place (a spurious 401) and install its models before loading them (a 500)."""
    client, store = app.test_client(), app.extensions["exotel_emulator"]
    store.world.accounts = PausingAccounts(store.world.accounts, pause_at)
    answers: dict = {}

    def vendor_requests():  # a model rule waits for the reset's lock, then answers from its own world
        answers["get"] = app.test_client().get(f"{LIST}/unknown", headers=AUTH).status_code
        answers["list"] = app.test_client().get(LIST, headers=AUTH).status_code

    resetting = threading.Thread(target=store.reset)
    resetting.start()
    requesting = threading.Thread(target=vendor_requests)
    try:
        assert store.world.accounts.paused.wait(10)
        assert store.login(DEFAULT_ACCOUNT["api_key"], DEFAULT_ACCOUNT["api_token"]) is not None
        assert [a["sid"] for a in client.get("/_emulator/accounts").get_json()["accounts"]] == [SID]
        store.lock = WatchedLock(store.lock)  # the reset holds the lock itself, not this wrapper
        requesting.start()
        assert store.lock.waited.wait(10)  # it logged in (no lock needed) and reached the model, which waits
    finally:
        store.world.accounts.resume.set()
        resetting.join(10)
        store.lock = getattr(store.lock, "_lock", store.lock)
    requesting.join(10)
    assert answers == {"get": 404, "list": 200}


def test_iterating_accounts_while_they_change_never_raises(app):
    store = app.extensions["exotel_emulator"]
    with eager_switching():
        with hammer(app, lambda c: c.get("/_emulator/accounts").status_code) as statuses:
            for i in range(300):
                store.add_account(Account(f"acct{i}", f"key{i}", "token"))
                if i % 50 == 49:
                    store.reset()
                for account in store.accounts.values():  # the reader's side, in this thread too
                    assert account.sid
    assert statuses and set(statuses) == {200}


def test_handlers_render_copies_not_live_objects(app):
    client, store = app.test_client(), app.extensions["exotel_emulator"]
    exophones = store.model("exophones")
    number = client.get(f"/v2_beta/Accounts/{SID}/AvailablePhoneNumbers/IN/Mobile", headers=AUTH).get_json()[0]
    sid = client.post(LIST, data={"PhoneNumber": number["phone_number"]}, headers=AUTH).get_json()["sid"]
    seen = exophones.get(SID, sid)
    exophones.update(SID, sid, {"FriendlyName": "changed"})
    exophones.set_connectivity(SID, sid, {"incoming_call": {"status": "major_outage", "alternate_exophone": None}})
    assert seen.friendly_name != "changed" and seen.connectivity["incoming_call"]["status"] == "active"

    integrations = store.model("integrations")
    app_ = next(iter(integrations.apps.values()))
    [user] = integrations.add_users(app_, [{"app_user_id": "1", "username": "Asha Kumari", "email": "a@b.in",
                                            "account_sid": SID, "exotel_user_name": "Asha Kumari",
                                            "virtual_number": "+918045600001"}])
    integrations.set_device(app_, "1", "phone", True)
    assert user.active_device == "" and integrations.user(app_, "1").active_device == "phone"
    shown = integrations.app(app_)
    integrations.update_app(app_, {"name": "Renamed"})
    assert shown.name != "Renamed"


CLASHES = [
    ({"sid": "b", "api_key": "emulator_api_key", "api_token": "other"}, "its api_key is another's api_key"),
    ({"sid": "emulator_api_key", "api_key": "bk", "api_token": "t"}, "its sid is another's api_key"),
    ({"sid": "b", "api_key": SID, "api_token": "t"}, "its api_key is another's sid"),
    ({"sid": SID, "api_key": "bk", "api_token": "t"}, "its sid exists"),
]


@pytest.mark.parametrize("body,why", CLASHES, ids=[c[1] for c in CLASHES])
def test_an_account_cannot_take_over_another_accounts_login(app, body, why):
    client = app.test_client()
    response = client.post("/_emulator/accounts", json=body)
    assert response.status_code == 409 and response.get_json()["status"] == 409, why
    assert [a["sid"] for a in client.get("/_emulator/accounts").get_json()["accounts"]] == [SID]
    assert client.get(LIST, headers=AUTH).status_code == 200
    assert client.get(LIST, headers=basic(body["api_key"], body["api_token"])).status_code in (401, 200)
    if body["api_key"] == "emulator_api_key":
        assert client.get(LIST, headers=basic("emulator_api_key", "other")).status_code == 401


def test_an_account_may_use_its_sid_as_its_key(app):
    client = app.test_client()
    assert client.post("/_emulator/accounts", json={"sid": "same", "api_key": "same", "api_token": "t"}
                       ).status_code == 201
    assert client.get("/v2_beta/Accounts/same/IncomingPhoneNumbers", headers=basic("same", "t")).status_code == 200
