"""Tables: Paragraph cells for short tables, plain clipped strings for the long appendix."""

from __future__ import annotations

from casebook.briefing.fonts import BOLD, CJK
from casebook.briefing.styles import HEAD_FILL, RULE
from casebook.briefing.text import clip, esc

APPENDIX_SIZE = 6.8
#: Rows per ReportLab Table. Splitting a table across pages re-measures every row still to
#: print, so one table of n rows costs n² (8,000 firms took 5 minutes); tables of a page or two
#: each keep it linear. Each starts with the header, as a continued table would.
PARA_ROWS = 40
PLAIN_ROWS = 160


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


def chunks(count: int, extra=(), size: int = PARA_ROWS) -> list[tuple[int, int, list]]:
    """Body rows ``[start, end)`` of each table of at most ``size`` rows (more when a
    ``NOSPLIT`` or ``SPAN`` range would be cut), with the style commands of its rows,
    renumbered (commands name table rows: 0 is the header, body row i is i + 1)."""
    joined = set()  # body rows that must stay in the same table as the row before
    for command in extra:
        first, last = command[1][1], command[2][1]
        joined.update(range(first, last))  # table row r + 1 is body row r
    out, start = [], 0
    while start < count:
        end = min(start + size, count)
        while end < count and end in joined:
            end += 1
        mine = [
            (c[0], (c[1][0], c[1][1] - start), (c[2][0], c[2][1] - start), *c[3:])
            for c in extra
            if start < c[1][1] <= end
        ]
        out.append((start, end, mine))
        start = end
    return out or [(0, 0, [])]


def para_table(header, rows, widths, *, styles, right=(), extra=()) -> list:
    """Tables whose cells are escaped Paragraphs (data clipped to ``CELL_CHARS``), each with
    the header (which also repeats when one breaks across pages)."""
    from reportlab.platypus import Paragraph, Table, TableStyle

    cell = styles["cell"]
    head = [Paragraph(esc(h), styles["cellbold"]) for h in header]
    aligns = [("ALIGN", (i, 1), (i, -1), "RIGHT") for i in right]
    tables = []
    for start, end, mine in chunks(len(rows), extra):
        body = [
            [c if not isinstance(c, str) else Paragraph(esc(c), cell) for c in row]
            for row in rows[start:end]
        ]
        table = Table([head, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle(grid_style([*aligns, *mine])))
        tables.append(table)
    return tables


def plain_table(header, rows, widths, *, right=()) -> list:
    """Long tables of plain strings (no markup: nothing to escape), clipped to fit their
    columns, in the CJK font (it covers Latin, Cyrillic and Chinese); the header repeats."""
    from reportlab.platypus import Table, TableStyle

    fits = [w - 6 for w in widths]
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
    tables = []
    for start, end, _ in chunks(len(rows), size=PLAIN_ROWS):
        body = [
            [clip(c, fits[i], CJK, APPENDIX_SIZE) for i, c in enumerate(row)]
            for row in rows[start:end]
        ]
        table = Table([list(header), *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle(style))
        tables.append(table)
    return tables


def fit_widths(header, rows, width: float, *, names: tuple[int, ...]) -> list[float]:
    """Column widths for ``plain_table``: codes, dates and amounts get what their longest
    value needs, up to a quarter of the page (a hostile value is clipped, not allowed to push
    the table off the page); the name columns share the rest equally."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 6.5
    widths = []
    for i, title in enumerate(header):
        if i in names:
            widths.append(0.0)
            continue
        values = {row[i] for row in rows}
        need = max((stringWidth(v[:200], CJK, APPENDIX_SIZE) for v in values), default=0.0)
        need = max(need, stringWidth(title, BOLD, APPENDIX_SIZE))
        widths.append(min(need + pad, width / 4))
    rest = max(width - sum(widths), 60.0 * len(names))
    for i in names:
        widths[i] = rest / len(names)
    return widths
