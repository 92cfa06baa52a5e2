"""The integrations part of the control API: provisioning customers and simulating outbound calls."""

from __future__ import annotations

from flask import Blueprint

from emulator.control.errors import ControlError
from emulator.core import request as req
from emulator.integrations import schemas, views
from emulator.integrations.errors import IntegrationsError
from emulator.integrations.models import Integrations

bp = Blueprint("integrations_control", __name__, url_prefix="/_emulator/integrations")


def model() -> Integrations:
    return req.store().model("integrations")


@bp.errorhandler(IntegrationsError)
def _control_error(e: IntegrationsError):
    # the model speaks the integrations envelope; the control API answers in its own
    return req.render(ControlError(e.status, e.message))


@bp.post("/customers")
def create_customer():
    """Customers are provisioned by the vendor, never through the public API (API-NOTES)."""
    data = req.body(schemas.ControlCustomer, ControlError)
    return views.customer(model().add_customer(**data)), 201


@bp.post("/apps/<app_id>/outbound_calls")
def simulate_outbound_call(app_id):
    data = req.body(schemas.ControlOutbound, ControlError)
    app = model().apps.get(app_id)
    if app is None:
        raise ControlError(404, f"app {app_id} not found")
    user_id, to_number = data.pop("app_user_id"), data.pop("to_number")
    call, entry = model().outbound(app, user_id, to_number, data, require_callback=True)
    return {"CallSid": call.sid, "url": entry["url"], "event": entry["event"], "payload": entry["payload"]}
