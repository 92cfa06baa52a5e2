"""The emulator clock, its scheduler, and the callback dispatcher."""

from __future__ import annotations

import socket
import threading
import time

from emulator.core.callbacks import Dispatcher
from emulator.core.clock import Clock, Scheduler, classic, rfc3339


def between_real_times(clock: Clock, offset: float) -> bool:
    """The clock reads real time plus ``offset``: bracketed by two real readings, no threshold needed."""
    before = time.time()
    reading = clock.time()
    after = time.time()
    return before + offset <= reading <= after + offset


def test_clock_advances_and_resets():
    clock = Clock()
    assert between_real_times(clock, 0)
    clock.advance(3600)
    assert between_real_times(clock, 3600) and clock.offset == 3600
    clock.reset()
    assert between_real_times(clock, 0) and clock.offset == 0


def test_formats():
    assert rfc3339(0) == "1970-01-01T00:00:00Z"
    assert classic(0) == "1970-01-01 05:30:00"  # IST


def test_scheduler_runs_due_jobs_in_order_on_advance_and_skips_cancelled():
    clock = Clock()
    scheduler = Scheduler(clock)
    ran = []
    scheduler.at(clock.time() + 100, lambda: ran.append("b"))
    scheduler.at(clock.time() + 50, lambda: ran.append("a"))
    scheduler.at(clock.time() + 60, lambda: ran.append("never")).cancel()
    scheduler.at(clock.time() + 1000, lambda: ran.append("later"))
    assert scheduler.run_due() == 0 and ran == []
    clock.advance(200)
    assert scheduler.run_due() == 2 and ran == ["a", "b"]
    assert scheduler.pending() == 1
    scheduler.stop()


def test_scheduler_runs_jobs_as_real_time_passes():
    clock = Clock()
    scheduler = Scheduler(clock)
    done = threading.Event()
    scheduler.at(clock.time() + 0.05, done.set)
    assert done.wait(5)
    scheduler.stop()


def dead_url() -> str:
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/hook"


def test_delivery_is_logged_with_status(listener):
    dispatcher = Dispatcher(Clock(), timeout=1, retries=1, backoff=0.01)
    entry = dispatcher.send(listener.url + "/cb", "test_event", {"a": 1})
    assert entry["state"] == "pending"
    assert dispatcher.wait_idle()
    [logged] = dispatcher.entries()
    assert logged["state"] == "delivered" and logged["status_code"] == 200 and logged["attempts"] == 1
    assert logged["event"] == "test_event" and logged["payload"] == {"a": 1} and logged["delivered_at"]
    assert listener.wait(1)[0]["json"] == {"a": 1} and listener.received[0]["path"] == "/cb"


def test_send_only_queues_even_when_the_url_hangs(hanging):
    dispatcher = Dispatcher(Clock(), timeout=30, retries=2, backoff=0.01)
    entry = dispatcher.send(hanging.url, "test_event", {})
    assert hanging.wait_arrived(1)  # the delivery is held by the URL, unanswered...
    assert entry["state"] == "pending" and dispatcher.entries()[0]["state"] == "pending"  # ...and send returned
    hanging.release()  # from now on the URL closes every connection unanswered
    assert dispatcher.wait_idle()
    [logged] = dispatcher.entries()
    assert logged["state"] == "failed" and logged["attempts"] == 3 and "ConnectionError" in logged["error"]


def test_dead_url_is_retried_then_failed():
    dispatcher = Dispatcher(Clock(), timeout=0.5, retries=2, backoff=0.01)
    dispatcher.send(dead_url(), "test_event", {})
    assert dispatcher.wait_idle()
    [logged] = dispatcher.entries()
    assert logged["state"] == "failed" and logged["attempts"] == 3 and "ConnectionError" in logged["error"]


def test_server_errors_are_retried_client_errors_are_not(listener):
    dispatcher = Dispatcher(Clock(), timeout=1, retries=2, backoff=0.01)
    listener.status = 503
    dispatcher.send(listener.url, "e", {})
    dispatcher.wait_idle()
    assert dispatcher.entries()[0]["attempts"] == 3
    listener.status = 404
    dispatcher.send(listener.url, "e", {})
    dispatcher.wait_idle()
    assert dispatcher.entries()[1]["attempts"] == 1 and dispatcher.entries()[1]["state"] == "failed"


def test_log_is_bounded():
    dispatcher = Dispatcher(Clock(), timeout=0.2, retries=0, log_size=3)
    for i in range(5):
        dispatcher.send(dead_url(), "e", {"i": i})
    dispatcher.wait_idle()
    assert [e["payload"]["i"] for e in dispatcher.entries()] == [2, 3, 4]


# ---- GET mode: a call flow's questions to users' URLs ------------------------------------------------------


class Replies:
    """Collects the ``Reply`` handed to ``on_done``, and what the log said of the entry at that moment."""

    def __init__(self, dispatcher: Dispatcher):
        self.dispatcher, self.got, self.state_then = dispatcher, [], []
        self.done = threading.Event()

    def __call__(self, reply) -> None:
        self.got.append(reply)
        self.state_then.append(self.dispatcher.entries()[-1]["state"])
        self.done.set()


def test_a_get_sends_the_payload_as_the_query_and_hands_back_the_answer(listener):
    listener.answer = lambda request: (302, "elsewhere", {"Location": "/never-followed"})  # a 302 is the answer
    dispatcher = Dispatcher(Clock(), timeout=1, retries=2, backoff=0.01)
    replies = Replies(dispatcher)
    entry = dispatcher.send(listener.url + "/passthru", "passthru", {"CallSid": "c1", "digits": '"1"'},
                            method="GET", on_done=replies)
    assert entry["state"] == "pending" and entry["method"] == "GET"
    assert dispatcher.wait_idle() and replies.done.is_set()
    [reply] = replies.got
    assert (reply.status_code, reply.body, reply.error) == (302, "elsewhere", None)
    assert replies.state_then == ["pending"]  # the answer was taken before the entry left pending
    [received] = listener.wait(1)
    assert received["method"] == "GET" and received["path"].startswith("/passthru?")
    assert received["query"] == [("CallSid", "c1"), ("digits", '"1"')]
    [logged] = dispatcher.entries()
    assert (logged["state"], logged["status_code"], logged["attempts"]) == ("delivered", 302, 1)


def test_a_get_is_asked_once_and_a_failure_is_an_answer_too(listener):
    dispatcher = Dispatcher(Clock(), timeout=0.5, retries=2, backoff=0.01)
    replies = Replies(dispatcher)
    listener.status = 503
    dispatcher.send(listener.url, "passthru", {}, method="GET", on_done=replies)
    dispatcher.send(dead_url(), "passthru", {}, method="GET", on_done=replies)
    assert dispatcher.wait_idle()
    assert len(listener.wait(1)) == 1  # a 503 is not retried: the flow waits on the question
    by_status = {r.status_code: r for r in replies.got}
    assert by_status[503].error is None and "ConnectionError" in by_status[None].error
    assert [e["state"] for e in dispatcher.entries()] == ["failed", "failed"]
    assert all(e["attempts"] == 1 for e in dispatcher.entries())


def test_a_get_that_times_out_says_so(hanging):
    dispatcher = Dispatcher(Clock(), timeout=30, retries=2)
    replies = Replies(dispatcher)
    dispatcher.send(hanging.url, "passthru", {}, method="GET", timeout=0.2, on_done=replies)  # its own timeout
    assert replies.done.wait(10)
    assert replies.got[0].status_code is None and "Timeout" in replies.got[0].error


def test_a_failing_completion_callback_does_not_lose_the_entry(listener):
    dispatcher = Dispatcher(Clock(), timeout=1, retries=0)

    def broken(reply):
        raise RuntimeError("boom")

    dispatcher.send(listener.url, "passthru", {}, method="GET", on_done=broken)
    assert dispatcher.wait_idle()
    assert dispatcher.entries()[0]["state"] == "delivered"
