"""The core of the control API: health, reset, accounts and the clock."""

from __future__ import annotations

from flask import Blueprint, current_app

from emulator import __version__
from emulator.core import request as req
from emulator.core.auth import Account
from emulator.core.clock import rfc3339
from emulator.core.request import Schemas

bp = Blueprint("control", __name__, url_prefix="/_emulator")
schemas = Schemas("emulator.control.schemas")


@bp.get("/health")
def health():
    store = req.store()
    return {"status": "ok", "version": __version__, "accounts": len(store.accounts),
            "now": rfc3339(store.clock.time()), "callbacks": store.callbacks.stats()}


@bp.get("/openapi.json")
def openapi():
    """This document: every endpoint the emulator serves, generated from its code (``emulator.openapi``)."""
    from emulator import openapi

    return current_app.response_class(openapi.encoded(current_app), mimetype="application/json")


@bp.post("/reset")
def reset():
    req.store().reset()
    return {"status": "ok"}


@bp.post("/accounts")
@req.body(schemas.AccountSchema)
def create_account(data):
    account = Account(**data)
    req.store().add_account(account)  # 409 if the sid or api_key already logs in as another account
    return account.to_dict(), 201


@bp.get("/accounts")
def list_accounts():
    return {"accounts": [a.to_dict() for a in req.store().accounts.values()]}


@bp.get("/clock")
def clock():
    store = req.store()
    return {"now": rfc3339(store.clock.time()), "offset_seconds": store.clock.offset}


@bp.post("/clock/advance")
@req.body(schemas.AdvanceSchema)
def advance(data):
    store = req.store()
    seconds = data["seconds"]
    with store.lock:
        store.clock.advance(seconds)
    ran = store.scheduler.run_due()  # everything that fell due has happened before we answer
    store.scheduler.wake()
    return {"now": rfc3339(store.clock.time()), "offset_seconds": store.clock.offset, "jobs_run": ran}
