"""Phone numbers as this API takes and shows them, and number metadata (circle, operator, type, DND).

In: E.164 (``+919876543210``), 0-prefixed national (``09876543210``), 10 bare digits, or ``91`` and 10
digits; all mean ``+919876543210``, the form kept in state. Out: Indian numbers 0-prefixed national, as
every captured response shows; others stay E.164.
"""

from __future__ import annotations

import re
import threading
import zlib
from typing import Any

from emulator.core.e164 import E164_RE

INDIAN = re.compile(r"^\+91[1-9]\d{9}$")

# Two-character telecom circle codes and their names, as the number metadata page lists them.
CIRCLES = {
    "AP": "Andhra Pradesh", "AS": "Assam", "BR": "Bihar", "CH": "Chennai", "DL": "Delhi", "GJ": "Gujarat",
    "HP": "Himachal Pradesh", "HR": "Haryana", "JK": "Jammu & Kashmir", "KL": "Kerala", "KA": "Karnataka",
    "KO": "Kolkata", "MH": "Maharashtra", "MP": "Madhya Pradesh", "MU": "Mumbai", "NE": "North East",
    "OR": "Orissa", "PB": "Punjab", "RJ": "Rajasthan", "TN": "Tamil Nadu", "UE": "UP (East)", "UW": "UP (West)",
    "WB": "West Bengal",
}
# Operator codes and names, as the number metadata page lists them.
OPERATORS = {
    "AC": "Aircel", "A": "Airtel", "AL": "Allianz", "B": "BSNL", "D": "Dishnet", "E": "Etisalat", "H": "HFCL",
    "I": "Idea", "LO": "Loop", "MT": "MTNL", "P": "Ping", "R": "Reliance", "S": "Sistema", "ST": "S Tel",
    "T": "Tata", "U": "Unitech", "VI": "Videocon", "V": "Vodafone",
}
# What generated metadata picks from: the operators and circles a number is most likely to have today.
COMMON_OPERATORS = ("A", "V", "I", "R", "B", "T")
# Landline STD codes of the metros -> their circle (other landlines get a seeded circle like mobiles).
STD_CIRCLES = {"11": "DL", "22": "MU", "33": "KO", "44": "CH", "40": "AP", "80": "KA", "79": "GJ", "20": "MH"}


def parse(value: str) -> str | None:
    """The E.164 form of a number in any accepted spelling, or None if it is not a phone number."""
    text = value.strip().replace(" ", "").replace("-", "")
    if text.startswith("+"):
        return text if E164_RE.match(text) else None
    if not text.isdigit():
        return None
    if len(text) == 11 and text[0] == "0":
        text = text[1:]
    elif len(text) == 12 and text.startswith("91"):
        text = text[2:]
    if len(text) == 10 and text[0] != "0":
        return "+91" + text
    return None


def national(number: str | None) -> str | None:
    """``09876543210`` for ``+919876543210``; a number outside India stays E.164."""
    if number is None:
        return None
    return "0" + number[3:] if number.startswith("+91") else number


def is_indian(number: str) -> bool:
    return INDIAN.match(number) is not None


def number_type(number: str) -> str:
    """Mobiles are ten digits from 6-9, save the Ahmedabad (79) and Bengaluru (80) landline codes that most
    ExoPhones come from; the rest are landlines."""
    digits = number[3:]
    return "Mobile" if digits[0] in "6789" and digits[:2] not in ("79", "80") else "Landline"


def generated(number: str, seed: int) -> dict:
    """The metadata of a number nobody scripted: the same seed and number always give the same answer.

    Seeded Faker, as the ExoPhones inventories are; DND is ``No`` unless a script or fixture says
    otherwise, so an arbitrary test number is never refused for it.
    """
    kind = number_type(number)
    with _lock:  # one shared generator: seeding and drawing must not interleave between threads
        fake = _faker()
        fake.seed_instance(zlib.crc32(f"{seed}:{number}".encode()))
        circle = (STD_CIRCLES.get(number[3:5]) if kind == "Landline" else None) or fake.random_element(
            sorted(CIRCLES))
        operator = "B" if kind == "Landline" and fake.boolean(60) else fake.random_element(COMMON_OPERATORS)
    return {"circle": circle, "operator": operator, "type": kind, "dnd": False}


_lock = threading.Lock()
_fake: Any = None


def _faker() -> Any:
    global _fake
    if _fake is None:
        from faker import Faker  # heavy: imported on the first metadata lookup, not at start-up

        _fake = Faker()
    return _fake
