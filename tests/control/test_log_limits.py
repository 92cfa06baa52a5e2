"""``limit`` on the request journal and the callback log: only the newest N, after the filters."""

from __future__ import annotations

import pytest

SID = "exotel_emulator"
LIST = f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"


def test_the_journal_keeps_the_newest_n_after_filtering(client, auth):
    for n in range(4):
        client.get(LIST, headers=auth, query_string={"Page": n})
        client.get(f"/v2_beta/Accounts/{SID}/AvailablePhoneNumbers", headers=auth)
    every = client.get("/_emulator/requests", query_string={"path": LIST}).get_json()["requests"]
    newest = client.get("/_emulator/requests", query_string={"path": LIST, "limit": 2}).get_json()["requests"]
    assert [e["query"]["Page"] for e in every] == ["0", "1", "2", "3"]
    assert newest == every[-2:]
    assert len(client.get("/_emulator/requests", query_string={"limit": 100}).get_json()["requests"]) == 8


def test_the_callback_log_keeps_the_newest_n(client, store, listener):
    for n in range(3):
        store.callbacks.send(f"{listener.url}/{n}", "test", {"n": n})
    listener.wait(3)
    newest = client.get("/_emulator/callbacks", query_string={"limit": 2}).get_json()["callbacks"]
    assert [c["payload"]["n"] for c in newest] == [1, 2]
    assert len(client.get("/_emulator/callbacks").get_json()["callbacks"]) == 3


def test_the_callback_log_filters_by_account_then_keeps_the_newest_n(client, store, listener):
    for n, account in enumerate([SID, "other", SID, None, SID]):
        store.callbacks.send(f"{listener.url}/{n}", "test", {"n": n}, account=account)
    listener.wait(5)
    assert store.callbacks.wait_idle()  # every entry final: the reads below compare the same log
    every = client.get("/_emulator/callbacks").get_json()["callbacks"]
    assert [c["account"] for c in every] == [SID, "other", SID, None, SID]
    mine = client.get("/_emulator/callbacks", query_string={"account": SID}).get_json()["callbacks"]
    assert [c["payload"]["n"] for c in mine] == [0, 2, 4]
    newest = client.get("/_emulator/callbacks", query_string={"account": SID, "limit": 2}).get_json()["callbacks"]
    assert newest == mine[-2:]
    assert client.get("/_emulator/callbacks", query_string={"account": ""}).status_code == 400


@pytest.mark.parametrize("path", ["/_emulator/requests", "/_emulator/callbacks"])
@pytest.mark.parametrize("limit", ["0", "-1", "x", "100001"])
def test_a_bad_limit_is_400(client, path, limit):
    response = client.get(path, query_string={"limit": limit})
    assert response.status_code == 400 and response.get_json()["status"] == 400
