"""The integrations control endpoints, as ``ControlClient`` methods."""

from __future__ import annotations

from typing import Any

from emulator.control.client import FamilyClient


class IntegrationsClient(FamilyClient):
    def create_integrations_customer(self, Id: str, Secret: str, CustomerName: str, Email: str) -> dict:
        return self.call("POST", "/integrations/customers",
                         {"Id": Id, "Secret": Secret, "CustomerName": CustomerName, "Email": Email})

    def integrations_customers(self, page: int = 0, page_size: int = 100) -> list[dict]:
        """One page of the customers in creation order, each with its apps' ids."""
        return self.call("GET", "/integrations/customers", params={"page": page, "page_size": page_size})["customers"]

    def integrations_apps(self, customer: str | None = None, page: int = 0, page_size: int = 100) -> list[dict]:
        """One page of the apps (of ``customer``, a CustomerID, or all) with their secrets, settings and users."""
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        if customer is not None:
            params["customer"] = customer
        return self.call("GET", "/integrations/apps", params=params)["apps"]

    def simulate_outbound_call(self, app_id: str, AppUserID: str, ToNumber: str, FromNumber: str | None = None,
                               **extra: Any) -> dict:
        body = {"AppUserID": AppUserID, "ToNumber": ToNumber, **extra}
        if FromNumber is not None:
            body["FromNumber"] = FromNumber
        return self.call("POST", f"/integrations/apps/{app_id}/outbound_calls", body)
