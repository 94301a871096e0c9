"""The Findings tab: the case's key judgments in order, with likelihood, confidence, the
evidence behind each (with its grade) and the editor's warnings."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QStyledItemDelegate,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from casebook.core.standards import clean_likelihood
from casebook.ui.evidence_dialog import grade_help
from casebook.ui.ops import Changes, Host
from casebook.ui.workspace import WorkspaceTab

HEADERS = ["#", "Likelihood", "Confidence", "Key judgment"]
TEXT = 3  # last: it stretches, and long judgments wrap in it
UID_ROLE = Qt.ItemDataRole.UserRole
WARNING_COLOUR = "#B35C00"


def likelihood_tip(term: str | None) -> str | None:
    """``likely`` → ``ICD 203: likely / probable, 55–80%``."""
    likelihood = clean_likelihood(term)
    if likelihood is None:
        return None
    return (
        f"ICD 203: {likelihood.term} / {likelihood.alternative}, "
        f"{likelihood.low}–{likelihood.high}%"
    )


def _item(text: str, *, tip: str | None = None, uid: str | None = None) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    if tip:
        item.setToolTip(tip)
    if uid:
        item.setData(uid, UID_ROLE)
    return item


def finding_rows(finding: dict) -> list[QStandardItem]:
    """A finding's row with its evidence and warnings as children."""
    row = [
        _item(str(finding["position"]), uid=finding["uid"]),
        _item(finding["likelihood"], tip=likelihood_tip(finding["likelihood"])),
        _item(finding["confidence"], tip=f"{finding['confidence']} confidence"),
        _item(finding["text"], tip=finding["text"], uid=finding["uid"]),
    ]
    for warning in finding["warnings"]:
        child = _item(f"⚠ {warning}")
        child.setForeground(QBrush(QColor(WARNING_COLOUR)))
        row[0].appendRow([_item(""), _item(""), _item(""), child])
    for e in finding["evidence"]:
        grade = e["grade"] or "ungraded"
        label = f"{e['id']} {e['title']} — {grade}" + (f" ({e['note']})" if e["note"] else "")
        evidence = _item(label, tip=grade_help(e["grade"]), uid=e["uid"])
        row[0].appendRow([_item(""), _item(""), _item(""), evidence])
    return row


class WrapDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped text at the column's current width."""

    def sizeHint(self, option, index):  # noqa: N802
        size = super().sizeHint(option, index)
        view = self.parent()
        width = view.columnWidth(index.column()) - 12
        if width <= 0 or not index.data():
            return size
        flags = Qt.TextFlag.TextWordWrap
        rect = option.fontMetrics.boundingRect(QRect(0, 0, width, 100_000), flags, index.data())
        return QSize(size.width(), max(size.height(), rect.height() + 6))


class FindingsPanel(QWidget):
    """Findings as a tree: each judgment, then its warnings and supporting evidence."""

    loaded = Signal()

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.model = QStandardItemModel(self)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.setUniformRowHeights(False)
        self.view.setAlternatingRowColors(True)
        self.view.setItemDelegateForColumn(TEXT, WrapDelegate(self.view))
        self.view.header().setStretchLastSection(True)
        self.view.header().sectionResized.connect(lambda *_: self.view.doItemsLayout())
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.summary = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Key judgments in the order the briefing gives them"))
        bar.addStretch(1)
        bar.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.reload()

    def reload(self) -> None:
        findings = self.host.book.list_findings(case_ref=self.ref)
        self.model.clear()
        self.model.setHorizontalHeaderLabels(HEADERS)
        for finding in findings:
            self.model.appendRow(finding_rows(finding))
        self.view.expandAll()
        width = self.view.fontMetrics().averageCharWidth()
        for column, chars in enumerate((5, 18, 12)):
            self.view.setColumnWidth(column, chars * width)
        warned = sum(bool(f["warnings"]) for f in findings)
        self.summary.setText(
            f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
            + (f" · {warned} with warnings" if warned else "")
        )
        self.loaded.emit()

    def findings(self) -> list[str]:
        """The judgments as shown, in order (for tests and accessibility)."""
        return [self.model.item(r, TEXT).text() for r in range(self.model.rowCount())]

    def show_item(self, kind: str, uid: str) -> bool:
        """Select a finding the search box opened."""
        if kind != "finding":
            return False
        for r in range(self.model.rowCount()):
            if self.model.item(r, 0).data(UID_ROLE) == uid:
                self.view.setCurrentIndex(self.model.index(r, TEXT))
                return True
        return False

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("findings", "evidence"):
            self.reload()


TAB = WorkspaceTab(
    key="findings",
    title="Findings",
    factory=lambda host, ref: FindingsPanel(host, ref),
    shown=lambda counts: counts.get("findings", 0) > 0,
)
