"""The case workspace: marking banner, header, and tabs (Overview first; later issues add more).

A tab is added with ``register_tab(WorkspaceTab(...))``. Its factory builds a widget for one
case; the widget may define ``on_changes(changes)`` to refresh after ops. A tab is shown only
when ``shown(counts)`` says it has something that works (e.g. shipments were imported).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from casebook.core.errors import NotFound
from casebook.ui import theme
from casebook.ui.case_list import STATUS_COLOURS, local_time
from casebook.ui.ops import Changes, Host

COUNT_LABELS = [
    ("datasets", "Datasets"),
    ("shipments", "Shipments"),
    ("firms", "Firms"),
    ("relationships", "Relationships"),
    ("evidence", "Evidence items"),
    ("findings", "Key judgments"),
    ("hits", "Screening hits"),
]
COUNT_FLAGS = tuple(key for key, _label in COUNT_LABELS)


@dataclass(frozen=True)
class WorkspaceTab:
    """A tab of the case workspace."""

    key: str
    title: str
    factory: Callable[[Host, str], QWidget]
    shown: Callable[[dict], bool] = lambda counts: True


TABS: list[WorkspaceTab] = []


def register_tab(tab: WorkspaceTab) -> None:
    """Add a tab after the Overview (in registration order)."""
    TABS[:] = [t for t in TABS if t.key != tab.key] + [tab]


class MarkingBanner(QLabel):
    """The case's handling marking across the top: TLP colour on black, with its meaning."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setContentsMargins(14, 7, 14, 7)
        self.setAutoFillBackground(True)

    def set_marking(self, label: str) -> None:
        colour = theme.marking_colour(label).name()
        meaning = theme.marking_meaning(label)
        self.setText(
            f'<span style="color:{colour}; font-weight:bold; letter-spacing:1px">{label}</span>'
            f'&nbsp;&nbsp;<span style="color:#D0D0D0">{meaning}</span>'
        )
        self.setStyleSheet("background: #000000; border-radius: 4px;")
        self.setAccessibleName(f"Handling marking {label}: {meaning}")


def _muted(label: QLabel) -> QLabel:
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class OverviewTab(QScrollArea):
    """Summary and counts of the case."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.summary = QLabel(
            wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.counts: dict[str, QLabel] = {}
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(self._heading("Summary"))
        layout.addWidget(self.summary)
        layout.addSpacing(14)
        layout.addWidget(self._heading("In this case"))
        layout.addLayout(self._count_grid())
        self.dates = _muted(QLabel())
        layout.addSpacing(14)
        layout.addWidget(self.dates)
        layout.addStretch(1)
        self.setWidget(body)

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setFont(theme.scaled_font(self.font(), 1.1, bold=True))
        return label

    def _count_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(36)
        grid.setVerticalSpacing(2)
        for i, (key, text) in enumerate(COUNT_LABELS):
            value = QLabel("0")
            value.setFont(theme.scaled_font(self.font(), 1.45, bold=True))
            self.counts[key] = value
            row, col = divmod(i, 4)
            grid.addWidget(value, row * 3, col)
            grid.addWidget(_muted(QLabel(text)), row * 3 + 1, col)
            grid.setRowMinimumHeight(row * 3 + 2, 10)
        grid.setColumnStretch(4, 1)
        return grid

    def show_case(self, case: dict, counts: dict) -> None:
        summary = case.get("summary") or ""
        self.summary.setText(summary or "No summary yet. Use Edit case to write one.")
        self.summary.setForegroundRole(
            QPalette.ColorRole.WindowText if summary else QPalette.ColorRole.PlaceholderText
        )
        for key, label in self.counts.items():
            label.setText(f"{counts.get(key, 0):,}")
        self.dates.setText(
            f"Created {local_time(case['created'])} · Updated {local_time(case['updated'])}"
        )


class CaseHeader(QWidget):
    """Title, reference, status and priority, with the Edit button."""

    edit_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel(
            wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.title.setFont(theme.scaled_font(self.font(), 1.6, bold=True))
        self.facts = QLabel(textFormat=Qt.TextFormat.RichText)
        self.edit = QPushButton(theme.icon("edit"), "Edit case…")
        self.edit.clicked.connect(self.edit_requested)
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addWidget(self.title)
        text.addWidget(self.facts)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 2)
        layout.addLayout(text, 1)
        layout.addWidget(self.edit, 0, Qt.AlignmentFlag.AlignTop)

    def show_case(self, case: dict) -> None:
        self.title.setText(case["title"])
        dot = STATUS_COLOURS.get(case["status"], "#888888")
        self.facts.setText(
            f"<b>{case['ref']}</b> &nbsp;·&nbsp; <span style='color:{dot}'>●</span> "
            f"{case['status'].capitalize()} &nbsp;·&nbsp; {case['priority'].capitalize()} priority"
        )


class CaseWorkspace(QWidget):
    """One case: banner, header, tabs."""

    edit_requested = Signal(dict)

    def __init__(self, host: Host, parent=None):
        super().__init__(parent)
        self.host = host
        self.ref: str | None = None
        self.case: dict | None = None
        self.counts: dict = {}
        self.banner = MarkingBanner()
        self.header = CaseHeader()
        self.tabs = QTabWidget(documentMode=True)
        self.overview = OverviewTab()
        self.tabs.addTab(self.overview, theme.icon("case"), "Overview")
        self._extra: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        self.header.edit_requested.connect(
            lambda: self.case and self.edit_requested.emit(self.case)
        )
        host.changed.connect(self.on_changes)

    def show_case(self, ref: str) -> None:
        """Show case ``ref`` (read through the read engine; small queries)."""
        if ref != self.ref:
            self._drop_tabs()
        self.ref = ref
        self.reload()

    def reload(self) -> None:
        from casebook.book.cases import case_json  # loaded with the open store

        book = self.host.book
        if book is None or self.ref is None:
            return
        self.case = case_json(book.get_case(self.ref))
        self.counts = book.case_counts(self.ref)
        self.banner.set_marking(self.case["marking"])
        self.header.show_case(self.case)
        self.overview.show_case(self.case, self.counts)
        self._sync_tabs()

    def tab(self, key: str) -> QWidget | None:
        """The widget of tab ``key`` (``"firms"``, ``"evidence"`` …) when the case shows it."""
        return self._extra.get(key)

    def _sync_tabs(self) -> None:
        for tab in TABS:
            wanted = tab.shown(self.counts)
            if wanted and tab.key not in self._extra:
                widget = tab.factory(self.host, self.ref)
                self._extra[tab.key] = widget
                self.tabs.addTab(widget, tab.title)
            elif not wanted and tab.key in self._extra:
                self._remove_tab(tab.key)

    def _remove_tab(self, key: str) -> None:
        widget = self._extra.pop(key)
        self.tabs.removeTab(self.tabs.indexOf(widget))
        widget.deleteLater()

    def _drop_tabs(self) -> None:
        for key in list(self._extra):
            self._remove_tab(key)
        self.tabs.setCurrentIndex(0)

    def on_changes(self, changes: Changes) -> None:
        if self.ref is None or (changes.case_ref not in (None, self.ref) and not changes.store):
            return
        if changes.touches("case", *COUNT_FLAGS):
            try:
                self.reload()
            except NotFound:  # the case went away (undo of its creation); the list says so
                return
        for widget in self._extra.values():
            if hasattr(widget, "on_changes"):
                widget.on_changes(changes)
