"""Fixture files: read once at start-up, validated by each family's schema, re-applied on every reset.

Layout of a fixtures directory: ``accounts.json`` (``{"accounts": [{sid, api_key, api_token}]}``) and one
folder per family (``exophones/``, ``exobridge/``, ...) of JSON files in that family's fixture schema.

The shipped fixtures are validated before they ship rather than on every start: ``python -m
emulator.core.fixtures`` writes them, as their schemas load them, to ``shipped_world.json`` beside this
file, with a digest of the files' bytes (tests/core/test_fixtures.py fails while that is not what the
schemas make of the files). An installed package starts from that, without importing marshmallow or
any schema module, as long as its fixture files still have that digest; anything else (a user's
``--fixtures``, a checkout's ``fixtures/``, a changed file) is validated as it is read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from emulator.core.auth import Account, clashes
from emulator.core.request import SchemaLike, Schemas, parse_json, schema_class, validation_error

ACCOUNTS_FILE = Schemas("emulator.core.schemas").AccountsFile
SHIPPED_WORLD = Path(__file__).with_name("shipped_world.json")


class FixtureError(Exception):
    """A fixture file that cannot be used; the message names the file, the record and the field."""


@dataclass
class World:
    """The loaded fixtures: what every reset starts from."""

    accounts: list[Account] = field(default_factory=list)
    docs: dict[str, list[dict]] = field(default_factory=dict)


def default_dir() -> Path:
    """The shipped fixtures: ``emulator/_fixtures`` in an installed wheel, ``fixtures/`` in a checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_fixtures"
    return installed if installed.is_dir() else package.parent / "fixtures"


def load_world(directory: Path | str | None, families: Iterable) -> World:
    """The world in ``directory`` (None: the shipped fixtures), validated; ``FixtureError`` if it is not
    a usable one."""
    families = list(families)
    root = Path(directory) if directory is not None else default_dir()
    if directory is None and root.name == "_fixtures":  # an installed package's own fixtures
        world = shipped_world(root, families)
        if world is not None:
            return world
    return read_world(root, families)


def read_world(root: Path, families: list) -> World:
    """Every fixture file under ``root``, each validated by its schema."""
    if not root.is_dir():
        raise FixtureError(f"{root}: not a fixtures directory")
    world = World()
    accounts_file = root / "accounts.json"
    if accounts_file.exists():
        doc = _read(accounts_file, ACCOUNTS_FILE)
        world.accounts = [Account(**a) for a in doc["accounts"]]
        _unique(accounts_file, "accounts", [a.sid for a in world.accounts], "sid")
        _unique(accounts_file, "accounts", [a.api_key for a in world.accounts], "api_key")
        clash = clashes(world.accounts)
        if clash:
            raise FixtureError(f"{accounts_file}: {clash}")
    for family in families:
        folder = root / family.name
        if family.fixture_schema is None or not folder.is_dir():
            continue
        world.docs[family.name] = [_read(p, family.fixture_schema) for p in sorted(folder.glob("*.json"))]
    return world


def shipped_world(root: Path, families: list) -> World | None:
    """``shipped_world.json``'s world, if it was made from exactly the files under ``root`` with the
    schemas ``families`` declare; None otherwise (the files must then be validated)."""
    try:
        frozen = json.loads(SHIPPED_WORLD.read_bytes())
    except (OSError, ValueError):
        return None
    schemas = {f.name: repr(f.fixture_schema) for f in families
               if f.fixture_schema is not None and (root / f.name).is_dir()}
    if frozen.get("digest") != digest(root) or frozen.get("schemas") != schemas:
        return None
    return World([Account(**a) for a in frozen["accounts"]], {name: frozen["docs"][name] for name in schemas})


def freeze(root: Path, families: list) -> dict:
    """What ``shipped_world.json`` holds for the fixtures under ``root``: them validated, and their digest."""
    world = read_world(root, families)
    schemas = {f.name: repr(f.fixture_schema) for f in families if f.name in world.docs}
    return {"about": "the shipped fixtures as their schemas load them; written by python -m emulator.core.fixtures",
            "digest": digest(root), "schemas": schemas,
            "accounts": [a.to_dict() for a in world.accounts], "docs": world.docs}


def digest(root: Path) -> str:
    """A digest of every file under ``root``: their paths and bytes."""
    hashed = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        content = path.read_bytes()
        hashed.update(f"{path.relative_to(root).as_posix()}\0{len(content)}\0".encode())
        hashed.update(content)
    return hashed.hexdigest()


def _read(path: Path, schema: SchemaLike) -> dict:
    try:
        raw = parse_json(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise FixtureError(f"{path}: not valid JSON: {exc}") from None
    try:
        return schema_class(schema)().load(raw)
    except validation_error() as exc:
        raise FixtureError(f"{path}: {first_problem(exc.messages)}") from None


def first_problem(messages: Any, path: tuple = ()) -> str:
    """The first error of a nested marshmallow error dict, as ``record accounts[1], field api_token: ...``."""
    if isinstance(messages, Mapping):
        key, value = next(iter(messages.items()))
        return first_problem(value, path + (key,))
    if isinstance(messages, list) and messages and not isinstance(messages[0], str):
        return first_problem(messages[0], path)
    text = messages[0] if isinstance(messages, list) else messages
    record = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path[:-1]))
    last = path[-1] if path else "_schema"
    if isinstance(last, int):
        return f"record {record}[{last}]: {text}"
    return f"record {record or '(top level)'}, field {last}: {text}"


def _unique(path: Path, collection: str, values: list[str], name: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise FixtureError(f"{path}: record {collection}[{i}], field {name}: duplicate value {value!r}")
        seen.add(value)


if __name__ == "__main__":  # python -m emulator.core.fixtures: rewrite shipped_world.json from fixtures/
    from emulator.app import families as declared

    SHIPPED_WORLD.write_text(json.dumps(freeze(default_dir(), declared()), indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    print(f"wrote {SHIPPED_WORLD}")
