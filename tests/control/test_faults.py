"""Fault injection (POST/GET/DELETE /_emulator/faults): every family's documented errors are reachable."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from contract_tests.documented import APPENDIX_1, V2_ERRORS, exobridge_status_error, integrations_error, rest_exception
from emulator.core.gate import ConnectionDropped
from emulator.exobridge import ExoBridgeError
from emulator.exophones import V2Error
from tests.conftest import basic

SID = "exotel_emulator"
LIST = f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"
GREENVN = f"/v1/tenants/{SID}/greenvn"
V2_PHONE = f"/v2/accounts/{SID}/incoming-phone-numbers/0123"
INTEGRATIONS = "/v2/integrations/customer"


def fault(client, **rule) -> str:
    response = client.post("/_emulator/faults", json=rule)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def without_request_id(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in ("RequestId", "request_id")}


@pytest.mark.parametrize("code", sorted(ExoBridgeError.codes))
def test_every_appendix_1_code_is_reachable_with_its_documented_status_and_message(client, auth, code):
    fault(client, method="POST", path="/v1/tenants/*/greenvn", code=code)
    response = client.post(GREENVN, json={}, headers=auth)
    status, message = APPENDIX_1[code]  # the page's, for every code of the package's table
    assert response.status_code == status
    assert response.get_json() == {"success": False, "status": status, "code": code, "message": message, "data": None}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 499, 500, 503])
def test_exobridge_status_only_fault_uses_the_code_that_fits(client, auth, status):
    fault(client, path="/v1/tenants/*", status=status)
    response = client.get(f"{GREENVN}/abc", headers=auth)
    assert response.status_code == status and response.get_json() == exobridge_status_error(status)


@pytest.mark.parametrize("code", sorted(V2Error.codes))
def test_every_v2_error_code_is_reachable(client, auth, code):
    fault(client, path="/v2/accounts/*", code=code)
    response = client.get(V2_PHONE, headers=auth)
    status, description = V2_ERRORS[code]  # docs/exophones.md's table (1000: the page's)
    body = response.get_json()
    assert response.status_code == status and body["http_code"] == status
    assert body["response"][0]["error_data"] == {"code": code, "description": description, "message": description}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 429, 500, 502, 503])
def test_v2_beta_faults_answer_a_rest_exception(client, auth, status):
    fault(client, path=LIST, status=status)
    response = client.get(LIST, headers=auth)
    assert response.status_code == status
    assert response.get_json() == rest_exception(status)


def test_v2_beta_fault_with_a_code_carries_it(client, auth):
    fault(client, path=LIST, status=400, code=21211)
    assert client.get(LIST, headers=auth).get_json()["RestException"]["Code"] == 21211


@pytest.mark.parametrize("status", [400, 401, 404, 500, 503])
def test_integrations_faults_answer_in_the_integrations_envelope(client, status):
    fault(client, path="/v2/integrations/*", status=status)
    response = client.get(INTEGRATIONS, headers={"Authorization": "whatever"})
    assert response.status_code == status
    assert without_request_id(response.get_json()) == integrations_error(status, "GET", INTEGRATIONS)


def test_times_limits_how_often_a_fault_fires_and_the_list_counts_hits(client, auth):
    fault_id = fault(client, path=LIST, status=503, times=2)
    assert [client.get(LIST, headers=auth).status_code for _ in range(4)] == [503, 503, 200, 200]
    [listed] = client.get("/_emulator/faults").get_json()["faults"]
    assert listed["id"] == fault_id and listed["hits"] == 2 and listed["remaining"] == 0


def test_without_times_a_fault_fires_until_deleted(client, auth):
    fault(client, path=LIST, status=500)
    assert [client.get(LIST, headers=auth).status_code for _ in range(3)] == [500, 500, 500]
    assert client.delete("/_emulator/faults").status_code == 200
    assert client.get(LIST, headers=auth).status_code == 200
    assert client.get("/_emulator/faults").get_json() == {"faults": []}


def test_delete_one_fault_by_id(client, auth):
    first = fault(client, path=LIST, status=500)
    second = fault(client, path="/nothing", status=500)
    assert client.delete(f"/_emulator/faults/{first}").status_code == 200
    assert [f["id"] for f in client.get("/_emulator/faults").get_json()["faults"]] == [second]
    assert client.get(LIST, headers=auth).status_code == 200
    missing = client.delete(f"/_emulator/faults/{first}")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404


def test_method_filter(client, auth):
    fault(client, method="post", path=LIST, status=500)
    assert client.get(LIST, headers=auth).status_code == 200
    assert client.post(LIST, data={"PhoneNumber": "+10"}, headers=auth).status_code == 500


def test_account_filter_takes_the_account_from_the_path(client, auth, new_account):
    _, acme_auth = new_account("acme")
    fault(client, path="*", account="acme", status=503)
    assert client.get(LIST, headers=auth).status_code == 200
    assert client.get("/v2_beta/Accounts/acme/IncomingPhoneNumbers", headers=acme_auth).status_code == 503
    assert client.get("/v1/tenants/acme/greenvn/x", headers=acme_auth).status_code == 503
    assert client.get("/v2/accounts/acme/incoming-phone-numbers/x", headers=acme_auth).status_code == 503
    # integrations paths name no account: an account-scoped fault never matches them
    assert client.get(INTEGRATIONS).status_code != 503


@pytest.mark.parametrize("glob, path, matches", [
    ("/v2_beta/*", f"{LIST}/abc", True),  # "*" crosses "/"
    ("*IncomingPhoneNumbers", LIST, True),
    ("*IncomingPhoneNumbers", f"{LIST}/abc", False),  # the whole path must match
    ("/v2_beta/Accounts/exotel_emulato?/IncomingPhoneNumbers", LIST, True),  # "?" is one character
    ("/v2_beta/Accounts/exotel_emulat?/IncomingPhoneNumbers", LIST, False),
    ("/v2_beta/Accounts/[ex]*", LIST, True),
    ("/V2_BETA/*", LIST, False),  # case-sensitive, like the routes
])
def test_path_globs_follow_fnmatch(client, auth, glob, path, matches):
    fault(client, path=glob, status=418 + 100)  # 518: a status no natural answer has
    assert (client.get(path, headers=auth).status_code == 518) is matches


def test_raw_body_is_answered_as_is_with_status_500_by_default(client, auth):
    fault(client, path=LIST, body={"unexpected": ["shape"]}, times=1)
    response = client.get(LIST, headers=auth)
    assert response.status_code == 500 and response.get_json() == {"unexpected": ["shape"]}
    assert response.content_type == "application/json"


@pytest.mark.parametrize("body", [None, [1, 2], 0, {"a": None}])
def test_raw_body_may_be_any_json_value_with_any_status(client, auth, body):
    fault(client, path=LIST, status=200, body=body)
    response = client.get(LIST, headers=auth)
    assert response.status_code == 200 and response.get_json() == body


@pytest.mark.parametrize("text, content_type", [
    ("<html><body>502 Bad Gateway</body></html>", "text/html"),  # what a proxy in front of the API says
    ("upstream connect error", "text/plain"),
])
def test_a_string_body_is_sent_verbatim_not_as_json(client, auth, text, content_type):
    fault(client, path=LIST, status=502, body=text)
    response = client.get(LIST, headers=auth)
    assert response.status_code == 502 and response.get_data(as_text=True) == text
    assert response.mimetype == content_type


def test_delay_only_returns_the_normal_answer_late(client, auth, store, watch_delays):
    delays = watch_delays(store)
    fault(client, path=LIST, delay_ms=150, times=1)
    response = client.get(LIST, headers=auth)
    # the request sat out the whole delay (not cut short) before the app answered it
    assert delays.held == [{"seconds": 0.15, "waited_out": True}]
    assert response.status_code == 200 and "incoming_phone_numbers" in response.get_json()


def test_delay_with_status_answers_the_error_late(client, auth, store, watch_delays):
    delays = watch_delays(store)
    fault(client, path=GREENVN, method="POST", delay_ms=100, code=0)
    response = client.post(GREENVN, json={}, headers=auth)
    assert delays.held == [{"seconds": 0.1, "waited_out": True}] and response.status_code == 500
    assert response.get_json()["code"] == 0


def test_a_held_request_answers_normally_once_the_faults_are_deleted(app, auth, store, watch_delays):
    delays = watch_delays(store)
    client, control = app.test_client(), app.test_client()
    fault(control, path=LIST, delay_ms=600_000, times=1)
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(client.get, LIST, headers=auth)
        assert delays.wait_held(1) and not held.done()
        assert control.delete("/_emulator/faults").status_code == 200
        response = held.result(timeout=10)
    assert delays.held == [{"seconds": 600, "waited_out": False}]  # released early, not by the clock
    assert response.status_code == 200 and "incoming_phone_numbers" in response.get_json()


def test_drop_raises_out_of_the_app_instead_of_answering(client, auth):
    fault(client, path=LIST, drop=True, times=1)
    with pytest.raises(ConnectionDropped):
        client.get(LIST, headers=auth)
    assert client.get(LIST, headers=auth).status_code == 200


def test_faults_answer_before_routing_and_authentication(client):
    fault(client, path="/v2_beta/*", status=503)
    assert client.get("/v2_beta/no/such/route").status_code == 503
    assert client.get(LIST, headers=basic("wrong", "creds")).status_code == 503


def test_first_live_rule_in_creation_order_wins(client, auth):
    fault(client, path=LIST, status=502, times=1)
    fault(client, path="/v2_beta/*", status=503)
    assert [client.get(LIST, headers=auth).status_code for _ in range(3)] == [502, 503, 503]


def test_faults_never_touch_the_control_api(client):
    fault(client, path="*", status=500)
    assert client.get("/_emulator/health").status_code == 200
    assert client.get("/_emulator/faults").status_code == 200


def test_reset_removes_faults(client, auth):
    fault(client, path=LIST, status=500)
    client.post("/_emulator/reset")
    assert client.get("/_emulator/faults").get_json() == {"faults": []}
    assert client.get(LIST, headers=auth).status_code == 200


@pytest.mark.parametrize("rule", [
    {},
    {"status": 500},  # no path
    {"path": LIST},  # no effect at all
    {"path": LIST, "delay_ms": 0},
    {"path": "/_emulator/health", "status": 500},
    {"path": LIST, "status": 700},
    {"path": LIST, "status": "500"},
    {"path": LIST, "status": 302},  # an envelope needs an error status
    {"path": LIST, "status": 500, "times": 0},
    {"path": LIST, "status": 500, "times": 1.5},
    {"path": LIST, "status": 500, "times": True},
    {"path": LIST, "status": 500, "method": "FETCH"},
    {"path": LIST, "drop": True, "status": 500},
    {"path": LIST, "drop": "yes"},
    {"path": LIST, "body": {}, "code": 4},
    {"path": LIST, "delay_ms": -1},
    {"path": LIST, "delay_ms": 10**9},
    {"path": LIST, "status": 500, "colour": "red"},
    {"path": 5, "status": 500},
    ["path"],
    {"path": "/v1/tenants/*/greenvn", "code": 999},  # not an Appendix 1 code
    {"path": "/v2/accounts/*", "code": 4},  # not a v2 code
    {"path": "/v2/integrations/token", "code": 1},  # integrations errors have no codes
])
def test_bad_rules_are_400_and_add_nothing(client, rule):
    response = client.post("/_emulator/faults", json=rule)
    assert response.status_code == 400
    assert set(response.get_json()) == {"status", "error"} and response.get_json()["status"] == 400
    assert client.get("/_emulator/faults").get_json() == {"faults": []}


def test_malformed_rule_json_is_400(client):
    assert client.post("/_emulator/faults", data="{", content_type="application/json").status_code == 400


def test_no_rules_means_no_lookups(app, client, auth, monkeypatch):
    """With no faults and no limits the gate never resolves an account or walks a rule."""
    calls = []
    monkeypatch.setattr(app.wsgi_app, "account_of", lambda path: calls.append(path))
    assert client.get(LIST, headers=auth).status_code == 200
    assert calls == []
    client.put("/_emulator/accounts/acme/rate_limit", json={"per_minute": 5})  # unknown account: 404
    fault(client, path="*", account="acme", status=500)  # a rule now exists: it is checked
    client.get(LIST, headers=auth)
    assert calls == [LIST]


def test_classic_v2_beta_envelope_takes_any_code(client, auth):
    assert client.post("/_emulator/faults", json={"path": LIST, "status": 400, "code": 21211}).status_code == 201
    assert client.get(LIST, headers=auth).get_json()["RestException"]["Code"] == 21211
