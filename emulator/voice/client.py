"""The voice family's control endpoints, as ``ControlClient`` methods."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from emulator.control.client import FamilyClient


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
