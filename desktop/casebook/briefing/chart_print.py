"""File → Print chart: the link chart as the Network tab shows it (its model, trade aggregated
per pair of firms, its threshold, its positions) on one page, drawn by the briefing's own
network drawing (``briefing.network.draw_network``: labels of 7 pt, each placed where no edge
crosses it), with the legend, what the threshold hid, and the case's marking."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from casebook.briefing.fonts import CJK, SANS, register_fonts

MARGIN = 28.0


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` elided to ``width`` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


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
    position are not drawn (the tab hid them)."""
    from reportlab.graphics import renderPDF
    from reportlab.lib.pagesizes import A4, LETTER, landscape
    from reportlab.pdfgen.canvas import Canvas

    from casebook.analysis import network as net
    from casebook.analysis.chart import chart_model
    from casebook.briefing.build import _marking_box
    from casebook.briefing.network import draw_network, legend_drawing, legend_rows
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
    bottom = MARGIN + 12 + legend.height
    drawing = draw_network(chart.model, placed, inner, style_for=net.style_for,
                           height=top - 30 - bottom)  # fmt: skip
    renderPDF.draw(drawing, canvas, MARGIN, bottom)
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
