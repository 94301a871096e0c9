"""Drawing the Network chart: the model's firms and edges as items on the scene, placed by a
layout (``layout_network`` in the view's shape, with this tab's label widths, drawn in around
the labels; computed on the DB worker), edge labels where they cover nothing, positions kept
per case, and the chart as a PNG or SVG picture. The items are added a slice at a time
(``SLICE_SECONDS`` a turn of the event loop), so a large chart never freezes the window.

``ChartDrawing`` is the tab's drawing half (a mixin of ``NetworkTab``): it reads the tab's
``model``, ``scene``, ``view``, ``nodes`` and ``edge_items``.
"""

from __future__ import annotations

import itertools
import math
import time
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from shiboken6 import isValid

from casebook.ui.network_items import (
    MIN_TEXT_LOD,
    TRADE_ALPHA,
    DimVeil,
    EdgeItem,
    FarNodes,
    NodeItem,
    _blend,
    _static,
    chart,
    kind_icon,
    style_pen,
)
from casebook.ui.network_view import TradeScale, legend_rows, legend_size, paint_legend
from casebook.ui.ops import Op

DIM = 0.15  # how much of what is not highlighted shows through the veil

FAR_ZOOM = MIN_TEXT_LOD  # below this zoom the chart is drawn as from afar (``set_far``)
TOP_LABELS = 12  # trade edges labelled at any zoom: the largest
ZOOM_ALL_LABELS = 1.4  # from this zoom on, every edge is labelled (where it has room)
LABEL_POINTS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)  # where along an edge a label may sit
NAME_POINTS = 10.0  # the firm's name; the facts line is ``FACTS_EM`` of it
#: The layout's shape (width : height) before the view has its size: about the chart's view in
#: a main window of 1280 x 800 to 1600 x 1000.
CHART_ASPECT = 1.3
LABELS_A_STEP = 250  # firms' labels fitted a step (``fitting_node_labels``)
#: Items added per turn of the event loop: for about this long (15 ms: while the worker reads,
#: its Python holds the GIL for up to ~75 ms at a time, and a slice adds to that; 30 ms slices
#: measured no different in the tab's time).
SLICE_SECONDS = 0.015
#: The characters whose advances are measured for the layout's label widths (Latin, Cyrillic).
MEASURED = "".join(map(chr, (*range(32, 127), *range(0x400, 0x460))))


class LabelWidths:
    """A label line's width for a layout on the worker (the layouts' ``text_width``): the sum
    of its characters' advances, measured once here with the tab's font metrics, so no Qt
    object is used off the GUI thread; a character not measured counts as the widest one."""

    def __init__(self, name: QFontMetricsF, facts: QFontMetricsF):
        self.tables = [{c: m.horizontalAdvance(c) for c in MEASURED} for m in (name, facts)]
        self.widest = [max(table.values()) for table in self.tables]

    def __call__(self, text: str, em: float = 1.0) -> float:
        i = 0 if em >= 1.0 else 1
        table, widest = self.tables[i], self.widest[i]
        return sum(table.get(c, widest) for c in text)


class ChartDrawing:
    """The chart's items, layout, positions and picture exports (a mixin of ``NetworkTab``)."""

    def _prepare_drawing(self) -> None:
        """Fonts, metrics and the state of the drawing; before the widgets are built."""
        self.model = None
        self.nodes: dict[str, NodeItem] = {}
        self.edge_items: list[EdgeItem] = []
        self.hidden: set[str] = set()
        self._labelled_for: set[str] = set()  # selected firms whose edges show their labels
        self.all_labels = False  # zoomed in far enough to label every edge
        self.name_font = QFont(self.font())
        self.name_font.setPointSizeF(max(self.font().pointSizeF(), NAME_POINTS))
        self.fact_font = QFont(self.name_font)
        self.fact_font.setPointSizeF(self.name_font.pointSizeF() * chart().FACTS_EM)
        self.name_metrics = QFontMetricsF(self.name_font)
        self.fact_metrics = QFontMetricsF(self.fact_font)
        self.edge_font = QFont(self.font())
        self.edge_font.setPointSizeF(max(self.font().pointSizeF() * 0.85, 8.0))
        self.edge_metrics = QFontMetricsF(self.edge_font)
        self.widths = LabelWidths(self.name_metrics, self.fact_metrics)
        self._drawing = 0  # the drawing in progress; a slice of an older one stops
        self.complete = False  # every item of the model is on the scene (``drawn`` was sent)
        self._blind = False  # laid out before the view had its size
        self._save_timer = QTimer(self, singleShot=True, interval=600, timeout=self._save_due)
        # The save due is only the tab's own first layout (positions no one saved yet), not an
        # edit: it adds the missing positions and never moves one saved since the read.
        self._save_only_new = False
        self._restore_pins: set[str] = set()  # pins read with the saved positions
        self.trade_scale = None  # the trade line widths of the chart drawn (``TradeScale``)
        # What every node shares, made once: fonts, the LISTED badge, country codes, icons.
        self.code_font = QFont(self.font())
        self.code_font.setBold(True)
        self.code_font.setPointSizeF(max(self.font().pointSizeF(), 9.0) * 0.8)
        self.badge_font = QFont(self.code_font)
        self.badge_font.setPointSizeF(self.code_font.pointSizeF() * 0.8)
        self.badge_text = _static("LISTED", self.badge_font)
        self.badge_size = self.badge_text.size()
        self._codes: dict = {}
        self._icons: dict = {}
        self._looks: dict = {}
        self.take_palette()
        self._labels_due = True  # the firms' labels to be fitted again (``fit_node_labels``)
        self._obstacles: dict | None = None  # the firms' discs, badges and labels by grid cell
        self._labelled: list = []  # the edges whose labels are shown
        self.far = False  # zoomed out below ``FAR_ZOOM``: icons only (``set_far``)
        self.far_nodes = None  # the far view's firms (``FarNodes``), made with the drawing
        self._far_due = True
        self._top_edges: list = []  # the edges labelled at any zoom
        #: The labels' scene points a pixel: 1 up to zoom 1, where the labels scale with the
        #: chart (in the room the layout kept for them), ``1 / zoom`` beyond, where they keep
        #: their size on screen and zooming in makes room for them (fitted again then).
        self.label_scale = 1.0
        self._fitted_scale = 1.0  # the scale the labels were last fitted at
        self._refits = 0  # the labels' fitting after a zoom in progress (a newer one stops it)
        self._fitting_again = False  # Fit again after the labels took their size (once)
        self._placings = 0  # the edge labels' placing in progress (a newer one stops it)

    def take_palette(self) -> None:
        """The labels' text and plates in the palette's colours (again on a theme change, for
        the firms drawn too)."""
        palette = self.palette()
        self.label_plate = QColor(palette.color(self.backgroundRole()))
        self.label_plate.setAlpha(215)
        self.node_text_colour = palette.color(self.foregroundRole())
        self.node_plate = QColor(palette.color(self.backgroundRole()))
        self.node_plate.setAlpha(200)
        for item in getattr(self, "nodes", {}).values():
            item.text_colour, item.plate = self.node_text_colour, self.node_plate
            item.update()
        if hasattr(self, "scene"):
            self.scene.update()

    def country_text(self, code: str | None):
        """A country code laid out once, and where it goes (centred on the disc)."""
        found = self._codes.get(code)
        if found is None:
            text = _static(code or "??", self.code_font)
            size = text.size()
            found = self._codes[code] = (text, QPointF(-size.width() / 2, -size.height() / 2))
        return found

    def node_look(self, style: dict):
        """(pen, brush) of a node's style, made once per look."""
        key = (style["colour"], style["width"], style["fill"])
        found = self._looks.get(key)
        if found is None:
            found = self._looks[key] = (QPen(QColor(style["colour"]), style["width"]),
                                        QBrush(QColor(style["fill"])))  # fmt: skip
        return found

    def edge_pens(self, style: dict, trade: bool):
        """(pen, pen from afar, colour) of an edge's style, made once per look: a trade line
        see-through (where links cross each stays visible), from afar the same colour blended
        beforehand (opaque: much faster to draw)."""
        key = (style["colour"], style["width"], style.get("dash"), trade)
        found = self._looks.get(key)
        if found is None:
            pen, colour = style_pen(style), QColor(style["colour"])
            far = QPen(pen)
            if trade:
                see = QColor(colour)
                see.setAlpha(TRADE_ALPHA)
                pen.setColor(see)
                far.setColor(_blend(colour, self.palette().color(self.backgroundRole()),
                                    TRADE_ALPHA / 255))  # fmt: skip
            found = self._looks[key] = (pen, far, colour)
        return found

    def icon(self, kind: str, radius: float):
        found = self._icons.get((kind, radius))
        if found is None:
            found = self._icons[(kind, radius)] = kind_icon(kind, radius)
        return found

    def _fit(self) -> None:
        self.view.auto_fit = True
        self.view.fit()

    def _zoomed(self, zoom: float) -> None:
        if self.view.gesture():  # frames are a scaled picture: changes wait for its end
            return
        scale = label_scale(zoom)
        if scale != self.label_scale:
            self.label_scale = scale
            if self.complete:  # else the drawing's last steps fit them (``draw``)
                self.all_labels = zoom >= ZOOM_ALL_LABELS
                self.refit_labels(fit=self.view.fitted)
        labels = zoom >= ZOOM_ALL_LABELS
        if labels != self.all_labels:
            self.all_labels = labels
            self.place_edge_labels()
        far = zoom < FAR_ZOOM
        if far != self.far:
            self.set_far(far)

    def refit_labels(self, *, fit: bool = False) -> None:
        """Fit the firms' labels again at ``label_scale`` (after a zoom: a label cut for want
        of room may now show whole), a slice of firms a turn of the event loop, then place the
        edge labels; a newer zoom's fitting stops this one. ``fit``: the zoom was Fit's, taken
        with the labels at their old size: Fit again, once, with them at their new one."""
        fit = fit and not self._fitting_again
        self._refits += 1
        refit, drawing = self._refits, self._drawing
        self.labels_due()

        def steps():
            for _step in itertools.chain(self.fitting_node_labels(), [None],
                                         self.placing_edge_labels()):  # fmt: skip
                yield
                if refit != self._refits:
                    return

        def finish() -> None:
            if refit != self._refits:
                return
            if fit and self.view.fitted:
                self._fitting_again = True
                try:
                    self.view.fit()
                finally:
                    self._fitting_again = False
            self.labels_fitted.emit()

        self._slice(drawing, steps(), finish)

    def set_far(self, far: bool) -> None:
        """Zoomed out below ``FAR_ZOOM`` (labels too small to read, lines a pixel or two): the
        firms drawn as their icons only, by a few shapes of all of them (``FarNodes``: no
        Python call per firm and frame), the trade lines opaque (their see-through colour
        blended beforehand: blending thousands of lines doubled a frame) and without arrow
        heads nor antialiasing (lines a pixel wide; it doubled a frame too). A highlighted firm
        still draws itself."""
        self.far = far
        self.view.set_far(far)
        for edge in self.edge_items:
            edge.set_far(far)
        for item in self.nodes.values():
            item.set_far(far and id(item) not in self._raised)
        self._far_due = True
        self._draw_far()

    def _draw_far(self) -> None:
        if self.far_nodes is None or not isValid(self.far_nodes):
            return
        if not self.far:
            self.far_nodes.set_nodes([])
        elif self._far_due:
            self.far_nodes.set_nodes([item for item in self.nodes.values() if item.isVisible()])
        self._far_due = False

    # --- drawing ----------------------------------------------------------------------------

    def side(self) -> float:
        return chart().canvas_size(len(self.model.nodes) if self.model else 1)

    def aspect(self) -> float:
        """The view's shape (width : height) once it has its size, else ``CHART_ASPECT``."""
        port = self.view.viewport()
        if not self.view.isVisible() or port.width() < 200 or port.height() < 150:
            return CHART_ASPECT
        return min(2.5, max(0.6, port.width() / port.height()))

    def layout_options(self) -> dict:
        """``layout_network``'s options for the model, taken here for a layout on the worker:
        the chosen layout in the view's shape, with this tab's label sizes, drawn in tight."""
        return {
            "kind": self.layout_choice.currentData(), "seed": 0, "aspect": self.aspect(),
            "text_width": self.widths, "line": self.name_metrics.height(), "compact": True,
        }  # fmt: skip

    def laid_out(self, options: dict, firms: int) -> None:
        """Laid out before the view had its size (a tab read while hidden), a chart of fewer
        than ``COMPACT_LIMIT`` firms is laid out again when it is first shown."""
        self._blind = options["aspect"] == CHART_ASPECT and firms < chart().COMPACT_LIMIT

    def _view_resized(self) -> None:
        if self._blind and self.model is not None and self.aspect() != CHART_ASPECT:
            self._blind = False
            if not any(item.pinned for item in self.nodes.values()):
                self.relayout()

    def draw(
        self,
        positions: dict,
        *,
        relayout: bool = False,
        saved: bool = False,
        fit: bool | None = None,
    ) -> None:
        """Draw the model at ``positions`` (uid → (x, y) in the unit square), a slice of items
        per turn of the event loop; ``drawn`` once every item is on the scene (``largest_drawn``
        for the largest links drawn first: then no scores are read nor positions saved yet).
        Firms already drawn keep where they are now unless ``relayout``; Fit at the end when
        ``fit`` (by default when ``relayout``)."""
        fit = relayout if fit is None else fit
        model, side = self.model, self.side()
        if not relayout:
            positions = {**positions, **self.positions()}
        selected = {uid for uid, item in self.nodes.items() if item.isSelected()}
        pinned = {uid for uid, item in self.nodes.items() if item.pinned}
        pinned |= self._restore_pins
        self._restore_pins = set()
        self._drawing += 1
        self.view.drop_ready()  # not the picture of the chart drawn before
        self.complete = False
        drawing = self._drawing
        self._quiet = True
        self._labelled_for = set()
        self.scene.clear()
        self.nodes.clear()
        self.group_items = {}
        self.edge_items = []
        self._labelled, self._top_edges, self._obstacles = [], [], None
        self._raised = {}
        self.veil = DimVeil(self.palette().color(self.backgroundRole()), DIM)
        self.veil.setFlag(self.veil.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.scene.addItem(self.veil)
        self.far_nodes = FarNodes(self)
        self.scene.addItem(self.far_nodes)
        self.labels_due()
        self._quiet = False
        if fit:  # Fit follows: drawn from afar from the start if it will be (no arrow
            # heads made, no pens changed on every edge a moment later)
            port = self.view.viewport()
            width, height = max(port.width(), 1000), max(port.height(), 650)
            aspect = self.aspect()
            zoom = min(width / (side * aspect**0.5), height / (side / aspect**0.5))
            if (zoom < FAR_ZOOM * 0.8) != self.far:
                self.set_far(zoom < FAR_ZOOM * 0.8)
        steps = self._add_items(model, positions, pinned, side)
        # Not painted half drawn: a repaint of thousands of edges between every two slices
        # would cost more than adding them. The window itself goes on meanwhile.
        self.view.viewport().setUpdatesEnabled(False)

        def finishing():
            """The drawing's last steps, each a turn of its own when the one before took the
            turn's time (together they held the window 0.3 s for 2,000 firms)."""
            self._quiet = True
            for uid in selected & set(self.nodes):
                self.nodes[uid].setSelected(True)
            for uid in self.hidden & set(self.nodes):
                self._set_visible(uid, False)
            self.view.set_trade_scale(self.trade_scale)
            self._rebuild_groups()
            self._threshold_steps()
            self.apply_threshold(labels=False)  # the threshold kept across reads
            self._quiet = False
            yield
            yield from self.fitting_node_labels()
            yield
            if self._far_due:
                self._draw_far()
                yield
            self.place_edge_labels()
            yield
            # the firms and links (not the veil, which covers everything)
            corners = [item.sceneBoundingRect().getCoords()
                       for item in [*self.nodes.values(), *self.edge_items]]  # fmt: skip
            if corners:
                left, top = min(c[0] for c in corners), min(c[1] for c in corners)
                right, bottom = max(c[2] for c in corners), max(c[3] for c in corners)
                rect = QRectF(left, top, right - left, bottom - top)
                self.scene.setSceneRect(rect.adjusted(-200, -200, 200, 200))
            else:
                self.scene.setSceneRect(QRectF(-200, -200, 400, 400))
            self.status.setText(self.summary())
            self.update_date_axis()
            yield
            if fit:
                self.view.fit()
                yield

        def finish() -> None:
            self.view.viewport().setUpdatesEnabled(True)
            if self._fitted_scale != self.label_scale:  # zoomed (Fit) after they were fitted
                self.refit_labels(fit=self.view.fitted)
            first = self.largest_only  # the whole chart follows
            if relayout and not saved and not first:
                self.save_soon(only_new=True)
            self._sync_actions()
            self.complete = True
            # The red-flag scores (a scan of every shipment) once the chart is drawn: read
            # meanwhile, the worker's Python slowed the drawing's slices by half.
            if self.scores is None and not self._scoring and not first:
                self._read_scores()
            (self.largest_drawn if first else self.drawn).emit()

        self._slice(drawing, itertools.chain(steps, finishing()), finish)

    def _slice(self, drawing: int, steps, finish) -> None:
        """Run ``steps`` for ``SLICE_SECONDS``, then again at the next turn; ``finish`` at the
        end. A newer drawing stops this one."""
        if not isValid(self) or drawing != self._drawing:
            return
        end = time.perf_counter() + SLICE_SECONDS
        for _step in steps:
            if time.perf_counter() > end:
                QTimer.singleShot(0, self, lambda: self._slice(drawing, steps, finish))
                return
        finish()

    def _add_items(self, model, positions: dict, pinned: set, side: float):
        """Add the firms, then the edges, one item a step (a generator)."""
        net = chart()
        linked = {e.source for e in model.edges} | {e.target for e in model.edges}
        for node in model.nodes:
            item = NodeItem(node, net.style_for(node), self)
            x, y = positions.get(node.uid, (0.5, 0.5))
            item.setPos(x * side, y * side)  # edges are drawn after the nodes
            item.pinned = node.uid in pinned
            if self.far:
                item.set_far(True)
            if node.shipments == 0 and node.uid not in linked:
                item.base_opacity = 0.45  # nothing under the filters
                item.setOpacity(0.45)
            self.scene.addItem(item)
            self.nodes[node.uid] = item
            yield
        yield from self._add_edges(model)

    def _add_edges(self, model):
        net = chart()
        pairs: dict[frozenset, int] = {}
        for edge in model.edges:
            key = frozenset((edge.source, edge.target))
            pairs[key] = pairs.get(key, 0) + 1
        seen: dict[frozenset, int] = {}
        self.trade_scale = scale = TradeScale(e.value_usd for e in model.edges if e.is_trade)
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
            style = net.style_for(edge)
            if edge.is_trade:  # as wide as its value on the chart's own scale
                style = style | {"width": scale.width(edge.value_usd)}
            item = EdgeItem(edge, style, self.nodes[edge.source], self.nodes[edge.target], bend,
                            self)  # fmt: skip
            if self.far:
                item.set_far(True)
            self.scene.addItem(item)
            self.edge_items.append(item)
            yield
        trade = sorted((e for e in self.edge_items if e.edge.is_trade),
                       key=lambda e: -e.edge.value_usd)  # fmt: skip
        for item in trade[:TOP_LABELS]:
            item.top = True
        for item in self.edge_items:
            if not item.edge.is_trade:
                item.top = True
        self._top_edges = [item for item in self.edge_items if item.top]

    def labels_due(self, *, grown: bool = True) -> None:
        """Firms moved, came or went: their labels are fitted again at the next placing (not
        when firms only went: ``grown`` False), and the far view's shapes drawn again."""
        self._labels_due = self._labels_due or grown
        self._far_due = True

    def fit_node_labels(self) -> None:
        """Each visible firm's label as wide as it has room: whole, unless it would cover
        another firm's disc, badge or label; then the widest of a few narrower widths that
        covers nothing, at least the width the layout kept clear for it (``NAME_WIDTH``; cut
        with "…"); a label at the chart's left or right edge does not widen it. The firms of the most trade value choose first. A grid of cells holds what
        is placed (no pair of firms compared beyond its neighbourhood); edge labels keep off
        it afterwards (``place_edge_labels``)."""
        for _step in self.fitting_node_labels():
            pass

    def fitting_node_labels(self, every: int = LABELS_A_STEP):
        """``fit_node_labels`` a step at a time (a generator: ``every`` firms a step), so that
        a large chart's labels are fitted across turns of the event loop (``_slice``)."""
        if not all(map(isValid, self.nodes.values())):  # torn down: the window is closing
            return
        self._labels_due = False
        self._fitted_scale = scale = self.label_scale
        grid: dict[tuple[int, int], list] = {}
        plates: dict[int, tuple] = {}
        shown = [item for item in self.nodes.values() if item.isVisible()]
        left = right = None  # the chart's sides with every label cut: no whole label sticks
        # out past them (Fit would have to draw the chart smaller for it); zoomed in, where
        # labels keep their screen size, the sides hold them back no more
        for n, item in enumerate(shown, 1):
            if n % every == 0:
                yield
            x, y = item.pos().x(), item.pos().y()
            for rect in item.obstacles(plate=False):
                _take(grid, (rect.left(), rect.top(), rect.right(), rect.bottom(), id(item)))
            plates[id(item)] = plate = _plate(item, x, y, item.min_width, scale)
            _take(grid, plate)
            half = max(plate[2] - x, item.radius + 8)
            left = x - half if left is None else min(left, x - half)
            right = x + half if right is None else max(right, x + half)
        for n, item in enumerate(sorted(shown, key=lambda i: -i.node.value_usd), 1):
            if n % every == 0:
                yield
            width = item.min_width
            if item.full_width > item.min_width:
                x, y = item.pos().x(), item.pos().y()
                span = item.full_width - item.min_width
                for candidate in (item.full_width, *(item.full_width - span * f
                                                     for f in (0.25, 0.5, 0.75))):  # fmt: skip
                    plate = _plate(item, x, y, candidate, scale)
                    inside = scale < 1.0 or (left <= plate[0] and plate[2] <= right)
                    if inside and _free(grid, plate, id(item)):
                        _take(grid, plate)
                        width = candidate
                        break
            item.set_label_width(width, scale)
        self._obstacles = grid

    def place_edge_labels(self) -> None:
        """Show the wanted edge labels where they cover no firm (disc, badge, label) and no
        other edge label: greedily, the selected firms' edges first, then relationships, then
        trade by value, each at the first free point of a few along its edge (the middle
        first). A label with no free point stays hidden; the edge's tooltip gives it. Only the
        edges that may want a label are looked at (the largest, the selected firms', every one
        only when zoomed in)."""
        for _step in self.placing_edge_labels():
            pass

    def placing_edge_labels(self, every: int = LABELS_A_STEP):
        """``place_edge_labels`` a step at a time (a generator: ``every`` edges a step), so
        that every edge of a large chart is labelled across turns of the event loop after a
        zoom (``refit_labels``); a placing begun later (a step at a time or at once) stops
        this one."""
        if not all(map(isValid, self.nodes.values())):  # torn down: the window is closing
            return
        self._placings += 1
        mine = self._placings
        if self._labels_due or self._obstacles is None:
            self.fit_node_labels()
        if self._far_due:
            self._draw_far()
        # The firms' grid is read, not copied (copying its cells took 50-150 ms for 2,000
        # firms): the labels placed here go into a grid of their own.
        firms, grid = self._obstacles, {}
        if self.all_labels:
            candidates = self.edge_items
        else:
            candidates = list(self._top_edges)
            for item in self.scene.selectedItems():
                if isinstance(item, NodeItem):
                    candidates += item.edges
        wanted = list({id(e): e for e in candidates if e.wants_label()}.values())
        wanted.sort(key=lambda e: (not (e.source.isSelected() or e.target.isSelected()),
                                   e.edge.is_trade, -e.edge.value_usd))  # fmt: skip
        keep = {id(e) for e in wanted}
        for edge in self._labelled:
            if id(edge) not in keep and isValid(edge) and edge.label.isVisible():
                edge.label.setVisible(False)
        self._labelled = []
        for n, edge in enumerate(wanted, 1):
            if n % every == 0:
                yield
                if mine != self._placings or not isValid(edge):  # placed anew, or redrawn
                    return
            label, path = edge.ensure_label(), edge.path()
            label.set_scale(self.label_scale)
            for at in LABEL_POINTS:
                rect = label.rect.translated(path.pointAtPercent(at))
                box = (rect.left(), rect.top(), rect.right(), rect.bottom(), None)
                if _free(firms, box, -1) and _free(grid, box, -1):
                    _take(grid, box)
                    label.at = at
                    label.setPos(rect.center())
                    if not label.isVisible():
                        label.setVisible(True)
                    self._labelled.append(edge)
                    break
            else:
                if label.isVisible():
                    label.setVisible(False)

    def legend_texts(self) -> list[str]:
        return [text for text, _style in legend_rows(self.trade_scale)]

    # --- layout and positions ---------------------------------------------------------------

    def positions(self) -> dict[str, tuple[float, float]]:
        side = self.side()
        return {uid: (item.pos().x() / side, item.pos().y() / side)
                for uid, item in self.nodes.items()}  # fmt: skip

    def relayout(self) -> None:
        """Lay the chart out again (the chosen layout) on the worker; pinned firms stay."""
        if self.model is None:
            return
        at, model, options, drawing = (
            self.positions(),
            self.model,
            self.layout_options(),
            self._drawing,
        )
        pinned = {uid: at[uid] for uid, item in self.nodes.items() if item.pinned}
        self.laid_out(options, len(model.nodes))
        Op(
            self.host,
            lambda _book: chart().layout_network(model, pinned=pinned or None, **options),
            label="Laying out the network",
        ).success(lambda positions: self._relaid(drawing, positions)).failure(
            self._quiet_failure
        ).run()

    def _relaid(self, drawing: int, positions: dict) -> None:
        if not isValid(self) or drawing != self._drawing:  # redrawn (or gone) meanwhile
            return
        side = self.side()
        for uid, (x, y) in positions.items():
            if uid in self.nodes:
                self.nodes[uid].place(x * side, y * side)
        self.labels_due()
        self.place_edge_labels()
        self.update_date_axis()
        self.view.fit()
        self.save_soon()

    def node_moved(self) -> None:
        """After a drag: an undoable move (saved), the labels placed again."""
        self.dragged()
        self.labels_due()
        self.place_edge_labels()
        self.update_date_axis()

    def update_date_axis(self) -> None:
        """The timeline layout's date axis for the firms where they are now (none for the
        other layouts, nor once the firms no longer follow their dates)."""
        scale = None
        if self.model is not None and self.layout_choice.currentData() == "timeline":
            at = {uid: (item.pos().x(), item.pos().y()) for uid, item in self.nodes.items()
                  if item.isVisible()}  # fmt: skip
            scale = chart().date_scale(self.model, at)
        self.view.set_date_axis(scale)

    def node_dragging(self) -> None:
        for group in self.group_items.values():
            group.refresh()

    def save_soon(self, *, only_new: bool = False) -> None:
        """Save the positions in a moment (one save for a burst of moves). ``only_new``: the
        tab's own first layout, which adds positions and replaces none; an edit due meanwhile
        saves them all."""
        self._save_only_new = only_new and (self._save_only_new or not self._save_timer.isActive())
        self._save_timer.start()

    def _save_due(self) -> None:
        self.save_positions(only_new=self._save_only_new)

    def save_positions(self, *, only_new: bool = False) -> None:
        """Save the positions drawn now (``only_new``: those not saved yet); a save due is
        made by this one."""
        self._save_only_new = False
        self._save_timer.stop()
        if not self.nodes or self.host.book is None:
            return
        if not all(map(isValid, self.nodes.values())):  # torn down: the window is closing
            return
        ref, positions, kind = self.ref, self.positions(), self.layout_choice.currentData()
        pins = {uid: item.pinned for uid, item in self.nodes.items()}
        groups = {uid: self.group_of(uid) for uid in self.nodes}
        Op(
            self.host,
            lambda book: book.save_positions(
                case_ref=ref,
                positions=positions,
                layout=kind,
                only_new=only_new,
                pins=pins,
                groups=groups,
            ),
            label="Saving the chart",
        ).failure(self._quiet_failure).run()

    # --- pictures -----------------------------------------------------------------------------

    def _source_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.scene.items():
            if item.isVisible() and item is not self.veil:
                rect = rect.united(item.sceneBoundingRect())
        legend = legend_size(self.font(), self.trade_scale)
        rect = rect.adjusted(-20, -20 - legend.height() - self._caption_height(), 20, 20)
        room = QFontMetricsF(self.caption.font()).horizontalAdvance(self.caption.text()) + 16
        if rect.width() < room:  # the caption is never cut
            rect.adjust(-(room - rect.width()) / 2, 0, (room - rect.width()) / 2, 0)
        return rect

    def _caption_height(self) -> float:
        """The lens's caption line above an exported picture (none for the whole case)."""
        return QFontMetricsF(self.caption.font()).height() + 6 if self.caption.text() else 0.0

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
        """The lens's caption across the top (a picture of a filtered chart says so), and the
        legend in the top right corner below it."""
        top = 8 + self._caption_height()
        if self.caption.text():
            painter.setFont(self.caption.font())
            painter.setPen(self.caption.palette().color(self.caption.foregroundRole()))
            line = QRectF(8, 8, width - 16, top - 8)
            painter.drawText(line, Qt.AlignmentFlag.AlignLeft, self.caption.text())
        size = legend_size(self.font(), self.trade_scale)
        paint_legend(painter, QPointF(width - size.width() - 8, top), self.font(), self.palette(),
                     self.trade_scale)  # fmt: skip


LABEL_CELL = 160.0  # the side of a cell of the labels' grid, in scene points


def _plate(item, x: float, y: float, width: float, scale: float = 1.0) -> tuple:
    """The label plate of ``item`` at (x, y) cut to ``width`` pixels at 1x, drawn at ``scale``
    (``label_scale``): (left, top, right, bottom, owner) in scene points."""
    top, half = y + item.radius + 3, (width / 2 + 2) * scale
    return (x - half, top, x + half, top + 2 * item.line * scale, id(item))


def label_scale(zoom: float) -> float:
    """The labels' scene points a pixel at ``zoom``: 1 up to zoom 1 (they scale with the
    chart), then ``1 / zoom`` (they keep their size on screen), in steps of 1 % of zoom (a
    zoom step of the wheel is 15 %; the labels are not fitted again for less)."""
    if zoom <= 1.0:
        return 1.0
    return 1.0 / (round(zoom * 100) / 100)


def _cells(box: tuple):
    for gx in range(math.floor(box[0] / LABEL_CELL), math.floor(box[2] / LABEL_CELL) + 1):
        for gy in range(math.floor(box[1] / LABEL_CELL), math.floor(box[3] / LABEL_CELL) + 1):
            yield gx, gy


def _take(grid: dict, box: tuple) -> None:
    for key in _cells(box):
        grid.setdefault(key, []).append(box)


def _free(grid: dict, box: tuple, owner) -> bool:
    """Whether ``box`` overlaps nothing in ``grid`` but what ``owner`` placed."""
    left, top, right, bottom = box[:4]
    for key in _cells(box):
        for other in grid.get(key, ()):
            if (other[4] != owner and left < other[2] and other[0] < right
                    and top < other[3] and other[1] < bottom):  # fmt: skip
                return False
    return True
