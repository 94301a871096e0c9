"""The link editor of the Evidence tab: what the selected item supports (the case, firms,
shipments, relationships, findings, each with a note), with Link… and Remove.

Each change is one undoable command (Edit → Undo); the facade audits it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casebook.ui.ops import Changes, Host, Op
from casebook.ui.undo import FacadeCommand

KINDS = [
    ("firm", "Firm"),
    ("finding", "Finding"),
    ("relationship", "Relationship"),
    ("shipment", "Shipment"),
    ("case", "Case"),
]
LINK_ROLE = Qt.ItemDataRole.UserRole


def link_targets(book, ref: str) -> dict[str, list[tuple[str, str]]]:
    """What an item of case ``ref`` can be linked to: ``{kind: [(uid, label)]}`` (shipments are
    given by reference in the dialog, not listed: a case may have a million)."""
    case = book.get_case(ref)
    firms = sorted(book.case_firms(case_ref=ref), key=lambda f: f["name"].casefold())
    return {
        "case": [(ref, f"{ref} {case.title}")],
        "firm": [(f["uid"], _firm_label(f)) for f in firms],
        "finding": [
            (f["uid"], f"{f['position']}. {_short(f['text'])}")
            for f in book.list_findings(case_ref=ref)
        ],
        "relationship": [(r["uid"], r["label"]) for r in book.list_relationships(case_ref=ref)],
    }


def _firm_label(firm: dict) -> str:
    native = f" / {firm['native_name']}" if firm.get("native_name") else ""
    country = f" ({firm['country']})" if firm.get("country") else ""
    return f"{firm['name']}{native}{country}"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LinkDialog(QDialog):
    """Pick what an evidence item supports: a firm, finding or relationship of the case, a
    shipment by reference, or the case; with an optional note (page, paragraph, why)."""

    def __init__(self, parent: QWidget | None, *, item: dict, targets: dict, linked=()):
        super().__init__(parent)
        self.setWindowTitle(f"Link {item['id']}")
        linked = {(k, u) for k, u in linked}
        self.kind = QComboBox()
        self.targets: dict[str, QComboBox] = {}
        self.stack = QStackedWidget()
        for kind, _title in KINDS:
            if kind == "shipment":
                continue
            combo = QComboBox()
            combo.setMinimumContentsLength(40)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            for uid, label in targets.get(kind, []):
                if (kind, uid) not in linked:  # already linked: the list shows it
                    combo.addItem(label, uid)
            self.targets[kind] = combo
        self.shipment = QLineEdit(placeholderText="DATASET_UID:ROW or the shipment's number")
        self.shipment.setToolTip(
            "The source row of a shipment (as the Shipments tab's detail shows it), "
            "e.g. 3f2a…:17, or the shipment's number"
        )
        for kind, title in KINDS:
            widget = self.shipment if kind == "shipment" else self.targets[kind]
            count = None if kind == "shipment" else widget.count()
            self.kind.addItem(title if count is None else f"{title} ({count})", kind)
            self.stack.addWidget(widget)
        self.note = QLineEdit(placeholderText="Optional: page, paragraph, why it supports it")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #D93025;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Link")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Supports a", self.kind)
        form.addRow("&Which", self.stack)
        form.addRow("&Note", self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{item['id']}</b> {_escape(item['title'])}"))
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(self._update)
        self.shipment.textChanged.connect(self._update)
        first = next((i for i, (k, _t) in enumerate(KINDS) if self._choices(k)), 0)
        self.kind.setCurrentIndex(first)
        self._update()

    def _choices(self, kind: str) -> int:
        return self.targets[kind].count() if kind in self.targets else 1

    def _update(self) -> None:
        kind = self.kind.currentData()
        self.stack.setCurrentIndex(self.kind.currentIndex())
        if kind == "shipment":
            ok = bool(self.shipment.text().strip())
            self.problem.setText("")
        else:
            ok = self.targets[kind].count() > 0
            self.problem.setText("" if ok else f"No {kind} of this case is left to link.")
        self.ok.setEnabled(ok)

    def values(self) -> tuple[str, str, str]:
        """``(kind, uid, note)`` as ``link_evidence`` takes them."""
        kind = self.kind.currentData()
        if kind == "shipment":
            target = self.shipment.text().strip()
        else:
            target = self.targets[kind].currentData()
        return kind, target, self.note.text().strip()

    @classmethod
    def ask(
        cls, parent: QWidget | None, *, item: dict, targets: dict, linked=()
    ) -> tuple[str, str, str] | None:
        """Run the dialog; ``(kind, uid, note)`` or None. Tests patch this method."""
        dialog = cls(parent, item=item, targets=targets, linked=linked)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _escape(text: str) -> str:
    import html

    return html.escape(text or "")


def _links(book, uid: str) -> dict[tuple[str, str], str]:
    return {(k["kind"], k["uid"]): k["note"] for k in book.show_evidence(uid)["links"]}


class LinkEditor(QWidget):
    """The selected item's links as a list, with Link… and Remove."""

    changed = Signal()  # after a link was added or removed (the op finished)

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.item: dict | None = None
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Kind", "What", "Note"])
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(False)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the target's name
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.list.setColumnWidth(2, self.fontMetrics().averageCharWidth() * 26)
        self.list.setMinimumHeight(self.fontMetrics().lineSpacing() * 4 + 30)
        self.link_button = QPushButton("Link to…")
        self.link_button.setToolTip(
            "Record that this item supports a firm, finding, relationship …"
        )
        self.remove_button = QPushButton("Remove link")
        bar = QHBoxLayout()
        title = QLabel("<b>Supports</b>")
        bar.addWidget(title)
        bar.addStretch(1)
        bar.addWidget(self.link_button)
        bar.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        self.link_button.clicked.connect(self.add_link)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentItemChanged.connect(lambda *_: self._sync())
        self.show_links(None)

    def show_links(self, item: dict | None) -> None:
        self.item = item
        keep = self.selected()
        self.list.clear()
        for link in (item or {}).get("links", []):
            row = QTreeWidgetItem([link["kind"].capitalize(), link["label"], link["note"] or ""])
            row.setData(0, LINK_ROLE, link)
            row.setToolTip(1, link["label"])
            row.setToolTip(2, link["note"] or "")
            self.list.addTopLevelItem(row)
            if keep and (keep["kind"], keep["uid"]) == (link["kind"], link["uid"]):
                self.list.setCurrentItem(row)
        self._sync()

    def links(self) -> list[tuple[str, str, str]]:
        """The rows as shown: (kind, label, note)."""
        rows = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        return [(r.text(0), r.text(1), r.text(2)) for r in rows]

    def selected(self) -> dict | None:
        row = self.list.currentItem()
        return row.data(0, LINK_ROLE) if row is not None else None

    def select(self, kind: str, uid: str) -> bool:
        for i in range(self.list.topLevelItemCount()):
            link = self.list.topLevelItem(i).data(0, LINK_ROLE)
            if (link["kind"], link["uid"]) == (kind, uid):
                self.list.setCurrentItem(self.list.topLevelItem(i))
                return True
        return False

    def _sync(self) -> None:
        self.link_button.setEnabled(self.item is not None)
        link = self.selected()
        # A link whose target was deleted has no uid to name it by.
        self.remove_button.setEnabled(link is not None and link["uid"] is not None)

    def _do(self, text: str, apply, revert) -> None:
        changes = Changes(evidence=True, findings=True, case_ref=self.ref)

        def pushed(_result) -> None:
            self.host.undo_stack.push(
                FacadeCommand(self.host, text, apply=apply, revert=revert, changes=changes)
            )
            self.changed.emit()

        Op(self.host, apply, label=text, changes=changes).success(pushed).run()

    def add_link(self) -> None:
        item = self.item
        if item is None:
            return
        linked = [(k["kind"], k["uid"]) for k in item["links"]]
        targets = link_targets(self.host.book, self.ref)
        answer = LinkDialog.ask(self, item=item, targets=targets, linked=linked)
        if answer is None:
            return
        kind, target, note = answer
        uid, state = item["uid"], {"added": [], "renoted": []}

        def apply(book):
            old = _links(book, uid)
            book.link_evidence(uid, kind, target, note=note)
            new = _links(book, uid)
            state["added"] = [key for key in new if key not in old]
            state["renoted"] = [
                (key, old[key]) for key in new if key in old and old[key] != new[key]
            ]

        def revert(book):
            for link_kind, link_uid in state["added"]:
                book.unlink_evidence(uid, link_kind, link_uid)
            for (link_kind, link_uid), old_note in state["renoted"]:
                if old_note:  # a note cannot be emptied by linking again
                    book.link_evidence(uid, link_kind, link_uid, note=old_note)

        self._do(f"Link {item['id']} to a {kind}", apply, revert)

    def remove_selected(self) -> None:
        item, link = self.item, self.selected()
        if item is None or link is None or link["uid"] is None:
            return
        uid, kind, target, note = item["uid"], link["kind"], link["uid"], link["note"] or ""
        self._do(
            f"Remove link {item['id']} → {kind}",
            lambda book: book.unlink_evidence(uid, kind, target),
            lambda book: book.link_evidence(uid, kind, target, note=note),
        )
