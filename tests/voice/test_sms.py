"""Sms/send and Sms/bulksend: validation, sender IDs and DLT templates, the status progression and its
detailed codes on the clock, scripted failures, SMS units, the status callback, details."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl

import pytest

from emulator.voice import sms as texts
from tests.voice.conftest import EXOPHONE, SID, documented

CODES = {row["DetailedStatusCode"]: (row["Status"], row["DetailedStatus"])
         for row in documented("sms_status_codes.json")}


def status(api, sid: str) -> tuple:
    m = api.get(f"SMS/Messages/{sid}.json").get_json()["SMSMessage"]
    return m["Status"], m["DetailedStatusCode"], m["DetailedStatus"]


def documented_status(code: int) -> tuple:
    word, detailed = CODES[code]
    return ("failed_dnd" if word == "failed-dnd" else word), code, detailed  # see docs/fidelity.md


def test_the_answer_is_the_documented_queued_message(api):
    m = api.sms(From="EXOTEL", To="+919876543210", Body="hello world")
    page = ET.fromstring(documented("voice/sms_send.xml").split("\n", 1)[1])
    assert list(m) == [e.tag for e in page.find("SMSMessage")]
    assert (m["Status"], m["DetailedStatusCode"], m["DetailedStatus"]) == documented_status(21010)
    assert (m["From"], m["To"], m["Direction"]) == ("/EXOTEL", "09876543210", "outbound-api")
    assert m["DateSent"] is m["Price"] is m["ApiVersion"] is None and m["SmsUnits"] == 1
    assert m["Uri"] == f"/v1/Accounts/exotel_emulator/SMS/Messages/{m['Sid']}.json"


def test_from_an_exophone_shows_the_accounts_sender_id(api):
    assert api.sms(From="+918039591111")["From"] == f"{EXOPHONE}/EXOTEL"


def test_the_status_moves_on_the_clock_to_delivered(api, advance):
    m = api.sms(Body="x" * 161)
    steps = []
    for _ in range(3):
        advance(1)
        steps.append(status(api, m["Sid"]))
    assert steps == [documented_status(21015), documented_status(21020), documented_status(20005)]
    done = api.get(f"Sms/Messages/{m['Sid']}.json").get_json()["SMSMessage"]  # both spellings work
    assert done["DateSent"] == done["DateUpdated"] and done["SmsUnits"] == 2 and done["Price"] == "0.360000"


@pytest.mark.parametrize("fields, code", [
    ({"sms": "failed", "sms_code": 23050}, 23050),
    ({"sms": "failed"}, 23010),
    ({"sms": "failed_dnd"}, 23005),
])
def test_scripted_failures(api, advance, script, fields, code):
    script("09123456790", **fields)
    m = api.sms(To="09123456790")
    advance(5)
    assert status(api, m["Sid"]) == documented_status(code)
    done = api.get(f"SMS/Messages/{m['Sid']}.json").get_json()["SMSMessage"]
    assert done["DateSent"] is None and done["Price"] is None


def test_dnd_numbers_fail_promotional_sms_only(api, advance, script):
    script("09123456791", dnd=True)
    promo = api.sms(To="09123456791", SmsType="promotional")
    transactional = api.sms(To="09123456791", SmsType="transactional")
    advance(5)
    assert status(api, promo["Sid"]) == documented_status(23005)
    assert status(api, transactional["Sid"]) == documented_status(20005)


def test_every_failure_code_the_package_knows_is_documented():
    for code in texts.FAILURE_CODES:
        assert texts.STATUS_CODES[code] == CODES[code]


def test_dlt_templates(api, advance, client):
    client.put("/_emulator/accounts/exotel_emulator/sms", json={"dlt_templates": {"1107": "Your OTP is {#var#}."}})
    good = api.sms(Body="Your OTP is 4711.", DltTemplateId="1107", DltEntityId="1101")
    bad = api.sms(Body="Your PIN is 4711.", DltTemplateId="1107")
    unknown = api.sms(Body="Your OTP is 4711.", DltTemplateId="9999")
    advance(5)
    assert status(api, good["Sid"]) == documented_status(20005)
    assert status(api, bad["Sid"]) == documented_status(23185)
    assert status(api, unknown["Sid"]) == documented_status(23182)


def test_sender_ids_per_account(api, client):
    client.put("/_emulator/accounts/exotel_emulator/sms", json={"sender_ids": ["ACMEIN"]})
    assert api.sms(From="ACMEIN")["From"] == "/ACMEIN"
    response = api.post("Sms/send.json", data={"From": "EXOTEL", "To": "09123456789", "Body": "x"})
    assert response.status_code == 400 and "From" in response.headers["X-Emulator-Detail"]


@pytest.mark.parametrize("body, encoding, units", [
    ("a" * 160, None, 1), ("a" * 161, None, 2), ("a" * 306, None, 2), ("a" * 307, None, 3),
    ("{" * 80, None, 1), ("{" * 81, None, 2),  # GSM-7 extension characters take two septets
    ("a" * 70, "unicode", 1), ("a" * 71, "unicode", 2), ("नमस्ते" * 11, None, 1), ("नमस्ते" * 12, None, 2),
    ("😀" * 35, None, 1), ("😀" * 36, None, 2),  # a character outside the BMP is two UTF-16 units
])
def test_sms_units_from_length_and_encoding(api, body, encoding, units):
    params = {"Body": body} | ({"EncodingType": encoding} if encoding else {})
    assert api.sms(**params)["SmsUnits"] == units


def test_several_recipients_in_one_envelope(api):
    response = api.post("Sms/send.json", data={"From": "EXOTEL", "To": "09123456781,+919123456782", "Body": "x"})
    messages = response.get_json()["SMSMessage"]
    assert [m["To"] for m in messages] == ["09123456781", "09123456782"]
    as_array = api.post("Sms/send.json", data={"From": "EXOTEL", "To[0]": "09123456781", "To[1]": "9123456782",
                                               "Body": "x"}).get_json()["SMSMessage"]
    assert len(as_array) == 2
    xml = api.post("Sms/send", data={"From": "EXOTEL", "To": "09123456781,09123456782", "Body": "x"})
    assert xml.get_data(as_text=True).count("<SMSMessage>") == 2


def test_more_than_100_recipients_is_400(api):
    to = ",".join(f"0912345{i:04d}" for i in range(101))
    assert api.post("Sms/send.json", data={"From": "EXOTEL", "To": to, "Body": "x"}).status_code == 400


def test_a_bad_recipient_is_the_documented_message(api):
    response = api.post("Sms/send.json", data={"From": "EXOTEL", "To": "09123456781,12ab", "Body": "x"})
    template = next(e["Message"] for e in documented("sms_error_messages.json") if e["Message"].startswith("Invalid R"))
    assert response.status_code == 400
    assert response.get_json()["RestException"]["Message"] == template.replace("xxxx", "12ab")
    assert api.get("Calls.json").status_code == 200


@pytest.mark.parametrize("params", [
    {"To": "09123456789", "Body": "x"}, {"From": "EXOTEL", "Body": "x"}, {"From": "EXOTEL", "To": "09123456789"},
    {"From": "EXOTEL", "To": "09123456789", "Body": "x" * 2001},
    {"From": "EXOTEL", "To": "09123456789", "Body": "x", "EncodingType": "utf8"},
    {"From": "EXOTEL", "To": "09123456789", "Body": "x", "Priority": "urgent"},
    {"From": "EXOTEL", "To": "09123456789", "Body": "x", "SmsType": "otp"},
    {"From": "EXOTEL", "To": "09123456789", "Body": "x", "StatusCallback": "ftp://x"},
    {"From": "EXOTEL", "To": "09123456789", "Body": "x", "DltEntityId": "1" * 65},  # DLT ids: 64 characters at most
    {"From": "EXOTEL", "To": "09123456789", "Body": "x", "DltTemplateId": "1" * 65},
])
def test_bad_parameters_are_400(api, params):
    response = api.post("Sms/send.json", data=params)
    assert response.status_code == 400 and response.get_json()["RestException"]["Message"] == "Invalid Parameters"


def test_the_status_callback_at_the_terminal_state(api, advance, listener, store):
    plain = api.sms(StatusCallback=listener.url)
    tagged = api.sms(StatusCallback=listener.url, CustomField="order-7")
    advance(5)
    received = listener.wait(2)
    spec = documented("sms_status_callback_params.json")
    forms = {}
    for r in received:
        assert r["headers"]["Content-Type"] == spec["content_type"]
        form = dict(parse_qsl(r["json"], keep_blank_values=True))
        forms[form["SmsSid"]] = form
    assert list(forms[plain["Sid"]]) == [p for p in spec["parameters"] if p not in spec["only_if_set"]]
    assert list(forms[tagged["Sid"]]) == spec["parameters"] and forms[tagged["Sid"]]["CustomField"] == "order-7"
    assert forms[plain["Sid"]]["Status"] == "sent" and forms[plain["Sid"]]["DetailedStatusCode"] == "20005"
    assert [e["account"] for e in store.callbacks.entries()] == [SID, SID]


def test_unknown_and_other_accounts_messages_are_404(api, client, new_account):
    m = api.sms()
    assert api.get("SMS/Messages/ffffffffffffffffffffffffffffffff.json").status_code == 404
    _, acme = new_account("acme")
    assert client.get(f"/v1/Accounts/acme/SMS/Messages/{m['Sid']}.json", headers=acme).status_code == 404


# ---- bulksend ------------------------------------------------------------------------------------------


def test_bulksend_with_bracket_indexed_messages(api, advance):
    response = api.post("Sms/bulksend.json", data={
        "From": "EXOTEL",
        "Messages[0][To]": "09123456781", "Messages[0][Body]": "Hi Rahul, your order #1234 has shipped.",
        "Messages[1][To]": "+919123456782", "Messages[1][Body]": "Hi Priya", "Messages[1][From]": EXOPHONE,
    })
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == list(documented("voice/sms_bulksend.json"))
    entries = body["SMSMessages"]
    assert [m["To"] for m in entries] == ["09123456781", "09123456782"]
    assert [m["From"] for m in entries] == ["/EXOTEL", f"{EXOPHONE}/EXOTEL"]
    documented_entry = documented("voice/sms_bulksend.json")["SMSMessages"][0]
    assert set(documented_entry) <= set(entries[0]) and entries[0]["Status"] == documented_entry["Status"]
    advance(5)
    assert status(api, entries[1]["Sid"]) == documented_status(20005)


def test_bulksend_as_the_newer_pages_json(api):
    response = api.post("Sms/bulksend.json", json=documented("voice/sms_bulksend_request.json"))
    assert response.status_code == 200 and len(response.get_json()["SMSMessages"]) == 2


@pytest.mark.parametrize("data", [
    {"From": "EXOTEL"},
    {"From": "EXOTEL", "Messages[0][Body]": "no To"},
    {"From": "EXOTEL", **{f"Messages[{i}][To]": "09123456781" for i in range(101)},
     **{f"Messages[{i}][Body]": "x" for i in range(101)}},
    {"From": "EXOTEL", "Messages": "not a list"},
])
def test_bulksend_bad_requests_are_400(api, data):
    assert api.post("Sms/bulksend.json", data=data).status_code == 400


def test_bulksend_without_any_from_uses_the_default_sender_id(api):
    response = api.post("Sms/bulksend.json", data={"Messages[0][To]": "09123456781", "Messages[0][Body]": "x"})
    assert response.get_json()["SMSMessages"][0]["From"] == "/EXOTEL"


def test_production_limit_of_200_sms_a_minute(api, client, advance):
    client.put("/_emulator/accounts/exotel_emulator/rate_limit", json={"per_minute": 100_000})
    for _ in range(200):
        api.sms()
    assert api.post("Sms/send.json", data={"From": "EXOTEL", "To": "09123456789", "Body": "x"}).status_code == 429
    advance(60)
    assert api.sms()["Status"] == "queued"
