"""The public Python clients of the v1 API, unchanged, against the emulator: exotel (its default
twilix.exotel.in base URL through mock_exotel, and a running server by base URL) and pyexotel."""

from __future__ import annotations

import pyexotel
from exotel import Exotel

from emulator.testing import EmulatorServer, mock_exotel
from tests.voice.conftest import EXOPHONE


def test_exotel_through_mock_exotel_on_its_legacy_host(listener):
    with mock_exotel() as emulator:
        client = Exotel(emulator.sid, emulator.api_token)  # sid:token, https://twilix.exotel.in/ as shipped
        call = client.call_number("09876543210", EXOPHONE, "09123456789", status_callback=listener.url).json()["Call"]
        sms = client.sms(EXOPHONE, "09123456789", "Hello from the emulator").json()["SMSMessage"]
        assert (call["Status"], sms["Status"]) == ("in-progress", "queued")
        emulator.advance_clock(60)
        assert client.call_details(call["Sid"]).json()["Call"]["Status"] == "completed"
        details = client.sms_details(sms["Sid"]).json()["SMSMessage"]
        assert (details["Status"], details["DetailedStatus"]) == ("sent", "DELIVERED_TO_HANDSET")
        flow = client.call_flow("09876543210", EXOPHONE, 12345).json()["Call"]
        assert flow["To"] is None
    assert listener.wait(1)[0]["path"] == "/"


def test_exotel_against_a_running_server_by_base_url():
    with EmulatorServer() as emulator:
        client = Exotel(emulator.sid, emulator.api_token, baseurl=emulator.url + "/")
        call = client.call_number("09876543210", EXOPHONE, "09123456789").json()["Call"]
        emulator.advance_clock(60)
        assert client.call_details(call["Sid"]).json()["Call"]["Duration"] == "40"


def test_pyexotel_call_details_and_number_metadata(capsys):
    with mock_exotel() as emulator:
        dialer = pyexotel.Exotel(emulator.api_key, emulator.api_token, emulator.sid)
        call = dialer.call("09876543210", "09123456789", EXOPHONE)["Call"]  # Record=true by default
        emulator.advance_clock(60)
        info = dialer.get_call_info(call["Sid"])["Call"]
        assert info["Status"] == "completed" and info["RecordingUrl"].startswith("https://api.exotel.com/v1/")
        assert dialer.get_phone_info("09876543210")["Numbers"]["PhoneNumber"] == "09876543210"
        assert dialer.connect_flow("09876543210", EXOPHONE, "926")["Call"]["Status"] == "in-progress"
        emulator.client.script_number(emulator.sid, "09123456700", dnd=True)
        assert dialer.call("09876543210", "09123456700", EXOPHONE) is None  # pyexotel prints errors
    assert "403" in capsys.readouterr().out
