"""Integrations on the QA dashboard: customers and apps, provisioning and simulated outbound calls."""

from __future__ import annotations

from emulator.core.panels import Action, Column, Field, Panel, View

CUSTOMERS = Panel("customers", "Customers", "/integrations/customers", rows="customers", key="CustomerID",
                  paged=True, empty="No customer.", columns=(
                      Column("CustomerName", "Name"), Column("Email", "Email"), Column("CustomerID", "Id"),
                      Column("CustomerSecret", "Secret"), Column("Apps", "Apps"), Column("CreatedAt", "Created")))

APPS = Panel("apps", "Apps", "/integrations/apps", rows="apps", key="AppID", paged=True, empty="No app.", columns=(
    Column("AppName", "Name"), Column("AppID", "Id"), Column("AppSecret", "Secret"), Column("CustomerID", "Customer"),
    Column("ExotelAccountSid", "Account"), Column("IsActive", "Active"), Column("Users", "Users"),
    Column("Settings", "Settings")))

DASHBOARD = (View("integrations", "Integrations", panels=(CUSTOMERS, APPS), actions=(
    Action("Simulate an outbound call", "POST", "/integrations/apps/{app_id}/outbound_calls", fields=(
        Field("app_id", "App", kind="row", rows="apps", shown="AppName", required=True),
        Field("AppUserID", "App user id", required=True),
        Field("ToNumber", "To", required=True, placeholder="+919812345678"),
        Field("CallStatus", "Call status", placeholder="completed"),
        Field("CallState", "Call state", placeholder="end"),
        Field("TotalDuration", "Duration (s)", kind="number"))),
    Action("Provision a customer", "POST", "/integrations/customers", fields=(
        Field("Id", "Id", required=True), Field("Secret", "Secret", required=True),
        Field("CustomerName", "Name", required=True), Field("Email", "Email", required=True))),
)),)
