"""The voice family's control endpoints, as ``ControlClient`` methods, and its control CLI command."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from emulator.control.client import FamilyClient
from emulator.control.commands import Command


class VoiceClient(FamilyClient):
    def script_number(self, sid: str, number: str, **script: Any) -> dict:
        """How ``number`` behaves for ``sid``'s calls and SMS and what ``Numbers/<number>`` says of it: any
        of call, ring_seconds, talk_seconds, answered_by, sms, sms_code, dnd, circle, operator, type
        (None puts one back to its default)."""
        return self.call("PUT", f"/accounts/{sid}/numbers/{quote(number)}", script)

    def number_script(self, sid: str, number: str) -> dict:
        return self.call("GET", f"/accounts/{sid}/numbers/{quote(number)}")

    def forget_number(self, sid: str, number: str) -> dict:
        """Back to the defaults for that number."""
        return self.call("DELETE", f"/accounts/{sid}/numbers/{quote(number)}")

    def configure_sms(self, sid: str, sender_ids: list[str] | None = None,
                      dlt_templates: dict[str, str] | None = None) -> dict:
        """The account's sender IDs and DLT templates (``{#var#}`` matches any text); None keeps them."""
        body: dict[str, Any] = {}
        if sender_ids is not None:
            body["sender_ids"] = sender_ids
        if dlt_templates is not None:
            body["dlt_templates"] = dlt_templates
        return self.call("PUT", f"/accounts/{sid}/sms", body)

    def sms_config(self, sid: str) -> dict:
        return self.call("GET", f"/accounts/{sid}/sms")

    # ---- call flows ------------------------------------------------------------------------------------

    def define_flow(self, sid: str, app_id: str | int, applets: list[dict], url_timeout: float | None = None) -> dict:
        """Defines (or replaces) a flow: ``applets`` as ``PUT /_emulator/accounts/<sid>/flows/<app_id>``
        takes them; answers the flow with its ``url`` (what an ExoPhone's VoiceUrl names it by)."""
        body: dict[str, Any] = {"applets": applets}
        if url_timeout is not None:
            body["url_timeout"] = url_timeout
        return self.call("PUT", f"/accounts/{sid}/flows/{app_id}", body)

    def flow(self, sid: str, app_id: str | int) -> dict:
        return self.call("GET", f"/accounts/{sid}/flows/{app_id}")

    def flows(self, sid: str) -> list[dict]:
        return self.call("GET", f"/accounts/{sid}/flows")["flows"]

    def delete_flow(self, sid: str, app_id: str | int) -> dict:
        return self.call("DELETE", f"/accounts/{sid}/flows/{app_id}")

    def incoming_call(self, sid: str, from_: str, to: str, digits: str | None = None,
                      hangup_after: int | None = None) -> dict:
        """A caller (``from_``) dials the ExoPhone ``to``; the flow its VoiceUrl names runs. Answers
        ``{"call_sid", "app_id", "status"}``."""
        body: dict[str, Any] = {"from": from_, "to": to}
        if digits is not None:
            body["digits"] = digits
        if hangup_after is not None:
            body["hangup_after"] = hangup_after
        return self.call("POST", f"/accounts/{sid}/calls/incoming", body)

    def calls(self, sid: str, page: int = 0, page_size: int = 100) -> list[dict]:
        """The account's calls, newest first, as call details show them."""
        return self.call("GET", f"/accounts/{sid}/calls", params={"page": page, "page_size": page_size})["calls"]

    def messages(self, sid: str, page: int = 0, page_size: int = 100) -> list[dict]:
        """The account's SMS, newest first, as SMS details show them."""
        return self.call("GET", f"/accounts/{sid}/messages",
                         params={"page": page, "page_size": page_size})["messages"]

    def call_state(self, sid: str, call_sid: str) -> dict:
        """Where a call is in its flow, and why it ended."""
        return self.call("GET", f"/accounts/{sid}/calls/{call_sid}")


def _incoming(client, args) -> dict:
    return client.incoming_call(args.sid, args.from_, args.to, digits=args.digits, hangup_after=args.hangup_after)


COMMANDS = (Command(
    group="call", name="incoming", help="a caller dials an ExoPhone: the flow its VoiceUrl names runs",
    arguments=(
        (("--sid",), {"default": "exotel_emulator", "help": "the account (default exotel_emulator)"}),
        (("--from",), {"dest": "from_", "required": True, "help": "the caller's number"}),
        (("--to",), {"required": True, "help": "the ExoPhone dialled"}),
        (("--digits",), {"help": "the keys the caller presses when a gather asks, e.g. 1 or 12#"}),
        (("--hangup-after",), {"type": int, "help": "seconds after which the caller hangs up"}),
    ),
    epilog="Then `exotel-emulator clock advance 1m` runs the flow; `callbacks` shows its requests.",
    run=_incoming,
),)
