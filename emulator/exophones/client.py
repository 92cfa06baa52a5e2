"""ExoPhones' control endpoints, as ``ControlClient`` methods."""

from __future__ import annotations

from emulator.control.client import FamilyClient


class ExoPhonesClient(FamilyClient):
    def set_connectivity(self, sid: str, exophone_sid: str, incoming_call: dict | None = None,
                         outgoing_call: dict | None = None) -> dict:
        """Scripts the v2 ``connectivity`` block of one ExoPhone: ``{"status", "alternate_exophone"}`` each."""
        body = {k: v for k, v in (("incoming_call", incoming_call), ("outgoing_call", outgoing_call)) if v}
        return self.call("PUT", f"/accounts/{sid}/exophones/{exophone_sid}/connectivity", body)
