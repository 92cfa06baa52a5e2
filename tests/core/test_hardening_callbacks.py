"""The callback dispatcher's bounds: a bounded queue whose overflow is logged as dropped and counted in
health, dead hosts given up at once, reset cancels what is queued, and every entry ends in a final state."""

from __future__ import annotations

import socket
import threading

import pytest

from emulator import create_app
from emulator.core.callbacks import Breaker, Dispatcher
from emulator.core.clock import Clock
from tests.conftest import HangingListener

FINAL = {"delivered", "failed", "dropped", "canceled"}


@pytest.fixture
def held():
    """A callback URL that holds every request until ``release()``, then answers 200."""
    listener = HangingListener(answer=True)
    yield listener
    listener.close()


class ClosingServer:
    """Accepts connections and closes them at once, counting them: a host that is up but never answers."""

    def __init__(self):
        self.accepted = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()


def dispatcher(**options) -> Dispatcher:
    return Dispatcher(Clock(), **{"timeout": 2, "retries": 0, "backoff": 0.01, "workers": 1, **options})


def test_the_queue_is_bounded_and_its_overflow_logged_as_dropped(held):
    d = dispatcher(queue_size=5)
    entries = [d.send(held.url, "e", {"i": 0})]
    assert held.wait_arrived(1, 5)  # the first is in flight, held by the listener
    entries += [d.send(held.url, "e", {"i": i}) for i in range(1, 20)]
    assert [e["state"] for e in entries] == ["pending"] * 6 + ["dropped"] * 14
    assert "queue full" in entries[-1]["error"]
    assert d.stats()["queued"] == 5 and d.stats()["dropped"] == 14
    held.release()
    assert d.wait_idle(5)
    states = [e["state"] for e in d.entries()]
    assert states == ["delivered"] * 6 + ["dropped"] * 14 and held.arrived == 6
    assert [e["payload"]["i"] for e in d.entries()] == list(range(20))
    d.shutdown()


def test_the_queue_counts_bytes(held):
    d = dispatcher(queue_bytes=4000)
    d.send(held.url, "e", {"pad": ""})
    assert held.wait_arrived(1, 5)
    states = [d.send(held.url, "e", {"pad": "x" * 1000})["state"] for _ in range(6)]
    waiting = states.count("pending")  # each weighs over 1,000 bytes: at most three fit in 4,000
    assert 1 <= waiting <= 3 and states == ["pending"] * waiting + ["dropped"] * (6 - waiting)
    held.release()
    d.shutdown()


def test_the_log_counts_bytes():
    d = dispatcher(log_bytes=5000, queue_size=0)  # every send is dropped: only the log is at work
    for i in range(10):
        d.send("http://127.0.0.1:9/", "e", {"i": i, "pad": "x" * 1000})
    kept = [e["payload"]["i"] for e in d.entries()]
    assert 1 <= len(kept) <= 4 and kept == list(range(10 - len(kept), 10))  # the newest, under 5,000 bytes


def test_health_counts_dropped_callbacks(held):
    app = create_app({"CALLBACKS": {"queue_size": 1, "workers": 1, "timeout": 5}})
    client, store = app.test_client(), app.extensions["exotel_emulator"]
    store.callbacks.send(held.url, "e", {})
    assert held.wait_arrived(1, 5)
    for _ in range(4):
        store.callbacks.send(held.url, "e", {})
    health = client.get("/_emulator/health").get_json()
    assert health["callbacks"]["dropped"] == 3 and health["callbacks"]["queued"] == 1
    assert [e["state"] for e in client.get("/_emulator/callbacks").get_json()["callbacks"]].count("dropped") == 3
    held.release()
    store.scheduler.stop()
    store.callbacks.shutdown()


def test_a_dead_host_is_given_up_after_three_failed_connections():
    dead = ClosingServer()
    d = dispatcher(retries=2, workers=2, breaker_after=3, breaker_seconds=60)
    for i in range(50):
        d.send(dead.url, "e", {"i": i})
    assert d.wait_idle(10)
    entries = d.entries()
    assert {e["state"] for e in entries} == {"failed"}
    assert dead.accepted <= 4  # three tries open the breaker (a second worker may have one in flight)
    untried = [e for e in entries if e["attempts"] == 0]
    assert len(untried) >= 45 and "not sent" in untried[-1]["error"]
    assert all(e["delivered_at"] for e in entries)
    d.shutdown()


def test_the_breaker_closes_on_success_and_retries_after_its_time():
    now = [1000.0]
    breaker = Breaker(after=3, seconds=5)
    breaker.now = lambda: now[0]
    for _ in range(2):
        breaker.failed("h:1")
    assert not breaker.is_open("h:1")
    breaker.failed("h:1")
    assert breaker.is_open("h:1") and not breaker.is_open("h:2")
    now[0] += 5.1
    assert not breaker.is_open("h:1")  # one try is let through...
    breaker.failed("h:1")
    assert breaker.is_open("h:1")  # ...and its failure opens it again at once
    breaker.succeeded("h:1")
    assert not breaker.is_open("h:1")


def test_reset_cancels_queued_deliveries(held):
    app = create_app({"CALLBACKS": {"workers": 1, "timeout": 5}})
    client, store = app.test_client(), app.extensions["exotel_emulator"]
    store.callbacks.send(held.url, "e", {"i": 0})
    assert held.wait_arrived(1, 5)
    for i in range(1, 30):
        store.callbacks.send(held.url, "e", {"i": i})
    assert client.post("/_emulator/reset").status_code == 200
    assert store.callbacks.stats()["queued"] == 0 and client.get("/_emulator/callbacks").get_json() == {
        "callbacks": []}
    held.release()
    assert store.callbacks.wait_idle(5)
    assert held.arrived == 1  # only the one already on the wire
    store.scheduler.stop()
    store.callbacks.shutdown()


def test_shutdown_has_a_deadline_and_cancels_the_backlog(held):
    d = dispatcher(workers=2, timeout=30)
    for i in range(100):
        d.send(held.url, "e", {"i": i})
    assert held.wait_arrived(2, 5)
    assert d.shutdown(deadline=0.2) is False  # two workers are stuck on the URL: not waited for
    states = [e["state"] for e in d.entries()]
    # it returned while the two were still on the wire (the URL holds them until released), the rest canceled
    assert states.count("pending") == 2 and states.count("canceled") == 98
    assert d.send(held.url, "e", {})["state"] == "canceled"
    held.release()


def test_every_entry_ends_in_a_final_state(listener):
    d = dispatcher(queue_size=3, workers=2)
    for i in range(10):
        d.send(listener.url if i % 2 else "http://127.0.0.1:9/", "e", {"i": i})
    assert d.wait_idle(10)
    assert {e["state"] for e in d.entries()} <= FINAL
    d.shutdown()


def test_the_breaker_remembers_a_bounded_number_of_hosts():
    breaker = Breaker(after=1, seconds=60)
    for port in range(Breaker.MAX_HOSTS + 10):
        breaker.failed(f"h:{port}")
    assert not breaker.is_open("h:0") and breaker.is_open(f"h:{Breaker.MAX_HOSTS + 9}")
    assert len(breaker._failures) == len(breaker._open_until) == Breaker.MAX_HOSTS


def test_a_get_that_finds_the_queue_full_still_answers_its_caller(held):
    d = dispatcher(queue_size=1)
    d.send(held.url, "e", {"i": 0})
    assert held.wait_arrived(1, 5)
    d.send(held.url, "e", {"i": 1})  # the queue's one place is taken
    replies = []
    entry = d.send(held.url, "passthru", {"CallSid": "x"}, method="GET", on_done=replies.append)
    # a flow waiting on this question takes its failure branch now, not at its hangup hours later
    assert entry["state"] == "dropped" and entry["method"] == "GET"
    assert len(replies) == 1 and replies[0].status_code is None and "queue full" in replies[0].error
    held.release()
    d.shutdown()


def test_a_get_canceled_by_a_reset_answers_nobody(held):
    d = dispatcher()
    d.send(held.url, "e", {"i": 0})
    assert held.wait_arrived(1, 5)
    replies = []
    d.send(held.url, "passthru", {"CallSid": "x"}, method="GET", on_done=replies.append)
    d.clear()  # a reset: the call that asked belongs to a world that is gone
    held.release()
    assert d.wait_idle(5)
    assert replies == []
    d.shutdown()
