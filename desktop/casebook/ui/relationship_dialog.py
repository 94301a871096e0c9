"""The relationship dialogs: a link between the selected firm and another firm of the case
(``RelationshipDialog``, the Firms tab), or between the selected person and a firm or another
person (``PersonLinkDialog``, the People tab). Both are one ``LinkDialog``:

Kind (human labels), the other firm (a combo that filters as you type, in any script), the
direction (the facade stores ``from → to``: for ownership the owner → the owned firm, otherwise
"from is the kind of to": the supplier → its customer, the subsidiary → its parent …), the share
(ownership only, 0–100 %), optional start and end dates, notes and the supporting evidence
(the checklist of the findings dialog). OK stays disabled while a value is wrong, and says why.

A person's link is read "person is the kind of firm" (``director of``); for ``associate`` and
``family`` the other end is a person. Its direction is not asked: a new link runs from the
person, an edited one keeps its ends.
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
from casebook.core.domain import (
    OWNERSHIP_KINDS,
    PERSON_FIRM_KINDS,
    PERSON_KINDS,
    RELATIONSHIP_KINDS,
)
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
PERSON_KIND_LABELS = {kind: kind.capitalize() for kind in PERSON_KINDS}
# What the person (``from``) is to the firm or person (``to``), and back.
PERSON_PHRASES = {
    "director": ("is director of", "has as director"),
    "officer": ("is an officer of", "has as officer"),
    "shareholder": ("holds shares in", "has as shareholder"),
    "beneficial owner": ("is beneficial owner of", "has as beneficial owner"),
    "founder": ("is a founder of", "has as founder"),
    "employee": ("is employed by", "employs"),
    "associate": ("is an associate of", "is an associate of"),
    "family": ("is family of", "is family of"),
}
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


def person_phrase(kind: str, direction: str = OUT, share: float | None = None) -> str:
    """What the person at one end is to the other: ``is director of``, ``holds 25% of``,
    ``has as shareholder (25%)`` …"""
    forward, backward = PERSON_PHRASES.get(kind, (f"is {kind} of", f"has as {kind}"))
    if share is None:
        return forward if direction == OUT else backward
    if direction == IN:
        return f"{backward} ({share:g}%)"
    if kind == "shareholder":
        return f"holds {share:g}% of"
    return f"{forward.removesuffix(' of')} ({share:g}%) of"


def firm_label(firm: dict) -> str:
    """``NAME / 本地名 (CN)``: both scripts, so typing either finds the firm."""
    native = f" / {firm['native_name']}" if firm.get("native_name") else ""
    country = f" ({firm['country']})" if firm.get("country") else ""
    return f"{firm['name']}{native}{country}"


def person_label(person: dict) -> str:
    """``NAME / Имя (born 1970)``: both scripts, so typing either finds the person."""
    native = f" / {person['native_name']}" if person.get("native_name") else ""
    born = f" (born {person['birth_date']})" if person.get("birth_date") else ""
    return f"{person['name']}{native}{born}"


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


class LinkDialog(QDialog):
    """Add or change a link of ``subject`` (a firm or a person) to another firm or person of the
    case; the subclasses say which kinds, which other ends and how a link reads."""

    kinds: tuple[str, ...] = ()
    share_kinds: frozenset = frozenset()
    share_tip = ""  # why the share is off for the other kinds
    ask_direction = True

    def __init__(
        self,
        parent: QWidget | None,
        *,
        subject: dict,
        others=(),
        evidence=(),
        link: dict | None = None,
        title: str,
    ):
        super().__init__(parent)
        rel = link or {}
        self.subject = subject
        # the other ends on offer: ``{uid, name, label, end}`` (``end``: firm or person)
        self.others = [o for o in others if o["uid"] != subject["uid"]]
        self.names = {o["uid"]: o["name"] for o in self.others}
        self.setWindowTitle(title)
        direction, other_uid, _ = direction_of(rel, subject["uid"]) if rel else (OUT, None, None)
        self.kind = QComboBox()
        for kind in self.kinds:
            self.kind.addItem(self.kind_label(kind), kind)
        self.kind.setCurrentIndex(max(0, self.kind.findData(rel.get("kind") or self.kinds[0])))
        self.other = QComboBox()
        self.other.setEditable(True)
        self.other.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.other.setMinimumContentsLength(44)
        self.other.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._offered: tuple = ()
        self._fill_others(other_uid)
        completer = QCompleter(self.other.model(), self.other)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.other.setCompleter(completer)
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
        self.reads = QLabel(wordWrap=True)  # how the link reads, when the direction is not asked
        self._layout()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 90)
        self.kind.currentIndexChanged.connect(self._update)
        self.other.currentIndexChanged.connect(self._update)
        self.other.editTextChanged.connect(self._update)
        for edit in (self.share, self.start, self.end):
            edit.textChanged.connect(self._update)
        self._update()

    # --- what the subclasses say --------------------------------------------------------

    def kind_label(self, kind: str) -> str:
        return kind_label(kind)

    def ends_for(self, kind: str) -> tuple[str, ...]:
        """Which other ends (``firm``, ``person``) a kind links to."""
        return ("firm",)

    def other_noun(self, kind: str) -> str:
        return "other firm"

    def reading(self, kind: str, direction: str, share: float | None) -> str:
        return phrase(kind, direction)

    # --- layout and state ----------------------------------------------------------------

    def _fill_others(self, keep: str | None) -> None:
        """Offer the other ends the kind takes, by name; ``keep`` stays chosen if offered."""
        ends = self.ends_for(self.kind.currentData())
        if ends == self._offered:
            return
        self._offered = ends
        self.other.blockSignals(True)
        self.other.clear()
        for o in sorted(self.others, key=lambda o: o["name"].casefold()):
            if o.get("end", "firm") in ends:
                self.other.addItem(o["label"], o["uid"])
                self.other.setItemData(
                    self.other.count() - 1, o["label"], Qt.ItemDataRole.ToolTipRole
                )
        self.other.setCurrentIndex(self.other.findData(keep) if keep else -1)
        if self.other.currentIndex() < 0:
            self.other.setEditText("")
        self.other.blockSignals(False)

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow(QLabel(f"<b>{_escape(self.subject['label'])}</b>"))
        form.addRow("&Kind", self.kind)
        self.other_label = QLabel()
        self.other_label.setBuddy(self.other)
        form.addRow(self.other_label, self.other)
        if self.ask_direction:
            form.addRow("&Direction", self.direction)
        else:
            self.direction.hide()
            form.addRow("Reads", self.reads)
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

    def other_uid(self) -> str | None:
        """The other end, when the combo's text is one of its entries."""
        index = self.other.findText(self.other.currentText(), Qt.MatchFlag.MatchExactly)
        return self.other.itemData(index) if index >= 0 else None

    def _other_name(self) -> str:
        return self.names.get(self.other_uid(), f"the {self.other_noun(self.kind.currentData())}")

    def problems(self) -> list[str]:
        """What keeps OK disabled, as the dialog says it."""
        found = []
        if self.kind.currentData() in self.share_kinds:
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

    def _share_value(self) -> float | None:
        try:
            return parse_share(self.share.text())
        except ValueError:
            return None

    def _update(self) -> None:
        kind = self.kind.currentData()
        self._fill_others(self.other_uid())
        noun = self.other_noun(kind)
        self.other_label.setText(f"&{noun[0].upper()}{noun[1:]}")
        this, other = self.subject["name"], self._other_name()
        self.direction.setItemText(0, f"{this} {self.reading(kind, OUT, None)} {other}")
        self.direction.setItemText(1, f"{other} {self.reading(kind, OUT, None)} {this}")
        symmetric = kind in SYMMETRIC
        self.direction.setEnabled(not symmetric)
        self.direction.setToolTip("Either way round: it means the same" if symmetric else "")
        owned = kind in self.share_kinds
        share = self._share_value() if owned else None
        ends = (this, other) if self.direction.currentData() == OUT else (other, this)
        self.reads.setText(f"{ends[0]} {self.reading(kind, OUT, share)} {ends[1]}")
        self.share.setEnabled(owned)
        self.share.setToolTip("" if owned else self.share_tip)
        found = self.problems()
        if found:
            self.problem.setStyleSheet(PROBLEM_STYLE)
            self.problem.setText("\n".join(found))
        elif self.other_uid() is None:
            self.problem.setStyleSheet(f"color: {theme.muted(self.palette()).name()};")
            self.problem.setText(f"Pick the {noun} from the list (type to filter it).")
        else:
            self.problem.setText("")
        self.problem.setVisible(bool(self.problem.text()))
        self.ok.setEnabled(not found and self.other_uid() is not None)

    def values(self) -> dict:
        """What ``add_relationship`` takes: kind, from_uid, to_uid, share, start, end, notes,
        evidence (uids)."""
        kind = self.kind.currentData()
        ends = (self.subject["uid"], self.other_uid())
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
            "share": parse_share(self.share.text()) if kind in self.share_kinds else None,
            "start": days["start"],
            "end": days["end"],
            "notes": self.notes.toPlainText().strip(),
            "evidence": self.evidence.uids(),
        }


class RelationshipDialog(LinkDialog):
    """Add or change a relationship of ``firm`` with another firm (see the module docstring)."""

    kinds = RELATIONSHIP_KINDS
    share_kinds = frozenset({"ownership"})
    share_tip = "A share is given only for ownership"

    def __init__(
        self,
        parent: QWidget | None,
        *,
        firm: dict,
        firms=(),
        evidence=(),
        relationship: dict | None = None,
    ):
        self.firm = firm
        verb = "Edit" if relationship else "Add"
        super().__init__(
            parent,
            subject=firm | {"label": firm_label(firm)},
            others=[f | {"label": firm_label(f), "end": "firm"} for f in firms],
            evidence=evidence,
            link=relationship,
            title=f"{verb} relationship of {firm['name']}",
        )

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


class PersonLinkDialog(LinkDialog):
    """Add or change a link of ``person``: a role in a firm (director, shareholder with its
    share …) or a tie to another person (associate, family)."""

    kinds = PERSON_KINDS
    share_kinds = frozenset(OWNERSHIP_KINDS)
    share_tip = "A share is given only for a shareholder or beneficial owner"
    ask_direction = False

    def __init__(
        self,
        parent: QWidget | None,
        *,
        person: dict,
        firms=(),
        persons=(),
        evidence=(),
        link: dict | None = None,
    ):
        self.person = person
        others = [f | {"label": firm_label(f), "end": "firm"} for f in firms]
        others += [p | {"label": person_label(p), "end": "person"} for p in persons]
        if link:  # its other end stays on offer, even when not among those listed
            _, uid, name = direction_of(link, person["uid"])
            kind = link["to_kind"] if link["to_uid"] == uid else link["from_kind"]
            if uid not in {o["uid"] for o in others}:
                others.append({"uid": uid, "name": name, "label": name, "end": kind})
        verb = "Edit" if link else "Add"
        super().__init__(
            parent,
            subject=person | {"label": person_label(person)},
            others=others,
            evidence=evidence,
            link=link,
            title=f"{verb} link of {person['name']}",
        )

    def kind_label(self, kind: str) -> str:
        return PERSON_KIND_LABELS.get(kind, kind.capitalize())

    def ends_for(self, kind: str) -> tuple[str, ...]:
        return ("firm",) if kind in PERSON_FIRM_KINDS else ("person",)

    def other_noun(self, kind: str) -> str:
        return "firm" if kind in PERSON_FIRM_KINDS else "person"

    def reading(self, kind: str, direction: str, share: float | None) -> str:
        return person_phrase(kind, direction, share)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        *,
        person: dict,
        firms=(),
        persons=(),
        evidence=(),
        link: dict | None = None,
    ) -> dict | None:
        """Run the dialog; the values (as ``RelationshipDialog``'s), or None when cancelled.
        Tests patch this method."""
        dialog = cls(
            parent, person=person, firms=firms, persons=persons, evidence=evidence, link=link
        )
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


def stored_values(rel: dict) -> dict:
    """A stored relationship (or person link) as the dialog's values (to compare, to restore)."""
    return {
        "kind": rel["kind"],
        "from_uid": rel["from_uid"],
        "to_uid": rel["to_uid"],
        "share": rel["share"],
        "start": rel["start"],
        "end": rel["end"],
        "notes": rel["notes"] or "",
        "evidence": [e["uid"] for e in rel["evidence"]],
    }


def edit_fields(values: dict) -> dict:
    """``edit_relationship`` skips None, so an emptied share or date is sent as ""."""
    return {
        "kind": values["kind"],
        "share": "" if values["share"] is None else values["share"],
        "start": values["start"] or "",
        "end": values["end"] or "",
        "notes": values["notes"] or "",
    }


def add_with_notes(book, ref: str, values: dict, notes: dict, target: str = "relationship") -> dict:
    """Add a relationship (``target``: ``personlink`` for a person's) with its evidence, and the
    links' notes where it had them."""
    rel = book.add_relationship(case_ref=ref, **values)
    for e in values["evidence"]:
        if notes.get(e):
            book.link_evidence(e, target, rel["uid"], note=notes[e])
    return rel


def _escape(text: str) -> str:
    import html

    return html.escape(text or "")
