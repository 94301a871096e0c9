"""The evidence dialog: title, kind and Admiralty grade (with the standard definitions as help),
publisher, URL, excerpt and notes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casebook.core.domain import EVIDENCE_KINDS
from casebook.core.standards import Credibility, Reliability, clean_grade
from casebook.ui.dialogs import ok_cancel


def grade_help(grade: str | None) -> str:
    """A grade's labels and STANAG 2511 definitions, for tooltips and the dialog's help."""
    parsed = clean_grade(grade or "")
    if parsed is None:
        return "Not graded: the source's reliability and the information's credibility are open."
    r, c = parsed.reliability, parsed.credibility
    return (
        f"{parsed} — {parsed.label}\n"
        f"{r.value} {r.label}: {r.definition}\n"
        f"{c.value} {c.label}: {c.definition}"
    )


class EvidenceDialog(QDialog):
    """Describe a new file (or several) or an existing item; the grade is optional."""

    def __init__(self, parent: QWidget | None, *, paths=(), item: dict | None = None):
        super().__init__(parent)
        item = item or {}
        paths = [Path(p) for p in paths]
        self.setWindowTitle(f"Edit {item['id']}" if item else "Add evidence")
        self.title = QLineEdit(item.get("title") or (paths[0].stem if len(paths) == 1 else ""))
        if len(paths) > 1:  # one title cannot fit several files: each keeps its file name
            self.title.setEnabled(False)
            self.title.setPlaceholderText(f"{len(paths)} files: each titled by its file name")
        self.kind = QComboBox()
        self.kind.addItem("From the file type", "")
        for kind in EVIDENCE_KINDS:
            self.kind.addItem(kind.capitalize(), kind)
        self.kind.setCurrentIndex(max(0, self.kind.findData(item.get("kind") or "")))
        self.reliability = QComboBox()
        self.reliability.addItem("Not graded", "")
        for r in Reliability:
            self.reliability.addItem(f"{r.value} — {r.label}", r.value)
            self.reliability.setItemData(self.reliability.count() - 1, r.definition, _TIP)
        self.credibility = QComboBox()
        self.credibility.addItem("Not graded", "")
        for c in Credibility:
            self.credibility.addItem(f"{c.value} — {c.label}", str(c.value))
            self.credibility.setItemData(self.credibility.count() - 1, c.definition, _TIP)
        grade = item.get("grade") or ""
        if grade:
            self.reliability.setCurrentIndex(self.reliability.findData(grade[0]))
            self.credibility.setCurrentIndex(self.credibility.findData(grade[1:]))
        self.publisher = QLineEdit(item.get("publisher") or "", placeholderText="Who published it")
        self.url = QLineEdit(item.get("url") or "", placeholderText="Where it was captured")
        self.excerpt = _text_box(item.get("excerpt"), "The passage that matters, quoted", 3)
        self.notes = _text_box(item.get("notes"), "Your notes on this item", 3)
        self.help = QLabel(wordWrap=True)
        self.help.setTextFormat(Qt.TextFormat.PlainText)
        self.help.setMinimumWidth(460)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #D93025;")
        self._layout(paths)
        for combo in (self.reliability, self.credibility):
            combo.currentIndexChanged.connect(self._update)
        self.title.textChanged.connect(self._update)
        self._update()

    def _layout(self, paths: list[Path]) -> None:
        form = QFormLayout()
        if paths:
            names = QLabel(", ".join(p.name for p in paths), wordWrap=True)
            form.addRow("File", names)
        form.addRow("&Title", self.title)
        form.addRow("&Kind", self.kind)
        form.addRow("Source &reliability", self.reliability)
        form.addRow("Information &credibility", self.credibility)
        form.addRow("&Publisher", self.publisher)
        form.addRow("&URL", self.url)
        form.addRow("&Excerpt", self.excerpt)
        form.addRow("&Notes", self.notes)
        self.buttons, self.ok = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.help)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def grade(self) -> str:
        return f"{self.reliability.currentData()}{self.credibility.currentData()}"

    def _update(self) -> None:
        half = bool(self.reliability.currentData()) != bool(self.credibility.currentData())
        untitled = self.title.isEnabled() and not self.title.text().strip()
        self.problem.setText(
            "Grade both the source and the information, or neither."
            if half
            else ("The item needs a title." if untitled else "")
        )
        self.ok.setEnabled(not half and not untitled)
        self.help.setText(grade_help(self.grade()) if not half else self._partial_help())

    def _partial_help(self) -> str:
        for combo in (self.reliability, self.credibility):
            if combo.currentData():
                return combo.currentText() + ": " + combo.currentData(_TIP)
        return ""

    def values(self) -> dict:
        """What the analyst entered, as ``add_evidence`` / ``edit_evidence`` keywords."""
        values = {
            "kind": self.kind.currentData() or None,
            "grade": self.grade() or None,
            "publisher": self.publisher.text().strip() or None,
            "url": self.url.text().strip() or None,
            "excerpt": self.excerpt.toPlainText().strip(),
            "notes": self.notes.toPlainText().strip(),
        }
        if self.title.isEnabled():
            values["title"] = self.title.text().strip()
        return values

    @classmethod
    def ask(cls, parent: QWidget | None, *, paths=(), item: dict | None = None) -> dict | None:
        """Run the dialog; the values, or None when cancelled. Tests patch this method."""
        dialog = cls(parent, paths=paths, item=item)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


_TIP = Qt.ItemDataRole.ToolTipRole


def _text_box(text: str | None, placeholder: str, lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit(text or "")
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box
