"""The control API's envelope."""

from __future__ import annotations

from emulator.core.errors import ApiError, status_schema


class ControlError(ApiError):
    """The control API's own envelope: ``{"status": <http>, "error": <message>}``."""

    def body(self) -> dict:
        return {"status": self.status, "error": self.message}

    @classmethod
    def schema(cls, status: int | None = None) -> dict:
        return {"type": "object", "required": ["status", "error"], "additionalProperties": False,
                "properties": {"status": status_schema(status), "error": {"type": "string"}}}
