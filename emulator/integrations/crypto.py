"""``SipSecret`` as the vendor's web SDK expects it: hex(16-byte IV) + hex(AES-256-CFB ciphertext).

CFB uses 128-bit segments and no padding, so the ciphertext is as long as the secret. ``cryptography`` is
imported on first use: most runs never encrypt a secret, and start-up time matters.
"""

from __future__ import annotations

import os
from typing import Mapping

# The key the SDK ships with (32 ASCII bytes: AES-256); the app config key INTEGRATIONS_SIP_KEY replaces it.
DEFAULT_KEY = b"change this password to a secret"
CONFIG_KEY = "INTEGRATIONS_SIP_KEY"


def sip_key(config: Mapping) -> bytes:
    """The configured key as bytes; a wrong length stops start-up rather than the first request."""
    key = config.get(CONFIG_KEY) or DEFAULT_KEY
    key = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(key) != 32:
        raise ValueError(f"{CONFIG_KEY} must be 32 bytes (AES-256), got {len(key)}")
    return key


def _cipher(key: bytes, iv: bytes):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

    try:  # cryptography >= 47 keeps CFB among the "decrepit" modes
        from cryptography.hazmat.decrepit.ciphers.modes import CFB
    except ImportError:  # pragma: no cover - older cryptography
        from cryptography.hazmat.primitives.ciphers.modes import CFB
    return Cipher(algorithms.AES(key), CFB(iv))


def encrypt(secret: str, key: bytes) -> str:
    iv = os.urandom(16)  # a fresh IV per response, as the vendor's service does
    encryptor = _cipher(key, iv).encryptor()
    return iv.hex() + (encryptor.update(secret.encode("utf-8")) + encryptor.finalize()).hex()


def decrypt(text: str, key: bytes) -> str:
    """What the SDK does with ``encrypt``'s output (tests use it to check the round trip)."""
    raw = bytes.fromhex(text)
    decryptor = _cipher(key, raw[:16]).decryptor()
    return (decryptor.update(raw[16:]) + decryptor.finalize()).decode("utf-8")
