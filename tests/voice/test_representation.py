"""One renderer, two encodings; form bodies with bracket-indexed arrays; numbers in three formats in and
0-prefixed out; the family's envelope for every error, faults and rate limits included."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import basic
from tests.voice.conftest import EXOPHONE, SID, V1, documented


def leaves(element: ET.Element) -> dict:
    return {child.tag: child.text or None for child in element if len(child) == 0}


def test_a_path_without_json_answers_xml_with_the_same_data(api):
    call = api.call()
    xml = api.get(f"Calls/{call['Sid']}")
    assert xml.status_code == 200 and xml.headers["Content-Type"] == "application/xml"
    text = xml.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<TwilioResponse><Call>')
    element = ET.fromstring(text.split("\n", 1)[1]).find("Call")
    as_json = api.details(call["Sid"])
    expected = {k: (None if v is None else str(v)) for k, v in as_json.items()}
    expected["Uri"] = expected["Uri"][: -len(".json")]  # the XML resource names its XML form
    assert leaves(element) == expected
    assert [child.tag for child in element] == list(as_json)  # same elements, same order


def test_json_answers_are_json(api):
    response = api.post("Calls/connect.json", data={"From": "09876543210", "To": "09123456789", "CallerId": EXOPHONE})
    assert response.headers["Content-Type"] == "application/json"
    assert list(response.get_json()) == ["Call"]


@pytest.mark.parametrize("path, envelope", [("Calls/nope", "xml"), ("Calls/nope.json", "json")])
def test_errors_follow_the_same_rule(api, path, envelope):
    response = api.get(path)
    assert response.status_code == 404
    message = next(r["value"] for r in documented("voice_http_status_codes.json") if r["code"] == "404")
    if envelope == "json":
        assert response.get_json() == {"RestException": {"Status": 404, "Message": message}}
    else:
        assert response.headers["Content-Type"] == "application/xml"
        root = ET.fromstring(response.get_data(as_text=True).split("\n", 1)[1])
        template = ET.fromstring(documented("voice/error_template.xml"))
        assert root.tag == template.tag == "TwilioResponse"
        assert [c.tag for c in root.find("RestException")] == [c.tag for c in template.find("RestException")]
        assert leaves(root.find("RestException")) == {"Status": "404", "Message": message}


def test_bracket_indexed_arrays_and_json_bodies(api, client, listener, advance):
    by_index = api.call(StatusCallback=listener.url, **{"StatusCallbackEvents[0]": "terminal",
                                                        "StatusCallbackEvents[1]": "answered"})
    appended = api.post("Calls/connect.json", data={"From": "09876543210", "To": "09123456789", "CallerId": EXOPHONE,
                                                    "StatusCallback": listener.url,
                                                    "StatusCallbackEvents[]": "answered"})
    as_json = api.post("Calls/connect.json", json={"From": "+919876543210", "To": "9123456789", "CallerId": EXOPHONE,
                                                   "StatusCallback": listener.url,
                                                   "StatusCallbackEvents": ["answered"],
                                                   "StatusCallbackContentType": "application/json"})
    assert appended.status_code == as_json.status_code == 200
    advance(60)
    received = listener.wait(6)
    events = sorted((r["path"], r["headers"]["Content-Type"].split(";")[0]) for r in received)
    assert len(received) == 6  # answered + terminal for each of the three calls
    assert {c for _, c in events} == {"multipart/form-data", "application/json"}
    assert by_index["Sid"]


@pytest.mark.parametrize("spelling", ["+919123456789", "09123456789", "9123456789", "919123456789"])
def test_three_number_formats_in_one_out(api, spelling):
    call = api.call(To=spelling, From=spelling, CallerId="+918039591111")
    assert call["To"] == call["From"] == "09123456789" and call["PhoneNumberSid"] == EXOPHONE


def test_unknown_parameters_and_empty_known_ones_are_ignored(api):
    call = api.call(Frobnicate="yes", StatusCallback="", CustomField="", MaxRetries="3")
    assert call["Status"] == "in-progress"


@pytest.mark.parametrize("field, value", [
    ("TimeLimit", "14401"), ("TimeLimit", "ten"), ("TimeOut", "0"), ("Record", "maybe"),
    ("RecordingChannels", "triple"), ("RecordingFormat", "wav"), ("CustomField", "x" * 129),
    ("StatusCallback", "not a url"), ("StatusCallbackEvents[0]", "ringing"),
    ("StatusCallbackContentType", "text/plain"), ("CallType", "sales"), ("From", "12"),
    ("To", "abc"), ("StreamUrl", "http://x.example"), ("StartPlaybackToNew", "Caller"),
    ("Url", "http://example.com/flow"), ("WaitUrl", "ftp://x.example/wait.mp3"),
    ("StartPlaybackValueNew", "not a url"), ("StreamBegin", "Leg3Connect"), ("CallerId", "abc"),
])
def test_a_bad_known_parameter_is_400_with_the_documented_message(api, field, value):
    params = {"From": "09876543210", "To": "09123456789", "CallerId": EXOPHONE, field: value}
    response = api.post("Calls/connect.json", data=params)
    assert response.status_code == 400
    assert response.get_json() == {"RestException": {"Status": 400, "Message": "Invalid Parameters"}}
    assert field.split("[")[0] in response.headers["X-Emulator-Detail"]  # what exactly, for the developer


@pytest.mark.parametrize("missing", ["From", "CallerId", "To"])
def test_a_missing_mandatory_parameter_is_400(api, missing):
    params = {"From": "09876543210", "To": "09123456789", "CallerId": EXOPHONE}
    del params[missing]
    response = api.post("Calls/connect.json", data=params)
    assert response.status_code == 400 and response.get_json()["RestException"]["Message"] == "Invalid Parameters"


@pytest.mark.parametrize("body, content_type", [
    (b"From[=1", "application/x-www-form-urlencoded"),
    (b"From=1&From[0]=2", "application/x-www-form-urlencoded"),
    (b"a[0][1][2][3][4]=1", "application/x-www-form-urlencoded"),
    (b"From=%ff%fe", "application/x-www-form-urlencoded"),
    (b"[1, 2]", "application/json"),
    (b"{not json", "application/json"),
    (b"[" * 5000, "application/json"),
    (b"\xff\xfe{", "application/json"),
    # a part whose name escapes its closing quote: Werkzeug cannot read the name (it was a 500)
    (b'--b\r\nContent-Disposition: form-data; name="O\\"\r\n\r\n{}\r\n--b--\r\n', "multipart/form-data; boundary=b"),
])
def test_unreadable_bodies_are_400_in_the_envelope(api, body, content_type):
    response = api.post("Calls/connect", data=body, content_type=content_type)
    assert response.status_code == 400 and response.headers["Content-Type"] == "application/xml"
    assert "<RestException><Status>400</Status>" in response.get_data(as_text=True)


def test_parameters_in_the_query_string_of_a_post_count(api):
    # a live capture: Sms/send with every parameter in the query string and no body got a 200
    response = api.post("Sms/send", query_string={"From": "EXOTEL", "To": "7039739099", "Body": "OTP 1"})
    assert response.status_code == 200
    assert ET.fromstring(response.get_data(as_text=True).split("\n", 1)[1]).find("SMSMessage/To").text == "07039739099"


def test_credentials(client, api, new_account):
    body = {"From": "09876543210", "To": "09123456789", "CallerId": EXOPHONE}
    assert client.post(api.url("Calls/connect.json"), data=body).status_code == 401
    wrong = client.post(api.url("Calls/connect.json"), data=body, headers=basic("emulator_api_key", "nope"))
    assert wrong.get_json()["RestException"]["Status"] == 401
    _, other = new_account("acme")
    assert client.post(api.url("Calls/connect.json"), data=body, headers=other).status_code == 403
    # the account's sid works as the user name, as old clients send it
    assert client.post(api.url("Calls/connect.json"), data=body,
                       headers=basic(SID, "emulator_api_token")).status_code == 200


def test_another_accounts_call_is_404(api, client, new_account):
    call = api.call()
    _, acme = new_account("acme")
    response = client.get(f"/v1/Accounts/acme/Calls/{call['Sid']}.json", headers=acme)
    assert response.status_code == 404


@pytest.mark.parametrize("path, kind", [("/Calls/connect", "application/xml"),
                                        ("/Calls/connect.json", "application/json")])
def test_a_fault_answers_in_this_familys_envelope_and_encoding(client, api, path, kind):
    client.post("/_emulator/faults", json={"path": "/v1/Accounts/*/Calls/connect*", "status": 503, "times": 1})
    response = client.post(V1 + path, data={"From": "09876543210", "To": "09123456789", "CallerId": EXOPHONE},
                           headers=api.headers)
    assert response.status_code == 503 and response.headers["Content-Type"] == kind
    text = response.get_data(as_text=True)
    assert ("<RestException><Status>503</Status>" in text) if kind == "application/xml" else (
        json.loads(text) == {"RestException": {"Status": 503, "Message": "Service Unavailable"}})


def test_a_fault_with_a_documented_code_is_refused_for_this_family(client):
    response = client.post("/_emulator/faults", json={"path": "/v1/Accounts/*", "code": 4})
    assert response.status_code == 400


def test_unknown_paths_and_methods(api):
    assert api.get("Nowhere.json").status_code == 404
    response = api.client.delete(api.url("Calls/connect.json"), headers=api.headers)
    assert response.status_code == 405 and response.get_json()["RestException"]["Status"] == 405


def test_the_documented_uri_form_resolves(api):
    call = api.call()
    assert api.get(f"Calls.json/{call['Sid']}").get_json()["Call"]["Sid"] == call["Sid"]
    assert api.get(call["Uri"].split(f"{SID}/", 1)[1]).status_code == 200


def test_the_opt_in_rate_limit_answers_in_this_envelope(client, api):
    client.put("/_emulator/accounts/exotel_emulator/rate_limit", json={"per_minute": 1})
    assert api.get("Calls.json").status_code == 200
    limited = api.get("Calls")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"
    assert limited.get_data(as_text=True).endswith(
        "<TwilioResponse><RestException><Status>429</Status><Message>Too Many Requests</Message>"
        "</RestException></TwilioResponse>")


def test_the_journal_records_v1_requests_with_their_account(client, api):
    api.call()
    [entry] = client.get("/_emulator/requests", query_string={"account": SID, "path": "/v1/"}).get_json()["requests"]
    assert entry["method"] == "POST" and entry["status"] == 200
    assert entry["headers"]["Authorization"] == "Basic [redacted]" and "CallerId" in entry["body"]


def test_text_xml_cannot_carry_still_makes_a_well_formed_answer(api):
    assert api.post("Sms/send.json", json={"From": "EXOTEL", "To": "09123456789", "Body": "\ud800"}).status_code == 400
    sent = api.post("Sms/send.json", json={"From": "EXOTEL", "To": "09123456789", "Body": "bell\x07 and \x0b"})
    assert sent.status_code == 200
    xml = api.get(f"SMS/Messages/{sent.get_json()['SMSMessage']['Sid']}")
    assert xml.status_code == 200
    body = ET.fromstring(xml.get_data(as_text=True).split("\n", 1)[1]).find("SMSMessage/Body").text
    assert body == "bell\ufffd and \ufffd"


def test_a_body_over_1_mib_is_413_in_the_envelope(api):
    response = api.post("Sms/send.json", data={"From": "EXOTEL", "To": "09123456789", "Body": "x" * (1 << 20)})
    assert response.status_code == 413 and response.get_json()["RestException"]["Status"] == 413
