"""ExoPhones' part of the control API: scripting an ExoPhone's v2 connectivity."""

from __future__ import annotations

from flask import Blueprint

from emulator.core import request as req
from emulator.exophones import schemas, views
from emulator.exophones.models import ExoPhones

bp = Blueprint("exophones_control", __name__, url_prefix="/_emulator/accounts/<sid>/exophones")
bp.before_request(req.known_account)


@bp.put("/<exophone_sid>/connectivity")
@req.body(schemas.ConnectivityBody)
def set_connectivity(blocks, sid, exophone_sid):
    return views.v2(ExoPhones.current().set_connectivity(sid, exophone_sid, blocks))
