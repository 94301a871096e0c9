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
SELECTED_PEN = QPen(QColor("#FBBC04"), 4)
WHITE = QColor("#FFFFFF")
GREY = QColor("#5F6368")


def chart():
    """The chart's model, layouts and styles (``casebook.book.network``), loaded with the
    facade, not at GUI start."""
    from casebook.book import network

    return network


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


class NodeItem(QGraphicsObject):
    """A firm (a disc with its country code) or a person (a head and shoulders), a label of
    name and facts, and badges."""

    def __init__(self, node, style: dict, tab: NetworkTab):
        super().__init__()
        self.node, self.tab = node, tab
        self.edges: list[EdgeItem] = []
        self.pinned = False
        self.base_opacity = 1.0  # 0.45: nothing under the filters; dimmed below that
        self._bounds = QRectF()
        self.set_node(node, style)
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
        )
        self.setAcceptHoverEvents(True)
        # No item cache: at each zoom step a device cache would re-render 500 pixmaps.
        self.setZValue(2)

    def set_node(self, node, style: dict) -> None:
        self.prepareGeometryChange()
        self.node, self.style = node, style
        self.radius = float(style["radius"])
        self.name_font, self.fact_font = self.tab.name_font, self.tab.fact_font
        self.code_font = QFont(self.tab.font())
        self.code_font.setBold(True)
        self.code_font.setPointSizeF(max(self.tab.font().pointSizeF(), 9.0) * 0.8)
        metrics, fact_metrics = self.tab.name_metrics, self.tab.fact_metrics
        self.name = metrics.elidedText(node.name, Qt.TextElideMode.ElideRight, NAME_WIDTH)
        self.facts = fact_metrics.elidedText(
            chart().facts_text(node, node.score), Qt.TextElideMode.ElideRight, NAME_WIDTH
        )
        self.line = metrics.height()
        self.label_width = min(
            NAME_WIDTH,
            max(metrics.horizontalAdvance(self.name), fact_metrics.horizontalAdvance(self.facts)),
        )
        palette = self.tab.palette()
        self.text_colour = palette.color(self.tab.foregroundRole())
        self.plate = QColor(palette.color(self.tab.backgroundRole()))
        self.plate.setAlpha(200)
        # Everything paint() needs, prepared once: pens, brushes, laid-out texts, rectangles.
        r = self.radius
        self.disc_pen = QPen(QColor(style["colour"]), style["width"])
        self.disc_brush = QBrush(QColor(style["fill"]))
        self.figure = _person_figure(r) if style.get("shape") == "person" else None
        self.kind = chart().kind_of(node)
        self.icon = self.figure if self.figure is not None else kind_icon(self.kind, r)
        self.badge_brush = QBrush(QColor(style["badge"])) if style.get("badge") else None
        self.badge_font = QFont(self.code_font)
        self.badge_font.setPointSizeF(self.code_font.pointSizeF() * 0.8)
        self.badge_text = _static("LISTED", self.badge_font)
        badge = self.badge_text.size()
        self.badge_rect = QRectF(r * 0.4, -r - badge.height() - 1, badge.width() + 8,
                                 badge.height() + 2)  # fmt: skip
        self.badge_at = QPointF(self.badge_rect.x() + 4, self.badge_rect.y() + 1)
        self.code_text = _static(node.country or "??", self.code_font)
        size = self.code_text.size()
        self.code_at = QPointF(-size.width() / 2, -size.height() / 2)
        top = r + 3
        self.name_text = _static(self.name, self.name_font)
        self.facts_text = _static(self.facts, self.fact_font)
        self.name_at = QPointF(-self.name_text.size().width() / 2, top)
        self.facts_at = QPointF(-self.facts_text.size().width() / 2, top + self.line)
        width = self.label_width
        self.plate_rect = QRectF(-width / 2 - 2, top, width + 4, 2 * self.line)
        half = max(width / 2 + 4, r + 8, self.badge_rect.right() + 4)
        top_edge = min(-r - 8, self.badge_rect.top() - 2)
        self._bounds = QRectF(-half, top_edge, 2 * half, r + 12 + 2.2 * self.line - top_edge)
        self.setToolTip(self._tooltip())
        self.update()

    def _tooltip(self) -> str:
        n = self.node
        lines = [n.name]
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

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        return self._bounds

    def obstacles(self) -> list[QRectF]:
        """The disc, the badge and the label's plate, in scene coordinates (where an edge
        label must not go)."""
        x, y, r = self.pos().x(), self.pos().y(), self.radius + 2
        rects = [QRectF(x - r, y - r, 2 * r, 2 * r), self.plate_rect.translated(x, y)]
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
            painter.setFont(self.code_font)
            painter.setPen(WHITE)
            painter.drawStaticText(self.code_at, self.code_text)
        if self.badge_brush is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.badge_brush)
            painter.drawRoundedRect(self.badge_rect, 3, 3)
            painter.setPen(WHITE)
            painter.setFont(self.badge_font)
            painter.drawStaticText(self.badge_at, self.badge_text)
        if self.pinned:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(GREY)
            painter.drawEllipse(QPointF(-r * 0.8, -r * 0.8), 3, 3)
        # The label on a translucent plate, so edges behind it do not hide it.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.plate)
        painter.drawRoundedRect(self.plate_rect, 3, 3)
        painter.setPen(self.text_colour)
        painter.setFont(self.name_font)
        painter.drawStaticText(self.name_at, self.name_text)
        painter.setFont(self.fact_font)
        painter.setPen(self.text_colour if selected else GREY)
        painter.drawStaticText(self.facts_at, self.facts_text)

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
        self.line_pen = style_pen(style)
        self.setPen(self.line_pen)
        self.colour = QColor(style["colour"])
        self.setZValue(0 if edge.is_trade else 1)
        self.setToolTip(f"{source.node.name} → {target.node.name}\n{edge.label}")
        self.head: QGraphicsPolygonItem | None = None
        if style.get("arrow"):
            self.head = QGraphicsPolygonItem(self)
            self.head.setPen(QPen(self.colour, 1.0))
            self.head.setBrush(self.colour)
        self._head_size = 7 + style["width"] * 1.2
        self.label = EdgeLabel(self) if edge.label else None
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

    def wants_label(self) -> bool:
        """Whether the label is wanted (largest edges, a selected end, zoomed in) and can be."""
        return self.label is not None and self.isVisible() and self.labelled()


class EdgeLabel(QGraphicsItem):
    """An edge's "value · shipments" (or relationship) label on a translucent plate."""

    def __init__(self, edge: EdgeItem):
        super().__init__(edge)
        self.edge = edge
        tab = edge.tab
        self.text, self.font, self.colour = edge.edge.label, tab.edge_font, edge.colour
        fm = tab.edge_metrics
        w, h = fm.horizontalAdvance(self.text) + 6, fm.height() + 2
        self.rect = QRectF(-w / 2, -h / 2, w, h)
        self.at = 0.5  # where along the edge (0 at the source), chosen by ``place_edge_labels``
        self.setVisible(False)

    def place(self, mid: QPointF) -> None:
        self.setPos(mid)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        return self.rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if option.levelOfDetailFromTransform(painter.worldTransform()) < MIN_TEXT_LOD:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.edge.tab.label_plate)
        painter.drawRoundedRect(self.rect, 3, 3)
        painter.setPen(self.colour)
        painter.setFont(self.font)
        painter.drawText(self.rect, Qt.AlignmentFlag.AlignCenter, self.text)


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
        self.setToolTip(f"{name}\n{', '.join(m.node.name for m in members)}")
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
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
            bounds = QRectF(self._rect)
            for node, _value in self.outside:
                p = node.pos() - self.pos()
                bounds = bounds.united(QRectF(p, p).adjusted(-1, -1, 1, 1))
            self._bounds = bounds.adjusted(-6, -6, 6, 6)
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
            for node, value in self.outside:
                width = chart().trade_width(value) if value else 2.0
                painter.setPen(QPen(GROUP_COLOUR, width))
                painter.drawLine(QPointF(0, 0), node.pos() - self.pos())
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


GROUP_COLOUR = QColor("#5F6368")
GROUP_FILL = QColor("#F1F3F4")
GROUP_SHADE = QColor(95, 99, 104, 18)
