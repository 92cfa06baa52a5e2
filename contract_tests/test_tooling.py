"""What a QA engineer scripts against the real command with nothing but the control API: a failing
allocation, a list that times out, a list that is rate limited, a connection that drops."""

from __future__ import annotations

import pytest
import requests

from contract_tests.documented import APPENDIX_1, rest_exception


def control(api, method: str, path: str, **kwargs):
    response = api.request(method, f"{api.base}/_emulator{path}", **kwargs)
    assert response.status_code < 300, response.text
    return response.json()


def allocation(n: int) -> dict:
    return {"connection_id": f"qa-{n}", "aparty_numbers": [f"+9198450{n:05d}"],
            "bparty_numbers": [f"+9198860{n:05d}"], "usage": "twoway"}


def test_next_allocation_fails_with_452_code_4_then_allocations_work_again(api):
    greenvn = f"{api.base}/v1/tenants/{api.sid}/greenvn"
    control(api, "POST", "/faults", json={"method": "POST", "path": f"/v1/tenants/{api.sid}/greenvn", "code": 4,
                                          "times": 1})
    failed = api.post(greenvn, json=allocation(1))
    status, message = APPENDIX_1[4]
    assert failed.status_code == status == 452
    assert failed.json() == {"success": False, "status": 452, "code": 4, "message": message, "data": None}
    assert api.post(greenvn, json=allocation(2)).status_code == 200


def test_next_exophone_list_times_out_and_the_one_after_is_served_at_once(api):
    numbers = f"{api.base}/v2_beta/Accounts/{api.sid}/IncomingPhoneNumbers"
    # held for ten minutes: a client gets past it quickly only by giving up at its own timeout
    control(api, "POST", "/faults", json={"method": "GET", "path": "/v2_beta/Accounts/*/IncomingPhoneNumbers",
                                          "delay_ms": 600_000, "times": 1})
    with pytest.raises(requests.Timeout):
        api.get(numbers, timeout=0.2)
    # the same list, spelt with the .json suffix the glob does not match, is answered while the first is held:
    # the journal shows the held one in flight (no status yet) and this one answered
    assert api.get(numbers + ".json", timeout=10).status_code == 200
    journal = control(api, "GET", "/requests", params={"path": f"/v2_beta/Accounts/{api.sid}/IncomingPhoneNumbers"})
    assert [(e["path"], e["status"], e["in_flight"]) for e in journal["requests"]] == [
        (f"/v2_beta/Accounts/{api.sid}/IncomingPhoneNumbers", None, True),
        (f"/v2_beta/Accounts/{api.sid}/IncomingPhoneNumbers.json", 200, False)]
    control(api, "DELETE", "/faults")  # releases the held one


def test_number_list_is_rate_limited_until_the_clock_moves_on(api):
    numbers = f"{api.base}/v2_beta/Accounts/{api.sid}/IncomingPhoneNumbers"
    control(api, "PUT", f"/accounts/{api.sid}/rate_limit", json={"per_minute": 2})
    answers = [api.get(numbers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json() == rest_exception(429) and "Retry-After" in answers[2].headers
    control(api, "POST", "/clock/advance", json={"seconds": 60})
    assert api.get(numbers).status_code == 200
    journal = control(api, "GET", "/requests", params={"path": numbers.split(api.base)[1]})["requests"]
    assert [e["status"] for e in journal] == [200, 200, 429, 200]


def test_a_dropped_connection_is_a_connection_error_not_an_answer(api):
    numbers = f"{api.base}/v2_beta/Accounts/{api.sid}/IncomingPhoneNumbers"
    control(api, "POST", "/faults", json={"path": "/v2_beta/*", "drop": True, "times": 1})
    with pytest.raises(requests.ConnectionError):
        api.get(numbers)
    assert api.get(numbers).status_code == 200
