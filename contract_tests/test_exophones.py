"""The ExoPhones v2_beta and ExoPhone v2 pages over real HTTP: each documented example, field by field, against the
running command."""

from __future__ import annotations

import re

from contract_tests.conftest import conforms, example, in_documented_order, same_shape


def beta(api, path=""):
    return f"{api.base}/v2_beta/Accounts/{api.sid}{path}"


def first_landline(api, **query):
    return api.get(beta(api, "/AvailablePhoneNumbers/IN/Landline"), params=query).json()[0]


def test_available_countries(api):
    response = api.get(beta(api, "/AvailablePhoneNumbers"))
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    conforms(response.json(), "exophones/available_countries.json")


def test_each_countrys_uri_answers_its_entry(api):
    for entry in api.get(beta(api, "/AvailablePhoneNumbers")).json()["countries"]:
        response = api.get(api.base + entry["uri"])
        assert response.status_code == 200 and response.json() == entry
        conforms(response.json(), "exophones/available_countries.json#countries.0")


def test_available_numbers_by_country_and_type(api):
    response = api.get(beta(api, "/AvailablePhoneNumbers/MY/Landline"))
    assert response.status_code == 200
    body = response.json()
    conforms(body, "exophones/available_numbers.json")
    assert all(n["country"] == "MY" and n["number_type"] == "Landline" for n in body)


def test_get_an_exophone_post(api):
    number = first_landline(api)
    response = api.post(beta(api, "/IncomingPhoneNumbers"), data={"PhoneNumber": number["phone_number"][3:]})
    assert response.status_code == 200
    body = response.json()
    conforms(body, "exophones/buy.json")
    assert body["phone_number"] == number["phone_number"] and body["friendly_name"] == number["phone_number"][3:]
    assert re.fullmatch(r"[0-9a-f]{32}", body["sid"])


def test_assign_number_to_a_flow_put(api):
    bought = api.post(beta(api, "/IncomingPhoneNumbers"), data={"PhoneNumber": first_landline(api)["phone_number"]})
    sid = bought.json()["sid"]
    flow = f"https://my.exotel.in/{api.sid}/exoml/start_voice/12348"
    response = api.put(beta(api, f"/IncomingPhoneNumbers/{sid}"), data={"FriendlyName": "Sales", "VoiceUrl": flow})
    assert response.status_code == 200
    body = response.json()
    conforms(body, "exophones/update.json")
    assert body["friendly_name"] == "Sales" and body["voice_url"] == flow


def test_list_all_exophones(api):
    response = api.get(beta(api, "/IncomingPhoneNumbers"))
    assert response.status_code == 200
    body = response.json()
    conforms(body, "exophones/list.json")
    assert body["page"] == 0 and body["page_size"] == 50
    assert body["uri"] == f"{api.base}/v2_beta/Accounts/{api.sid}/IncomingPhoneNumbers?Page=0&PageSize=50"


def test_get_details_of_an_exophone(api):
    sid = api.get(beta(api, "/IncomingPhoneNumbers")).json()["incoming_phone_numbers"][0]["sid"]
    response = api.get(beta(api, f"/IncomingPhoneNumbers/{sid}"))
    assert response.status_code == 200
    conforms(response.json(), "exophones/get.json")


def test_delete_an_exophone(api):
    sid = api.get(beta(api, "/IncomingPhoneNumbers")).json()["incoming_phone_numbers"][0]["sid"]
    response = api.delete(beta(api, f"/IncomingPhoneNumbers/{sid}"))
    assert response.status_code == 202 and response.json() == example("exophones/delete.json")
    conforms(response.json(), "exophones/delete.json")  # and in the documented order


def v2_details(api):
    voice_only = first_landline(api, IncomingSMS="false")
    sid = api.post(beta(api, "/IncomingPhoneNumbers"), data={"PhoneNumber": voice_only["phone_number"]}).json()["sid"]
    return api.get(f"{api.base}/v2/accounts/{api.sid}/incoming-phone-numbers/{sid}")


def test_v2_details_with_connectivity(api):
    response = v2_details(api)
    assert response.status_code == 200
    body = response.json()
    documented = example("exophones/v2_details.json")
    # every documented key and type; their order is the next test's
    conforms(in_documented_order(body, documented), "exophones/v2_details.json")
    assert body["response"][0]["data"]["capabilities"] == {"voice": True}


# The page lists friendly_name before account_sid, where v2_beta has account_sid first.
def test_v2_details_in_the_documented_order(api):
    conforms(v2_details(api).json(), "exophones/v2_details.json")


def test_v2_not_found_error_data(api):
    response = api.get(f"{api.base}/v2/accounts/{api.sid}/incoming-phone-numbers/{'0' * 32}")
    assert response.status_code == 404
    body = response.json()
    assert body["http_code"] == 404
    assert body["response"][0]["error_data"] == example("exophones_v2_error_data.json")
    same_shape(body["response"][0]["error_data"], example("exophones_v2_error_data.json"))  # in the documented order


def test_no_request_of_any_kind_gets_html_or_a_5xx(api):
    probes = [("GET", "/"), ("GET", "/v2_beta/"), ("POST", f"/v2_beta/Accounts/{api.sid}/IncomingPhoneNumbers"),
              ("PATCH", f"/v2/accounts/{api.sid}/incoming-phone-numbers/x"), ("GET", "/favicon.ico"),
              ("TRACE", "/v1/tenants/x/greenvn"), ("GET", "/v2/integrations/nothing")]
    for method, path in probes:
        response = api.request(method, api.base + path, data="%%%{", headers={"Content-Type": "application/json"},
                               allow_redirects=False)  # "/" leads browsers to the dashboard, itself JSON
        assert response.status_code < 500 and response.headers["Content-Type"] == "application/json", (method, path)
        response.json()


# The page gives a response block's keys as code, error_data, status, data (its example and its parameter list,
# which also says data "can be null also in case of failures like 404"): a failure block keeps that order.
def test_v2_failure_block_in_the_documented_order(api):
    response = api.get(f"{api.base}/v2/accounts/{api.sid}/incoming-phone-numbers/{'0' * 32}")
    [block] = response.json()["response"]
    assert list(block) == list(example("exophones/v2_details.json")["response"][0])
