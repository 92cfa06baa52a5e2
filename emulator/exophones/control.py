"""ExoPhones' part of the control API: an account's ExoPhones, and scripting their v2 connectivity."""

from __future__ import annotations

from flask import Blueprint

from emulator.control.views import listing
from emulator.core import request as req
from emulator.core.request import Schemas
from emulator.exophones import views
from emulator.exophones.models import ExoPhones

schemas = Schemas("emulator.exophones.schemas")
PageQuery = Schemas("emulator.control.schemas").PageQuery

bp = Blueprint("exophones_control", __name__, url_prefix="/_emulator/accounts/<sid>/exophones")
bp.before_request(req.known_account)


@bp.put("/<exophone_sid>/connectivity")
@req.body(schemas.ConnectivityBody)
def set_connectivity(blocks, sid, exophone_sid):
    return views.v2(ExoPhones.current().set_connectivity(sid, exophone_sid, blocks))


@bp.get("")
@req.query(PageQuery)
def list_exophones(q, sid):
    """The account's ExoPhones in purchase order, as v2 shows them (connectivity included)."""
    phones, total = ExoPhones.current().page(sid, q["page"], q["page_size"])
    return listing("exophones", [views.v2(p) for p in phones], total, q)
