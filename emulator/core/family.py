"""What an API family is to the app: its routes, its error envelope, its state and what tools need of it.

Adding a family means one folder whose ``__init__`` exports a ``FAMILY`` and one name in
``emulator.app.FAMILIES``; the app, the gate, ``mock_exotel`` and ``ControlClient`` read the rest from
the declaration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeVar

from emulator.core.errors import ApiError

if TYPE_CHECKING:
    from flask import Blueprint

    from emulator.control.commands import Command
    from emulator.core.auth import Account
    from emulator.core.panels import View
    from emulator.core.request import SchemaLike
    from emulator.core.store import Store

M = TypeVar("M", bound="Model")


class Model:
    """A family's state and rules, with no HTTP in it. One instance per app, rebuilt on reset/restore."""

    def __init__(self, store: "Store"):
        self.store = store

    @classmethod
    def current(cls: type[M]) -> M:
        """This family's model in the app serving the current request."""
        from emulator.core.request import state

        return state().model_of(cls)

    def family(self) -> "Family":
        """The declaration whose ``model`` this is."""
        return next(f for f in self.store.families.values() if f.model is type(self))

    def notification(self, event: str, *facts: Any) -> Any:
        """The payload of callback ``event``, rendered now from ``facts`` by the view its family declares for
        it (``Family.notifications``): the model decides what is sent and when, the view what it reads."""
        return self.family().notifications[event](*facts)

    def notify(self, url: str, event: str, *facts: Any, **send_options: Any) -> dict:
        """Render callback ``event`` now (``notification``) and queue it to ``url``; ``send_options`` as
        ``Dispatcher.send`` takes them. Returns the delivery's log entry."""
        return self.store.callbacks.send(url, event, self.notification(event, *facts), **send_options)

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
    """One API family as the app, the tools and the dashboard see it (see the module docstring)."""

    name: str
    # path prefix -> the envelope that answers anything under it (its errors, 404s, 405s, faults...)
    envelopes: Mapping[str, type[ApiError]]
    blueprint: "Blueprint | None" = None
    model: Callable[["Store"], Model] = Model
    # schemas are named (``Schemas("emulator.<family>.schemas").FixtureFile``), imported when first used
    fixture_schema: "SchemaLike | None" = None
    # validates this family's part of a state snapshot (the shape of ``Model.dump()``) before anything is
    # restored; a family without one gets its part as sent, and its ``Model.restore`` must check it
    state_schema: "SchemaLike | None" = None
    # the family's part of /_emulator/ (e.g. ExoBridge's call simulator), registered with the app
    control: "Blueprint | None" = None
    # the vendor's hosts for this family: mock_exotel answers for them
    hosts: tuple[str, ...] = ()
    # path prefixes whose next segment is the account sid (faults' and the journal's ``account``)
    account_prefixes: tuple[str, ...] = ()
    # ControlClient methods for the family's control endpoints: a ``FamilyClient`` subclass
    client: type | None = None
    # the family's commands of the control CLI (``exotel-emulator call exobridge ...``)
    commands: tuple["Command", ...] = ()
    # the module of the family's tabs on the QA dashboard, its ``DASHBOARD``: panels listing its state and
    # actions driving it (core/panels.py); named, not imported: the dashboard's first request imports it
    dashboard: str | None = None
    # callback event -> the view rendering its payload from the facts the model passes (``Model.notify``), so
    # a model never imports its views
    notifications: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def views(self) -> tuple["View", ...]:
        """The family's tabs on the QA dashboard."""
        from emulator.core.request import imported

        return imported(self.dashboard).DASHBOARD if self.dashboard else ()
