"""The case workspace: marking banner, header, the filter bar, and tabs (Overview first).

A tab is added with ``register_tab(WorkspaceTab(...))``. Its factory builds a widget for one
case; the widget may define:

- ``on_changes(changes)``: refresh after ops;
- ``set_workspace(workspace)``: called right after the factory built it; the tab talks to the
  other tabs only through the workspace (``show``, ``show_shipments``, ``lens``), never by
  walking its parents or reading another tab's attributes;
- ``set_lens(lens)``: show only the shipments of ``lens`` (a ``ShipmentFilter``); called once
  after construction and whenever the filter bar changes;
- ``reveal(kind, uid) -> bool``: select the item (``"firm"``, ``"shipment"``, ``"evidence"``,
  ``"finding"``, ``"dataset"``) when the tab has it; called by ``CaseWorkspace.show``, and
  for a tab built later with the item of each kind last shown in the case (a tab still
  reading selects it once its read lands).

A tab is shown only when ``shown(counts)`` says it has something that works (e.g. shipments
were imported). The filter bar's lens is kept per case for the session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt, QTimer, Signal
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
from shiboken6 import isValid

from casebook.core.errors import CasebookError, NotFound
from casebook.core.filters import EVERYTHING, ShipmentFilter
from casebook.ui import theme
from casebook.ui.case_list import STATUS_COLOURS, local_time
from casebook.ui.filter_bar import FIRM_CHOICES, FilterBar
from casebook.ui.ops import Changes, Host, Op

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
#: The tab that owns each kind of item (``CaseWorkspace.show`` selects it there first).
HOME_TABS = {
    "firm": "firms",
    "shipment": "shipments",
    "evidence": "evidence",
    "finding": "findings",
    "dataset": "datasets",
    "person": "people",
}


@dataclass(frozen=True)
class WorkspaceTab:
    """A tab of the case workspace."""

    key: str
    title: str
    factory: Callable[[Host, str], QWidget]
    shown: Callable[[dict], bool] = lambda counts: True
    #: What the tab needs loaded off the GUI thread before it is built on show (e.g. matplotlib):
    #: None when ready, else the thread loading it; the tab says "Loading…" until it ends.
    warming: Callable[[], threading.Thread | None] | None = None


TABS: list[WorkspaceTab] = []


def register_tab(tab: WorkspaceTab) -> None:
    """Add a tab after the Overview (in registration order)."""
    TABS[:] = [t for t in TABS if t.key != tab.key] + [tab]


class LensTab:
    """The lens plumbing of the chart tabs (a mixin before ``QWidget``; the tab defines
    ``reload()``): ``set_workspace``, ``set_lens`` (kept; re-read once loaded) and the first
    read, deferred until the tab is first shown or the DB worker has nothing else to do, so
    that the tab the analyst opens reads first and a lens told right after construction is
    read once."""

    workspace: CaseWorkspace | None = None
    lens: ShipmentFilter = EVERYTHING
    _loaded = False

    def _defer_first_load(self, host: Host) -> None:
        host.worker.busy_changed.connect(self._worker_busy)
        QTimer.singleShot(0, self, lambda: self._worker_busy(host.worker.busy))

    def _worker_busy(self, busy: bool) -> None:
        if not busy and isValid(self):
            self._first_load()

    def _first_load(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.reload()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        self._first_load()

    def set_workspace(self, workspace: CaseWorkspace) -> None:
        self.workspace = workspace

    def set_lens(self, lens: ShipmentFilter | None) -> None:
        """Show the shipments of ``lens`` only (None or empty: the whole case)."""
        lens = lens or EVERYTHING
        if lens == self.lens:
            return
        self.lens = lens
        self.lens_changed()
        if self._loaded:
            self.reload()

    def lens_changed(self) -> None:
        """Called when the lens changed, before the re-read (e.g. to say what it shows)."""


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
    """Summary and counts of the case; a case without data offers "Import data…"."""

    import_requested = Signal()

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
        self.empty = QWidget()  # shown while the case has no data: what to do first
        empty = QVBoxLayout(self.empty)
        empty.setContentsMargins(0, 0, 0, 14)
        empty.addWidget(
            QLabel(
                "This case has no data yet. Import shipment records or trade statistics (CSV "
                "or Excel) to see its shipments, firms, charts and network.",
                wordWrap=True,
            )
        )
        self.import_button = QPushButton("Import data…")
        self.import_button.clicked.connect(self.import_requested)
        empty.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.empty.hide()
        layout.addWidget(self.empty)
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
        self.empty.setVisible(not counts.get("datasets", 0))
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
        self.facts_line = QHBoxLayout()  # the facts, then the filter bar's toggle and lens
        self.facts_line.setSpacing(16)
        self.facts_line.addWidget(self.facts)
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addWidget(self.title)
        text.addLayout(self.facts_line)
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


def _start_key(bound: str) -> str:
    return bound + "-01-01"[len(bound) - 4 :]


def _end_key(bound: str) -> str:
    return bound + "-12-31"[len(bound) - 4 :]


def narrowed(lens: ShipmentFilter, clicked: dict) -> ShipmentFilter:
    """``lens`` narrowed by what was clicked on a chart or a timeline (``date_from``,
    ``date_to``, ``hs``, ``origin``, ``dispatch``, ``destination``, ``firm``, ``dataset``,
    ``text``): the later start, the earlier end, the common countries; a firm, dataset, code or
    text clicked replaces the lens's. Raises UsageError for a value the filter refuses."""
    extra = ShipmentFilter.parse(**clicked)
    start = max((b for b in (lens.date_from, extra.date_from) if b), key=_start_key, default=None)
    end = min((b for b in (lens.date_to, extra.date_to) if b), key=_end_key, default=None)
    countries = {}
    for name in ("origin", "dispatch", "destination"):
        mine, theirs = getattr(lens, name), getattr(extra, name)
        countries[name] = (
            tuple(c for c in mine if c in theirs) if mine and theirs else mine or theirs
        )
    return replace(
        lens,
        date_from=start,
        date_to=end,
        hs=extra.hs or lens.hs,
        firms=extra.firms or lens.firms,
        datasets=extra.datasets or lens.datasets,
        text=extra.text or lens.text,
        **countries,
    )


class TabPage(QWidget):
    """Where a tab stands in the tab widget: empty until first shown (or asked for), then its
    widget, built by ``build`` (so that opening a case builds only the tab shown; the Analysis
    tab's seven figures, the Network tab's scene … wait until the analyst opens them). A tab
    that needs a module loaded first (``warming``) is built, when shown, once it is loaded."""

    built = Signal(QWidget)  # the tab's widget, just built

    def __init__(self, key: str, build: Callable[[str], QWidget], warming=None):
        super().__init__()
        self.key = key
        self.content: QWidget | None = None
        self._build = build
        self._warming = warming
        self._loading: QLabel | None = None
        self._poll = QTimer(self, interval=50, timeout=self._warmed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def widget(self) -> QWidget:
        """The tab's widget, built now if it was not yet."""
        if self.content is None:
            self._poll.stop()
            if self._loading is not None:
                self._loading.deleteLater()
                self._loading = None
            self.content = self._build(self.key)
            self.layout().addWidget(self.content)
            self.content.show()
            self.built.emit(self.content)
        return self.content

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if self.content is None:
            thread = self._warming() if self._warming else None
            if thread is None:
                self.widget()
            elif self._loading is None:
                self._loading = _muted(QLabel("Loading…", alignment=Qt.AlignmentFlag.AlignCenter))
                self.layout().addWidget(self._loading)
                self._thread = thread
                self._poll.start()
        super().showEvent(event)

    def _warmed(self) -> None:
        if self._thread.is_alive():
            return
        self._poll.stop()
        if self.isVisible():
            self.widget()
        elif self._loading is not None:  # built on the next show
            self._loading.deleteLater()
            self._loading = None


class CaseTabs(QTabWidget):
    """The workspace's tabs: each (but the Overview) in a ``TabPage``, built on first show.
    ``widget``, ``currentWidget``, ``indexOf`` and ``setCurrentWidget`` speak of the tabs'
    own widgets (a tab asked for is built), as on a plain QTabWidget."""

    def widget(self, index: int) -> QWidget | None:
        page = super().widget(index)
        return page.widget() if isinstance(page, TabPage) else page

    def currentWidget(self) -> QWidget | None:  # noqa: N802 (Qt naming)
        return self.widget(self.currentIndex())

    def indexOf(self, widget: QWidget) -> int:  # noqa: N802 (Qt naming)
        for index in range(self.count()):
            page = super().widget(index)
            if page is widget or (isinstance(page, TabPage) and page.content is widget):
                return index
        return -1

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802 (Qt naming)
        index = self.indexOf(widget)
        if index >= 0:
            self.setCurrentIndex(index)


class LazyTabs(Mapping):
    """The case's tabs by key (those it shows): reading one builds it; ``built()`` lists the
    ones built, which alone hear of lenses and changes (a tab built later reads afresh)."""

    def __init__(self) -> None:
        self.pages: dict[str, TabPage] = {}

    def __getitem__(self, key: str) -> QWidget:
        return self.pages[key].widget()

    def __contains__(self, key: object) -> bool:  # offered, built or not (builds nothing)
        return key in self.pages

    def __iter__(self):
        return iter(self.pages)

    def __len__(self) -> int:
        return len(self.pages)

    def built(self) -> dict[str, QWidget]:
        return {k: p.content for k, p in self.pages.items() if p.content is not None}


class CaseWorkspace(QWidget):
    """One case: banner, header, filter bar, tabs; the tabs talk to each other through it."""

    edit_requested = Signal(dict)
    import_requested = Signal()  # the Overview's "Import data…" of a case without data
    lens_changed = Signal(object)  # the ShipmentFilter every tab now shows

    def __init__(self, host: Host, parent=None):
        super().__init__(parent)
        self.host = host
        self.ref: str | None = None
        self.case: dict | None = None
        self.counts: dict = {}
        self._lenses: dict[str, ShipmentFilter] = {}  # per case, for the session
        self._selected: dict[str, dict[str, str]] = {}  # per case: kind -> uid last shown
        self._showing = False
        self.banner = MarkingBanner()
        self.header = CaseHeader()
        self.filter_bar = FilterBar()
        self.tabs = CaseTabs(documentMode=True)
        self.overview = OverviewTab()
        self.tabs.addTab(self.overview, theme.icon("case"), "Overview")
        self._extra = LazyTabs()  # built on first show or first asked for
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.header)
        self.header.facts_line.addWidget(self.filter_bar.head, 1)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.tabs, 1)
        self.header.edit_requested.connect(
            lambda: self.case and self.edit_requested.emit(self.case)
        )
        self.filter_bar.applied.connect(self.set_lens)
        self.overview.import_requested.connect(self.import_requested)
        host.changed.connect(self.on_changes)

    # --- the lens --------------------------------------------------------------------------

    @property
    def lens(self) -> ShipmentFilter:
        """The filter bar's lens on the case shown (the whole case when none is set)."""
        return self._lenses.get(self.ref, EVERYTHING) if self.ref else EVERYTHING

    def set_lens(self, lens: ShipmentFilter) -> None:
        """Show ``lens`` in the bar and in every tab (kept for this case for the session)."""
        if self.ref is None:
            return
        self._lenses[self.ref] = lens
        self.filter_bar.show_lens(lens)
        for widget in self._extra.built().values():
            if hasattr(widget, "set_lens"):
                widget.set_lens(lens)
        self.lens_changed.emit(lens)

    def describe(self, lens: ShipmentFilter | None = None) -> str:
        """``lens`` (default: the bar's) in words, firms and datasets by name ("" when empty)."""
        return self.filter_bar.describe(self.lens if lens is None else lens)

    def _fill_bar(self) -> None:
        """The case's firms and datasets to pick from in the bar, read on the worker (a case
        of thousands of firms takes a moment); a reply for a case left meanwhile is dropped."""
        ref = self.ref

        def work(book):
            firms = book.firm_page_source(ref).fetch(0, FIRM_CHOICES, "name")
            datasets = [
                (d["uid"], d["file_name"])
                for d in book.list_datasets(case_ref=ref)
                if d["kind"] == "shipments"
            ]
            return [(row[4], _firm_name(row)) for row in firms], datasets

        def done(choices) -> None:
            if isValid(self) and self.ref == ref:
                self.filter_bar.set_choices(*choices)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, CasebookError):  # the case went away: the list says so
                self.host.present_error(exc)

        Op(self.host, work, label="Reading the case's firms").success(done).failure(failed).run()

    # --- between tabs ----------------------------------------------------------------------

    def show(self, kind: str | None = None, uid: str = "", *, switch: bool = False) -> bool:
        """Without arguments, QWidget.show(). Otherwise select ``kind``/``uid`` in the tab that owns it and in every other tab that shows
        it (the Network tab selects the firm's node, the Timeline its lane); True when a tab
        has it. The current tab stays unless ``switch`` (then the owner, or the first tab that
        has it, is brought to the front). A tab selecting an item while being told is not
        told again."""
        if kind is None:
            super().show()
            return True
        if self._showing:
            return False
        self._showing = True
        if self.ref is not None:  # a tab built later selects it too (``_build_tab``)
            self._selected.setdefault(self.ref, {})[kind] = uid
        try:
            owner = self._extra.get(HOME_TABS.get(kind, ""))  # built if it was not
            shown = [
                widget
                for widget in sorted(self._extra.built().values(), key=lambda w: w is not owner)
                if hasattr(widget, "reveal") and widget.reveal(kind, uid)
            ]
        finally:
            self._showing = False
        if switch and shown:
            self.tabs.setCurrentWidget(shown[0])
        return bool(shown)

    def show_shipments(self, lens: ShipmentFilter) -> bool:
        """Bring the Shipments tab to the front showing exactly ``lens`` (e.g. the bar's lens
        narrowed to a clicked month); the bar stays as it is. False when the case has no
        Shipments tab."""
        tab = self._extra.get("shipments")
        if tab is None:
            return False
        tab.set_lens(lens)
        self.tabs.setCurrentWidget(tab)
        return True

    # --- the case --------------------------------------------------------------------------

    def show_case(self, ref: str) -> None:
        """Show case ``ref`` (read through the read engine; small queries), with its lens."""
        if ref != self.ref:
            self._drop_tabs()
        self.ref = ref
        self.filter_bar.show_lens(self.lens)
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
        has_shipments = self.counts.get("shipments", 0) > 0
        self.filter_bar.head.setVisible(has_shipments)
        if not has_shipments:
            self.filter_bar.set_expanded(False)
        self._fill_bar()
        self._sync_tabs()

    def tab(self, key: str) -> QWidget | None:
        """The widget of tab ``key`` (``"firms"``, ``"evidence"`` …) when the case shows it."""
        return self._extra.get(key)

    def _sync_tabs(self) -> None:
        for tab in TABS:
            wanted = tab.shown(self.counts)
            if wanted and tab.key not in self._extra:
                page = TabPage(tab.key, self._build_tab, tab.warming)
                self._extra.pages[tab.key] = page
                self.tabs.addTab(page, tab.title)
            elif not wanted and tab.key in self._extra:
                self._remove_tab(tab.key)

    def _build_tab(self, key: str) -> QWidget:
        """Tab ``key``'s widget for the case shown, told the workspace and the lens."""
        tab = next(t for t in TABS if t.key == key)
        widget = tab.factory(self.host, self.ref)
        if hasattr(widget, "set_workspace"):
            widget.set_workspace(self)
        if hasattr(widget, "set_lens"):
            widget.set_lens(self.lens)
        if hasattr(widget, "reveal"):  # what the other tabs were told to select meanwhile
            for kind, uid in self._selected.get(self.ref, {}).items():
                widget.reveal(kind, uid)
        return widget

    def _remove_tab(self, key: str) -> None:
        page = self._extra.pages.pop(key)
        self.tabs.removeTab(self.tabs.indexOf(page))
        page.deleteLater()

    def _drop_tabs(self) -> None:
        self.tabs.setCurrentIndex(0)  # no other tab shown (and so built) as they go
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
        for widget in self._extra.built().values():
            if hasattr(widget, "on_changes"):
                widget.on_changes(changes)


def _firm_name(row: tuple) -> str:
    """A firm as the bar lists it: its name, the native one beside it, and its country."""
    name, native, country = row[0], row[1], row[2]
    shown = f"{name} / {native}" if native and native != name else name
    return f"{shown} ({country})" if country else shown
