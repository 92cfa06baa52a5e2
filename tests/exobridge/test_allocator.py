"""The allocator: preferences and strictness, pin codes to regions, and VNs shared under the per-VN rules."""

from __future__ import annotations

import pytest

from contract_tests.documented import EXOBRIDGE_REGIONS as REGIONS
from emulator.exobridge import schemas
from emulator.exobridge.models import region_of_pin_code
from tests.exobridge.conftest import BASE, envelope, number

KA_LANDLINE, KA_MOBILE, AP_LANDLINE = "+918012345678", "+917205827365", "+914048212136"


@pytest.mark.parametrize("pin_code,region", [
    ("110001", "DL"), ("122001", "DL"), ("400001", "MU"), ("411001", "MH"), ("440001", "MH"), ("700001", "WB"),
    ("751001", "WB"), ("500001", "AP"), ("530001", "AP"), ("600001", "TN"), ("641001", "TN"), ("380001", "GJ"),
    ("560041", "KA"), ("682001", "KL"), ("302001", "RJ"), ("462001", "MP"), ("492001", "MP"), ("226001", "DL"),
    ("800001", "WB"), ("999001", "DL"), ("550001", "AP"), ("660001", "TN"),
])
def test_pin_codes_map_to_the_nearest_documented_region(pin_code, region):
    assert region_of_pin_code(pin_code) == region


def test_the_regions_are_the_documented_ones():
    assert tuple(schemas.REGIONS) == REGIONS


def test_every_first_digit_maps_to_a_documented_region():
    assert {region_of_pin_code(f"{d}00000") for d in range(1, 10)} <= set(REGIONS)


def test_the_shipped_pool_covers_every_region_in_both_types(client):
    config = client.get("/_emulator/accounts/exotel_emulator/exobridge").get_json()
    pairs = {(config["vn_regions"][n], config["vn_types"][n]) for n in config["vn_pool"]}
    assert pairs == {(r, t) for r in REGIONS for t in ("landline", "mobile")}
    assert "44XX8X" in config["flows"] and config["default_deallocation"] == "1d"


@pytest.mark.parametrize("preferences,expected", [
    ({"region": "AP"}, {AP_LANDLINE, "+919849012345"}),
    ({"region": "KA", "type": "mobile"}, {KA_MOBILE}),
    ({"region": "KA", "number_type": "landline"}, {KA_LANDLINE}),
    ({"pin_code": "560041", "type": "MOBILE"}, {KA_MOBILE}),
    ({"pin_code": 500032}, {AP_LANDLINE, "+919849012345"}),
    ({"greenvn": AP_LANDLINE}, {AP_LANDLINE}),
    ({"greenvn": KA_MOBILE, "region": "KA", "type": "mobile"}, {KA_MOBILE}),
])
@pytest.mark.parametrize("strictness", ["true", "false"])
def test_preferences_that_can_hold_are_met_strict_or_not(allocated, preferences, expected, strictness):
    assert allocated(preferences=preferences, strictness=strictness)["greenvn"] in expected


def test_strictness_defaults_to_false_and_returns_the_best_match(allocated, allocate):
    # no KA number is a landline in Delhi: the best match meets two of three preferences
    best = allocated(preferences={"region": "DL", "type": "mobile", "greenvn": KA_MOBILE})
    assert best["greenvn"] in ("+919810012345", KA_MOBILE)
    envelope(allocate(preferences={"region": "DL", "type": "mobile", "greenvn": KA_MOBILE}, strictness=True), 4)


# "If strictness is true, the allocation only performed if all specified conditions are met": a pin code is one
# of them, so a pin code of one region (560041, the page's own example, is Bengaluru: KA) and a region naming
# another can never both hold.
DISAGREEING = {"pin_code": "560041", "region": "DL"}


@pytest.mark.parametrize("strictness", ["true", True])
def test_strict_a_pin_code_and_a_region_that_disagree_is_452(client, auth, allocate, allocated, strictness):
    envelope(allocate(preferences=DISAGREEING, strictness=strictness), 4)
    envelope(allocate(preferences=dict(DISAGREEING, type="mobile"), strictness=strictness), 4)
    gid = allocated()["greenvn_id"]
    envelope(client.put(f"{BASE}/{gid}/vn", json={"strictness": strictness, "preferences": DISAGREEING},
                        headers=auth), 4)


def test_strict_a_pin_code_and_a_region_that_agree_hold(allocated):
    assert allocated(preferences={"pin_code": "560041", "region": "KA", "type": "mobile"},
                     strictness="true")["greenvn"] == KA_MOBILE


@pytest.mark.parametrize("preferences,expected", [
    (DISAGREEING, {"+911140591234", "+919810012345"}),  # DL, before KA in the pool
    ({"pin_code": "110001", "region": "KA"}, {KA_LANDLINE, KA_MOBILE}),  # KA, after DL in the pool
    ({"pin_code": "110001", "region": "KA", "type": "mobile"}, {KA_MOBILE}),
])
def test_not_strict_the_region_wins_over_a_pin_code_that_disagrees(allocated, preferences, expected):
    assert allocated(preferences=preferences)["greenvn"] in expected


def test_a_region_the_pool_lacks_is_best_effort_unless_strict(allocated, allocate, configure):
    configure(vn_pool=[KA_LANDLINE], vn_regions={KA_LANDLINE: "KA"})
    assert allocated(preferences={"region": "MP"})["greenvn"] == KA_LANDLINE
    envelope(allocate(preferences={"region": "MP"}, strictness="true"), 4)


def test_vns_are_shared_by_allocations_with_distinct_numbers(allocated, configure):
    configure(vn_pool=[KA_LANDLINE])
    vns = {allocated(aparty_pins=[i])["greenvn"] for i in range(1, 21)}
    assert vns == {KA_LANDLINE}


def test_a_number_is_never_twice_on_one_vn(allocated, allocate, configure):
    configure(vn_pool=[KA_LANDLINE, AP_LANDLINE])
    caller = number()
    first = allocated(aparty_numbers=[caller])
    second = allocated(aparty_numbers=[caller])
    assert {first["greenvn"], second["greenvn"]} == {KA_LANDLINE, AP_LANDLINE}
    envelope(allocate(bparty_numbers=[caller]), 4)  # both VNs already route this caller


def test_a_pin_is_never_twice_on_one_vn(allocated, allocate, configure):
    configure(vn_pool=[KA_LANDLINE, AP_LANDLINE])
    vns = {allocated(aparty_pins=[2024])["greenvn"], allocated(bparty_pins=[2024])["greenvn"]}
    assert vns == {KA_LANDLINE, AP_LANDLINE}
    envelope(allocate(aparty_pins=[2024]), 4)


def test_vault_frees_the_numbers_and_pins_of_a_vn(client, auth, allocated, configure):
    configure(vn_pool=[KA_LANDLINE])
    caller = number()
    first = allocated(aparty_numbers=[caller], aparty_pins=[9])
    client.delete(f"{BASE}/{first['greenvn_id']}", headers=auth)
    assert allocated(aparty_numbers=[caller], aparty_pins=[9])["greenvn"] == KA_LANDLINE


def test_least_used_vn_first_when_preferences_tie(allocated, configure):
    configure(vn_pool=[KA_LANDLINE, AP_LANDLINE])
    assert [allocated()["greenvn"] for _ in range(4)] == [KA_LANDLINE, AP_LANDLINE, KA_LANDLINE, AP_LANDLINE]


def test_a_vn_removed_from_the_pool_keeps_its_allocations(client, auth, allocated, configure):
    configure(vn_pool=[KA_LANDLINE])
    kept = allocated()
    configure(vn_pool=[AP_LANDLINE])
    assert allocated()["greenvn"] == AP_LANDLINE
    assert client.get(f"{BASE}/{kept['greenvn_id']}", headers=auth).get_json()["data"]["green_vn"] == KA_LANDLINE


def test_vn_update_respects_the_rules_of_the_new_vn(client, auth, allocated, configure):
    configure(vn_pool=[KA_LANDLINE, AP_LANDLINE])
    caller = number()
    on_ka = allocated(aparty_numbers=[caller], preferences={"greenvn": KA_LANDLINE}, strictness=True)
    on_ap = allocated(aparty_numbers=[caller], preferences={"greenvn": AP_LANDLINE}, strictness=True)
    envelope(client.put(f"{BASE}/{on_ka['greenvn_id']}/vn", headers=auth), 4)  # AP already routes the caller
    strict = {"strictness": True, "preferences": {"greenvn": AP_LANDLINE}}
    envelope(client.put(f"{BASE}/{on_ka['greenvn_id']}/vn", headers=auth, json=strict), 19)
    client.delete(f"{BASE}/{on_ap['greenvn_id']}", headers=auth)
    moved = client.put(f"{BASE}/{on_ka['greenvn_id']}/vn", headers=auth, json=strict).get_json()["data"]
    assert moved["green_vn"] == AP_LANDLINE
    # the old VN no longer holds the caller: a new allocation may use it there
    assert allocated(aparty_numbers=[caller], preferences={"greenvn": KA_LANDLINE}, strictness=True)


def test_vn_update_with_strict_preferences_nothing_meets_is_452(client, auth, allocated):
    gid = allocated()["greenvn_id"]
    body = {"strictness": "true", "preferences": {"region": "KA", "type": "mobile", "greenvn": AP_LANDLINE}}
    envelope(client.put(f"{BASE}/{gid}/vn", headers=auth, json=body), 4)
    envelope(client.put(f"{BASE}/{gid}/vn", headers=auth, json={"strictness": "maybe"}), 5)
    envelope(client.put(f"{BASE}/{gid}/vn", headers=auth, json={"preferences": {"region": "XX"}}), 15)


def test_vn_update_with_a_single_vn_pool_has_nowhere_to_go(client, auth, allocated, configure):
    configure(vn_pool=[KA_LANDLINE])
    gid = allocated()["greenvn_id"]
    envelope(client.put(f"{BASE}/{gid}/vn", headers=auth), 4)
