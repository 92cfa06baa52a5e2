"""ExoBridge's error codes (Appendix 1 of the ExoBridge page), its envelope, and how refusals map to it."""

from __future__ import annotations

from enum import Enum, IntEnum
from typing import Any, ClassVar, Mapping

from emulator.core.errors import ApiError, Invalid, Reason, Refused, status_schema


class Code(IntEnum):
    """Appendix 1's codes, by what they mean; models refuse with these (``Refused(Code.NO_FREE_VN)``)."""

    INTERNAL = 0
    UNKNOWN_GREENVN = 1
    UNSUPPORTED_FILTER = 2
    MISSING_PARAMETER = 3
    NO_FREE_VN = 4
    BAD_PARAMETER = 5
    UNAUTHORIZED = 7
    NOT_PERMITTED = 8
    VERSION_HEADER = 9
    ALL_DUPLICATES = 13
    SAME_NUMBER_BOTH_PARTIES = 14
    UNSUPPORTED_REGION = 15
    INVALID_NUMBER = 16
    TOO_MANY_IN_BULK = 17
    CONNECTION_EXISTS = 18
    OTHER_PIN = 19
    NO_MAPPING = 20
    ALREADY_DELETED = 22
    BAD_DATE_RANGE = 23
    INVALID_FLOW = 50


# The core reasons in Appendix 1's terms (a refusal from shared code: credentials, a body that does not parse).
FROM_REASON: Mapping[Enum, Code] = {
    Reason.UNAUTHORIZED: Code.UNAUTHORIZED, Reason.FORBIDDEN: Code.NOT_PERMITTED,
    Reason.MALFORMED: Code.BAD_PARAMETER, Reason.INVALID: Code.BAD_PARAMETER,
    Reason.NOT_FOUND: Code.UNKNOWN_GREENVN,
}


class ExoBridgeError(ApiError):
    """ExoBridge's envelope: ``{"success": false, "status", "code", "message", "data": null}``."""

    # Appendix 1, word for word: code -> (HTTP status, message). It wins over the status list above it.
    codes: ClassVar[Mapping[int, tuple[int, str]]] = {
        0: (500, "Internal Service Error"),
        1: (404, "Could not find the given GreenVN"),
        2: (400, "One or more unsupported search filters provided"),
        3: (400, "One or more mandatory parameters not present in request"),
        4: (452, "No free GreenVNs are available for allocation"),
        5: (400, "Bad or missing parameters in Request"),
        7: (401, "Authentication not provided or failed"),
        8: (403, "Not permitted to do this operation."),
        9: (400, "Version header not specified or supported for this API"),
        13: (409, "All numbers in the group are duplicates"),
        14: (409, "a-party numbers and b-party numbers cannot contain the same number for an allocation."),
        15: (403, "The region code specified is not supported"),
        16: (400, "Invalid Number Received."),
        17: (413, "Too many allocation requests in bulk."),
        18: (409, "Allocation exists for this connection id"),
        19: (409, "One or more of the numbers is already registered with another pin"),
        20: (404, "Group and number mapping doesn't exist"),
        22: (410, "This greenvn is already deleted"),
        23: (400, "An invalid date range was provided in the query"),
        50: (422, "An invalid call flow is configured"),
    }

    # A bare HTTP status (routing errors, faults naming only a status) -> the code that best describes it.
    by_status: ClassVar[Mapping[int, int]] = {
        400: 5, 401: 7, 403: 8, 404: 1, 405: 5, 409: 18, 410: 22, 413: 5, 415: 5, 422: 50, 429: 17, 452: 4,
        499: 0, 500: 0,
    }
    # Statuses the page names in its status list but Appendix 1 gives no code of their own.
    status_messages: ClassVar[Mapping[int, str]] = {
        429: "Too many requests",  # the code list's wording for 17 (the opt-in rate limit answers 429/17)
        499: "Response timeout exceeded",
    }

    @classmethod
    def from_status(cls, status: int | None, code: int | None = None,
                    message: str | None = None) -> "ExoBridgeError":
        """Given a code: its documented status and message; given a status: the code that fits it."""
        if code is None:
            code = cls.by_status.get(status, 5 if status < 500 else 0) if status is not None else 0
        documented = cls.codes.get(code)
        if status is None:
            status = documented[0] if documented else 500
        if message is None:
            if status in cls.status_messages and (documented is None or documented[0] != status):
                message = cls.status_messages[status]
            elif documented is not None:
                message = documented[1]
        return cls(status, message, code)

    @classmethod
    def invalid(cls, messages: Any, missing: bool = False) -> "ExoBridgeError":
        """Schema failures: only absent fields are 3; bad numbers 16, bad regions 15; anything else 5."""
        if missing:
            return cls.of(Code.MISSING_PARAMETER)
        texts = set(_texts(messages))
        for code in (Code.INVALID_NUMBER, Code.UNSUPPORTED_REGION):
            if texts == {cls.codes[code][1]}:
                return cls.of(code)
        return cls.of(Code.BAD_PARAMETER)

    @classmethod
    def refusal(cls, refused: Refused) -> "ExoBridgeError":
        """Every refusal is an Appendix 1 code, with its documented status and message."""
        if isinstance(refused, Invalid):
            return cls.invalid(refused.messages, refused.missing)
        reason = refused.reason
        code = reason if isinstance(reason, Code) else FROM_REASON.get(reason, Code.BAD_PARAMETER)
        return cls.of(code)

    def body(self) -> dict:
        return {"success": False, "status": self.status, "code": self.code, "message": self.message, "data": None}

    statuses: ClassVar[tuple[int, ...]] = (400, 401, 403, 404, 405, 409, 410, 413, 422, 429, 452)

    @classmethod
    def schema(cls, status: int | None = None) -> dict:
        """``body()``: for a ``status``, the codes documented with it (or that stand for it) and their messages."""
        codes = sorted({c for c, (s, _) in cls.codes.items() if status in (None, s)}
                       | ({cls.by_status[status]} if status is not None and status in cls.by_status else set()))
        messages = [cls.codes[c][1] for c in codes] + [m for s, m in cls.status_messages.items() if status in (None, s)]
        return {"type": "object", "required": ["success", "status", "code", "message", "data"],
                "additionalProperties": False, "properties": {
                    "success": {"const": False},
                    "status": status_schema(status),
                    "code": {"enum": codes},
                    "message": {"enum": list(dict.fromkeys(messages))},
                    "data": {"type": "null"},
                }}


def _texts(messages: Any):
    """Every message string in marshmallow's nested error structure."""
    if isinstance(messages, Mapping):
        for value in messages.values():
            yield from _texts(value)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            yield from _texts(value)
    else:
        yield str(messages)
