"""The integrations part of the control API: provisioning and listing customers, listing apps, and
simulating outbound calls."""

from __future__ import annotations

from flask import Blueprint

from emulator.control.views import bounds, listing
from emulator.core import request as req
from emulator.core.errors import Reason, Refused
from emulator.core.request import Schemas
from emulator.integrations import views
from emulator.integrations.models import Integrations

schemas = Schemas("emulator.integrations.schemas")
PageQuery = Schemas("emulator.control.schemas").PageQuery

bp = Blueprint("integrations_control", __name__, url_prefix="/_emulator/integrations")


@bp.post("/customers")
@req.body(schemas.ControlCustomer)
def create_customer(data):
    """Customers are provisioned by the vendor, never through the public API."""
    return views.customer(Integrations.current().add_customer(**data)), 201


@bp.get("/customers")
@req.query(PageQuery)
def list_customers(q):
    customers, total = Integrations.current().customers_in(*bounds(q))
    return listing("customers", [views.control_customer(c) for c in customers], total, q)


@bp.get("/apps")
@req.query(schemas.AppsQuery)
def list_apps(q):
    apps, total = Integrations.current().apps_in(q.get("customer"), *bounds(q))
    return listing("apps", [views.control_app(a, users) for a, users in apps], total, q)


@bp.post("/apps/<app_id>/outbound_calls")
@req.body(schemas.ControlOutbound)
def simulate_outbound_call(data, app_id):
    model = Integrations.current()
    app = model.apps.get(app_id)
    if app is None:
        raise Refused(Reason.NOT_FOUND, f"app {app_id} not found")
    user_id, to_number = data.pop("app_user_id"), data.pop("to_number")
    call, entry = model.outbound(app, user_id, to_number, data, require_callback=True)
    assert entry is not None  # require_callback: no callback URL is a 409
    return {"CallSid": call.sid, "url": entry["url"], "event": entry["event"], "payload": entry["payload"]}
