"""The import wizard (File → Import…, or drop a file on the window).

Pages: pick a file → the raw rows as read (encoding, delimiter, sheet, the detected preset and
its confidence) → the mapping, with a live preview of the cleaned values and row errors in red
→ the case → the import, with progress and Cancel → a summary with a link to the rejects file.
The mapping can be saved as a TOML mapping file for ``casebook import --mapping``.

Every read of the file and the import itself run on the DB worker (``book.preview_file``,
``book.import_with_preview``); a cancelled import leaves the store as it was.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from casebook.core.errors import Cancelled, CasebookError
from casebook.core.fields import field_label
from casebook.core.words import plural
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.undo import import_undo
from casebook.ui.worker import Job

NOT_MAPPED = "—"
NOT_IMPORTED = "not imported"
ERROR_BG = QColor("#FDE7E9")
ERROR_FG = QColor("#B3261E")
FILE_TYPES = "Data files (*.csv *.tsv *.txt *.xlsx *.xlsm);;All files (*)"


#: The importer's messages speak to the command line; in the wizard, say what to do here.
_GUI_WORDS = [
    (
        re.compile(r"write a mapping file \(--mapping\) naming the column, e\.g\. .*$"),
        "choose on the Mapping page which field each of these columns holds",
    ),
    (
        re.compile(r"name them in a mapping file \(--mapping\)"),
        "choose the field each column holds on the Mapping page",
    ),
    (
        re.compile(r"use --sheet and --mapping"),
        "choose the sheet on the next page and the fields on the Mapping page",
    ),
]
#: Why no row is valid when no column was recognised, and what to do.
NO_COLUMNS = (
    "No shipment column was recognised, so no row can be read. Choose the field each column "
    "holds in the list on the left: at least two fields, one of them a date, an HS code, an "
    "exporter or importer, or a value or quantity."
)


def for_gui(message: str) -> str:
    """An importer message with its command-line advice put as what to do in the wizard."""
    for pattern, words in _GUI_WORDS:
        message = pattern.sub(words, message)
    return message


_TRADE_GUESSES = {
    "reporter": ("reporter", "reportingcountry", "declarant", "exporter country"),
    "partner": ("partner", "partnercountry", "destination", "country"),
    "period": ("period", "month", "time", "date", "year"),
    "value": ("value", "tradevalue", "amount", "eur", "usd"),
    "product": ("product", "commodity", "hs", "cn8", "code"),
    "flow": ("flow", "tradeflow", "direction"),
}


def guess_trade_columns(header: list[str]) -> dict[str, int]:
    """A first guess at a trade table's columns from their names (the user corrects it)."""
    import re

    keys = [re.sub(r"[^a-z0-9]+", "", h.casefold()) for h in header]
    found: dict[str, int] = {}
    for field, names in _TRADE_GUESSES.items():
        for name in names:
            hits = [i for i, k in enumerate(keys) if k == name and i not in found.values()]
            if hits:
                found[field] = hits[0]
                break
    if "value" not in found and len(header) > len(found):
        rest = [i for i in range(len(header)) if i not in found.values()]
        if "period" in found and rest:
            found["value"] = rest[-1]  # a long table: the remaining column holds the values
    return found


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ": ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:,.2f}" if not value.is_integer() else f"{value:,.0f}"
    return str(value)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setDefaultSectionSize(22)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Choose a file")
        self.setSubTitle(
            "Shipment records (CSV or XLSX, any common encoding) or trade statistics "
            "(Eurostat Comext workbooks, UN Comtrade CSV)."
        )
        self.path = QLineEdit(placeholderText="/path/to/file.csv")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.status = QLabel(wordWrap=True)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.path.editingFinished.connect(self._typed)
        # Read the file as soon as the typed path names one (Next needs its preview), not only
        # when the field loses focus.
        self._typing = QTimer(self, singleShot=True, interval=250, timeout=self._typed_file)
        self.path.textChanged.connect(lambda _t: self._typing.start())

    def _typed(self) -> None:
        text = self.path.text().strip()
        if text and Path(text) != self.w.path:
            self.w.load(text)

    def _typed_file(self) -> None:
        text = self.path.text().strip()
        if text and Path(text).is_file():
            self._typed()

    def _browse(self) -> None:
        chosen = ImportWizard.ask_file(self)
        if chosen:
            self.path.setText(chosen)
            self.w.load(chosen)

    def isComplete(self) -> bool:  # noqa: N802 (Qt naming)
        return self.w.preview is not None


class RawPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("The file as read")
        self.setSubTitle("The first rows exactly as read, before any cleaning.")
        self.info = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.sheet = QComboBox()
        self.sheet.activated.connect(self._sheet_chosen)
        self.encoding = QComboBox(editable=True)
        self.encoding.addItems(["", "utf-8", "utf-8-sig", "cp1251", "cp1252", "gb18030", "utf-16"])
        self.encoding.setToolTip("Override the detected encoding")
        self.encoding.activated.connect(self._encoding_chosen)
        self.sheet.setMinimumWidth(200)
        self.encoding.setMinimumWidth(140)
        self.sheet_label = QLabel("Sheet:")
        row = QHBoxLayout()
        row.addWidget(self.sheet_label)
        row.addWidget(self.sheet)
        row.addSpacing(16)
        row.addWidget(QLabel("Encoding:"))
        row.addWidget(self.encoding)
        row.addStretch(1)
        self.table = _table([])
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)

    def show_preview(self, p: dict) -> None:
        confidence = f"{p['confidence']:.0%}" if p.get("preset") else "—"
        preset = p.get("preset") or "none recognised"
        kind = "trade statistics" if p["kind"] == "trade" else "shipment records"
        delimiter = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(
            p.get("delimiter") or "", p.get("delimiter") or "—"
        )
        self.info.setText(
            f"<b>{p['file']}</b> — {kind}<br>Encoding: <b>{p.get('encoding') or '—'}</b> · "
            f"Delimiter: <b>{delimiter}</b> · Detected preset: <b>{preset}</b> "
            f"(confidence {confidence})"
            + (f"<br><i>{escape(for_gui(p['reason']))}</i>" if p.get("reason") else "")
        )
        self.sheet.clear()
        self.sheet.addItems(p.get("sheets") or [])
        if p.get("sheet"):
            self.sheet.setCurrentText(p["sheet"])
        self.sheet.setEnabled(
            bool(p.get("sheets")) and (p["kind"] != "trade" or "trade_mapping" in p)
        )
        self.sheet.setVisible(bool(p.get("sheets")))
        self.sheet_label.setVisible(bool(p.get("sheets")))
        self.encoding.setEnabled(p["kind"] != "trade" and not p.get("sheets"))
        self.encoding.setCurrentText(p.get("encoding") or "")
        header = p["header"]
        self.table.clear()
        self.table.setColumnCount(len(header))
        self.table.setHorizontalHeaderLabels(header)
        self.table.setRowCount(len(p["raw"]))
        self.table.setVerticalHeaderLabels([str(n) for n in p["raw_lines"]])
        for r, row in enumerate(p["raw"]):
            for c, value in enumerate(row[: len(header)]):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount()):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 260))

    def _sheet_chosen(self) -> None:
        self.w.load(self.w.path, sheet=self.sheet.currentText() or None)

    def _encoding_chosen(self) -> None:
        self.w.load(self.w.path, encoding=self.encoding.currentText() or None)


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Columns and cleaned values")
        self.setSubTitle(
            "Choose the field each column holds. The preview shows the first rows as they would "
            "be imported; rows in red would be rejected (hover for the reason)."
        )
        self.columns = _table(["Column", "Field", "Imported", "First value"])
        self.columns.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.preview = _table([])
        self.summary = QLabel()
        self.problems = QLabel(wordWrap=True)
        self.problems.setStyleSheet("color: #B3261E;")
        self.unmapped = QLabel(wordWrap=True)
        self.save = QPushButton("Save mapping…")
        self.save.clicked.connect(self._save)
        self._debounce = QTimer(self, singleShot=True, interval=300, timeout=self._remap)
        self.kind = QComboBox()
        self.kind.addItem("Shipment records", "shipments")
        self.kind.addItem("Trade statistics", "trade")
        self.kind.setToolTip("What the rows are: single shipments, or aggregate trade statistics")
        self.kind.activated.connect(self._kind_chosen)
        self.currency = QLineEdit(placeholderText="EUR", maxLength=3)
        self.currency.setMaximumWidth(70)
        self.flow = QComboBox()
        self.flow.addItems(["", "export", "import", "re-export", "re-import"])
        self.product = QLineEdit(placeholderText="e.g. 8457 or TOTAL")
        self.product.setMaximumWidth(160)
        for edit in (self.currency, self.product):
            edit.textChanged.connect(lambda _t: self._debounce.start())
        self.flow.activated.connect(lambda _i: self._debounce.start())
        self.constants = QWidget()
        row = QHBoxLayout(self.constants)
        row.setContentsMargins(0, 0, 0, 0)
        for label, widget in (
            ("Every row — currency:", self.currency),
            ("flow:", self.flow),
            ("product:", self.product),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.columns)
        split.addWidget(self.preview)
        split.setSizes([360, 840])
        split.setChildrenCollapsible(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.save)
        top = QHBoxLayout()
        top.addWidget(QLabel("The rows are:"))
        top.addWidget(self.kind)
        top.addSpacing(24)
        top.addWidget(self.constants, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.unmapped)
        layout.addWidget(self.problems)
        layout.addLayout(bottom)
        self.combos: list[QComboBox] = []

    def show_preview(self, p: dict) -> None:
        trade = p["kind"] == "trade"
        mapped = bool(p.get("trade_mapping")) or not trade  # a mapping the user can edit
        self.save.setEnabled(mapped)
        self.columns.setVisible(mapped)
        self.kind.setCurrentIndex(1 if trade else 0)
        self.kind.setEnabled(mapped)
        self.constants.setVisible(trade and mapped)
        if mapped:
            self._fill_columns(p)
        left_out = unmapped_columns(p) if mapped and not trade else []
        self.unmapped.setText(
            f"Not imported (no field chosen): {', '.join(left_out)}" if left_out else ""
        )
        self.unmapped.setVisible(bool(left_out))
        fields = [f for f in p["fields"] if trade or f in p["columns"] or f in _DERIVED]
        self.preview.clear()
        self.preview.setColumnCount(len(fields))
        self.preview.setHorizontalHeaderLabels([field_label(f) for f in fields])
        self.preview.setRowCount(len(p["cleaned"]))
        self.preview.setVerticalHeaderLabels([str(r["row"]) for r in p["cleaned"]])
        raw_by_line = dict(zip(p["raw_lines"], p["raw"], strict=False))
        for r, row in enumerate(p["cleaned"]):
            errors = row["errors"]
            for c, name in enumerate(fields):
                if errors:
                    index = p["columns"].get(name)
                    raw = raw_by_line.get(row["row"], [])
                    text = raw[index] if index is not None and index < len(raw) else ""
                    item = QTableWidgetItem(text)
                    item.setBackground(QBrush(ERROR_BG))
                    item.setForeground(QBrush(ERROR_FG))
                    item.setToolTip("\n".join(f"{k}: {v}" for k, v in errors.items()))
                else:
                    item = QTableWidgetItem(_fmt(row["values"].get(name)))
                self.preview.setItem(r, c, item)
        self.preview.resizeColumnsToContents()
        for c in range(self.preview.columnCount()):
            self.preview.setColumnWidth(c, min(self.preview.columnWidth(c), 220))
        bad = p["error_count"]
        if trade and p.get("trade_mapping"):
            melted = p.get("melted_periods") or 0
            self.summary.setText(
                f"{p['rows_valid']:,} of {p['rows_read']:,} rows previewed are valid"
                + (f"; {plural(bad, 'problem')} (red)" if bad else "")
                + (f"; {melted:,} period columns melted into rows" if melted else "")
            )
        elif trade:
            sheets = len(p.get("sheets") or [])
            where = f" in {sheets} sheets" if sheets > 1 else ""
            self.summary.setText(
                f"{p['preset']} layout, no mapping needed: {p['rows_read']:,} rows{where} give "
                f"{p['rows_valid']:,} trade flows (the first {len(p['cleaned'])} shown)"
            )
        else:
            self.summary.setText(
                f"{p['rows_valid']:,} of {p['rows_read']:,} rows previewed are valid"
                + (f"; {plural(bad, 'problem')} (red)" if bad else "")
            )
        shown = p["errors"][:4]
        lines = [f"Row {e['row']}, {e['column']}: {for_gui(e['reason'])}" for e in shown]
        if bad > len(shown):
            lines.append(f"… and {bad - len(shown):,} more")
        if not trade and p["rows_read"] and not p["rows_valid"]:
            # Nothing to import: say why rather than show an empty preview.
            if not p["columns"]:
                lines = [NO_COLUMNS]
            elif lines:
                lines.insert(0, f"None of the {p['rows_read']:,} rows previewed is valid:")
            else:
                reason = for_gui(p.get("reason") or "") or "they hold none of the mapped fields"
                lines = [f"None of the {p['rows_read']:,} rows previewed is valid: {reason}"]
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))
        self.completeChanged.emit()

    def _fill_columns(self, p: dict) -> None:
        by_index = {i: f for f, i in p["columns"].items()}
        first = p["raw"][0] if p["raw"] else []
        shipments = p["kind"] == "shipments"
        self.columns.setRowCount(len(p["header"]))
        self.combos = []
        for i, name in enumerate(p["header"]):
            self.columns.setItem(i, 0, QTableWidgetItem(name))
            combo = QComboBox()
            combo.addItem(NOT_MAPPED, None)
            for field in p["fields"]:
                combo.addItem(field_label(field), field)
            combo.setCurrentIndex(max(combo.findData(by_index.get(i)), 0))
            combo.currentIndexChanged.connect(lambda _i: self._debounce.start())
            self.columns.setCellWidget(i, 1, combo)
            self.combos.append(combo)
            left_out = shipments and i not in by_index
            mark = QTableWidgetItem(NOT_IMPORTED if left_out else "")
            if left_out:
                mark.setForeground(QBrush(ERROR_FG))
                mark.setToolTip("No field is chosen for this column: its values are not imported")
            self.columns.setItem(i, 2, mark)
            self.columns.setItem(i, 3, QTableWidgetItem(first[i] if i < len(first) else ""))
        self.columns.resizeColumnsToContents()
        self.columns.setColumnWidth(1, max(self.columns.columnWidth(1), 150))

    def mapping(self) -> dict[str, int]:
        out = {}
        for i, combo in enumerate(self.combos):
            if combo.currentData() is not None:
                out[combo.currentData()] = i
        return out

    def set_field(self, column: int, field: str) -> None:
        """Map a column to a field (what a user does with the combo box)."""
        self.combos[column].setCurrentIndex(self.combos[column].findData(field))

    def _remap(self) -> None:
        self.w.remap(self.mapping())

    def _kind_chosen(self) -> None:
        self.w.remap({}, kind=self.kind.currentData())

    def trade_constants(self) -> dict:
        return {
            "currency": self.currency.text().strip().upper(),
            "flow": self.flow.currentText(),
            "product": self.product.text().strip(),
        }

    def _save(self) -> None:
        path = ImportWizard.ask_save(self)
        if path:
            self.w.save_mapping(path)

    def isComplete(self) -> bool:  # noqa: N802 (Qt naming)
        p = self.w.preview
        if p is None:
            return False
        if p.get("trade_mapping"):
            return p["rows_valid"] > 0
        return p["kind"] == "trade" or bool(p["columns"])


_DERIVED = ("hs6", "value_usd")


def unmapped_columns(p: dict) -> list[str]:
    """The headers of a preview's columns that no field takes (not imported)."""
    taken = set(p["columns"].values())
    return [name for i, name in enumerate(p["header"]) if i not in taken]


class CasePage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Into which case?")
        self.case = QComboBox()
        self.skip_bad = QCheckBox("Import the valid rows and list the invalid ones in a file")
        self.force = QCheckBox("Import even if this file is already in the case")
        form = QFormLayout(self)
        form.addRow("Case:", self.case)
        form.addRow("", self.skip_bad)
        form.addRow("", self.force)

    def initializePage(self) -> None:  # noqa: N802 (Qt naming)
        self.case.clear()
        for ref, title in self.w.cases:
            self.case.addItem(f"{ref} — {title}", ref)
        if self.w.case_ref:
            index = self.case.findData(self.w.case_ref)
            if index >= 0:
                self.case.setCurrentIndex(index)
        if self.w.preview and self.w.preview.get("error_count"):
            self.skip_bad.setChecked(True)

    def isComplete(self) -> bool:  # noqa: N802 (Qt naming)
        return self.case.count() > 0


class RunPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Importing")
        self.label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.label.setOpenExternalLinks(True)
        self.bar = QProgressBar()
        self.cancel = QPushButton("Cancel import")
        self.cancel.clicked.connect(self.w.cancel_import)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel)
        layout.addLayout(row)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt naming)
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.cancel.setEnabled(True)
        self.label.setText(f"Importing {self.w.path.name} into {self.w.chosen_case()}…")
        self.w.start_import()

    def isComplete(self) -> bool:  # noqa: N802 (Qt naming)
        return self.w.result is not None


class SummaryPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("Imported")
        self.label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.label.setOpenExternalLinks(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt naming)
        r = self.w.result or {}
        lines = [
            f"Rows imported: <b>{r.get('rows_imported', 0):,}</b> of {r.get('rows_read', 0):,}",
            f"Skipped (already in the case): {r.get('rows_skipped', 0):,}",
            f"Rejected (invalid): {r.get('rows_rejected', 0):,}",
        ]
        if r.get("kind") == "trade":
            lines.append(f"Values not available: {r.get('values_missing', 0):,}")
        else:
            lines += [
                f"Firms created: {r.get('firms_created', 0):,}; matched: "
                f"{r.get('firms_matched', 0):,}",
                f"Merge suggestions: {r.get('merge_suggestions', 0):,} (Firms tab)",
            ]
        if r.get("rejects_file"):
            url = QUrl.fromLocalFile(r["rejects_file"]).toString()
            lines.append(f'Rejected rows: <a href="{url}">{Path(r["rejects_file"]).name}</a>')
        lines += [f"<b>Warning:</b> {escape(w)}" for w in r.get("warnings", [])]
        if r.get("unmapped_columns"):
            names = escape(", ".join(r["unmapped_columns"]))
            lines.append(f"<b>Not imported</b> (no field chosen): {names}")
        self.label.setText("<br>".join(lines))


class ImportWizard(QWizard):
    """See the module docstring. ``preview_ready``/``finished_import`` let tests wait."""

    preview_ready = Signal(dict)
    preview_failed = Signal(str)
    finished_import = Signal(object)  # the import JSON, or None when cancelled or failed

    def __init__(self, host: Host, *, case_ref: str | None = None, path=None, parent=None):
        super().__init__(parent)
        self.host = host
        self.case_ref = case_ref
        self.path: Path | None = None
        self.sheet: str | None = None
        self.encoding: str | None = None
        self.preview: dict | None = None
        self.result: dict | None = None
        self.job: Job | None = None
        self.cases = [(c.ref, c.title) for c in host.book.list_cases()] if host.book else []
        self.setWindowTitle("Import")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.file_page = FilePage(self)
        self.raw_page = RawPage(self)
        self.mapping_page = MappingPage(self)
        self.case_page = CasePage(self)
        self.run_page = RunPage(self)
        self.summary_page = SummaryPage(self)
        for page in (
            self.file_page,
            self.raw_page,
            self.mapping_page,
            self.case_page,
            self.run_page,
            self.summary_page,
        ):
            self.addPage(page)
        self.resize(1200, 720)
        if path:
            self.file_page.path.setText(str(path))
            self.load(str(path))

    # --- asking (patched in tests) --------------------------------------------------------

    @classmethod
    def ask_file(cls, parent) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, "Import a file", "", FILE_TYPES)
        return path or None

    @classmethod
    def ask_save(cls, parent) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, "Save mapping", "", "Mapping (*.toml)")
        return path or None

    # --- previews --------------------------------------------------------------------------

    def load(self, path: str | Path, *, sheet: str | None = None, encoding=None) -> None:
        """Read the file's first rows on the worker (again, with another sheet or encoding)."""
        if not path:
            return
        path = Path(path)
        if path != self.path:
            sheet, encoding = None, None
        self.path, self.sheet, self.encoding = path, sheet, encoding
        self.file_page.status.setText(f"Reading {path.name}…")
        Op(
            self.host,
            lambda book: book.preview_file(path, sheet=sheet, encoding=encoding),
            label="Reading file",
        ).success(self._previewed).failure(self._preview_failed).run()

    def remap(self, columns: dict[str, int], *, kind: str | None = None) -> None:
        """Preview again with an edited mapping (or as the other kind of rows)."""
        p = self.preview
        if p is None or (p["kind"] == "trade" and not p.get("trade_mapping")):
            return
        kind = kind or ("trade" if p.get("trade_mapping") else "shipments")
        if kind == "trade":
            if not columns and not p.get("trade_mapping"):
                columns = guess_trade_columns(p["header"])
            constants = self.mapping_page.trade_constants()
            if not constants["currency"]:
                constants["currency"] = "EUR"
                self.mapping_page.currency.setText("EUR")
            mapping = {"kind": "trade", "columns": columns, "constants": constants}
        else:
            mapping = {
                "kind": "shipments",
                "columns": columns,
                "constants": (p.get("constants") or {}) if p["kind"] == "shipments" else {},
                "schemes": p.get("schemes") or {},
                "date_order": p.get("date_order"),
                "preset": None,
                "confidence": 1.0,
            }
        path, sheet, encoding = self.path, p.get("sheet"), p.get("encoding")
        Op(
            self.host,
            lambda book: book.preview_file(path, sheet=sheet, encoding=encoding, mapping=mapping),
            label="Previewing",
        ).success(lambda q: self._previewed({**q, "edited": True})).failure(
            self._preview_failed
        ).run()

    def _alive(self) -> bool:
        import shiboken6

        return shiboken6.isValid(self) and shiboken6.isValid(self.file_page.status)

    def _previewed(self, preview: dict) -> None:
        if not self._alive():
            return
        self.preview = preview
        self.file_page.status.setText(
            f"{preview['file']}: {preview['kind']}, preset {preview.get('preset') or 'none'}"
        )
        self.raw_page.show_preview(preview)
        self.mapping_page.show_preview(preview)
        self.file_page.completeChanged.emit()
        self.preview_ready.emit(preview)

    def _preview_failed(self, exc: BaseException) -> None:
        if not self._alive():
            return
        message = for_gui(exc.message if isinstance(exc, CasebookError) else str(exc))
        self.preview = None
        self.file_page.status.setText(f"<span style='color:#B3261E'>{escape(message)}</span>")
        self.file_page.completeChanged.emit()
        self.preview_failed.emit(message)

    def save_mapping(self, path: str | Path) -> None:
        preview = self.preview
        Op(
            self.host,
            lambda book: book.save_import_mapping(preview, path),
            label="Saving mapping",
        ).success(lambda saved: self.mapping_page.summary.setText(f"Mapping saved: {saved}")).run()

    # --- the import ------------------------------------------------------------------------

    def chosen_case(self) -> str | None:
        return self.case_page.case.currentData()

    def start_import(self) -> None:
        path, preview, ref = self.path, dict(self.preview or {}), self.chosen_case()
        skip, force = self.case_page.skip_bad.isChecked(), self.case_page.force.isChecked()
        self.result = None

        def work(task):
            return self.host.book.import_with_preview(
                path,
                preview,
                case_ref=ref,
                skip_bad_rows=skip,
                force=force,
                progress=task.progress,
                cancelled=task.cancelled,
            )

        job = Job(work, wants_task=True)
        job.on_done = self._imported
        job.on_error = self._import_failed
        job.on_progress = self._progress
        self.job = self.host.submit(job, "Importing")
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)

    def _progress(self, done: int, total: int) -> None:
        self.run_page.bar.setRange(0, max(total, 0))
        self.run_page.bar.setValue(min(done, total) if total else 0)

    def cancel_import(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.run_page.cancel.setEnabled(False)
            self.run_page.label.setText("Cancelling…")

    def _imported(self, result: dict) -> None:
        changes = Changes(datasets=True, shipments=True, firms=True, case_ref=result.get("case"))
        if not self._alive():
            self.host.notify(changes)
            import_undo(self.host, result, name=self.path.name, case_ref=result.get("case"))
            return
        self.job = None
        self.result = result
        changes = Changes(datasets=True, shipments=True, firms=True, case_ref=self.chosen_case())
        self.host.notify(changes)
        import_undo(self.host, result, name=self.path.name, case_ref=self.chosen_case())
        self.run_page.cancel.setEnabled(False)
        self.run_page.bar.setValue(self.run_page.bar.maximum())
        self.run_page.completeChanged.emit()
        self.finished_import.emit(result)
        self.next()

    def _import_failed(self, exc: BaseException, _trace: str) -> None:
        if not self._alive():
            return
        self.job = None
        self.run_page.cancel.setEnabled(False)
        self.button(QWizard.WizardButton.BackButton).setEnabled(True)
        if isinstance(exc, Cancelled):
            text = "Cancelled. Nothing was imported; the case is as it was."
        else:
            text = f"<span style='color:#B3261E'>{getattr(exc, 'message', str(exc))}</span>"
            rejects = getattr(exc, "rejects_file", None)
            if rejects:
                url = QUrl.fromLocalFile(rejects).toString()
                text += f'<br>Invalid rows: <a href="{url}">{Path(rejects).name}</a>'
                text += "<br>Go back and tick “Import the valid rows” to import the rest."
        self.run_page.label.setText(text)
        self.finished_import.emit(None)

    def reject(self) -> None:
        if self.job is not None:
            self.cancel_import()
        super().reject()


# --- installing into the main window --------------------------------------------------------


class _DropFilter(QObject):
    """A file dropped on the main window starts the wizard with it."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt naming)
        from PySide6.QtCore import QEvent

        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if _local_files(event.mimeData()) and self.window.host.book is not None:
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            files = _local_files(event.mimeData())
            if files and self.window.host.book is not None:
                event.acceptProposedAction()
                open_wizard(self.window, path=files[0])
                return True
        return False


def _local_files(mime) -> list[str]:
    if not mime.hasUrls():
        return []
    return [
        u.toLocalFile() for u in mime.urls() if u.isLocalFile() and Path(u.toLocalFile()).is_file()
    ]


def open_wizard(window, *, path=None) -> ImportWizard | None:
    """Open the wizard for the window's selected case (and a file, when one was dropped)."""
    host = window.host
    if host.book is None:
        return None
    page = getattr(window, "page", None)
    ref = page.selected_ref() if page is not None else None
    wizard = ImportWizard(host, case_ref=ref, path=path, parent=window)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.import_wizard = wizard
    wizard.show()
    return wizard


def install(window) -> QAction:
    """Add File → Import… (Ctrl+I) and file drops to the main window."""
    action = QAction("&Import…", window)
    action.setShortcut("Ctrl+I")
    action.setStatusTip("Import shipment records or trade statistics into a case")
    action.triggered.connect(lambda: open_wizard(window))
    window.actions["import"] = action
    menu = window.menuBar().actions()[0].menu()
    before = window.actions.get("quit")
    menu.insertAction(before, action)
    menu.insertSeparator(before)
    window.setAcceptDrops(True)
    window._drop_filter = _DropFilter(window)
    window.installEventFilter(window._drop_filter)
    return action


__all__ = ["ImportWizard", "install", "open_wizard", "QWidget"]
