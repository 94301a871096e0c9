"""The Evidence tab: the case's evidence register, detail and preview, adding by dialog or drop,
the link editor (what the item supports), and undoable edits of grade, excerpt and notes.

Adding hashes and extracts on the DB worker with a progress dialog; "Open" hands a temporary
working copy to the desktop, never the vault file.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casebook.core.words import plural
from casebook.ui import theme
from casebook.ui.evidence_dialog import EvidenceDialog, grade_help
from casebook.ui.link_editor import LinkEditor
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.undo import FacadeCommand
from casebook.ui.workspace import WorkspaceTab

Index = QModelIndex | QPersistentModelIndex
ITEM_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = [
    ("id", "ID", 5),
    ("title", "Title", 34),
    ("source", "Source", 18),
    ("grade", "Grade", 6),
    ("sha256", "SHA-256", 14),
    ("supports", "Supports", 30),
]
NOTICE_STYLE = "background: #FFF4CE; color: #4A3B00; border-radius: 4px; padding: 6px;"
PDF_NOTE = "First page as extracted text (this Qt has no PDF renderer)."


def source_of(item: dict) -> str:
    """Who or where an item came from: publisher, else the URL's host, else the file name."""
    if item.get("publisher"):
        return item["publisher"]
    if item.get("url"):
        return urlparse(item["url"]).netloc or item["url"]
    return item.get("original_name") or ""


def supports_of(item: dict) -> str:
    """What an item supports, e.g. ``firm Jingdiao; finding 1 …``."""
    return "; ".join(
        f"{link['kind'].capitalize()}: {link['label']}" for link in item.get("links", [])
    )


class EvidenceModel(QAbstractTableModel):
    """The register: one row per evidence item (``list_evidence`` dicts)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[dict] = []

    def set_items(self, items: list[dict]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def row_of(self, uid: str) -> int:
        return next((i for i, e in enumerate(self.items) if e["uid"] == uid), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.items[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, key)
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.ForegroundRole and key == "grade" and not item["grade"]:
            return QGuiApplication.palette().placeholderText()
        return None

    @staticmethod
    def _display(item: dict, key: str) -> str:
        if key == "source":
            return source_of(item)
        if key == "supports":
            return supports_of(item)
        if key == "sha256":
            return item["sha256"][:12] + "…"
        if key == "grade":
            return item["grade"] or "—"
        return str(item.get(key) or "")

    @staticmethod
    def _tooltip(item: dict, key: str) -> str | None:
        if key == "grade":
            return grade_help(item["grade"])
        if key == "sha256":
            return f"SHA-256 {item['sha256']}\n(right-click to copy)"
        if key == "supports":
            return "\n".join(f"{k['kind']}: {k['label']}" for k in item.get("links", [])) or None
        if key == "source" and item.get("url"):
            return item["url"]
        return None


class Preview(QStackedWidget):
    """An image, or text (text files, HTML as text, a PDF's extracted first page)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(120, 120)
        # Ignored: the label must not grow to the picture; the picture is scaled to the label.
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.empty = QLabel("No preview", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty.setForegroundRole(self.empty.palette().ColorRole.PlaceholderText)
        for widget in (self.empty, self.image, self.text):
            self.addWidget(widget)
        self._pixmap = QPixmap()

    def show_nothing(self, why: str = "No preview") -> None:
        self.empty.setText(why)
        self.setCurrentWidget(self.empty)

    def show_image(self, data: bytes) -> None:
        self._pixmap = QPixmap()
        if not self._pixmap.loadFromData(data):
            self.show_nothing("This image cannot be shown")
            return
        self.setCurrentWidget(self.image)
        self._fit()

    def show_text(self, text: str) -> None:
        self.text.setPlainText(text)
        self.setCurrentWidget(self.text)

    def _fit(self) -> None:
        if not self._pixmap.isNull():
            size = self.image.size().boundedTo(self._pixmap.size())
            self.image.setPixmap(
                self._pixmap.scaled(
                    size,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()


class EvidenceDetail(QWidget):
    """The selected item's record and link editor beside its preview."""

    def __init__(self, links: QWidget | None = None, parent=None):
        super().__init__(parent)
        self._item: dict | None = None
        self.facts = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.facts.setContentsMargins(4, 4, 12, 4)
        self.facts.setMinimumWidth(self.fontMetrics().averageCharWidth() * 48)
        self.preview = Preview()
        self.preview.setMinimumWidth(240)
        facts = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        facts.setWidget(self.facts)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(facts)
        if links is not None:
            left.addWidget(links)
            left.setStretchFactor(0, 3)
            left.setStretchFactor(1, 2)
            left.setSizes([600, 360])  # proportions: the record first, then its links
        left.setChildrenCollapsible(False)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(split)

    def show_item(self, item: dict | None, *, register_empty: bool = False) -> None:
        self._item = item
        if item is None:
            self.facts.setText("")
            self.preview.show_nothing(
                "No evidence in this case yet: Add files… or drop them here"
                if register_empty
                else "Select an item in the register to see its record and preview here"
            )
            return
        self._item = item
        self.facts.setText(_facts_html(item, theme.muted(self.palette()).name()))

    def changeEvent(self, event) -> None:
        # A theme switch: the field names are coloured by name, so show the record again.
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._item is not None:
            self.facts.setText(_facts_html(self._item, theme.muted(self.palette()).name()))


def _esc(text: object) -> str:
    import html

    return html.escape(str(text or ""))


def _facts_html(item: dict, muted: str) -> str:
    grade = item["grade"]
    grade_text = f"<b>{grade}</b> — {_esc(item['grade_label'])}" if grade else "<i>not graded</i>"
    rows = [
        ("Grade", grade_text),
        ("Kind", _esc(item["kind"])),
        ("Source", _esc(source_of(item))),
        ("File", f"{_esc(item['original_name'])} ({item['size']:,} bytes, {_esc(item['mime'])})"),
        ("SHA-256", f"<tt>{item['sha256'][:32]}<br>{item['sha256'][32:]}</tt>"),
        ("Added", f"{_esc(item['added'])} by {_esc(item['added_by'])}"),
        ("Excerpt", f"<i>{_esc(item.get('excerpt'))}</i>" if item.get("excerpt") else ""),
        ("Notes", _esc(item.get("notes")).replace("\n", "<br>")),
    ]
    body = "".join(
        f"<tr><td style='padding-right:10px; color:{muted}'>{name}</td><td>{value}</td></tr>"
        for name, value in rows
        if value
    )
    return f"<p style='font-size:large'><b>{item['id']}</b> {_esc(item['title'])}</p><table>{body}</table>"


class EvidenceTab(QWidget):
    """Register on the left, detail and preview on the right; files dropped here are added."""

    loaded = Signal()  # after the register was (re)read
    added = Signal(object)  # EvidenceAdded, once the register shows it

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.setAcceptDrops(True)
        self.model = EvidenceModel(self)
        self.view = QTableView()
        self.links = LinkEditor(host, ref)
        self.detail = EvidenceDetail(self.links)
        self.add_button = QPushButton("Add evidence…")
        self.open_button = QPushButton("Open")
        self.edit_button = QPushButton("Grade / edit…")
        self.count = QLabel()
        self.notice = QLabel(wordWrap=True)
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.hide()
        self._setup_view()
        self._layout()
        self.add_button.clicked.connect(self.choose_files)
        self.open_button.clicked.connect(self.open_selected)
        self.edit_button.clicked.connect(self.edit_selected)
        self.view.doubleClicked.connect(lambda _i: self.open_selected())
        self._preview_for: str | None = None
        self.reload()

    def _setup_view(self) -> None:
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        width = self.view.fontMetrics().averageCharWidth()
        for i, (_key, _title, chars) in enumerate(COLUMNS):
            self.view.setColumnWidth(i, chars * width + 16)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        copy = QAction("Copy SHA-256", self.view)
        copy.triggered.connect(self.copy_hash)
        self.view.addAction(copy)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.open_button)
        bar.addWidget(self.edit_button)
        hint = QLabel("or drop files here")
        hint.setForegroundRole(hint.palette().ColorRole.PlaceholderText)
        bar.addWidget(hint)
        bar.addStretch(1)
        bar.addWidget(self.count)
        split = QSplitter(Qt.Orientation.Vertical)  # the register needs the full width
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.notice)
        layout.addWidget(split, 1)

    # --- the register ---------------------------------------------------------------------

    def reload(self) -> None:
        """Read the register again (a few rows per case: read on the GUI thread like the
        workspace header), keeping the selection."""
        keep = self.selected()
        self.model.set_items(self.host.book.list_evidence(case_ref=self.ref, versions=True))
        n = self.model.rowCount()
        self.count.setText(plural(n, "item"))
        if not (keep and self.select(keep["uid"])) and n:
            self.view.selectRow(0)
        self._show_selected()
        self.loaded.emit()

    def selected(self) -> dict | None:
        index = self.view.selectionModel().currentIndex()
        return index.data(ITEM_ROLE) if index.isValid() else None

    def select(self, uid: str) -> bool:
        row = self.model.row_of(uid)
        if row >= 0:
            self.view.selectRow(row)
        return row >= 0

    def reveal(self, kind: str, uid: str) -> bool:
        """Select an item the search box opened; True when this tab holds it."""
        return kind == "evidence" and self.select(uid)

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("evidence", "findings", "firms", "relationships", "shipments"):
            self.reload()

    def _show_selected(self) -> None:
        item = self.selected()
        for button in (self.open_button, self.edit_button):
            button.setEnabled(item is not None)
        if item is None or item["uid"] != self._preview_for:
            self.detail.show_item(item, register_empty=self.model.rowCount() == 0)
            self._load_preview(item)
        else:
            self.detail.show_item(item)
        self.links.show_links(item)

    def _load_preview(self, item: dict | None) -> None:
        """Read the preview on the worker (a PDF is parsed, an image read whole)."""
        self._preview_for = item["uid"] if item else None
        if item is None:
            return
        self.detail.preview.show_nothing("Loading preview…")
        uid = item["uid"]
        Op(self.host, lambda book: book.evidence_preview(uid), label="Preparing preview").success(
            lambda preview: self._preview_for == uid and self._show_preview(preview)
        ).run()

    def _show_preview(self, preview: dict) -> None:
        shown = self.detail.preview
        if preview["kind"] == "image":
            shown.show_image(preview["data"])
        elif preview["kind"] == "pdf":
            shown.show_text(f"{PDF_NOTE}\n\n" + (preview["text"] or "(no text layer)"))
        elif preview["kind"] == "text":
            shown.show_text(preview["text"])
        else:
            shown.show_nothing(preview["text"])

    def copy_hash(self) -> None:
        item = self.selected()
        if item:
            QGuiApplication.clipboard().setText(item["sha256"])

    # --- adding ---------------------------------------------------------------------------

    def choose_files(self) -> None:
        paths = FileChooser.ask(self)
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[str | Path]) -> None:
        """Ask for title, kind and grade, then add the files to the case (linked to it)."""
        add_evidence_files(
            self, self.host, self.ref, paths, link=("case", self.ref), done=self._added
        )

    def _added(self, result) -> None:
        self.select(result.evidence["uid"])
        if result.existing:
            self.show_notice(
                f"{result.evidence['id']} already holds this file (same SHA-256); "
                "it was not stored again."
            )
        self.added.emit(result)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if local_files(event.mimeData()):
            event.acceptProposedAction()

    dragMoveEvent = dragEnterEvent  # noqa: N815

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = local_files(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.drop_files(event.mimeData())

    def drop_files(self, mime: QMimeData) -> None:
        """What a drop does: the local files it carries are added to the case."""
        self.add_files(local_files(mime))

    # --- open and edit --------------------------------------------------------------------

    def open_selected(self) -> None:
        """Open a working copy of the selected item with the desktop's program."""
        item = self.selected()
        if item is None:
            return
        uid = item["uid"]
        Op(self.host, lambda book: book.open_evidence(uid), label="Opening a working copy").success(
            self._opened
        ).run()

    def _opened(self, copy) -> None:
        self.show_notice(copy.warning or "")
        Desktop.open(copy.path)

    def edit_selected(self) -> None:
        item = self.selected()
        if item is None:
            return
        values = EvidenceDialog.ask(self, item=item)
        if values is None:
            return
        after = {k: ("" if v is None else v) for k, v in values.items()}  # "" clears; None keeps
        if not after.get("kind"):
            after.pop("kind", None)  # "from the file type": the kind stays
        before = {k: item.get(k) or "" for k in after}
        if after == before:
            return
        uid, text = item["uid"], f"Edit {item['id']}"
        changes = Changes(evidence=True, findings=True, case_ref=self.ref)

        def pushed(_result) -> None:
            self.host.undo_stack.push(
                FacadeCommand(
                    self.host,
                    text,
                    apply=lambda book: book.edit_evidence(uid, **after),
                    revert=lambda book: book.edit_evidence(uid, **before),
                    changes=changes,
                )
            )

        read = item.get("version")  # a colleague's save since then refuses this one
        Op(
            self.host,
            lambda book: book.edit_evidence(uid, **after, version=read),
            label=f"Saving {item['id']}",
            changes=changes,
        ).success(pushed).run()


def add_evidence_files(
    parent: QWidget,
    host: Host,
    ref: str,
    paths: list[str | Path],
    *,
    link: tuple[str, str],
    done=None,
) -> int:
    """Ask for title, kind and grade, then add each file to case ``ref`` on the DB worker with
    a progress dialog, linked to ``link`` (``("case", ref)``, ``("firm", uid)`` …); ``done``
    gets each ``EvidenceAdded``. Returns how many files were queued (0 when cancelled)."""
    paths = [Path(p) for p in paths if Path(p).is_file()]
    if not paths:
        return 0
    values = EvidenceDialog.ask(parent, paths=paths)
    if values is None:
        return 0
    for path in paths:
        _add_one(parent, host, ref, path, values, link, done)
    return len(paths)


def _add_one(parent, host: Host, ref: str, path: Path, values: dict, link, done) -> None:
    def work(book, task):
        return book.add_evidence(
            path,
            case_ref=ref,
            links=[link],
            progress=task.progress,
            cancelled=task.cancelled,
            **values,
        )

    op = Op(host, work, label=f"Adding {path.name}", changes=Changes(evidence=True, case_ref=ref))
    if done is not None:
        op.success(done)
    op.with_progress(parent).run()


def local_files(mime: QMimeData) -> list[Path]:
    """The local files a drag carries."""
    if not mime.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [p for p in paths if p.is_file()]


class FileChooser:
    """The file dialog; tests patch ``ask``."""

    @staticmethod
    def ask(parent: QWidget) -> list[str]:
        paths, _ = QFileDialog.getOpenFileNames(parent, "Add evidence", "", "All files (*)")
        return paths


class Desktop:
    """Hands files to the desktop's programs; tests patch ``open``."""

    @staticmethod
    def open(path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


TAB = WorkspaceTab(
    key="evidence",
    title="Evidence",
    factory=lambda host, ref: EvidenceTab(host, ref),
)
