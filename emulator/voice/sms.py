"""SMS rules with no state: the documented status codes, SMS units, and DLT template matching."""

from __future__ import annotations

import math
import re

# DetailedStatusCode -> (Status, DetailedStatus), as the SMS status codes table lists them. The DND
# failure's Status is spelt ``failed_dnd`` as the status words article and the callback list spell it.
STATUS_CODES: dict[int, tuple[str, str]] = {
    21010: ("queued", "PENDING_TO_OPERATOR"),
    21015: ("sending", "SENDING_TO_OPERATOR"),
    21020: ("submitted", "PENDING_ON_OPERATOR"),
    20005: ("sent", "DELIVERED_TO_HANDSET"),
    20006: ("sent", "DELIVERED_TO_OPERATOR"),
    23005: ("failed_dnd", "FAILED_REJECTED_DND"),
    23020: ("failed", "FAILED_REJECTED_BLACKLIST"),
    23060: ("failed", "FAILED_REJECTED"),
    23010: ("failed", "FAILED_INVALID_DESTINATION_NUMBER"),
    23015: ("failed", "FAILED_SPAM_DETECTED"),
    23030: ("failed", "FAILED_UNAVAILABLE_ROUTE"),
    23035: ("failed", "FAILED_SUBSCRIBER_UNAVAILABLE"),
    23040: ("failed", "FAILED_SUBSCRIBER_UNKNOWN"),
    23050: ("failed", "FAILED_EXPIRED"),
    23072: ("failed", "FAILED_INVALID_SENDER_ID"),
    24105: ("failed", "FAILED_HANDSET_ERROR"),
    24110: ("failed", "FAILED_OPERATOR_ERROR"),
    24120: ("failed", "FAILED_SUBSCRIBER_ERROR"),
    24990: ("failed", "FAILED_UNKNOWN_ERROR"),
    24010: ("failed", "FAILED_SYSTEM_ERROR"),
    23070: ("failed", "FAILED_INVALID_MESSAGE"),
    23080: ("failed", "SENDER_BLOCKED_BY_DLT"),
    23081: ("failed", "ENTITY_BLOCKED_BY_DLT"),
    23082: ("failed", "TEMPLATE_BLOCKED_BY_DLT"),
    23083: ("failed", "FAILED_DLT_SCRUBBING_ERROR"),
    23084: ("failed", "FAILED_DLT_CONSENT_ERROR"),
    23181: ("failed", "DLT_TEMPLATE_ID_INVALID"),
    23182: ("failed", "DLT_TEMPLATE_NOT_FOUND"),
    23183: ("failed", "DLT_TEMPLATE_ID_INACTIVE"),
    23184: ("failed", "DLT_TEMPLATE_ID_BLACKLISTED"),
    23185: ("failed", "DLT_TEMPLATE_DOES_NOT_MATCH"),
    23186: ("failed", "DLT_LENGTH_EXCEEDED"),
    23281: ("failed", "DLT_ENTITY_NOT_FOUND"),
}
FAILURE_CODES = tuple(code for code, (status, _) in STATUS_CODES.items() if status == "failed")
QUEUED, SENDING, SUBMITTED, DELIVERED, DND = 21010, 21015, 21020, 20005, 23005
INVALID_NUMBER, TEMPLATE_NOT_FOUND, TEMPLATE_MISMATCH = 23010, 23182, 23185
# seconds after the send at which a message reaches each state: queued -> sending -> submitted -> final
PROGRESSION = ((1, SENDING), (2, SUBMITTED), (3, None))

# GSM 03.38: the basic set, and the extension characters that take two septets each
GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("^{}\\[~]|€\f")


def is_gsm(body: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENDED for c in body)


def encoding_of(body: str, requested: str | None) -> str:
    """``unicode`` when asked, or when the body has a character GSM-7 cannot carry; else ``plain``."""
    return "unicode" if requested == "unicode" or not is_gsm(body) else "plain"


def units(body: str, encoding: str) -> int:
    """Parts the body is sent in: 160 septets alone or 153 per part (GSM-7), 70 or 67 UTF-16 units."""
    if encoding == "plain":
        length = sum(2 if c in GSM_EXTENDED else 1 for c in body)
        single, part = 160, 153
    else:
        length = len(body.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if length <= single else math.ceil(length / part)


def template_pattern(template: str) -> re.Pattern:
    """A registered DLT template as a pattern: ``{#var#}`` stands for any text, the rest is literal."""
    parts = re.split(r"\{#var#\}", template, flags=re.IGNORECASE)
    return re.compile(r"(?s)" + ".*?".join(re.escape(p) for p in parts))


def matches(template: str, body: str) -> bool:
    return template_pattern(template).fullmatch(body) is not None
