"""Accounts (ExoPhones account = ExoBridge tenant) and HTTP Basic credentials."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

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


class Credentials:
    """How a request's Basic credentials relate to the account named in its path."""

    OK, MISSING, WRONG, OTHER_ACCOUNT = "ok", "missing", "wrong", "other_account"


def check_basic(store, sid: str) -> str:
    """Classify the request's Basic credentials for account ``sid`` (a ``Credentials`` value)."""
    return classify(store, request.authorization, sid)


def classify(store, auth: "Authorization | None", sid: str) -> str:
    """``check_basic`` for a parsed ``Authorization`` header, outside a Flask request too (the gate)."""
    if auth is None or auth.type != "basic" or not auth.username:
        return Credentials.MISSING
    account = store.login(auth.username, auth.password or "")
    if account is None:
        return Credentials.WRONG
    return Credentials.OK if account.sid == sid else Credentials.OTHER_ACCOUNT


def require_basic() -> None:
    """``before_request`` of every family under ``.../<sid>/``: the path's account's own credentials."""
    from emulator.core.request import store

    outcome = check_basic(store(), (request.view_args or {})["sid"])
    if outcome == Credentials.OTHER_ACCOUNT:
        raise Refused(Reason.FORBIDDEN, "Credentials do not grant access to this account")
    if outcome != Credentials.OK:
        raise Refused(Reason.UNAUTHORIZED, "Authentication failed")


# How the API description (emulator.openapi) names these credentials, for every blueprint checking them first.
require_basic.security = {"basic": {  # type: ignore[attr-defined]
    "type": "http", "scheme": "basic",
    "description": "HTTP Basic: the account's api_key and api_token (or its sid and api_token)."}}
