"""The core's part of the QA dashboard: accounts, the clock, faults, the callback log and the journal."""

from __future__ import annotations

from emulator.core.faults import HTTP_METHODS
from emulator.core.panels import Action, Column, Field, Panel, View

CLOCK = Panel("clock", "Clock", "/clock", key="now", columns=(
    Column("now", "Now"), Column("offset_seconds", "Ahead of real time (s)")))

ACCOUNTS = Panel("accounts", "Accounts", "/accounts", rows="accounts", key="sid", columns=(
    Column("sid", "Sid"), Column("api_key", "API key"), Column("api_token", "API token")))

FAULTS = Panel("faults", "Faults", "/faults", rows="faults", empty="No faults: every request gets its real answer.",
               columns=(Column("id", "Id"), Column("method", "Method"), Column("path", "Path"),
                        Column("account", "Account"), Column("status", "Status"), Column("code", "Code"),
                        Column("delay_ms", "Delay (ms)"), Column("drop", "Drop"), Column("hits", "Hits"),
                        Column("remaining", "Remaining")),
               row_actions=(Action("Remove", "DELETE", "/faults/{id}"),))

EMULATOR = View("emulator", "Emulator", order=0, panels=(CLOCK, ACCOUNTS, FAULTS), actions=(
    Action("Advance the clock", "POST", "/clock/advance", fields=(
        Field("seconds", "Seconds", kind="number", required=True, value="60"),)),
    Action("Reset", "POST", "/reset"),
    Action("Add a fault", "POST", "/faults", fields=(
        Field("path", "Path glob", required=True, placeholder="/v1/tenants/*/greenvn"),
        Field("method", "Method", kind="select", choices=("", *HTTP_METHODS)),
        Field("account", "Account sid"),
        Field("status", "HTTP status", kind="number", placeholder="500"),
        Field("code", "Error code", kind="number"),
        Field("times", "Times", kind="number", placeholder="every time"),
        Field("delay_ms", "Delay (ms)", kind="number"),
        Field("drop", "Drop the connection", kind="boolean"))),
    Action("Remove all faults", "DELETE", "/faults"),
    Action("Create an account", "POST", "/accounts", fields=(
        Field("sid", "New sid", required=True), Field("api_key", "API key", required=True),
        Field("api_token", "API token", required=True))),
))

CALLBACKS = View("callbacks", "Callbacks", order=90, panels=(
    Panel("callbacks", "Callback log", "/callbacks?limit=100", rows="callbacks", newest_first=True,
          empty="No callback sent yet.",
          columns=(Column("id", "Id"), Column("created_at", "Sent"), Column("event", "Event"),
                   Column("account", "Account"), Column("url", "URL"),
                   Column("state", "State"), Column("attempts", "Attempts"), Column("status_code", "Answer"),
                   Column("error", "Error"))),))

REQUESTS = View("requests", "Requests", order=91, panels=(
    Panel("requests", "Request journal", "/requests?limit=50", rows="requests", newest_first=True,
          empty="No request to the vendor API yet.",
          columns=(Column("id", "Id"), Column("time", "Time"), Column("method", "Method"), Column("path", "Path"),
                   Column("account", "Account"), Column("status", "Status"), Column("fault", "Fault"),
                   Column("duration_ms", "ms"))),))

DASHBOARD = (EMULATOR, CALLBACKS, REQUESTS)
