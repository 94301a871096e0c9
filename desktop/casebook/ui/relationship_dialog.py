"""The relationship dialog: a link between the selected firm and another firm of the case.

Kind (human labels), the other firm (a combo that filters as you type, in any script), the
direction (the facade stores ``from → to``: for ownership the owner → the owned firm, otherwise
"from is the kind of to": the supplier → its customer, the subsidiary → its parent …), the share
(ownership only, 0–100 %), optional start and end dates, notes and the supporting evidence
(the checklist of the findings dialog). OK stays disabled while a value is wrong, and says why.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casebook.core.dates import clean_date
from casebook.core.domain import RELATIONSHIP_KINDS
from casebook.ui import theme
from casebook.ui.dialogs import ok_cancel
from casebook.ui.findings_panel import EvidenceChecklist

KIND_LABELS = {
    "ownership": "Ownership",
    "subsidiary": "Subsidiary",
    "supplier": "Supplier",
    "customer": "Customer",
    "distributor": "Distributor / agent",
    "shared address": "Shared address",
    "shared officer": "Shared officer",
    "other": "Other",
}
# What ``from`` is to ``to`` (forward), and what ``to`` is to ``from`` (backward).
PHRASES = {
    "ownership": ("owns", "is owned by"),
    "subsidiary": ("is a subsidiary of", "is the parent of"),
    "supplier": ("supplies", "is supplied by"),
    "customer": ("is a customer of", "sells to"),
    "distributor": ("is a distributor or agent of", "has as distributor or agent"),
    "shared address": ("shares an address with", "shares an address with"),
    "shared officer": ("shares an officer with", "shares an officer with"),
    "other": ("has another link to", "has another link from"),
}
SYMMETRIC = {"shared address", "shared officer"}
OUT, IN = "out", "in"  # this firm → the other firm, the other firm → this firm
PROBLEM_STYLE = "color: #D93025;"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.capitalize())


def phrase(kind: str, direction: str, share: float | None = None) -> str:
    """What the firm at one end is to the other: ``owns 51% of``, ``is supplied by`` …"""
    forward, backward = PHRASES.get(kind, (f"{kind} →", f"{kind} ←"))
    text = forward if direction == OUT else backward
    if kind == "ownership" and share is not None:
        text = f"{text} {share:g}% of" if direction == OUT else f"{text} ({share:g}%)"
    return text


def firm_label(firm: dict) -> str:
    """``NAME / 本地名 (CN)``: both scripts, so typing either finds the firm."""
    native = f" / {firm['native_name']}" if firm.get("native_name") else ""
    country = f" ({firm['country']})" if firm.get("country") else ""
    return f"{firm['name']}{native}{country}"


def direction_of(rel: dict, firm_uid: str) -> tuple[str, str, str]:
    """``(direction, other uid, other name)`` of a relationship seen from ``firm_uid``."""
    if rel["from_uid"] == firm_uid:
        return OUT, rel["to_uid"], rel["to_name"]
    return IN, rel["from_uid"], rel["from_name"]


def parse_share(text: str) -> float | None:
    """``51``, ``51 %``, ``12,5`` → a float; ValueError when not a number from 0 to 100."""
    text = text.strip().rstrip("%").strip().replace(",", ".")
    if not text:
        return None
    share = float(text)
    if not 0 <= share <= 100:
        raise ValueError(text)
    return share


class RelationshipDialog(QDialog):
    """Add or change a relationship of ``firm`` (see the module docstring)."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        firm: dict,
        firms=(),
        evidence=(),
        relationship: dict | None = None,
    ):
        super().__init__(parent)
        rel = relationship or {}
        self.firm = firm
        self.names = {f["uid"]: f["name"] for f in firms}
        self.setWindowTitle(
            f"Edit relationship of {firm['name']}" if rel else f"Add relationship of {firm['name']}"
        )
        direction, other_uid, _ = direction_of(rel, firm["uid"]) if rel else (OUT, None, None)
        self.kind = QComboBox()
        for kind in RELATIONSHIP_KINDS:
            self.kind.addItem(kind_label(kind), kind)
        self.kind.setCurrentIndex(max(0, self.kind.findData(rel.get("kind") or "ownership")))
        self.other = QComboBox()
        self.other.setEditable(True)
        self.other.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.other.setMinimumContentsLength(44)
        self.other.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        for f in sorted(firms, key=lambda f: f["name"].casefold()):
            if f["uid"] != firm["uid"]:
                self.other.addItem(firm_label(f), f["uid"])
                self.other.setItemData(
                    self.other.count() - 1, firm_label(f), Qt.ItemDataRole.ToolTipRole
                )
        completer = QCompleter(self.other.model(), self.other)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.other.setCompleter(completer)
        self.other.setCurrentIndex(self.other.findData(other_uid) if other_uid else -1)
        self.other.lineEdit().setPlaceholderText("Type part of a name in any script…")
        self.direction = QComboBox()
        self.direction.setMinimumContentsLength(44)
        self.direction.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.direction.addItem("", OUT)
        self.direction.addItem("", IN)
        self.direction.setCurrentIndex(self.direction.findData(direction))
        share = rel.get("share")
        self.share = QLineEdit("" if share is None else f"{share:g}")
        self.share.setPlaceholderText("e.g. 51 (percent, 0–100; optional)")
        self.start = QLineEdit(rel.get("start") or "")
        self.start.setPlaceholderText("YYYY-MM-DD (optional)")
        self.end = QLineEdit(rel.get("end") or "")
        self.end.setPlaceholderText("YYYY-MM-DD (optional; still running when empty)")
        self.notes = QPlainTextEdit(rel.get("notes") or "")
        self.notes.setPlaceholderText("Where it comes from, what it rests on …")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 3 + 14)
        self.evidence = EvidenceChecklist(
            evidence, linked=[e["uid"] for e in rel.get("evidence") or ()]
        )
        self.problem = QLabel(wordWrap=True)
        self._layout()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 90)
        self.kind.currentIndexChanged.connect(self._update)
        self.other.currentIndexChanged.connect(self._update)
        self.other.editTextChanged.connect(self._update)
        for edit in (self.share, self.start, self.end):
            edit.textChanged.connect(self._update)
        self._update()

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow(QLabel(f"<b>{_escape(firm_label(self.firm))}</b>"))
        form.addRow("&Kind", self.kind)
        form.addRow("&Other firm", self.other)
        form.addRow("&Direction", self.direction)
        form.addRow("&Share %", self.share)
        form.addRow("S&tart", self.start)
        form.addRow("&End", self.end)
        form.addRow("&Notes", self.notes)
        self.evidence.add_to(form)
        self.buttons, self.ok = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    # --- state --------------------------------------------------------------------------

    def other_uid(self) -> str | None:
        """The other firm, when the combo's text is one of its entries."""
        index = self.other.findText(self.other.currentText(), Qt.MatchFlag.MatchExactly)
        return self.other.itemData(index) if index >= 0 else None

    def _other_name(self) -> str:
        return self.names.get(self.other_uid(), "the other firm")

    def problems(self) -> list[str]:
        """What keeps OK disabled, as the dialog says it."""
        found = []
        if self.kind.currentData() == "ownership":
            try:
                parse_share(self.share.text())
            except ValueError:
                found.append("The share must be a percentage from 0 to 100.")
        days = {}
        for name, edit in (("start", self.start), ("end", self.end)):
            text = edit.text().strip()
            days[name] = clean_date(text) if text else None
            if text and days[name] is None:
                found.append(f"The {name} date “{text}” is not a date (YYYY-MM-DD).")
        if days["start"] and days["end"] and days["end"] < days["start"]:
            found.append("The end date is before the start date.")
        return found

    def _update(self) -> None:
        kind = self.kind.currentData()
        this, other = self.firm["name"], self._other_name()
        self.direction.setItemText(0, f"{this} {phrase(kind, OUT)} {other}")
        self.direction.setItemText(1, f"{other} {phrase(kind, OUT)} {this}")
        symmetric = kind in SYMMETRIC
        self.direction.setEnabled(not symmetric)
        self.direction.setToolTip("Either way round: it means the same" if symmetric else "")
        ownership = kind == "ownership"
        self.share.setEnabled(ownership)
        self.share.setToolTip("" if ownership else "A share is given only for ownership")
        found = self.problems()
        if found:
            self.problem.setStyleSheet(PROBLEM_STYLE)
            self.problem.setText("\n".join(found))
        elif self.other_uid() is None:
            self.problem.setStyleSheet(f"color: {theme.muted(self.palette()).name()};")
            self.problem.setText("Pick the other firm from the list (type to filter it).")
        else:
            self.problem.setText("")
        self.problem.setVisible(bool(self.problem.text()))
        self.ok.setEnabled(not found and self.other_uid() is not None)

    def values(self) -> dict:
        """What ``add_relationship`` takes: kind, from_uid, to_uid, share, start, end, notes,
        evidence (uids)."""
        kind = self.kind.currentData()
        ends = (self.firm["uid"], self.other_uid())
        if self.direction.currentData() == IN:
            ends = ends[::-1]
        days = {}
        for name, edit in (("start", self.start), ("end", self.end)):
            day = clean_date(edit.text().strip()) if edit.text().strip() else None
            days[name] = day.isoformat() if day else None
        return {
            "kind": kind,
            "from_uid": ends[0],
            "to_uid": ends[1],
            "share": parse_share(self.share.text()) if kind == "ownership" else None,
            "start": days["start"],
            "end": days["end"],
            "notes": self.notes.toPlainText().strip(),
            "evidence": self.evidence.uids(),
        }

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        *,
        firm: dict,
        firms=(),
        evidence=(),
        relationship: dict | None = None,
    ) -> dict | None:
        """Run the dialog; the values, or None when cancelled. Tests patch this method."""
        dialog = cls(parent, firm=firm, firms=firms, evidence=evidence, relationship=relationship)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _escape(text: str) -> str:
    import html

    return html.escape(text or "")
