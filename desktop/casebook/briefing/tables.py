"""Tables: Paragraph cells for short tables, plain clipped strings for the long appendix."""

from __future__ import annotations

from casebook.briefing.fonts import BOLD, CJK
from casebook.briefing.styles import HEAD_FILL, RULE
from casebook.briefing.text import clip, esc

APPENDIX_SIZE = 6.8


def grid_style(extra=()):
    from reportlab.lib import colors

    return [
        ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEAD_FILL)),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor(RULE)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        *extra,
    ]


def para_table(header, rows, widths, *, styles, right=(), extra=()):
    """A table whose cells are escaped Paragraphs; the header repeats on every page."""
    from reportlab.platypus import Paragraph, Table, TableStyle

    cell = styles["cell"]
    head = [Paragraph(esc(h), styles["cellbold"]) for h in header]
    body = [[c if not isinstance(c, str) else Paragraph(esc(c), cell) for c in row] for row in rows]
    aligns = [("ALIGN", (i, 1), (i, -1), "RIGHT") for i in right]
    table = Table([head, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(grid_style([*aligns, *extra])))
    return table


def plain_table(header, rows, widths, *, right=()):
    """A long table of plain strings (no markup: nothing to escape), clipped to fit their
    columns, in the CJK font (it covers Latin, Cyrillic and Chinese); the header repeats."""
    from reportlab.platypus import Table, TableStyle

    fits = [w - 6 for w in widths]
    body = [[clip(c, fits[i], CJK, APPENDIX_SIZE) for i, c in enumerate(row)] for row in rows]
    style = grid_style(
        [
            ("FONTNAME", (0, 1), (-1, -1), CJK),
            ("FONTSIZE", (0, 0), (-1, -1), APPENDIX_SIZE),
            ("LEADING", (0, 0), (-1, -1), APPENDIX_SIZE + 1.6),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            *[("ALIGN", (i, 0), (i, -1), "RIGHT") for i in right],
        ]
    )
    table = Table([list(header), *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def fit_widths(header, rows, width: float, *, names: tuple[int, ...]) -> list[float]:
    """Column widths for ``plain_table``: codes, dates and amounts get what their longest
    value needs (they are never clipped); the name columns share the rest equally."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 6.5
    widths = []
    for i, title in enumerate(header):
        if i in names:
            widths.append(0.0)
            continue
        values = {row[i] for row in rows}
        need = max((stringWidth(v, CJK, APPENDIX_SIZE) for v in values), default=0.0)
        widths.append(max(need, stringWidth(title, BOLD, APPENDIX_SIZE)) + pad)
    rest = max(width - sum(widths), 60.0 * len(names))
    for i in names:
        widths[i] = rest / len(names)
    return widths
