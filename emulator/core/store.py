"""One app's whole state: accounts, one model per family, the clock, its jobs and the callback log."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Iterable

from emulator.core.auth import Account
from emulator.core.callbacks import Dispatcher
from emulator.core.clock import Clock, Scheduler
from emulator.core.faults import Faults, RateLimits
from emulator.core.journal import Journal

if TYPE_CHECKING:
    from emulator.core.family import Family, Model
    from emulator.core.fixtures import World


class Store:
    """Everything one emulator instance knows, so two apps in one process never share anything.

    ``lock`` guards every read-modify-write of accounts and models: handlers and models take it for the
    whole rule they apply (check then change), which is what keeps a number from being sold twice.
    """

    def __init__(self, families: Iterable["Family"], world: "World", config: dict):
        self.families = {f.name: f for f in families}
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
        self.accounts: dict[str, Account] = {}
        self._logins: dict[str, Account] = {}
        self.models: dict[str, "Model"] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the loaded fixtures, real time, no pending jobs, empty logs, no faults or rate limits."""
        with self.lock:
            self.scheduler.clear()
            self.clock.reset()
            self.callbacks.clear()
            self.journal.clear()
            self.faults.clear()
            self.rate_limits.clear()
            self.accounts.clear()
            self._logins.clear()
            for account in self.world.accounts:
                self._remember(account)
            self.models = {name: f.model(self) for name, f in self.families.items()}
            for name, model in self.models.items():
                for account in self.world.accounts:
                    model.add_account(account)
                model.load_fixtures(self.world.docs.get(name, []))

    def add_account(self, account: Account) -> None:
        with self.lock:
            self._remember(account)
            for model in self.models.values():
                model.add_account(account)

    def login(self, username: str, password: str) -> Account | None:
        """The account whose ``api_key`` (or sid) and ``api_token`` these are."""
        account = self._logins.get(username) or self.accounts.get(username)
        return account if account is not None and account.accepts(username, password) else None

    def model(self, name: str) -> "Model":
        return self.models[name]

    def _remember(self, account: Account) -> None:
        self.accounts[account.sid] = account
        self._logins[account.api_key] = account
