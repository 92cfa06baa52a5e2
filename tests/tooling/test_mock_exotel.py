"""mock_exotel: requests to Exotel's production hosts answered in-process; every other host untouched."""

from __future__ import annotations

import pytest
import requests
from requests.adapters import HTTPAdapter

from emulator import create_app
from emulator.testing import PRODUCTION_HOSTS, current_mock, mock_exotel

SID = "exotel_emulator"
KEY, TOKEN = "emulator_api_key", "emulator_api_token"


def test_a_hard_coded_production_url_with_credentials_in_it():
    with mock_exotel():
        response = requests.get(f"https://{KEY}:{TOKEN}@api.exotel.com/v2_beta/Accounts/{SID}/IncomingPhoneNumbers.json",
                                params={"PageSize": 2})
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
        body = response.json()
        assert len(body["incoming_phone_numbers"]) == 2
        # absolute URLs are on the host the client called, as production's are
        assert body["first_page_uri"].startswith("https://api.exotel.com/v2_beta/")


def test_method_query_headers_and_body_reach_the_emulator():
    with mock_exotel() as exotel:
        available = requests.get(f"https://api.in.exotel.com/v2_beta/Accounts/{SID}/AvailablePhoneNumbers/IN/Landline",
                                 params={"InRegion": "KA"}, auth=exotel.auth).json()
        assert available and {n["region"] for n in available} == {"KA"}
        bought = requests.post(f"https://api.in.exotel.com/v2_beta/Accounts/{SID}/IncomingPhoneNumbers",
                               data={"PhoneNumber": available[0]["phone_number"], "FriendlyName": "Desk"},
                               headers={"X-Trace": "abc"}, auth=exotel.auth)
        assert bought.status_code == 200 and bought.json()["friendly_name"] == "Desk"
        [entry] = exotel.requests(method="POST")
        assert entry["headers"]["Host"] == "api.in.exotel.com" and entry["headers"]["X-Trace"] == "abc"
        assert entry["headers"]["Authorization"].startswith("Basic ")
        assert entry["body"] == f"PhoneNumber=%2B{available[0]['phone_number'][1:]}&FriendlyName=Desk"


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("host, path, envelope_key", [
    ("api.exotel.com", f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", "RestException"),
    ("api.in.exotel.com", f"/v2/accounts/{SID}/incoming-phone-numbers/x", "response"),
    ("leadassist.exotel.in", f"/v1/tenants/{SID}/greenvn/x", "success"),
    ("integrationscore.mum1.exotel.com", "/v2/integrations/customer", "RequestId"),
    ("twilix.exotel.in", f"/v1/Accounts/{SID}/Calls/x.json", "RestException"),
    ("api.exotel.in", f"/v1/Accounts/{SID}/SMS/Messages/x.json", "RestException"),
])
def test_every_production_host_on_http_and_https(scheme, host, path, envelope_key):
    with mock_exotel():
        response = requests.get(f"{scheme}://{host}{path}")  # no credentials: each family's 401
        assert response.status_code == 401 and envelope_key in response.json()


def test_the_hosts_are_the_documented_production_ones():
    assert set(PRODUCTION_HOSTS) == {"api.exotel.com", "api.in.exotel.com", "leadassist.exotel.in",
                                     "integrationscore.mum1.exotel.com", "twilix.exotel.in", "api.exotel.in"}


def test_other_hosts_pass_through_untouched(listener):
    with mock_exotel():
        response = requests.post(listener.url + "/elsewhere", json={"real": True})
        assert response.status_code == 200
    assert listener.wait(1)[0]["json"] == {"real": True}


def test_the_emulators_own_callbacks_still_reach_real_listeners(listener):
    with mock_exotel() as exotel:
        exotel.store.callbacks.send(listener.url + "/hook", "test_event", {"n": 1})
        assert listener.wait(1)[0]["json"] == {"n": 1}


def test_faults_drop_and_delay_look_like_network_failures(watch_delays):
    url = f"https://api.exotel.com/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"
    with mock_exotel() as exotel:
        delays = watch_delays(exotel.store)
        exotel.add_fault("/v2_beta/*", drop=True, times=1)
        with pytest.raises(requests.ConnectionError):
            requests.get(url, auth=exotel.auth)
        exotel.add_fault("/v2_beta/*", delay_ms=1000, times=1)
        with pytest.raises(requests.ReadTimeout):
            requests.get(url, auth=exotel.auth, timeout=0.2)
        # the request was held for the client's read timeout, not the fault's second: then the client gave up
        assert delays.held == [{"seconds": 0.2, "waited_out": True}]
        exotel.add_fault("/v2_beta/*", delay_ms=50, times=1)
        assert requests.get(url, auth=exotel.auth, timeout=(1, 2)).status_code == 200
        assert delays.held[1] == {"seconds": 0.05, "waited_out": True}  # shorter than the read timeout: waited out
        exotel.add_fault("/v2_beta/*", code=None, status=503, times=1)
        assert requests.get(url, auth=exotel.auth).status_code == 503
        assert requests.get(url, auth=exotel.auth).status_code == 200


def test_clock_and_state_through_the_yielded_object():
    with mock_exotel() as exotel:
        exotel.advance_clock(3600)
        assert exotel.store.clock.offset == 3600 and exotel.client.clock()["offset_seconds"] == 3600
        account = exotel.new_account()
        response = requests.get(f"https://api.exotel.com/v2_beta/Accounts/{account['sid']}/IncomingPhoneNumbers",
                                auth=(account["api_key"], account["api_token"]))
        assert response.status_code == 200 and response.json()["incoming_phone_numbers"] == []


@mock_exotel
def test_as_a_bare_decorator():
    mock = current_mock()
    assert requests.get(f"https://api.exotel.com/v2_beta/Accounts/{SID}/IncomingPhoneNumbers",
                        auth=mock.auth).status_code == 200
    mock.new_account("decorated")  # would be a 409 if the decorated test shared state with another run


@mock_exotel(config={"JOURNAL_SIZE": 1})
def test_as_a_decorator_with_options():
    for _ in range(3):
        requests.get(f"https://api.exotel.com/v2_beta/Accounts/{SID}/IncomingPhoneNumbers")
    assert len(current_mock().requests()) == 1
    current_mock().new_account("decorated")


def test_each_activation_is_a_fresh_world_unless_an_app_is_given():
    with mock_exotel() as first:
        first.new_account("only_here")
    with mock_exotel() as second:
        assert "only_here" not in [a["sid"] for a in second.client.accounts()]
    app = create_app()
    with mock_exotel(app=app) as mine:
        mine.new_account("kept")
    with mock_exotel(app=app) as again:
        assert "kept" in [a["sid"] for a in again.client.accounts()]


def test_patching_ends_with_the_block():
    original = requests.Session.get_adapter
    with mock_exotel():
        assert requests.Session.get_adapter is not original
        with mock_exotel():  # nested: still patched once, and still patched after the inner one ends
            pass
        assert requests.Session.get_adapter is not original
    assert requests.Session.get_adapter is original and HTTPAdapter.send is HTTPAdapter.send
    with pytest.raises(RuntimeError):
        current_mock()
