"""The tooling over real sockets (the served emulator, through the plugin's fixture): drops, delays, concurrency."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

SID = "exotel_emulator"
LIST = f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"


@pytest.fixture
def http(exotel_emulator):
    session = requests.Session()
    session.trust_env = False
    session.auth = exotel_emulator.auth
    yield session
    session.close()


def test_drop_closes_the_connection_without_an_answer(exotel_emulator, http):
    exotel_emulator.add_fault(LIST, drop=True, times=1)
    with pytest.raises(requests.ConnectionError) as caught:
        http.get(exotel_emulator.url + LIST)
    assert "without response" in str(caught.value) or "reset" in str(caught.value).lower()
    assert http.get(exotel_emulator.url + LIST).status_code == 200
    dropped, served = exotel_emulator.requests()
    assert dropped["status"] is None and dropped["response"] is None and dropped["fault"] is not None
    assert served["status"] == 200 and served["fault"] is None


def test_the_journal_lists_requests_in_arrival_order_however_long_each_took(exotel_emulator, http, watch_delays):
    delays = watch_delays(exotel_emulator.store)
    exotel_emulator.add_fault(LIST, delay_ms=600_000, times=1)
    with ThreadPoolExecutor(1) as pool, requests.Session() as other:
        other.trust_env, other.auth = False, exotel_emulator.auth
        slow = pool.submit(other.get, exotel_emulator.url + LIST, params={"n": "first"}, timeout=30)
        assert delays.wait_held(1)  # the slow one has arrived and is held
        assert http.get(exotel_emulator.url + LIST, params={"n": "second"}, timeout=5).status_code == 200
        assert not slow.done()  # the second was answered, start to end, while the first was held
        exotel_emulator.client.clear_faults()  # releases it: a delay cut short answers normally
        assert slow.result(timeout=10).status_code == 200
    entries = exotel_emulator.requests()
    assert [e["query"]["n"] for e in entries] == ["first", "second"]
    # the first took longer than the whole life of the second, and still comes first
    assert entries[0]["id"] < entries[1]["id"] and entries[0]["duration_ms"] > entries[1]["duration_ms"]


def test_delay_longer_than_the_client_timeout_times_out_and_stalls_nothing(exotel_emulator, http, watch_delays,
                                                                           monkeypatch):
    store = exotel_emulator.store
    delays = watch_delays(store)
    # held for ten minutes: only the client's own 0.2 s timeout can end the first request quickly
    exotel_emulator.add_fault(LIST, delay_ms=600_000, times=1)
    with pytest.raises(requests.Timeout):
        http.get(exotel_emulator.url + LIST, timeout=0.2)
    assert delays.wait_held(1)
    # other requests go on being served while that one is held
    assert http.get(exotel_emulator.url + LIST, timeout=5).status_code == 200
    assert [e["waited_out"] for e in delays.held] == [None]  # still held
    # a reset releases the held request, and what it then tries to record never lands in the new journal
    recorded = threading.Event()
    record = store.journal.record

    def watched(generation, entry):
        record(generation, entry)
        recorded.set()

    monkeypatch.setattr(store.journal, "record", watched)
    exotel_emulator.reset()
    assert delays.wait_over(1) and delays.held == [{"seconds": 600, "waited_out": False}]  # released, not waited out
    assert recorded.wait(10)  # the released request has been through the journal...
    assert exotel_emulator.requests() == []  # ...which kept nothing of it


def test_delay_alone_answers_normally_late(exotel_emulator, http, watch_delays):
    delays = watch_delays(exotel_emulator.store)
    exotel_emulator.add_fault(LIST, delay_ms=200, times=1)
    response = http.get(exotel_emulator.url + LIST, timeout=5)
    # the whole delay passed (not cut short) before the normal answer was sent
    assert response.status_code == 200 and delays.held == [{"seconds": 0.2, "waited_out": True}]
    assert exotel_emulator.requests()[0]["duration_ms"] >= 200


def hammer(exotel_emulator, n_threads=16, per_thread=4) -> list[int]:
    def run(_):
        with requests.Session() as session:
            session.trust_env = False
            return [session.get(exotel_emulator.url + LIST, auth=exotel_emulator.auth).status_code
                    for _ in range(per_thread)]

    with ThreadPoolExecutor(n_threads) as pool:
        return [status for statuses in pool.map(run, range(n_threads)) for status in statuses]


def test_a_fault_with_times_fires_exactly_that_often_under_16_threads(exotel_emulator):
    fault_id = exotel_emulator.add_fault(LIST, status=503, times=5)
    statuses = hammer(exotel_emulator)
    assert statuses.count(503) == 5 and statuses.count(200) == 59
    assert exotel_emulator.client.faults()[0] == {**exotel_emulator.client.faults()[0], "id": fault_id, "hits": 5}


def test_the_rate_limit_admits_exactly_its_quota_under_16_threads(exotel_emulator):
    exotel_emulator.set_rate_limit(SID, 20)
    statuses = hammer(exotel_emulator)
    assert statuses.count(200) == 20 and statuses.count(429) == 44


def test_the_journal_records_every_concurrent_request(exotel_emulator):
    hammer(exotel_emulator)
    journal = exotel_emulator.requests()
    assert len(journal) == 64 and len({e["id"] for e in journal}) == 64


def test_requests_held_by_delays_never_delay_any_other_request(exotel_emulator, watch_delays):
    """More requests held at once than any pool of worker threads would have, and every other request is
    still answered, start to end, while all of them are held (events, not timings: each delay is ten
    minutes long, and only clearing the faults ends them)."""
    delays = watch_delays(exotel_emulator.store)
    held = 40
    exotel_emulator.add_fault(LIST, method="GET", delay_ms=600_000)
    sessions = [requests.Session() for _ in range(held)]
    try:
        with ThreadPoolExecutor(held) as pool:
            for s in sessions:
                s.trust_env, s.auth = False, exotel_emulator.auth
            waiting = [pool.submit(s.get, exotel_emulator.url + LIST, timeout=60) for s in sessions]
            assert delays.wait_held(held, timeout=30)  # all of them are inside their delay
            with requests.Session() as other:
                other.trust_env, other.auth = False, exotel_emulator.auth
                for _ in range(20):  # other paths of the same family, the control API, another family
                    assert other.get(exotel_emulator.url + LIST + ".json", timeout=10).status_code == 200
                    assert other.get(exotel_emulator.url + "/_emulator/health", timeout=10).status_code == 200
                    assert other.get(f"{exotel_emulator.url}/v1/tenants/{SID}/greenvn/x",
                                     timeout=10).status_code == 404
            assert not any(f.done() for f in waiting) and all(e["waited_out"] is None for e in delays.held)
            exotel_emulator.client.clear_faults()  # every held request answers now
            assert [f.result(timeout=30).status_code for f in waiting] == [200] * held
    finally:
        for s in sessions:
            s.close()


def test_without_uvloop_asyncio_serves_and_a_held_request_holds_no_other(monkeypatch, watch_delays):
    # where uvloop is not installed (Windows), the server runs on asyncio's own loop
    import asyncio

    from emulator.core import server
    from emulator.testing import EmulatorServer
    from tests.conftest import TEST_CONFIG

    monkeypatch.setattr(server, "_loop", lambda: "asyncio")
    with EmulatorServer(TEST_CONFIG) as running, ThreadPoolExecutor(1) as pool, requests.Session() as http:
        http.trust_env, http.auth = False, running.auth
        faults = running.store.faults
        delays = watch_delays(running.store)
        held_on, pause = [], faults.pause

        async def watched(seconds, generation):
            held_on.append(type(asyncio.get_running_loop()).__module__)
            return await pause(seconds, generation)

        monkeypatch.setattr(faults, "pause", watched)
        running.add_fault(LIST, delay_ms=600_000, times=1)
        slow = pool.submit(http.get, running.url + LIST, timeout=30)
        assert delays.wait_held(1)
        with requests.Session() as other:
            other.trust_env, other.auth = False, running.auth
            assert other.get(running.url + LIST, timeout=5).status_code == 200
        assert not slow.done()  # answered while the first is held
        running.client.clear_faults()
        assert slow.result(timeout=10).status_code == 200
    assert len(held_on) == 1 and held_on[0].startswith("asyncio")  # not uvloop's
