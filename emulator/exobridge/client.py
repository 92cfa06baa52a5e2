"""ExoBridge's control endpoints, as ``ControlClient`` methods."""

from __future__ import annotations

from typing import Any

from emulator.control.client import FamilyClient
from emulator.control.commands import Command


class ExoBridgeClient(FamilyClient):
    def configure_exobridge(self, sid: str, **settings: Any) -> dict:
        """Any subset of vn_pool, vn_regions, flows, default_deallocation, insights, callbacks."""
        return self.call("PUT", f"/accounts/{sid}/exobridge", settings)

    def allocations(self, sid: str, state: str | None = None, page: int = 0, page_size: int = 100) -> list[dict]:
        """One page of the tenant's allocations in creation order; ``state`` "active" or "vault"."""
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        if state is not None:
            params["state"] = state
        return self.call("GET", f"/accounts/{sid}/exobridge/allocations", params=params)["allocations"]

    def simulate_exobridge_call(self, sid: str, greenvn: str, from_: str, pin: str | int | None = None,
                                dial_call_status: str | None = None, duration: int | None = None) -> dict:
        body: dict[str, Any] = {"greenvn": greenvn, "from": from_}
        for name, value in (("pin", pin), ("dial_call_status", dial_call_status), ("duration", duration)):
            if value is not None:
                body[name] = value
        return self.call("POST", f"/accounts/{sid}/exobridge/calls", body)


def _call(client, args) -> dict:
    return client.simulate_exobridge_call(args.sid, args.greenvn, args.from_, pin=args.pin,
                                          dial_call_status=args.status, duration=args.duration)


COMMANDS = (Command(
    group="call", name="exobridge", help="a call landing on a GreenVN, routed as ExoBridge would route it",
    arguments=(
        (("--sid",), {"default": "exotel_emulator", "help": "the tenant (default exotel_emulator)"}),
        (("--greenvn",), {"required": True, "help": "the VN dialled, E.164"}),
        (("--from",), {"dest": "from_", "required": True, "help": "the caller, E.164"}),
        (("--pin",), {"help": "the pin the caller keys in"}),
        (("--status",), {"help": "dial_call_status: completed (default), busy, no-answer, failed, canceled"}),
        (("--duration",), {"type": int, "help": "seconds of conversation (default 30)"}),
    ),
    run=_call,
),)
