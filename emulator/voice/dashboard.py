"""Voice and SMS on the QA dashboard: the account's calls, messages and flows; incoming calls and scripting
how a number answers calls and SMS."""

from __future__ import annotations

from emulator.core.panels import Action, Column, Field, Panel, View

CALLS = Panel("calls", "Calls", "/accounts/{sid}/calls", rows="calls", key="Sid", paged=True,
              empty="No call on this account yet.", columns=(
                  Column("DateCreated", "Created"), Column("Direction", "Direction"), Column("From", "From"),
                  Column("To", "To"), Column("PhoneNumberSid", "ExoPhone"), Column("Status", "Status"),
                  Column("Duration", "Duration"), Column("Price", "Price"), Column("Sid", "Sid")))

MESSAGES = Panel("messages", "SMS", "/accounts/{sid}/messages", rows="messages", key="Sid", paged=True,
                 empty="No SMS on this account yet.", columns=(
                     Column("DateCreated", "Created"), Column("From", "From"), Column("To", "To"),
                     Column("Status", "Status"), Column("DetailedStatus", "Detailed status"),
                     Column("SmsUnits", "Units"), Column("Body", "Body"), Column("Sid", "Sid")))

FLOWS = Panel("flows", "Call flows", "/accounts/{sid}/flows", rows="flows", key="app_id",
              empty="No call flow on this account.", columns=(
                  Column("app_id", "App id"), Column("url", "Flow URL"), Column("applets", "Applets")))

DASHBOARD = (View("voice", "Voice and SMS", panels=(CALLS, MESSAGES, FLOWS), actions=(
    Action("Simulate an incoming call", "POST", "/accounts/{sid}/calls/incoming", fields=(
        Field("from", "Caller", required=True, placeholder="09876543210"),
        Field("to", "ExoPhone dialled", required=True, placeholder="01139585476"),
        Field("digits", "Digits keyed", placeholder="1"),
        Field("hangup_after", "Caller hangs up after (s)", kind="number"))),
    Action("Script a number", "PUT", "/accounts/{sid}/numbers/{number}", fields=(
        Field("number", "Number", required=True, placeholder="09876543210"),
        Field("call", "Answers calls", kind="select", choices=("", "answer", "busy", "no-answer", "failed")),
        Field("ring_seconds", "Rings for (s)", kind="number"),
        Field("talk_seconds", "Talks for (s)", kind="number"),
        Field("answered_by", "Answered by", kind="select", choices=("", "Human", "Machine")),
        Field("sms", "SMS outcome", kind="select", choices=("", "sent", "failed_dnd", "failed")),
        Field("sms_code", "SMS failure code", kind="number", placeholder="23010"),
        Field("dnd", "DND", kind="boolean"),
        Field("digits", "Keys it presses", placeholder="1"))),
)),)
