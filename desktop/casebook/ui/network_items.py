"""The Network chart's graphics items: a firm (``NodeItem``), a trade or relationship edge
(``EdgeItem``) and an edge's label (``EdgeLabel``).

Every style, label text and size comes from the network model's style table (``chart()``,
loaded with the facade); the fonts, metrics and palette from the tab that draws them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
)

from casebook.core.numbers import money
from casebook.ui.network_panel import score_text

if TYPE_CHECKING:
    from casebook.ui.network_tab import NetworkTab

MIN_TEXT_LOD = 0.45  # below this scale a 9-point label is under 5 pixels: not drawn
NAME_WIDTH = 150.0  # a label line is elided at this width (the tooltip has the full name)
TRADE_ALPHA = 170  # trade lines are see-through: where links cross, each stays visible
SELECTED_PEN = QPen(QColor("#FBBC04"), 4)
WHITE = QColor("#FFFFFF")
GREY = QColor("#5F6368")


_CHART = []


def chart():
    """The chart's model, layouts and styles (``casebook.book.network``), loaded with the
    facade, not at GUI start (then kept: an import statement per item cost 30 µs)."""
    if not _CHART:
        from casebook.book import network

        _CHART.append(network)
    return _CHART[0]


def _static(text: str, font: QFont) -> QStaticText:
    """Text laid out once (painting a laid-out text is several times faster)."""
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
    static.prepare(QTransform(), font)
    return static


def style_pen(style: dict, scale: float = 1.0) -> QPen:
    pen = QPen(QColor(style["colour"]), style["width"] * scale)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    if style.get("pattern"):
        pen.setDashPattern([float(v) for v in style["pattern"]])
    return pen


#: A firm's item flags, combined once (an enum ``|`` per item cost 30 µs: 60 ms for 2,000).
NODE_FLAGS = (
    QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
)


class NodeItem(QGraphicsObject):
    """A firm (a disc with its country code) or a person (a head and shoulders), a label of
    name and facts, and badges."""

    def __init__(self, node, style: dict, tab: NetworkTab):
        super().__init__()
        self.node, self.tab = node, tab
        self.edges: list[EdgeItem] = []
        self.pinned = False
        self.hovered = False
        self.whole = None  # the bounds hold the whole label (hovered or selected)
        self.base_opacity = 1.0  # 0.45: nothing under the filters
        self._bounds = QRectF()
        self.label_width = -1.0
        #: Scene points per pixel of the label at 1x: 1 up to zoom 1 (the label scales with the
        #: chart, in the room the layout kept for it), ``1 / zoom`` beyond (it keeps its screen
        #: size, so zooming in makes room around it: ``ChartDrawing.label_scale``).
        self.label_scale = tab.label_scale
        self.set_node(node, style)
        self.setFlags(NODE_FLAGS)
        self.setAcceptHoverEvents(True)
        # No item cache: at each zoom step a device cache would re-render 500 pixmaps.
        self.setZValue(2)

    def set_node(self, node, style: dict) -> None:
        """The node and its style; the label's texts are laid out when first painted, the
        tooltip written when first hovered (2,000 firms are drawn in a fraction of the time)."""
        self.node, self.style = node, style
        tab = self.tab
        self.radius = r = float(style["radius"])
        self.name_font, self.fact_font = tab.name_font, tab.fact_font
        self.code_font, self.badge_font = tab.code_font, tab.badge_font
        metrics, fact_metrics = tab.name_metrics, tab.fact_metrics
        self.full_name, self.full_facts = node.shown_name, chart().facts_text(node, node.score)
        #: The label's whole width, and the width the layout kept clear for it (a label is cut
        #: to less than its whole width only where it would cover another firm's).
        self.full_width = max(metrics.horizontalAdvance(self.full_name),
                              fact_metrics.horizontalAdvance(self.full_facts))  # fmt: skip
        self.min_width = min(NAME_WIDTH, self.full_width)
        self.line = metrics.height()
        self.text_colour, self.plate = tab.node_text_colour, tab.node_plate
        self.disc_pen, self.disc_brush = tab.node_look(style)
        self.figure = _person_figure(r) if style.get("shape") == "person" else None
        self.kind = chart().kind_of(node)
        self.icon = self.figure if self.figure is not None else tab.icon(self.kind, r)
        self.badge_brush = QBrush(QColor(style["badge"])) if style.get("badge") else None
        badge = tab.badge_size
        self.badge_rect = QRectF(r * 0.4, -r - badge.height() - 1, badge.width() + 8,
                                 badge.height() + 2)  # fmt: skip
        self.badge_at = QPointF(self.badge_rect.x() + 4, self.badge_rect.y() + 1)
        self._tip = None
        width, self.label_width = (
            (self.label_width if self.label_width >= 0 else self.min_width),
            -1,
        )
        self.set_label_width(max(self.min_width, min(width, self.full_width)))

    def set_label_width(self, width: float, scale: float | None = None) -> None:
        """Cut the label to ``width`` pixels at 1x (whole when it is the whole width), drawn at
        ``scale`` (``label_scale``; unchanged when None)."""
        scale = self.label_scale if scale is None else scale
        if width == self.label_width and scale == self.label_scale:
            return
        self.prepareGeometryChange()
        if width != self.label_width:
            self._texts = None
        self.label_width, self.label_scale = width, scale
        self.plate_rect = QRectF((-width / 2 - 2) * scale, self.radius + 3, (width + 4) * scale,
                                 2 * self.line * scale)  # fmt: skip
        self.whole = None
        self.bounds_changed()

    def bounds_changed(self) -> None:
        """The bounds hold the label as drawn: whole on hover and when selected."""
        whole = self.hovered or self.isSelected()
        if whole == self.whole:
            return
        self.prepareGeometryChange()
        self.whole = whole
        r, scale = self.radius, self.label_scale
        width = self.full_width if whole else self.label_width
        half = max((width / 2 + 4) * scale, r + 8, self.badge_rect.right() + 4)
        top_edge = min(-r - 8, self.badge_rect.top() - 2)
        bottom = r + 3 + max((2.2 * self.line + 9) * scale, 5)
        self._bounds = QRectF(-half, top_edge, 2 * half, bottom - top_edge)
        self.update()

    @property
    def elided(self) -> bool:
        """Whether the label is cut (to keep off another firm's label)."""
        return self.label_width < self.full_width

    @property
    def name(self) -> str:
        """The name as the label shows it (cut with "…" only where it would cover another)."""
        return self._prepared()[0]

    @property
    def facts(self) -> str:
        return self._prepared()[1]

    def _prepared(self):
        """(name, facts, their laid-out texts and places), made on first use; the places and
        plates of the label's texts are in pixels at 1x from the label's top middle (drawn at
        ``label_scale``)."""
        if self._texts is None:
            tab, width, top = self.tab, self.label_width, 0.0
            name, facts = self.full_name, self.full_facts
            if width < self.full_width:
                elide = Qt.TextElideMode.ElideRight
                name = tab.name_metrics.elidedText(name, elide, width)
                facts = tab.fact_metrics.elidedText(facts, elide, width)
            name_text, facts_text = _static(name, self.name_font), _static(facts, self.fact_font)
            self._texts = (name, facts, name_text, facts_text,
                           QPointF(-name_text.size().width() / 2, top),
                           QPointF(-facts_text.size().width() / 2, top + self.line))  # fmt: skip
        return self._texts

    def _whole(self):
        """The whole label's texts, places and plate (drawn on hover and when selected)."""
        if getattr(self, "_whole_texts", None) is None or self._whole_texts[0] != self.full_facts:
            top, width = 0.0, self.full_width
            name_text = _static(self.full_name, self.name_font)
            facts_text = _static(self.full_facts, self.fact_font)
            self._whole_texts = (self.full_facts, name_text, facts_text,
                                 QPointF(-name_text.size().width() / 2, top),
                                 QPointF(-facts_text.size().width() / 2, top + self.line),
                                 QRectF(-width / 2 - 2, top, width + 4, 2 * self.line))  # fmt: skip
        return self._whole_texts[1:]

    def _tooltip(self) -> str:
        n = self.node
        lines = [n.shown_name]
        if n.native_name and n.native_name != n.name:
            lines.append(n.native_name)
        score = score_text(None if self.tab.scores is None else n.score)
        kind = chart().KIND_TITLES.get(chart().kind_of(n), "")
        lines.append(f"{kind} · {n.country or '??'} · {n.role or 'no role'} · {score}")
        lines.append(f"{n.shipments:,} shipments · {money(n.value_usd, compact=True)}")
        for entry in n.listings:
            lines.append(
                f"LISTED: {entry['list']} {entry.get('programme') or ''} {entry['date'] or ''}"
            )
        return "\n".join(lines)

    def toolTip(self) -> str:  # noqa: N802 (Qt naming)
        """The tooltip (written when first asked: Qt shows the one set on hover)."""
        if self._tip is None:
            self._tip = self._tooltip()
            self.setToolTip(self._tip)
        return self._tip

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self.toolTip()
        self.hovered = True
        if self.elided:
            self.setZValue(self.zValue() + 0.5)  # the whole label over its neighbours'
            self.bounds_changed()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if self.hovered and self.elided:
            self.setZValue(self.zValue() - 0.5)
        self.hovered = False
        self.bounds_changed()
        super().hoverLeaveEvent(event)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        return self._bounds

    def set_far(self, far: bool) -> None:
        """Zoomed far out the chart's ``FarNodes`` draws this node's icon: it paints nothing
        itself (Qt then makes no Python call for it), unless highlighted."""
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, far)

    def obstacles(self, *, plate: bool = True) -> list[QRectF]:
        """The disc, the badge and the label's plate (unless not ``plate``), in scene
        coordinates (where an edge label must not go)."""
        x, y, r = self.pos().x(), self.pos().y(), self.radius + 2
        rects = [QRectF(x - r, y - r, 2 * r, 2 * r)]
        if plate:
            rects.append(self.plate_rect.translated(x, y))
        if self.badge_brush is not None:
            rects.append(self.badge_rect.translated(x, y))
        return rects

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), self.radius + 2, self.radius + 2)
        path.addRect(self.plate_rect)
        return path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        r = self.radius
        selected = self.isSelected()
        if selected:
            painter.setPen(SELECTED_PEN)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), r + 4, r + 4)
        painter.setPen(self.disc_pen)
        painter.setBrush(self.disc_brush)
        painter.drawPath(self.icon)  # a vector shape: sharp at any zoom
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < MIN_TEXT_LOD and not selected:
            return  # too small to read: the disc alone
        if self.figure is None:
            code, code_at = self.tab.country_text(self.node.country)
            painter.setFont(self.code_font)
            painter.setPen(WHITE)
            painter.drawStaticText(code_at, code)
        if self.badge_brush is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.badge_brush)
            painter.drawRoundedRect(self.badge_rect, 3, 3)
            painter.setPen(WHITE)
            painter.setFont(self.badge_font)
            painter.drawStaticText(self.badge_at, self.tab.badge_text)
        if self.pinned:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(GREY)
            painter.drawEllipse(QPointF(-r * 0.8, -r * 0.8), 3, 3)
        # The label on a translucent plate, so edges behind it do not hide it; whole when
        # hovered or selected, else as wide as it has room.
        if (selected or self.hovered) and self.elided:
            name_text, facts_text, name_at, facts_at, plate = self._whole()
        else:
            _name, _facts, name_text, facts_text, name_at, facts_at = self._prepared()
            width = self.label_width
            plate = QRectF(-width / 2 - 2, 0, width + 4, 2 * self.line)
        # Under the icon, at ``label_scale``: zoomed in, the label keeps its size on screen.
        painter.save()
        painter.translate(0, r + 3)
        if self.label_scale != 1.0:
            painter.scale(self.label_scale, self.label_scale)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.plate)
        painter.drawRoundedRect(plate, 3, 3)
        painter.setPen(self.text_colour)
        painter.setFont(self.name_font)
        painter.drawStaticText(name_at, name_text)
        painter.setFont(self.fact_font)
        painter.setPen(self.text_colour if selected else GREY)
        painter.drawStaticText(facts_at, facts_text)
        painter.restore()

    # No itemChange override: PySide6 mishandles the reference count of its None results
    # (a crash after some thousands of calls on Python 3.11). Moves go through ``place`` and
    # ``mouseMoveEvent`` instead.
    def place(self, x: float, y: float) -> None:
        """Move to scene point (x, y); the node's edges follow."""
        self.setPos(x, y)
        self.adjust_edges()

    def adjust_edges(self) -> None:
        for edge in self.edges:
            edge.adjust()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self.tab.drag_started()  # where the nodes were: a drag is undoable
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().mouseMoveEvent(event)  # moves every selected node
        moved = {self, *(i for i in self.scene().selectedItems() if isinstance(i, NodeItem))}
        for item in moved:
            item.adjust_edges()
        self.tab.node_dragging()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().mouseReleaseEvent(event)
        if (
            event.button() == Qt.MouseButton.LeftButton
            and event.buttonDownScenePos(Qt.MouseButton.LeftButton) != event.scenePos()
        ):
            self.tab.node_moved()


def kind_icon(kind: str, r: float) -> QPainterPath:
    """The entity's icon by kind, inside a circle of radius ``r`` (edges end on that circle),
    room left in the middle for the country code: a manufacturer a factory (saw-tooth roof and
    a chimney), an intermediary / trader a diamond, an importer / end user a house, a person
    a head over shoulders."""
    path = QPainterPath()
    if kind == "person":
        return _person_figure(r)
    if kind == "manufacturer":
        base, wall = r * 0.78, r * 0.95
        path.moveTo(-wall, base)
        path.lineTo(-wall, -r * 0.35)
        path.lineTo(-wall * 0.45, -r * 0.7)
        path.lineTo(-wall * 0.45, -r * 0.35)
        path.lineTo(0.0, -r * 0.7)
        path.lineTo(0.0, -r * 0.35)
        path.lineTo(wall * 0.45, -r * 0.7)
        path.lineTo(wall * 0.45, -r * 0.95)  # the chimney
        path.lineTo(wall * 0.8, -r * 0.95)
        path.lineTo(wall * 0.8, -r * 0.35)
        path.lineTo(wall, -r * 0.35)
        path.lineTo(wall, base)
        path.closeSubpath()
    elif kind == "importer":
        wall = r * 0.85
        path.moveTo(-wall, r * 0.85)
        path.lineTo(-wall, -r * 0.15)
        path.lineTo(0.0, -r)
        path.lineTo(wall, -r * 0.15)
        path.lineTo(wall, r * 0.85)
        path.closeSubpath()
    else:  # intermediary / trader
        path.addPolygon(QPolygonF([QPointF(0, -r * 1.05), QPointF(r * 1.05, 0),
                                   QPointF(0, r * 1.05), QPointF(-r * 1.05, 0)]))  # fmt: skip
        path.closeSubpath()
    return path


def _person_figure(r: float) -> QPainterPath:
    """A person's glyph inside the node's circle of radius ``r``: a head over shoulders."""
    path = QPainterPath()
    path.addEllipse(QPointF(0, -r * 0.42), r * 0.42, r * 0.42)
    path.moveTo(-r * 0.9, r)
    path.arcTo(QRectF(-r * 0.9, 0.0, r * 1.8, r * 2.0), 180, -180)
    path.closeSubpath()
    return path


class EdgeItem(QGraphicsPathItem):
    """A trade or relationship edge: a line (a curve when several join a pair), an arrowhead and
    a label. The line and the head are painted by Qt itself (no Python ``paint`` or
    ``boundingRect``: on 2,000 edges each Python call made a frame 3 ms slower); the label is a
    child item, shown only while it is wanted. Geometry is computed when an end moves."""

    def __init__(self, edge, style: dict, source: NodeItem, target: NodeItem, bend: float, tab):
        super().__init__()
        self.edge, self.style = edge, style
        self.source, self.target, self.bend, self.tab = source, target, bend, tab
        self.top = False  # among the largest trade edges: always labelled
        self.below = False  # a trade link under the chart's threshold: not drawn
        # The pens, shared by the edges of one look: (near, far: opaque, see ``set_far``).
        self.line_pen, self.far_pen, self.colour = tab.edge_pens(style, edge.is_trade)
        self.setPen(self.line_pen)
        self.setZValue(0 if edge.is_trade else 1)
        arrow = "⇄" if edge.both_ways else "→"  # an aggregated trade link: goods both ways
        tip = f"{source.node.shown_name} {arrow} {target.node.shown_name}\n{edge.label}"
        if edge.is_trade and edge.first:
            tip += f"\n{edge.first} – {edge.last or edge.first}"
        self.setToolTip(tip)
        self.head: QGraphicsPolygonItem | None = None  # made when first drawn (not from afar)
        self.arrow = bool(style.get("arrow"))
        if self.arrow and not tab.far:
            self._make_head()
        self._head_size = 7 + style["width"] * 1.2
        self.label: EdgeLabel | None = None  # made when first wanted (``ensure_label``)
        source.edges.append(self)
        target.edges.append(self)
        self.adjust()

    def adjust(self) -> None:
        a, b = self.source.pos(), self.target.pos()
        dx, dy = b.x() - a.x(), b.y() - a.y()
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        # Perpendicular by the pair's canonical direction, so A→B and B→A bend apart.
        sign = 1.0 if self.source.node.uid < self.target.node.uid else -1.0
        px, py = -uy * sign, ux * sign
        control = QPointF(
            (a.x() + b.x()) / 2 + px * self.bend, (a.y() + b.y()) / 2 + py * self.bend
        )
        start = self._toward(a, control, self.source.radius + 1)
        end = self._toward(b, control, self.target.radius + 3)
        path = QPainterPath(start)
        if self.bend:
            path.quadTo(control, end)
        else:  # a straight line: stroked several times faster than a (flat) curve
            path.lineTo(end)
        if self.head is not None:
            norm = math.hypot(end.x() - control.x(), end.y() - control.y()) or 1.0
            tx, ty = (end.x() - control.x()) / norm, (end.y() - control.y()) / norm
            size = self._head_size
            back = QPointF(end.x() - tx * size, end.y() - ty * size)
            left = QPointF(back.x() - ty * size * 0.5, back.y() + tx * size * 0.5)
            right = QPointF(back.x() + ty * size * 0.5, back.y() - tx * size * 0.5)
            self.head.setPolygon(QPolygonF([end, left, right]))
        self.setPath(path)
        if self.label is not None:
            self.label.place(path.pointAtPercent(self.label.at))

    @staticmethod
    def _toward(point: QPointF, other: QPointF, distance: float) -> QPointF:
        dx, dy = other.x() - point.x(), other.y() - point.y()
        length = math.hypot(dx, dy) or 1.0
        return QPointF(point.x() + dx / length * distance, point.y() + dy / length * distance)

    def labelled(self) -> bool:
        if self.top or self.tab.all_labels:
            return True
        return self.source.isSelected() or self.target.isSelected()

    def _make_head(self) -> None:
        self.head = QGraphicsPolygonItem(self)
        self.head.setPen(QPen(self.colour, 1.0))
        self.head.setBrush(self.colour)

    def set_far(self, far: bool) -> None:
        """Drawn as from afar: an opaque line, no head."""
        self.setPen(self.far_pen if far else self.line_pen)
        if self.head is not None:
            self.head.setVisible(not far)
        elif self.arrow and not far:
            self._make_head()
            self.adjust()

    def wants_label(self) -> bool:
        """Whether the label is wanted (largest edges, a selected end, zoomed in) and can be."""
        return bool(self.edge.label) and self.isVisible() and self.labelled()

    def ensure_label(self) -> EdgeLabel:
        if self.label is None:
            self.label = EdgeLabel(self)
        return self.label


class EdgeLabel(QGraphicsItem):
    """An edge's "value · shipments" (or relationship) label on a translucent plate."""

    def __init__(self, edge: EdgeItem):
        super().__init__(edge)
        self.edge = edge
        tab = edge.tab
        self.text, self.font, self.colour = edge.edge.label, tab.edge_font, edge.colour
        fm = tab.edge_metrics
        w, h = fm.horizontalAdvance(self.text) + 6, fm.height() + 2
        self.base = QRectF(-w / 2, -h / 2, w, h)  # in pixels at 1x
        self.scale = 1.0
        self.rect = QRectF(self.base)  # in scene points, at ``scale``
        self.at = 0.5  # where along the edge (0 at the source), chosen by ``place_edge_labels``
        self.setVisible(False)

    def set_scale(self, scale: float) -> None:
        """Drawn at ``scale`` scene points a pixel (the firms' ``label_scale``)."""
        if scale != self.scale:
            self.prepareGeometryChange()
            self.scale = scale
            b = self.base
            self.rect = QRectF(b.x() * scale, b.y() * scale, b.width() * scale, b.height() * scale)

    def place(self, mid: QPointF) -> None:
        self.setPos(mid)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        return self.rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if option.levelOfDetailFromTransform(painter.worldTransform()) < MIN_TEXT_LOD:
            return
        painter.save()
        if self.scale != 1.0:
            painter.scale(self.scale, self.scale)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.edge.tab.label_plate)
        painter.drawRoundedRect(self.base, 3, 3)
        painter.setPen(self.colour)
        painter.setFont(self.font)
        painter.drawText(self.base, Qt.AlignmentFlag.AlignCenter, self.text)
        painter.restore()


class GroupItem(QGraphicsObject):
    """A named group of nodes: a box around them; collapsed, one node standing for them all,
    linked to each node outside the group that one of them is linked to (double-click either
    to collapse or expand it)."""

    PAD = 10.0

    def __init__(self, name: str, members: list[NodeItem], tab: NetworkTab):
        super().__init__()
        self.name, self.members, self.tab = name, members, tab
        self.collapsed = False
        self.outside: list[tuple[NodeItem, float]] = []  # (node, value of the links to it)
        self._rect = QRectF()
        self._bounds = QRectF()
        self.title = _static(name, tab.name_font)
        count = sum(m.node.subject == "firm" for m in members)
        people = len(members) - count
        words = [f"{count} firm{'s' if count != 1 else ''}"] if count else []
        words += [f"{people} person{'s' if people != 1 else ''}"] if people else []
        self.count_text = _static(", ".join(words), tab.fact_font)
        self.setToolTip(f"{name}\n{', '.join(m.node.shown_name for m in members)}")
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.links = GroupLinks(self)  # added to the scene with the group, under the nodes
        self.refresh()

    def centre(self) -> QPointF:
        n = len(self.members) or 1
        return QPointF(sum(m.pos().x() for m in self.members) / n,
                       sum(m.pos().y() for m in self.members) / n)  # fmt: skip

    def refresh(self) -> None:
        """Follow the members (moved, collapsed or expanded)."""
        self.prepareGeometryChange()
        line = self.tab.name_metrics.height()
        if not self.collapsed:
            self.setZValue(-1)
            rect = QRectF()
            for member in self.members:
                for r in member.obstacles():
                    rect = rect.united(r)
            self.setPos(0, 0)
            self._rect = rect.adjusted(-self.PAD, -self.PAD - line, self.PAD, self.PAD)
            self._bounds = self._rect.adjusted(-2, -2, 2, 2)
            self.outside = []
        else:
            self.setZValue(3)
            self.setPos(self.centre())
            width = max(self.title.size().width(), self.count_text.size().width()) + 16
            self._rect = QRectF(-width / 2, -line - 6, width, 2 * line + 12)
            inside = {id(m) for m in self.members}
            values: dict[int, list] = {}
            for member in self.members:
                for edge in member.edges:
                    other = edge.target if edge.source is member else edge.source
                    if id(other) in inside or not other.isVisible():
                        continue
                    entry = values.setdefault(id(other), [other, 0.0])
                    entry[1] += edge.edge.value_usd
            self.outside = [(node, value) for node, value in values.values()]
            self._bounds = self._rect.adjusted(-4, -4, 4, 4)
        self.links.follow()
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        if self.collapsed:
            path.addRoundedRect(self._rect, 6, 6)
        else:  # the frame and title only: the members inside stay clickable
            path.addRect(QRectF(self._rect.topLeft(), QPointF(self._rect.right(),
                                self._rect.top() + self.tab.name_metrics.height() + 4)))  # fmt: skip
        return path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        line = self.tab.name_metrics.height()
        if self.collapsed:
            painter.setPen(QPen(SELECTED_PEN.color(), 3) if self.isSelected()
                           else QPen(GROUP_COLOUR, 2))  # fmt: skip
            painter.setBrush(GROUP_FILL)
            painter.drawRoundedRect(self._rect, 6, 6)
            painter.setPen(self.tab.palette().color(self.tab.foregroundRole()))
            painter.setFont(self.tab.name_font)
            painter.drawStaticText(QPointF(-self.title.size().width() / 2, self._rect.top() + 4),
                                   self.title)  # fmt: skip
            painter.setFont(self.tab.fact_font)
            painter.setPen(GREY)
            painter.drawStaticText(
                QPointF(-self.count_text.size().width() / 2, self._rect.top() + 6 + line),
                self.count_text,
            )
            return
        pen = QPen(GROUP_COLOUR, 1.5)
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(GROUP_SHADE)
        painter.drawRoundedRect(self._rect, 8, 8)
        painter.setPen(GROUP_COLOUR)
        painter.setFont(self.tab.name_font)
        painter.drawStaticText(self._rect.topLeft() + QPointF(8, 3), self.title)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self.tab.collapse_group(self.name, not self.collapsed)
        event.accept()


class GroupLinks(QGraphicsItem):
    """A collapsed group's links to the nodes outside it, under every node (as edges are):
    one line to each, as wide as the trade it stands for on the chart's scale."""

    def __init__(self, group: GroupItem):
        super().__init__()
        self.group = group
        self.setZValue(0.5)
        self._bounds = QRectF()
        self.lines: list[tuple[QPointF, QPointF, QPen]] = []

    def follow(self) -> None:
        self.prepareGeometryChange()
        group = self.group
        self.lines, bounds = [], QRectF()
        if group.collapsed:
            scale = group.tab.trade_scale
            colour = QColor(GROUP_COLOUR)
            colour.setAlpha(190)
            for node, value in group.outside:
                width = scale.width(value) if scale is not None and value else 2.0
                a, b = group.pos(), node.pos()
                self.lines.append((a, b, QPen(colour, width)))
                bounds = bounds.united(QRectF(a, b).normalized().adjusted(-8, -8, 8, 8))
        self._bounds = bounds
        self.setVisible(bool(self.lines))
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        for a, b, pen in self.lines:
            painter.setPen(pen)
            painter.drawLine(a, b)


GROUP_COLOUR = QColor("#5F6368")
GROUP_FILL = QColor("#F1F3F4")
GROUP_SHADE = QColor(95, 99, 104, 18)


VEIL_Z = 5.0  # over every item of the chart; the highlighted ones are raised above it


class DimVeil(QGraphicsItem):
    """A see-through plate of the background's colour over the whole chart while something is
    highlighted: what is under it shows at ``strength`` (the dimmed rest), what is raised above
    it at full strength. One item dims thousands of nodes and edges at once. Not clickable:
    clicks and tooltips reach the items under it."""

    def __init__(self, colour: QColor, strength: float):
        super().__init__()
        self.colour = QColor(colour)
        self.colour.setAlphaF(1.0 - strength)
        self.setZValue(VEIL_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.setVisible(False)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        return QRectF(-1e7, -1e7, 2e7, 2e7)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.fillRect(option.exposedRect, self.colour)


def _blend(colour: QColor, under: QColor, alpha: float) -> QColor:
    """``colour`` at ``alpha`` over ``under``, as one opaque colour."""
    mix = [round(a * alpha + b * (1 - alpha)) for a, b in
           ((colour.red(), under.red()), (colour.green(), under.green()),
            (colour.blue(), under.blue()))]  # fmt: skip
    return QColor(*mix)


class FarNodes(QGraphicsItem):
    """The firms' icons as drawn from afar (``ChartDrawing.set_far``): one path of all the
    icons of each look (pen, fill, opacity), painted by Qt, so a frame of thousands of firms
    costs a few calls, not one per firm. Under the firms' own items (which paint nothing
    then, unless highlighted); not clickable."""

    def __init__(self, tab):
        super().__init__()
        self.tab = tab
        self.setZValue(1.9)  # over the edges, under the firms' own items
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.shapes: list[tuple[QPen, QBrush, float, QPainterPath]] = []
        self._bounds = QRectF()

    def set_nodes(self, items) -> None:
        self.prepareGeometryChange()
        looks: dict[tuple, list] = {}
        for item in items:
            key = (item.disc_pen.color().rgba(), item.disc_pen.widthF(),
                   item.disc_brush.color().rgba(), item.opacity())  # fmt: skip
            entry = looks.get(key)
            if entry is None:
                entry = looks[key] = [item.disc_pen, item.disc_brush, item.opacity(),
                                      QPainterPath()]  # fmt: skip
            entry[3].addPath(item.icon.translated(item.pos()))
        self.shapes = [tuple(entry) for entry in looks.values()]
        bounds = QRectF()
        for *_look, path in self.shapes:
            bounds = bounds.united(path.boundingRect())
        self._bounds = bounds.adjusted(-4, -4, 4, 4)
        self.setVisible(bool(self.shapes))
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        for pen, brush, opacity, path in self.shapes:
            painter.setOpacity(opacity)
            painter.setPen(pen)
            painter.setBrush(brush)
            painter.drawPath(path)
        painter.setOpacity(1.0)
