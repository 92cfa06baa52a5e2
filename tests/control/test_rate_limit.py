"""The opt-in per-account rate limit (PUT /_emulator/accounts/<sid>/rate_limit), on the emulator clock."""

from __future__ import annotations

import pytest

from contract_tests.documented import CODE_LIST, V2_CODE_FOR_STATUS, exobridge_status_error, rest_exception

SID = "exotel_emulator"
LIST = f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"


def limit(client, per_minute, sid=SID):
    response = client.put(f"/_emulator/accounts/{sid}/rate_limit", json={"per_minute": per_minute})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def statuses(client, auth, n, path=LIST):
    return [client.get(path, headers=auth).status_code for _ in range(n)]


def test_off_by_default(client, auth):
    assert set(statuses(client, auth, 60)) == {200}


def test_over_the_limit_is_429_in_the_v2_beta_envelope_with_retry_after(client, auth):
    assert limit(client, 3) == {"sid": SID, "per_minute": 3}
    assert statuses(client, auth, 3) == [200, 200, 200]
    response = client.get(LIST, headers=auth)
    assert response.status_code == 429 and response.get_json() == rest_exception(429)
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_exobridge_answers_429_with_code_17(client, auth):
    limit(client, 1)
    client.get(f"/v1/tenants/{SID}/greenvn/x", headers=auth)
    response = client.get(f"/v1/tenants/{SID}/greenvn/x", headers=auth)
    assert response.status_code == 429
    body = response.get_json()
    assert body["code"] == 17 and body == exobridge_status_error(429)
    assert body["message"] == CODE_LIST[17] == "Too many requests"  # the page's code list, for 17


def test_v2_answers_429_in_its_envelope(client, auth):
    limit(client, 1)
    path = f"/v2/accounts/{SID}/incoming-phone-numbers/x"
    client.get(path, headers=auth)
    response = client.get(path, headers=auth)
    assert response.status_code == 429
    assert response.get_json()["response"][0]["error_data"]["code"] == V2_CODE_FOR_STATUS[429] == 1004


def test_every_family_counts_against_the_same_account(client, auth):
    limit(client, 2)
    client.get(LIST, headers=auth)
    client.get(f"/v1/tenants/{SID}/greenvn/x", headers=auth)
    assert client.get(f"/v2/accounts/{SID}/incoming-phone-numbers/x", headers=auth).status_code == 429


def test_advancing_the_clock_a_minute_frees_the_window(client, auth):
    limit(client, 2)
    assert statuses(client, auth, 3) == [200, 200, 429]
    client.post("/_emulator/clock/advance", json={"seconds": 59})
    assert statuses(client, auth, 1) == [429]
    client.post("/_emulator/clock/advance", json={"seconds": 1})
    assert statuses(client, auth, 3) == [200, 200, 429]


def test_the_window_slides(client, auth):
    limit(client, 2)
    assert statuses(client, auth, 1) == [200]
    client.post("/_emulator/clock/advance", json={"seconds": 30})
    assert statuses(client, auth, 2) == [200, 429]
    client.post("/_emulator/clock/advance", json={"seconds": 30})  # the first request left the window
    assert statuses(client, auth, 2) == [200, 429]


def test_limits_are_per_account(client, auth, new_account):
    _, acme_auth = new_account("acme")
    limit(client, 1, "acme")
    assert statuses(client, acme_auth, 2, "/v2_beta/Accounts/acme/IncomingPhoneNumbers") == [200, 429]
    assert set(statuses(client, auth, 5)) == {200}


def test_null_switches_it_off(client, auth):
    limit(client, 1)
    assert statuses(client, auth, 2) == [200, 429]
    assert limit(client, None) == {"sid": SID, "per_minute": None}
    assert set(statuses(client, auth, 5)) == {200}


def test_reset_switches_limits_off(client, auth):
    limit(client, 1)
    client.post("/_emulator/reset")
    assert set(statuses(client, auth, 3)) == {200}


def test_control_api_is_never_limited(client):
    limit(client, 1)
    assert {client.get("/_emulator/health").status_code for _ in range(5)} == {200}


def test_rate_limited_requests_are_journaled(client, auth):
    limit(client, 1)
    statuses(client, auth, 2)
    journal = client.get("/_emulator/requests").get_json()["requests"]
    assert [(r["status"], r["fault"]) for r in journal] == [(200, None), (429, "rate_limit")]


def test_unknown_account_is_404(client):
    response = client.put("/_emulator/accounts/nobody/rate_limit", json={"per_minute": 5})
    assert response.status_code == 404 and response.get_json()["status"] == 404


@pytest.mark.parametrize("body", [{}, {"per_minute": 0}, {"per_minute": -5}, {"per_minute": "50"},
                                  {"per_minute": 1.5}, {"per_minute": True}, {"per_minute": 5, "burst": 2}, [5]])
def test_bad_bodies_are_400(client, auth, body):
    response = client.put(f"/_emulator/accounts/{SID}/rate_limit", json=body)
    assert response.status_code == 400 and response.get_json()["status"] == 400
    assert set(statuses(client, auth, 3)) == {200}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic Zm9vOmJhcg=="}, {"Authorization": "Bearer x"}])
def test_requests_without_the_accounts_credentials_spend_none_of_its_quota(client, auth, new_account, headers):
    limit(client, 1)
    _, other = new_account("stranger")
    for bad in (headers, other):  # nobody's credentials, then another account's
        assert client.get(LIST, headers=bad).status_code in (401, 403)
    assert statuses(client, auth, 2) == [200, 429]
