"""CORS for /v2/integrations/: browsers call this API directly (the vendor's CRM web SDK does).

flask-cors adds ``Access-Control-Allow-Origin`` to every response under the prefix, errors and 404s
included (it wraps the app's error handling too), so it must sit on the app, not on the blueprint:
``install`` runs once when the integrations blueprint is registered on an app. Two additions on top:
every preflight is answered 204 before routing (so even a path that would 404 or 405 passes it), and
``Access-Control-Allow-Headers`` always names Authorization and Content-Type, because a ``*`` does not
cover Authorization and flask-cors only echoes the headers a preflight asked for.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request
from flask_cors import CORS

PREFIX = "/v2/integrations/"
ALLOWED_HEADERS = ("Authorization", "Content-Type")
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")


def install(app: Flask) -> None:
    # after_request functions run last-registered first: this one runs after flask-cors's
    app.before_request(_preflight)
    app.after_request(_name_allowed_headers)
    CORS(app, resources={PREFIX + ".*": {}}, methods=list(METHODS), max_age=600)
    # flask-cors matches its resource pattern against every response of the app; only integrations paths
    # can match, so every other family's responses skip it with a prefix test (it ran on each request)
    hooks = app.after_request_funcs[None]
    matcher: Any = hooks[-1]
    assert matcher.__name__ == "cors_after_request", "flask-cors registers its hook last"

    def integrations_only(response: Response) -> Response:
        return matcher(response) if request.path.startswith(PREFIX) else response

    hooks[-1] = integrations_only


def _preflight() -> Response | None:
    if request.method == "OPTIONS" and request.path.startswith(PREFIX):
        response = current_app.response_class(status=204, mimetype="application/json")
        response.headers["Allow"] = ", ".join(METHODS)
        return response
    return None


def _name_allowed_headers(response: Response) -> Response:
    if request.method == "OPTIONS" and request.path.startswith(PREFIX):
        asked = [h.strip() for h in response.headers.get("Access-Control-Allow-Headers", "").split(",") if h.strip()]
        extra = [h for h in asked if h.lower() not in {a.lower() for a in ALLOWED_HEADERS}]
        response.headers["Access-Control-Allow-Headers"] = ", ".join(ALLOWED_HEADERS + tuple(extra))
        response.headers.setdefault("Access-Control-Allow-Methods", ", ".join(METHODS))
    return response
