"""Paragraph styles and colours of the briefing (print-friendly: dark text, greys, one accent)."""

from __future__ import annotations

from functools import cache

from casebook.briefing.fonts import BOLD, MONO, SANS, register_fonts

INK = "#1A1A1A"
GREY = "#5F6368"
RULE = "#B0B4B8"
HEAD_FILL = "#E6E8EB"
LINK = "#1F4E8C"
#: Chart series colours, ordered so neighbours differ in lightness too (readable in greyscale).
SERIES = ["#1F3B73", "#E8A33D", "#5B8DB8", "#F2D39B", "#8C2D04", "#BFBFBF", "#3F7F3F", "#6B6B6B"]


@cache
def styles() -> dict:
    """The named ParagraphStyles (built once)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    ink = colors.HexColor(INK)
    base = ParagraphStyle("body", fontName=SANS, fontSize=9, leading=12, textColor=ink)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5)
    return {
        "body": base,
        "small": small,
        "cell": ParagraphStyle("cell", parent=small, fontSize=7.5, leading=9.2),
        "cellbold": ParagraphStyle("cellbold", parent=small, fontName=BOLD, leading=9.2),
        "mono": ParagraphStyle("mono", parent=small, fontName=MONO, fontSize=6.8, leading=8.5),
        "note": ParagraphStyle("note", parent=small, textColor=colors.HexColor(GREY)),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=BOLD,
            fontSize=15,
            leading=19,
            spaceBefore=4,
            spaceAfter=8,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=22, leading=28),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12, leading=16),
        "judgment": ParagraphStyle(
            "judgment", parent=base, leftIndent=14, bulletIndent=0, spaceAfter=5
        ),
    }
