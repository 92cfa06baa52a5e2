"""ExoBridge's part of the control API: a tenant's pool, flows and callbacks, and simulated calls."""

from __future__ import annotations

from flask import Blueprint, request

from emulator.control.errors import ControlError
from emulator.core import request as req
from emulator.exobridge import schemas
from emulator.exobridge.models import ExoBridge

bp = Blueprint("exobridge_control", __name__, url_prefix="/_emulator/accounts/<sid>/exobridge")


@bp.before_request
def known_tenant():
    if request.view_args["sid"] not in req.store().accounts:
        raise ControlError(404, f"account {request.view_args['sid']} not found")


def model() -> ExoBridge:
    return req.store().model("exobridge")


@bp.get("")
def get_config(sid):
    return model().config(sid)


@bp.put("")
def configure(sid):
    return model().configure(sid, req.body(schemas.TenantConfig, ControlError))


@bp.post("/calls")
def simulate_call(sid):
    call = req.body(schemas.SimulatedCall, ControlError)
    return model().call(sid, call["greenvn"], call["from_"], call["pin"], call["dial_call_status"], call["duration"])
