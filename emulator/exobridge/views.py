"""How ExoBridge looks on the wire: each endpoint's and callback's documented fields, order and formats.

The pages disagree with themselves and the emulator reproduces it: create says ``greenvn`` where get,
delete and the updates say ``green_vn``; only the create and call-party bodies carry pins; the call event
example dates like ``2021-01-19T19:17:03+05:30`` while its Call Insights sibling says ``2021-09-24
07:05:28``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.core.clock import classic, rfc3339, rfc3339_ist

if TYPE_CHECKING:
    from emulator.exobridge.models import Allocation, CallRecord, CallResult, Tenant

RECORDINGS = "https://s3-ap-southeast-1.amazonaws.com/exotelrecordings"


def _with_flow(data: dict, a: "Allocation") -> dict:
    # "present in the response only if this parameter is passed in the request"
    if a.flow_id is not None:
        data["flow_id"] = a.flow_id
    return data


def created(a: "Allocation") -> dict:
    """POST .../greenvn: the documented example's fields, in its order."""
    return {"success": True, "status": 200, "code": None, "message": None, "data": _with_flow({
        "bparty_numbers": a.bparty_numbers,
        "connection_id": a.connection_id,
        "greenvn": a.greenvn,
        "state": a.state,
        "greenvn_id": a.greenvn_id,
        "aparty_pins": a.aparty_pins,
        "usage": a.usage,
        "bparty_pins": a.bparty_pins,
        "aparty_numbers": a.aparty_numbers,
    }, a)}


def allocation(a: "Allocation") -> dict:
    """GET, DELETE and PUT .../vn."""
    return {"success": True, "status": 200, "data": _with_flow({
        "connection_id": a.connection_id,
        "aparty_numbers": a.aparty_numbers,
        "bparty_numbers": a.bparty_numbers,
        "usage": a.usage,
        "state": a.state,
        "green_vn": a.greenvn,
        "greenvn_id": a.greenvn_id,
    }, a)}


def call_party(a: "Allocation") -> dict:
    """PUT .../call-party: like GET, with the pins."""
    return {"success": True, "status": 200, "data": _with_flow({
        "connection_id": a.connection_id,
        "aparty_numbers": a.aparty_numbers,
        "bparty_numbers": a.bparty_numbers,
        "aparty_pins": a.aparty_pins,
        "bparty_pins": a.bparty_pins,
        "usage": a.usage,
        "state": a.state,
        "green_vn": a.greenvn,
        "greenvn_id": a.greenvn_id,
    }, a)}


# ---- callbacks -----------------------------------------------------------------------------------------


def deallocation(a: "Allocation") -> dict:
    return {
        "connection_id": a.connection_id,
        "aparty_numbers": list(a.aparty_numbers),
        "bparty_numbers": list(a.bparty_numbers),
        # the documented payload shows [null] for an allocation made without pins
        "aparty_pins": list(a.aparty_pins) or [None],
        "bparty_pins": list(a.bparty_pins) or [None],
        "usage": a.usage,
        "state": a.state,
        "greenvn": a.greenvn,
        "greenvn_id": a.greenvn_id,
    }


def call_event(c: "CallRecord", insights: bool) -> dict:
    """The call event, sent when the call ends; with the ``insights`` block when the tenant has it."""
    a = c.allocation
    date = classic if insights else rfc3339_ist
    body = {
        "start_time": date(c.started),
        "direction": "incoming",
        "source": "exotel",
        "dial_call_duration": str(c.talk),
        "connection_id": a.connection_id,
        "dial_call_status": c.status,
        "greenvn": a.greenvn,
        "recording_url": f"{RECORDINGS}/{a.tenant}/{c.call_sid}.mp3" if c.recorded else "null",
        "on_call_duration": c.on_call,
        "greenvn_id": a.greenvn_id,
        "call_type": c.call_type,
        "call_sid": c.call_sid,
        "to": c.to,
        "current_time": date(c.ended),
        "from": c.caller,
    }
    if insights:
        block = {"DisconnectedBy": c.disconnected_by, "Status": c.status, "DetailedStatus": c.detailed_status,
                 "RingingDuration": f"{c.ringing:.2f}"}
        # its example puts the block second, and on_call_duration before recording_url
        body = {key: body[key] if key != "insights" else block for key in INSIGHTS_ORDER}
    return body


INSIGHTS_ORDER = ("start_time", "insights", "direction", "source", "dial_call_duration", "connection_id",
                  "dial_call_status", "greenvn", "on_call_duration", "recording_url", "greenvn_id", "call_type",
                  "call_sid", "to", "current_time", "from")


def verification_success(a: "Allocation", caller: str, pin: str) -> dict:
    return {"caller": caller, "greenvn_id": a.greenvn_id, "greenvn": a.greenvn, "connection_id": a.connection_id,
            "pin": pin}


def verification_failed(call_sid: str, greenvn: str, caller: str, pin: str | None, now: float) -> dict:
    return {"start_time": rfc3339_ist(now), "caller": caller, "greenvn": greenvn, "call_sid": call_sid,
            "pin": pin if pin is not None else ""}


def call_result(r: "CallResult") -> dict:
    """The control API's answer to a simulated call."""
    a = r.allocation
    return {
        "call_sid": r.call_sid,
        "connected": r.connected,
        "to": r.to,
        "greenvn_id": a.greenvn_id if a is not None else None,
        "connection_id": a.connection_id if a is not None else None,
        "events": r.events,
    }


# ---- the control API -------------------------------------------------------------------------------


def config(t: "Tenant") -> dict:
    """GET/PUT /_emulator/accounts/<sid>/exobridge: the settings in the control API's own field names."""
    return {
        "sid": t.sid,
        "vn_pool": list(t.pool),
        "vn_regions": {v.number: v.region for v in t.pool.values() if v.region is not None},
        "vn_types": {v.number: v.type for v in t.pool.values()},
        "flows": list(t.flows),
        "default_deallocation": t.default_deallocation,
        "insights": t.insights,
        "callbacks": dict(t.callbacks),
        "active_allocations": t.active_allocations,
    }


def control_allocation(a: "Allocation") -> dict:
    """GET /_emulator/accounts/<sid>/exobridge/allocations: everything the emulator knows of one."""
    return {
        "greenvn_id": a.greenvn_id,
        "connection_id": a.connection_id,
        "greenvn": a.greenvn,
        "state": a.state,
        "usage": a.usage,
        "aparty_numbers": a.aparty_numbers,
        "bparty_numbers": a.bparty_numbers,
        "aparty_pins": a.aparty_pins,
        "bparty_pins": a.bparty_pins,
        "flow_id": a.flow_id,
        "created_at": rfc3339(a.created_at),
        "expires_at": rfc3339(a.expires_at),
        "deallocated_at": rfc3339(a.deallocated_at) if a.deallocated_at is not None else None,
    }
