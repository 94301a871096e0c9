"""File → Print chart: the link chart as the Network tab shows it (its model, trade aggregated
per pair of firms, its threshold, its positions) on one page, drawn by the briefing's own
network drawing (``briefing.network.draw_network``: labels of 7 pt, each placed where no edge
crosses it), with the legend, what the threshold hid, and the case's marking; a chart in the
timeline layout (``model.layout``) has its date axis under it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from casebook.briefing.fonts import CJK, SANS, register_fonts

MARGIN = 28.0
AXIS_HEIGHT = 24.0  # the timeline's date axis under the chart: a line, ticks, 7-pt labels
AXIS_GAP = 40.0  # points at least between two of its ticks


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` elided to ``width`` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _date_axis(canvas, scale, page_x, y: float, left: float, right: float) -> None:
    """The timeline's date axis at height ``y``: a line under the dated firms, a tick at each
    year, month or day (as the page leaves room for), labelled at 7 pt below it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from casebook.analysis.chart_layouts import date_ticks

    per_day = page_x(scale.x(1.0)) - page_x(scale.x(0.0))
    ticks = [
        (page_x(scale.x(day)), label, major)
        for day, label, major in date_ticks(scale.first, scale.last, per_day, AXIS_GAP)
    ]
    ticks = [t for t in ticks if left <= t[0] <= right]  # fmt: skip
    if not ticks:
        return
    canvas.saveState()
    canvas.setStrokeColorRGB(0.2, 0.2, 0.2)
    canvas.setLineWidth(0.6)
    canvas.line(ticks[0][0], y, ticks[-1][0], y)
    canvas.setFont(SANS, 7)
    grey, ink = (0.37, 0.39, 0.41), (0.1, 0.1, 0.1)
    title = "First trade"
    canvas.setFillColorRGB(*grey)
    canvas.drawString(left, y - 12, title)
    right_of = left + stringWidth(title, SANS, 7)  # no tick's label over the title
    for x, label, major in ticks:
        canvas.line(x, y, x, y - (5 if major else 3))
        half = stringWidth(label, SANS, 7) / 2
        if x - half > right_of + 4 and x + half <= right:
            canvas.setFillColorRGB(*(ink if major else grey))
            canvas.drawCentredString(x, y - 12, label)
            right_of = x + half
    canvas.restoreState()


def write_chart_pdf(
    out: Path,
    model,
    positions: dict,
    *,
    title: str,
    caption: str = "",
    threshold: float = 0.0,
    paper: str = "a4",
    marking: str | None = None,
    printed: str = "",
) -> dict:
    """Write the chart of ``model`` (``analysis.chart.chart_model`` with ``threshold``) at
    ``positions`` (uid → (x, y), y down, any scale: the drawing fits them to the page) as a
    one-page landscape PDF at ``out``; ``{out, nodes, links, hidden}``. Nodes without a
    position are not drawn (the tab hid them). A model laid out as a timeline
    (``model.layout``) gets a date axis under the chart (``analysis.chart_layouts.date_scale``:
    the first trade dates fitted to where the firms are)."""
    from reportlab.graphics import renderPDF
    from reportlab.lib.pagesizes import A4, LETTER, landscape
    from reportlab.pdfgen.canvas import Canvas

    from casebook.analysis import network as net
    from casebook.analysis.chart import chart_model
    from casebook.analysis.chart_layouts import date_scale
    from casebook.briefing.build import _marking_box
    from casebook.briefing.network import (
        draw_network,
        legend_drawing,
        legend_rows,
        page_across,
    )
    from casebook.core.standards import clean_marking
    from casebook.core.words import plural

    register_fonts()
    model = replace(
        model,
        nodes=[n for n in model.nodes if n.uid in positions],
        edges=[e for e in model.edges if e.source in positions and e.target in positions],
    )
    chart = chart_model(model, threshold=threshold)
    shown = {n.uid for n in chart.model.nodes}
    placed = {u: p for u, p in positions.items() if u in shown}  # the firms left alone go
    width, height = landscape(LETTER if paper == "letter" else A4)
    inner = width - 2 * MARGIN
    part = out.with_name(out.name + ".part")
    canvas = Canvas(str(part), pagesize=(width, height))
    canvas.setTitle(title)
    canvas.setCreator("Casebook")
    level = clean_marking(marking or "") if marking else None
    top = height - MARGIN
    if level is not None:
        box = SimpleNamespace(marking=level.label, marking_colour=level.colour)
        canvas.saveState()
        _marking_box(canvas, box, width - MARGIN - 110, top - 8, anchor="left")
        canvas.restoreState()
    canvas.setFont(CJK, 12)
    canvas.drawString(MARGIN, top - 8, _fit(title, CJK, 12, inner - 130))
    if caption:
        canvas.setFont(CJK, 8)
        canvas.drawString(MARGIN, top - 22, _fit(caption, CJK, 8, inner))
    legend = legend_drawing(legend_rows(net.style_for, net.Node, net.Edge), inner)
    links = sum(1 for e in chart.model.edges if e.is_trade)
    relations = len(chart.model.edges) - links
    persons = sum(1 for n in chart.model.nodes if n.subject == "person")
    firms = len(chart.model.nodes) - persons
    footer = " · ".join([plural(firms, "firm"), *([plural(persons, "person")] if persons else []),
                         plural(links, "trade link"), plural(relations, "relationship")])  # fmt: skip
    if chart.threshold:
        from casebook.core.numbers import money

        footer += f" · trade links under {money(chart.threshold, compact=True)} hidden"
    hidden = chart.hidden.sentence()
    if hidden:
        footer += f": {hidden}"
    if printed:
        footer += f" · printed {printed}"
    scale = date_scale(chart.model, placed) if model.layout == "timeline" else None
    bottom = MARGIN + 12 + legend.height + (AXIS_HEIGHT if scale else 0.0)
    drawing = draw_network(chart.model, placed, inner, style_for=net.style_for,
                           height=top - 30 - bottom)  # fmt: skip
    renderPDF.draw(drawing, canvas, MARGIN, bottom)
    if scale is not None:
        across = page_across(placed, inner)
        _date_axis(canvas, scale, lambda x: MARGIN + across(x), bottom - 4, MARGIN, width - MARGIN)
    renderPDF.draw(legend, canvas, MARGIN, MARGIN + 10)
    canvas.setFont(SANS, 7)
    canvas.drawString(MARGIN, MARGIN, _fit(footer, SANS, 7, inner))
    canvas.showPage()
    try:
        canvas.save()
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    return {"out": str(out), "nodes": len(placed), "links": len(chart.model.edges),
            "hidden": chart.hidden.to_json()}  # fmt: skip
