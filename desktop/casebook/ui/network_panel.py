"""The Network chart's side panel: the selected firm's details (facts, listings, evidence,
largest shipments) and the actions on the selected firms (expand, focus, hide, pin, show all).

``FirmPanel`` is the widget; ``PanelActions`` (a mixin of ``NetworkTab``) the actions, which
show and hide the tab's items.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QGridLayout,
    QMenu,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casebook.core.numbers import money
from casebook.ui.placeholders import show_prompt


def score_text(score: float | None) -> str:
    """A firm's red-flag score as the pane and the tooltip say it (None: not read yet)."""
    return "red-flag score being computed…" if score is None else f"red-flag score {score:g}"


SELECT_A_FIRM = (
    "Select a firm on the chart to see its details, evidence and shipments "
    "(the buttons above act on every selected firm)."
)


class FirmPanel(QWidget):
    """The action buttons above the selected firm's details; "Show all" below them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        show_prompt(self.details, SELECT_A_FIRM)
        self.expand_button = QPushButton("Expand neighbours")
        self.focus_button = QPushButton("Focus")
        self.focus_button.setToolTip("Hide every firm not linked to the selected ones")
        self.hide_button = QPushButton("Hide")
        self.pin_button = QPushButton("Pin")
        self.collapse_button = QPushButton("Collapse")
        self.collapse_button.setToolTip(
            "Hide the neighbours of the selected nodes that nothing else shown links to"
        )
        self.path_button = QPushButton("Find path")
        self.path_button.setToolTip("The shortest path between the two selected nodes")
        path_menu = QMenu(self.path_button)
        self.path_hops = path_menu.addAction("Fewest links")
        self.path_value = path_menu.addAction("Through the largest trade links")
        self.path_button.setMenu(path_menu)
        self.group_button = QPushButton("Group…")
        self.group_button.setToolTip("Put the selected nodes in a named box")
        self.fold_button = QPushButton("Collapse group")
        self.fold_button.setToolTip("Draw the selected nodes' group as one node, or open it")
        self.ungroup_button = QPushButton("Ungroup")
        self.show_all_button = QPushButton("Show all")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        actions = QGridLayout()  # two rows: a narrow pane leaves the chart more room
        # The wide buttons in the first column: the pane stays as narrow as before.
        for row, (left, right) in enumerate((
            (self.expand_button, self.focus_button),
            (self.collapse_button, self.hide_button),
            (self.group_button, self.pin_button),
            (self.fold_button, self.ungroup_button),
        )):  # fmt: skip
            actions.addWidget(left, row, 0)
            actions.addWidget(right, row, 1)
        actions.addWidget(self.path_button, 4, 0, 1, 2)
        layout.addLayout(actions)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.show_all_button)


class PanelActions:
    """Details of the selected firm, and hide, focus, expand, pin (a mixin of ``NetworkTab``)."""

    def _connect_panel(self, panel: FirmPanel) -> None:
        self.details = panel.details
        self.shown_details: dict | None = None  # the firm in the pane, as last read
        self.expand_button, self.focus_button = panel.expand_button, panel.focus_button
        self.hide_button, self.pin_button = panel.hide_button, panel.pin_button
        self.show_all_button = panel.show_all_button
        self.collapse_button, self.path_button = panel.collapse_button, panel.path_button
        self.group_button, self.fold_button = panel.group_button, panel.fold_button
        self.ungroup_button = panel.ungroup_button
        self.collapse_button.clicked.connect(self.collapse_selected)
        panel.path_hops.triggered.connect(lambda: self.find_path("hops"))
        panel.path_value.triggered.connect(lambda: self.find_path("value"))
        self.group_button.clicked.connect(lambda: self.group_selected())
        self.fold_button.clicked.connect(self.toggle_selected_groups)
        self.ungroup_button.clicked.connect(self.ungroup_selected)
        self.expand_button.clicked.connect(self.expand_selected)
        self.focus_button.clicked.connect(self.focus_selected)
        self.hide_button.clicked.connect(self.hide_selected)
        self.pin_button.clicked.connect(self.toggle_pin)
        self.show_all_button.clicked.connect(self.show_all)
        self.scene.selectionChanged.connect(self._details_follow_selection)

    def _details_follow_selection(self) -> None:
        """With no firm or several selected the pane says what to select: it never goes on
        showing a firm that is no longer the selected one."""
        if self.shown_details is None or not isValid(self.details):
            return
        if len(self.selected_uids()) != 1:
            self.shown_details = None
            show_prompt(self.details, SELECT_A_FIRM)

    def _show_details(self, details: dict) -> None:
        if details["uid"] not in self.selected_uids():
            return
        self.shown_details = details
        self.show_details_again()
        self.details_shown.emit(details)

    def show_details_again(self) -> None:
        """Redraw the pane from the chart's node, so its score is the one on the node's label
        (scores arrive after the chart, and after a firm may already be shown)."""
        details = self.shown_details
        if details is None or details["uid"] not in self.selected_uids():
            return
        node = self.model.node(details["uid"]) if self.model else None
        self.details.setHtml(details_html(details, node, scored=self.scores is not None))

    def _set_visible(self, uid: str, visible: bool) -> None:
        item = self.nodes.get(uid)
        if item is None:
            return
        if visible:
            self.hidden.discard(uid)
        else:
            self.hidden.add(uid)
        self._show_node(item)  # unless under the threshold or in a collapsed group
        self.labels_due()

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
        """Pin the selected nodes (a layout leaves them where they are), or unpin them if all
        are pinned: undoable, saved with the case."""
        uids = self.selected_uids()
        if not uids:
            return
        pin = not all(self.nodes[uid].pinned for uid in uids)
        before = self.state(uids)
        after = {uid: dict(s, pinned=pin) for uid, s in before.items()}
        what = self.nodes[uids[0]].node.shown_name if len(uids) == 1 else f"{len(uids)} nodes"
        self.push_edit(f"{'Pin' if pin else 'Unpin'} {what}", before, after)

    def _sync_actions(self) -> None:
        uids = self.selected_uids() if hasattr(self, "nodes") else []
        for button in (self.expand_button, self.focus_button, self.hide_button, self.pin_button,
                       self.collapse_button, self.group_button):  # fmt: skip
            button.setEnabled(bool(uids))
        self.path_button.setEnabled(len(uids) == 2)
        groups = getattr(self, "group_items", {})
        names = {self.group_of(u) for u in uids} - {None} if groups else set()
        names |= {g.name for g in groups.values() if isValid(g) and g.isSelected()}
        self.fold_button.setEnabled(bool(names))
        self.ungroup_button.setEnabled(bool(names))
        opened = bool(names) and all(n in self.collapsed for n in names)
        self.fold_button.setText("Expand group" if opened else "Collapse group")
        pinned = bool(uids) and all(self.nodes[u].pinned for u in uids)
        self.pin_button.setText("Unpin" if pinned else "Pin")
        self.show_all_button.setEnabled(bool(self.hidden))
        self.show_all_button.setText(f"Show all ({len(self.hidden)} hidden)" if self.hidden
                                     else "Show all")  # fmt: skip


def details_html(details: dict, node, *, scored: bool = True) -> str:
    """The details pane: facts, listings, evidence and largest shipments of a firm (while not
    ``scored``, the red-flag score is said to be coming, not shown as 0)."""
    title = node.shown_name if node is not None else details["name"]  # "Name (CC)" if shared
    rows = [f"<h3 style='margin:0'>{escape(title)}</h3>"]
    if details.get("native_name") and details["native_name"] != details["name"]:
        rows.append(f"<div>{escape(details['native_name'])}</div>")
    facts = [details.get("country") or "??", details.get("role") or "no role"]
    if node is not None:
        facts += [score_text(node.score if scored else None),
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
        # Two lines a shipment: date and value, then the other party and the HS code, so a
        # narrow pane wraps names between words, never inside one ("Machin e", "84581 1").
        rows.append("<table cellspacing='0' cellpadding='1' width='100%'>")
        for s in details["shipments"][:25]:
            party = s["importer"] if s["exporter"] == details["name"] else s["exporter"]
            arrow = "→" if s["exporter"] == details["name"] else "←"
            rows.append(
                f"<tr><td style='white-space:nowrap'>{escape(s['date'] or '')}</td>"
                f"<td align='right' style='white-space:nowrap'><b>{escape(money(s['value_usd'], compact=True))}"
                f"</b></td></tr><tr><td colspan='2' style='padding-bottom:4px'>{arrow} "
                f"{escape(party or '?')} · <span style='white-space:nowrap'>HS "
                f"{escape(s['hs6'] or '')}</span></td></tr>"
            )
        rows.append("</table>")
    else:
        rows.append("<p><i>No shipments.</i></p>")
    return "".join(rows)
