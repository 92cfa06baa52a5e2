"""ExoBridge over HTTP: the five GreenVN endpoints of seed 003 under /v1/tenants/<sid>/greenvn."""

from __future__ import annotations

from flask import Blueprint, request

from emulator.core import request as req
from emulator.core.auth import Credentials, check_basic
from emulator.exobridge import schemas, views
from emulator.exobridge.errors import ExoBridgeError
from emulator.exobridge.models import ExoBridge

bp = Blueprint("exobridge", __name__, url_prefix="/v1/tenants/<sid>/greenvn")


def model() -> ExoBridge:
    return req.store().model("exobridge")


def body(schema: type) -> dict:
    """The JSON body through its schema; JSON that does not parse is a bad parameter (5)."""
    try:
        data = req.json_body(ExoBridgeError)
    except ExoBridgeError:
        raise ExoBridgeError.of(5) from None
    return req.validate(schema, data, ExoBridgeError)


@bp.before_request
def authenticate():
    outcome = check_basic(req.store(), request.view_args["sid"])
    if outcome == Credentials.OTHER_ACCOUNT:
        raise ExoBridgeError.of(8)
    if outcome != Credentials.OK:
        raise ExoBridgeError.of(7)


@bp.post("")
def allocate(sid):
    return views.created(model().allocate(sid, body(schemas.Allocate)))


@bp.get("/<greenvn_id>")
def get_allocation(sid, greenvn_id):
    return views.allocation(model().get(sid, greenvn_id))


@bp.delete("/<greenvn_id>")
def deallocate(sid, greenvn_id):
    return views.allocation(model().deallocate(sid, greenvn_id))


@bp.put("/<greenvn_id>/call-party")
def update_call_party(sid, greenvn_id):
    return views.call_party(model().update_call_party(sid, greenvn_id, body(schemas.UpdateCallParty)))


@bp.put("/<greenvn_id>/vn")
def update_vn(sid, greenvn_id):
    return views.allocation(model().update_vn(sid, greenvn_id, body(schemas.UpdateVn)))
