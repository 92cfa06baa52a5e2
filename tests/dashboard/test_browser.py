"""The dashboard in a real headless Chromium, used as a person uses it: open it, switch tabs and accounts,
type into forms, press buttons, and wait for what the page shows; what it shows is checked against the
control API's JSON. One browser and one emulator (reset before each test) serve the whole module.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
import requests

from emulator.testing import CallbackListener, EmulatorServer
from tests.dashboard import browser

pytestmark = pytest.mark.slow

REASON = browser.missing()
SID = "exotel_emulator"


@pytest.fixture(scope="module")
def chromium():
    if REASON is not None:
        if os.environ.get("CI"):  # CI installs the browser: its absence there is a failure, not a skip
            pytest.fail(f"no browser for the dashboard tests: {REASON}")
        pytest.skip(f"no browser for the dashboard tests: {REASON}")
    started = browser.Browser()
    yield started.driver
    started.close()


@pytest.fixture(scope="module")
def emulator():
    with EmulatorServer() as server:
        yield server


@pytest.fixture
def page(chromium, emulator):
    from tests.dashboard.page import Page

    emulator.reset()
    # forget the account an earlier test chose (any other page of this origin would make the browser ask
    # for /favicon.ico, a journaled path)
    chromium.get(f"{emulator.url}/_emulator/ui")
    chromium.execute_script("sessionStorage.clear()")
    return Page(chromium, emulator.url)


@pytest.fixture
def vendor(emulator):
    """The vendor API as the code under test calls it: requests with the default account's credentials."""
    session = requests.Session()
    session.trust_env = False
    session.auth = emulator.auth
    yield lambda method, path, **kw: session.request(method, emulator.url + path, timeout=10, **kw)
    session.close()


def allocate(vendor, sid=SID, auth=None, **fields) -> dict:
    body = {"connection_id": "order-42", "aparty_numbers": ["+919170006528"], "bparty_numbers": ["+918100006620"],
            "usage": "twoway", **fields}
    response = vendor("POST", f"/v1/tenants/{sid}/greenvn", json=body, **({"auth": auth} if auth else {}))
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_the_root_leads_to_the_dashboard_whose_tabs_show_the_api_state(page, emulator, chromium):
    control = emulator.client
    chromium.get(emulator.url + "/")
    page.until(lambda: urlsplit(chromium.current_url).path == "/_emulator/ui" and page.table("Accounts"))
    assert page.current_tab() == "Emulator"
    # each panel is filled by its own request: wait for each, then compare with the API
    page.until_equal(lambda: page.column("Accounts", "Sid"), [a["sid"] for a in control.accounts()])
    page.until(lambda: (page.record("Clock") or {}).get("Ahead of real time (s)"),
               lambda shown: shown is not None and float(shown) == 0)
    assert control.clock()["offset_seconds"] == 0
    page.until_equal(lambda: page.table("Faults"), [])
    assert control.faults() == []

    page.tab("ExoPhones")
    phones = control.exophones(SID)
    assert page.until(lambda: page.column("ExoPhones", "Number")) == [p["phone_number"] for p in phones]
    page.until_equal(lambda: page.column("ExoPhones", "Incoming"),
                     [p["connectivity"]["incoming_call"]["status"] for p in phones])

    page.tab("Integrations")
    assert page.until(lambda: page.column("Customers", "Name")) == [
        c["CustomerName"] for c in control.integrations_customers()]
    page.until_equal(lambda: page.column("Apps", "Id"), [a["AppID"] for a in control.integrations_apps()])

    page.tab("Requests")
    page.until(lambda: page.table("Request journal") is not None)
    # the person's GET / is the one vendor-side request: the page itself never called the vendor API
    assert [(r["method"], r["path"]) for r in control.requests()] == [("GET", "/")]


def test_what_happens_elsewhere_shows_up_without_a_click(page, emulator, vendor):
    page.open("exobridge")
    page.until_equal(lambda: page.table("Allocations"), [])
    made = allocate(vendor)  # the code under test, not the page
    rows = page.until(lambda: page.table("Allocations"))
    [listed] = emulator.client.allocations(SID)
    assert [(r["Id"], r["GreenVN"], r["State"], r["A party"]) for r in rows] == [
        (listed["greenvn_id"], listed["greenvn"], listed["state"], ", ".join(listed["aparty_numbers"]))]
    assert listed["greenvn_id"] == made["greenvn_id"]

    page.tab("Requests")
    [entry] = emulator.client.requests()
    rows = page.until(lambda: page.table("Request journal"))
    assert [(r["Id"], r["Method"], r["Path"], r["Status"]) for r in rows] == [
        (str(entry["id"]), "POST", f"/v1/tenants/{SID}/greenvn", "200")]


def test_advance_the_clock_and_an_allocation_expires(page, emulator, vendor):
    made = allocate(vendor, deallocation_policy={"duration": "600s"})
    page.open()
    page.type("Advance the clock", "Seconds", "600")
    assert page.send("Advance the clock").startswith("200")
    clock = emulator.client.clock()
    assert clock["offset_seconds"] == 600
    page.until_equal(lambda: (page.record("Clock") or {}).get("Ahead of real time (s)"), "600")

    page.tab("ExoBridge")
    [listed] = emulator.client.allocations(SID)
    assert listed["greenvn_id"] == made["greenvn_id"] and listed["state"] == "vault"
    assert page.until(lambda: page.column("Allocations", "State")) == ["vault"]

    page.tab("Emulator")
    page.type("Advance the clock", "Seconds", "-5")
    answer = page.send("Advance the clock")  # refused: the API's own words, not the page's
    assert answer.startswith("400") and "seconds" in answer
    assert emulator.client.clock()["offset_seconds"] == 600


def test_reset_takes_the_world_back_to_the_fixtures(page, emulator):
    emulator.client.create_account("qa_reset")
    emulator.client.add_fault("/v2_beta/*", status=503)
    page.open()
    page.until_equal(lambda: page.column("Accounts", "Sid"), [SID, "qa_reset"])
    page.until_equal(lambda: page.column("Faults", "Path"), ["/v2_beta/*"])  # tables fill one by one
    page.choose("Account", "qa_reset")
    page.send("Reset")
    assert [a["sid"] for a in emulator.client.accounts()] == [SID] and emulator.client.faults() == []
    page.until_equal(lambda: page.column("Accounts", "Sid"), [SID])
    page.until_equal(lambda: page.table("Faults"), [])
    assert page.chosen("Account") == SID  # the account chosen went with the reset: back to the first one


def test_add_a_fault_see_it_fire_and_remove_it(page, emulator, vendor):
    page.open()
    page.type("Add a fault", "Path glob", "/v1/tenants/*/greenvn")
    answer = page.send("Add a fault")  # no effect given: refused with the API's reason
    assert answer.startswith("400") and "a fault needs status, code, body, delay_ms or drop" in answer

    page.choose("Method", "POST", form="Add a fault")
    page.type("Add a fault", "Error code", "4")
    page.type("Add a fault", "Times", "1")
    assert page.send("Add a fault").startswith("201")
    [fault] = emulator.client.faults()
    assert (fault["method"], fault["path"], fault["code"], fault["times"]) == ("POST", "/v1/tenants/*/greenvn", 4, 1)
    [row] = page.until(lambda: page.table("Faults"))
    assert (row["Id"], row["Method"], row["Path"], row["Code"], row["Remaining"]) == (fault["id"], "POST",
                                                                                      fault["path"], "4", "1")

    response = vendor("POST", f"/v1/tenants/{SID}/greenvn", json={})
    assert (response.status_code, response.json()["code"]) == (452, 4)  # the fault the page added answered
    page.until_equal(lambda: [(r["Hits"], r["Remaining"]) for r in page.table("Faults")], [("1", "0")])

    page.press(f"Remove {fault['id']}")
    page.until_equal(lambda: page.table("Faults"), [])
    assert emulator.client.faults() == []


def test_simulate_an_exobridge_call_and_see_its_callback(page, emulator, vendor):
    with CallbackListener() as listener:
        made = allocate(vendor)
        page.open("exobridge")
        page.type("Configure the tenant", "Call event URL", f"{listener.url}/call")
        assert page.send("Configure the tenant").startswith("200")
        config = emulator.client.call("GET", f"/accounts/{SID}/exobridge")
        assert config["callbacks"]["call_event"] == f"{listener.url}/call"
        page.until_equal(lambda: (page.record("Tenant settings") or {}).get("Call event URL"), f"{listener.url}/call")

        page.until(lambda: page.table("Allocations"))
        page.choose("GreenVN", made["greenvn"], form="Simulate a call")
        page.type("Simulate a call", "Caller", made["aparty_numbers"][0])
        assert page.send("Simulate a call").startswith("200")
        result = page.answer_json("Simulate a call")
        assert result["connected"] is True and result["to"] == made["bparty_numbers"][0]
        assert result["greenvn_id"] == made["greenvn_id"]
        [received] = listener.wait(1)
        assert received["path"] == "/call" and received["json"]["call_sid"] == result["call_sid"]

        page.tab("Callbacks")
        [logged] = emulator.client.wait_callbacks(1)
        rows = page.until(lambda: page.table("Callback log"), lambda rows: rows and rows[0]["State"] == "delivered")
        assert [(r["Id"], r["Event"], r["Account"], r["URL"], r["State"], r["Answer"]) for r in rows] == [
            (str(logged["id"]), "call_event", SID, f"{listener.url}/call", "delivered", "200")]


def test_switch_accounts(page, emulator, vendor):
    acme = emulator.client.create_account("acme")
    acme_auth = (acme["api_key"], acme["api_token"])
    beta = "/v2_beta/Accounts/acme"
    number = vendor("GET", f"{beta}/AvailablePhoneNumbers/IN/Mobile", auth=acme_auth).json()[0]["phone_number"]
    assert vendor("POST", f"{beta}/IncomingPhoneNumbers", data={"PhoneNumber": number}, auth=acme_auth).ok
    theirs = allocate(vendor, sid="acme", auth=acme_auth)
    page.open("exophones")
    mine = [p["phone_number"] for p in emulator.client.exophones(SID)]
    page.until_equal(lambda: page.column("ExoPhones", "Number"), mine)

    page.choose("Account", "acme")
    assert [p["phone_number"] for p in emulator.client.exophones("acme")] == [number]
    page.until_equal(lambda: page.column("ExoPhones", "Number"), [number])
    page.tab("ExoBridge")  # the choice holds across tabs
    assert [a["greenvn_id"] for a in emulator.client.allocations("acme")] == [theirs["greenvn_id"]]
    page.until_equal(lambda: page.column("Allocations", "Id"), [theirs["greenvn_id"]])
    assert page.record("Tenant settings")["Active allocations"] == "1"

    page.choose("Account", SID)
    assert emulator.client.allocations(SID) == []
    page.until_equal(lambda: page.table("Allocations"), [])
    page.tab("ExoPhones")
    page.until_equal(lambda: page.column("ExoPhones", "Number"), mine)


def test_set_an_exophones_connectivity(page, emulator):
    page.open("exophones")
    page.until(lambda: page.table("ExoPhones"))
    phone = emulator.client.exophones(SID)[1]
    page.choose("ExoPhone", phone["phone_number"], form="Set connectivity")
    page.choose("Incoming calls", "major_outage", form="Set connectivity")
    page.type("Set connectivity", "Incoming alternates", "+918039591112")
    assert page.send("Set connectivity").startswith("200")
    incoming = emulator.client.exophones(SID)[1]["connectivity"]["incoming_call"]
    assert (incoming["status"], incoming["alternate_exophone"]) == ("major_outage", ["+918039591112"])
    page.until_equal(lambda: page.column("ExoPhones", "Incoming"), ["active", "major_outage", "active"])


def test_a_long_listing_pages(page, emulator, vendor):
    numbers = iter(range(110))
    for n in range(55):
        allocate(vendor, connection_id=f"order-{n}", aparty_numbers=[f"+9191700{next(numbers):05d}"],
                 bparty_numbers=[f"+9181000{next(numbers):05d}"])
    page.open("exobridge")
    first = [a["greenvn_id"] for a in emulator.client.allocations(SID, page_size=50)]
    page.until_equal(lambda: page.column("Allocations", "Id"), first)
    assert page.count("Allocations") == "1–50 of 55"
    page.press("Next page of Allocations")
    rest = [a["greenvn_id"] for a in emulator.client.allocations(SID, page=1, page_size=50)]
    page.until_equal(lambda: page.column("Allocations", "Id"), rest)
    assert len(rest) == 5 and page.count("Allocations") == "51–55 of 55"
    page.press("Previous page of Allocations")
    page.until_equal(lambda: page.column("Allocations", "Id"), first)

def watch_tokens(gate, seen: list) -> None:
    """Records the ``Authorization`` each control request but the page's own files sent (the app behind the
    gate sees every control request)."""
    inner = gate.wsgi_app

    def watched(environ, start_response):
        path = environ["PATH_INFO"]
        shell = path in ("/_emulator/ui", "/_emulator/ui/") or path.startswith("/_emulator/ui/static/")
        if path.startswith("/_emulator/") and not shell:
            seen.append(environ.get("HTTP_AUTHORIZATION"))
        return inner(environ, start_response)

    gate.wsgi_app = watched


def test_a_control_token_is_asked_for_once_and_sent_with_every_request(chromium):
    from tests.dashboard.page import Page

    seen: list = []
    # serve --control-token s3cret; another origin: a browser tab that never saw a token
    with EmulatorServer({"CONTROL_TOKEN": "s3cret"}) as guarded:
        watch_tokens(guarded.app.wsgi_app, seen)
        page = Page(chromium, guarded.url)
        chromium.get(guarded.url + "/_emulator/ui")
        token = chromium.find_element("css selector", 'form[aria-label="Control token"]')
        page.until(token.is_displayed)
        assert page.table("Accounts") in (None, [])  # nothing shown without the token

        page.type("Control token", "Control token", "wrong")
        page.press("Use this token")
        page.until(lambda: token.is_displayed() and "refused" in token.text)
        page.type("Control token", "Control token", "s3cret")
        page.press("Use this token")
        page.until_equal(lambda: page.column("Accounts", "Sid"), [SID])
        assert not token.is_displayed()

        chromium.refresh()  # kept for the tab: not asked again
        page.until_equal(lambda: page.column("Accounts", "Sid"), [SID])
        assert not chromium.find_element("css selector", 'form[aria-label="Control token"]').is_displayed()
        given = seen.index("Bearer s3cret")
        assert set(seen[:given]) <= {None, "Bearer wrong"} and set(seen[given:]) == {"Bearer s3cret"}


def test_voice_an_incoming_call_and_a_scripted_sms_outcome(page, emulator, vendor):
    exophone = "01139585476"  # the shipped ExoPhone, whose VoiceUrl names the shipped flow
    page.open("voice")
    page.type("Simulate an incoming call", "Caller", "09876543210")
    page.type("Simulate an incoming call", "ExoPhone dialled", exophone)
    answer = page.send("Simulate an incoming call")
    assert answer.startswith("201")
    call_sid = page.answer_json("Simulate an incoming call")["call_sid"]
    [listed] = emulator.client.calls(SID)
    assert listed["Sid"] == call_sid and listed["Direction"] == "inbound"  # as call details name it
    page.until_equal(lambda: page.column("Calls", "Sid"), [call_sid])
    page.until_equal(lambda: page.column("Calls", "From"), [listed["From"]])

    page.type("Script a number", "Number", "09812345678")
    page.choose("SMS outcome", "failed", form="Script a number")
    page.type("Script a number", "SMS failure code", "23010")
    assert page.send("Script a number").startswith("200")
    assert emulator.client.number_script(SID, "09812345678")["sms"] == "failed"
    sent = vendor("POST", f"/v1/Accounts/{SID}/Sms/send.json",
                  data={"From": exophone, "To": "09812345678", "Body": "Your OTP is 1234"})
    assert sent.status_code == 200, sent.text
    emulator.advance_clock(10)  # the message runs to its end on the emulator clock
    [message] = emulator.client.messages(SID)
    assert message["Status"] == "failed" and message["DetailedStatusCode"] == 23010
    page.until_equal(lambda: page.column("SMS", "Status"), ["failed"])
    page.until_equal(lambda: page.column("SMS", "Sid"), [message["Sid"]])
