"""The network diagram as vector graphics, from the same model, layout and style as the GUI."""

from __future__ import annotations

import math

from casebook.briefing.fonts import CJK, SANS

HEIGHT = 360


def draw_network(model, positions: dict, width: float, *, style_for):
    """A Drawing of the firms (circles) and their trade and relationships (lines)."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    d = Drawing(width, HEIGHT)
    pad, top_pad, bottom_pad = 65, 16, 34

    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    x0, xspan = min(xs), (max(xs) - min(xs)) or 1.0
    y0, yspan = min(ys), (max(ys) - min(ys)) or 1.0

    def at(uid):
        # The layout keeps a margin for on-screen labels; the page uses its full width.
        px, py = positions[uid]
        px, py = (px - x0) / xspan, (py - y0) / yspan
        return pad + px * (width - 2 * pad), bottom_pad + (1 - py) * (HEIGHT - top_pad - bottom_pad)

    nodes = {n.uid: n for n in model.nodes if n.uid in positions}
    for edge in model.edges:
        if edge.source not in nodes or edge.target not in nodes:
            continue
        style = style_for(edge)
        (x1, y1), (x2, y2) = at(edge.source), at(edge.target)
        pattern = [v * style["width"] for v in style["pattern"]] if style["pattern"] else None
        d.add(
            Line(
                x1,
                y1,
                x2,
                y2,
                strokeColor=colors.HexColor(style["colour"]),
                strokeWidth=min(style["width"], 5) * 0.6,
                strokeDashArray=pattern,
            )
        )
        if style.get("arrow"):
            r = style_for(nodes[edge.target])["radius"] * 0.55
            angle = math.atan2(y2 - y1, x2 - x1)
            tx, ty = x2 - r * math.cos(angle), y2 - r * math.sin(angle)
            wing = 5
            pts = [tx, ty]
            for side in (-0.45, 0.45):
                pts += [tx - wing * math.cos(angle + side), ty - wing * math.sin(angle + side)]
            d.add(Polygon(pts, fillColor=colors.HexColor(style["colour"]), strokeColor=None))
    labels = []
    for uid, node in nodes.items():
        style = style_for(node)
        x, y = at(uid)
        d.add(
            Circle(
                x,
                y,
                style["radius"] * 0.55,
                fillColor=colors.HexColor(style["fill"]),
                strokeColor=colors.HexColor(style["colour"]),
                strokeWidth=style["width"],
            )
        )
        labels.append((x, y - style["radius"] * 0.55 - 9, node.name))
    for x, y, name in labels:
        label = name if len(name) <= 34 else name[:33] + "…"
        half = stringWidth(label, CJK, 6.3) / 2 + 1.5
        box = Rect(x - half, y - 2.2, 2 * half, 8.6, fillColor=colors.white, strokeColor=None)
        box.fillOpacity = 0.85
        d.add(box)
        d.add(String(x, y, label, fontName=CJK, fontSize=6.3, textAnchor="middle"))
    return d


def legend_rows(style_for, node_cls, edge_cls) -> list[tuple[str, str, str]]:
    """(label, colour, what) for the legend table."""
    rows = []
    for layer, label in ((0, "makers / exporters"), (1, "intermediaries"), (2, "importers")):
        rows.append((label, style_for(node_cls(uid="", name="", layer=layer))["fill"], "node"))
    rows.append(
        (
            "listed (confirmed hit)",
            style_for(node_cls(uid="", name="", listed=True))["colour"],
            "ring",
        )
    )
    rows.append(
        (
            "trade (width: value)",
            style_for(edge_cls(source="", target="", kind="trade"))["colour"],
            "line",
        )
    )
    for kind in ("ownership", "supplier", "shared address"):
        rows.append((kind, style_for(edge_cls(source="", target="", kind=kind))["colour"], "line"))
    return rows


def legend_drawing(rows, width: float):
    from reportlab.graphics.shapes import Circle, Drawing, Line, String
    from reportlab.lib import colors

    per_row = 4
    d = Drawing(width, 14 * math.ceil(len(rows) / per_row) + 4)
    col = width / per_row
    for i, (label, colour, what) in enumerate(rows):
        x = (i % per_row) * col + 6
        y = d.height - 12 - (i // per_row) * 14
        c = colors.HexColor(colour)
        if what == "line":
            d.add(Line(x, y + 3, x + 14, y + 3, strokeColor=c, strokeWidth=1.6))
        elif what == "ring":
            d.add(Circle(x + 6, y + 3, 4.5, fillColor=colors.white, strokeColor=c, strokeWidth=2))
        else:
            d.add(Circle(x + 6, y + 3, 4.5, fillColor=c, strokeColor=colors.black, strokeWidth=0.5))
        d.add(String(x + 18, y, label, fontName=SANS, fontSize=7))
    return d
