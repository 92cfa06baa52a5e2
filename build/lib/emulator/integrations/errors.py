from __future__ import annotations

import uuid

from emulator.core.errors import ApiError


class IntegrationsError(ApiError):
    """The integrations envelope: ``{"RequestId", "Status": "Failure", "Code": <http>, "Error", "Data": null}``."""

    def body(self) -> dict:
        return {"RequestId": str(uuid.uuid4()), "Status": "Failure", "Code": self.status, "Error": self.message,
                "Data": None}
