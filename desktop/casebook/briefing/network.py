"""The network diagram as vector graphics, from the same model, layout and style as the GUI."""

from __future__ import annotations

import math

from casebook.briefing.fonts import CJK, SANS

HEIGHT = 540
LABEL_SIZE = 7.0  # points: the smallest text the page prints
LABEL_LEADING = 8.2
LABEL_CHARS = 26  # a longer name takes two lines (then is elided)
#: Where a label may sit around its node: (dx, dy) directions, tried in this order at growing
#: distances; the first place no edge crosses and no other label or node covers wins.
PLACES = ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1))
GAPS = (1.5, 5.0, 10.0, 16.0, 24.0, 34.0)


def label_lines(name: str) -> list[str]:
    """The name in one line, or two split at a space, each elided past ``LABEL_CHARS``."""
    if len(name) <= LABEL_CHARS:
        return [name]
    spaces = [i for i, c in enumerate(name) if c == " "]
    if spaces:
        cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
        first, second = name[:cut], name[cut + 1 :]
    else:
        first, second = name[:LABEL_CHARS], name[LABEL_CHARS:]
    return [_elide(first), _elide(second)]


def _elide(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _crosses(segment, box) -> bool:
    """Whether a line segment passes through a box (x0, y0, x1, y1)."""
    (x1, y1, x2, y2), (bx0, by0, bx1, by1) = segment, box
    if max(x1, x2) < bx0 or min(x1, x2) > bx1 or max(y1, y2) < by0 or min(y1, y2) > by1:
        return False
    if bx0 <= x1 <= bx1 and by0 <= y1 <= by1 or bx0 <= x2 <= bx1 and by0 <= y2 <= by1:
        return True
    corners = ((bx0, by0), (bx1, by0), (bx1, by1), (bx0, by1))
    sides = [(x2 - x1) * (cy - y1) - (y2 - y1) * (cx - x1) for cx, cy in corners]
    return min(sides) < 0 < max(sides)  # the line parts the corners: it passes through


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(nodes: dict, sizes: dict, segments: list, bounds) -> dict:
    """A box (x0, y0, x1, y1) per node for its label: beside the node, clear of every edge
    segment, every node disc and every label placed before it when any place around the node
    is (nodes are placed in the order given: the largest first), else the least crossed.
    ``nodes``: uid → (x, y, radius); ``sizes``: uid → (width, height); ``bounds``: the
    drawing's (x0, y0, x1, y1)."""
    discs = {u: (x - r, y - r, x + r, y + r) for u, (x, y, r) in nodes.items()}
    placed: dict = {}
    for uid, (x, y, r) in nodes.items():
        w, h = sizes[uid]
        best = None
        for gap in GAPS:
            for rank, (dx, dy) in enumerate(PLACES):
                cx = x + dx * (r + gap + w / 2)
                cy = y + dy * (r + gap + h / 2)
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if (box[0] < bounds[0] or box[2] > bounds[2] or box[1] < bounds[1]
                        or box[3] > bounds[3]):  # fmt: skip
                    continue
                cost = sum(_crosses(seg, box) for seg in segments)
                cost += 100 * sum(_overlaps(box, other) for other in placed.values())
                cost += 100 * sum(_overlaps(box, d) for u, d in discs.items() if u != uid)
                if best is None or (cost, gap, rank) < best[0]:
                    best = ((cost, gap, rank), box)
            if best is not None and best[0][0] == 0:
                break
        placed[uid] = best[1] if best else (x - w / 2, y - r - h, x + w / 2, y - r)
    return placed


PAD = 70  # points left and right of the outermost firms (room for their labels)


def page_across(positions: dict, width: float):
    """x on a drawing ``width`` points wide (from its left) of an x of ``positions``, as
    ``draw_network`` places the firms: their extent spread across the page's width (the
    layout keeps a margin for on-screen labels; the page uses its full width)."""
    xs = [p[0] for p in positions.values()] or [0.0]
    x0, xspan = min(xs), (max(xs) - min(xs)) or 1.0
    return lambda px: PAD + (px - x0) / xspan * (width - 2 * PAD)


def draw_network(model, positions: dict, width: float, *, style_for, height: float = HEIGHT):
    """A Drawing ``width`` × ``height`` points of the firms (circles), their trade and
    relationships (lines) and their labels (7 pt, each placed where no edge crosses it and no
    other label covers it): the briefing's page, and File → Print chart's."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    d = Drawing(width, height)
    top_pad, bottom_pad = 22, 22

    ys = [p[1] for p in positions.values()] or [0.0]
    y0, yspan = min(ys), (max(ys) - min(ys)) or 1.0
    across = page_across(positions, width)

    def at(uid):
        px, py = positions[uid]
        return across(px), bottom_pad + (1 - (py - y0) / yspan) * (height - top_pad - bottom_pad)

    nodes = {n.uid: n for n in model.nodes if n.uid in positions}
    segments = []
    for edge in model.edges:
        if edge.source not in nodes or edge.target not in nodes:
            continue
        style = style_for(edge)
        (x1, y1), (x2, y2) = at(edge.source), at(edge.target)
        segments.append((x1, y1, x2, y2))
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
    order = sorted(nodes.values(), key=lambda n: (not n.listed, -(n.value_usd or 0.0), n.name))
    discs, lines, sizes = {}, {}, {}
    for node in order:
        style = style_for(node)
        x, y = at(node.uid)
        r = style["radius"] * 0.55
        discs[node.uid] = (x, y, r)
        d.add(
            Circle(
                x,
                y,
                r,
                fillColor=colors.HexColor(style["fill"]),
                strokeColor=colors.HexColor(style["colour"]),
                strokeWidth=style["width"],
            )
        )
        lines[node.uid] = label_lines(node.shown_name)
        text_width = max(stringWidth(t, CJK, LABEL_SIZE) for t in lines[node.uid])
        sizes[node.uid] = (text_width + 2, LABEL_LEADING * len(lines[node.uid]) + 1)
    boxes = place_labels(discs, sizes, segments, (0, 0, width, height))
    for uid, (bx0, by0, bx1, by1) in boxes.items():
        # Where no place around a crowded node is clear, the label still lies above the
        # edges, never under them: they stop at its white ground.
        d.add(Rect(bx0, by0, bx1 - bx0, by1 - by0, fillColor=colors.white, strokeColor=None))
        for i, text in enumerate(lines[uid]):
            baseline = by1 - 0.5 - LABEL_SIZE * 0.85 - i * LABEL_LEADING
            d.add(String((bx0 + bx1) / 2, baseline, text, fontName=CJK, fontSize=LABEL_SIZE,
                         textAnchor="middle"))  # fmt: skip
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
    person = node_cls(uid="", name="", subject="person")
    rows.append(("persons", style_for(person)["fill"], "node"))
    rows.append(
        (
            "a person's role",
            style_for(edge_cls(source="", target="", kind="director"))["colour"],
            "line",
        )
    )
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
