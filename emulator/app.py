"""The application factory: one Flask app serving every API family and the control API on one port."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from emulator import control, exobridge, exophones, integrations
from emulator.core import gate
from emulator.core.errors import ApiError
from emulator.core.request import render
from emulator.core.fixtures import load_world
from emulator.core.store import Store

log = logging.getLogger(__name__)

FAMILIES = (exophones.FAMILY, exobridge.FAMILY, integrations.FAMILY, control.FAMILY)

DEFAULTS: dict[str, Any] = {
    "FIXTURES": None,  # a fixtures directory; None is the shipped one
    "SEED": 0,  # seeds generated inventories: same seed, same numbers
    "MAX_CONTENT_LENGTH": 1 << 20,  # larger bodies are 413 in the family's envelope
    "CALLBACKS": {},  # Dispatcher options: timeout, retries, backoff, workers, log_size
    "JOURNAL_SIZE": 1000,  # the request journal keeps this many of the newest requests; 0 turns it off
    "JOURNAL_BYTES": 8 << 20,  # ...and drops the oldest while their bodies and answers weigh more than this
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.json.sort_keys = False  # keep the documented field order
    app.json.compact = True

    world = load_world(app.config["FIXTURES"], FAMILIES)
    app.extensions["exotel_emulator"] = Store(FAMILIES, world, app.config)

    envelopes = sorted(((p, e) for f in FAMILIES for p, e in f.envelopes.items()), key=lambda pe: -len(pe[0]))

    def error_type(path: str) -> type[ApiError]:
        """The envelope of the family the path belongs to; the classic Exotel one for anything else."""
        for prefix, error in envelopes:
            if path.startswith(prefix):
                return error
        return exophones.RestException

    app.extensions["exotel_emulator_error_type"] = error_type

    for family in FAMILIES:
        if family.blueprint is not None:
            app.register_blueprint(family.blueprint)
        if family.control is not None:
            app.register_blueprint(family.control)

    app.register_error_handler(ApiError, render)

    @app.errorhandler(HTTPException)
    def routing(exc: HTTPException) -> Response:
        error = error_type(request.path).from_status(exc.code or 400)
        response, status = render(error)
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response, status

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        # A bug, never a client's fault: log it, answer in the envelope, and never leak the traceback.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render(error_type(request.path).from_status(500))

    gate.install(app, FAMILIES)  # faults, rate limits and the request journal, for every family
    return app
