"""Text from data, made safe for ReportLab Paragraphs.

ReportLab reads ``<`` and ``&`` as markup: ``A&B <Trading> Ltd`` would print as ``A&B; Ltd``
without any error. Every string from data goes through ``esc`` before it meets a Paragraph;
runs of Chinese (and other CJK) characters are set in the CJK font, since DejaVu lacks them.
"""

from __future__ import annotations

import math
import re
from xml.sax.saxutils import escape

from casebook.briefing.fonts import CJK
from casebook.core.numbers import OVERFLOW

_CJK_RUN = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")


def has_cjk(text: str) -> bool:
    return bool(_CJK_RUN.search(text or ""))


#: Characters of one data value printed in a table cell. A table row cannot break across pages,
#: so a cell taller than the page stops the whole briefing (ReportLab ``LayoutError``): 300
#: characters fill at most a third of a page even in the narrowest column.
CELL_CHARS = 300
#: Where the full text of a clipped value is (the briefing has no appendix file of its own).
FULL_TEXT = "full text: casebook export"


def clipped(text: str, limit: int | None = CELL_CHARS) -> str:
    """``text``, or its first ``limit`` characters and how many more there are."""
    if limit is None or len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters; {FULL_TEXT})"


def esc(value: object, limit: int | None = CELL_CHARS) -> str:
    """Paragraph markup that prints ``value`` exactly, clipped to ``limit`` characters (None:
    whole, for body text, which breaks across pages)."""
    text = clipped("" if value is None else str(value), limit)
    out, last = [], 0
    for match in _CJK_RUN.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f'<font name="{CJK}">{escape(match.group())}</font>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def percent(share: float | None) -> str:
    if share is None:
        return "–"
    return f"{share * 100:.1f}%" if math.isfinite(share) else OVERFLOW


def clip(text: str, width: float, font: str, size: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` points (plain table cells)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"
