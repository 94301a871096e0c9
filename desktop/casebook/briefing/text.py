"""Text from data, made safe for ReportLab Paragraphs.

ReportLab reads ``<`` and ``&`` as markup: ``A&B <Trading> Ltd`` would print as ``A&B; Ltd``
without any error. Every string from data goes through ``esc`` before it meets a Paragraph;
runs of Chinese (and other CJK) characters are set in the CJK font, since DejaVu lacks them.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from casebook.briefing.fonts import CJK

_CJK_RUN = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")


def has_cjk(text: str) -> bool:
    return bool(_CJK_RUN.search(text or ""))


def esc(value: object) -> str:
    """Paragraph markup that prints ``value`` exactly."""
    text = "" if value is None else str(value)
    out, last = [], 0
    for match in _CJK_RUN.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f'<font name="{CJK}">{escape(match.group())}</font>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def money(value: float | None) -> str:
    """``$6.5 m``-style amounts for prose and tables."""
    if value is None:
        return "–"
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.1f} m"
    if abs(value) >= 1e3:
        return f"${value / 1e3:,.0f} k"
    return f"${value:,.0f}"


def usd(value: float | None) -> str:
    """An exact USD amount, to the cent (matches ``casebook stats``)."""
    return "–" if value is None else f"{value:,.2f}"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.1f}%"


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
