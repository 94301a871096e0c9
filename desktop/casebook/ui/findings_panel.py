"""The Findings tab: the case's key judgments in order, with likelihood, confidence, the
evidence behind each (with its grade) and the editor's warnings."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from casebook.core.standards import clean_likelihood
from casebook.ui.evidence_dialog import grade_help
from casebook.ui.ops import Changes, Host
from casebook.ui.workspace import WorkspaceTab

HEADERS = ["#", "Key judgment", "Likelihood", "Confidence"]
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
        _item(finding["text"], tip=finding["text"], uid=finding["uid"]),
        _item(finding["likelihood"], tip=likelihood_tip(finding["likelihood"])),
        _item(finding["confidence"], tip=f"{finding['confidence']} confidence"),
    ]
    for warning in finding["warnings"]:
        child = _item(f"⚠ {warning}")
        child.setForeground(QBrush(QColor(WARNING_COLOUR)))
        row[0].appendRow([_item(""), child, _item(""), _item("")])
    for e in finding["evidence"]:
        grade = e["grade"] or "ungraded"
        label = f"{e['id']} {e['title']} — {grade}" + (f" ({e['note']})" if e["note"] else "")
        row[0].appendRow(
            [
                _item(""),
                _item(label, tip=grade_help(e["grade"]), uid=e["uid"]),
                _item(""),
                _item(""),
            ]
        )
    return row


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
        for column, chars in enumerate((5, 70, 18, 12)):
            self.view.setColumnWidth(column, chars * width)
        warned = sum(bool(f["warnings"]) for f in findings)
        self.summary.setText(
            f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
            + (f" · {warned} with warnings" if warned else "")
        )
        self.loaded.emit()

    def findings(self) -> list[str]:
        """The judgments as shown, in order (for tests and accessibility)."""
        return [self.model.item(r, 1).text() for r in range(self.model.rowCount())]

    def show_item(self, kind: str, uid: str) -> bool:
        """Select a finding the search box opened."""
        if kind != "finding":
            return False
        for r in range(self.model.rowCount()):
            if self.model.item(r, 0).data(UID_ROLE) == uid:
                self.view.setCurrentIndex(self.model.index(r, 1))
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
