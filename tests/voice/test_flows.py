"""Call flows: definitions, incoming calls through an ExoPhone's VoiceUrl, the applets on the emulator clock,
the requests to users' URLs (their parameters, branching, timeouts) and the flow's calls in call details."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.conftest import race
from tests.voice.conftest import CALLER, FLOW_EXOPHONE, SID, documented, flow_url, form_of, queries

PAGE = documented("voice_passthru_params.json")
COMPLETED = documented("voice_passthru_completed_frappe.json")
NO_ANSWER = documented("voice_passthru_no_answer_frappe.json")
CLIENT_HANGUP = documented("voice_passthru_client_hangup_frappe.json")
LIMITS = documented("readme_flow_limits.json")  # docs/call-flows.md's own choices where the pages are silent
# "1970-01-01 05:30:00 // Unix time ...": the constant the pages give for EndTime
END_TIME = PAGE["parameters"]["EndTime"].split(" // ")[0]
# "This parameter comes with a double quote (") before and after the number"
QUOTE = re.search(r"comes with a double quote \((.)\) before and after", PAGE["parameters"]["digits"]).group(1)
CLASSIC = "%Y-%m-%d %H:%M:%S"  # "Time in format YYYY-MM-DD HH:mm:ss", and the recorded StartTime
CREATED = "%a, %d %b %Y %H:%M:%S"  # the recorded Created: "Wed, 23 Feb 2022 12:31:59"
AGENT, OTHER_AGENT = "09123456701", "09123456702"


def at(text: str, fmt: str = CLASSIC) -> datetime:
    return datetime.strptime(text, fmt)


def greeting(seconds: int = 5) -> dict:
    return {"type": "greeting", "seconds": seconds}


def test_the_recorded_formats_read_as_the_tests_read_them():
    """The formats the tests check against are the recorded requests' own."""
    assert at(COMPLETED["Created"], CREATED) and at(COMPLETED["StartTime"]) and at(COMPLETED["CurrentTime"])
    assert COMPLETED["EndTime"] == END_TIME and QUOTE == '"'


# ---- definitions -----------------------------------------------------------------------------------------


def test_a_flow_is_defined_shown_listed_and_deleted(client, define):
    shown = define("4242", greeting(), {"type": "gather"},
                   {"type": "passthru", "url": "http://127.0.0.1:9/p", "on_302": 3},
                   {"type": "connect", "numbers": ["09123456701", "+919123456702"]}, {"type": "hangup"})
    assert shown["app_id"] == "4242" and shown["url"] == flow_url("4242")
    assert shown["applets"][1] == {"type": "gather", "digits": 1}  # the defaults are shown
    assert shown["applets"][2]["mode"] == "sync"
    assert shown["applets"][3]["numbers"] == ["+919123456701", "+919123456702"]
    base = f"/_emulator/accounts/{SID}/flows"
    assert client.get(f"{base}/4242").get_json() == shown
    assert "4242" in [f["app_id"] for f in client.get(base).get_json()["flows"]]
    define("4242", {"type": "hangup"})  # replaced
    assert client.get(f"{base}/4242").get_json()["applets"] == [{"type": "hangup"}]
    assert client.delete(f"{base}/4242").status_code == 200
    assert client.get(f"{base}/4242").status_code == 404
    assert client.delete(f"{base}/4242").status_code == 404


PASSTHRU = {"type": "passthru", "url": "http://127.0.0.1:9/p"}


@pytest.mark.parametrize("applets, named", [
    ([greeting(), {"type": "playback"}], "applet 1 (playback)"),
    ([dict(PASSTHRU, on_302=9), {"type": "hangup"}], "applet 0 (passthru): on_302 9"),
    ([{"type": "hangup"}, dict(PASSTHRU, on_200=-1)], "applet 1 (passthru): on_200"),
    ([{"type": "passthru", "url": "not a url"}], "applet 0 (passthru): url"),
    ([{"type": "passthru", "url": "ftp://example.com/x"}], "applet 0 (passthru): url"),
    ([{"type": "passthru"}], "applet 0 (passthru): url"),
    ([dict(PASSTHRU, mode="async", on_302=0)], "applet 0 (passthru): on_302"),
    ([dict(PASSTHRU, mode="sometimes")], "applet 0 (passthru): mode"),
    ([{"type": "connect", "url": "no"}], "applet 0 (connect): url"),
    ([{"type": "connect"}], "applet 0 (connect)"),
    ([{"type": "connect", "numbers": ["09123456701"], "url": "http://127.0.0.1:9/w"}], "applet 0 (connect)"),
    ([{"type": "connect", "numbers": ["12ab"]}], "applet 0 (connect): numbers"),
    ([{"type": "connect", "numbers": ["09123456701"], "on_no_answer": 1}], "applet 0 (connect): on_no_answer 1"),
    ([{"type": "gather", "digits": 0}], "applet 0 (gather): digits"),
    ([{"type": "greeting", "text": "Hello"}], "applet 0 (greeting): text"),
    ([{"type": "greeting", "seconds": "5"}], "applet 0 (greeting): seconds"),
    (["greeting"], "applet 0"),
    ([{"kind": "greeting"}], "applet 0"),
    ([], "applets"),
])
def test_a_bad_definition_is_400_naming_the_applet(client, applets, named):
    response = client.put(f"/_emulator/accounts/{SID}/flows/4242", json={"applets": applets})
    body = response.get_json()
    assert response.status_code == 400 and body["status"] == 400 and named in body["error"], body


@pytest.mark.parametrize("path, body, status", [
    ("/flows/4242", {"applets": "greeting"}, 400),
    ("/flows/4242", {"applets": [greeting()], "colour": "red"}, 400),
    ("/flows/4242", {"applets": [greeting()], "url_timeout": 0}, 400),
    ("/flows/42%2042", {"applets": [greeting()]}, 400),
    ("/flows/4242", None, 400),
])
def test_bad_flow_requests(client, path, body, status):
    response = client.put(f"/_emulator/accounts/{SID}{path}", json=body) if body is not None else client.put(
        f"/_emulator/accounts/{SID}{path}", data="{not json", content_type="application/json")
    assert response.status_code == status and "error" in response.get_json()
    assert client.put("/_emulator/accounts/nobody/flows/4242", json={"applets": [greeting()]}).status_code == 404


# ---- incoming calls and the ExoPhone's VoiceUrl ----------------------------------------------------------


@pytest.mark.parametrize("url", [flow_url("4242"), "http://my.exotel.in/exoml/start/4242",
                                 "https://my.exotel.com/another_sid/exoml/start_voice/4242"])
def test_the_voice_url_set_through_the_exophones_api_names_the_flow(api, define, voice_url, incoming, advance,
                                                                    state, url):
    define("4242", greeting(20), {"type": "hangup"})
    assert voice_url(url)["voice_url"] == url
    call_sid = incoming()
    ringing = api.details(call_sid, details="true")
    assert (ringing["Status"], ringing["Direction"], ringing["From"], ringing["To"]) == (
        "in-progress", "inbound", CALLER, FLOW_EXOPHONE)
    assert ringing["PhoneNumberSid"] == FLOW_EXOPHONE and ringing["EndTime"] is None
    advance(20)
    done = api.details(call_sid, details="true")
    assert (done["Status"], done["Duration"], done["Price"]) == ("completed", "20", "1.500")
    assert done["Details"] == {"ConversationDuration": 20, "Leg1Status": "completed", "Leg2Status": None,
                               "Legs": [{"Leg": {"Id": 1, "OnCallDuration": 20}}]}
    assert state(call_sid)["flow"]["ended_by"] == "hangup"


@pytest.mark.parametrize("url", [None, flow_url("9999"), "http://example.com/my/ivr"])
def test_an_exophone_whose_voice_url_names_no_flow_fails_the_call(api, client, voice_url, incoming, state, url):
    if url is not None:
        voice_url(url)
    response = client.post(f"/_emulator/accounts/{SID}/calls/incoming", json={"from": CALLER, "to": FLOW_EXOPHONE})
    assert response.status_code == 201 and response.get_json()["status"] == "failed"
    call_sid = response.get_json()["call_sid"]
    details = api.get(f"Calls/{call_sid}.json", query_string={"details": "true"})
    call = details.get_json()["Call"]
    assert (call["Status"], call["Direction"], call["Price"], call["Duration"]) == ("failed", "inbound", "0.000", "0")
    assert call["Details"]["Leg1Status"] == "failed"
    assert details.headers["X-Emulator-Detail"].endswith(LIMITS["endings"]["no_flow"])
    assert state(call_sid)["flow"]["ended_by"] == "no_flow"


@pytest.mark.parametrize("body, status", [
    ({"from": CALLER, "to": "09000000001"}, 400),  # not an ExoPhone of the account
    ({"from": CALLER}, 400),
    ({"from": "12ab", "to": FLOW_EXOPHONE}, 400),
    ({"from": CALLER, "to": FLOW_EXOPHONE, "digits": "1a"}, 400),
    ({"from": CALLER, "to": FLOW_EXOPHONE, "hangup_after": -1}, 400),
    ({"from": CALLER, "to": FLOW_EXOPHONE, "pin": "1"}, 400),
])
def test_bad_incoming_calls(client, body, status):
    response = client.post(f"/_emulator/accounts/{SID}/calls/incoming", json=body)
    assert response.status_code == status and "error" in response.get_json()
    assert client.post("/_emulator/accounts/nobody/calls/incoming", json={"from": CALLER, "to": FLOW_EXOPHONE}
                       ).status_code == 404
    assert client.get(f"/_emulator/accounts/{SID}/calls/{'0' * 32}").status_code == 404


def test_incoming_calls_are_in_bulk_call_details(api, flow_call, advance):
    outgoing = api.call()
    sids = {flow_call([{"type": "hangup"}]), flow_call([greeting(1)], app_id="77")}
    advance(60)
    listed = api.get("Calls.json", query_string={"Direction": "inbound"}).get_json()
    assert {c["Sid"] for c in listed["Calls"]} == sids and listed["Metadata"]["Total"] == 2
    assert all(c["Direction"] == "inbound" and c["Status"] == "completed" for c in listed["Calls"])
    both = api.get("Calls.json", query_string={"To": FLOW_EXOPHONE}).get_json()["Calls"]
    assert {c["Sid"] for c in both} == sids
    assert outgoing["Sid"] in {c["Sid"] for c in api.get("Calls.json").get_json()["Calls"]}


def test_concurrent_incoming_calls_get_distinct_sids(flow_call, define, client, api):
    flow_call([{"type": "hangup"}])
    sids = race(8, lambda i: client.post(f"/_emulator/accounts/{SID}/calls/incoming", json={
        "from": f"0912345670{i}", "to": FLOW_EXOPHONE}).get_json()["call_sid"])
    assert len(set(sids)) == 8
    assert set(sids) <= {c["Sid"] for c in api.get("Calls.json", query_string={"PageSize": 100}).get_json()["Calls"]}


# ---- what a Passthru URL is told -------------------------------------------------------------------------


def test_every_passthru_parameter_in_its_documented_format(api, flow_call, advance, settle, listener):
    call_sid = flow_call([greeting(), {"type": "gather"}, {"type": "passthru", "url": listener.url + "/p"}],
                         app_id="228040", digits="1")
    advance(10)  # the greeting (5 s), the gather (5 s): the passthru is asked
    settle()
    [query] = queries(listener, "/p")
    created = at(api.details(call_sid)["DateCreated"])
    documented_names = set(PAGE["parameters"]) | set(PAGE["also_sent_per_spec"])
    assert set(query) <= documented_names
    # in the order the recorded requests have them (digits, which they lack, last)
    recorded = [k for k in COMPLETED if k in query]
    assert [k for k in query if k != "digits"] == recorded and list(query)[-1] == "digits"
    assert query["CallSid"] == call_sid
    assert query["CallFrom"] == query["From"] == CALLER  # "the number from which the call is received"
    assert query["CallTo"] == query["To"] == FLOW_EXOPHONE  # "the number where the call landed"
    assert re.fullmatch(r"0\d{10}", COMPLETED["CallFrom"]) and re.fullmatch(r"0\d{10}", COMPLETED["To"])
    assert query["Direction"] == PAGE["directions"][0] == COMPLETED["Direction"]
    assert query["Created"] == created.strftime(CREATED)  # (strptime would not check the day's name)
    assert at(query["StartTime"]) == created
    assert query["EndTime"] == END_TIME  # "this would be a constant value"
    assert at(query["CurrentTime"]) == created + timedelta(seconds=10)
    assert query["CallType"] == PAGE["call_types"]["IVR only, no connect applet"]
    assert query["DialCallDuration"] == "0"  # "can be set to zero ... if there's no second leg"
    assert query["digits"] == f"{QUOTE}1{QUOTE}"
    assert (query["flow_id"], query["tenant_id"]) == ("228040", SID)
    for later in ("DialCallStatus", "DialWhomNumber", "RecordingUrl", "CustomField"):
        assert later not in query  # no connect has dialled, nothing recorded, no CustomField
    [logged] = [c for c in api.client.get("/_emulator/callbacks").get_json()["callbacks"] if c["event"] == "passthru"]
    assert (logged["method"], logged["payload"], logged["state"]) == ("GET", query, "delivered")
    assert logged["url"] == listener.url + "/p"


def connect_then_ask(listener, **connect) -> list[dict]:
    return [{"type": "connect", "numbers": [AGENT], **connect},
            {"type": "passthru", "url": listener.url + "/after", "mode": "async"}]


def test_after_a_conversation_the_passthru_reports_it_as_recorded(api, flow_call, script, advance, settle,
                                                                  listener):
    # the recorded request: DialCallDuration 17 with a leg OnCallDuration of 10 (7 s of ringing)
    talk = int(COMPLETED["Legs"][0]["OnCallDuration"])
    script(AGENT, ring_seconds=int(COMPLETED["DialCallDuration"]) - talk, talk_seconds=talk)
    call_sid = flow_call([greeting(3)] + connect_then_ask(listener, record=True))
    advance(60)
    settle()
    [query] = queries(listener, "/after")
    assert (query["DialCallStatus"], query["CallType"]) == (COMPLETED["DialCallStatus"], COMPLETED["CallType"])
    assert query["DialCallDuration"] == COMPLETED["DialCallDuration"]
    assert query["DialWhomNumber"] == AGENT and query["EndTime"] == END_TIME
    details = api.details(call_sid, details="true")
    assert query["RecordingUrl"] == details["RecordingUrl"] and details["RecordingUrl"].endswith(".mp3")
    assert details["Duration"] == str(3 + 17)
    assert [k for k in query] == [k for k in COMPLETED if k in query]
    assert details["Details"]["Legs"][1] == {"Leg": {"Id": 2, "OnCallDuration": talk}}
    assert (details["Details"]["Leg2Status"], details["Details"]["ConversationDuration"]) == ("completed", talk)


def test_when_no_agent_picks_up(api, flow_call, script, advance, settle, listener):
    script(AGENT, call="no-answer")
    call_sid = flow_call(connect_then_ask(listener))
    advance(60)
    settle()
    [query] = queries(listener, "/after")
    assert (query["DialCallStatus"], query["CallType"]) == (NO_ANSWER["DialCallStatus"], NO_ANSWER["CallType"])
    assert query["DialCallDuration"] == NO_ANSWER["DialCallDuration"] == "0" and "RecordingUrl" not in query
    assert query["CallType"] == PAGE["call_types"]["Connect applet, no agent picked up"]
    details = api.details(call_sid, details="true")
    assert details["Details"]["Leg2Status"] == "no-answer" and details["Details"]["ConversationDuration"] == 0


def test_a_busy_agent_reaches_the_passthru_as_dial_call_status_busy(api, flow_call, script, advance, settle,
                                                                     listener):
    status = "busy"
    script(AGENT, call=status, ring_seconds=3)
    call_sid = flow_call(connect_then_ask(listener))
    advance(60)
    settle()
    [query] = queries(listener, "/after")
    assert (query["DialCallStatus"], query["DialWhomNumber"], query["DialCallDuration"]) == (status, AGENT, "0")
    assert query["CallType"] == PAGE["call_types"]["Connect applet, no agent picked up"]
    assert "RecordingUrl" not in query
    assert api.details(call_sid, details="true")["Details"]["Leg2Status"] == status


def test_a_caller_hanging_up_during_the_connect_still_reaches_the_passthru_after_it(api, flow_call, script, advance,
                                                                                   settle, listener, state):
    script(AGENT, ring_seconds=20)
    call_sid = flow_call(connect_then_ask(listener) + [greeting(), {"type": "passthru", "url": listener.url + "/x"}],
                         hangup_after=8)
    advance(60)
    settle()
    [query] = queries(listener, "/after")  # only passthru applets run once the caller is gone
    assert (query["DialCallStatus"], query["CallType"]) == (CLIENT_HANGUP["DialCallStatus"],
                                                            CLIENT_HANGUP["CallType"])
    assert query["CallType"] == PAGE["call_types"]["Client hung up during connect applet"]
    assert query["DialCallDuration"] == CLIENT_HANGUP["DialCallDuration"] == "0"
    assert query["DialWhomNumber"] == AGENT and queries(listener, "/x") == []
    details = api.details(call_sid, details="true")
    assert (details["Status"], details["Duration"], details["Details"]["Leg2Status"]) == ("completed", "8", "canceled")
    assert state(call_sid)["flow"]["ended_by"] == "caller"


def test_a_flow_call_placed_by_calls_connect(api, define, script, advance, settle, listener):
    """The From number answers, then the flow runs: Direction outbound-dial, CustomField passed, the From
    number's scripted digits gathered, StatusCallbacks as for any call."""
    script(CALLER, digits="42")
    define("926", {"type": "gather", "digits": 2}, {"type": "passthru", "url": listener.url + "/p"},
           {"type": "hangup"})
    call = api.call(Url=flow_url("926"), CustomField="order_12345", StatusCallback=listener.url + "/cb",
                    StatusCallbackEvents="terminal,answered")
    advance(5 + 5)  # From rings 5 s and answers; the gather takes 5 s
    settle()
    [query] = queries(listener, "/p")
    assert (query["Direction"], query["CustomField"], query["digits"]) == (
        PAGE["directions"][1], "order_12345", f"{QUOTE}42{QUOTE}")
    assert query["CallFrom"] == query["From"] == CALLER and query["CallTo"] == "08039591111"
    assert list(query)[-2:] == ["digits", "CustomField"]
    done = api.details(call["Sid"])
    assert (done["Status"], done["Direction"], done["To"]) == ("completed", "outbound-api", None)
    events = {form_of(r)["EventType"]: form_of(r) for r in listener.received if r["method"] == "POST"}
    assert set(events) == {"answered", "terminal"} and events["terminal"]["Status"] == "completed"
    assert events["terminal"]["CustomField"] == "order_12345"


@pytest.mark.parametrize("status", ["busy", "no-answer"])
def test_a_calls_connect_flow_whose_from_does_not_answer_never_runs(api, define, script, advance, listener, store,
                                                                   status):
    """The flow runs once From answers: a From that is busy or does not answer reaches no applet."""
    script(CALLER, call=status)
    define("926", {"type": "passthru", "url": listener.url + "/p"}, {"type": "hangup"})
    call = api.call(From=CALLER, Url=flow_url("926"), StatusCallback=listener.url + "/cb",
                    StatusCallbackEvents="terminal")
    advance(120)  # past the 30 s TimeOut a From that does not answer is given
    assert store.callbacks.wait_idle()  # every delivery the call made has reached the listener
    assert [c["event"] for c in store.callbacks.entries()] == ["terminal"] and queries(listener) == []
    [ended] = listener.received
    assert form_of(ended)["Status"] == api.details(call["Sid"])["Status"] == status


# ---- branching -------------------------------------------------------------------------------------------


def branching(listener) -> list[dict]:
    return [{"type": "passthru", "url": listener.url + "/decide", "on_200": 1, "on_302": 2},
            {"type": "connect", "numbers": [AGENT], "on_completed": 3, "on_no_answer": 3},
            {"type": "connect", "numbers": [OTHER_AGENT]},
            {"type": "hangup"}]


@pytest.mark.parametrize("status, reached", [(200, AGENT), (302, OTHER_AGENT), (500, OTHER_AGENT),
                                             (404, OTHER_AGENT), (204, OTHER_AGENT)])
def test_a_sync_passthru_branches_on_200_and_302(api, flow_call, advance, settle, listener, state, status, reached):
    """200 takes on_200; 302, and whatever else the URL answers, on_302 (docs/call-flows.md's failure branch)."""
    listener.answer = lambda request: (status, "")
    call_sid = flow_call(branching(listener))
    settle()
    advance(60)
    assert state(call_sid)["flow"]["dial_whom_number"] == "+91" + reached[1:]
    assert api.details(call_sid, details="true")["Details"]["Leg2Status"] == "completed"


def test_a_dead_passthru_url_takes_the_failure_branch(flow_call, advance, settle, listener, state):
    branches = branching(listener)
    branches[0]["url"] = "http://127.0.0.1:9/dead"  # port 9: nothing listens
    call_sid = flow_call(branches)
    settle()
    advance(60)
    assert state(call_sid)["flow"]["dial_whom_number"] == "+91" + OTHER_AGENT[1:]


def test_a_passthru_that_times_out_takes_the_failure_branch(client, define, voice_url, incoming, advance, settle,
                                                            hanging, listener, state):
    branches = branching(listener)
    branches[0]["url"] = hanging.url + "/slow"
    define("4242", *branches, url_timeout=0.2)
    voice_url(flow_url("4242"))
    call_sid = incoming()
    assert hanging.wait_arrived(1)
    advance(600)  # the caller waits for the answer, however far the clock moves
    assert state(call_sid)["flow"]["waiting"] == "passthru" and state(call_sid)["status"] == "in-progress"
    settle()  # the 0.2 s timeout passes
    advance(60)
    assert state(call_sid)["flow"]["dial_whom_number"] == "+91" + OTHER_AGENT[1:]
    [logged] = [c for c in client.get("/_emulator/callbacks").get_json()["callbacks"] if c["event"] == "passthru"]
    assert logged["state"] == "failed" and "Timeout" in logged["error"] and logged["account"] == SID


def test_the_passthru_timeout_comes_from_the_app_config_without_the_flows(auth, hanging):
    from emulator import create_app
    from tests.conftest import TEST_CONFIG
    from tests.voice.conftest import Api

    app = create_app(dict(TEST_CONFIG, FLOW_URL_TIMEOUT=0.2))
    store = app.extensions["exotel_emulator"]
    client = app.test_client()
    try:
        client.put(f"/_emulator/accounts/{SID}/flows/1234", json={"applets": [
            {"type": "passthru", "url": hanging.url, "on_302": 2}, {"type": "hangup"}, greeting(7)]})
        call_sid = client.post(f"/_emulator/accounts/{SID}/calls/incoming", json={
            "from": CALLER, "to": "01139585476"}).get_json()["call_sid"]  # the shipped ExoPhone of flow 1234
        assert store.callbacks.wait_idle(10)
        client.post("/_emulator/clock/advance", json={"seconds": 60})
        assert Api(client, SID, auth).details(call_sid)["Duration"] == "7"  # the 302 branch: the greeting
    finally:
        hanging.release()
        store.scheduler.stop()
        store.callbacks.shutdown()


def test_an_async_passthru_does_not_wait(api, flow_call, advance, hanging, store):
    call_sid = flow_call([{"type": "passthru", "url": hanging.url, "mode": "async"}, greeting(3),
                          {"type": "hangup"}])
    assert hanging.wait_arrived(1)  # asked, and held unanswered...
    advance(3)
    assert api.details(call_sid)["Status"] == "completed"  # ...while the flow went on
    hanging.release()
    assert store.callbacks.wait_idle(10)


# ---- gather and connect ------------------------------------------------------------------------------------


def test_gathers_take_the_callers_keys_in_turn(client, flow_call, advance, settle, listener):
    ask = {"type": "passthru", "url": listener.url + "/p", "mode": "async"}
    flow_call([{"type": "gather"}, ask, {"type": "gather", "digits": 3}, ask, {"type": "gather"}, ask],
              digits="12#")
    advance(30)
    settle()
    asked = [c["payload"] for c in client.get("/_emulator/callbacks").get_json()["callbacks"]]  # in the flow's order
    assert [q["digits"] for q in asked] == ['"1"', '"2#"', '""']  # the last gather: nothing left to key
    assert sorted(q["digits"] for q in queries(listener)) == sorted(q["digits"] for q in asked)


def test_a_connect_dials_its_numbers_in_turn_with_their_scripts(api, flow_call, script, advance, state):
    script("09000000011", call="busy", ring_seconds=2)
    script("09000000012", call="no-answer")
    script(AGENT, ring_seconds=4, talk_seconds=12, answered_by="Machine")
    call_sid = flow_call([{"type": "connect", "numbers": ["09000000011", "09000000012", AGENT]}])
    advance(300)
    done = api.details(call_sid, details="true")
    legs = done["Details"]
    assert [leg["Leg"]["Id"] for leg in legs["Legs"]] == [1, 2, 3, 4]
    assert (legs["Leg2Status"], legs["ConversationDuration"], done["AnsweredBy"]) == ("completed", 12, "Machine")
    assert done["Duration"] == str(2 + 30 + 4 + 12)  # busy after 2 s, no answer at the 30 s TimeOut, then talk
    flow = state(call_sid)["flow"]
    assert (flow["dial_call_status"], flow["call_type"], flow["ended_by"]) == ("completed", "completed", "end")


@pytest.mark.parametrize("body, reached", [
    ("09123456702", OTHER_AGENT),
    ("09000000001, 09123456702\n", OTHER_AGENT),  # the first is busy
    ('{"fetch_after_attempt": false, "destination": {"numbers": ["+919123456702"]}, "record": true}', OTHER_AGENT),
    ("nobody here", None),
    ('{"destination": {}}', None),
])
def test_a_connect_asks_a_url_whom_to_dial(api, flow_call, advance, settle, listener, state, body, reached):
    listener.answer = lambda request: (200, body) if request["path"].startswith("/whom") else (200, "")
    call_sid = flow_call([{"type": "connect", "url": listener.url + "/whom", "on_no_answer": 2},
                          {"type": "hangup"}, {"type": "passthru", "url": listener.url + "/missed"}])
    settle()
    advance(120)
    settle()
    [asked] = queries(listener, "/whom")
    assert asked["CallSid"] == call_sid and asked["CallType"] == "call-attempt"
    flow = state(call_sid)["flow"]
    if reached is None:
        assert flow["dial_call_status"] == "failed" and len(queries(listener, "/missed")) == 1
    else:
        assert flow["dial_whom_number"] == "+91" + reached[1:] and queries(listener, "/missed") == []
    events = [c["event"] for c in api.client.get("/_emulator/callbacks").get_json()["callbacks"]]
    assert events[0] == "dial_whom"


# ---- limits and endings ------------------------------------------------------------------------------------


def test_a_flow_that_loops_is_cut_off(api, flow_call, script, advance, state):
    script("09000000011", call="busy", ring_seconds=0)
    call_sid = flow_call([{"type": "connect", "numbers": ["09000000011"], "on_no_answer": 0}])
    advance(1)
    response = api.get(f"Calls/{call_sid}.json", query_string={"details": "true"})
    call = response.get_json()["Call"]
    assert call["Status"] == "completed" and len(call["Details"]["Legs"]) == 1 + LIMITS["max_steps"] // 2
    ending = LIMITS["endings"]["step_limit"].replace("{max_steps}", str(LIMITS["max_steps"]))
    assert response.headers["X-Emulator-Detail"] == f"flow 4242: {ending}"
    flow = state(call_sid)["flow"]
    assert (flow["steps"], flow["ended_by"], flow["ending"]) == (LIMITS["max_steps"], "step_limit",
                                                                 f"flow 4242: {ending}")


def test_time_limit_ends_a_flow_call(api, define, advance, state):
    define("926", greeting(600), {"type": "hangup"})
    call = api.call(Url=flow_url("926"), TimeLimit="20")
    advance(5 + 600)
    done = api.details(call["Sid"])
    assert (done["Status"], done["Duration"]) == ("completed", str(5 + 20))
    assert state(call["Sid"])["flow"]["ended_by"] == "time_limit"


def test_a_caller_hanging_up_ends_the_flow(api, flow_call, advance, settle, listener, state):
    call_sid = flow_call([greeting(10), {"type": "passthru", "url": listener.url + "/p"}], hangup_after=4)
    advance(60)
    settle()
    assert queries(listener) == [] and api.details(call_sid)["Duration"] == "4"
    assert state(call_sid)["flow"]["ended_by"] == "caller"


def test_the_greeting_and_gather_durations(api, flow_call, advance):
    call_sid = flow_call([{"type": "greeting"}, {"type": "gather"}])
    advance(60)
    assert api.details(call_sid)["Duration"] == str(LIMITS["greeting_seconds"] + LIMITS["gather_seconds"])


def test_deleting_a_flow_ends_the_calls_running_it(api, client, flow_call, advance, state):
    call_sid = flow_call([greeting(10), greeting(10)])
    client.delete(f"/_emulator/accounts/{SID}/flows/4242")
    advance(60)
    assert api.details(call_sid)["Duration"] == "10" and state(call_sid)["flow"]["ended_by"] == "removed"


def test_a_flow_unknown_to_the_emulator_keeps_the_caller_for_its_talk_time(api, advance, state):
    """A Calls/connect flow the emulator has no definition of (built in the vendor's dashboard)."""
    call = api.call(Url=flow_url("31337"))
    advance(60)
    assert api.details(call["Sid"])["Duration"] == str(5 + 30) and state(call["Sid"])["flow"] is None


def test_a_call_waiting_on_urls_keeps_one_hangup_job_however_often_it_waits(api, flow_call, advance, settle,
                                                                             listener, store):
    ask = {"type": "passthru", "url": listener.url + "/p"}
    call_sid = flow_call([ask] * 10 + [greeting(600)])
    settle()
    assert len(queries(listener)) == 10
    assert store.scheduler.pending() == 2  # the greeting's end, and the caller's hangup (at TimeLimit)
    advance(600)
    assert api.details(call_sid)["Status"] == "completed" and store.scheduler.pending() == 0


@pytest.mark.parametrize("change", ["delete", "shorten"])
def test_a_flow_changed_during_a_connect_ends_the_call_when_the_connect_is_over(api, client, define, flow_call,
                                                                                 script, advance, state, change):
    script(AGENT, ring_seconds=5, talk_seconds=10)
    call_sid = flow_call([{"type": "connect", "numbers": [AGENT], "record": True}, greeting(60)])
    advance(7)  # talking
    if change == "delete":
        client.delete(f"/_emulator/accounts/{SID}/flows/4242")
    else:
        define("4242", {"type": "hangup"})
    advance(60)
    assert api.details(call_sid)["Duration"] == "15"
    assert state(call_sid)["flow"]["ended_by"] == {"delete": "removed", "shorten": "end"}[change]


def test_an_account_keeps_a_bounded_number_of_flows(auth):
    from emulator import create_app
    from tests.conftest import TEST_CONFIG

    app = create_app(dict(TEST_CONFIG, VOICE_MAX_FLOWS=2))  # the shipped flow 1234 is one of them
    client = app.test_client()
    base = f"/_emulator/accounts/{SID}/flows"
    assert client.put(f"{base}/1", json={"applets": [{"type": "hangup"}]}).status_code == 200
    refused = client.put(f"{base}/2", json={"applets": [{"type": "hangup"}]})
    assert refused.status_code == 409 and "at most 2 flows" in refused.get_json()["error"]
    assert client.put(f"{base}/1", json={"applets": [greeting()]}).status_code == 200  # replacing is fine
    assert client.put(f"{base}/4", json={"applets": [{"type": "hangup"}] * 201}).status_code == 400
