"""The two ExoPhones envelopes: v2_beta's classic ``RestException`` and v2's response blocks.

The model refuses with core ``Reason``s and a message; ``RestException`` shows the message, and v2 its
``error_data`` codes below.
"""

from __future__ import annotations

import uuid
from typing import ClassVar, Mapping

from flask import request

from emulator.core.errors import ApiError, Reason, Refused, describe, status_schema


class RestException(ApiError):
    """v2_beta (and any path no family owns): ``{"RestException": {"Status", "Message", "Code"}}``."""

    any_code = True  # Exotel's classic API has many numeric codes; the pages list none

    def body(self) -> dict:
        return {"RestException": {"Status": self.status, "Message": self.message, "Code": self.code}}

    statuses: ClassVar[tuple[int, ...]] = ApiError.statuses + (429,)

    @classmethod
    def schema(cls, status: int | None = None) -> dict:
        inner = {"type": "object", "required": ["Status", "Message", "Code"], "additionalProperties": False,
                 "properties": {"Status": status_schema(status), "Message": {"type": "string"},
                                "Code": {"type": ["integer", "null"]}}}
        return {"type": "object", "required": ["RestException"], "additionalProperties": False,
                "properties": {"RestException": inner}}


class V2Error(ApiError):
    """v2: the request envelope with one failed response block carrying ``error_data``."""

    # error_data.code -> (http status, description). 1000 is the documented not-found block; 1010 is
    # Exotel's documented v2 "Authentication failed"; the rest are the emulator's choices (docs/fidelity.md).
    codes: ClassVar[Mapping[int, tuple[int, str]]] = {
        1000: (404, "Not Found"),
        1001: (400, "Bad Request"),
        1010: (401, "Authentication failed"),
        1011: (403, "Forbidden"),
        1002: (405, "Method Not Allowed"),
        1003: (413, "Request Entity Too Large"),
        1004: (429, "Too Many Requests"),
        1005: (500, "Internal Server Error"),
    }
    by_status: ClassVar[Mapping[int, int]] = {status: code for code, (status, _) in codes.items()}

    @classmethod
    def from_status(cls, status: int, code: int | None = None, message: str | None = None) -> "V2Error":
        code = code if code is not None else cls.by_status.get(status, cls.by_status[400 if status < 500 else 500])
        return cls(status, message or (cls.codes[code][1] if code in cls.codes else None), code)

    @classmethod
    def invalid(cls, messages, missing: bool = False) -> "V2Error":
        return cls(400, describe(messages), 1001)

    @classmethod
    def refusal(cls, refused: Refused) -> "V2Error":
        # the not-found block is documented word for word ("Not Found" twice); other errors say what failed
        if refused.reason is Reason.NOT_FOUND:
            return cls.from_status(404)
        return super().refusal(refused)

    def __init__(self, status: int, message: str | None = None, code: int | None = None):
        super().__init__(status, message, code if code is not None else self.by_status.get(status, 1001))

    statuses: ClassVar[tuple[int, ...]] = ApiError.statuses + (429,)

    @classmethod
    def schema(cls, status: int | None = None) -> dict:
        """``body()``: one failed block whose ``error_data.code`` is the one documented for ``status``."""
        codes = sorted(c for c, (s, _) in cls.codes.items() if status in (None, s)) or [cls.by_status[400]]
        return {"type": "object", "required": ["request_id", "method", "http_code", "response"],
                "additionalProperties": False, "properties": {
                    "request_id": {"type": "string"},
                    "method": {"type": "string"},
                    "http_code": status_schema(status),
                    "response": {"type": "array", "minItems": 1, "maxItems": 1, "items": {
                        "type": "object", "required": ["code", "error_data", "status", "data"],
                        "additionalProperties": False, "properties": {
                            "code": status_schema(status),
                            "error_data": {"type": "object", "required": ["code", "description", "message"],
                                           "additionalProperties": False, "properties": {
                                               "code": {"enum": codes}, "description": {"type": "string"},
                                               "message": {"type": "string"}}},
                            "status": {"const": "failure"},
                            "data": {"type": "null"}}}},
                }}

    def body(self) -> dict:
        description = self.codes[self.code][1] if self.code is not None and self.code in self.codes else self.message
        return {
            "request_id": uuid.uuid4().hex,
            "method": request.method,
            "http_code": self.status,
            "response": [{  # a block's keys in the documented order, as in a success
                "code": self.status,
                "error_data": {"code": self.code, "description": description, "message": self.message},
                "status": "failure",
                "data": None,
            }],
        }
