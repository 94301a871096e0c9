"""Counts in words: ``1 shipment``, ``2 shipments``, ``1,204 firms``."""

from __future__ import annotations


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` with the noun in the right number; thousands separated (``1,204 hits``).

    The plural is ``singular + "s"`` unless given (``plural(2, "entry", "entries")``).
    """
    word = singular if n == 1 else (plural_form or f"{singular}s")
    return f"{n:,} {word}"
