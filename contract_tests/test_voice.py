"""The classic v1 API over real HTTP: each documented Voice and SMS example, key by key and in the
documented order, against the running command. Where the pages abbreviate an object or disagree with
each other, the test says which keys it checks (and docs/fidelity.md says why)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl

import pytest

from contract_tests.conftest import conforms, example, same_shape
from emulator.core.forms import unflatten
from emulator.testing import CallbackListener

EXOPHONE = "08039591111"


def v1(api, path: str) -> str:
    return f"{api.base}/v1/Accounts/{api.sid}/{path}"


def advance(api, seconds: float) -> None:
    assert api.post(f"{api.base}/_emulator/clock/advance", json={"seconds": seconds}).status_code == 200


def connect(api, **params) -> dict:
    body = {"From": "09811130240", "CallerId": EXOPHONE, **params}
    if "Url" not in body:
        body.setdefault("To", "09876538847")
    response = api.post(v1(api, "Calls/connect.json"), data=body)
    assert response.status_code == 200, response.text
    return response.json()["Call"]


def in_order(actual: dict, documented: dict, path: str = "$", nullable: frozenset = frozenset()) -> None:
    """Exactly the documented keys, in the documented order, with the documented JSON types."""
    assert list(actual) == list(documented), f"{path}: {list(actual)} != documented {list(documented)}"
    same_shape(actual, documented, path, nullable)


def subsequence(actual: list, documented: list) -> bool:
    it = iter(actual)
    return all(key in it for key in documented)


def xml_root(text: str) -> ET.Element:
    declaration, document = text.split("\n", 1)
    assert declaration == '<?xml version="1.0" encoding="UTF-8"?>'
    return ET.fromstring(document)


def form(received: dict) -> dict:
    from werkzeug.formparser import parse_form_data
    from werkzeug.test import EnvironBuilder

    raw = received["json"]
    content_type = received["headers"]["Content-Type"]
    if content_type.startswith("application/x-www-form-urlencoded"):
        return unflatten(parse_qsl(raw, keep_blank_values=True))
    environ = EnvironBuilder(method="POST", data=raw.encode(), content_type=content_type).get_environ()
    return unflatten(parse_form_data(environ)[1].items(multi=True))


# ---- calls ---------------------------------------------------------------------------------------------


def test_connect_two_numbers(api):
    call = connect(api)
    conforms({"Call": call}, "voice/connect.json")
    assert call["Status"] == "in-progress" and call["PhoneNumberSid"] == EXOPHONE and call["To"] == "09876538847"


def test_connect_to_a_flow(api):
    """The two flow pages disagree (17 keys and To null; 19 keys and a To): the 19 keys of the one renderer,
    To null as the connect-to-flow page says, and its 17 keys in their order among them."""
    call = connect(api, Url=f"http://my.exotel.com/{api.sid}/exoml/start_voice/926")
    conforms({"Call": call}, "voice/connect_flow_outgoing.json")
    conforms({"Call": call}, "voice/connect_flow.json")
    assert call["To"] is None and subsequence(list(call), list(example("voice/connect_flow.json")["Call"]))


def test_call_details_with_legs(api):
    """The details example omits ForwardedFrom, CallerName and Uri, which the connect answer has: the
    documented keys in their order, those three besides, and Details exactly."""
    call = connect(api, Record="true")
    advance(api, 60)
    response = api.get(v1(api, f"Calls/{call['Sid']}.json"), params={"details": "true"})
    details, documented = response.json()["Call"], example("voice/call_details_legs.json")["Call"]
    assert set(details) - set(documented) == {"ForwardedFrom", "CallerName", "Uri"}
    conforms(response.json(), "voice/call_details_legs.json", optional=frozenset())  # Details asked for
    for leg, doc in zip(details["Details"]["Legs"], documented["Details"]["Legs"]):
        in_order(leg["Leg"], doc["Leg"], "Legs[].Leg")  # each leg, not only the first
    assert (details["Status"], details["Price"], details["Duration"]) == ("completed", "1.500", "40")
    assert details["RecordingUrl"].endswith(".mp3")


def test_bulk_call_details(api):
    """Metadata exactly; the page abbreviates each call to nine of its keys, so those are checked as a set."""
    for _ in range(3):
        connect(api)
    body = api.get(v1(api, "Calls.json"), params={"PageSize": 2}).json()
    conforms(body, "voice/bulk_details.json")
    assert body["Metadata"]["PrevPageUri"] is None and "After=" in body["Metadata"]["NextPageUri"]
    nxt = body["Metadata"]["NextPageUri"]
    assert nxt.startswith(f"/v1/Accounts/{api.sid}/Calls.json?")
    assert len(api.get(api.base + nxt).json()["Calls"]) == 1



def test_status_callbacks(api):
    with CallbackListener() as listener:
        default = connect(api, StatusCallback=listener.url + "/default")
        events = connect(api, StatusCallback=listener.url + "/events", CustomField="order_12345", Record="true",
                         StatusCallbackContentType="application/json",
                         **{"StatusCallbackEvents[0]": "terminal"})
        advance(api, 60)
        received = {r["path"]: r for r in listener.wait(2)}
    plain = form(received["/default"])
    assert list(plain) == list(example("voice/status_callback.json")) and plain["CallSid"] == default["Sid"]
    payload = received["/events"]["json"]
    conforms(payload, "voice/status_callback_events.json")
    for leg, doc in zip(payload["Legs"], example("voice/status_callback_events.json")["Legs"]):
        in_order(leg, doc)
    assert payload["CallSid"] == events["Sid"] and payload["EventType"] == "terminal"


def test_number_metadata(api):
    conforms(api.get(v1(api, "Numbers/09811130240.json")).json(), "voice/numbers_metadata.json")


def test_the_dnd_refusal(api):
    control = f"{api.base}/_emulator/accounts/{api.sid}/numbers/01234567890"
    assert api.put(control, json={"dnd": True}).status_code == 200
    response = api.post(v1(api, "Calls/connect"), data={"From": "09811130240", "To": "01234567890",
                                                        "CallerId": EXOPHONE})
    assert response.status_code == 403 and response.headers["Content-Type"] == "application/xml"
    documented = ET.fromstring(example_text("voice/error_ndnc.xml"))
    root = xml_root(response.text)
    assert [e.tag for e in root.iter()] == [e.tag for e in documented.iter()]
    text = documented.find("RestException/Message").text
    assert root.find("RestException/Message").text == text.replace("[01234]", "[01234567890]")


def example_text(name: str) -> str:
    from contract_tests.conftest import DATA

    return example(name) if "/" in name else (DATA / name).read_text()  # an XML example is its text


def test_the_error_envelope(api):
    template = ET.fromstring(example_text("voice/error_template.xml"))
    response = api.post(v1(api, "Calls/connect"), data={"From": "09811130240"})
    root = xml_root(response.text)
    assert response.status_code == 400 and [e.tag for e in root.iter()] == [e.tag for e in template.iter()]
    assert root.find("RestException/Status").text == "400"


@pytest.mark.parametrize("status", ["401", "404"])
def test_status_messages_are_the_http_status_codes_page(api, server, status):
    import requests

    value = next(r["value"] for r in example("voice_http_status_codes.json") if r["code"] == status)
    url = v1(api, "Calls/ffffffffffffffffffffffffffffffff.json")
    response = requests.get(url) if status == "401" else api.get(url)
    if status == "401":
        assert response.json()["RestException"]["Status"] == 401
    else:
        assert response.json() == {"RestException": {"Status": 404, "Message": value}}


# ---- SMS -----------------------------------------------------------------------------------------------


def test_send_sms_json(api):
    """The live JSON capture (2020) has no SmsUnits; the live XML capture (2023) has it after Status."""
    response = api.post(v1(api, "Sms/send.json"), data={"From": "EXOTEL", "To": "+919876543210", "Body": "hello world"})
    message = response.json()["SMSMessage"]
    conforms(response.json(), "voice/sms_send.json")
    assert (message["From"], message["Status"], message["DetailedStatusCode"]) == ("/EXOTEL", "queued", 21010)


def test_send_sms_xml(api):
    documented = xml_root(example_text("voice/sms_send.xml")).find("SMSMessage")
    response = api.post(v1(api, "Sms/send"), data={"From": "EXOTEL", "To": "7039739099", "Body": "Line one\nTwo"})
    assert response.headers["Content-Type"] == "application/xml"
    message = xml_root(response.text).find("SMSMessage")
    assert [e.tag for e in message] == [e.tag for e in documented]
    assert message.find("Uri").text == f"/v1/Accounts/{api.sid}/SMS/Messages/{message.find('Sid').text}"
    assert "Line one&#xA;Two" in response.text and message.find("Body").text == "Line one\nTwo"
    assert message.find("To").text == "07039739099"


def test_sms_details_after_delivery(api):
    """The captured details (keys alphabetical there): the same keys, SmsUnits besides, the same types."""
    sent = api.post(v1(api, "Sms/send.json"), data={"From": EXOPHONE, "To": "08884733565", "Body": "test message"})
    advance(api, 5)
    sid = sent.json()["SMSMessage"]["Sid"]
    message = api.get(v1(api, f"SMS/Messages/{sid}.json")).json()["SMSMessage"]
    documented = example("voice/sms_details_captured.json")["SMSMessage"]
    assert set(message) - set(documented) == {"SmsUnits"} and set(documented) <= set(message)
    conforms({"SMSMessage": message}, "voice/sms_details_captured.json")
    assert (message["Status"], message["DetailedStatus"], message["Price"]) == ("sent", "DELIVERED_TO_HANDSET",
                                                                                  "0.180000")


def test_sms_status_callback(api):
    spec = example("sms_status_callback_params.json")
    with CallbackListener() as listener:
        api.post(v1(api, "Sms/send.json"), data={"From": "EXOTEL", "To": "09876543210", "Body": "x",
                                                 "StatusCallback": listener.url, "CustomField": "c1"})
        advance(api, 5)
        [received] = listener.wait(1)
    assert received["headers"]["Content-Type"] == spec["content_type"]
    assert [k for k, _ in parse_qsl(received["json"], keep_blank_values=True)] == spec["parameters"]


def test_bulksend(api):
    """The page's example abbreviates each SMSMessage to Sid, Status and To."""
    request = example("voice/sms_bulksend_request.json")
    body = api.post(v1(api, "Sms/bulksend.json"), json=request).json()
    documented = example("voice/sms_bulksend.json")
    conforms(body, "voice/sms_bulksend.json")
    assert len(body["SMSMessages"]) == len(request["sms"])
    for message, doc in zip(body["SMSMessages"], documented["SMSMessages"]):
        same_shape({k: message[k] for k in doc}, doc)  # every entry, not only the first three
        assert message["Status"] == doc["Status"]


def test_documented_sms_error_messages(api):
    messages = {e["Message"] for e in example("sms_error_messages.json")}
    bad = api.post(v1(api, "Sms/send.json"), data={"From": "EXOTEL", "To": "12ab", "Body": "x"})
    assert bad.status_code == 400 and re.sub(r"\[.*\]", "[xxxx]", bad.json()["RestException"]["Message"]) in messages
    missing = api.post(v1(api, "Sms/send.json"), data={"From": "EXOTEL", "To": "09876543210"})
    assert missing.json()["RestException"]["Message"] in messages


def test_whitelist(api):
    keys = re.findall(r"<(\w+)>\(", example_text("voice_whitelist_get_template.txt"))
    assert api.post(v1(api, "CustomerWhitelist/"), data={"VirtualNumber": EXOPHONE, "Number": "09811130240"}).ok
    response = api.get(v1(api, "CustomerWhitelist/09811130240"))
    result = xml_root(response.text).find("Result")
    assert [e.tag for e in result] == keys and result.find("Status").text == "Whitelist"
    assert result.find("Type").text == "API" and int(result.find("Expiry").text) > 0


# ---- call flows: the Passthru GET ----------------------------------------------------------------------


def control(api, path: str) -> str:
    return f"{api.base}/_emulator/accounts/{api.sid}/{path}"


def incoming_through_a_flow(api, applets: list[dict], **extra) -> str:
    """A flow, an ExoPhone whose VoiceUrl (set through the ExoPhones API) names it, and a caller dialling it."""
    flow = api.put(control(api, "flows/228040"), json={"applets": applets})
    assert flow.status_code == 200, flow.text
    numbers = f"{api.base}/v2_beta/Accounts/{api.sid}/IncomingPhoneNumbers"
    [phone] = [p for p in api.get(numbers).json()["incoming_phone_numbers"] if p["phone_number"] == "+918039591111"]
    assert api.put(f"{numbers}/{phone['sid']}", data={"VoiceUrl": flow.json()["url"]}).status_code == 200
    call = api.post(control(api, "calls/incoming"), json={"from": "09999999991", "to": EXOPHONE, **extra})
    assert call.status_code == 201, call.text
    return call.json()["call_sid"]


def test_the_passthru_page_parameters(api):
    page = example("voice_passthru_params.json")
    with CallbackListener() as handler:
        call_sid = incoming_through_a_flow(api, [{"type": "gather"}, {"type": "passthru", "url": handler.url}],
                                           digits="1")
        advance(api, 5)
        [received] = handler.wait(1)
    query = dict(received["query"])
    assert received["method"] == "GET" and set(query) <= set(page["parameters"]) | set(page["also_sent_per_spec"])
    assert query["CallSid"] == call_sid and query["Direction"] in page["directions"]
    assert query["EndTime"] == page["parameters"]["EndTime"].split(" // ")[0]
    assert query["CallType"] == page["call_types"]["IVR only, no connect applet"]
    assert query["digits"] == '"1"'  # "comes with a double quote (") before and after the number"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", query["CurrentTime"])  # "yyyy-mm-dd hh:mm:ss"


def test_the_recorded_passthru_after_a_conversation(api):
    """frappe's recorded request after a Connect whose agent talked: the same parameters (those the spec
    lists), in the same order, with values in the same formats, and its DialCallStatus/CallType pair."""
    recorded = example("voice_passthru_completed_frappe.json")
    ring = int(recorded["DialCallDuration"]) - int(recorded["Legs"][0]["OnCallDuration"])
    assert api.put(control(api, "numbers/09999999999"), json={
        "ring_seconds": ring, "talk_seconds": int(recorded["Legs"][0]["OnCallDuration"])}).status_code == 200
    with CallbackListener() as handler:
        call_sid = incoming_through_a_flow(api, [
            {"type": "connect", "numbers": ["09999999999"], "record": True},
            {"type": "passthru", "url": handler.url + "/after", "mode": "async"}, {"type": "hangup"}])
        advance(api, 60)
        [received] = handler.wait(1)
    query = dict(received["query"])
    spec = set(example("voice_passthru_params.json")["parameters"]) | set(
        example("voice_passthru_params.json")["also_sent_per_spec"])
    assert list(query) == [k for k in recorded if k in spec]
    for key in ("Created", "StartTime", "CurrentTime"):
        shape = re.sub(r"[A-Z][a-z]{2}", "Aaa", re.sub(r"\d", "9", recorded[key]))
        assert re.sub(r"[A-Z][a-z]{2}", "Aaa", re.sub(r"\d", "9", query[key])) == shape, key
    for key in ("CallFrom", "CallTo", "From", "To", "DialWhomNumber"):
        assert re.sub(r"\d", "9", query[key]) == re.sub(r"\d", "9", recorded[key]), key
    for key in ("EndTime", "DialCallDuration", "DialCallStatus", "CallType", "Direction", "DialWhomNumber"):
        assert query[key] == recorded[key], key
    assert query["CallSid"] == call_sid and query["RecordingUrl"].endswith(".mp3")
    assert query["flow_id"] == recorded["flow_id"]
    details = api.get(v1(api, f"Calls/{call_sid}.json")).json()["Call"]
    assert details["Direction"] == "inbound" and details["RecordingUrl"] == query["RecordingUrl"]
