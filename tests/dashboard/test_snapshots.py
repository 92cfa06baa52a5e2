"""The dashboard is a family without state: snapshots taken before it existed still restore."""

from __future__ import annotations


def test_a_snapshot_without_the_dashboards_empty_part_restores(client):
    saved = client.get("/_emulator/state").get_json()
    assert saved["families"]["dashboard"] == {}
    del saved["families"]["dashboard"]
    response = client.put("/_emulator/state", json=saved)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["families"]["dashboard"] == {}


def test_a_family_with_state_is_still_required(client):
    saved = client.get("/_emulator/state").get_json()
    del saved["families"]["exobridge"]
    response = client.put("/_emulator/state", json=saved)
    assert response.status_code == 400 and response.get_json()["error"] == "bad snapshot: families: missing exobridge"
