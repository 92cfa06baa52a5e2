"""ExoPhones on the QA dashboard: the account's numbers and their v2 connectivity."""

from __future__ import annotations

from emulator.core.panels import Action, Column, Field, Panel, View
from emulator.exophones.models import CONNECTIVITY

EXOPHONES = Panel("exophones", "ExoPhones", "/accounts/{sid}/exophones", rows="exophones", key="sid", paged=True,
                  empty="This account owns no ExoPhones.", columns=(
                      Column("phone_number", "Number"), Column("friendly_name", "Friendly name"),
                      Column("number_type", "Type"), Column("region", "Region"), Column("voice_url", "Voice URL"),
                      Column("sms_url", "SMS URL"), Column("connectivity.incoming_call.status", "Incoming"),
                      Column("connectivity.outgoing_call.status", "Outgoing"), Column("sid", "Sid")))

DASHBOARD = (View("exophones", "ExoPhones", panels=(EXOPHONES,), actions=(
    Action("Set connectivity", "PUT", "/accounts/{sid}/exophones/{exophone_sid}/connectivity", fields=(
        Field("exophone_sid", "ExoPhone", kind="row", rows="exophones", shown="phone_number", required=True),
        Field("incoming_call.status", "Incoming calls", kind="select", choices=("", *CONNECTIVITY)),
        Field("incoming_call.alternate_exophone", "Incoming alternates", kind="list", placeholder="+91..., +91..."),
        Field("outgoing_call.status", "Outgoing calls", kind="select", choices=("", *CONNECTIVITY)),
        Field("outgoing_call.alternate_exophone", "Outgoing alternates", kind="list"))),
)),)
