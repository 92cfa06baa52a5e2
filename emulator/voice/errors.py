"""The classic v1 envelope, ``RestException`` with ``Status`` and ``Message``, in the request's encoding,
and the documented messages refusals map to (in one place, ``VoiceError.refusal``)."""

from __future__ import annotations

import math
from enum import Enum
from typing import Any, Mapping

from emulator.core.errors import STATUS, ApiError, Invalid, Refused, describe, reason


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

    def response(self):
        from emulator.voice.wire import respond

        headers = {}
        if self.detail:
            headers[DETAIL_HEADER] = _header_safe(self.detail)
        if self.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return respond(self.body(), self.status, headers)


DETAIL_HEADER = "X-Emulator-Detail"


def _header_safe(text: str) -> str:
    """One line of latin-1 text, at most 500 characters: a header cannot carry more."""
    line = " ".join(text.split())[:500]
    return line.encode("latin-1", "replace").decode("latin-1")
