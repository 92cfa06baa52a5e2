"""The control API's envelope."""

from __future__ import annotations

from emulator.core.errors import ApiError


class ControlError(ApiError):
    """The control API's own envelope: ``{"status": <http>, "error": <message>}``."""

    def body(self) -> dict:
        return {"status": self.status, "error": self.message}
