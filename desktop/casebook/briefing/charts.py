"""Vector charts (ReportLab graphics) drawn from the same ``ChartTable``s the GUI draws."""

from __future__ import annotations

import math
import sys

from casebook.briefing.fonts import BOLD, SANS
from casebook.briefing.styles import GREY, INK, RULE, SERIES
from casebook.briefing.text import OVERFLOW
from casebook.core.numbers import money

HEIGHT = 190
LEFT, BOTTOM, TOP = 46, 28, 14


def _axis_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (the largest float for a sum that
    overflowed: two values of 1e308 add up to infinity)."""
    if not math.isfinite(value):
        return sys.float_info.max
    if value <= 0:
        return 1.0
    step = 10.0 ** math.floor(math.log10(value))
    for mult in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= mult * step < math.inf:
            return mult * step
    return value


def _height(h: float, value: float, top: float) -> float:
    """``value``'s part of ``h`` on an axis up to ``top``, within the plot (an infinite or NaN
    value, from an overflowing sum, fills it)."""
    part = value / top
    return h * (min(max(part, 0.0), 1.0) if math.isfinite(part) else 1.0)


def _frame(d, width, top_value, *, fmt=lambda v: money(v, compact=True), ticks=4):
    """Grid lines and y labels; returns the plot box (x, y, w, h)."""
    from reportlab.graphics.shapes import Line, String
    from reportlab.lib import colors

    x, y, w, h = LEFT, BOTTOM, width - LEFT - 100, HEIGHT - BOTTOM - TOP
    for i in range(ticks + 1):
        yy = y + h * i / ticks
        d.add(Line(x, yy, x + w, yy, strokeColor=colors.HexColor(RULE), strokeWidth=0.4))
        label = fmt(top_value * i / ticks)
        d.add(String(x - 4, yy - 3, label, fontName=SANS, fontSize=6.5, textAnchor="end"))
    return x, y, w, h


def _legend(d, x, y, items):
    from reportlab.graphics.shapes import Rect, String
    from reportlab.lib import colors

    for i, (label, colour, kind) in enumerate(items):
        yy = y - i * 12
        if kind == "line":
            d.add(Rect(x, yy + 3, 12, 2, fillColor=colors.HexColor(colour), strokeColor=None))
        else:
            d.add(
                Rect(
                    x,
                    yy,
                    9,
                    8,
                    fillColor=colors.HexColor(colour),
                    strokeColor=colors.black,
                    strokeWidth=0.3,
                )
            )
        d.add(
            String(x + 15, yy + 1, label, fontName=SANS, fontSize=7, fillColor=colors.HexColor(INK))
        )


def _month_labels(d, x, y, w, months):
    from reportlab.graphics.shapes import String

    n = len(months)
    for i, month in enumerate(months):
        if month.endswith(("-01", "-07")) or i == 0:
            cx = x + w * (i + 0.5) / n
            d.add(String(cx, y - 10, month, fontName=SANS, fontSize=6.3, textAnchor="middle"))


def stacked_bars(table, width: float):
    """Monthly value by country, stacked (monthly_by_country)."""
    from reportlab.graphics.shapes import Drawing, Rect
    from reportlab.lib import colors

    d = Drawing(width, HEIGHT)
    countries = table.columns[1:]
    totals = [sum(r[1:]) for r in table.rows]
    top = _axis_max(max(totals, default=0))
    x, y, w, h = _frame(d, width, top)
    n = max(1, len(table.rows))
    bar = w / n * 0.72
    for i, row in enumerate(table.rows):
        base = y
        for j, value in enumerate(row[1:]):
            height = min(_height(h, value, top), y + h - base)
            colour = colors.HexColor(SERIES[j % len(SERIES)])
            d.add(
                Rect(
                    x + w * i / n + (w / n - bar) / 2,
                    base,
                    bar,
                    height,
                    fillColor=colour,
                    strokeColor=colors.white,
                    strokeWidth=0.2,
                )
            )
            base += height
    _month_labels(d, x, y, w, [r[0] for r in table.rows])
    _legend(
        d,
        x + w + 14,
        y + h - 8,
        [(c, SERIES[j % len(SERIES)], "box") for j, c in enumerate(countries)],
    )
    return d


def share_line(table, width: float):
    """One country's monthly share of the month's value (country_share), with its value bars."""
    from reportlab.graphics.shapes import Circle, Drawing, PolyLine, Rect, String
    from reportlab.lib import colors

    d = Drawing(width, HEIGHT)
    top = _axis_max(max((r[1] for r in table.rows), default=0))
    x, y, w, h = _frame(d, width, 1.0, fmt=lambda v: f"{v * 100:.0f}%", ticks=4)
    n = max(1, len(table.rows))
    points = []
    for i, (_month, value, share) in enumerate(table.rows):
        cx = x + w * (i + 0.5) / n
        bar_h = _height(h, value, top) * 0.9
        d.add(
            Rect(
                cx - w / n * 0.3,
                y,
                w / n * 0.6,
                bar_h,
                fillColor=colors.HexColor("#D9D9D9"),
                strokeColor=None,
            )
        )
        points += [cx, y + _height(h, share, 1.0)]
    d.add(PolyLine(points, strokeColor=colors.HexColor(SERIES[0]), strokeWidth=1.8))
    for i, (month, value, share) in enumerate(table.rows):
        cx, cy = points[2 * i], points[2 * i + 1]
        d.add(Circle(cx, cy, 1.8, fillColor=colors.HexColor(SERIES[0]), strokeColor=None))
        if month in ("2022-02", "2023-07") or i in (0, n - 1):
            share_text = f"{share * 100:.0f}%" if math.isfinite(share) else OVERFLOW
            text = f"{share_text} · {money(value, compact=True)}"
            d.add(String(cx, cy + 6, text, fontName=BOLD, fontSize=6.5, textAnchor="middle"))
    _month_labels(d, x, y, w, [r[0] for r in table.rows])
    _legend(
        d,
        x + w + 14,
        y + h - 8,
        [
            ("share (left axis)", SERIES[0], "line"),
            (f"value (max {money(top, compact=True)})", "#D9D9D9", "box"),
        ],
    )
    return d


def grouped_bars(table, width: float):
    """Value by origin beside value by dispatch, per country (origin_vs_dispatch)."""
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    d = Drawing(width, HEIGHT)
    top = _axis_max(max((max(r[1], r[3]) for r in table.rows), default=0))
    x, y, w, h = _frame(d, width, top)
    n = max(1, len(table.rows))
    bar = w / n * 0.36
    for i, row in enumerate(table.rows):
        left = x + w * i / n + w / n * 0.14
        for k, (value, colour) in enumerate(((row[1], SERIES[0]), (row[3], SERIES[3]))):
            d.add(
                Rect(
                    left + k * bar,
                    y,
                    bar,
                    _height(h, value, top),
                    fillColor=colors.HexColor(colour),
                    strokeColor=colors.black,
                    strokeWidth=0.3,
                )
            )
        d.add(String(left + bar, y - 10, row[0], fontName=SANS, fontSize=7, textAnchor="middle"))
    _legend(
        d,
        x + w + 14,
        y + h - 8,
        [("by origin", SERIES[0], "box"), ("by dispatch", SERIES[3], "box")],
    )
    return d


def bars(table, width: float, *, label_col: int = 0, value_col: int = 1):
    """A plain bar per row (foreign_controllers, chpl_tiers, top parties)."""
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    d = Drawing(width, HEIGHT * 0.8)
    rows = table.rows
    top = _axis_max(max((r[value_col] for r in rows), default=0))
    x, y, w, h = LEFT, BOTTOM, width - LEFT - 100, HEIGHT * 0.8 - BOTTOM - TOP
    _frame_lines(d, x, y, w, h, top)
    n = max(1, len(rows))
    for i, row in enumerate(rows):
        bw = w / n * 0.5
        cx = x + w * (i + 0.5) / n
        d.add(
            Rect(
                cx - bw / 2,
                y,
                bw,
                _height(h, row[value_col], top),
                fillColor=colors.HexColor(SERIES[i % len(SERIES)]),
                strokeColor=colors.black,
                strokeWidth=0.3,
            )
        )
        d.add(
            String(cx, y - 10, str(row[label_col]), fontName=SANS, fontSize=7, textAnchor="middle")
        )
    return d


def _frame_lines(d, x, y, w, h, top):
    from reportlab.graphics.shapes import Line, String
    from reportlab.lib import colors

    for i in range(5):
        yy = y + h * i / 4
        d.add(Line(x, yy, x + w, yy, strokeColor=colors.HexColor(RULE), strokeWidth=0.4))
        d.add(
            String(
                x - 4,
                yy - 3,
                money(top * i / 4, compact=True),
                fontName=SANS,
                fontSize=6.5,
                textAnchor="end",
                fillColor=colors.HexColor(GREY),
            )
        )


def draw_chart(table, width: float):
    """The drawing for a chart table, by its kind."""
    if table.kind == "stacked-bar":
        return stacked_bars(table, width)
    if table.kind == "line":
        return share_line(table, width)
    if table.kind == "grouped-bar":
        return grouped_bars(table, width)
    return bars(table, width)
