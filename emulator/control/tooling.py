"""The control API's test tooling: faults, rate limits, the request journal, the callback log and
state snapshots. The rules themselves live in ``emulator.core``; these are their routes."""

from __future__ import annotations

import re

from flask import request

from emulator.control.routes import bp, schemas
from emulator.core import request as req
from emulator.core import snapshot
from emulator.core.errors import Reason, Refused
from emulator.core.faults import Fault

# A snapshot carries every generated inventory, so it may be far larger than any API request.
MAX_SNAPSHOT_BYTES = 256 << 20


@bp.post("/faults")
@req.body(schemas.FaultSchema)
def add_fault(data):
    if data.get("code") is not None:
        _check_code(data["path"], data["code"])
    fault = Fault(has_body="body" in data, **data)
    req.store().faults.add(fault)
    return fault.to_dict(), 201


def _check_code(path: str, code: int) -> None:
    """A code must be one of the family's own when the glob names a family (``/v1/tenants/*``...)."""
    literal = re.split(r"[*?\[]", path, maxsplit=1)[0]
    error_type = req.store().envelope(literal)
    if not error_type.accepts_code(code):
        known = ", ".join(map(str, sorted(error_type.codes))) or "none: give a status"
        raise Refused(Reason.INVALID, f"code {code} is not an error code of {literal}... (known: {known})")


@bp.get("/faults")
def list_faults():
    return {"faults": [f.to_dict() for f in req.store().faults.all()]}


@bp.delete("/faults")
def clear_faults():
    req.store().faults.clear()
    return {"status": "ok"}


@bp.delete("/faults/<fault_id>")
def remove_fault(fault_id):
    if not req.store().faults.remove(fault_id):
        raise Refused(Reason.NOT_FOUND, f"fault {fault_id} not found")
    return {"status": "ok"}


@bp.put("/accounts/<sid>/rate_limit")
@req.body(schemas.RateLimitSchema)
def set_rate_limit(data, sid):
    store = req.store()
    per_minute = data["per_minute"]
    with store.lock:
        req.known_account(sid)
        store.rate_limits.set(sid, per_minute)
    return {"sid": sid, "per_minute": per_minute}


@bp.get("/requests")
@req.query(schemas.JournalQuery)
def journal(q):
    store = req.store()
    return {"requests": store.journal.find(store.account_of, q.get("method"), q.get("path"), q.get("account"),
                                           q.get("limit"))}


@bp.get("/callbacks")
@req.query(schemas.CallbackQuery)
def callbacks(q):
    entries = req.store().callbacks.entries(q.get("account"))
    return {"callbacks": entries[-q["limit"]:] if "limit" in q else entries}


@bp.get("/state")
def export_state():
    return snapshot.export(req.store())


@bp.put("/state")
@req.declare(body={"type": "object", "description": "A snapshot, as GET /_emulator/state answers it."})
def restore_state():
    request.max_content_length = MAX_SNAPSHOT_BYTES
    document = req.json_body(default={})
    try:
        snapshot.restore(req.store(), document)
    except snapshot.SnapshotError as exc:
        raise Refused(Reason.INVALID, f"bad snapshot: {exc}") from None
    return snapshot.export(req.store())
