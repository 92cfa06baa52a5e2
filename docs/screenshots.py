"""Takes the screenshots of the QA dashboard (docs/dashboard.md), one PNG per tab, in the browser the tests use.

    python docs/screenshots.py            # writes docs/img/dashboard-<tab>.png

It starts an emulator on a free 127.0.0.1 port, gives it something to show (an account, allocations,
a simulated call and its callbacks, faults, journaled requests), then opens each tab in Debian's
headless Chromium (apt-get install chromium chromium-driver).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests' browser and page helpers

from emulator.testing import CallbackListener, EmulatorServer  # noqa: E402
from tests.dashboard import browser  # noqa: E402

SID = "exotel_emulator"
WIDTH, MAX_HEIGHT = 1400, 1800


def seed(emulator: EmulatorServer, listener: CallbackListener) -> dict:
    """A world with a little of everything, made the way an app under test and a tester would."""
    vendor = requests.Session()
    vendor.trust_env = False
    vendor.auth = emulator.auth
    control = emulator.client
    url = emulator.url
    control.create_account("acme")
    control.configure_exobridge(SID, callbacks={"call_event": f"{listener.url}/call_event",
                                                "deallocation": f"{listener.url}/deallocation",
                                                "verification_success": f"{listener.url}/verified"})
    allocations = [
        {"connection_id": "order-42", "aparty_numbers": ["+919170006528"], "bparty_numbers": ["+918100006620"],
         "aparty_pins": [1234], "bparty_pins": [2345], "usage": "twoway", "flow_id": "44XX8X"},
        {"connection_id": "order-43", "aparty_numbers": ["+919170006529"], "bparty_numbers": ["+918100006621"],
         "usage": "oneway", "preferences": {"region": "KA"}},
        {"connection_id": "order-41", "aparty_numbers": ["+919170006530"], "bparty_numbers": ["+918100006622"],
         "usage": "twoway", "deallocation_policy": {"duration": "600s"}},
    ]
    made = [vendor.post(f"{url}/v1/tenants/{SID}/greenvn", json=a).json()["data"] for a in allocations]
    control.advance_clock(600)  # order-41 expires: to the vault, and its deallocation callback goes out
    control.simulate_exobridge_call(SID, made[0]["greenvn"], "+917000006144", pin="2345")
    phones = control.exophones(SID)
    control.set_connectivity(SID, phones[1]["sid"], incoming_call={"status": "major_outage",
                                                                   "alternate_exophone": ["+918039591112"]})
    vendor.get(f"{url}/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", params={"Page": 0, "PageSize": 10})
    fault = control.add_fault("/v1/tenants/*/greenvn", method="POST", code=4, times=1)
    vendor.post(f"{url}/v1/tenants/{SID}/greenvn", json=allocations[1] | {"connection_id": "order-44"})
    control.add_fault("/v2_beta/Accounts/*/IncomingPhoneNumbers*", method="GET", delay_ms=3000)
    vendor.get(f"{url}/v2/accounts/{SID}/incoming-phone-numbers/{phones[0]['sid']}")
    control.create_integrations_customer("acme-customer", "acme-secret", "Acme Corp", "ops@acme.example")
    v1 = f"{url}/v1/Accounts/{SID}"
    vendor.post(f"{v1}/Calls/connect.json", data={"From": "09876543210", "To": "09812345678",
                                                  "CallerId": "01139585476"})
    control.script_number(SID, "09812345679", call="busy", sms="failed_dnd")
    vendor.post(f"{v1}/Calls/connect.json", data={"From": "09876543210", "To": "09812345679",
                                                  "CallerId": "01139585476"})
    for to in ("09812345678", "09812345679"):
        vendor.post(f"{v1}/Sms/send.json", data={"From": "01139585476", "To": to, "Body": "Your OTP is 4821"})
    control.incoming_call(SID, "09845012345", "01139585476", digits="1")
    control.advance_clock(120)  # the calls and messages run to their end
    control.wait_callbacks(3)
    return {"greenvn": made[0]["greenvn"], "caller": made[0]["aparty_numbers"][0], "fault": fault}


def shoot(page, name: str, out: Path) -> Path:
    """The whole tab (up to MAX_HEIGHT), not just what fits the window."""
    driver = page.driver
    page.until(lambda: "Updated" in driver.find_element("id", "status").text)
    height = min(MAX_HEIGHT, driver.execute_script("return document.documentElement.scrollHeight"))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False})
    try:
        path = out / f"dashboard-{name}.png"
        driver.save_screenshot(str(path))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="folder for the PNGs")
    args = parser.parse_args()
    reason = browser.missing()
    if reason:
        print(f"screenshots: {reason}", file=sys.stderr)
        return 2
    from tests.dashboard.page import Page

    args.out.mkdir(parents=True, exist_ok=True)
    with EmulatorServer() as emulator, CallbackListener() as listener:
        world = seed(emulator, listener)
        chromium = browser.Browser(WIDTH, 1000)
        try:
            page = Page(chromium.driver, emulator.url).open()
            page.until(lambda: page.table("Faults"))
            written = [shoot(page, "emulator", args.out)]

            page.tab("ExoPhones")
            page.until(lambda: page.table("ExoPhones"))
            written.append(shoot(page, "exophones", args.out))

            page.tab("ExoBridge")
            page.until(lambda: page.table("Allocations"))
            page.choose("GreenVN", world["greenvn"], form="Simulate a call")
            page.type("Simulate a call", "Caller", world["caller"])
            page.send("Simulate a call")
            written.append(shoot(page, "exobridge", args.out))

            page.tab("Integrations")
            page.until(lambda: page.table("Apps"))
            written.append(shoot(page, "integrations", args.out))

            page.tab("Voice and SMS")
            page.until(lambda: page.table("Calls"))
            written.append(shoot(page, "voice", args.out))

            page.tab("Callbacks")
            page.until(lambda: page.table("Callback log"))
            written.append(shoot(page, "callbacks", args.out))

            page.tab("Requests")
            rows = page.until(lambda: page.table("Request journal"))
            faulted = next(r for r in rows if r["Fault"] == world["fault"])
            page.press(f"JSON of {faulted['Id']}")
            page.until(lambda: chromium.driver.find_elements("css selector", "tr.detail pre"))
            written.append(shoot(page, "requests", args.out))
        finally:
            chromium.close()
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
