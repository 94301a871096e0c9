"""The Network tab: the case's link chart on a ``QGraphicsView``.

The model, layouts and styles come from ``analysis/network.py`` (the briefing draws the same
picture): the unit-square layout is mapped onto a canvas of ``canvas_size(n)`` points; it fills
a rectangle shaped like the view, is laid out with this tab's font metrics and drawn in around
the labels, so that Fit shows them at a readable size. Nodes
show the country code, a listed badge, the red-flag score and the role; trade edges are as wide
as their value and labelled "value · shipments" (the largest ones, the selected firm's, and all
of them when zoomed in); relationships have their own colours and dashes. Filters (dates, HS
prefix, minimum value) re-read the edges and keep the nodes where they are. Dragging moves one
node and its edges (positions are saved per case); zoom with the wheel, pan by dragging the
background, Fit shows everything. Selecting a firm shows its details, evidence and largest
shipments, and selects it in the other tabs that can (``show_item("firm", uid)``). Files dropped
on a firm go into the evidence vault linked to that firm (the Evidence tab's shared
``add_evidence_files``, as on the Firms tab); a drop on empty space is refused.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
    QRegion,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsScene,
    QGraphicsView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casebook.core.numbers import money
from casebook.ui.evidence_tab import add_evidence_files, local_files
from casebook.ui.filter_edit import filter_edit
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.workspace import WorkspaceTab


def _static(text: str, font: QFont) -> QStaticText:
    """Text laid out once (painting a laid-out text is several times faster)."""
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
    static.prepare(QTransform(), font)
    return static


TOP_LABELS = 12  # trade edges labelled at any zoom: the largest
MIN_TEXT_LOD = 0.45  # below this scale a 9-point label is under 5 pixels: not drawn
SETTLE_MS = 150  # after the last zoom step, the chart is drawn again antialiased
FIT_MARGIN = 8  # pixels around the chart after Fit
#: Where the legend may go, (right, top), in order of preference: the first that covers no
#: firm after Fit.
LEGEND_CORNERS = ((True, True), (True, False), (False, True), (False, False))
ZOOM_ALL_LABELS = 1.4  # from this zoom on, every edge is labelled (where it has room)
LABEL_POINTS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)  # where along an edge a label may sit
NAME_WIDTH = 150.0  # a label line is elided at this width (the tooltip has the full name)
NAME_POINTS = 10.0  # the firm's name; the facts line is ``FACTS_EM`` of it
#: The layout's shape (width : height) before the view has its size: about the chart's view in
#: a main window of 1280 x 800 to 1600 x 1000.
CHART_ASPECT = 1.3
SELECTED_PEN = QPen(QColor("#FBBC04"), 4)
WHITE = QColor("#FFFFFF")
GREY = QColor("#5F6368")


def _net():
    from casebook.analysis import network  # loaded with the facade, not at GUI start

    return network


def _pen(style: dict, scale: float = 1.0) -> QPen:
    pen = QPen(QColor(style["colour"]), style["width"] * scale)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    if style.get("pattern"):
        pen.setDashPattern([float(v) for v in style["pattern"]])
    return pen


class ExportDialog:
    """Where to save an export (patched in tests)."""

    @classmethod
    def ask(cls, parent: QWidget, title: str, name: str, filters: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(parent, title, name, filters)
        return Path(path) if path else None


# --- items ----------------------------------------------------------------------------------


class NodeItem(QGraphicsObject):
    """A firm: a disc with its country code, a label of name and facts, and badges."""

    def __init__(self, node, style: dict, tab: NetworkTab):
        super().__init__()
        self.node, self.tab = node, tab
        self.edges: list[EdgeItem] = []
        self.pinned = False
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
            _net().facts_text(node, node.score), Qt.TextElideMode.ElideRight, NAME_WIDTH
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
        lines.append(f"{n.country or '??'} · {n.role or 'no role'} · red-flag score {n.score:g}")
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
        painter.drawEllipse(QPointF(0, 0), r, r)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < MIN_TEXT_LOD and not selected:
            return  # too small to read: the disc alone
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

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().mouseMoveEvent(event)  # moves every selected node
        moved = {self, *(i for i in self.scene().selectedItems() if isinstance(i, NodeItem))}
        for item in moved:
            item.adjust_edges()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().mouseReleaseEvent(event)
        if (
            event.button() == Qt.MouseButton.LeftButton
            and event.buttonDownScenePos(Qt.MouseButton.LeftButton) != event.scenePos()
        ):
            self.tab.node_moved()


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
        self.line_pen = _pen(style)
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


class LegendOverlay:
    """The legend, fixed in a corner of the viewport (the top right one unless Fit finds it
    over a firm and another corner free: ``corner``), painted by the view over the
    scene (``drawForeground``) from a pixmap made once. Not a child widget: a widget over the
    viewport stops Qt from scrolling it by moving its pixels (a pan step would repaint the whole
    chart, ~40 ms on 2,000 edges, instead of the strip that comes into sight, ~2 ms)."""

    def __init__(self, view: QGraphicsView):
        self.view = view
        self.visible = True
        self.corner = (True, True)  # (right, top)
        font = legend_font(view.font())
        size = legend_size(font) + QSize(2, 2)
        ratio = view.devicePixelRatioF()
        self.pixmap = QPixmap((size.toSizeF() * ratio).toSize())
        self.pixmap.setDevicePixelRatio(ratio)
        self.pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(self.pixmap)
        paint_legend(painter, QPointF(0, 0), font, view.palette())
        painter.end()
        self.size = size

    def isVisible(self) -> bool:  # noqa: N802 (like a widget's)
        return self.visible

    def geometry(self) -> QRect:
        """Where it is, in viewport coordinates."""
        port = self.view.viewport().rect()
        right, top = self.corner
        x = port.right() - self.size.width() - 10 if right else 10
        y = 10 if top else port.bottom() - self.size.height() - 10
        return QRect(x, y, self.size.width(), self.size.height())

    def width(self) -> int:
        return self.size.width()

    def height(self) -> int:
        return self.size.height()

    def paint(self, painter: QPainter) -> None:
        if self.visible:
            painter.save()
            painter.resetTransform()  # viewport coordinates
            painter.drawPixmap(self.geometry().topLeft(), self.pixmap)
            painter.restore()


class NetworkView(QGraphicsView):
    """Zoom with the wheel (around the cursor), pan by dragging the background."""

    zoomed = Signal(float)
    resized = Signal()
    files_dropped = Signal(list, str)  # local paths, firm uid

    def __init__(self, scene: QGraphicsScene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        # No scroll bars: pan by dragging; their coming and going would also shift the fit.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.legend = LegendOverlay(self)
        self.auto_fit = True  # keep everything in sight on resizes until the user zooms
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS, timeout=self._settled)

    def zoom(self) -> float:
        return self.transform().m11()

    # --- files dropped on a firm ------------------------------------------------------------

    def node_at(self, point) -> NodeItem | None:
        """The visible firm under viewport ``point`` (its disc or its label)."""
        for item in self.items(point.toPoint() if hasattr(point, "toPoint") else point):
            while item is not None and not isinstance(item, NodeItem):
                item = item.parentItem()
            if item is not None and item.isVisible():
                return item
        return None

    def _drag(self, event) -> NodeItem | None:
        """Accept a drag of local files over a firm; refuse it anywhere else (quietly)."""
        node = self.node_at(event.position()) if local_files(event.mimeData()) else None
        if node is None:
            event.ignore()
            # Enter must be accepted for moves to follow; a move off the firms is refused.
            if event.type() == event.Type.DragEnter and local_files(event.mimeData()):
                event.acceptProposedAction()
            return None
        event.acceptProposedAction()
        return node

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self._drag(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        node = self._drag(event)
        if node is not None and not node.isSelected():
            self.scene().clearSelection()
            node.setSelected(True)  # shows which firm the files will support

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        node = self._drag(event)
        if node is not None:
            self.files_dropped.emit(local_files(event.mimeData()), node.node.uid)

    def zoom_by(self, factor: float) -> None:
        new = min(8.0, max(0.05, self.zoom() * factor))
        factor = new / self.zoom()
        self.moving()
        self.scale(factor, factor)
        self.zoomed.emit(self.zoom())

    def moving(self) -> None:
        """While the chart zooms, frames are drawn without antialiasing (a third faster on 2,000
        edges); the antialiased frame follows once the steps stop for ``SETTLE_MS``."""
        if self.renderHints() & QPainter.RenderHint.Antialiasing:
            self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self._settle.start()

    def _settled(self) -> None:
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)  # repaints the viewport

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.auto_fit = False
            self.zoom_by(1.15**steps)
            event.accept()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit()
        self.resized.emit()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 (Qt naming)
        self.legend.paint(painter)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 (Qt naming)
        """Qt moves the chart's pixels and paints the strip that came into sight; the legend
        moved with them: paint it again where it was and where it stays."""
        super().scrollContentsBy(dx, dy)
        if self.legend.visible and (dx or dy):
            where = self.legend.geometry()
            self.viewport().update(QRegion(where) | QRegion(where.translated(dx, dy)))

    def visible_rect(self) -> QRectF:
        """The scene rectangle of what is shown: visible firms (disc, badge, label), visible
        edges and edge labels."""
        rect = QRectF()
        for item in self.scene().items():
            if item.isVisible() and (item.parentItem() is None or item.parentItem().isVisible()):
                rect = rect.united(item.sceneBoundingRect())
        return rect

    def fit(self) -> None:
        """Show everything visible as large as it fits, with a small margin; when the legend
        would cover a firm, the chart makes room for it beside or below it, whichever leaves
        the chart larger."""
        rect = self.visible_rect()
        port = self.viewport().rect()
        if rect.isEmpty() or port.width() < 50 or port.height() < 50:
            return
        margin = FIT_MARGIN
        width, height = port.width() - 2 * margin, port.height() - 2 * margin
        zoom = min(width / rect.width(), height / rect.height())
        choice = rect
        if self.legend.isVisible():
            self.legend.corner = next(
                (c for c in LEGEND_CORNERS if not self._covers_a_firm(rect, zoom, c)),
                LEGEND_CORNERS[0],
            )
        if self.legend.isVisible() and self._covers_a_firm(rect, zoom):
            gap = 8
            lw, lh = self.legend.width() + gap, self.legend.height() + gap
            beside = min((width - lw) / rect.width(), height / rect.height())
            below = min(width / rect.width(), (height - lh) / rect.height())
            if beside >= below:
                zoom, choice = beside, rect.adjusted(0, 0, lw / beside, 0)
            else:
                zoom, choice = below, rect.adjusted(0, -lh / below, 0, 0)
        zoom = max(zoom, 1e-3)
        # The scene must reach past the view on every side, or Qt centres it instead.
        seen = QRectF(0, 0, port.width() / zoom, port.height() / zoom)
        seen.moveCenter(choice.center())
        self.scene().setSceneRect(self.scene().sceneRect().united(seen.adjusted(-50, -50, 50, 50)))
        self.setTransform(QTransform.fromScale(zoom, zoom))
        self.centerOn(choice.center())
        self.zoomed.emit(self.zoom())

    def _covers_a_firm(self, rect: QRectF, zoom: float, corner=None) -> bool:
        """Whether the legend (in its corner, or ``corner``) would cover a visible firm (its
        disc, badge or label) with ``rect`` centred at ``zoom``."""
        if corner is not None:
            was, self.legend.corner = self.legend.corner, corner
            try:
                return self._covers_a_firm(rect, zoom)
            finally:
                self.legend.corner = was
        corner = QRectF(self.legend.geometry())
        port = self.viewport().rect()
        # Viewport -> scene for the fitted view: centre on centre.
        x = rect.center().x() + (corner.left() - port.width() / 2) / zoom
        y = rect.center().y() + (corner.top() - port.height() / 2) / zoom
        covered = QRectF(x, y, corner.width() / zoom, corner.height() / zoom)
        return any(
            isinstance(item, NodeItem)
            and item.isVisible()
            and any(r.intersects(covered) for r in item.obstacles())
            for item in self.scene().items(covered, Qt.ItemSelectionMode.IntersectsItemBoundingRect)
        )


def legend_font(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(max(font.pointSizeF() * 0.85, 7.5))
    return small


def legend_size(font: QFont) -> QSize:
    fm = QFontMetricsF(font)
    rows = _net().legend()
    width = max(fm.horizontalAdvance(text) for text, _ in rows) + 64
    return QSize(int(width), int((fm.height() + 4) * (len(rows) + 1) + 12))


def paint_legend(painter: QPainter, at: QPointF, font: QFont, palette) -> None:
    """The legend (node colours, listed, trade, relationship kinds) at ``at``."""
    net = _net()
    fm = QFontMetricsF(font)
    size = legend_size(font)
    line = fm.height() + 4
    x0, y = at.x() + 8, at.y() + 5
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    back = QColor(palette.color(palette.ColorRole.Base))
    back.setAlpha(235)
    painter.setPen(QPen(QColor("#DADCE0")))
    painter.setBrush(back)
    painter.drawRoundedRect(QRectF(at.x(), at.y(), size.width(), size.height()), 4, 4)
    bold = QFont(font)
    bold.setBold(True)
    painter.setFont(bold)
    painter.setPen(palette.color(palette.ColorRole.Text))
    painter.drawText(QRectF(x0, y, size.width(), line), Qt.AlignmentFlag.AlignVCenter, "Legend")
    painter.setFont(font)
    for text, style in net.legend():
        y += line
        mid = y + line / 2
        if style["kind"] == "node":
            listed = "colour" in style
            painter.setPen(QPen(QColor(style.get("colour", "#202124")), 2.5 if listed else 1))
            painter.setBrush(QColor(style["fill"]))
            painter.drawEllipse(QPointF(x0 + 18, mid), 6, 6)
        else:
            painter.setPen(_pen(style, 0.6 if style["width"] > 3 else 1.0))
            painter.drawLine(QPointF(x0, mid), QPointF(x0 + 36, mid))
        painter.setPen(palette.color(palette.ColorRole.Text))
        painter.drawText(QRectF(x0 + 44, y, size.width() - 52, line),
                         Qt.AlignmentFlag.AlignVCenter, text)  # fmt: skip


# --- the tab --------------------------------------------------------------------------------


class NetworkTab(QWidget):
    """Filters and layout above the chart; the selected firm's details beside it."""

    drawn = Signal()  # after the chart was (re)drawn
    details_shown = Signal(dict)  # the selected firm's details arrived
    firm_selected = Signal(str)  # uid
    scored = Signal()  # the red-flag scores arrived and are shown
    evidence_added = Signal(object)  # EvidenceAdded, after a file dropped on a firm was added

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.model = None
        self.scores: dict[str, float] | None = None  # red-flag scores by firm uid
        self._scoring = False
        self.nodes: dict[str, NodeItem] = {}
        self.edge_items: list[EdgeItem] = []
        self.hidden: set[str] = set()
        self._labelled_for: set[str] = set()  # selected firms whose edges show their labels
        self.all_labels = False  # zoomed in far enough to label every edge
        self.name_font = QFont(self.font())
        self.name_font.setPointSizeF(max(self.font().pointSizeF(), NAME_POINTS))
        self.fact_font = QFont(self.name_font)
        self.fact_font.setPointSizeF(self.name_font.pointSizeF() * _net().FACTS_EM)
        self.name_metrics = QFontMetricsF(self.name_font)
        self.fact_metrics = QFontMetricsF(self.fact_font)
        self.edge_font = QFont(self.font())
        self.edge_font.setPointSizeF(max(self.font().pointSizeF() * 0.85, 8.0))
        self.edge_metrics = QFontMetricsF(self.edge_font)
        self.label_plate = QColor(self.palette().color(self.backgroundRole()))
        self.label_plate.setAlpha(215)
        self._generation = 0
        self._blind = False  # laid out before the view had its size
        self._quiet = False  # selecting on request of another tab: do not echo it back
        self._build()
        self._save_timer = QTimer(self, singleShot=True, interval=600, timeout=self.save_positions)
        self._debounce = QTimer(self, singleShot=True, interval=350, timeout=self.reload)
        for edit in (self.date_from, self.date_to, self.hs, self.min_value):
            edit.textChanged.connect(self._debounce.start)
        self.reload(relayout=True)

    # --- widgets ----------------------------------------------------------------------------

    def _build(self) -> None:
        # Short placeholders (the formats are in the tooltips): one row of controls keeps the
        # chart its height and the tab narrow enough for the case list beside it.
        self.date_from = filter_edit("From", "First date: YYYY, YYYY-MM or YYYY-MM-DD")
        self.date_to = filter_edit("To", "Last date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD")
        self.hs = filter_edit("HS code", "Code prefix: 84, 8458, 845811 …")
        self.min_value = filter_edit("Min USD", "Leave out trade links worth less than this")
        self.layout_choice = QComboBox()
        self.layout_choice.addItem("Force-directed", "force")
        self.layout_choice.addItem("Layered: makers → importers", "layered")
        self.layout_choice.activated.connect(lambda _i: self.relayout())
        self.relayout_button = QPushButton("Re-layout")
        self.relayout_button.setToolTip("Lay out again; pinned firms stay where they are")
        self.relayout_button.clicked.connect(lambda: self.relayout())
        self.fit_button = QPushButton("Fit")
        self.fit_button.clicked.connect(self._fit)
        self.export_button = QToolButton(text="Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction("PNG image…", lambda: self._ask_export("png"))
        menu.addAction("SVG drawing…", lambda: self._ask_export("svg"))
        menu.addAction("GraphML (Gephi)…", lambda: self._ask_export("graphml"))
        self.export_button.setMenu(menu)
        self.status = QLabel()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #D93025;")

        self.scene = QGraphicsScene(self)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.view = NetworkView(self.scene)
        self.view.zoomed.connect(self._zoomed)
        self.view.resized.connect(self._view_resized)
        self.view.files_dropped.connect(self.drop_files)

        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.setPlaceholderText("Select a firm to see its details, evidence and shipments.")
        self.expand_button = QPushButton("Expand neighbours")
        self.focus_button = QPushButton("Focus")
        self.focus_button.setToolTip("Hide every firm not linked to the selected ones")
        self.hide_button = QPushButton("Hide")
        self.pin_button = QPushButton("Pin")
        self.show_all_button = QPushButton("Show all")
        self.expand_button.clicked.connect(self.expand_selected)
        self.focus_button.clicked.connect(self.focus_selected)
        self.hide_button.clicked.connect(self.hide_selected)
        self.pin_button.clicked.connect(self.toggle_pin)
        self.show_all_button.clicked.connect(self.show_all)

        bar = QHBoxLayout()
        for widget in (self.date_from, self.date_to, self.hs, self.min_value):
            bar.addWidget(widget)
        bar.addWidget(self.layout_choice)
        bar.addWidget(self.relayout_button)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.problem, 1)
        bar.addWidget(self.status)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        actions = QGridLayout()  # two rows: a narrow pane leaves the chart more room
        actions.addWidget(self.expand_button, 0, 0)
        actions.addWidget(self.focus_button, 0, 1)
        actions.addWidget(self.hide_button, 1, 0)
        actions.addWidget(self.pin_button, 1, 1)
        side_layout.addLayout(actions)
        side_layout.addWidget(self.details, 1)
        side_layout.addWidget(self.show_all_button)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.view)
        self.split.addWidget(side)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([1000, 240])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.split, 1)
        self._sync_actions()

    def _fit(self) -> None:
        self.view.auto_fit = True
        self.view.fit()

    def _zoomed(self, zoom: float) -> None:
        labels = zoom >= ZOOM_ALL_LABELS
        if labels != self.all_labels:
            self.all_labels = labels
            self.place_edge_labels()

    # --- reading ----------------------------------------------------------------------------

    def filters(self) -> dict:
        return {
            "date_from": self.date_from.text().strip() or None,
            "date_to": self.date_to.text().strip() or None,
            "hs": self.hs.text().strip() or None,
            "min_value": self.min_value.text().strip().replace(",", "") or 0.0,
        }

    def reload(self, *, relayout: bool = False) -> None:
        """Read the network under the filters on the worker, then draw it. Red-flag scores
        (a scan of every shipment) follow in a second read, so the chart shows first."""
        self._generation += 1
        gen, ref, filters = self._generation, self.ref, self.filters()

        def work(book):
            model = book.network(case_ref=ref, scores=False, **filters)
            saved = book.load_positions(case_ref=ref) if relayout else None
            kind = book.load_layout(case_ref=ref) if relayout else None
            return model, saved, kind

        Op(self.host, work, label="Reading the network").success(
            lambda result: self._arrived(gen, *result, relayout=relayout)
        ).failure(lambda exc: self._failed(gen, exc)).run()

    def _read_scores(self) -> None:
        ref = self.ref
        self._scoring = True
        Op(self.host, lambda book: book.flags(case_ref=ref), label="Scoring red flags").success(
            self._scores_arrived
        ).failure(self._scores_failed).run()

    def _scores_failed(self, exc: BaseException) -> None:
        self._scoring = False
        self._quiet_failure(exc)

    def _scores_arrived(self, result: dict) -> None:
        self._scoring = False
        self.scores = {f["uid"]: float(f["score"]) for f in result["firms"]}
        net = _net()
        for uid, item in self.nodes.items():
            score = self.scores.get(uid, 0.0)
            if item.node.score != score:
                item.node.score = score
                item.set_node(item.node, net.style_for(item.node))
        self.place_edge_labels()  # the labels' plates may have grown
        self.scored.emit()

    def _quiet_failure(self, exc: BaseException) -> None:
        """A refusal (the case or firm went away meanwhile) is shown in the bar, not a dialog."""
        from casebook.core.errors import CasebookError

        if isinstance(exc, CasebookError):
            self.problem.setText(exc.message)
        else:
            self.host.present_error(exc)

    def _failed(self, gen: int, exc: BaseException) -> None:
        if gen != self._generation:
            return
        from casebook.core.errors import CasebookError

        if isinstance(exc, CasebookError):
            self.problem.setText(exc.message)
        else:
            self.host.present_error(exc)

    def _arrived(self, gen: int, model, saved, kind, *, relayout: bool) -> None:
        if gen != self._generation:
            return
        index = self.layout_choice.findData(kind) if kind else -1
        if index >= 0:
            self.layout_choice.setCurrentIndex(index)
        self.problem.setText("")
        for node in model.nodes:
            node.score = (self.scores or {}).get(node.uid, 0.0)
        self.model = model
        self.draw(saved=saved, relayout=relayout)
        if self.scores is None and not self._scoring:
            self._read_scores()

    # --- drawing ----------------------------------------------------------------------------

    def side(self) -> float:
        return _net().canvas_size(len(self.model.nodes) if self.model else 1)

    def aspect(self) -> float:
        """The view's shape (width : height) once it has its size, else ``CHART_ASPECT``."""
        port = self.view.viewport()
        if not self.view.isVisible() or port.width() < 200 or port.height() < 150:
            return CHART_ASPECT
        return min(2.5, max(0.6, port.width() / port.height()))

    def text_width(self, text: str, em: float) -> float:
        """A label line's width as this tab draws it (the layouts' ``text_width``)."""
        metrics = self.name_metrics if em >= 1.0 else self.fact_metrics
        return metrics.horizontalAdvance(text)

    def layout(self, pinned: dict | None = None) -> dict[str, tuple[float, float]]:
        """The chosen layout of the model in the view's shape, with this tab's label sizes,
        drawn in tight. Laid out before the view had its size (a tab read while hidden), a
        chart of fewer than ``COMPACT_LIMIT`` firms is laid out again when it is first shown."""
        aspect = self.aspect()
        net = _net()
        self._blind = aspect == CHART_ASPECT and len(self.model.nodes) < net.COMPACT_LIMIT
        return net.layout_network(
            self.model, kind=self.layout_choice.currentData(), seed=0, pinned=pinned or None,
            aspect=aspect, text_width=self.text_width, line=self.name_metrics.height(),
            compact=True,
        )  # fmt: skip

    def _view_resized(self) -> None:
        if self._blind and self.model is not None and self.aspect() != CHART_ASPECT:
            self._blind = False
            if not any(item.pinned for item in self.nodes.values()):
                self.relayout()

    def draw(self, *, saved: dict | None = None, relayout: bool = False) -> None:
        """Draw the model; existing nodes keep their positions unless ``relayout``."""
        net = _net()
        model, side = self.model, self.side()
        width = height = side
        current = self.positions()
        keep = dict(saved or {}) if relayout else current
        new_nodes = [n.uid for n in model.nodes if n.uid not in keep]
        positions = keep
        if new_nodes or not model.nodes:
            positions = self.layout(pinned=keep)
        selected = {uid for uid, item in self.nodes.items() if item.isSelected()}
        pinned = {uid for uid, item in self.nodes.items() if item.pinned}
        self._quiet = True
        self._labelled_for = set()
        self.scene.clear()
        self.nodes.clear()
        self.edge_items = []
        for node in model.nodes:
            item = NodeItem(node, net.style_for(node), self)
            x, y = positions.get(node.uid, (0.5, 0.5))
            item.setPos(x * width, y * height)  # edges are drawn after the nodes
            item.pinned = node.uid in pinned
            if node.shipments == 0 and not model.neighbours(node.uid):
                item.setOpacity(0.45)  # nothing under the filters
            self.scene.addItem(item)
            self.nodes[node.uid] = item
        self._add_edges(model)
        for uid in selected & set(self.nodes):
            self.nodes[uid].setSelected(True)
        for uid in self.hidden & set(self.nodes):
            self._set_visible(uid, False)
        self._quiet = False
        self.place_edge_labels()
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-200, -200, 200, 200))
        trade = sum(1 for e in model.edges if e.is_trade)
        self.status.setText(
            f"{len(model.nodes):,} firms · {trade:,} trade links · "
            f"{len(model.edges) - trade:,} relationships"
        )
        if relayout:
            self.view.fit()
        if relayout and not saved:
            self._save_timer.start()
        self._sync_actions()
        self.drawn.emit()

    def _add_edges(self, model) -> None:
        net = _net()
        pairs: dict[frozenset, int] = {}
        for edge in model.edges:
            key = frozenset((edge.source, edge.target))
            pairs[key] = pairs.get(key, 0) + 1
        seen: dict[frozenset, int] = {}
        for edge in model.edges:
            if edge.source not in self.nodes or edge.target not in self.nodes:
                continue
            key = frozenset((edge.source, edge.target))
            i = seen.get(key, 0)
            seen[key] = i + 1
            count = pairs[key]
            bend = 0.0 if count == 1 else (i - (count - 1) / 2) * 36.0
            if count == 2 and edge.source > edge.target:
                bend = -bend  # opposite directions: keep both curves apart
            item = EdgeItem(edge, net.style_for(edge), self.nodes[edge.source],
                            self.nodes[edge.target], bend, self)  # fmt: skip
            self.scene.addItem(item)
            self.edge_items.append(item)
        trade = sorted((e for e in self.edge_items if e.edge.is_trade),
                       key=lambda e: -e.edge.value_usd)  # fmt: skip
        for item in trade[:TOP_LABELS]:
            item.top = True
        for item in self.edge_items:
            if not item.edge.is_trade:
                item.top = True

    def place_edge_labels(self) -> None:
        """Show the wanted edge labels where they cover no firm (disc, badge, label) and no
        other edge label: greedily, the selected firms' edges first, then relationships, then
        trade by value, each at the first free point of a few along its edge (the middle
        first). A label with no free point stays hidden; the edge's tooltip gives it."""
        cell = 120.0
        grid: dict[tuple[int, int], list[QRectF]] = {}

        def cells(rect: QRectF):
            for gx in range(math.floor(rect.left() / cell), math.floor(rect.right() / cell) + 1):
                for gy in range(math.floor(rect.top() / cell),
                                math.floor(rect.bottom() / cell) + 1):  # fmt: skip
                    yield gx, gy

        def free(rect: QRectF) -> bool:
            return not any(
                rect.intersects(other) for key in cells(rect) for other in grid.get(key, ())
            )

        def take(rect: QRectF) -> None:
            for key in cells(rect):
                grid.setdefault(key, []).append(rect)

        for node in self.nodes.values():
            if node.isVisible():
                for rect in node.obstacles():
                    take(rect)
        wanted = [e for e in self.edge_items if e.wants_label()]
        wanted.sort(key=lambda e: (not (e.source.isSelected() or e.target.isSelected()),
                                   e.edge.is_trade, -e.edge.value_usd))  # fmt: skip
        for edge in self.edge_items:
            if edge.label is not None and edge.label.isVisible() and not edge.wants_label():
                edge.label.setVisible(False)
        path = None
        for edge in wanted:
            label, path = edge.label, edge.path()
            for at in LABEL_POINTS:
                rect = label.rect.translated(path.pointAtPercent(at))
                if free(rect):
                    take(rect)
                    label.at = at
                    label.setPos(rect.center())
                    if not label.isVisible():
                        label.setVisible(True)
                    break
            else:
                if label.isVisible():
                    label.setVisible(False)

    def legend_texts(self) -> list[str]:
        return [text for text, _style in _net().legend()]

    # --- layout and positions ---------------------------------------------------------------

    def positions(self) -> dict[str, tuple[float, float]]:
        side = self.side()
        return {uid: (item.pos().x() / side, item.pos().y() / side)
                for uid, item in self.nodes.items()}  # fmt: skip

    def relayout(self) -> None:
        """Lay the chart out again (the chosen layout); pinned firms stay."""
        if self.model is None:
            return
        side = self.side()
        at = self.positions()
        positions = self.layout(pinned={uid: at[uid] for uid, item in self.nodes.items()
                                        if item.pinned})  # fmt: skip
        for uid, (x, y) in positions.items():
            if uid in self.nodes:
                self.nodes[uid].place(x * side, y * side)
        self.place_edge_labels()
        self.view.fit()
        self._save_timer.start()

    def node_moved(self) -> None:
        self.place_edge_labels()
        self._save_timer.start()

    def save_positions(self) -> None:
        if not self.nodes or self.host.book is None:
            return
        ref, positions, kind = self.ref, self.positions(), self.layout_choice.currentData()
        Op(
            self.host,
            lambda book: book.save_positions(case_ref=ref, positions=positions, layout=kind),
            label="Saving the chart",
        ).failure(self._quiet_failure).run()

    # --- selection, details, hide and pin ---------------------------------------------------

    def selected_uids(self) -> list[str]:
        # isValid: at exit Qt deletes the items before the scene's last selectionChanged.
        return [uid for uid, item in self.nodes.items() if isValid(item) and item.isSelected()]

    def select(self, uid: str) -> bool:
        item = self.nodes.get(uid)
        if item is None:
            return False
        self.scene.clearSelection()
        self._set_visible(uid, True)
        item.setSelected(True)
        self.view.ensureVisible(item, 40, 40)  # scrolls only when the firm is out of sight
        return True

    def show_item(self, kind: str, uid: str) -> bool:
        """Select a firm (another tab or the search box asked); True when it is in the chart."""
        if kind != "firm" or uid not in self.nodes:
            return False
        self._quiet = True
        try:
            return self.select(uid)
        finally:
            self._quiet = False

    def _selection_changed(self) -> None:
        self._sync_actions()
        uids = self.selected_uids()
        now = set(uids)
        if now != self._labelled_for:  # the selected firms' edges are labelled first
            self.place_edge_labels()
        self._labelled_for = now
        if len(uids) != 1:
            return
        uid = uids[0]
        self.firm_selected.emit(uid)
        ref = self.ref
        Op(self.host, lambda book: book.network_firm(case_ref=ref, uid=uid),
           label="Reading the firm").success(self._show_details).failure(
            self._quiet_failure).run()  # fmt: skip
        if not self._quiet:
            tell_other_tabs(self, "firm", uid)

    def _show_details(self, details: dict) -> None:
        if details["uid"] not in self.selected_uids():
            return
        node = self.model.node(details["uid"]) if self.model else None
        self.details.setHtml(details_html(details, node))
        self.details_shown.emit(details)

    def _set_visible(self, uid: str, visible: bool) -> None:
        item = self.nodes.get(uid)
        if item is None:
            return
        item.setVisible(visible)
        if visible:
            self.hidden.discard(uid)
        else:
            self.hidden.add(uid)
            item.setSelected(False)
        for edge in item.edges:
            edge.setVisible(edge.source.isVisible() and edge.target.isVisible())

    def hide_selected(self) -> None:
        for uid in self.selected_uids():
            self._set_visible(uid, False)
        self.place_edge_labels()
        self._sync_actions()

    def focus_selected(self) -> None:
        keep = set(self.selected_uids())
        if not keep or self.model is None:
            return
        for uid in list(keep):
            keep |= self.model.neighbours(uid)
        for uid in self.nodes:
            self._set_visible(uid, uid in keep)
        self.place_edge_labels()
        self._sync_actions()

    def expand_selected(self) -> None:
        if self.model is None:
            return
        for uid in self.selected_uids():
            for other in self.model.neighbours(uid):
                self._set_visible(other, True)
        self.place_edge_labels()
        self._sync_actions()

    def show_all(self) -> None:
        for uid in list(self.hidden):
            self._set_visible(uid, True)
        self.place_edge_labels()
        self._sync_actions()

    def toggle_pin(self) -> None:
        items = [self.nodes[uid] for uid in self.selected_uids()]
        pin = not all(item.pinned for item in items)
        for item in items:
            item.pinned = pin
            item.update()
        self._sync_actions()

    def _sync_actions(self) -> None:
        uids = self.selected_uids() if hasattr(self, "nodes") else []
        for button in (self.expand_button, self.focus_button, self.hide_button, self.pin_button):
            button.setEnabled(bool(uids))
        pinned = bool(uids) and all(self.nodes[u].pinned for u in uids)
        self.pin_button.setText("Unpin" if pinned else "Pin")
        self.show_all_button.setEnabled(bool(self.hidden))
        self.show_all_button.setText(f"Show all ({len(self.hidden)} hidden)" if self.hidden
                                     else "Show all")  # fmt: skip

    # --- evidence dropped on a firm ---------------------------------------------------------

    def drop_files(self, paths: list, uid: str) -> int:
        """Add files to the vault linked to firm ``uid`` (asks for title and grade first)."""
        item = self.nodes.get(uid)
        if item is None:
            return 0
        name = item.node.name
        return add_evidence_files(
            self,
            self.host,
            self.ref,
            paths,
            link=("firm", uid),
            done=lambda added: self._evidence_added(added, uid, name),
        )

    def _evidence_added(self, added, uid: str, name: str) -> None:
        e = added.evidence
        again = " (already in the vault: same SHA-256)" if added.existing else ""
        self.status.setText(f"E{e.number} “{e.title}”{again} now supports {name}")
        if self.selected_uids() == [uid]:  # the details pane lists the firm's evidence
            ref = self.ref
            Op(self.host, lambda book: book.network_firm(case_ref=ref, uid=uid),
               label="Reading the firm").success(self._show_details).failure(
                self._quiet_failure).run()  # fmt: skip
        self.evidence_added.emit(added)

    # --- export -----------------------------------------------------------------------------

    def _ask_export(self, kind: str) -> None:
        names = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)",
                 "graphml": "GraphML (*.graphml)"}  # fmt: skip
        path = ExportDialog.ask(
            self, "Export the network", f"{self.ref}-network.{kind}", names[kind]
        )
        if path is not None:
            self.export(path)

    def export(self, path: Path) -> Path:
        """Write the chart as shown: PNG, SVG (by suffix) or GraphML (visible firms)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".graphml":
            self._export_graphml(path)
        elif suffix == ".svg":
            self._export_svg(path)
        else:
            self._export_png(path)
        self.status.setText(f"Exported {path.name}")
        return path

    def _source_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.scene.items():
            if item.isVisible():
                rect = rect.united(item.sceneBoundingRect())
        legend = legend_size(self.font())
        return rect.adjusted(-20, -20 - legend.height(), 20, 20)

    def _export_png(self, path: Path) -> None:
        source = self._source_rect()
        scale = 2.0
        image = QImage((source.size() * scale).toSize(), QImage.Format.Format_ARGB32)
        image.fill(self.palette().color(self.backgroundRole()))
        painter = QPainter(image)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        self.scene.render(painter, QRectF(image.rect()), source)
        painter.scale(scale, scale)
        self._paint_export_legend(painter, source.width())
        painter.end()
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    def _export_svg(self, path: Path) -> None:
        from PySide6.QtSvg import QSvgGenerator

        source = self._source_rect()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(QSize(int(source.width()), int(source.height())))
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        generator.setTitle(f"{self.ref} network")
        painter = QPainter(generator)
        self.scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
        self._paint_export_legend(painter, source.width())
        painter.end()

    def _paint_export_legend(self, painter: QPainter, width: float) -> None:
        size = legend_size(self.font())
        paint_legend(painter, QPointF(width - size.width() - 8, 8), self.font(), self.palette())

    def _export_graphml(self, path: Path) -> None:
        from casebook.analysis.network import NetworkModel
        from casebook.exchange.graphml import write_graphml

        visible = {uid for uid, item in self.nodes.items() if item.isVisible()}
        model = NetworkModel(
            nodes=[n for n in self.model.nodes if n.uid in visible],
            edges=[e for e in self.model.edges if e.source in visible and e.target in visible],
            case_ref=self.ref,
        )
        write_graphml(model, path, force=True)

    # --- refresh ----------------------------------------------------------------------------

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("shipments", "firms", "relationships", "hits", "datasets"):
            self.scores = None if changes.touches("shipments", "firms", "datasets") else self.scores
            self.reload()


def details_html(details: dict, node) -> str:
    """The details pane: facts, listings, evidence and largest shipments of a firm."""
    from html import escape

    rows = [f"<h3 style='margin:0'>{escape(details['name'])}</h3>"]
    if details.get("native_name") and details["native_name"] != details["name"]:
        rows.append(f"<div>{escape(details['native_name'])}</div>")
    facts = [details.get("country") or "??", details.get("role") or "no role"]
    if node is not None:
        facts += [f"red-flag score {node.score:g}",
                  f"{node.shipments:,} shipments, {money(node.value_usd, compact=True)}"]  # fmt: skip
    rows.append(f"<p>{escape(' · '.join(facts))}</p>")
    if node is not None and node.listings:
        for entry in node.listings:
            rows.append(
                "<p style='color:#C5221F'><b>LISTED</b> "
                f"{escape(entry['list'])} {escape(entry.get('programme') or '')} "
                f"{escape(entry.get('date') or '')}</p>"
            )
    if details.get("address"):
        rows.append(f"<p>{escape(details['address'])}</p>")
    rows.append("<h4>Evidence</h4>")
    if details["evidence"]:
        rows.append("<ul>")
        for e in details["evidence"]:
            grade = f" [{e['grade']}]" if e.get("grade") else ""
            rows.append(f"<li><b>{e['id']}</b>{escape(grade)} {escape(e['title'])}</li>")
        rows.append("</ul>")
    else:
        rows.append("<p><i>No evidence linked to this firm.</i></p>")
    rows.append("<h4>Largest shipments</h4>")
    if details["shipments"]:
        rows.append("<table cellspacing='0' cellpadding='2'>")
        for s in details["shipments"][:25]:
            party = s["importer"] if s["exporter"] == details["name"] else s["exporter"]
            arrow = "→" if s["exporter"] == details["name"] else "←"
            rows.append(
                f"<tr><td>{escape(s['date'] or '')}</td><td>{arrow} {escape(party or '?')}</td>"
                f"<td>{escape(s['hs6'] or '')}</td>"
                f"<td align='right'>{escape(money(s['value_usd'], compact=True))}</td></tr>"
            )
        rows.append("</table>")
    else:
        rows.append("<p><i>No shipments.</i></p>")
    return "".join(rows)


def tell_other_tabs(widget: QWidget, kind: str, uid: str) -> None:
    """Select ``kind``/``uid`` in the sibling tabs of the workspace that can show it, without
    changing the current tab."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QTabWidget):
        parent = parent.parentWidget()
    if parent is None:
        return
    for i in range(parent.count()):
        other = parent.widget(i)
        if other is not widget and hasattr(other, "show_item"):
            try:
                other.show_item(kind, uid)
            except Exception:  # another tab's trouble must not break this selection
                continue


TAB = WorkspaceTab(
    key="network",
    title="Network",
    factory=lambda host, ref: NetworkTab(host, ref),
    shown=lambda counts: counts.get("shipments", 0) > 0 or counts.get("relationships", 0) > 0,
)
