"""State snapshots: the whole world as one JSON document, and back (``GET``/``PUT /_emulator/state``).

A snapshot holds the accounts, every family's ``Model.dump()``, the clock's offset from real time and
the rate limits. The journal, the callback log and the faults are tools, not state: they stay as they
are. Restoring checks everything first and builds the new models aside; the running world is replaced
only when all of it loaded, so a bad snapshot changes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from emulator.core.auth import Account
from emulator.core.clock import Scheduler
from emulator.core.errors import describe
from emulator.core.family import Model
from emulator.core.request import Schemas, parse_json, schema_class, validation_error
from emulator.core.store import State

FORMAT = "exotel-emulator/state"
VERSION = 1


SNAPSHOT = Schemas("emulator.core.schemas").Snapshot


class SnapshotError(Exception):
    """A snapshot that cannot be restored; the message says which part is wrong."""


def export(store) -> dict:
    """The whole state of ``store`` as JSON-ready data."""
    with store.lock:
        return {
            "format": FORMAT,
            "version": VERSION,
            "clock": {"offset_seconds": store.clock.offset},
            "accounts": [a.to_dict() for a in store.accounts.values()],
            "rate_limits": store.rate_limits.settings(),
            "families": {name: model.dump() for name, model in store.models.items()},
        }


def restore(store, document) -> None:
    """Replace the state of ``store`` with ``document`` (``export`` output), or raise ``SnapshotError``."""
    try:
        data = schema_class(SNAPSHOT)().load(document)
    except validation_error() as exc:
        raise SnapshotError(describe(exc.messages)) from None
    # a family without state of its own (the dashboard) may be absent: snapshots older than it still load
    needed = {name for name, family in store.families.items() if family.model is not Model}
    expected, given = set(store.families), set(data["families"])
    missing, unknown = sorted(needed - given), sorted(given - expected)
    if missing or unknown:
        problems = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unknown {', '.join(unknown)}"] if unknown else [])
        raise SnapshotError("families: " + "; ".join(problems))
    for name, family in store.families.items():
        # every field checked with the family's rules before anything is built: a date "x" or a numeric
        # secret must be a 400 now, not a 500 on some later request
        if family.state_schema is not None:
            try:
                data["families"][name] = schema_class(family.state_schema)().load(data["families"][name])
            except validation_error() as exc:
                raise SnapshotError(describe({"families": {name: exc.messages}})) from None

    accounts = {a["sid"]: Account(**a) for a in data["accounts"]}
    with store.lock:
        scheduler = store.scheduler
        # Models re-schedule their pending jobs (expiries...) while restoring: collect them in a scheduler
        # that never runs, and adopt them only once every family has loaded.
        staging = store.scheduler = Scheduler(store.clock)
        staging.stop()
        try:
            models = {}
            for name, family in store.families.items():
                model = family.model(store)
                try:
                    model.restore(data["families"].get(name, {}))
                    for account in accounts.values():  # an account the part does not mention
                        model.add_account(account)
                except Exception as exc:  # any family's complaint about its part makes the whole snapshot bad
                    raise SnapshotError(f"families.{name}: {type(exc).__name__}: {exc}") from None
                models[name] = model
        finally:
            store.scheduler = scheduler
        # everything loaded: the new world replaces the old in one assignment (see Store's lock rule)
        store.state = State(accounts, {a.api_key: a for a in accounts.values()}, models)
        store.clock.reset(data["clock"]["offset_seconds"])
        scheduler.clear()
        scheduler.adopt(staging)
        scheduler.wake()
        store.rate_limits.replace(data["rate_limits"])


def load_file(store, path: str | Path) -> None:
    """Restore ``store`` from a snapshot file (``serve --state FILE``)."""
    try:
        document = parse_json(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"bad state file: {path}: {exc}") from None
    try:
        restore(store, document)
    except SnapshotError as exc:
        raise SnapshotError(f"bad state file: {path}: {exc}") from None


def save_file(store, path: str | Path) -> Path:
    """Write a snapshot file, mode 0600, through a new temporary file in the same folder, so a crash
    never leaves half a snapshot. The temporary file is created exclusively under a random name and then
    renamed over ``path``: a symlink planted at either name is replaced, never followed. Returns the
    path written."""
    target = Path(path).absolute()
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(export(store), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target


def check_writable(path: str | Path) -> None:
    """Refuse at start a ``--save-on-exit`` target that cannot be written at exit."""
    target = Path(path).absolute()
    if target.is_dir():
        raise SnapshotError(f"--save-on-exit {path}: is a directory, not a file")
    folder = target.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise SnapshotError(f"--save-on-exit {path}: cannot write in {folder}")


def setup(app, state: str | None = None, save_on_exit: str | None = None) -> None:
    """``serve --state FILE`` and ``--save-on-exit FILE``: load now, and save from the store's exit hooks
    (a hook returns what it did, one line, or raises)."""
    store = app.extensions["exotel_emulator"]
    if state:
        load_file(store, state)
    if save_on_exit:
        check_writable(save_on_exit)
        store.on_exit.append(lambda: f"saved the state to {save_file(store, save_on_exit)}")
