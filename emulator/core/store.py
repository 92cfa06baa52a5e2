"""One app's whole state: accounts, one model per family, the clock, its jobs and the callback log, and
how paths map to families (their envelope, the account they name)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Callable, Iterable, TypeVar

from emulator.core.auth import Account
from emulator.core.callbacks import Dispatcher
from emulator.core.clock import Clock, Scheduler
from emulator.core.faults import Faults, RateLimits
from emulator.core.journal import Journal

if TYPE_CHECKING:
    from emulator.core.errors import ApiError
    from emulator.core.family import Family, Model
    from emulator.core.fixtures import World

M = TypeVar("M", bound="Model")


class Store:
    """Everything one emulator instance knows, so two apps in one process never share anything; the app
    keeps it as its one extension, ``app.extensions["exotel_emulator"]``.

    ``lock`` guards every read-modify-write of accounts and models: handlers and models take it for the
    whole rule they apply (check then change), which is what keeps a number from being sold twice.
    """

    def __init__(self, families: Iterable["Family"], world: "World", config: dict):
        self.families = {f.name: f for f in families}
        # longest prefix first, so /v2/integrations/ wins over a shorter /v2/ of another family
        self._envelopes = sorted(((p, e) for f in self.families.values() for p, e in f.envelopes.items()),
                                 key=lambda pe: -len(pe[0]))
        self._account_prefixes = sorted((p for f in self.families.values() for p in f.account_prefixes),
                                        key=len, reverse=True)
        self.on_exit: list[Callable[[], None]] = []  # run by ``serve`` when it stops (--save-on-exit)
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

    def close(self, deadline: float = 2.0) -> None:
        """Stop everything that runs in the background: requests held by a delay answer at once, the
        scheduler stops, queued callbacks are canceled and the workers get ``deadline`` seconds."""
        self.faults.clear()
        self.scheduler.stop()
        self.callbacks.shutdown(deadline)

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

    def model_of(self, kind: type[M]) -> M:
        """The model of class ``kind`` (``ExoBridge.current()``)."""
        for model in self.models.values():
            if type(model) is kind:
                return model
        raise LookupError(f"no family has a {kind.__name__} model")

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

    def _remember(self, account: Account) -> None:
        self.accounts[account.sid] = account
        self._logins[account.api_key] = account
