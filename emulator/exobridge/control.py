"""ExoBridge's part of the control API: a tenant's pool, flows and callbacks, its allocations, and
simulated calls."""

from __future__ import annotations

from flask import Blueprint

from emulator.control.views import bounds, listing
from emulator.core import request as req
from emulator.core.request import Schemas
from emulator.exobridge import views
from emulator.exobridge.models import ExoBridge

schemas = Schemas("emulator.exobridge.schemas")

bp = Blueprint("exobridge_control", __name__, url_prefix="/_emulator/accounts/<sid>/exobridge")
bp.before_request(req.known_account)


@bp.get("")
def get_config(sid):
    return views.config(ExoBridge.current().tenant(sid))


@bp.put("")
@req.body(schemas.TenantConfig)
def configure(changes, sid):
    return views.config(ExoBridge.current().configure(sid, changes))


@bp.get("/allocations")
@req.query(schemas.AllocationsQuery)
def list_allocations(q, sid):
    allocations, total = ExoBridge.current().allocations_of(sid, q.get("state"), *bounds(q))
    return listing("allocations", [views.control_allocation(a) for a in allocations], total, q)


@bp.post("/calls")
@req.body(schemas.SimulatedCall)
def simulate_call(call, sid):
    result = ExoBridge.current().call(sid, call["greenvn"], call["from_"], call["pin"], call["dial_call_status"],
                                      call["duration"])
    return views.call_result(result)
