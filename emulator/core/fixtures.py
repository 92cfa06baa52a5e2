"""Fixture files: read once at start-up, validated by each family's schema, re-applied on every reset.

Layout of a fixtures directory: ``accounts.json`` (``{"accounts": [{sid, api_key, api_token}]}``) and one
folder per family (``exophones/``, ``exobridge/``, ...) of JSON files in that family's fixture schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from marshmallow import Schema, ValidationError, fields

from emulator.core.auth import Account, AccountSchema, clashes
from emulator.core.request import parse_json


class FixtureError(Exception):
    """A fixture file that cannot be used; the message names the file, the record and the field."""


class AccountsFile(Schema):
    accounts = fields.List(fields.Nested(AccountSchema), required=True)


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
    root = Path(directory) if directory is not None else default_dir()
    if not root.is_dir():
        raise FixtureError(f"{root}: not a fixtures directory")
    world = World()
    accounts_file = root / "accounts.json"
    if accounts_file.exists():
        doc = _read(accounts_file, AccountsFile)
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


def _read(path: Path, schema: type[Schema]) -> dict:
    try:
        raw = parse_json(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise FixtureError(f"{path}: not valid JSON: {exc}") from None
    try:
        return schema().load(raw)
    except ValidationError as exc:
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
