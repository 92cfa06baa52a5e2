"""One app's whole state: accounts, one model per family, the clock, its jobs and the callback log, and
how paths map to families (their envelope, the account they name)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, NamedTuple, TypeVar

from emulator.core.auth import Account, clashes
from emulator.core.callbacks import Dispatcher
from emulator.core.clock import Clock, Scheduler
from emulator.core.errors import Reason, Refused
from emulator.core.faults import Faults, RateLimits
from emulator.core.journal import Journal

if TYPE_CHECKING:
    from emulator.core.errors import ApiError
    from emulator.core.family import Family, Model
    from emulator.core.fixtures import World

M = TypeVar("M", bound="Model")


class State(NamedTuple):
    """One whole world: the accounts, how they log in, and one model per family. It is never changed in
    place: a change builds the next ``State`` and the store swaps it in with one assignment."""

    accounts: Mapping[str, Account]  # sid -> account
    logins: Mapping[str, Account]  # api_key -> account
    models: Mapping[str, "Model"]  # family name -> its model

    def login(self, username: str, password: str) -> Account | None:
        """The account whose ``api_key`` (or sid) and ``api_token`` these are."""
        account = self.logins.get(username) or self.accounts.get(username)
        return account if account is not None and account.accepts(username, password) else None

    def model_of(self, kind: type[M]) -> M:
        for model in self.models.values():
            if type(model) is kind:
                return model
        raise LookupError(f"no family has a {kind.__name__} model")


class Store:
    """Everything one emulator instance knows, so two apps in one process never share anything; the app
    keeps it as its one extension, ``app.extensions["exotel_emulator"]``.

    The lock rule, for the whole store:

    - ``lock`` (re-entrant) is held by every change, for the whole rule it applies (check, then change):
      that is what keeps a number from being sold twice or an id from being allocated twice.
    - The accounts, their logins and the models are one ``State``, read without the lock and never
      changed in place: reset, restore and account creation build the next one aside, under the lock,
      and swap it in with one assignment. A reader sees the old world or the new one, never a
      half-cleared dict, and ``login`` needs no lock. A request reads ``state`` once, when it first
      needs it (``emulator.core.request.state``), and keeps that world to its end.
    - Inside a model, state changes only under the lock, and what a handler renders is a copy taken
      under the lock, never a live object another request may be changing.
    """

    def __init__(self, families: Iterable["Family"], world: "World", config: dict):
        self.families = {f.name: f for f in families}
        # longest prefix first, so /v2/integrations/ wins over a shorter /v2/ of another family
        self._envelopes = sorted(((p, e) for f in self.families.values() for p, e in f.envelopes.items()),
                                 key=lambda pe: -len(pe[0]))
        self._account_prefixes = sorted((p for f in self.families.values() for p in f.account_prefixes),
                                        key=len, reverse=True)
        # run by ``serve`` when it stops (--save-on-exit): each returns a line saying what it did, or raises
        self.on_exit: list[Callable[[], str | None]] = []
        self.world = world
        self.config = config
        self.lock = threading.RLock()
        self.clock = Clock()
        self.scheduler = Scheduler(self.clock)
        self.callbacks = Dispatcher(self.clock, **config.get("CALLBACKS", {}))
        # the test tooling's state (emulator.core.gate applies it to every vendor request)
        self.journal = Journal(config.get("JOURNAL_SIZE", 1000), config.get("JOURNAL_BYTES", 8 << 20))
        self.faults = Faults()
        self.rate_limits = RateLimits(self.clock)
        self.state = State({}, {}, {})
        # the app's OpenAPI document and its JSON, built from the app on first use (emulator.openapi) and kept
        # for the app's life: it describes the routes, not the state, so reset and restore keep it
        self.openapi: tuple[dict, bytes] | None = None
        self.reset()

    @property
    def accounts(self) -> Mapping[str, Account]:
        return self.state.accounts

    @property
    def models(self) -> Mapping[str, "Model"]:
        return self.state.models

    def reset(self) -> None:
        """Back to the loaded fixtures, real time, no pending jobs, empty logs, no faults or rate limits."""
        with self.lock:
            self.scheduler.clear()
            self.clock.reset()
            self.callbacks.clear()
            self.journal.clear()
            self.faults.clear()
            self.rate_limits.clear()
            accounts = {a.sid: a for a in self.world.accounts}
            models = {name: f.model(self) for name, f in self.families.items()}
            for name, model in models.items():
                for account in self.world.accounts:
                    model.add_account(account)
                model.load_fixtures(self.world.docs.get(name, []))
            self.state = State(accounts, {a.api_key: a for a in self.world.accounts}, models)

    def close(self, deadline: float = 2.0) -> None:
        """Stop everything that runs in the background: requests held by a delay answer at once, the
        scheduler stops, queued callbacks are canceled and the workers get ``deadline`` seconds."""
        self.faults.clear()
        self.scheduler.stop()
        self.callbacks.shutdown(deadline)

    def add_account(self, account: Account) -> None:
        """A new account in every family; 409 if its sid or api_key is already another account's login."""
        with self.lock:
            state = self.state
            if account.sid in state.accounts:
                raise Refused(Reason.CONFLICT, f"account {account.sid} exists")
            clash = clashes([*state.accounts.values(), account])
            if clash:
                raise Refused(Reason.CONFLICT, clash)
            for model in state.models.values():  # the models first: whoever sees the account finds its world
                model.add_account(account)
            self.state = state._replace(accounts={**state.accounts, account.sid: account},
                                        logins={**state.logins, account.api_key: account})

    def login(self, username: str, password: str) -> Account | None:
        """The account whose ``api_key`` (or sid) and ``api_token`` these are."""
        return self.state.login(username, password)

    def model(self, name: str) -> "Model":
        return self.state.models[name]

    def model_of(self, kind: type[M]) -> M:
        """The model of class ``kind`` (``ExoBridge.current()``)."""
        return self.state.model_of(kind)

    def envelope(self, path: str) -> type["ApiError"]:
        """The envelope of the family ``path`` belongs to (a family may claim every path with ``""``)."""
        for prefix, envelope in self._envelopes:
            if path.startswith(prefix):
                return envelope
        raise LookupError(f"no family answers {path}")

    def account_of(self, path: str) -> str | None:
        """The account sid a path names (``/v2_beta/Accounts/<sid>/...``), if its family's paths name one."""
        for prefix in self._account_prefixes:
            if path.startswith(prefix):
                return path[len(prefix):].split("/", 1)[0] or None
        return None
