"""ExoBridge over HTTP: the five GreenVN allocation endpoints under /v1/tenants/<sid>/greenvn."""

from __future__ import annotations

from flask import Blueprint

from emulator.core import request as req
from emulator.core.auth import require_basic
from emulator.core.request import Schemas
from emulator.exobridge import views
from emulator.exobridge.models import ExoBridge

schemas = Schemas("emulator.exobridge.schemas")

bp = Blueprint("exobridge", __name__, url_prefix="/v1/tenants/<sid>/greenvn")
bp.before_request(require_basic)


@bp.post("")
@req.body(schemas.Allocate)
def allocate(data, sid):
    return views.created(ExoBridge.current().allocate(sid, data))


@bp.get("/<greenvn_id>")
def get_allocation(sid, greenvn_id):
    return views.allocation(ExoBridge.current().get(sid, greenvn_id))


@bp.delete("/<greenvn_id>")
def deallocate(sid, greenvn_id):
    return views.allocation(ExoBridge.current().deallocate(sid, greenvn_id))


@bp.put("/<greenvn_id>/call-party")
@req.body(schemas.UpdateCallParty)
def update_call_party(data, sid, greenvn_id):
    return views.call_party(ExoBridge.current().update_call_party(sid, greenvn_id, data))


@bp.put("/<greenvn_id>/vn")
@req.body(schemas.UpdateVn)
def update_vn(data, sid, greenvn_id):
    return views.allocation(ExoBridge.current().update_vn(sid, greenvn_id, data))
