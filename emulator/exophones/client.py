"""ExoPhones' control endpoints, as ``ControlClient`` methods."""

from __future__ import annotations

from emulator.control.client import FamilyClient


class ExoPhonesClient(FamilyClient):
    def exophones(self, sid: str, page: int = 0, page_size: int = 100) -> list[dict]:
        """One page of the account's ExoPhones, in purchase order, as v2 shows them."""
        return self.call("GET", f"/accounts/{sid}/exophones",
                         params={"page": page, "page_size": page_size})["exophones"]

    def set_connectivity(self, sid: str, exophone_sid: str, incoming_call: dict | None = None,
                         outgoing_call: dict | None = None) -> dict:
        """Scripts the v2 ``connectivity`` block of one ExoPhone: ``{"status", "alternate_exophone"}`` each."""
        body = {k: v for k, v in (("incoming_call", incoming_call), ("outgoing_call", outgoing_call)) if v}
        return self.call("PUT", f"/accounts/{sid}/exophones/{exophone_sid}/connectivity", body)
