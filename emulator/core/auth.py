"""Accounts (ExoPhones account = ExoBridge tenant) and HTTP Basic credentials."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Iterable

from flask import request
from marshmallow import Schema, fields, validate

from emulator.core.errors import Reason, Refused

if TYPE_CHECKING:
    from werkzeug.datastructures import Authorization

SID = validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$", error="must be 1-64 letters, digits, '_', '.' or '-'")


class AccountSchema(Schema):
    sid = fields.String(required=True, validate=SID)
    api_key = fields.String(required=True, validate=validate.Length(min=1, max=128))
    api_token = fields.String(required=True, validate=validate.Length(min=1, max=128))


@dataclass(frozen=True)
class Account:
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


def check_basic(world, sid: str) -> str:
    """Classify the request's Basic credentials for account ``sid`` (a ``Credentials`` value)."""
    return classify(world, request.authorization, sid)


def classify(world, auth: "Authorization | None", sid: str) -> str:
    """``check_basic`` for a parsed ``Authorization`` header, outside a Flask request too (the gate).
    ``world`` is anything with ``login``: the store, or the ``State`` a request is pinned to."""
    if auth is None or auth.type != "basic" or not auth.username:
        return Credentials.MISSING
    account = world.login(auth.username, auth.password or "")
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
