"""The clock stops at the end of year 9999 (the last instant the date formats can write), and no date
formatter raises whatever timestamp it is given."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from emulator.core.clock import classic, rfc3339, rfc3339_ist
from tests.conftest import DEFAULT_ACCOUNT, basic

AUTH = basic(DEFAULT_ACCOUNT["api_key"], DEFAULT_ACCOUNT["api_token"])
LIST = f"/v2_beta/Accounts/{DEFAULT_ACCOUNT['sid']}/IncomingPhoneNumbers"
END_OF_9999_IST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=5, minutes=30)))


def test_advancing_past_year_9999_is_refused_and_nothing_breaks(client, store):
    store.clock.reset(END_OF_9999_IST.timestamp() - 86400 - time.time())  # a day before the end
    refused = client.post("/_emulator/clock/advance", json={"seconds": 2 * 86400})
    assert refused.status_code == 400 and refused.get_json()["status"] == 400
    assert "9999" in refused.get_json()["error"]

    client.get(LIST, headers=AUTH)
    for path in ("/_emulator/health", "/_emulator/clock", "/_emulator/requests", "/_emulator/callbacks"):
        assert client.get(path).status_code == 200, path
    assert client.get("/_emulator/clock").get_json()["now"].startswith("9999-12-30")

    moved = client.post("/_emulator/clock/advance", json={"seconds": 3600})
    assert moved.status_code == 200 and moved.get_json()["now"].startswith("9999-12-30T")


@pytest.mark.parametrize("ts", [1e20, -1e20, float("inf"), float("nan"), END_OF_9999_IST.timestamp() + 1])
def test_date_formats_never_raise(ts):
    for fmt in (rfc3339, rfc3339_ist, classic):
        assert fmt(ts)[:4] in ("9999", "0001")


def test_date_formats_are_unchanged_in_range():
    assert rfc3339(1534940569.7) == "2018-08-22T12:22:49Z"
    assert classic(1478679492) == "2016-11-09 13:48:12"
    assert rfc3339_ist(1679544386) == "2023-03-23T09:36:26+05:30"
