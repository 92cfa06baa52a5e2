"""Calls/connect: validation against the account, DND and the whitelist, the call leg by leg on the
emulator clock with scripted numbers, StatusCallback and recordings."""

from __future__ import annotations

import io

import mutagen.mp3
import pytest

from tests.conftest import race
from tests.voice.conftest import EXOPHONE, SID, documented, form_of


def test_the_answer_is_the_documented_call_in_progress(api):
    call = api.call()
    assert list(call) == list(documented("voice/connect.json")["Call"])
    assert (call["Status"], call["Direction"], call["PhoneNumberSid"]) == ("in-progress", "outbound-api", EXOPHONE)
    assert call["Uri"] == f"/v1/Accounts/exotel_emulator/Calls/{call['Sid']}.json"
    assert len(call["Sid"]) == 32 and int(call["Sid"], 16) >= 0
    assert call["EndTime"] is call["Duration"] is call["Price"] is call["RecordingUrl"] is None


def test_an_unscripted_call_rings_answers_talks_and_completes_on_the_clock(api, advance):
    call = api.call()
    legs = api.details(call["Sid"], details="true")["Details"]
    assert (legs["Leg1Status"], legs["Leg2Status"]) == (None, None)  # From is ringing
    advance(5)
    assert api.details(call["Sid"], details="true")["Details"]["Leg1Status"] == "in-progress"
    advance(5)
    middle = api.details(call["Sid"], details="true")
    assert middle["Status"] == "in-progress" and middle["Details"]["Leg2Status"] == "in-progress"
    advance(30)
    done = api.details(call["Sid"], details="true")
    assert (done["Status"], done["Duration"], done["Price"]) == ("completed", "40", "1.500")
    assert done["EndTime"] is not None and done["DateUpdated"] == done["EndTime"]
    assert done["Details"] == {"ConversationDuration": 30, "Leg1Status": "completed", "Leg2Status": "completed",
                               "Legs": [{"Leg": {"Id": 1, "OnCallDuration": 35}},
                                        {"Leg": {"Id": 2, "OnCallDuration": 30}}]}


@pytest.mark.parametrize("who, behaviour, status, leg1, leg2", [
    ("To", "busy", "busy", "completed", "busy"),
    ("To", "failed", "failed", "completed", "failed"),
    ("To", "no-answer", "no-answer", "completed", "no-answer"),
    ("From", "busy", "busy", "busy", None),
    ("From", "no-answer", "no-answer", "no-answer", None),
    ("From", "failed", "failed", "failed", None),
])
def test_scripted_outcomes(api, advance, script, who, behaviour, status, leg1, leg2):
    number = "09123456700"
    script(number, call=behaviour)
    call = api.call(**{who: number})
    advance(120)
    done = api.details(call["Sid"], details="true")
    assert (done["Status"], done["Details"]["Leg1Status"], done["Details"]["Leg2Status"]) == (status, leg1, leg2)
    assert done["Details"]["ConversationDuration"] == 0
    assert done["Price"] == ("1.500" if who == "To" else "0.000")


def test_no_answer_comes_after_the_time_out(api, advance, script):
    script("09123456700", ring_seconds=100)  # would answer, but TimeOut is shorter
    call = api.call(To="09123456700", TimeOut="20")
    advance(5 + 19)
    assert api.details(call["Sid"])["Status"] == "in-progress"
    advance(1)
    assert api.details(call["Sid"])["Status"] == "no-answer"


def test_ring_talk_answered_by_and_the_time_limit(api, advance, script):
    script("09123456700", ring_seconds=2, talk_seconds=600, answered_by="Machine")
    call = api.call(To="09123456700", TimeLimit="60")
    advance(3600)
    done = api.details(call["Sid"], details="true")
    assert done["AnsweredBy"] == "Machine" and done["Details"]["ConversationDuration"] == 60
    assert done["Duration"] == str(5 + 2 + 60) and done["Price"] == "3.000"


def test_the_from_party_hanging_up_cancels_the_to_leg(api, advance, script):
    script("09876543210", talk_seconds=3)
    script("09123456700", ring_seconds=20)
    call = api.call(To="09123456700")
    advance(60)
    done = api.details(call["Sid"], details="true")
    assert done["Details"]["Leg2Status"] == "canceled" and done["Status"] == "no-answer"


def test_a_flow_call_has_no_to_and_runs_after_the_from_leg_answers(api, advance):
    call = api.call(Url="http://my.exotel.com/exotel_emulator/exoml/start_voice/926")
    assert call["To"] is None and list(call) == list(documented("voice/connect_flow_outgoing.json")["Call"])
    old = api.call(Url="http://my.exotel.in/exoml/start/12345")  # the form exotel-py and the Ruby gem send
    advance(60)
    for sid in (call["Sid"], old["Sid"]):
        done = api.details(sid, details="true")
        assert done["Status"] == "completed" and done["Details"]["Leg2Status"] is None
        assert done["Details"]["Legs"] == [{"Leg": {"Id": 1, "OnCallDuration": 30}}]


def test_caller_id_must_be_an_exophone_of_the_account(api, client):
    response = api.post("Calls/connect.json", data={"From": "09876543210", "To": "09123456789",
                                                    "CallerId": "08000000000"})
    assert response.status_code == 400 and "CallerId" in response.headers["X-Emulator-Detail"]
    # the families meet through the models: an ExoPhone bought through the ExoPhones API works at once
    bought = client.post("/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers",
                         data={"PhoneNumber": "+913330240240"}, headers=api.headers)
    assert bought.status_code == 200
    assert api.call(CallerId="03330240240")["PhoneNumberSid"] == "03330240240"
    client.delete(f"/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers/{bought.get_json()['sid']}",
                  headers=api.headers)
    assert api.post("Calls/connect.json", data={"From": "09876543210", "To": "09123456789",
                                                "CallerId": "03330240240"}).status_code == 400


def test_a_dnd_number_is_refused_until_whitelisted(api, script):
    script("09123456701", dnd=True)
    refused = api.post("Calls/connect", data={"From": "09876543210", "To": "9123456701", "CallerId": EXOPHONE})
    assert refused.status_code == 403
    template = documented("voice/error_ndnc.xml").replace("[01234]", "[09123456701]")
    assert refused.get_data(as_text=True).split("\n", 1)[1] == "".join(
        line.strip() for line in template.splitlines())
    whitelisted = api.post("CustomerWhitelist.json", data={"VirtualNumber": EXOPHONE, "Number": "09123456701"})
    assert whitelisted.get_json()["Result"]["Succeeded"] == 1
    assert api.call(To="09123456701")["Status"] == "in-progress"


def test_the_shipped_world_has_scripted_numbers(api, advance):
    busy = api.call(To="09000000001")
    refused = api.post("Calls/connect.json", data={"From": "09876543210", "To": "09000000004", "CallerId": EXOPHONE})
    assert refused.status_code == 403
    advance(60)
    assert api.details(busy["Sid"])["Status"] == "busy"


# ---- StatusCallback --------------------------------------------------------------------------------


def test_the_default_status_callback_is_the_four_fields_at_the_end(api, advance, listener):
    call = api.call(StatusCallback=listener.url + "/cb")
    advance(60)
    [received] = listener.wait(1)
    assert received["headers"]["Content-Type"].startswith("multipart/form-data")  # the documented default
    form = form_of(received)
    assert list(form) == list(documented("voice/status_callback.json"))
    assert form["CallSid"] == call["Sid"] and form["Status"] == "completed" and form["RecordingUrl"] == ""


def test_terminal_and_answered_events_with_their_fields(api, advance, listener, client):
    call = api.call(StatusCallback=listener.url, CustomField="order_12345", Record="true",
                    **{"StatusCallbackEvents[0]": "terminal", "StatusCallbackEvents[1]": "answered"})
    advance(60)
    answered, terminal = sorted((form_of(r) for r in listener.wait(2)), key=lambda f: f["EventType"])
    documented_keys = list(documented("voice/status_callback_events.json"))
    assert list(terminal) == documented_keys
    assert list(answered) == [k for k in documented_keys if k != "CustomField"]  # CustomField: terminal only
    assert (terminal["Status"], terminal["CustomField"], terminal["ConversationDuration"]) == (
        "completed", "order_12345", "30")
    assert terminal["Legs"] == [{"OnCallDuration": "35", "Status": "completed"},
                                {"OnCallDuration": "30", "Status": "completed"}]
    assert terminal["RecordingUrl"] == api.details(call["Sid"])["RecordingUrl"] != ""
    assert answered["Status"] == "in-progress" and answered["EndTime"] == ""
    logged = client.get("/_emulator/callbacks").get_json()["callbacks"]
    assert {e["event"] for e in logged} == {"terminal", "answered"} and {e["account"] for e in logged} == {SID}


@pytest.mark.parametrize("behaviour", ["busy", "no-answer", "failed"])
def test_no_recording_url_on_unanswered_calls(api, advance, listener, script, behaviour):
    script("09123456700", call=behaviour)
    api.call(To="09123456700", StatusCallback=listener.url, Record="true", StatusCallbackEvents="terminal")
    advance(120)
    form = form_of(listener.wait(1)[0])
    assert "RecordingUrl" not in form and form["Status"] == behaviour and "CustomField" in form


def test_json_status_callbacks(api, advance, listener):
    api.call(StatusCallback=listener.url, StatusCallbackContentType="application/json",
             StatusCallbackEvents="terminal")
    advance(60)
    [received] = listener.wait(1)
    assert received["headers"]["Content-Type"] == "application/json"
    payload = received["json"]
    assert payload["ConversationDuration"] == 30 and payload["Legs"][1] == {"OnCallDuration": 30,
                                                                            "Status": "completed"}


def test_a_dead_callback_url_never_holds_a_request(api, advance, client):
    api.call(StatusCallback="http://127.0.0.1:9/dead")
    advance(60)  # answers at once: the delivery happens on the dispatcher's threads
    assert client.get("/_emulator/callbacks").get_json()["callbacks"][0]["event"] == "terminal"


# ---- recordings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("channels, fmt, expected_channels, bitrate", [
    (None, None, 1, 128_000), ("dual", None, 2, 128_000), ("single", "mp3-hq", 1, 256_000)])
def test_a_recorded_call_serves_real_audio_behind_basic_auth(api, advance, client, channels, fmt,
                                                           expected_channels, bitrate):
    extra = {k: v for k, v in (("RecordingChannels", channels), ("RecordingFormat", fmt)) if v}
    call = api.call(Record="true", **extra)
    advance(60)
    url = api.details(call["Sid"])["RecordingUrl"]
    assert url.startswith("http://localhost/v1/Accounts/exotel_emulator/") and url.endswith(".mp3")
    path = url[len("http://localhost"):]
    assert client.get(path).status_code == 401
    audio = client.get(path, headers=api.headers)
    assert audio.status_code == 200 and audio.headers["Content-Type"] == "audio/mpeg"
    info = mutagen.mp3.MP3(io.BytesIO(audio.data)).info
    assert info.channels == expected_channels and info.bitrate == bitrate and 0.9 < info.length < 1.1


def test_no_recording_without_record_or_before_the_end(api, advance):
    plain = api.call()
    recorded = api.call(Record="true")
    assert api.details(recorded["Sid"])["RecordingUrl"] is None
    advance(60)
    assert api.details(plain["Sid"])["RecordingUrl"] is None
    assert api.get(f"Recordings/{plain['Sid']}.mp3").status_code == 404


# ---- limits and concurrency ----------------------------------------------------------------------------


def test_production_limit_of_200_calls_a_minute_behind_the_opt_in_rate_limit(api, client, advance):
    client.put("/_emulator/accounts/exotel_emulator/rate_limit", json={"per_minute": 100_000})
    for _ in range(200):
        api.call()
    refused = api.post("Calls/connect", data={"From": "09876543210", "To": "09123456789", "CallerId": EXOPHONE})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "<Message>Too Many Requests</Message>" in refused.get_data(as_text=True)
    assert api.sms()["Status"] == "queued"  # SMS have their own 200
    advance(60)
    assert api.call()["Status"] == "in-progress"


def test_without_the_rate_limit_there_is_no_production_limit(api):
    for _ in range(210):
        api.call()


def test_concurrent_calls_get_distinct_sids_and_all_are_listed(api):
    sids = race(8, lambda i: api.call(To=f"0912345670{i}")["Sid"])
    assert len(set(sids)) == 8
    listed = api.get("Calls.json", query_string={"PageSize": 100}).get_json()["Calls"]
    assert set(sids) <= {c["Sid"] for c in listed}
