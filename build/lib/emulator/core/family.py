"""What an API family is to the app: its routes, its error envelope and its state.

Adding a family means one folder exporting a ``FAMILY`` and one line in ``emulator.app.FAMILIES``;
nothing else in the app knows about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from flask import Blueprint
from marshmallow import Schema

from emulator.core.errors import ApiError

if TYPE_CHECKING:
    from emulator.core.auth import Account
    from emulator.core.store import Store


class Model:
    """A family's state and rules, with no HTTP in it. One instance per app, rebuilt on reset/restore."""

    def __init__(self, store: "Store"):
        self.store = store

    def load_fixtures(self, docs: list[dict]) -> None:
        """Apply this family's fixture files (already validated by ``Family.fixture_schema``)."""

    def add_account(self, account: "Account") -> None:
        """Give a new account (control API) its default world in this family."""

    def dump(self) -> dict:
        """This family's whole state as JSON-ready data (state snapshots)."""
        return {}

    def restore(self, data: dict) -> None:
        """Replace this family's state with ``dump()`` output."""


@dataclass(frozen=True)
class Family:
    name: str
    # path prefix -> the error type whose envelope answers anything under it (404s, 405s, faults...)
    envelopes: Mapping[str, type[ApiError]]
    blueprint: Blueprint | None = None
    model: Callable[["Store"], Model] = Model
    fixture_schema: type[Schema] | None = None
    # the family's part of /_emulator/ (e.g. ExoBridge's call simulator), registered with the app
    control: Blueprint | None = None
    # extra per-family knobs for tools (e.g. account extraction) live here, not in the app
    extras: Mapping[str, Any] = field(default_factory=dict)
