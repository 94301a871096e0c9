"""The Datasets tab: the files imported into a case, and deleting one (with confirmation).

Each dataset shows its file, kind (shipments or trade statistics), SHA-256, rows, when and by
whom it was imported, and the mapping it was read with (the preset, or the columns of a mapping
file). Deleting a dataset removes its rows; it is audited and cannot be undone (the file can be
imported again).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from casebook.core.errors import CasebookError
from casebook.core.words import plural
from casebook.ui.case_list import local_time
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.placeholders import show_prompt
from casebook.ui.undo import irreversible
from casebook.ui.workspace import WorkspaceTab

HEADERS = ["File", "Kind", "Rows", "Imported", "By", "Mapping", "SHA-256"]


def mapping_text(d: dict) -> str:
    """The mapping in a few words: the preset, or how many columns a mapping file named."""
    mapping = d.get("mapping") or {}
    preset = d.get("preset") or mapping.get("preset")
    columns = mapping.get("columns") or {}
    if preset:
        return preset
    if columns:
        return f"mapping file ({len(columns)} columns)"
    return "—"


SELECT_A_DATASET = "Select a dataset to see its file, its SHA-256, its mapping and its rows."


class DatasetsPanel(QWidget):
    """See the module docstring; ``loaded`` fires after each reload."""

    loaded = Signal()

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.datasets: list[dict] = []
        self.ready = False  # the datasets were read and are shown
        self._reading = 0  # reads asked for; only the newest one's reply is shown
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.detail = QTextBrowser()
        show_prompt(self.detail, SELECT_A_DATASET)
        self.count = QLabel()
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Import another file into this case")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Delete the selected dataset and its rows")
        bar = QHBoxLayout()
        bar.addWidget(self.count, 1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.delete_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([400, 200])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.table.itemSelectionChanged.connect(self._selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(self._import)
        self.reload()

    def reload(self) -> None:
        """Read the datasets on the DB worker (the GUI thread never waits on the store, issue
        18); shown when they arrive, then ``loaded`` fires."""
        if self.host.book is None:
            return
        self._reading += 1
        reading, ref = self._reading, self.ref
        if not self.ready:
            self.count.setText("Reading datasets…")

        def done(datasets: list[dict]) -> None:
            if isValid(self) and reading == self._reading:
                self._show_datasets(datasets)

        def failed(exc: BaseException) -> None:
            if isValid(self) and reading == self._reading:
                self.count.setText("")
                if not isinstance(exc, CasebookError):
                    self.host.present_error(exc)

        Op(
            self.host, lambda book: book.case_datasets(case_ref=ref), label="Reading the datasets"
        ).success(done).failure(failed).run()

    def _show_datasets(self, datasets: list[dict]) -> None:
        self.datasets = datasets
        self.ready = True
        self.table.setRowCount(len(self.datasets))
        for r, d in enumerate(self.datasets):
            kind = "trade statistics" if d["kind"] == "trade" else "shipments"
            cells = [
                d["file_name"],
                kind,
                f"{d['rows']:,}",
                local_time(d["imported"]),
                d["imported_by"] or "",
                mapping_text(d),
                d["sha256"][:12] + "…",
            ]
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if c == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if c == 6:
                    item.setToolTip(d["sha256"])
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 420))
        n = len(self.datasets)
        self.count.setText(plural(n, "dataset"))
        self._selected()
        self.loaded.emit()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.datasets[rows[0].row()] if rows else None

    def _selected(self) -> None:
        d = self.selected()
        self.delete_button.setEnabled(d is not None)
        if d:
            self.detail.setHtml(_detail_html(d))
        else:
            show_prompt(self.detail, SELECT_A_DATASET)

    def delete_selected(self) -> None:
        d = self.selected()
        if d is None or not self.confirm_delete(self, d):
            return
        uid, host = d["uid"], self.host
        Op(
            host,
            lambda book: book.delete_dataset(uid),
            label="Deleting dataset",
            changes=Changes(datasets=True, shipments=True, firms=True, case_ref=self.ref),
        ).success(lambda _deleted: irreversible(host, f"Deleted {d['file_name']}")).run()

    @classmethod
    def confirm_delete(cls, parent, dataset: dict) -> bool:
        """Ask before deleting (tests patch this)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete dataset",
            f"Delete “{dataset['file_name']}” and its {dataset['rows']:,} rows from this case?",
            QMessageBox.StandardButton.Cancel,
            parent,
        )
        box.setInformativeText(
            "This cannot be undone; the deletion is recorded in the audit log. "
            "You can import the file again."
        )
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is delete

    def _import(self) -> None:
        from casebook.ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.host, case_ref=self.ref, parent=self.window())
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.show()

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("datasets", "shipments"):
            self.reload()


def _detail_html(d: dict) -> str:
    mapping = d.get("mapping") or {}
    rows = [
        ("File", d["file_name"]),
        ("Kind", d["kind"]),
        ("Rows", f"{d['rows']:,}"),
        ("Sheet", d.get("sheet") or "—"),
        ("Encoding", d.get("encoding") or "—"),
        ("Imported", f"{local_time(d['imported'])} by {d['imported_by'] or '—'}"),
        ("SHA-256", d["sha256"]),
        ("Content hash", d.get("content_hash") or "—"),
        ("Preset", d.get("preset") or mapping.get("preset") or "—"),
        ("Dataset", d["uid"]),
    ]
    html = "".join(
        f"<tr><td style='color:gray'>{k}</td><td>{escape(str(v))}</td></tr>" for k, v in rows
    )
    columns = mapping.get("columns") or {}
    if columns:
        items = "".join(
            f"<tr><td>{escape(str(a))}</td><td>→ {escape(str(b))}</td></tr>"
            for a, b in columns.items()
        )
        html += f"<tr><td style='color:gray' valign=top>Columns</td><td><table>{items}</table></td></tr>"  # noqa: E501
    constants = mapping.get("constants") or {}
    if constants:
        text = ", ".join(f"{k} = {v}" for k, v in constants.items())
        html += f"<tr><td style='color:gray'>Constants</td><td>{escape(text)}</td></tr>"
    return f"<table cellspacing=3>{html}</table>"


TAB = WorkspaceTab(
    key="datasets",
    title="Datasets",
    factory=lambda host, ref: DatasetsPanel(host, ref),
    shown=lambda counts: counts.get("datasets", 0) > 0,
)
