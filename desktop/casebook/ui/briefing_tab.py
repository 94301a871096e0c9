"""The Briefing tab: options, Generate (with progress), a page preview, Open, Print, Save as.

The briefing covers the shipments of the case's lens (the filter bar), which the tab names
above the options; the briefing names it too.

A briefing printed before the case changed (an import, an edit: the head of the case's own
audit events moved) is marked out of date above its pages, with Regenerate; Print and Save as are off until then,
so a stale PDF is never handed on by mistake.

The preview (``ui/pdf_preview.py``) shows the pages rendered by Poppler's ``pdftoppm`` when it
is installed, with zoom, and otherwise the page count with an Open button. Print renders pages
the same way onto a QPrinter.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casebook.core.domain import APPENDIX_ROWS
from casebook.core.errors import Cancelled
from casebook.core.filters import EVERYTHING, ShipmentFilter
from casebook.core.standards import Marking, clean_marking
from casebook.ui.ops import Changes, Host, Op
from casebook.ui.pdf_preview import PagePreview, PageRenderer, pdftoppm
from casebook.ui.workspace import CaseWorkspace, WorkspaceTab

SECTION_LABELS = {
    "bluf": "Bottom line up front",
    "trade": "Trade picture",
    "network": "Network diagram",
    "firms": "Firms",
    "shipments": "Largest shipments",
    "screening": "Screening",
    "evidence": "Evidence register",
    "appendix": "Appendix: shipments",
    "provenance": "Appendix: provenance",
}
#: The changes after which a printed briefing may no longer say what the case holds.
CASE_DATA = ("case", "datasets", "shipments", "firms", "evidence", "findings", "relationships",
             "hits", "figures", "persons")  # fmt: skip


class SaveDialog:
    """Where to save a copy of the briefing (patched in tests)."""

    @classmethod
    def ask(cls, parent, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            parent, "Save briefing as", suggested, "PDF files (*.pdf)"
        )
        return path or None


class BriefingTab(QWidget):
    """Options on the left, the generated briefing's pages on the right."""

    generated = Signal(dict)  # the brief result {out, pages, sha256}
    preview_ready = Signal(int)  # pages shown

    def __init__(self, host: Host, ref: str, parent=None):
        super().__init__(parent)
        self.host, self.ref = host, ref
        self.workspace: CaseWorkspace | None = None
        self.lens = EVERYTHING
        self.result: dict | None = None
        self.stale = False  # the case changed since ``result`` was printed
        self.head_now = ""  # the case's audit head when it was found to have changed
        self._work = Path(tempfile.mkdtemp(prefix="casebook-brief-"))
        work = str(self._work)
        self.destroyed.connect(lambda *_: shutil.rmtree(work, ignore_errors=True))
        self._build()
        self.reload()
        self._show_lens()

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        options = QGroupBox("Options")
        form = QFormLayout(options)
        self.paper = QComboBox()
        self.paper.addItem("A4", "a4")
        self.paper.addItem("Letter", "letter")
        self.top = QSpinBox()
        self.top.setRange(1, 500)
        self.top.setValue(15)
        self.appendix_rows = QSpinBox()
        self.appendix_rows.setRange(0, 100_000)
        self.appendix_rows.setSingleStep(500)
        self.appendix_rows.setValue(APPENDIX_ROWS)
        self.appendix_rows.setToolTip(
            "Shipments listed in the appendix, the largest by value; every shipment goes to "
            "the table file saved with the briefing"
        )
        self.author = QLineEdit(self.host.user or "")
        self.author.setPlaceholderText("the analyst (default: your user name)")
        self.marking = QComboBox()
        form.addRow("Paper", self.paper)
        form.addRow("Largest shipments", self.top)
        form.addRow("Appendix shipments", self.appendix_rows)
        form.addRow("Author", self.author)
        form.addRow("Marking", self.marking)
        column = QVBoxLayout()
        self.sections: dict[str, QCheckBox] = {}
        for key, label in SECTION_LABELS.items():
            box = QCheckBox(label)
            box.setChecked(True)
            self.sections[key] = box
            column.addWidget(box)
        form.addRow("Sections", column)
        self.generate = QPushButton("Generate")
        self.generate.setDefault(True)
        self.generate.clicked.connect(self.generate_briefing)
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self.open_pdf)
        self.print_button = QPushButton("Print…")
        self.print_button.clicked.connect(self.print_pdf)
        self.save_button = QPushButton("Save as…")
        self.save_button.clicked.connect(self.save_as)
        buttons = QHBoxLayout()
        for b in (self.generate, self.open_button, self.print_button, self.save_button):
            buttons.addWidget(b)
        self.status = QLabel("Choose options and press Generate.")
        self.status.setWordWrap(True)
        self.stale_label = QLabel(wordWrap=True)
        self.stale_label.setStyleSheet("color: #B3261E;")
        self.regenerate = QPushButton("Regenerate")
        self.regenerate.setToolTip("Print the briefing again as the case is now")
        self.regenerate.clicked.connect(self.generate_briefing)
        self.stale_bar = QWidget()
        stale_row = QHBoxLayout(self.stale_bar)
        stale_row.setContentsMargins(0, 0, 0, 0)
        stale_row.addWidget(self.stale_label, 1)
        stale_row.addWidget(self.regenerate)
        self.stale_bar.hide()
        self.lens_label = QLabel(wordWrap=True)
        # The options scroll when the window is short (a 1024x700 screen: they grew the window
        # past its edge); Generate and the status below them stay in sight.
        settings = QWidget()
        upper = QVBoxLayout(settings)
        upper.setContentsMargins(0, 0, 0, 0)
        upper.addWidget(self.lens_label)
        upper.addWidget(options)
        upper.addStretch(1)
        self._options_scroll = scroll = QScrollArea()
        scroll.setWidget(settings)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(
            settings.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        )
        left = QVBoxLayout()
        left.addWidget(scroll, 1)  # no taller than the options (_fit_options): Generate follows
        left.addLayout(buttons)
        left.addWidget(self.status)
        left.addStretch(0)
        self.preview = PagePreview(self._work)
        self.preview.add_shortcuts(self)
        self.preview.rendered.connect(self.preview_ready)
        self.preview.set_prompt(
            "Press Generate: the briefing's pages appear here."
            if pdftoppm()
            else "Press Generate, then Open: the preview needs Poppler's pdftoppm."
        )
        row = QHBoxLayout(self)
        panel = QWidget()
        panel.setLayout(left)
        panel.setMaximumWidth(420)
        row.addWidget(panel)
        right = QVBoxLayout()
        right.addWidget(self.stale_bar)
        right.addWidget(self.preview, 1)
        row.addLayout(right, 1)
        self._update_buttons()

    def reload(self) -> None:
        """Offer the case's marking and every more restrictive one."""
        if self.host.book is None:
            return
        floor = clean_marking(self.host.book.get_case(self.ref).marking) or Marking.AMBER
        current = self.marking.currentData()
        self.marking.clear()
        for marking in Marking:
            if marking >= floor:
                self.marking.addItem(marking.label, marking.label)
        index = self.marking.findData(current)
        self.marking.setCurrentIndex(max(index, 0))

    def on_changes(self, changes: Changes) -> None:
        if changes.case_ref not in (None, self.ref):
            return
        if changes.touches("case"):
            self.reload()
        if self.result is not None and not self.stale and changes.touches(*CASE_DATA):
            self._check_head()

    def _check_head(self) -> None:
        ref = self.ref
        Op(
            self.host, lambda book: book.case_head_hash(ref), label="Reading the case's audit head"
        ).success(self._head_read).run()

    def _head_read(self, head: str) -> None:
        """Out of date once this case's audit head moved past the one the briefing printed
        under (another case's changes leave it current)."""
        if self.result is not None and head != self.result["case_head"]:
            self.stale, self.head_now = True, head
            self._update_buttons()

    # --- the lens -------------------------------------------------------------------------

    def set_workspace(self, workspace: CaseWorkspace) -> None:
        self.workspace = workspace

    def set_lens(self, lens: ShipmentFilter) -> None:
        """The next briefing covers the shipments of ``lens`` (the filter bar's)."""
        self.lens = lens
        self._show_lens()

    def _fit_options(self) -> None:
        """The options' scroll area no taller than the options, so in a tall window Generate
        sits right below them rather than at the bottom of the tab."""
        settings = self._options_scroll.widget()
        width = max(self._options_scroll.viewport().width(), settings.minimumSizeHint().width())
        layout = settings.layout()
        height = layout.heightForWidth(width) if layout.hasHeightForWidth() else -1
        self._options_scroll.setMaximumHeight(max(height, settings.sizeHint().height()) + 4)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_options()

    def _show_lens(self) -> None:
        words = self.workspace.describe(self.lens) if self.workspace else self.lens.describe()
        self.lens_label.setText(
            f"<b>Filtered:</b> {escape(words)} — the briefing covers these shipments only."
            if words
            else "The briefing covers the whole case (set the filter bar above to narrow it)."
        )
        self._fit_options()

    # --- generate -------------------------------------------------------------------------

    @property
    def pdf_path(self) -> Path:
        return self._work / f"{self.ref.replace('/', '_')}-briefing.pdf"

    def options(self) -> dict:
        return {
            "paper": self.paper.currentData(),
            "top": self.top.value(),
            "appendix_rows": self.appendix_rows.value(),
            "author": self.author.text().strip() or None,
            "marking": self.marking.currentData(),
            "sections": [k for k, box in self.sections.items() if box.isChecked()],
        }

    def generate_briefing(self) -> None:
        options = self.options()
        if not options["sections"]:
            self.status.setText("Choose at least one section.")
            return
        out, ref, lens = self.pdf_path, self.ref, self.lens

        def work(book, task):
            # A cancelled op reports nothing (ops.Op); answer None so the tab is ready again.
            # The case's audit head is read first on this one worker, so it is the one printed.
            head = book.case_head_hash(ref)
            try:
                return {"case_head": head} | book.brief(
                    case_ref=ref,
                    out=out,
                    force=True,
                    progress=task.progress,
                    cancelled=task.cancelled,
                    lens=lens,
                    **options,
                )
            except Cancelled:
                return None

        self.generate.setEnabled(False)
        self.regenerate.setEnabled(False)
        self.status.setText("Generating…")
        (
            Op(self.host, work, label="Generating briefing")
            .success(self._generated)
            .failure(self._failed)
            .with_progress(self)
            .run()
        )

    def _failed(self, exc: BaseException) -> None:
        self._ready()
        self.status.setText("The briefing was not generated.")
        self.host.present_error(exc)

    def _ready(self) -> None:
        self.generate.setEnabled(True)
        self.regenerate.setEnabled(True)

    def _generated(self, result: dict | None) -> None:
        self._ready()
        if result is None:
            self.status.setText("Cancelled; no briefing was written.")
            return
        self.result, self.stale = result, False
        self.status.setText(
            f"{result['pages']} pages · SHA-256 {result['sha256'][:16]}…"
            + ("" if pdftoppm() else " · preview needs Poppler's pdftoppm; use Open.")
        )
        self._update_buttons()
        self._check_head()  # an edit made while it was generating makes it stale at once
        self.preview.show_pdf(Path(result["out"]))
        self.generated.emit(result)

    # --- open, print, save ----------------------------------------------------------------

    def _update_buttons(self) -> None:
        ready = self.result is not None and self.pdf_path.exists()
        self.open_button.setEnabled(ready)  # to look at what was printed, marked stale above
        for b in (self.print_button, self.save_button):
            b.setEnabled(ready and not self.stale)
        self.stale_bar.setVisible(ready and self.stale)
        if ready and self.stale:
            self.stale_label.setText(
                "<b>Out of date</b> — the case changed since it was printed (audit head "
                f"{escape(self.result['case_head'][:12])}… when printed, "
                f"{escape(self.head_now[:12])}… now). Regenerate to print it as it is now."
            )

    def open_pdf(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.pdf_path)))

    def save_as(self) -> None:
        """A copy of the PDF and, beside it, of the full shipment table it names by hash."""
        target = SaveDialog.ask(self, str(Path.home() / self.pdf_path.name))
        if not target:
            return
        shutil.copyfile(self.pdf_path, target)
        saved = [target]
        if self.result and self.result.get("table"):
            table = Path(target).with_name(f"{Path(target).stem}.shipments.csv")
            shutil.copyfile(self.result["table"], table)
            saved.append(str(table))
        self.status.setText("Saved " + " and ".join(saved))

    def print_pdf(self) -> None:
        """Print through a QPrinter: pages rendered at 150 dpi (else the system viewer)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        if pdftoppm() is None:
            self.open_pdf()
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QPrintDialog.DialogCode.Accepted:
            return
        renderer = PageRenderer(self)
        renderer.rendered.connect(lambda _gen, _dpi, pages: _paint(printer, pages))
        renderer.render(self.pdf_path, self._work, dpi=150)


def _paint(printer, pages: list) -> None:
    """Each page's image scaled to the printer's page, keeping its shape."""
    from PySide6.QtGui import QPainter

    painter = QPainter(printer)
    try:
        page = painter.viewport()
        for i, image in enumerate(pages):
            if i:
                printer.newPage()
            size = image.size().scaled(page.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.save()
            painter.setViewport(page.x(), page.y(), size.width(), size.height())
            painter.setWindow(image.rect())
            painter.drawImage(0, 0, image)
            painter.restore()
    finally:
        painter.end()


TAB = WorkspaceTab(
    key="briefing", title="Briefing", factory=lambda host, ref: BriefingTab(host, ref)
)


# --- the demo case -------------------------------------------------------------------------------


def run_demo_op(host: Host, *, on_done: Callable[[dict], None] | None = None):
    """Build (or find) the demo case on the worker, with progress; then ``on_done(result)``."""
    op = Op(
        host,
        lambda book, task: book.build_demo(progress=task.progress, cancelled=task.cancelled),
        label="Building the demo case",
        changes=lambda r: Changes.everything().for_case(r["case_ref"]),
    ).with_progress(host.window)
    if on_done is not None:
        op.success(on_done)
    return op.run()
