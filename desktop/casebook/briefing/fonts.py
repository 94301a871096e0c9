"""Fonts for the briefing: DejaVu for Latin and Cyrillic, WenQuanYi Micro Hei for Chinese.

Both have TrueType outlines, which ReportLab embeds as subsets (it cannot embed CFF fonts).
"""

from __future__ import annotations

from functools import cache

from casebook import resources

SANS = "CB-Sans"
BOLD = "CB-Sans-Bold"
ITALIC = "CB-Sans-Oblique"
MONO = "CB-Mono"
CJK = "CB-CJK"  # covers Latin, Cyrillic and Chinese: used where one font must cover all


@cache
def register_fonts() -> None:
    """Register the fonts (once per process) and the Sans family for <b>/<i> in Paragraphs."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file in (
        (SANS, "DejaVuSans.ttf"),
        (BOLD, "DejaVuSans-Bold.ttf"),
        (ITALIC, "DejaVuSans-Oblique.ttf"),
        (MONO, "DejaVuSansMono.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(resources.path("fonts", file))))
    pdfmetrics.registerFont(
        TTFont(CJK, str(resources.path("fonts", "wqy-microhei.ttc")), subfontIndex=0)
    )
    addMapping(SANS, 0, 0, SANS)
    addMapping(SANS, 1, 0, BOLD)
    addMapping(SANS, 0, 1, ITALIC)
    addMapping(SANS, 1, 1, BOLD)
    addMapping(CJK, 1, 0, CJK)
    addMapping(CJK, 0, 1, CJK)
    addMapping(CJK, 1, 1, CJK)
