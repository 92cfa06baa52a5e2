"""The dashboard's routes: the page (HTML, CSS and JavaScript shipped in ``static/``) and the families'
declarations it renders.

The page holds no data: it loads everything from control endpoints with ``fetch`` (sending the control
token if the emulator asks for one), so the page itself needs no credentials.
"""

from __future__ import annotations

from flask import Blueprint

from emulator.control.access import public
from emulator.core import request as req

ui = Blueprint("dashboard", __name__, url_prefix="/_emulator/ui", static_folder="static", static_url_path="/static")
root = Blueprint("dashboard_root", __name__)
PAGE = "/_emulator/ui"

# Only its own files run on the page and nothing may frame it: whatever a journaled body contains,
# it is shown as text and can never become a script.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@root.get("/")
def home():
    # JSON like every answer outside /_emulator/ (it is journaled like them too); browsers follow Location
    return {"dashboard": PAGE}, 302, {"Location": PAGE}


@ui.get("")
@ui.get("/")
def page():
    return ui.send_static_file("index.html")


# the page and its files hold no data: a browser opens them before it has the control token to send
for endpoint in ("dashboard.page", "dashboard.static"):
    public(endpoint)


@ui.get("/panels")
def panels():
    """Every family's views, by their ``order`` and then the families' (a stable sort keeps FAMILIES order)."""
    views = [view for family in req.store().families.values() for view in family.views()]
    return {"views": [view.to_dict() for view in sorted(views, key=lambda v: v.order)]}


@ui.after_request
def secure(response):
    response.headers.update(HEADERS)
    return response
