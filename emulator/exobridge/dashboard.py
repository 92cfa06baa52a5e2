"""ExoBridge on the QA dashboard: the tenant's allocations and settings, simulated calls."""

from __future__ import annotations

from emulator.core.panels import Action, Column, Field, Panel, View
from emulator.exobridge.models import DIAL_STATUSES

ALLOCATIONS = Panel("allocations", "Allocations", "/accounts/{sid}/exobridge/allocations", rows="allocations",
                    key="greenvn_id", paged=True, empty="No allocation on this tenant.", columns=(
                        Column("greenvn", "GreenVN"), Column("connection_id", "Connection"),
                        Column("state", "State"), Column("usage", "Usage"), Column("aparty_numbers", "A party"),
                        Column("aparty_pins", "A pins"), Column("bparty_numbers", "B party"),
                        Column("bparty_pins", "B pins"), Column("expires_at", "Expires"),
                        Column("greenvn_id", "Id")))

SETTINGS = Panel("exobridge-settings", "Tenant settings", "/accounts/{sid}/exobridge", key="sid", columns=(
    Column("active_allocations", "Active allocations"), Column("default_deallocation", "Default deallocation"),
    Column("insights", "Insights"), Column("flows", "Flows"), Column("callbacks.call_event", "Call event URL"),
    Column("callbacks.deallocation", "Deallocation URL"),
    Column("callbacks.verification_success", "Verification success URL"),
    Column("callbacks.verification_failed", "Verification failed URL"), Column("vn_pool", "VN pool")))

DASHBOARD = (View("exobridge", "ExoBridge", panels=(ALLOCATIONS, SETTINGS), actions=(
    Action("Simulate a call", "POST", "/accounts/{sid}/exobridge/calls", fields=(
        Field("greenvn", "GreenVN", kind="row", rows="allocations", column="greenvn", required=True),
        Field("from", "Caller", required=True, placeholder="+919170006528"),
        Field("pin", "Pin keyed"),
        Field("dial_call_status", "Dial status", kind="select", choices=DIAL_STATUSES),
        Field("duration", "Duration (s)", kind="number", value="30"))),
    Action("Configure the tenant", "PUT", "/accounts/{sid}/exobridge", fields=(
        Field("callbacks.call_event", "Call event URL"),
        Field("callbacks.deallocation", "Deallocation URL"),
        Field("callbacks.verification_success", "Verification success URL"),
        Field("callbacks.verification_failed", "Verification failed URL"),
        Field("default_deallocation", "Default deallocation", placeholder="1d"),
        Field("insights", "Insights", kind="boolean"))),
)),)
