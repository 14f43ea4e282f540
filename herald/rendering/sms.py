"""SMS segment counting (GSM-7 vs UCS-2), as carriers bill a message."""

from __future__ import annotations

from typing import Literal

SmsEncoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet (without ESC) and its extension table, whose characters take
# two septets (ESC + char).
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


def sms_segments(text: str) -> tuple[SmsEncoding, int]:
    """Count the SMS segments a text needs.

    GSM-7 when every character is in the GSM 03.38 alphabet (extension characters count
    twice): 160 septets in one segment, 153 per segment when concatenated. Otherwise UCS-2:
    70 UTF-16 units, 67 per concatenated segment. A two-unit character is never split
    across segments. Counted on the template text: a recipient's name filled in at
    delivery changes the length and, if it has non-GSM characters, the encoding.

    Args:
        text: the message body.

    Returns:
        (encoding, segments); an empty text needs 0 segments.
    """
    if all(ch in _GSM7_BASIC or ch in _GSM7_EXTENSION for ch in text):
        units = [2 if ch in _GSM7_EXTENSION else 1 for ch in text]
        return "GSM-7", _pack(units, single=160, multi=153)
    # Characters outside the BMP (most emoji) take a UTF-16 surrogate pair.
    units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return "UCS-2", _pack(units, single=70, multi=67)


def _pack(units: list[int], *, single: int, multi: int) -> int:
    total = sum(units)
    if total <= single:
        return 1 if total else 0
    segments, used = 1, 0
    for unit in units:
        if used + unit > multi:
            segments, used = segments + 1, 0
        used += unit
    return segments
