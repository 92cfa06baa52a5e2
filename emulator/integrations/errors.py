"""The integrations error envelope: the HTTP status is the whole story (the page documents no codes)."""

from __future__ import annotations

import uuid
from typing import ClassVar, Mapping

from emulator.core.errors import ApiError


class IntegrationsError(ApiError):
    """The integrations envelope: ``{"RequestId", "Status": "Failure", "Code": <http>, "Error", "Data": null}``."""

    # The descriptions the page's status tables give; any other status says its HTTP reason phrase.
    messages: ClassVar[Mapping[int, str]] = {
        400: "Bad request. Check the input parameters.",
        401: "Unauthorized. Check the entity id and secret.",
        500: "Internal server error.",
    }

    @classmethod
    def from_status(cls, status: int, code: int | None = None, message: str | None = None) -> "IntegrationsError":
        # The family documents no error codes: the HTTP status is the whole story (and goes in "Code").
        return cls(status, message or cls.messages.get(status))

    def body(self) -> dict:
        return {"RequestId": str(uuid.uuid4()), "Status": "Failure", "Code": self.status, "Error": self.message,
                "Data": None}
