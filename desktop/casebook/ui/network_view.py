"""The Network chart's view: zoom around the cursor, pan by dragging, Fit, files dropped on a
firm, and the legend painted over the chart in a corner that covers no firm (folded to its
title where room for it would shrink the chart; a click opens it), in the palette's colours."""

from __future__ import annotations

import math
from datetime import date

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap, QRegion, QTransform
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget

from casebook.ui.evidence_tab import local_files
from casebook.ui.network_items import DimVeil, NodeItem, chart, kind_icon, style_pen

SETTLE_MS = 150  # after the last zoom step, the chart is drawn again antialiased
#: Once the view has been still this long after a frame, the picture a zoom gesture scales is
#: taken ahead (``_take_ready``), so that the gesture's first step need not draw it.
READY_MS = 300
#: The picture is taken a strip at a time, this many strips (each a turn of the event loop):
#: the whole of a million-shipment case's chart at once held the window 0.17 s (issue 18).
READY_STRIPS = 4  # 8 took twice the work in all (links crossing strips), no shorter turns
FIT_MARGIN = 8  # pixels around the chart after Fit
#: Fit folds the legend to its title when leaving it room would make the chart smaller than
#: this part of the size it has without it.
FOLD_BELOW = 0.8
#: Where the legend may go, (right, top), in order of preference: the first that covers no
#: firm after Fit.
LEGEND_CORNERS = ((True, True), (True, False), (False, True), (False, False))


class TradeScale:
    """Trade line widths on the chart's own range of values (a log scale): its smallest link
    ``THIN`` points wide, its largest ``WIDE``, so a chart of $1 m to $100 m links is not a mat
    of equally thick lines; the legend draws the same widths at ``values()``."""

    THIN, WIDE = 1.0, 7.0

    def __init__(self, values=()):
        values = [v for v in values if v > 0]
        self.low, self.high = (min(values), max(values)) if values else LEGEND_VALUES[::3]

    def width(self, value: float) -> float:
        low, high = math.log10(self.low), math.log10(self.high)
        if high - low < 1e-9:
            return (self.THIN + self.WIDE) / 2
        t = (math.log10(max(value, self.low)) - low) / (high - low)
        return round(self.THIN + (self.WIDE - self.THIN) * min(max(t, 0.0), 1.0), 2)

    def values(self, count: int = 4) -> list[float]:
        low, high = math.log10(self.low), math.log10(self.high)
        return [10 ** (low + (high - low) * i / (count - 1)) for i in range(count)]


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
        #: Folded to its title ("Legend ▸"): Fit folds it where leaving it room would shrink
        #: the chart (a small view); a click on it opens or folds it, and that choice stays.
        self.collapsed = False
        self.chosen = False  # the user opened or folded it: Fit leaves it so
        self.rebuild(None)

    def rebuild(self, scale: TradeScale | None) -> None:
        """Painted again for the chart's trade scale (and in the view's palette: again on a
        theme change)."""
        self.scale = scale
        view = self.view
        font = legend_font(view.font())
        size = (folded_size(font) if self.collapsed else legend_size(font, scale)) + QSize(2, 2)
        ratio = view.devicePixelRatioF()
        self.pixmap = QPixmap((size.toSizeF() * ratio).toSize())
        self.pixmap.setDevicePixelRatio(ratio)
        self.pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(self.pixmap)
        if self.collapsed:
            paint_folded(painter, font, view.palette())
        else:
            paint_legend(painter, QPointF(0, 0), font, view.palette(), scale)
        painter.end()
        self.size = size

    def fold(self, collapsed: bool) -> None:
        if collapsed != self.collapsed:
            self.collapsed = collapsed
            self.rebuild(self.scale)
            self.view.viewport().update()

    def isVisible(self) -> bool:  # noqa: N802 (like a widget's)
        return self.visible

    def geometry(self) -> QRect:
        """Where it is, in viewport coordinates."""
        port = self.view.viewport().rect()
        right, top = self.corner
        x = port.right() - self.size.width() - 10 if right else 10
        axis = self.view.axis.height() if hasattr(self.view, "axis") else 0  # above it
        y = 10 if top else port.bottom() - self.size.height() - 10 - axis
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


class DateAxis:
    """The timeline layout's date axis along the foot of the viewport (``DateScale``: where
    each date is across the chart), its ticks (years, months or days, as the zoom leaves room
    for) under the firms placed by their first trade; painted by the view over the scene, as
    the legend is. Hidden (``scale`` None) for the other layouts."""

    GAP = 56  # pixels at least between two ticks

    def __init__(self, view: QGraphicsView):
        self.view = view
        self.scale = None
        self.font = legend_font(view.font())
        self.metrics = QFontMetricsF(self.font)

    @property
    def visible(self) -> bool:
        return self.scale is not None

    def height(self) -> int:
        return int(self.metrics.height() * 2 + 10) if self.visible else 0

    def geometry(self) -> QRect:
        port = self.view.viewport().rect()
        height = self.height()
        return QRect(0, port.bottom() - height + 1, port.width(), height)

    def ticks(self) -> list[tuple[float, str, bool]]:
        """(viewport x, label, major) of the ticks in sight."""
        scale = self.scale
        if scale is None:
            return []
        transform = self.view.viewportTransform()
        zoom, dx = transform.m11(), transform.dx()
        width = self.view.viewport().width()
        seen = sorted((scale.day((0 - dx) / zoom), scale.day((width - dx) / zoom)))
        first = max(scale.first, math.floor(seen[0]))
        last = min(scale.last, math.ceil(seen[1]))
        if first > last:
            return []
        ticks = chart().date_ticks(first, last, scale.slope * zoom, self.GAP)
        out = [(scale.x(day) * zoom + dx, label, major) for day, label, major in ticks]
        # The first label in sight says its year (its month too, for days)
        shown = [i for i, (x, label, _major) in enumerate(out)
                 if x - self.metrics.horizontalAdvance(label) / 2 >= 2]  # fmt: skip
        if shown and not out[shown[0]][2]:
            i = shown[0]
            at = date.fromordinal(ticks[i][0])
            month = f"{MONTHS[at.month - 1]} {at.year}"
            out[i] = (out[i][0], f"{at.day} {month}" if out[i][1].isdigit() else month, True)
        return out

    def paint(self, painter: QPainter) -> None:
        if not self.visible:
            return
        palette = self.view.palette()
        painter.save()
        painter.resetTransform()
        strip = QRectF(self.geometry())
        back = QColor(palette.color(palette.ColorRole.Base))
        back.setAlpha(225)
        painter.fillRect(strip, back)
        ink = palette.color(palette.ColorRole.Text)
        painter.setPen(QPen(ink, 1))
        top = strip.top() + 0.5
        painter.drawLine(QPointF(strip.left(), top), QPointF(strip.right(), top))
        painter.setFont(self.font)
        line = self.metrics.height()
        title = "First trade"
        room = self.metrics.horizontalAdvance(title) + 16
        painter.setPen(GREY_INK)
        painter.drawText(QRectF(6, top + 7 + line, room, line), Qt.AlignmentFlag.AlignLeft,
                         title)  # fmt: skip
        right_of = -1e9  # the last label's right edge: labels never overlap
        for x, label, major in self.ticks():
            painter.setPen(QPen(ink, 1.5 if major else 1))
            painter.drawLine(QPointF(x, top), QPointF(x, top + (7 if major else 4)))
            width = self.metrics.horizontalAdvance(label)
            left = x - width / 2
            if left < right_of + 6 or left < 2 or x + width / 2 > strip.right() - 2:
                continue
            painter.setPen(ink if major else GREY_INK)
            painter.drawText(QRectF(left, top + 6, width + 1, line), Qt.AlignmentFlag.AlignLeft,
                             label)  # fmt: skip
            right_of = left + width
        painter.restore()


GREY_INK = QColor("#5F6368")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class NetworkView(QGraphicsView):
    """Zoom with the wheel (around the cursor), pan by dragging the background."""

    zoomed = Signal(float)
    settled = Signal(float)  # a zoom gesture ended (at this zoom)
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
        self.axis = DateAxis(self)
        self.auto_fit = True  # keep everything in sight on resizes until the user zooms
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS, timeout=self._settled)
        self._snapshot = None  # (picture, its transform) while a zoom gesture goes on
        self._ready = None  # (picture, its transform) of the view as last painted, taken idle
        self._taking = False  # the ready picture being taken (its paint changes nothing)
        self._strips = None  # (picture, its transform, next strip's top) while being taken
        self._ready_timer = QTimer(self, singleShot=True, interval=READY_MS,
                                   timeout=self._take_ready)  # fmt: skip
        self.far = False  # zoomed far out: no antialiasing (``set_far``)
        self._fit_zoom = None  # the zoom Fit chose last (``fitted``)

    def zoom(self) -> float:
        return self.transform().m11()

    @property
    def fitted(self) -> bool:
        """Whether the zoom is the one Fit chose (not zoomed since)."""
        return self._fit_zoom == self.zoom()

    def set_date_axis(self, scale) -> None:
        """The timeline layout's date axis (a ``DateScale``), or None: no axis."""
        if scale != self.axis.scale:
            self.axis.scale = scale
            self.viewport().update()

    def set_trade_scale(self, scale: TradeScale) -> None:
        """The legend's trade line for the chart drawn."""
        self.legend.rebuild(scale)
        self.viewport().update()

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
        """While the chart zooms, each frame is the picture of the chart as it was when the
        gesture began, scaled (``paintEvent``): a frame costs the same few milliseconds for
        2,000 firms as for 20; the chart is drawn anew, antialiased, once the steps stop for
        ``SETTLE_MS``. The gesture's first step draws that picture without antialiasing."""
        if self.renderHints() & QPainter.RenderHint.Antialiasing:
            self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if self._snapshot is None and self.isVisible() and self.scene() is not None:
            ready, self._ready = self._ready, None
            if ready is not None and ready[1] == self.viewportTransform():
                self._snapshot = ready  # taken while the view was still: nothing to draw now
            else:
                self._snapshot = (self.viewport().grab(), QTransform(self.viewportTransform()))
        self._settle.start()

    def _take_ready(self) -> None:
        """The picture of the view as it is now, for a gesture to come (``moving``), taken a
        strip per turn of the event loop (``_take_strip``); any frame painted meanwhile or
        afterwards drops it (``paintEvent``)."""
        if self._snapshot is not None or not self.isVisible() or self.scene() is None:
            return
        viewport = self.viewport()
        ratio = viewport.devicePixelRatioF()
        picture = QPixmap((viewport.size().toSizeF() * ratio).toSize())
        picture.setDevicePixelRatio(ratio)
        picture.fill(Qt.GlobalColor.transparent)
        self._strips = (picture, QTransform(self.viewportTransform()), 0)
        self._take_strip()

    def _take_strip(self) -> None:
        if self._strips is None:  # a frame painted since: that picture would be old
            return
        picture, then, top = self._strips
        viewport = self.viewport()
        if self._snapshot is not None or not self.isVisible() or self.scene() is None:
            self._strips = None
            return
        height = max(1, -(-viewport.height() // READY_STRIPS))
        flags = QWidget.RenderFlag.DrawWindowBackground | QWidget.RenderFlag.DrawChildren
        self._taking = True
        try:
            viewport.render(
                picture, QPoint(0, top), QRegion(0, top, viewport.width(), height), flags
            )
        finally:
            self._taking = False
        top += height
        if top < viewport.height():
            self._strips = (picture, then, top)
            QTimer.singleShot(0, self, self._take_strip)
        else:
            self._strips = None
            self._ready = (picture, then)

    def drop_ready(self) -> None:
        self._ready = self._strips = None

    def ready_picture(self) -> bool:
        """Whether the picture for the next gesture is taken (``_take_ready``)."""
        return self._ready is not None

    def set_far(self, far: bool) -> None:
        """Zoomed far out (``ChartDrawing.set_far``): drawn without antialiasing."""
        self.far = far
        if self._snapshot is None:
            self.setRenderHint(QPainter.RenderHint.Antialiasing, not far)

    def _settled(self) -> None:
        self._snapshot = None
        self.setRenderHint(QPainter.RenderHint.Antialiasing, not self.far)
        self.viewport().update()
        self.settled.emit(self.zoom())

    def gesture(self) -> bool:
        """Whether a zoom gesture is going on (its frames are a scaled picture)."""
        return self._snapshot is not None

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        legend = self.legend
        if (legend.isVisible() and event.button() == Qt.MouseButton.LeftButton
                and legend.geometry().contains(event.position().toPoint())):  # fmt: skip
            legend.chosen = True  # opened or folded by hand: Fit leaves it so
            legend.fold(not legend.collapsed)
            event.accept()
            return
        if self._snapshot is not None:  # the chart as it is, before it is clicked
            self._settle.stop()
            self._settled()
        super().mousePressEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if self._snapshot is None:
            super().paintEvent(event)
            if not self._taking:  # something changed on the screen: the picture is old
                self._ready = self._strips = None
                self._ready_timer.start()
            return
        picture, then = self._snapshot
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), self.palette().color(self.backgroundRole()))
        # viewport point then -> scene -> viewport point now
        painter.setTransform(then.inverted()[0] * self.viewportTransform())
        painter.drawPixmap(0, 0, picture)
        painter.resetTransform()
        self.axis.paint(painter)  # its ticks where the dates are now
        self.legend.paint(painter)
        painter.end()

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.auto_fit = False
            self.zoom_by(1.15**steps)
            event.accept()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        """A theme change: the legend painted again in the new palette's colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.legend.rebuild(self.legend.scale)
            self.viewport().update()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self._snapshot = self._ready = self._strips = None
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit()
        self.resized.emit()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 (Qt naming)
        self.axis.paint(painter)
        self.legend.paint(painter)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 (Qt naming)
        """Qt moves the chart's pixels and paints the strip that came into sight; the legend
        and the date axis moved with them: paint them again where they were and where they
        stay (the axis's ticks follow the chart sideways)."""
        super().scrollContentsBy(dx, dy)
        for overlay in (self.legend, self.axis):
            if overlay.visible and (dx or dy):
                where = overlay.geometry()
                self.viewport().update(QRegion(where) | QRegion(where.translated(dx, dy)))

    def visible_rect(self) -> QRectF:
        """The scene rectangle of what is shown: visible firms (disc, badge, label), visible
        edges and edge labels."""
        # A hidden parent hides its children (``isVisible`` is false for them too); corners
        # gathered, then their extremes taken (a ``QRectF.united`` per item took 90 ms for
        # 2,000 firms and their links).
        corners = [
            item.sceneBoundingRect().getCoords()
            for item in self.scene().items(Qt.SortOrder.AscendingOrder)
            if item.isVisible() and not isinstance(item, DimVeil)
        ]
        corners = [c for c in corners if c[2] > c[0] or c[3] > c[1]]  # QRectF.united skips empties
        if not corners:
            return QRectF()
        left, top = min(c[0] for c in corners), min(c[1] for c in corners)
        right, bottom = max(c[2] for c in corners), max(c[3] for c in corners)
        return QRectF(left, top, right - left, bottom - top)

    def fit(self) -> None:
        """Show everything visible as large as it fits, with a small margin; when the legend
        would cover a firm, the chart makes room for it beside or below it, whichever leaves
        the chart larger, unless that would shrink the chart below ``FOLD_BELOW`` of its size:
        then the legend folds to its title (a click opens it)."""
        if self._snapshot is not None:
            self._settle.stop()
            self._snapshot = None
            self.setRenderHint(QPainter.RenderHint.Antialiasing, not self.far)
        rect = self.visible_rect()
        port = self.viewport().rect()
        if rect.isEmpty() or port.width() < 50 or port.height() < 50:
            return
        margin = FIT_MARGIN
        width, height = port.width() - 2 * margin, port.height() - 2 * margin
        axis = self.axis.height()  # the chart above the date axis, not under it (0: none)
        zoom = min(width / rect.width(), (height - axis) / rect.height())
        choice = rect.adjusted(0, 0, 0, axis / zoom)
        if self.legend.isVisible() and not self.legend.chosen:
            # Open where it fits in a free corner or costs the chart little room, else
            # folded to its title (a small view: the chart keeps its size).
            self.legend.fold(False)
            if self._legend_room(rect, zoom, width, height, axis)[0] < FOLD_BELOW * zoom:
                self.legend.fold(True)
        if self.legend.isVisible():
            self.legend.corner = next(
                (c for c in LEGEND_CORNERS if not self._covers_a_firm(choice, zoom, c)),
                LEGEND_CORNERS[0],
            )
        if self.legend.isVisible() and self._covers_a_firm(choice, zoom):
            zoom, choice = self._legend_room(rect, zoom, width, height, axis)
        zoom = max(zoom, 1e-3)
        # The scene must reach past the view on every side, or Qt centres it instead.
        seen = QRectF(0, 0, port.width() / zoom, port.height() / zoom)
        seen.moveCenter(choice.center())
        self.scene().setSceneRect(self.scene().sceneRect().united(seen.adjusted(-50, -50, 50, 50)))
        self.setTransform(QTransform.fromScale(zoom, zoom))
        self.centerOn(choice.center())
        self._fit_zoom = self.zoom()
        self.zoomed.emit(self.zoom())

    def _legend_room(self, rect: QRectF, zoom: float, width: float, height: float,
                     axis: float) -> tuple[float, QRectF]:  # fmt: skip
        """The zoom and the scene rect to show for ``rect`` with the legend beside it or
        above it (whichever leaves the chart larger); ``zoom`` and ``rect`` themselves where
        the legend covers no firm in some corner."""
        choice = rect.adjusted(0, 0, 0, axis / zoom)
        if not any(not self._covers_a_firm(choice, zoom, c) for c in LEGEND_CORNERS):
            gap = 8
            lw, lh = self.legend.width() + gap, self.legend.height() + gap
            beside = min((width - lw) / rect.width(), (height - axis) / rect.height())
            below = min(width / rect.width(), (height - lh - axis) / rect.height())
            if beside >= below:
                return beside, rect.adjusted(0, 0, lw / beside, axis / beside)
            return below, rect.adjusted(0, -lh / below, 0, axis / below)
        return zoom, choice

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


#: The trade values whose line widths the legend's trade line shows, left to right.
LEGEND_VALUES = (1e4, 1e5, 1e6, 1e7)


def legend_rows(scale: TradeScale | None = None) -> list[tuple[str, dict]]:
    """The tab's legend: each entity kind by its icon and the words the nodes' tooltips use,
    listed, the trade line's width at a few values (width by value), and the relationships."""
    from casebook.core.numbers import money

    net = chart()
    base = net.legend()
    nodes = [style for _text, style in base if style["kind"] == "node"]
    rows = [(net.KIND_TITLES[kind], style | {"shape": kind})
            for kind, style in zip(("manufacturer", "intermediary", "importer"), nodes,
                                   strict=False)]  # fmt: skip
    rows.append((net.KIND_TITLES["person"], {"kind": "node", "fill": "#A142F4",
                                             "shape": "person"}))  # fmt: skip
    rows += [(text, style) for text, style in base if style["kind"] == "node" and "colour" in style]
    if scale is None:  # before a chart is drawn: the briefing's fixed widths
        values, widths = LEGEND_VALUES, [net.trade_width(v) for v in LEGEND_VALUES]
    else:
        values = scale.values()
        widths = [scale.width(v) for v in values]
    low, high = (money(v, compact=True) for v in (values[0], values[-1]))
    trade = net.style_for(net.Edge("a", "b", "trade", values[-1]))
    rows.append((f"Trade {low} → {high}", trade | {"kind": "edge", "widths": widths}))
    rows += [(text, style) for text, style in base
             if style["kind"] == "edge" and not text.startswith("Trade")]  # fmt: skip
    return rows


def legend_size(font: QFont, scale: TradeScale | None = None) -> QSize:
    fm = QFontMetricsF(font)
    rows = legend_rows(scale)
    width = max(fm.horizontalAdvance(text) for text, _ in rows) + 64
    return QSize(int(width), int((fm.height() + 4) * (len(rows) + 1) + 12))


def folded_size(font: QFont) -> QSize:
    fm = QFontMetricsF(font)
    return QSize(int(fm.horizontalAdvance(FOLDED) + 20), int(fm.height() + 10))


FOLDED = "Legend ▸"  # the folded legend's title (a click opens it)


def paint_folded(painter: QPainter, font: QFont, palette) -> None:
    """The folded legend: its title in a box, in the palette's colours."""
    size = folded_size(font)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    back = QColor(palette.color(palette.ColorRole.Base))
    back.setAlpha(235)
    painter.setPen(QPen(QColor("#DADCE0")))
    painter.setBrush(back)
    painter.drawRoundedRect(QRectF(0, 0, size.width(), size.height()), 4, 4)
    bold = QFont(font)
    bold.setBold(True)
    painter.setFont(bold)
    painter.setPen(palette.color(palette.ColorRole.Text))
    painter.drawText(QRectF(0, 0, size.width(), size.height()), Qt.AlignmentFlag.AlignCenter,
                     FOLDED)  # fmt: skip


def paint_legend(
    painter: QPainter, at: QPointF, font: QFont, palette, scale: TradeScale | None = None
) -> None:
    """The legend (node colours, listed, trade, relationship kinds) at ``at``."""
    fm = QFontMetricsF(font)
    size = legend_size(font, scale)
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
    for text, style in legend_rows(scale):
        y += line
        mid = y + line / 2
        if style["kind"] == "node":
            listed = "colour" in style
            painter.setPen(QPen(QColor(style.get("colour", "#202124")), 2.5 if listed else 1))
            painter.setBrush(QColor(style["fill"]))
            if style.get("shape"):
                painter.drawPath(kind_icon(style["shape"], 6.5).translated(x0 + 18, mid))
            else:
                painter.drawEllipse(QPointF(x0 + 18, mid), 6, 6)
        else:
            if style.get("widths"):  # trade: a line as wide as at each value of the scale
                step = 36 / len(style["widths"])
                for i, width in enumerate(style["widths"]):
                    painter.setPen(style_pen(style | {"width": width}))
                    painter.drawLine(QPointF(x0 + i * step, mid), QPointF(x0 + (i + 1) * step, mid))
                painter.setPen(palette.color(palette.ColorRole.Text))
                painter.drawText(QRectF(x0 + 44, y, size.width() - 52, line),
                                 Qt.AlignmentFlag.AlignVCenter, text)  # fmt: skip
                continue
            painter.setPen(style_pen(style, 0.6 if style["width"] > 3 else 1.0))
            painter.drawLine(QPointF(x0, mid), QPointF(x0 + 36, mid))
        painter.setPen(palette.color(palette.ColorRole.Text))
        painter.drawText(QRectF(x0 + 44, y, size.width() - 52, line),
                         Qt.AlignmentFlag.AlignVCenter, text)  # fmt: skip
