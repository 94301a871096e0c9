"""HS / CN / TN VED commodity codes: clean digits and their HS2/HS4/HS6 prefixes."""

from __future__ import annotations

import math
import re

_SEP = r"(?:[ \u00a0]+|[ \u00a0]*[.\-][ \u00a0]*)"
_GROUPED = re.compile(rf"[0-9]+(?:{_SEP}[0-9]+)*")
_FLOAT_TEXT = re.compile(r"([0-9]{5,})\.0")
_SEPARATORS = re.compile(r"[ .\-\u00a0]+")
_FILTER_SPLIT = re.compile(r"[\s,;|]+")
_DIGITS = re.compile(r"[0-9]+")


def clean_hs(value: object) -> str | None:
    """Digits of an HS-family code (2-10 digits, odd lengths left-padded with 0), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        text = str(value) if value >= 0 else ""
    elif isinstance(value, float):
        # A float cell is only trusted when integral: 8457.1 may have lost a trailing zero.
        if not math.isfinite(value) or value < 0 or not value.is_integer():
            return None
        text = str(int(value))
    elif isinstance(value, str):
        text = _text_digits(value)
    else:
        return None
    return _pad(text) if text else None


def _text_digits(value: str) -> str:
    text = value.strip()
    if len(text) > 40:
        return ""
    artefact = _FLOAT_TEXT.fullmatch(text)  # "845710100.0" written out by a float column
    if artefact:
        return artefact.group(1)
    if not _GROUPED.fullmatch(text):
        return ""
    return _SEPARATORS.sub("", text)


def _pad(digits: str) -> str | None:
    if not 2 <= len(digits) <= 10:
        return None
    return "0" + digits if len(digits) % 2 else digits


def _digits(code: object) -> str | None:
    if isinstance(code, str) and code.isascii() and code.isdigit():
        return code
    return clean_hs(code)


def hs_level(code: object) -> int:
    """Number of digits of a code (0 when it is not a code)."""
    digits = _digits(code)
    return len(digits) if digits else 0


def _prefix(code: object, size: int) -> str | None:
    digits = _digits(code)
    return digits[:size] if digits and len(digits) >= size else None


def hs2(code: object) -> str | None:
    """Chapter (2 digits), or None when the code is shorter."""
    return _prefix(code, 2)


def hs4(code: object) -> str | None:
    """Heading (4 digits), or None when the code is shorter."""
    return _prefix(code, 4)


def hs6(code: object) -> str | None:
    """Subheading (6 digits), or None when the code is shorter."""
    return _prefix(code, 6)


def hs_prefixes(text: str | None) -> list[str]:
    """Digit prefixes from a filter like ``"8456,8457 8458"`` (dots allowed; junk dropped)."""
    if not text:
        return []
    found: list[str] = []
    for token in _FILTER_SPLIT.split(str(text)):
        digits = token.replace(".", "")
        if _DIGITS.fullmatch(digits) and len(digits) <= 10 and digits not in found:
            found.append(digits)
    return found
