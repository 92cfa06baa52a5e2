"""The classic v1 envelope, ``RestException`` with ``Status`` and ``Message``, in the request's encoding,
and the documented messages refusals map to (in one place, ``VoiceError.refusal``)."""

from __future__ import annotations

import math
from enum import Enum
from typing import Any, ClassVar, Mapping

from emulator.core.errors import STATUS, ApiError, Invalid, Refused, describe, reason, status_schema


class Code(Enum):
    """The documented error messages, by what they mean: (HTTP status, message template)."""

    INVALID_PARAMETERS = (400, "Invalid Parameters")
    INVALID_RECIPIENT = (400, "Invalid Recipient [{}]")
    NDNC = (403, "Call to [{}] cannot be made because of TRAI NDNC regulations")
    TOO_MANY_REQUESTS = (429, "Too Many Requests")

    def text(self, *args: Any) -> str:
        return self.value[1].format(*args)


class Throttled(Refused):
    """A production rate limit (calls or SMS a minute) was reached; ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: float):
        super().__init__(Code.TOO_MANY_REQUESTS, Code.TOO_MANY_REQUESTS.text())
        self.retry_after = retry_after


# The texts for a bare status: the documented ones (the SMS errors list, the HTTP status codes page, word
# for word, curly apostrophes included), else the HTTP phrase.
MESSAGES: Mapping[int, str] = {
    400: "Invalid Parameters",
    401: "Authentication failed. Invalid API Key or Token.",
    402: "Payment Required - The action is not available on your plan, or you have exceeded usage limits for "
         "your current plan.",
    403: "Your credentials are valid, but you don’t have access to the requested resource.",
    404: "Not Found - The object you’re requesting doesn’t exist.",
    409: "Conflict - You might be trying to update the same resource concurrently.",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


DETAIL_HEADER = "X-Emulator-Detail"


class VoiceError(ApiError):
    """``{"RestException": {"Status", "Message"}}``; the pages document no codes for it."""

    def __init__(self, status: int, message: str | None = None, code: int | None = None,
                 detail: str | None = None, retry_after: float | None = None):
        super().__init__(status, message or MESSAGES.get(status, reason(status)), code)
        self.detail = detail  # what exactly failed, in a header: the documented Message stays as documented
        self.retry_after = retry_after

    @classmethod
    def from_status(cls, status: int, code: int | None = None, message: str | None = None) -> "VoiceError":
        return cls(status, message)

    @classmethod
    def invalid(cls, messages: Any, missing: bool = False) -> "VoiceError":
        return cls(400, detail=describe(messages))

    @classmethod
    def refusal(cls, refused: Refused) -> "VoiceError":
        if isinstance(refused, Invalid):
            return cls.invalid(refused.messages, refused.missing)
        if isinstance(refused.reason, Code):
            status, _ = refused.reason.value
            retry = refused.retry_after if isinstance(refused, Throttled) else None
            return cls(status, refused.message or refused.reason.text(), retry_after=retry)
        # a core reason (credentials, an unknown call...): the documented text for its status
        return cls(STATUS.get(refused.reason, 400), detail=refused.message)

    def body(self) -> dict:
        return {"RestException": {"Status": self.status, "Message": self.message}}

    statuses: ClassVar[tuple[int, ...]] = ApiError.statuses + (429,)
    headers: ClassVar[Mapping[str, str]] = {
        DETAIL_HEADER: "what exactly failed (the documented Message stays as documented); the emulator's, not Exotel's"}

    @classmethod
    def schema(cls, status: int | None = None) -> dict:
        """``body()`` in JSON; in XML the same elements under ``<TwilioResponse>``."""
        return {"type": "object", "required": ["RestException"], "additionalProperties": False, "properties": {
            "RestException": {"type": "object", "required": ["Status", "Message"], "additionalProperties": False,
                              "properties": {"Status": status_schema(status), "Message": {"type": "string"}}}}}

    @classmethod
    def media_type(cls, path: str) -> str:
        from emulator.voice.wire import XML_TYPE, wants_json

        return "application/json" if wants_json(path) else XML_TYPE

    def response(self):
        from emulator.voice.wire import respond

        headers = {}
        if self.detail:
            headers[DETAIL_HEADER] = _header_safe(self.detail)
        if self.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return respond(self.body(), self.status, headers)



def _header_safe(text: str) -> str:
    """One line of latin-1 text, at most 500 characters: a header cannot carry more."""
    line = " ".join(text.split())[:500]
    if not line.isprintable():  # a control character a client sent (an escape in a sid) ends no header
        line = line.encode("unicode_escape").decode("ascii")[:500]
    return line.encode("latin-1", "replace").decode("latin-1")
