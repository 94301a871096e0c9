"""The Screening tab: loaded lists, a screen of the case's firms and persons, and the review of
their hits (a person's hits beside the firms', marked by the Kind column).

Shown for every case: screening is useful before any import. Lists and hits are small (a case
has tens of hits, a store a handful of lists), so they are held in memory in plain table
models behind a sort/filter proxy rather than paged from SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from casebook.core.domain import SCREENING_THRESHOLD
from casebook.core.words import plural
from casebook.ui import screening_ops, theme
from casebook.ui.case_list import local_time
from casebook.ui.ops import Changes, Host
from casebook.ui.table_model import RIGHT, SORT_ROLE, RecordsModel, TableColumn
from casebook.ui.table_view import list_view
from casebook.ui.workspace import WorkspaceTab

Index = QModelIndex | QPersistentModelIndex
STATUS_COLOURS = {"confirmed": "#D93025", "dismissed": "#808080"}
FORMATS = [
    ("auto", "Detect from the file"),
    ("ofac", "OFAC SDN legacy CSV (sdn.csv)"),
    ("csl", "US Consolidated Screening List CSV"),
    ("ftm", "OpenSanctions FollowTheMoney JSON lines"),
    ("eu-csv", "OpenSanctions EU Official Journal CSV"),
]
LIST_FILTER = "List files (*.csv *.jsonl *.json *.ftm.json);;All files (*)"


def _score(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


#: What the Kind column shows for a hit's ``subject_kind``.
SUBJECT_KINDS = {"firm": "Firm", "person": "Person"}


def _kind(value: Any) -> str:
    return SUBJECT_KINDS.get(value, str(value or ""))


LIST_COLUMNS = [
    TableColumn("name", "List", width=30),
    TableColumn("version", "Version", align=RIGHT, width=7),
    TableColumn("published", "Published", width=10),
    TableColumn("loaded", "Loaded", format=local_time, width=18),
    TableColumn("entities", "Entities", align=RIGHT, width=8),
    TableColumn("names", "Names", align=RIGHT, width=8),
    TableColumn("records", "Records", align=RIGHT, width=8),
]
HIT_COLUMNS = [
    TableColumn("subject_kind", "Kind", format=_kind, width=7),
    TableColumn("subject_name", "Firm or person", width=24),
    TableColumn("matched_name", "Matched listed name", width=24),
    TableColumn("list", "List", width=20),
    TableColumn("score", "Score", align=RIGHT, format=_score, width=6),
    TableColumn("status", "Status", width=10),
]
STATUS_COLUMN = [c.key for c in HIT_COLUMNS].index("status")
SCORE_COLUMN = [c.key for c in HIT_COLUMNS].index("score")
#: The widest a column is sized to its content, in average characters (None: no limit). Longer
#: text is elided (list names in the middle, so "EU Regulation 269/2014" keeps its number) and
#: shown in full in the tooltip.
LIST_CAPS = {"name": 40}
HIT_CAPS = {"subject_name": 20, "matched_name": 20, "list": 20}
#: Columns elided in the middle rather than at the end.
MIDDLE_ELIDED = ("name", "list")
#: Share of the tab's width the hits table may take at first; the detail gets the rest.
HITS_SHARE = 0.64


def _list_tip(row: dict) -> str:
    """A hit's list in full: its name and version."""
    version = row.get("version")
    return f"{row.get('list', '')} version {version}" if version else str(row.get("list", ""))


def _table(model, columns: Sequence[TableColumn]) -> QTableView:
    view = list_view(model)  # counts too wide for their column show as "1.2 m", never cut
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    width = view.fontMetrics().averageCharWidth()
    for i, column in enumerate(columns):
        view.setColumnWidth(i, column.width * width + 16)
        if column.key in MIDDLE_ELIDED:
            view.setItemDelegateForColumn(i, MiddleElided(view))
    return view


class MiddleElided(QStyledItemDelegate):
    """Text elided in the middle: list names that differ only at the end stay apart."""

    def initStyleOption(self, option, index) -> None:  # noqa: N802 (Qt naming)
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def fit_columns(view: QTableView, columns: Sequence[TableColumn], caps: dict) -> int:
    """Each column as wide as its header and content, up to its cap (in average characters);
    returns the width of them all (a stretched last column counted as fitted)."""
    char, total = view.fontMetrics().averageCharWidth(), 0
    for i, column in enumerate(columns):
        width = max(view.sizeHintForColumn(i), view.horizontalHeader().sectionSizeHint(i)) + 8
        cap = caps.get(column.key)
        if cap is not None:
            width = min(width, cap * char + 16)
        view.setColumnWidth(i, width)
        total += width
    return total


# --- the load dialog ----------------------------------------------------------------------------


class LoadListDialog(QDialog):
    """The list file, its format, OFAC companions, and a name and date when the file lacks them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Load list")
        self.path = self._file_row("The list file (sdn.csv, CSL CSV, FtM JSON lines, EU CSV)")
        self.fmt = QComboBox()
        for key, text in FORMATS:
            self.fmt.addItem(text, key)
        self.alt = self._file_row("Optional: OFAC alt.csv (aliases)")
        self.add = self._file_row("Optional: OFAC add.csv (addresses)")
        self.name = QLineEdit(placeholderText="From the file, else the format's list name")
        self.published = QLineEdit(placeholderText="YYYY-MM-DD, from the file if it says")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Load")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("File:", self.path.parentWidget())
        form.addRow("Format:", self.fmt)
        form.addRow("Aliases:", self.alt.parentWidget())
        form.addRow("Addresses:", self.add.parentWidget())
        form.addRow("List name:", self.name)
        form.addRow("Published:", self.published)
        form.addRow(self.buttons)
        self.fmt.currentIndexChanged.connect(self._sync)
        self.path.textChanged.connect(self._sync)
        self.resize(640, self.sizeHint().height())
        self._sync()

    def _file_row(self, placeholder: str) -> QLineEdit:
        row = QWidget(self)
        edit = QLineEdit(row, placeholderText=placeholder)
        browse = QPushButton("Browse…", row)
        browse.clicked.connect(lambda: self._browse(edit))
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        layout.addWidget(browse)
        return edit

    def _browse(self, edit: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a list file", edit.text(), LIST_FILTER)
        if path:
            edit.setText(path)

    def _sync(self) -> None:
        ofac = self.fmt.currentData() in ("auto", "ofac")
        for edit in (self.alt, self.add):
            edit.parentWidget().setEnabled(ofac)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.path.text().strip()))

    def values(self) -> dict:
        ofac = self.fmt.currentData() in ("auto", "ofac")
        return {
            "path": self.path.text().strip(),
            "fmt": self.fmt.currentData(),
            "alt": self.alt.text().strip() if ofac else "",
            "add": self.add.text().strip() if ofac else "",
            "name": self.name.text().strip(),
            "published": self.published.text().strip(),
        }

    @classmethod
    def ask(cls, parent: QWidget, on_accept: Callable[[dict], None]) -> LoadListDialog:
        """Open window-modally (no nested event loop); ``on_accept(values)`` on Load."""
        dialog = cls(parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: on_accept(dialog.values()))
        dialog.open()
        return dialog


# --- the side-by-side detail --------------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    """One row of the side-by-side comparison."""

    key: str
    title: str
    always: bool = True  # shown even when neither side has a value


FACETS = [
    Facet("aliases", "Aliases"),
    Facet("weak_aliases", "Weak aliases", always=False),
    Facet("identifiers", "Identifiers"),
    Facet("addresses", "Addresses"),
    Facet("countries", "Countries"),
    Facet("programmes", "Programmes"),
]


def _lines(value: Any) -> str:
    """A facet's values as HTML lines; an em dash when there are none."""
    if isinstance(value, dict):
        items = [f"{k}: {v}" for k, values in value.items() for v in values]
    else:
        items = [str(v) for v in value or [] if v]
    return "<br>".join(escape(i) for i in items) or '<span style="color:#888">—</span>'


def hit_html(hit: dict) -> str:
    """The hit as an HTML page: score and review, the firm or person beside the listed entry,
    then reasons."""
    person = hit.get("subject_kind") == "person"
    firm, listed = hit.get("person" if person else "firm", {}), hit.get("listed", {})
    colour = STATUS_COLOURS.get(hit["status"], "inherit")
    review = f'<b style="color:{colour}">{escape(hit["status"].capitalize())}</b>'
    if hit.get("reviewed_by"):
        review += f" by {escape(hit['reviewed_by'])}, {local_time(hit.get('reviewed_at'))}"
    if hit.get("note"):
        review += f" — “{escape(hit['note'])}”"
    stale = "" if hit.get("current", True) else " · <i>an earlier version of the list</i>"
    head = (
        f"<p>Score <b>{hit['score']:.2f}</b> · {escape(hit['list'])} v{hit['version']}"
        f" · entry {escape(str(hit['listed_uid']))}{stale}<br>{review}</p>"
    )
    rows = [
        _row(
            "Name",
            f"<b>{escape(firm.get('name', hit['subject_name']))}</b>",
            f"<b>{escape(listed.get('name', hit['listed_name']))}</b>",
        ),
        _row("Matched", escape(hit["subject_matched_name"]), escape(hit["matched_name"])),
    ]
    if person:
        rows.append(
            _row("Born", _lines(firm.get("birth_dates")), _lines(listed.get("birth_dates")))
        )
    rows += [
        _row(f.title, _lines(firm.get(f.key)), _lines(listed.get(f.key)))
        for f in FACETS
        if (f.always and not (person and f.key == "addresses"))
        or firm.get(f.key)
        or listed.get(f.key)
    ]
    if listed.get("listed_on"):
        rows.append(_row("Listed on", "", escape(listed["listed_on"])))
    table = (
        '<table width="100%" cellspacing="0" cellpadding="4" border="0">'
        f'<tr><th></th><th align="left">{"Person" if person else "Firm"} in the case</th>'
        f'<th align="left">Listed {"individual" if person else "entity"}</th></tr>'
        + "".join(rows)
        + "</table>"
    )
    reasons = "".join(f"<li>{escape(r)}</li>" for r in hit.get("reasons") or [])
    return head + table + f"<p><b>Reasons</b></p><ul>{reasons or '<li>none recorded</li>'}</ul>"


def _row(title: str, left: str, right: str) -> str:
    return (
        f'<tr><td valign="top" width="16%" style="color:#888; white-space:nowrap">'
        f"{escape(title)}</td>"
        f'<td valign="top" width="42%">{left}</td><td valign="top" width="42%">{right}</td></tr>'
    )


class HitDetail(QWidget):
    """The selected hit side by side, with the note and Confirm / Dismiss."""

    review_requested = Signal(str, str)  # status, note

    def __init__(self, parent=None):
        super().__init__(parent)
        self.browser = QTextBrowser(openExternalLinks=False)
        self.browser.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.note = QLineEdit(placeholderText="Note on the review")
        self.note.setToolTip("Why this is, or is not, the listed entity (kept with the review)")
        self.confirm = QPushButton("Confirm")
        self.confirm.setToolTip("This is the listed entity: mark the firm (or person) as listed")
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setToolTip("Not the listed entity; stays dismissed in later screens")
        self.confirm.clicked.connect(lambda: self._review("confirmed"))
        self.dismiss.clicked.connect(lambda: self._review("dismissed"))
        # The note on a line of its own: beside the buttons a narrow pane left it 55 px wide.
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.confirm)
        bar.addWidget(self.dismiss)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.note)
        layout.addLayout(bar)
        self.show_hit(None)

    def _review(self, status: str) -> None:
        self.review_requested.emit(status, self.note.text().strip())

    def show_hit(self, hit: dict | None) -> None:
        for widget in (self.note, self.confirm, self.dismiss):
            widget.setEnabled(hit is not None)
        if hit is None:
            self.browser.setHtml(
                '<p style="color:#888">Select a hit to compare the firm or person with the'
                " listed entry.</p>"
            )
            self.note.clear()
            return
        self.browser.setHtml(hit_html(hit))
        self.note.setText(hit.get("note") or "")
        self.confirm.setEnabled(hit["status"] != "confirmed")
        self.dismiss.setEnabled(hit["status"] != "dismissed")

    def text(self) -> str:
        return self.browser.toPlainText()


# --- the tab ------------------------------------------------------------------------------------


def screened_text(last: dict | None, *, lists_loaded: bool) -> str:
    """Whether the case was ever screened, when, by whom and against which lists."""
    if last is None:
        step = "Screen" if lists_loaded else "Load list…, then Screen"
        return (
            f"This case was never screened. {step} checks its firms and persons against the lists."
        )
    lists = ", ".join(f"{x['list']} (version {x['version']})" for x in last.get("lists", []))
    persons = f"{plural(last['persons'], 'person')}, " if last.get("persons") else ""
    return (
        f"Last screened {local_time(last['when'])} by {last['by']} against "
        f"{lists or 'no list'}, threshold {last.get('threshold', '—')}: "
        f"{plural(last.get('firms', 0), 'firm')}, {persons}{plural(last.get('hits', 0), 'hit')}."
    )


class ScreeningTab(QWidget):
    """Lists and Load list…, Screen with a threshold, hits filtered by status, the detail."""

    refreshed = Signal(int, int)  # lists, hits: read again and on screen

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.hits: dict[int, dict] = {}
        self.lists_model = RecordsModel(LIST_COLUMNS, self)
        self.lists_view = _table(self.lists_model, LIST_COLUMNS)
        self.load_button = QPushButton("Load list…")
        self.threshold = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=1.0, singleStep=0.01)
        self.threshold.setValue(SCREENING_THRESHOLD)
        self.threshold.setToolTip(f"Lowest score shown as a hit (default {SCREENING_THRESHOLD})")
        self.screen_button = QPushButton(theme.icon("search"), "Screen")
        self.status = QComboBox()
        for text, key in (
            ("All hits", ""),
            ("Unreviewed", "unreviewed"),
            ("Confirmed", "confirmed"),
            ("Dismissed", "dismissed"),
        ):
            self.status.addItem(text, key)
        self.count = QLabel()
        self.screened = QLabel(wordWrap=True)  # never screened, or when and against what
        self.screened.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.hits_model = RecordsModel(
            HIT_COLUMNS, self, tips={"list": _list_tip}, colours={"status": STATUS_COLOURS}
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.hits_model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(STATUS_COLUMN)
        self.hits_view = _table(self.proxy, HIT_COLUMNS)
        self.hits_view.setSortingEnabled(True)
        self.hits_view.sortByColumn(SCORE_COLUMN, Qt.SortOrder.DescendingOrder)
        self.detail = HitDetail()
        self._layout()
        self._connect()
        self.refresh()

    def _layout(self) -> None:
        lists_bar = QHBoxLayout()
        lists_bar.addWidget(_heading(self, "Lists loaded"))
        lists_bar.addStretch(1)
        lists_bar.addWidget(self.load_button)
        self.lists_view.setMaximumHeight(self.lists_view.verticalHeader().defaultSectionSize() * 4)
        self.lists_view.horizontalHeader().setStretchLastSection(False)
        screen_bar = QHBoxLayout()
        screen_bar.addWidget(_heading(self, "Hits"))
        screen_bar.addSpacing(12)
        screen_bar.addWidget(self.status)
        screen_bar.addWidget(self.count)
        screen_bar.addStretch(1)
        screen_bar.addWidget(QLabel("Threshold:"))
        screen_bar.addWidget(self.threshold)
        screen_bar.addWidget(self.screen_button)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.hits_view)
        self.split.addWidget(self.detail)
        self.split.setChildrenCollapsible(False)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 1)
        self.split.splitterMoved.connect(self._split_moved)
        self._split_by_hand = False
        self._hits_width = self.hits_view.horizontalHeader().length()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(lists_bar)
        layout.addWidget(self.lists_view)
        layout.addSpacing(6)
        layout.addLayout(screen_bar)
        layout.addWidget(self.screened)
        layout.addWidget(self.split, 1)

    def _connect(self) -> None:
        self.load_button.clicked.connect(self.ask_load)
        self.screen_button.clicked.connect(self.run_screen)
        self.status.currentIndexChanged.connect(self._filter)
        self.hits_view.selectionModel().selectionChanged.connect(self._on_selection)
        self.detail.review_requested.connect(self.review)

    # --- reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the lists and hits again on the worker."""
        screening_ops.read_screening(self.host, case_ref=self.ref, on_read=self._show)

    def _show(self, state: dict) -> None:
        selected = self.selected_hit()
        lists_before, hits_before = len(self.lists_model.rows), len(self.hits_model.rows)
        self.lists_model.set_rows(state["lists"])
        self.hits = {h["id"]: h for h in state["hits"]}
        self.hits_model.set_rows(state["hits"])
        # Columns sized to what they show when rows come or go (not on every re-read, which
        # would undo the analyst's own column widths).
        if state["lists"] and len(state["lists"]) != lists_before:
            fit_columns(self.lists_view, LIST_COLUMNS, LIST_CAPS)
        if state["hits"] and len(state["hits"]) != hits_before:
            self._hits_width = fit_columns(self.hits_view, HIT_COLUMNS, HIT_CAPS)
            self.fit_split()
        self.screen_button.setEnabled(bool(state["lists"]))
        self.screen_button.setToolTip("" if state["lists"] else "Load a list first (Load list…)")
        self._show_count()
        self.screened.setText(screened_text(state.get("last"), lists_loaded=bool(state["lists"])))
        if selected is not None and selected["id"] in self.hits:
            self.select_hit(selected["id"])
        else:
            self.detail.show_hit(None)
        self.refreshed.emit(len(state["lists"]), len(self.hits))

    def fit_split(self) -> None:
        """The hits table as wide as its columns (up to ``HITS_SHARE``); the detail the rest.

        Left alone once the analyst has moved the splitter."""
        total = sum(self.split.sizes())
        if self._split_by_hand or total <= 0:
            return
        view = self.hits_view
        wanted = self._hits_width + 2 * view.frameWidth()
        wanted += view.verticalScrollBar().sizeHint().width()
        left = min(wanted, int(total * HITS_SHARE))
        self.split.setSizes([left, total - left])

    def _split_moved(self, *_args) -> None:
        self._split_by_hand = True

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        self.fit_split()  # the real width is known only now

    def _show_count(self) -> None:
        shown, total = self.proxy.rowCount(), len(self.hits)
        text = plural(total, "hit") if shown == total else f"{shown:,} of {plural(total, 'hit')}"
        if not self.lists_model.rows:
            text = "No lists loaded yet"
        self.count.setText(text)

    def _filter(self) -> None:
        key = self.status.currentData()
        self.proxy.setFilterRegularExpression(QRegularExpression(f"^{key}$" if key else ""))
        self._show_count()

    # --- selection --------------------------------------------------------------------------

    def selected_hit(self) -> dict | None:
        rows = self.hits_view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.hits.get(rows[0].data(Qt.ItemDataRole.UserRole))

    def select_hit(self, hit_id: int) -> bool:
        """Select the hit's row if the filter shows it."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole) == hit_id:
                self.hits_view.selectRow(row)
                self.detail.show_hit(self.hits[hit_id])
                return True
        return False

    def _on_selection(self, *_args) -> None:
        self.detail.show_hit(self.selected_hit())

    # --- actions ----------------------------------------------------------------------------

    def ask_load(self) -> None:
        LoadListDialog.ask(self, self.load)

    def load(self, values: dict) -> None:
        screening_ops.load_list(self.host, values, parent=self)

    def run_screen(self) -> None:
        screening_ops.screen_case(
            self.host, case_ref=self.ref, threshold=self.threshold.value(), parent=self
        )

    def review(self, status: str, note: str) -> None:
        hit = self.selected_hit()
        if hit is not None:
            screening_ops.review_hit(self.host, hit, case_ref=self.ref, status=status, note=note)

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("hits", "firms", "persons"):
            self.refresh()


def _heading(parent: QWidget, text: str) -> QLabel:
    label = QLabel(text)
    label.setFont(theme.scaled_font(parent.font(), 1.1, bold=True))
    return label


TAB = WorkspaceTab(
    key="screening",
    title="Screening",
    factory=lambda host, ref: ScreeningTab(host, ref),
    shown=lambda counts: True,
)
