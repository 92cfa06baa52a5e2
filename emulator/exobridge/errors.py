from __future__ import annotations

from emulator.core.errors import ApiError


class ExoBridgeError(ApiError):
    """ExoBridge's envelope: ``{"success": false, "status", "code", "message", "data": null}``."""

    def body(self) -> dict:
        return {"success": False, "status": self.status, "code": self.code, "message": self.message, "data": None}
