"""The recording a call with ``Record=true`` serves: one second of silence as a real MP3.

An MPEG-1 Layer III frame whose side information is all zeros carries no audio data and decodes as
silence, so a valid file is just frame headers and zeros; no encoder is needed.
"""

from __future__ import annotations

import functools

SAMPLE_RATE = 44_100
SAMPLES_PER_FRAME = 1152
BITRATES = {"mp3": 128, "mp3-hq": 256}  # kbit/s
BITRATE_INDEX = {128: 0b1001, 256: 0b1101}  # MPEG-1 Layer III bitrate table


@functools.cache
def silence(recording_format: str = "mp3", channels: str = "single", seconds: float = 1.0) -> bytes:
    bitrate = BITRATES[recording_format]
    mode = 0b11 if channels == "single" else 0b00  # mono, or stereo for dual-channel recordings
    header = bytes((0xFF, 0xFB, BITRATE_INDEX[bitrate] << 4, mode << 6))  # sync, MPEG-1, Layer III, no CRC, 44.1 kHz
    length = 144 * bitrate * 1000 // SAMPLE_RATE  # bytes per frame, no padding
    frames = max(1, round(seconds * SAMPLE_RATE / SAMPLES_PER_FRAME))
    return (header + bytes(length - len(header))) * frames
