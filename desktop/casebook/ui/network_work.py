"""Working the Network chart: the selected nodes and their neighbours highlighted (the rest
dimmed), "Find path" between two selected nodes (fewest links, or through the largest links;
computed on the worker), collapsing neighbours, named groups drawn as a box that collapses to one
node, the "hide trade links under $X" threshold (which also drops the nodes it leaves alone, and
says how many), and undo and redo of chart edits (drag, pin, group) on the app's undo stack.

``ChartWork`` is a mixin of ``NetworkTab``; it reads the tab's ``model``, ``nodes``,
``edge_items``, ``scene`` and ``hidden``.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QInputDialog, QWidget
from shiboken6 import isValid

from casebook.core.numbers import money
from casebook.core.words import plural
from casebook.ui.network_items import GroupItem, NodeItem, chart
from casebook.ui.network_scene import DIM  # noqa: F401 (the tests and callers read it here)
from casebook.ui.ops import Op

RAISE = 10.0  # what is highlighted is raised this much, above the veil (``VEIL_Z``)
MAX_STEPS = 400  # the threshold slider's steps at most (quantiles of the trade values)


class GroupName:
    """The name of a new group (patched in tests)."""

    @classmethod
    def ask(cls, parent: QWidget, suggested: str) -> str | None:
        name, ok = QInputDialog.getText(parent, "Group", "Name of the group:", text=suggested)
        name = name.strip()
        return name[:200] if ok and name else None


class ChartEdit(QUndoCommand):
    """A chart edit (move, pin, group): each node's place, pin and group before and after."""

    def __init__(self, tab, text: str, before: dict, after: dict):
        super().__init__(text)
        self.tab, self.before, self.after = tab, before, after

    def redo(self) -> None:
        if isValid(self.tab):
            self.tab.apply_state(self.after)

    def undo(self) -> None:
        if isValid(self.tab):
            self.tab.apply_state(self.before)


class ChartWork:
    """Highlight, paths, groups, threshold and undoable edits (a mixin of ``NetworkTab``)."""

    def _prepare_work(self) -> None:
        self.groups: dict[str, list[str]] = {}  # name → member uids (saved with the positions)
        self.group_items: dict[str, GroupItem] = {}
        self.collapsed: set[str] = set()  # the groups drawn as one node
        self.threshold = 0.0  # trade links under this many USD are not drawn
        self.below: set[str] = set()  # the nodes only those links joined
        self.below_links = 0
        self.steps: list[float] = [0.0]  # the slider's thresholds
        self.path: list[str] = []  # the path found, highlighted
        self._path_ends: set[str] = set()
        self._path_edges: set[int] = set()
        self._drag_from: dict | None = None
        self.veil = None  # the item that dims the chart (``DimVeil``), made with the drawing
        self._raised: dict = {}  # id → the items raised above the veil
        self._threshold_timer = QTimer(self, singleShot=True, interval=80)
        self._threshold_timer.timeout.connect(self._slider_moved)

    # --- what is shown ------------------------------------------------------------------------

    def node_shown(self, uid: str) -> bool:
        return (
            uid not in self.hidden
            and uid not in self.below
            and not any(uid in self.groups.get(name, ()) for name in self.collapsed)
        )

    def _show_node(self, item) -> None:
        shown = self.node_shown(item.node.uid)
        if item.isVisible() != shown:
            item.setVisible(shown)
            # A firm that leaves makes room but covers nothing: the labels stay as they are
            # (fitting 2,000 labels again took most of a threshold step); one that comes back
            # may be covered, so they are fitted again.
            self.labels_due(grown=shown)
        if not shown and item.isSelected():
            item.setSelected(False)
        for edge in item.edges:
            visible = edge.source.isVisible() and edge.target.isVisible() and not edge.below
            if edge.isVisible() != visible:
                edge.setVisible(visible)

    def refresh_visibility(self) -> None:
        """Every node and edge shown or not (hidden, under the threshold, in a collapsed
        group); the groups follow."""
        for item in self.nodes.values():
            self._show_node(item)
        for group in self.group_items.values():
            group.refresh()

    # --- highlight ----------------------------------------------------------------------------

    def emphasise(self) -> None:
        """The selected nodes, their neighbours and the links between them at full strength and
        the rest dimmed (or, after Find path, the path); nothing selected: everything. One
        veil over the whole chart dims it, and only the highlighted items are raised above it
        (a selection changes a few dozen items, not every one of thousands)."""
        if not all(map(isValid, self.nodes.values())):
            return
        selected = set(self.selected_uids())
        if self.path and selected != self._path_ends:
            self.path, self._path_edges = [], set()
        if self.path:
            focus = set(self.path)
            edges = [e for e in self.edge_items if id(e) in self._path_edges]
        elif selected:
            focus, edges = set(selected), []
            for uid in selected:
                for edge in self.nodes[uid].edges:
                    if edge.isVisible():
                        edges.append(edge)
                        focus.update((edge.source.node.uid, edge.target.node.uid))
        else:
            focus, edges = None, []
        raised = {id(item): item for item in edges}
        raised |= {id(self.nodes[uid]): self.nodes[uid] for uid in focus or () if uid in self.nodes}
        for key, item in self._raised.items():
            if key not in raised and isValid(item):
                item.setZValue(item.zValue() - RAISE)
                if self.far and isinstance(item, NodeItem):
                    item.set_far(True)  # drawn by the far view's shapes again
        for key, item in raised.items():
            if key not in self._raised:
                item.setZValue(item.zValue() + RAISE)
                if isinstance(item, NodeItem):
                    item.set_far(False)  # highlighted: draws itself, over the veil
        self._raised = raised
        veil = self.veil
        if veil is not None and isValid(veil) and veil.isVisible() != (focus is not None):
            veil.setVisible(focus is not None)

    def is_dimmed(self, item) -> bool:
        """Whether a node or edge item is drawn dimmed (under the veil, not raised)."""
        veil = self.veil
        return bool(veil is not None and veil.isVisible()) and id(item) not in self._raised

    def dimmed(self) -> set[str]:
        """The nodes drawn dimmed (not highlighted)."""
        return {uid for uid, item in self.nodes.items() if self.is_dimmed(item)}

    # --- find path ----------------------------------------------------------------------------

    def find_path(self, by: str = "hops") -> None:
        """The shortest path between the two selected nodes over the links drawn (``by``
        "hops" or "value"), found on the worker; highlighted, and said in the status line."""
        ends = self.selected_uids()
        if len(ends) != 2:
            return
        edges = [e.edge for e in self.edge_items if e.isVisible()]
        a, b = ends
        Op(self.host, lambda _book: chart().find_path(edges, a, b, by=by),
           label="Finding a path").success(lambda path: self._path_found(ends, path, by)).failure(
            self._quiet_failure).run()  # fmt: skip

    def _path_found(self, ends: list[str], path: list[str], by: str) -> None:
        if not isValid(self) or set(self.selected_uids()) != set(ends):
            return
        names = [self.nodes[u].node.shown_name for u in ends if u in self.nodes]
        if not path:
            self.status.setText(f"No path between {' and '.join(names)} on the chart")
            self.path_found.emit([])
            return
        self._path_ends, self.path = set(ends), list(path)
        hops = set(zip(path, path[1:], strict=False)) | set(zip(path[1:], path, strict=False))
        best: dict[frozenset, object] = {}  # the largest link drawn for each step
        for edge in self.edge_items:
            pair = (edge.edge.source, edge.edge.target)
            if edge.isVisible() and pair in hops:
                key = frozenset(pair)
                if key not in best or edge.edge.value_usd > best[key].edge.value_usd:
                    best[key] = edge
        self._path_edges = {id(e) for e in best.values()}
        value = sum(e.edge.value_usd for e in best.values() if e.edge.is_trade)
        how = "fewest links" if by == "hops" else "largest links"
        route = " → ".join(self.nodes[u].node.shown_name for u in path)
        self.status.setText(f"Path ({how}): {route} · {plural(len(path) - 1, 'link')}"
                            + (f" · {money(value, compact=True)} of trade" if value else ""))  # fmt: skip
        self.emphasise()
        self.path_found.emit(list(path))

    # --- collapse neighbours --------------------------------------------------------------------

    def collapse_selected(self) -> None:
        """Hide the neighbours of the selected nodes that nothing else shown links to (the ones
        "Expand neighbours" brings back)."""
        if self.model is None:
            return
        selected = set(self.selected_uids())
        for uid in selected:
            for other in self.model.neighbours(uid) - selected:
                item = self.nodes.get(other)
                if item is None or not item.isVisible():
                    continue
                rest = {
                    (e.target if e.source is item else e.source).node.uid
                    for e in item.edges
                    if e.isVisible()
                } - selected
                if not rest:
                    self._set_visible(other, False)
        self.place_edge_labels()
        self.emphasise()
        self._sync_actions()

    # --- groups -------------------------------------------------------------------------------

    def group_of(self, uid: str) -> str | None:
        return next((name for name, uids in self.groups.items() if uid in uids), None)

    def group_selected(self, name: str | None = None) -> str | None:
        """Put the selected nodes in a named group (asked for when not given): undoable."""
        uids = self.selected_uids()
        if not uids:
            return None
        if name is None:
            name = GroupName.ask(self, f"Group {len(self.groups) + 1}")
        if not name:
            return None
        before = self.state(uids)
        after = {uid: dict(s, group=name) for uid, s in before.items()}
        self.push_edit(f"Group {plural(len(uids), 'node')} as “{name}”", before, after)
        return name

    def ungroup_selected(self) -> None:
        uids = [u for u in self.selected_uids() if self.group_of(u)]
        for name in {g.name for g in self.group_items.values() if g.isSelected()}:
            uids += [u for u in self.groups.get(name, ()) if u not in uids]
        if not uids:
            return
        before = self.state(uids)
        after = {uid: dict(s, group=None) for uid, s in before.items()}
        self.push_edit(f"Ungroup {plural(len(uids), 'node')}", before, after)

    def collapse_group(self, name: str, collapsed: bool = True) -> None:
        """Draw the group as one node (its members hidden, its links to the rest on it), or
        its members again in their box."""
        if name not in self.group_items:
            return
        if collapsed:
            self.collapsed.add(name)
        else:
            self.collapsed.discard(name)
        self.group_items[name].collapsed = collapsed
        self.refresh_visibility()
        self.place_edge_labels()
        self.emphasise()
        self._sync_actions()

    def toggle_selected_groups(self) -> None:
        names = {self.group_of(u) for u in self.selected_uids()} - {None}
        names |= {g.name for g in self.group_items.values() if g.isSelected()}
        for name in sorted(names):
            self.collapse_group(name, name not in self.collapsed)

    def _rebuild_groups(self) -> None:
        """The groups' items from ``groups`` (after a drawing or an edit)."""
        for item in self.group_items.values():
            if isValid(item):
                self.scene.removeItem(item)
            if isValid(item.links):
                self.scene.removeItem(item.links)
        self.group_items = {}
        for name, uids in sorted(self.groups.items()):
            members = [self.nodes[u] for u in uids if u in self.nodes]
            if not members:
                continue
            item = GroupItem(name, members, self)
            item.collapsed = name in self.collapsed
            self.scene.addItem(item)
            self.scene.addItem(item.links)
            self.group_items[name] = item
        self.collapsed &= set(self.group_items) | set(self.groups)
        self.refresh_visibility()

    # --- threshold ----------------------------------------------------------------------------

    def _threshold_steps(self) -> None:
        """The slider's thresholds: the distinct trade values of the model (at most
        ``MAX_STEPS`` of them, evenly by rank)."""
        values = sorted({e.value_usd for e in self.model.edges if e.is_trade}) if self.model else []
        if len(values) > MAX_STEPS:
            values = [values[round(i * (len(values) - 1) / (MAX_STEPS - 1))]
                      for i in range(MAX_STEPS)]  # fmt: skip
        self.steps = [0.0] + values[1:]  # under the smallest value nothing is hidden
        slider = self.threshold_slider
        slider.blockSignals(True)
        slider.setRange(0, max(len(self.steps) - 1, 0))
        slider.setValue(self._step_of(self.threshold))
        slider.blockSignals(False)
        slider.setEnabled(len(self.steps) > 1)

    def _step_of(self, value: float) -> int:
        return max((i for i, v in enumerate(self.steps) if v <= value), default=0)

    def _slider_moved(self) -> None:
        self.set_threshold(self.steps[self.threshold_slider.value()], from_slider=True)

    def set_threshold(self, value: float, *, from_slider: bool = False) -> None:
        """Hide the trade links under ``value`` USD and the nodes only they joined."""
        self.threshold = max(float(value or 0.0), 0.0)
        if not from_slider:
            slider = self.threshold_slider
            slider.blockSignals(True)
            slider.setValue(self._step_of(self.threshold))
            slider.blockSignals(False)
        self.apply_threshold()

    def apply_threshold(self, *, labels: bool = True) -> None:
        """Hide the trade links under the threshold and the firms they leave alone; then the
        labels are placed again (unless not ``labels``: the caller places them)."""
        if self.model is None:
            return
        _thinned, hidden = chart().apply_threshold(self.model, self.threshold)
        below = set(hidden.nodes)
        touched = {uid for uid in below ^ self.below if uid in self.nodes}
        self.below = below
        self.below_links = hidden.links
        for edge in self.edge_items:  # only the nodes and edges that change are visited
            now = edge.edge.is_trade and edge.edge.value_usd < self.threshold
            if now != edge.below:
                edge.below = now
                touched.update((edge.source.node.uid, edge.target.node.uid))
        for uid in touched:
            self._show_node(self.nodes[uid])
        for group in self.group_items.values():
            group.refresh()
        if labels:
            self.place_edge_labels()
        self.emphasise()
        self._sync_actions()
        firms = sum(u in self.nodes and self.nodes[u].node.subject == "firm" for u in self.below)
        others = len(self.below) - firms
        under = money(self.threshold, compact=True) if self.threshold else "$0"
        text = f"Hide trade links under {under}"
        if hidden:
            parts = [plural(hidden.links, "link")]
            if firms:
                parts.append(plural(firms, "firm"))
            if others:
                parts.append(plural(others, "person"))
            text += f": {', '.join(parts)} hidden"
        self.threshold_note.setText(text)
        self.threshold_changed.emit(self.threshold)

    # --- undoable edits -----------------------------------------------------------------------

    def state(self, uids) -> dict:
        """Each node's place (in the unit square), pin and group, for an edit."""
        side = self.side()
        return {
            uid: {
                "pos": (self.nodes[uid].pos().x() / side, self.nodes[uid].pos().y() / side),
                "pinned": self.nodes[uid].pinned,
                "group": self.group_of(uid),
            }
            for uid in uids
            if uid in self.nodes
        }

    def push_edit(self, text: str, before: dict, after: dict) -> None:
        """Make the edit (``after``) and put it on the app's undo stack."""
        stack = getattr(self.host, "undo_stack", None)
        if stack is None:
            self.apply_state(after)
        else:
            stack.push(ChartEdit(self, text, before, after))  # push runs its redo

    def apply_state(self, state: dict) -> None:
        """Put nodes where ``state`` says (place, pin, group), and save."""
        side = self.side()
        groups_changed = False
        for uid, s in state.items():
            item = self.nodes.get(uid)
            if item is not None:
                x, y = s["pos"]
                if (item.pos().x(), item.pos().y()) != (x * side, y * side):
                    item.place(x * side, y * side)
                if item.pinned != s["pinned"]:
                    item.pinned = s["pinned"]
                    item.update()
            if self.group_of(uid) != s["group"]:
                groups_changed = True
                for uids in self.groups.values():
                    if uid in uids:
                        uids.remove(uid)
                if s["group"]:
                    self.groups.setdefault(s["group"], []).append(uid)
        self.groups = {name: uids for name, uids in self.groups.items() if uids}
        if groups_changed:
            self._rebuild_groups()
        else:
            for group in self.group_items.values():
                group.refresh()
        self.labels_due()
        self.place_edge_labels()
        self.update_date_axis()
        self._sync_actions()
        self.save_soon()

    def drag_started(self) -> None:
        self._drag_from = self.state(self.nodes)

    def dragged(self) -> None:
        """After a drag: the nodes that moved, as one undoable edit."""
        before, self._drag_from = self._drag_from or {}, None
        now = self.state(before)
        moved = [u for u in now if now[u]["pos"] != before[u]["pos"]]
        if not moved:
            return
        name = (
            self.nodes[moved[0]].node.shown_name if len(moved) == 1 else plural(len(moved), "node")
        )
        self.push_edit(f"Move {name}", {u: before[u] for u in moved}, {u: now[u] for u in moved})
