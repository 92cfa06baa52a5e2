"""Accounts (ExoPhones account = ExoBridge tenant) and HTTP Basic credentials."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from typing import Iterable

from flask import request
from werkzeug.datastructures import Authorization

from emulator.core.errors import Reason, Refused


@dataclass(frozen=True)
class Account:
    """An account's sid and the key and token its requests authenticate with."""

    sid: str
    api_key: str
    api_token: str

    def accepts(self, username: str, password: str) -> bool:
        """Clients in the wild send ``api_key:api_token`` or ``sid:api_token``: both work."""
        return password == self.api_token and username in (self.api_key, self.sid)

    def to_dict(self) -> dict:
        return asdict(self)


def clashes(accounts: Iterable[Account]) -> str | None:
    """What makes these accounts' logins ambiguous, or None. Basic auth takes a sid or an api_key as the
    user name, so each such name must belong to one account only (an account may use its sid as its key)."""
    owner: dict[str, str] = {}
    for account in accounts:
        for name in {account.sid, account.api_key}:
            if owner.setdefault(name, account.sid) != account.sid:
                return f"{name!r} is already the sid or api_key of account {owner[name]}"
    return None


class Credentials:
    """How a request's Basic credentials relate to the account named in its path."""

    OK, MISSING, WRONG, OTHER_ACCOUNT = "ok", "missing", "wrong", "other_account"


def _parse_basic(header: str | None) -> tuple[str, str] | None:
    auth = Authorization.from_header(header)
    if auth is None or auth.type != "basic" or not auth.username:
        return None
    return auth.username, auth.password or ""


_cached_basic = functools.lru_cache(maxsize=256)(_parse_basic)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(user name, password) of a Basic ``Authorization`` header, or None. A client sends the same header
    on every request, so a short one is parsed once (a long one is not kept: the cache stays small)."""
    return _cached_basic(header) if header is None or len(header) <= 512 else _parse_basic(header)


def check_basic(world, sid: str) -> str:
    """Classify the request's Basic credentials for account ``sid`` (a ``Credentials`` value)."""
    return classify(world, request.environ.get("HTTP_AUTHORIZATION"), sid)


def classify(world, header: str | None, sid: str) -> str:
    """``check_basic`` for an ``Authorization`` header, outside a Flask request too (the gate).
    ``world`` is anything with ``login``: the store, or the ``State`` a request is pinned to."""
    credentials = basic_credentials(header)
    if credentials is None:
        return Credentials.MISSING
    account = world.login(*credentials)
    if account is None:
        return Credentials.WRONG
    return Credentials.OK if account.sid == sid else Credentials.OTHER_ACCOUNT


def require_basic() -> None:
    """``before_request`` of every family under ``.../<sid>/``: the path's account's own credentials."""
    from emulator.core.request import state

    outcome = check_basic(state(), (request.view_args or {})["sid"])
    if outcome == Credentials.OTHER_ACCOUNT:
        raise Refused(Reason.FORBIDDEN, "Credentials do not grant access to this account")
    if outcome != Credentials.OK:
        raise Refused(Reason.UNAUTHORIZED, "Authentication failed")


# How the API description (emulator.openapi) names these credentials, for every blueprint checking them first.
require_basic.security = {"basic": {  # type: ignore[attr-defined]
    "type": "http", "scheme": "basic",
    "description": "HTTP Basic: the account's api_key and api_token (or its sid and api_token)."}}
