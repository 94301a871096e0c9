"""The Findings tab: the case's key judgments in order, with likelihood, confidence, the
evidence behind each (with its grade) and the editor's warnings.

Add, edit (text, ICD 203 likelihood, confidence, supporting evidence), move up or down and
delete (asks first). Every change is one undoable command (Edit → Undo), audited by the facade.
The editor warns as the analyst types: no graded evidence, mixed ICD 203 vocabularies.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from casebook.core.standards import Confidence, Likelihood, clean_likelihood
from casebook.core.words import plural
from casebook.ui.dialogs import ok_cancel
from casebook.ui.evidence_dialog import grade_help
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.undo import FacadeCommand, Recreated
from casebook.ui.workspace import WorkspaceTab

HEADERS = ["#", "Likelihood", "Confidence", "Key judgment"]
TEXT = 3  # last: it stretches, and long judgments wrap in it
UID_ROLE = Qt.ItemDataRole.UserRole
WARNING_COLOUR = "#B35C00"
WARNING_STYLE = f"color: {WARNING_COLOUR};"


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


def evidence_label(e: dict) -> str:
    """``E3 Invoice 2291 — B2`` (or ``— ungraded``)."""
    return f"{e['id']} {e['title']} — {e['grade'] or 'ungraded'}"


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
        label = evidence_label(e) + (f" ({e['note']})" if e["note"] else "")
        evidence = _item(label, tip=grade_help(e["grade"]), uid=e["uid"])
        row[0].appendRow([_item(""), _item(""), _item(""), evidence])
    return row


class EvidenceChecklist(QListWidget):
    """The case's evidence as a checkable list (``E3 Invoice — B2``, the grade's meaning as a
    tooltip), the ``linked`` uids checked; used by the finding and relationship dialogs."""

    GRADE_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, evidence=(), *, linked=(), parent: QWidget | None = None):
        super().__init__(parent)
        linked = set(linked)
        for e in evidence:
            item = QListWidgetItem(evidence_label(e))
            item.setData(UID_ROLE, e["uid"])
            item.setData(self.GRADE_ROLE, e["grade"])
            item.setToolTip(grade_help(e["grade"]))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if e["uid"] in linked else Qt.CheckState.Unchecked
            )
            self.addItem(item)
        rows = min(max(self.count(), 3), 8)
        self.setMinimumHeight(self.sizeHintForRow(0) * rows + 8)
        metrics = self.fontMetrics()
        longest = max((metrics.horizontalAdvance(evidence_label(e)) for e in evidence), default=0)
        self.setMinimumWidth(min(longest + 48, metrics.averageCharWidth() * 110))
        if not self.count():
            self.hide()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        # As tall as its rows (3 to 8), not Qt's fixed default: dialogs open without a gap.
        return QSize(super().sizeHint().width(), self.minimumHeight())

    def checked(self) -> list[QListWidgetItem]:
        items = (self.item(i) for i in range(self.count()))
        return [i for i in items if i.checkState() == Qt.CheckState.Checked]

    def uids(self) -> list[str]:
        """The checked items' uids, in the list's (E-number) order."""
        return [i.data(UID_ROLE) for i in self.checked()]

    def grades(self) -> list[str | None]:
        return [i.data(self.GRADE_ROLE) for i in self.checked()]

    def add_to(self, form: QFormLayout, label: str = "Supporting &evidence") -> None:
        """Add the list as a row of ``form``, or a hint when the case has no evidence yet."""
        if self.count():
            form.addRow(label, self)
        else:
            none = QLabel("No evidence in this case yet: add it in the Evidence tab.")
            none.setForegroundRole(none.palette().ColorRole.PlaceholderText)
            form.addRow(label.replace("&", ""), none)


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


def likelihood_choices() -> list[tuple[str, str]]:
    """(label, term) for the likelihood box: the ICD 203 terms, then the alternative row."""
    primary = [(f"{t.term} ({t.low}–{t.high}%)", t.term) for t in Likelihood]
    alternative = [(f"{t.alternative} ({t.low}–{t.high}%)", t.alternative) for t in Likelihood]
    return primary + alternative


def warnings_for(text: str, likelihood: str, grades: list) -> list[str]:
    """The facade's own checks (book/findings.finding_warnings), as the CLI lists them."""
    from casebook.book.findings import finding_warnings  # loaded with the open store

    return finding_warnings(text=text, likelihood=likelihood, grades=grades)


class FindingDialog(QDialog):
    """Write or change a key judgment: text, likelihood, confidence, supporting evidence.

    Warnings update as the analyst types (the same checks the finding list shows)."""

    def __init__(self, parent: QWidget | None, *, finding: dict | None = None, evidence=()):
        super().__init__(parent)
        finding = finding or {}
        self.setWindowTitle(f"Edit finding {finding['position']}" if finding else "Add finding")
        self.text = QPlainTextEdit(finding.get("text") or "")
        self.text.setPlaceholderText(
            "One judgment, e.g. “Firm X likely re-exports CNC lathes to Russia.”"
        )
        self.text.setTabChangesFocus(True)
        line = self.text.fontMetrics().lineSpacing()
        self.text.setMinimumHeight(line * 5 + 12)
        self.likelihood = QComboBox()
        choices = likelihood_choices()
        for n, (label, term) in enumerate(choices):
            if n == len(choices) // 2:
                self.likelihood.insertSeparator(self.likelihood.count())
            self.likelihood.addItem(label, term)
        self.likelihood.setCurrentIndex(
            max(0, self.likelihood.findData(finding.get("likelihood") or "likely"))
        )
        self.likelihood.setToolTip(
            "ICD 203: use the terms of one row (likely … or probable …), not both"
        )
        self.confidence = QComboBox()
        for c in Confidence:
            self.confidence.addItem(c.label.capitalize(), c.value)
        self.confidence.setCurrentIndex(
            max(0, self.confidence.findData(finding.get("confidence") or "moderate"))
        )
        self.evidence = EvidenceChecklist(
            evidence, linked=[e["uid"] for e in finding.get("evidence") or ()]
        )
        self.warnings = QLabel(wordWrap=True)
        self.warnings.setStyleSheet(WARNING_STYLE)
        # Wide enough for the evidence titles and a judgment of a few lines without scrolling.
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 90)
        self._layout()
        self.text.textChanged.connect(self._update)
        self.likelihood.currentIndexChanged.connect(self._update)
        self.evidence.itemChanged.connect(self._update)
        self._update()

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow("&Judgment", self.text)
        form.addRow("&Likelihood", self.likelihood)
        form.addRow("&Confidence", self.confidence)
        self.evidence.add_to(form)
        self.buttons, self.ok = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warnings)
        layout.addWidget(self.buttons)

    def checked(self) -> list[QListWidgetItem]:
        return self.evidence.checked()

    def _update(self) -> None:
        text = self.text.toPlainText().strip()
        grades = self.evidence.grades()
        found = warnings_for(text, self.likelihood.currentData(), grades) if text else []
        self.warnings.setText("\n".join(f"⚠ {w}" for w in found))
        self.warnings.setVisible(bool(found))
        self.ok.setEnabled(bool(text))

    def values(self) -> dict:
        """``text``, ``likelihood``, ``confidence`` and the checked ``evidence`` uids."""
        return {
            "text": self.text.toPlainText().strip(),
            "likelihood": self.likelihood.currentData(),
            "confidence": self.confidence.currentData(),
            "evidence": self.evidence.uids(),
        }

    @classmethod
    def ask(
        cls, parent: QWidget | None, *, finding: dict | None = None, evidence=()
    ) -> dict | None:
        """Run the dialog; the values, or None when cancelled. Tests patch this method."""
        dialog = cls(parent, finding=finding, evidence=evidence)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


class FindingsPanel(QWidget):
    """Findings as a tree: each judgment, then its warnings and supporting evidence."""

    loaded = Signal()

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.items: list[dict] = []
        self._recreated = Recreated()  # findings an undo re-created under a new uid
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
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.add_button = QPushButton("Add finding…")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Change the judgment, its likelihood, confidence and evidence")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.delete_button = QPushButton("Delete…")
        self.summary = QLabel()
        self._layout()
        self.add_button.clicked.connect(self.add_finding)
        self.edit_button.clicked.connect(self.edit_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.delete_button.clicked.connect(self.delete_selected)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        self.view.selectionModel().currentChanged.connect(lambda *_: self._sync_buttons())
        self.reload()

    def _layout(self) -> None:
        bar = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.up_button,
            self.down_button,
            self.delete_button,
        ):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        hint = self.hint = QLabel(wordWrap=True)
        hint.setForegroundRole(hint.palette().ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(hint)
        layout.addWidget(self.view, 1)

    def reload(self) -> None:
        keep = self.selected_uid()
        findings = self.host.book.list_findings(case_ref=self.ref, versions=True)
        self.items = findings
        self.model.clear()
        self.model.setHorizontalHeaderLabels(HEADERS)
        for finding in findings:
            self.model.appendRow(finding_rows(finding))
        self.view.expandAll()
        width = self.view.fontMetrics().averageCharWidth()
        for column, chars in enumerate((7, 22, 12)):
            self.view.setColumnWidth(column, chars * width)
        warned = sum(bool(f["warnings"]) for f in findings)
        self.summary.setText(
            plural(len(findings), "finding") + (f" · {warned} with warnings" if warned else "")
        )
        if keep:
            self.select(self._recreated.current(keep))
        self._sync_buttons()
        self.loaded.emit()

    def findings(self) -> list[str]:
        """The judgments as shown, in order (for tests and accessibility)."""
        return [self.model.item(r, TEXT).text() for r in range(self.model.rowCount())]

    def selected_uid(self) -> str | None:
        """The finding of the current row (an evidence or warning row counts as its finding)."""
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        while index.parent().isValid():
            index = index.parent()
        return self.model.item(index.row(), 0).data(UID_ROLE)

    def selected(self) -> dict | None:
        uid = self.selected_uid()
        return next((f for f in self.items if f["uid"] == uid), None)

    def select(self, uid: str | None) -> bool:
        for r in range(self.model.rowCount()):
            if self.model.item(r, 0).data(UID_ROLE) == uid:
                self.view.setCurrentIndex(self.model.index(r, TEXT))
                return True
        return False

    def reveal(self, kind: str, uid: str) -> bool:
        """Select a finding the search box opened."""
        return kind == "finding" and self.select(uid)

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("findings", "evidence"):
            self.reload()

    def _sync_buttons(self) -> None:
        finding = self.selected()
        for button in (self.edit_button, self.delete_button):
            button.setEnabled(finding is not None)
        self.hint.setText(
            "No key judgments yet: Add finding… writes the first."
            if not self.items
            else "Key judgments in the order the briefing gives them"
            + ("" if finding else " — select one to edit, move or delete it.")
        )
        position = finding["position"] if finding else 0
        self.up_button.setEnabled(finding is not None and position > 1)
        self.down_button.setEnabled(finding is not None and position < len(self.items))

    # --- changes (each undoable) -----------------------------------------------------------

    def _do(self, text: str, apply, revert, *, select: str | None = None) -> None:
        changes = Changes(findings=True, case_ref=self.ref)

        def pushed(result) -> None:
            self.host.undo_stack.push(
                FacadeCommand(self.host, text, apply=apply, revert=revert, changes=changes)
            )
            uid = select or (result.get("uid") if isinstance(result, dict) else None)
            if uid:
                self.select(self._recreated.current(uid))
                self._sync_buttons()

        Op(self.host, apply, label=text, changes=changes).success(pushed).run()

    def _case_evidence(self) -> list[dict]:
        return self.host.book.list_evidence(case_ref=self.ref)

    def add_finding(self) -> None:
        values = FindingDialog.ask(self, evidence=self._case_evidence())
        if values is None:
            return
        ref, state = self.ref, {}

        def apply(book):
            finding = book.add_finding(case_ref=ref, **values)
            self._recreated.added(state, finding["uid"])
            return finding

        def revert(book):
            return book.delete_finding(self._recreated.current(state["uid"]))

        self._do("Add finding", apply, revert)

    def edit_selected(self) -> None:
        old = self.selected()
        if old is None:
            return
        values = FindingDialog.ask(self, finding=old, evidence=self._case_evidence())
        if values is None:
            return
        fields = ("text", "likelihood", "confidence")
        before = {k: old[k] for k in fields}
        after = {k: values[k] for k in fields}
        had = {e["uid"]: e["note"] for e in old["evidence"]}
        added = [u for u in values["evidence"] if u not in had]
        removed = [u for u in had if u not in values["evidence"]]
        if before == after and not added and not removed:
            return
        uid, read = old["uid"], {"version": old.get("version")}  # checked by the first save

        def change(book, fields: dict, link: list, unlink: list, version=None):
            current = self._recreated.current(uid)
            # the save first: on a version a colleague changed since, nothing is saved
            edited = book.edit_finding(current, **fields, version=version)
            for e in unlink:
                book.unlink_evidence(e, "finding", current)
            for e in link:
                book.link_evidence(e, "finding", current, note=had.get(e, ""))
            return edited

        self._do(
            f"Edit finding {old['position']}",
            lambda book: change(book, after, added, removed, version=read.pop("version", None)),
            lambda book: change(book, before, removed, added),
        )

    def move_selected(self, step: int) -> None:
        finding = self.selected()
        if finding is None:
            return
        uid, old = finding["uid"], finding["position"]
        new = old + step
        if not 1 <= new <= len(self.items):
            return
        self._do(
            f"Move finding {old} {'up' if step < 0 else 'down'}",
            lambda book: book.move_finding(self._recreated.current(uid), position=new),
            lambda book: book.move_finding(self._recreated.current(uid), position=old),
            select=uid,
        )

    def delete_selected(self) -> None:
        finding = self.selected()
        if finding is None or not self.confirm_delete(self, finding):
            return
        uid, ref = finding["uid"], self.ref

        def revert(book):
            restored = book.add_finding(
                case_ref=ref,
                text=finding["text"],
                likelihood=finding["likelihood"],
                confidence=finding["confidence"],
                evidence=[e["uid"] for e in finding["evidence"]],
            )
            for e in finding["evidence"]:
                if e["note"]:
                    book.link_evidence(e["uid"], "finding", restored["uid"], note=e["note"])
            book.move_finding(restored["uid"], position=finding["position"])
            self._recreated.moved(uid, restored["uid"])
            return restored

        self._do(
            f"Delete finding {finding['position']}",
            lambda book: book.delete_finding(self._recreated.current(uid)),
            revert,
        )

    @classmethod
    def confirm_delete(cls, parent: QWidget, finding: dict) -> bool:
        """Ask before deleting a finding (tests patch this)."""
        n = len(finding["evidence"])
        links = f"\n\nIts {plural(n, 'evidence link')} go with it." if n else ""
        answer = QMessageBox.question(
            parent,
            "Delete finding",
            f"Delete finding {finding['position']}?\n\n“{finding['text']}”{links}\n\n"
            "Edit → Undo brings it back.",
        )
        return answer == QMessageBox.StandardButton.Yes


TAB = WorkspaceTab(
    key="findings",
    title="Findings",
    factory=lambda host, ref: FindingsPanel(host, ref),
)
