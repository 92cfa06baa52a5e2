"""The error policy: models raise ``Refused`` with a named reason and no HTTP in it; each family's envelope
(an ``ApiError`` subclass) turns it into its documented body and status in one place, ``refusal``.

Routing errors and injected faults, which happen before any model runs, build the envelope directly
from an HTTP status (``from_status``) or a documented code (``of``).
"""

from __future__ import annotations

from enum import Enum
from http import HTTPStatus
from typing import Any, ClassVar, Mapping, TypeVar


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class Reason(Enum):
    """Why a request was refused, in words every family understands; a family may add its own codes."""

    INVALID = "invalid"  # a value breaks a rule the schema cannot see
    MALFORMED = "malformed"  # the body does not parse at all
    UNAUTHORIZED = "unauthorized"  # no credentials, or wrong ones
    FORBIDDEN = "forbidden"  # good credentials of another account
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # it exists already, or is taken


# What a reason means to an envelope that documents no codes of its own.
STATUS: Mapping[Enum, int] = {
    Reason.INVALID: 400, Reason.MALFORMED: 400, Reason.UNAUTHORIZED: 401, Reason.FORBIDDEN: 403,
    Reason.NOT_FOUND: 404, Reason.CONFLICT: 409,
}


class Refused(Exception):
    """A rule the request broke. ``reason`` is a ``Reason`` or a family's named code; ``message`` says
    what failed, for envelopes that show it."""

    def __init__(self, reason: Enum, message: str | None = None):
        super().__init__(message or reason.name)
        self.reason = reason
        self.message = message


class Invalid(Refused):
    """A request that failed its schema: marshmallow's ``messages``; ``missing`` when only required
    fields were absent (families with a distinct code for that)."""

    def __init__(self, messages: Any):
        super().__init__(Reason.INVALID, describe(messages))
        self.messages = messages
        self.missing = only_missing(messages)


E = TypeVar("E", bound="ApiError")


class ApiError(Exception):
    """An error answered in its family's documented envelope.

    Each family subclasses it once, defining ``body()`` and, where the family documents codes, the
    ``codes`` table ``{code: (http status, message)}`` that faults, tests and the docs read.
    """

    codes: ClassVar[Mapping[int, tuple[int, str]]] = {}
    any_code: ClassVar[bool] = False  # True where the envelope carries codes the pages do not list
    # the statuses it answers without an injected fault, for the API description: the core reasons' (STATUS),
    # a wrong method's and a body over the limit's
    statuses: ClassVar[tuple[int, ...]] = (400, 401, 403, 404, 405, 409, 413)
    # headers its answers may carry besides the body, by name: what they say (for the API description)
    headers: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def accepts_code(cls, code: int) -> bool:
        """Whether an injected fault may answer with ``code`` in this envelope."""
        return cls.any_code or code in cls.codes

    def __init__(self, status: int, message: str | None = None, code: int | None = None):
        super().__init__(message or reason(status))
        self.status = status
        self.message = message or reason(status)
        self.code = code

    @classmethod
    def of(cls: type[E], code: int, message: str | None = None) -> E:
        """The error for a documented code, with its documented status and message."""
        status, text = cls.codes[code]
        return cls(status, message or text, int(code))

    @classmethod
    def from_status(cls: type[E], status: int, code: int | None = None, message: str | None = None) -> E:
        """The error for an HTTP status (routing errors, injected faults); families map it to their codes."""
        if code is not None and code in cls.codes and message is None:
            message = cls.codes[code][1]
        return cls(status, message, code)

    @classmethod
    def invalid(cls: type[E], messages: Any, missing: bool = False) -> E:
        """A request that failed its schema; ``missing`` when only required fields were absent."""
        return cls(400, describe(messages))

    @classmethod
    def refusal(cls: type[E], refused: Refused) -> E:
        """The one mapping from a model's refusal to this envelope; families with codes override it."""
        if isinstance(refused, Invalid):
            return cls.invalid(refused.messages, refused.missing)
        return cls.from_status(STATUS.get(refused.reason, 400), message=refused.message)

    def body(self) -> dict:
        raise NotImplementedError

    @classmethod
    def schema(cls, status: int | None = None) -> dict:
        """The JSON Schema of ``body()`` for an error of ``status`` (None: of any status), for the API
        description; each family writes it beside its ``body()``."""
        raise NotImplementedError

    @classmethod
    def media_type(cls, path: str) -> str:
        """How errors under ``path`` are encoded."""
        return "application/json"

    def response(self):
        """The HTTP response carrying ``body()``: JSON, unless the envelope encodes itself otherwise
        (the classic v1 API answers XML on paths without ``.json``)."""
        from flask import current_app

        return current_app.json.response(self.body())


def status_schema(status: int | None) -> dict:
    """The JSON Schema of an envelope's status field: that status, or (None) any."""
    return {"const": status} if status is not None else {"type": "integer"}


def describe(messages: Any, prefix: str = "") -> str:
    """marshmallow's nested error dict as one readable line: ``field: message; other.0: message``."""
    if isinstance(messages, Mapping):
        parts = [describe(v, f"{prefix}{k}." if prefix or k != "_schema" else "") for k, v in messages.items()]
        return "; ".join(p for p in parts if p)
    if isinstance(messages, (list, tuple)):
        texts = [m for m in messages if isinstance(m, str)]
        nested = [describe(m, prefix) for m in messages if not isinstance(m, str)]
        head = f"{prefix.rstrip('.')}: " if prefix else ""
        return "; ".join(([head + " ".join(texts)] if texts else []) + nested)
    return f"{prefix.rstrip('.')}: {messages}" if prefix else str(messages)


def only_missing(messages: Any) -> bool:
    """True when every schema error is a missing required field (families with a distinct code for it)."""
    if isinstance(messages, Mapping):
        return all(only_missing(v) for v in messages.values())
    if isinstance(messages, (list, tuple)):
        return all(only_missing(m) if not isinstance(m, str) else m == MISSING for m in messages)
    return messages == MISSING


MISSING = "Missing data for required field."
