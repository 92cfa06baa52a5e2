"""The integrations control endpoints, as ``ControlClient`` methods."""

from __future__ import annotations

from typing import Any

from emulator.control.client import FamilyClient


class IntegrationsClient(FamilyClient):
    def create_integrations_customer(self, Id: str, Secret: str, CustomerName: str, Email: str) -> dict:
        return self.call("POST", "/integrations/customers",
                         {"Id": Id, "Secret": Secret, "CustomerName": CustomerName, "Email": Email})

    def simulate_outbound_call(self, app_id: str, AppUserID: str, ToNumber: str, FromNumber: str | None = None,
                               **extra: Any) -> dict:
        body = {"AppUserID": AppUserID, "ToNumber": ToNumber, **extra}
        if FromNumber is not None:
            body["FromNumber"] = FromNumber
        return self.call("POST", f"/integrations/apps/{app_id}/outbound_calls", body)
