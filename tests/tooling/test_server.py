"""The tooling over real sockets (waitress, through the plugin's fixture): drops, delays, concurrency."""

from __future__ import annotations

import time
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


def test_the_journal_lists_requests_in_arrival_order_however_long_each_took(exotel_emulator, http):
    exotel_emulator.add_fault(LIST, delay_ms=300, times=1)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(http.get, exotel_emulator.url + LIST, params={"n": "first"}, timeout=5)
        while not exotel_emulator.store.faults.all()[0].hits:  # the slow one has arrived and is held
            time.sleep(0.005)
        assert http.get(exotel_emulator.url + LIST, params={"n": "second"}, timeout=5).status_code == 200
        assert slow.result().status_code == 200
    entries = exotel_emulator.requests()
    assert [e["query"]["n"] for e in entries] == ["first", "second"]
    assert entries[0]["id"] < entries[1]["id"] and entries[0]["duration_ms"] >= 300


def test_delay_longer_than_the_client_timeout_times_out_and_stalls_nothing(exotel_emulator, http):
    exotel_emulator.add_fault(LIST, delay_ms=1000, times=1)
    started = time.perf_counter()
    with pytest.raises(requests.Timeout):
        http.get(exotel_emulator.url + LIST, timeout=0.2)
    assert time.perf_counter() - started < 0.9
    # other requests go on being served at once while that one is held
    started = time.perf_counter()
    assert http.get(exotel_emulator.url + LIST, timeout=2).status_code == 200
    assert time.perf_counter() - started < 0.5
    # a reset releases the held request at once, and it never lands in the new journal
    started = time.perf_counter()
    exotel_emulator.reset()
    assert time.perf_counter() - started < 0.5
    time.sleep(0.05)  # give the released worker its chance to (not) record anything
    assert exotel_emulator.requests() == []


def test_delay_alone_answers_normally_late(exotel_emulator, http):
    exotel_emulator.add_fault(LIST, delay_ms=200, times=1)
    started = time.perf_counter()
    response = http.get(exotel_emulator.url + LIST, timeout=5)
    assert response.status_code == 200 and time.perf_counter() - started >= 0.2
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
