"""The integrations error envelope: the HTTP status is the whole story (the page documents no codes), and the
text is what that endpoint's own status table says for it."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Mapping

from flask import has_request_context, request

from emulator.core.errors import ApiError, describe, reason, status_schema

PREFIX = "/v2/integrations"

_UNAUTHORIZED = "Unauthorized. Check the entity id and secret."
_BAD_REQUEST = "Bad request. Check the input parameters."
_INVALID = "Invalid parameters."
_FAILED = "Internal server error. There was an issue "


def _table(failed: str, bad_request: str | None = _INVALID, unauthorized: str = _UNAUTHORIZED) -> dict[int, str]:
    table = {401: unauthorized, 500: _FAILED + failed}
    if bad_request is not None:
        table[400] = bad_request
    return table


class IntegrationsError(ApiError):
    """The integrations envelope: ``{"RequestId", "Status": "Failure", "Code": <http>, "Error", "Data": null}``."""

    # Each endpoint's status table, word for word: (method, route under /v2/integrations) -> {status: text}.
    # Where the page gives one endpoint a table per query (GET /app?entity=app and ?entity=customer...), the
    # tables are the same.
    tables: ClassVar[Mapping[tuple[str, str], Mapping[int, str]]] = {
        ("POST", "/token"): _table("creating the token.", _BAD_REQUEST),
        ("GET", "/customer"): _table("getting the customer.", None),
        ("DELETE", "/customer"): _table("deleting the customer.", None),
        ("POST", "/app"): _table("creating the application.", _BAD_REQUEST),
        ("GET", "/app"): _table("getting the application.", _BAD_REQUEST),
        ("DELETE", "/app"): _table("deleting the App.", None),
        ("POST", "/app_setting"): _table("adding the App setting."),
        ("GET", "/app_setting"): _table("adding the App setting."),  # sic: the page copies POST's table
        ("DELETE", "/app_setting"): _table("deleting the App setting."),
        ("POST", "/usermapping"): _table("adding users."),
        ("GET", "/usermapping"): _table("getting users."),
        ("DELETE", "/usermapping"): _table("deleting users."),
        ("DELETE", "/users/<app_user_id>"): _table("getting users."),
        ("PUT", "/device"): _table("getting users."),
        ("GET", "/call/inbound_call/<app_id>"): _table("getting call.", unauthorized="Unauthorized"),
    }
    # Endpoints the page has no table for (the PUTs, the web SDK's outbound call, unknown paths) say what the
    # page says most: the token table's 400 and 401, and the sentence every 500 row starts with.
    messages: ClassVar[Mapping[int, str]] = {400: _BAD_REQUEST, 401: _UNAUTHORIZED, 500: "Internal server error."}

    @classmethod
    def from_status(cls, status: int, code: int | None = None, message: str | None = None) -> "IntegrationsError":
        """``message`` says what failed, where the emulator knows; it follows the page's text."""
        return cls(status, cls.text(status, message))

    @classmethod
    def invalid(cls, messages: Any, missing: bool = False) -> "IntegrationsError":
        return cls.from_status(400, message=describe(messages))

    @classmethod
    def text(cls, status: int, detail: str | None = None) -> str:
        """The page's text for this status on the endpoint asked, then the detail; without a page text, the
        detail alone, or the HTTP reason phrase."""
        documented = cls.table().get(status) or cls.messages.get(status)
        if documented is None:
            return detail or reason(status)
        if not detail:
            return documented
        return f"{documented} {detail}" if documented.endswith(".") else f"{documented}: {detail}"

    @classmethod
    def table(cls) -> Mapping[int, str]:
        """The status table of the endpoint the current request asked (empty outside one, or for a path the
        page does not document)."""
        if not has_request_context() or request.url_rule is None:
            return {}
        method = "GET" if request.method == "HEAD" else request.method
        return cls.tables.get((method, request.url_rule.rule.removeprefix(PREFIX)), {})

    def body(self) -> dict:
        return {"RequestId": str(uuid.uuid4()), "Status": "Failure", "Code": self.status, "Error": self.message,
                "Data": None}

    statuses: ClassVar[tuple[int, ...]] = (400, 401, 404, 405, 409, 413)  # its paths name no account: never 403

    @classmethod
    def schema(cls, status: int | None = None) -> dict:
        return {"type": "object", "required": ["RequestId", "Status", "Code", "Error", "Data"],
                "additionalProperties": False, "properties": {
                    "RequestId": {"type": "string", "format": "uuid"}, "Status": {"const": "Failure"},
                    "Code": status_schema(status), "Error": {"type": "string"}, "Data": {"type": "null"}}}
