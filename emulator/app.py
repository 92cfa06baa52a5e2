"""The application factory: one Flask app serving every API family and the control API on one port."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from flask import Flask

    from emulator.core.family import Family

log = logging.getLogger(__name__)

# Every family is a package emulator/<name>/ exporting FAMILY; this list is the only place that names them.
FAMILIES = ("exophones", "exobridge", "integrations", "voice", "control", "dashboard")

DEFAULTS: dict[str, Any] = {
    "FIXTURES": None,  # a fixtures directory; None is the shipped one
    "SEED": 0,  # seeds generated inventories: same seed, same numbers
    "MAX_CONTENT_LENGTH": 1 << 20,  # larger bodies are 413 in the family's envelope
    "CALLBACKS": {},  # Dispatcher options (emulator.core.callbacks): timeouts, retries, bounds, breaker
    "JOURNAL_SIZE": 1000,  # the request journal keeps this many of the newest requests; 0 turns it off
    "JOURNAL_BYTES": 8 << 20,  # ...and drops the oldest while they weigh more than this (every byte kept)
    # who may use /_emulator/ (emulator.control.access): the address served on (a non-loopback one allows
    # any Host), Host names and browser origins allowed besides loopback and the emulator's own ("*": any),
    # and a token every control request must bring as "Authorization: Bearer <token>"
    "BIND_HOST": "127.0.0.1",
    "CONTROL_HOSTS": (),
    "CONTROL_ORIGINS": (),
    "CONTROL_TOKEN": None,
}


def families() -> list["Family"]:
    """The declarations of every family, in ``FAMILIES`` order."""
    return [importlib.import_module(f"emulator.{name}").FAMILY for name in FAMILIES]


def create_app(config: Mapping[str, Any] | None = None) -> "Flask":
    from flask import Flask, request
    from werkzeug.exceptions import HTTPException

    from emulator.core import gate
    from emulator.core.errors import ApiError, Refused
    from emulator.core.fixtures import load_world
    from emulator.core.jsonprovider import OrjsonProvider
    from emulator.core.request import render
    from emulator.core.routing import Rule
    from emulator.core.store import Store

    class Emulator(Flask):
        json_provider_class = OrjsonProvider  # in the documented key order, compact
        url_rule_class = Rule  # compiles its url_for builders on first use: start-up never needs them

    app = Emulator(__name__, static_folder=None)  # no /static/ route: the families serve every path
    app.config.update(DEFAULTS)
    app.config.update(config or {})

    declared = families()
    world = load_world(app.config["FIXTURES"], declared)
    store = app.extensions["exotel_emulator"] = Store(declared, world, app.config)

    for family in declared:
        if family.blueprint is not None:
            app.register_blueprint(family.blueprint)
        if family.control is not None:
            app.register_blueprint(family.control)

    app.register_error_handler(ApiError, render)

    @app.errorhandler(Refused)
    def refused(exc: Refused):
        return render(store.envelope(request.path).refusal(exc))

    @app.errorhandler(HTTPException)
    def routing(exc: HTTPException):
        error = store.envelope(request.path).from_status(exc.code or 400)
        response, status = render(error)
        allowed = getattr(exc, "valid_methods", None)
        if exc.code == 405 and allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response, status

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        # A bug, never a client's fault: log it, answer in the envelope, and never leak the traceback.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render(store.envelope(request.path).from_status(500))

    gate.install(app)  # faults, rate limits and the request journal, for every family
    return app
