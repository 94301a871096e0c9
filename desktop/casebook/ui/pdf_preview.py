"""A PDF's pages on screen, with zoom: Ctrl+wheel, Ctrl++ / Ctrl+- / Ctrl+0 and Fit width.

At 100 % a page is drawn at paper size at the screen's logical DPI, so its text reads as on
paper. Pages are rendered by Poppler's ``pdftoppm`` at the zoom's resolution (times the
screen's device pixel ratio), never a smaller picture scaled up; rendering and decoding run on
a thread of their own, and a zoom step made while one runs stops it and starts the next.
QtPdf is not part of PySide6-Essentials, hence the external renderer.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QPalette, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

#: The zoom steps of Ctrl++ / Ctrl+- and the wheel (fractions of paper size).
ZOOMS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
SETTLE_MS = 120  # a burst of wheel steps renders once, at the last step's zoom


def pdftoppm() -> str | None:
    """The Poppler renderer, when installed."""
    return shutil.which("pdftoppm")


class PageRenderer(QObject):
    """Renders a PDF's pages to images at a resolution, off the GUI thread."""

    rendered = Signal(int, float, list)  # generation, dpi, the pages' QImages in order

    def __init__(self, parent=None):
        super().__init__(parent)
        self.generation = 0
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def render(self, pdf: Path, folder: Path, *, dpi: float) -> bool:
        """Start rendering; a render still running is stopped (its result is never shown)."""
        tool = pdftoppm()
        if tool is None:
            return False
        self.generation += 1
        self.stop()
        args = (tool, pdf, folder, dpi, self.generation)
        threading.Thread(target=self._run, args=args, name="casebook-pages", daemon=True).start()
        return True

    def stop(self) -> None:
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.kill()

    def _run(self, tool: str, pdf: Path, folder: Path, dpi: float, generation: int) -> None:
        out = Path(tempfile.mkdtemp(prefix="pages-", dir=folder))
        try:
            with self._lock:
                if generation != self.generation:
                    return
                self._process = subprocess.Popen(
                    [tool, "-png", "-r", f"{dpi:.2f}", str(pdf), str(out / "page")],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            if self._process.wait() != 0 or generation != self.generation:
                return
            images = [QImage(str(png)) for png in sorted(out.glob("page-*.png"))]
            if generation == self.generation:
                self.rendered.emit(generation, dpi, images)
        except RuntimeError:
            pass  # the preview was closed while its pages rendered
        finally:
            shutil.rmtree(out, ignore_errors=True)


class PagePreview(QWidget):
    """A zoom bar over the pages of one PDF, scrolled vertically."""

    rendered = Signal(int)  # pages shown (after each render)
    zoom_changed = Signal(float)

    def __init__(self, folder: Path, parent=None):
        super().__init__(parent)
        self.folder = folder
        self.pdf: Path | None = None
        self.zoom = 1.0
        self.fit = False  # Fit width: the zoom follows the pane's width
        self.page_points: tuple[float, float] | None = None  # the first page's size on paper
        self.renderer = PageRenderer(self)
        self.renderer.rendered.connect(self._show)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._render)
        self._build()

    def _build(self) -> None:
        self.zoom_out_button = self._tool("−", "Zoom out (Ctrl+-)", self.zoom_out)
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(self.zoom_label.fontMetrics().horizontalAdvance("000 %"))
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = self._tool("+", "Zoom in (Ctrl++)", self.zoom_in)
        self.actual_button = self._tool(
            "Actual size", "Paper size: 100 % (Ctrl+0)", self.actual_size
        )
        self.fit_button = self._tool("Fit width", "Fit the page to the pane's width", None)
        self.fit_button.setCheckable(True)
        self.fit_button.toggled.connect(self.set_fit)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (self.zoom_out_button, self.zoom_label, self.zoom_in_button):
            bar.addWidget(w)
        bar.addSpacing(8)
        bar.addWidget(self.actual_button)
        bar.addWidget(self.fit_button)
        bar.addStretch(1)
        self.pages = QWidget()
        # What the empty pane waits for (the owner says it: ``set_prompt``), then the pages.
        self.prompt = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.prompt.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.pages_layout = QVBoxLayout()
        self.pages_layout.setContentsMargins(0, 0, 0, 0)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        outer = QVBoxLayout(self.pages)
        outer.addWidget(self.prompt)
        outer.addLayout(self.pages_layout, 1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroll.setWidget(self.pages)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a click gives the keys focus
        self.scroll.viewport().installEventFilter(self)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(bar)
        column.addWidget(self.scroll, 1)
        self._show_zoom()

    def _tool(self, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton(text=text, toolTip=tip, autoRaise=True)
        if slot is not None:
            button.clicked.connect(slot)
        return button

    def add_shortcuts(self, scope: QWidget) -> None:
        """Ctrl++ (and Ctrl+=), Ctrl+- and Ctrl+0 wherever the focus is within ``scope``."""
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        keys = [
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence("Ctrl+="), self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            (QKeySequence("Ctrl+0"), self.actual_size),
        ]
        for key, slot in keys:
            QShortcut(key, scope, slot, context=context)

    def set_prompt(self, text: str) -> None:
        """What the pane says while it shows no page."""
        self.prompt.setText(text)

    # --- zoom -----------------------------------------------------------------------------

    def zoom_in(self) -> None:
        self.set_zoom(next((z for z in ZOOMS if z > self.zoom + 0.005), ZOOMS[-1]))

    def zoom_out(self) -> None:
        self.set_zoom(next((z for z in reversed(ZOOMS) if z < self.zoom - 0.005), ZOOMS[0]))

    def actual_size(self) -> None:
        self.set_zoom(1.0)

    def set_zoom(self, zoom: float, *, fit: bool = False) -> None:
        """Zoom to ``zoom`` (1.0 is paper size); any zoom but Fit width's own ends Fit width."""
        if not fit and self.fit:
            self.fit = False
            self.fit_button.setChecked(False)
        zoom = min(max(zoom, ZOOMS[0]), ZOOMS[-1])
        if abs(zoom - self.zoom) < 1e-3:
            return
        self.zoom = zoom
        self._show_zoom()
        self.zoom_changed.emit(zoom)
        self._settle.start()

    def set_fit(self, on: bool) -> None:
        self.fit = on
        if self.fit_button.isChecked() != on:
            self.fit_button.setChecked(on)
        if on:
            self._fit()

    def _fit(self) -> None:
        if self.page_points is None:
            return  # fitted once the first render gives the page's size
        margins = self.pages.layout().contentsMargins()
        room = self.scroll.viewport().width() - margins.left() - margins.right() - 2
        self.set_zoom(room / self._paper_pixels(self.page_points[0]), fit=True)

    def _show_zoom(self) -> None:
        self.zoom_label.setText(f"{round(self.zoom * 100)} %")

    def _paper_pixels(self, points: float) -> float:
        """``points`` (1/72 inch) on this screen at 100 %, in logical pixels."""
        return points / 72 * self.logicalDpiX()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.Wheel and event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier
        ):
            steps = event.angleDelta().y() / 120
            if steps:
                self.set_zoom(self.zoom * 1.1**steps)
            return True
        if event.type() == QEvent.Type.Resize and self.fit:
            self._fit()
        return super().eventFilter(obj, event)

    # --- pages ----------------------------------------------------------------------------

    def show_pdf(self, pdf: Path | None) -> bool:
        """Show ``pdf``'s pages (None: none); False when there is no renderer."""
        self.pdf = pdf
        if pdf is None:
            self.renderer.generation += 1
            self.renderer.stop()
            self._show(self.renderer.generation, 0.0, [])
            return True
        return self._render()

    def _render(self) -> bool:
        if self.pdf is None:
            return True
        dpi = self.logicalDpiX() * self.zoom * self.devicePixelRatioF()
        return self.renderer.render(self.pdf, self.folder, dpi=dpi)

    def _show(self, generation: int, dpi: float, images: list) -> None:
        if generation != self.renderer.generation:
            return  # a later zoom's render is on its way
        while self.pages_layout.count() > len(images):
            self.pages_layout.takeAt(self.pages_layout.count() - 1).widget().deleteLater()
        while self.pages_layout.count() < len(images):
            label = QLabel()
            label.setStyleSheet("border: 1px solid #9aa0a6; background: white;")
            self.pages_layout.addWidget(label)
        ratio = self.devicePixelRatioF()
        for i, image in enumerate(images):
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(ratio)
            self.pages_layout.itemAt(i).widget().setPixmap(pixmap)
        self.prompt.setVisible(not images)
        if images and dpi:
            first = images[0]
            self.page_points = (first.width() * 72 / dpi, first.height() * 72 / dpi)
            if self.fit:
                self._fit()
        self.rendered.emit(len(images))
