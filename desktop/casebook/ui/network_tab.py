"""The Network tab: the case's link chart on a ``QGraphicsView``, wired to the workspace.

The model, layouts and styles come from the facade (``casebook.book.network``; the briefing
draws the same picture); ``network_scene`` draws them, ``network_items`` holds the firms and
edges, ``network_view`` zooms, pans and shows the legend, ``network_panel`` the selected firm's
details. Nodes show the country code, a listed badge, the red-flag score and the role; trade
edges are as wide as their value and labelled "value · shipments" (the largest ones, the
selected firm's, and all of them when zoomed in); relationships have their own colours and
dashes. Zoomed in past 1x the labels keep their size on screen and are fitted again, so a
label cut for want of room shows whole once zooming made room; the timeline layout has a
date axis along the foot of the chart. The workspace's lens (``set_lens``) and the tab's own filters (dates, HS prefix, which
replace the lens's, and a minimum value per link) re-read the edges and keep the nodes where
they are; a caption says what the lens shows. Dragging moves one node and its edges (positions
are saved per case); zoom with the wheel, pan by dragging the background, Fit shows everything.
Selecting a firm shows its details, evidence and largest shipments, and tells the workspace
(``workspace.show("firm", uid)``); ``reveal`` selects a firm another tab asked for. Files
dropped on a firm go into the evidence vault linked to that firm (the Evidence tab's shared
``add_evidence_files``, as on the Firms tab); a drop on empty space is refused.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSlider,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casebook.core.errors import CasebookError
from casebook.core.words import plural
from casebook.ui.elided_label import ElidedLabel
from casebook.ui.evidence_tab import add_evidence_files
from casebook.ui.filter_edit import filter_edit
from casebook.ui.network_items import NodeItem, chart
from casebook.ui.network_panel import FirmPanel, PanelActions
from casebook.ui.network_scene import ChartDrawing
from casebook.ui.network_view import NetworkView
from casebook.ui.network_work import ChartWork
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.scene_disposal import SceneDisposal
from casebook.ui.workspace import LensTab, WorkspaceTab

#: The firms drawn at first: the largest by trade value ("Show all" draws every one). A
#: proposal to the product owner: a few hundred firms stay readable and draw in well under a
#: second; a 1M-shipment case has thousands.
DRAWN_FIRMS = 300
#: An empty chart whose links hold at least this many shipments draws its ``FIRST_LINKS``
#: largest links first (chosen in SQL: about 0.5 s on a 1M-shipment case, where the whole
#: chart's read takes 3-4 s), then the whole chart.
FIRST_FROM_SHIPMENTS = 100_000
FIRST_LINKS = 150


def _shrunk(positions: dict, shrink: float) -> dict:
    """Positions (in units of a chart's square) of firms drawn on a chart's square that is
    ``shrink`` times the side of the next one: as large there, about its centre."""
    if shrink == 1.0:
        return positions
    return {u: (0.5 + (x - 0.5) * shrink, 0.5 + (y - 0.5) * shrink)
            for u, (x, y) in positions.items()}  # fmt: skip


def _place(book, model, *, ref: str, relayout: bool, current: dict, options: dict, kinds: list,
           first: dict | None = None):  # fmt: skip
    """On the worker: (positions, saved, kind, laid, marks) of ``model``: the saved layout
    when ``relayout`` (else ``current``) and ``first`` (the largest links' firms as drawn
    first), the firms not placed yet laid out around them."""
    from casebook.book.network import layout_network

    layout = book.chart_layout(case_ref=ref) if relayout else None
    saved = {n["uid"]: (n["x"], n["y"]) for n in layout["nodes"]} if layout else None
    kind = layout["layout"] if layout else None
    marks = {n["uid"]: (n["pinned"], n["group"]) for n in layout["nodes"]} if layout else None
    keep = {**(dict(saved or {}) if relayout else current), **(first or {})}
    positions, laid = keep, None
    if not model.nodes or any(n.uid not in keep for n in model.nodes):
        laid = options | {"kind": kind if kind in kinds else options["kind"]}
        positions = layout_network(model, pinned=keep or None, **laid)
    return positions, bool(saved), kind, laid, marks


class ExportDialog:
    """Where to save an export (patched in tests)."""

    @classmethod
    def ask(cls, parent: QWidget, title: str, name: str, filters: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(parent, title, name, filters)
        return Path(path) if path else None


class WrapRow(QWidget):
    """The filters and the actions in one row where the width allows, else in two: the tab
    never makes the window wider than a 1024-pixel screen leaves it beside the case list."""

    def __init__(self, *rows: QHBoxLayout):
        super().__init__()
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.parts = []
        for row in rows:
            part = QWidget()
            part.setLayout(row)
            self.box.addWidget(part, 1 if row is rows[-1] else 0)
            self.parts.append(part)

    def one_row_width(self) -> int:
        return sum(p.minimumSizeHint().width() for p in self.parts) + self.box.spacing() * (
            len(self.parts) - 1
        )

    def minimumSizeHint(self):  # noqa: N802 (Qt naming)
        size = self.box.minimumSize()
        size.setWidth(max(p.minimumSizeHint().width() for p in self.parts))
        return size

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        wide = event.size().width() >= self.one_row_width()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.box.direction() != direction:
            self.box.setDirection(direction)
            self.updateGeometry()
        super().resizeEvent(event)


class NetworkTab(LensTab, ChartDrawing, ChartWork, PanelActions, QWidget):
    """Filters and layout above the chart; the selected firm's details beside it."""

    drawn = Signal()  # after the chart was (re)drawn
    largest_drawn = Signal()  # the largest links drawn first, the whole chart being read
    details_shown = Signal(dict)  # the selected firm's details arrived
    firm_selected = Signal(str)  # uid
    scored = Signal()  # the red-flag scores arrived and are shown
    evidence_added = Signal(object)  # EvidenceAdded, after a file dropped on a firm was added
    exported = Signal(object)  # the Path of a finished export
    path_found = Signal(list)  # the uids of the path found (empty: none)
    threshold_changed = Signal(float)  # the trade links under this many USD are hidden
    labels_fitted = Signal()  # the firms' labels were fitted again after a zoom

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.scores: dict[str, float] | None = None  # red-flag scores by firm uid
        self._scoring = False
        self._generation = 0
        self._relayout = True  # the read in flight lays the chart out (saved positions)
        self.every_firm = False  # "Show all": no cap on the firms drawn
        self.largest_only = False  # the largest links drawn, the whole chart being read
        self.firms = 0  # the firms of the chart read, drawn or not
        self._quiet = False  # selecting on request of another tab: do not echo it back
        self._picked: dict = {}  # the selected node items (their labels are drawn whole)
        self._prepare_drawing()
        self._prepare_work()
        self._build()
        self._debounce = QTimer(self, singleShot=True, interval=350, timeout=self.reload)
        for edit in (self.date_from, self.date_to, self.hs, self.min_value):
            edit.textChanged.connect(self._debounce.start)
        self._defer_first_load(host)  # read once shown, or when the worker is idle

    # --- widgets ----------------------------------------------------------------------------

    def _build(self) -> None:
        # Short placeholders (the formats are in the tooltips): one row of controls keeps the
        # chart its height and the tab narrow enough for the case list beside it.
        self.date_from = filter_edit("From", "First date: YYYY, YYYY-MM or YYYY-MM-DD")
        self.date_to = filter_edit("To", "Last date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD")
        self.hs = filter_edit("HS code", "Code prefix: 84, 8458, 845811 …")
        self.min_value = filter_edit("Min USD", "Leave out trade links worth less than this")
        self.layout_choice = QComboBox()
        # As wide as its longest entry, measured again when the style or font changes (a theme
        # change): no entry is ever cut ("Force-directe").
        self.layout_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # Short names (the toolbar must fit a 1024 px window), what each does in its tooltip.
        for name, kind, tip in (
            ("Force-directed", "force", "Linked firms pulled together, others pushed apart"),
            ("Layered", "layered", "Makers, then intermediaries, then importers, left to right"),
            ("Geographic", "geographic", "Each firm at its country, flows between countries"),
            ("Timeline", "timeline", "Across by each firm's first trade, down by layer"),
        ):
            self.layout_choice.addItem(name, kind)
            self.layout_choice.setItemData(
                self.layout_choice.count() - 1, tip, Qt.ItemDataRole.ToolTipRole
            )
        self.layout_choice.activated.connect(lambda _i: self.relayout())
        self.relayout_button = QToolButton(text="Re-layout")  # tool buttons, like Export: the
        # bar keeps to a 1024-pixel screen
        self.relayout_button.setToolTip("Lay out again; pinned firms stay where they are")
        self.relayout_button.clicked.connect(lambda: self.relayout())
        self.fit_button = QToolButton(text="Fit")
        self.fit_button.clicked.connect(self._fit)
        self.export_button = QToolButton(text="Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction("PNG image…", lambda: self._ask_export("png"))
        menu.addAction("SVG drawing…", lambda: self._ask_export("svg"))
        menu.addAction("GraphML (Gephi)…", lambda: self._ask_export("graphml"))
        self.export_button.setMenu(menu)
        # Neither a long status nor a problem sets the window's minimum width (1024-pixel
        # screens): the status gives way (cut, whole in its tooltip), a problem wraps.
        self.status = ElidedLabel()
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet("color: #D93025;")
        self.caption = QLabel()  # what the lens shows; hidden for the whole case
        self.caption.setStyleSheet("color: #1A73E8; font-weight: bold;")
        self.caption.setVisible(False)
        self.cap_note = QLabel()  # "Showing 300 of 2,748 firms", with Show all beside it
        self.show_every_button = QToolButton(text="Show all")
        self.show_every_button.setToolTip("Draw every firm of the case (slower on large cases)")
        self.show_every_button.clicked.connect(self.show_every_firm)

        self.scene = SceneDisposal.scene_for(self)  # its items go in slices after the tab
        self.scene.selectionChanged.connect(self._selection_changed)
        self.view = NetworkView(self.scene)
        self.view.zoomed.connect(self._zoomed)
        self.view.settled.connect(self._zoomed)
        self.view.resized.connect(self._view_resized)
        self.view.files_dropped.connect(self.drop_files)
        panel = FirmPanel()
        # "Hide trade links under $X" at the top of the side pane (the chart keeps its height):
        # the slider steps through the chart's trade values.
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setToolTip(
            "Hide the trade links worth less than this, and the nodes only they joined"
        )
        self.threshold_slider.valueChanged.connect(self._threshold_timer.start)
        self.threshold_note = QLabel("Hide trade links under $0", wordWrap=True)
        panel.layout().insertWidget(0, self.threshold_note)
        panel.layout().insertWidget(1, self.threshold_slider)
        self._connect_panel(panel)

        filters, actions = QHBoxLayout(), QHBoxLayout()
        for layout_ in (filters, actions):
            layout_.setContentsMargins(0, 0, 0, 0)
        for widget in (self.date_from, self.date_to, self.hs, self.min_value):
            filters.addWidget(widget)
        filters.addStretch(1)  # in a row of its own, the boxes stay together at the left
        actions.addWidget(self.layout_choice)
        actions.addWidget(self.relayout_button)
        actions.addWidget(self.fit_button)
        actions.addWidget(self.export_button)
        actions.addWidget(self.problem, 1)
        actions.addWidget(self.status)
        self.bar = WrapRow(filters, actions)
        chart_pane = QWidget()
        chart_layout = QVBoxLayout(chart_pane)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.setSpacing(2)
        chart_layout.addWidget(self.caption)
        cap = QHBoxLayout()
        cap.addWidget(self.cap_note)
        cap.addWidget(self.show_every_button)
        cap.addStretch(1)
        chart_layout.addLayout(cap)
        for widget in (self.cap_note, self.show_every_button):
            widget.setVisible(False)
        chart_layout.addWidget(self.view, 1)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(chart_pane)
        self.split.addWidget(panel)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([1000, 240])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.split, 1)
        self._sync_actions()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        """A theme change: the labels' text and plates follow the palette (the legend too)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.take_palette()

    # --- the workspace ----------------------------------------------------------------------

    def lens_changed(self) -> None:
        self._show_caption()

    def _show_caption(self) -> None:
        names = {node.uid: node.shown_name for node in (self.model.nodes if self.model else ())}
        text = self.lens.describe(names) if self.lens else ""
        self.caption.setText(f"Filtered: {text}" if text else "")
        self.caption.setVisible(bool(text))

    def reveal(self, kind: str, uid: str) -> bool:
        """Select a firm another tab asked for; True when it is in the chart."""
        if kind not in ("firm", "person") or uid not in self.nodes:
            return False
        if self.selected_uids() == [uid]:
            return True
        self._quiet = True
        try:
            return self.select(uid)
        finally:
            self._quiet = False

    show_item = reveal  # the search box still asks each tab by this name

    # --- reading ----------------------------------------------------------------------------

    def filters(self) -> dict:
        return {
            "date_from": self.date_from.text().strip() or None,
            "date_to": self.date_to.text().strip() or None,
            "hs": self.hs.text().strip() or None,
            "min_value": self.min_value.text().strip().replace(",", "") or 0.0,
        }

    def reload(self, *, relayout: bool = False) -> None:
        """Read the network of the lens under the filters on the worker, cut to the
        ``DRAWN_FIRMS`` largest firms unless every firm is asked for, and lay out the firms
        not placed yet there too; then draw it. Red-flag scores (a scan of every shipment)
        follow in a second read, so the chart shows first. A read that replaces one still
        laying the chart out lays it out too. An empty chart of a large case (links of at
        least ``FIRST_FROM_SHIPMENTS`` shipments) shows its ``FIRST_LINKS`` largest links
        first, chosen in SQL, while the whole chart is read; its firms keep their places."""
        self._loaded = True
        self._generation += 1
        self._relayout = relayout = relayout or self._relayout
        gen, ref, filters, lens = self._generation, self.ref, self.filters(), self.lens or None
        limit = None if self.every_firm else DRAWN_FIRMS
        current, options = self.positions(), self.layout_options()
        kinds = [self.layout_choice.itemData(i) for i in range(self.layout_choice.count())]
        first: dict = {}  # the largest links' positions, for the whole chart's layout
        if not self.nodes:
            self.status.setText("Reading the network…")
            self._read_largest_first(gen, first, relayout, options, kinds)

        def work(book):
            from dataclasses import replace

            from casebook.book.network import aggregate_trade, canvas_size, largest

            model = book.network(case_ref=ref, scores=False, lens=lens, persons=True, **filters)
            # One trade link per pair of firms, whichever way the goods went (value,
            # shipments, first and last date), as the briefing and the ANX export draw it.
            model = replace(model, edges=aggregate_trade(model.edges))
            firms = sum(n.subject == "firm" for n in model.nodes)
            model = largest(model, limit) if limit else model
            if first.get("laid"):  # as large on the larger canvas: the rest around them
                first["shrink"] = canvas_size(first["nodes"]) / canvas_size(len(model.nodes))
                first["positions"] = _shrunk(first["positions"], first["shrink"])
            placed = _place(book, model, ref=ref, relayout=relayout, current=current,
                            options=options, kinds=kinds,
                            first=first.get("positions"))  # fmt: skip
            return model, firms, *placed

        Op(self.host, work, label="Reading the network").success(
            lambda result: self._arrived(
                gen,
                *result[:-1],
                marks=result[-1],
                relayout=relayout,
                shrink=first.get("shrink", 1.0),
            )  # fmt: skip
        ).failure(lambda exc: self._failed(gen, exc)).run()

    def _read_largest_first(
        self, gen: int, first: dict, relayout: bool, options: dict, kinds: list
    ) -> None:
        """Read (on the worker, before the whole chart) the ``FIRST_LINKS`` largest trade links
        under the lens and filters and draw them, unless the case is small: then nothing."""
        ref, filters, lens = self.ref, self.filters(), self.lens or None
        threshold = filters.pop("min_value")

        def work(book):
            from dataclasses import replace

            drawn = book.link_chart(case_ref=ref, lens=lens, threshold=threshold, scores=False,
                                    persons=True, links=FIRST_LINKS, **filters)  # fmt: skip
            trade = [e for e in drawn.model.edges if e.is_trade]
            links = len(trade) + drawn.smaller.links + drawn.hidden.links
            shipments = sum(e.count for e in trade) + drawn.smaller.shipments
            if shipments + drawn.hidden.shipments < FIRST_FROM_SHIPMENTS:
                return None  # the whole chart is read about as fast
            ends = {u for e in drawn.model.edges for u in (e.source, e.target)}
            # Only the firms (and persons) these links join: not the unlinked ones.
            model = replace(drawn.model, nodes=[n for n in drawn.model.nodes if n.uid in ends])
            placed = _place(book, model, ref=ref, relayout=relayout, current={},
                            options=options, kinds=kinds)  # fmt: skip
            # Laid out afresh (nothing saved): kept as large when the whole chart comes.
            first.update(positions=placed[0], nodes=len(model.nodes), laid=not placed[1])
            return model, links, *placed

        def arrived(result) -> None:
            if result is None or not isValid(self) or gen != self._generation or self.nodes:
                return
            model, links, positions, saved, kind, laid, marks = result
            self._arrived(gen, model, self.firms, positions, saved, kind, laid,
                          relayout=relayout, marks=marks, largest_of=links)  # fmt: skip

        # A failure (bad filters) is the whole chart's read's to say, once.
        Op(self.host, work, label="Reading the largest links").success(arrived).failure(
            lambda _exc: None
        ).run()

    def show_every_firm(self) -> None:
        """Draw every firm of the case, not only the largest (the ones drawn stay put)."""
        self.every_firm = True
        self.show_every_button.setEnabled(False)
        self.cap_note.setText(f"Reading and laying out all {self.firms:,} firms…")
        self.reload()

    def summary(self) -> str:
        """The status line: the firms and links drawn."""
        model = self.model
        trade = sum(1 for e in model.edges if e.is_trade)
        drawn = sum(n.subject == "firm" for n in model.nodes)
        people = len(model.nodes) - drawn
        firms = f"{drawn:,} of {self.firms:,}" if self.firms > drawn else f"{drawn:,}"
        persons = f" · {plural(people, 'person')}" if people else ""
        return (f"{firms} firms{persons} · {trade:,} trade links · "
                f"{len(model.edges) - trade:,} relationships")  # fmt: skip

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
        if not isValid(self):
            return
        self.scores = {f["uid"]: float(f["score"]) for f in result["firms"]}
        net = chart()
        for node in self.model.nodes if self.model else ():  # the firms still to be drawn
            node.score = self.scores.get(node.uid, 0.0)
        items = list(self.nodes.items())

        def steps():  # a slice a turn: 2,000 firms' labels held the window 0.3-0.5 s
            for uid, item in items:  # every one: the tooltips said "being computed"
                if not isValid(item):  # torn down (the window closing)
                    continue
                item.node.score, item._tip = self.scores.get(uid, 0.0), None  # tooltip anew
                if net.facts_text(item.node, item.node.score) != item.full_facts:  # the label's
                    item.set_node(item.node, net.style_for(item.node))
                yield
            self.labels_due()
            yield from self.fitting_node_labels()  # the labels' plates may have grown
            yield
            yield from self.placing_edge_labels()  # every edge's, zoomed in: a step at a time

        def finish() -> None:
            self.show_details_again()  # the pane says what the label says
            self.scored.emit()

        self._slice(self._drawing, steps(), finish)

    def _quiet_failure(self, exc: BaseException) -> None:
        """A refusal (the case or firm went away meanwhile) is shown in the bar, not a dialog."""
        if isinstance(exc, CasebookError):
            self.problem.setText(exc.message)
        else:
            self.host.present_error(exc)

    def _failed(self, gen: int, exc: BaseException) -> None:
        if gen == self._generation:
            self._relayout = False
            if self.largest_only:  # the largest links stay, and say they are all there is
                trade = sum(1 for e in self.model.edges if e.is_trade)
                self.cap_note.setText(
                    f"Showing the {plural(trade, 'largest trade link')} only: the whole "
                    "chart could not be read"
                )
            self._quiet_failure(exc)

    def _arrived(
        self,
        gen: int,
        model,
        firms,
        positions,
        saved,
        kind,
        laid,
        *,
        relayout: bool,
        marks=None,
        largest_of: int | None = None,
        shrink: float = 1.0,
    ) -> None:
        """Draw a model read; ``largest_of``: it is the largest links of so many, drawn
        while the whole chart is read (``_read_largest_first``); ``shrink``: the whole chart
        after them, on which they keep their size (``_shrunk``)."""
        if not isValid(self) or gen != self._generation:  # a newer read, or the tab is gone
            return
        fit = relayout
        if self.largest_only and largest_of is None:  # the whole chart after its largest links
            now = _shrunk(self.positions(), shrink)  # as they are now (dragged or not)
            positions = {**positions, **now}
            fit = self.view.auto_fit  # not if the analyst zoomed in meanwhile
        self.largest_only = largest_of is not None
        if not self.largest_only:
            self._relayout = False
        if marks is not None:  # the saved pins and groups, with the saved positions
            self._restore_pins = {uid for uid, (pinned, _group) in marks.items() if pinned}
            groups: dict[str, list[str]] = {}
            for uid, (_pinned, group) in marks.items():
                if group:
                    groups.setdefault(group, []).append(uid)
            self.groups = groups
        index = self.layout_choice.findData(kind) if kind else -1
        if index >= 0:
            self.layout_choice.setCurrentIndex(index)
        if laid is not None:
            self.laid_out(laid, len(model.nodes))
        self.problem.setText("")
        for node in model.nodes:
            node.score = (self.scores or {}).get(node.uid, 0.0)
        self.model, self.firms = model, firms
        capped = firms > len(model.nodes)
        self.cap_note.setText(
            f"Showing {len(model.nodes):,} of {firms:,} firms (the largest by trade value)"
        )
        self.show_every_button.setEnabled(True)
        for widget in (self.cap_note, self.show_every_button):
            widget.setVisible(capped)
        if self.largest_only:
            trade = sum(1 for e in model.edges if e.is_trade)
            self.cap_note.setText(
                f"Showing the {trade:,} largest of {largest_of:,} trade links; "
                "reading the whole chart…"
            )
            self.cap_note.setVisible(True)
            self.show_every_button.setVisible(False)
        self._show_caption()  # firm names for the lens's firm uids
        self.draw(positions, saved=saved, relayout=relayout, fit=fit)  # then the scores

    # --- selection --------------------------------------------------------------------------

    def selected_uids(self) -> list[str]:
        # isValid: at exit Qt deletes the items before the scene's last selectionChanged.
        # The scene's selected items, not every node asked (thousands on a large chart).
        if not isValid(self.scene):
            return []
        picked = {id(item) for item in self.scene.selectedItems()}
        if not picked:
            return []
        return [uid for uid, item in self.nodes.items() if id(item) in picked and isValid(item)]

    def select(self, uid: str) -> bool:
        item = self.nodes.get(uid)
        if item is None:
            return False
        self.scene.clearSelection()
        self._set_visible(uid, True)
        item.setSelected(True)
        self.view.ensureVisible(item, 40, 40)  # scrolls only when the firm is out of sight
        return True

    def _selection_changed(self) -> None:
        picked = {id(i): i for i in self.scene.selectedItems() if isinstance(i, NodeItem)}
        for item in [*self._picked.values(), *picked.values()]:
            if isValid(item):
                item.bounds_changed()  # a selected firm's label is drawn whole
        self._picked = picked
        self._sync_actions()
        self.emphasise()
        uids = self.selected_uids()
        now = set(uids)
        if now != self._labelled_for:  # the selected firms' edges are labelled first
            self.place_edge_labels()
        self._labelled_for = now
        if len(uids) != 1:
            return
        uid = uids[0]
        if self.nodes[uid].node.subject == "person":  # the People tab shows a person
            if not self._quiet and self.workspace is not None:
                self.workspace.show("person", uid)
            return
        self.firm_selected.emit(uid)
        self._read_firm(uid)
        if not self._quiet and self.workspace is not None:
            self.workspace.show("firm", uid)

    def _read_firm(self, uid: str) -> None:
        ref = self.ref
        Op(self.host, lambda book: book.network_firm(case_ref=ref, uid=uid),
           label="Reading the firm").success(self._show_details).failure(
            self._quiet_failure).run()  # fmt: skip

    # --- evidence dropped on a firm ---------------------------------------------------------

    def drop_files(self, paths: list, uid: str) -> int:
        """Add files to the vault linked to the firm or person ``uid`` (asks for title and
        grade first)."""
        item = self.nodes.get(uid)
        if item is None:
            return 0
        name = item.node.shown_name
        return add_evidence_files(
            self,
            self.host,
            self.ref,
            paths,
            link=(item.node.subject, uid),
            done=lambda added: self._evidence_added(added, uid, name),
        )

    def _evidence_added(self, added, uid: str, name: str) -> None:
        e = added.evidence
        again = " (already in the vault: same SHA-256)" if added.existing else ""
        self.status.setText(f"{e['id']} “{e['title']}”{again} now supports {name}")
        if self.selected_uids() == [uid]:  # the details pane lists the firm's evidence
            self._read_firm(uid)
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
        """Write the chart as shown: PNG, SVG (by suffix) or GraphML (the visible firms, read
        again on the worker with the same lens and filters); ``exported`` when written."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".graphml":
            self._export_graphml(path)
            return path
        if suffix == ".svg":
            self._export_svg(path)
        else:
            self._export_png(path)
        self._exported(path)
        return path

    def _export_graphml(self, path: Path) -> None:
        ref, lens, filters = self.ref, self.lens or None, self.filters()
        keep = [uid for uid, item in self.nodes.items() if item.isVisible()]
        Op(
            self.host,
            lambda book: book.export_graphml(
                case_ref=ref, out=path, force=True, lens=lens, keep=keep, **filters
            ),
            label="Exporting the network",
        ).success(lambda _result: self._exported(path)).failure(self._quiet_failure).run()

    def _exported(self, path: Path) -> None:
        self.status.setText(f"Exported {path.name}")
        self.exported.emit(path)

    # --- refresh ----------------------------------------------------------------------------

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("shipments", "firms", "relationships", "hits", "datasets", "persons"):
            self.scores = None if changes.touches("shipments", "firms", "datasets") else self.scores
            self.reload()


TAB = WorkspaceTab(
    key="network",
    title="Network",
    factory=lambda host, ref: NetworkTab(host, ref),
    shown=lambda counts: counts.get("shipments", 0) > 0 or counts.get("relationships", 0) > 0,
)
