"""The store's cases: the empty state, or the case list beside the selected case's workspace."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtWidgets import QSplitter, QStackedWidget

from casebook.ui import screening_tab, shipments_tab, theme
from casebook.ui.analysis_tab import TAB as ANALYSIS_TAB
from casebook.ui.briefing_tab import TAB as BRIEFING_TAB
from casebook.ui.case_list import CaseListPanel
from casebook.ui.datasets_panel import TAB as DATASETS_TAB
from casebook.ui.evidence_tab import TAB as EVIDENCE_TAB
from casebook.ui.findings_panel import TAB as FINDINGS_TAB
from casebook.ui.firms_tab import TAB as FIRMS_TAB
from casebook.ui.network_tab import TAB as NETWORK_TAB
from casebook.ui.ops import Host
from casebook.ui.people_panel import TAB as PEOPLE_TAB
from casebook.ui.placeholders import EmptyStore, Placeholder
from casebook.ui.settings import Settings
from casebook.ui.timeline_tab import TAB as TIMELINE_TAB
from casebook.ui.workspace import TABS, CaseWorkspace, register_tab

# Tabs that work today; later issues register theirs the same way (or replace one by key).
if not any(t.key == shipments_tab.TAB.key for t in TABS):
    register_tab(shipments_tab.TAB)
if not any(t.key == FIRMS_TAB.key for t in TABS):
    register_tab(FIRMS_TAB)
if not any(t.key == PEOPLE_TAB.key for t in TABS):
    register_tab(PEOPLE_TAB)
if not any(t.key == screening_tab.TAB.key for t in TABS):
    register_tab(screening_tab.TAB)
for _tab in (ANALYSIS_TAB, NETWORK_TAB, TIMELINE_TAB, EVIDENCE_TAB, FINDINGS_TAB, BRIEFING_TAB):
    if not any(t.key == _tab.key for t in TABS):
        register_tab(_tab)
if not any(t.key == DATASETS_TAB.key for t in TABS):
    register_tab(DATASETS_TAB)


class CasesPage(QStackedWidget):
    """Empty state for a store without cases; otherwise list | workspace in a splitter."""

    create_requested = Signal()
    edit_requested = Signal(dict)
    import_requested = Signal()  # "Import data…" on an empty case's Overview
    selection_changed = Signal(object)  # ref or None

    def __init__(self, host: Host, *, on_demo: Callable | None = None, parent=None):
        super().__init__(parent)
        self.empty = EmptyStore(self.create_requested.emit, on_demo)
        self.cases = CaseListPanel()
        self.workspace = CaseWorkspace(host)
        self.no_case = Placeholder(
            theme.icon("case"), "No case selected", "Choose a case in the list to open it."
        )
        self.right = QStackedWidget()
        self.right.addWidget(self.no_case)
        self.right.addWidget(self.workspace)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.cases)
        self.split.addWidget(self.right)
        self.split.setChildrenCollapsible(False)
        self.split.setContentsMargins(8, 8, 8, 0)
        self.split.setSizes([380, 900])  # the list's reference and title; the rest to the case
        self.addWidget(self.empty)
        self.addWidget(self.split)
        self.cases.case_selected.connect(self._on_selected)
        self.cases.case_activated.connect(lambda _ref: self.edit_current())
        self.workspace.edit_requested.connect(self.edit_requested)
        self.workspace.import_requested.connect(self.import_requested)
        self._restore()

    def show_cases(self, cases: list[dict], *, select_first: bool = False) -> None:
        """Show these cases (the empty state when there are none)."""
        self.cases.set_cases(cases)
        self.setCurrentWidget(self.split if cases else self.empty)
        if select_first and cases and not self.cases.selected_ref():
            self.cases.view.selectRow(0)

    def selected_ref(self) -> str | None:
        return self.cases.selected_ref()

    def select(self, ref: str) -> bool:
        return self.cases.select(ref)

    def edit_current(self) -> None:
        """Ask to edit the case shown in the workspace."""
        if self.workspace.case and self.right.currentWidget() is self.workspace:
            self.edit_requested.emit(self.workspace.case)

    def focus_filter(self) -> None:
        self.cases.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.cases.filter.selectAll()

    def _on_selected(self, ref: str | None) -> None:
        if ref is None:
            self.right.setCurrentWidget(self.no_case)
            self.workspace.ref = None
        else:
            self.workspace.show_case(ref)
            self.right.setCurrentWidget(self.workspace)
        self.selection_changed.emit(ref)

    def _restore(self) -> None:
        settings = Settings()
        for name, widget in (("split", self.split), ("cases", self.cases.view.horizontalHeader())):
            saved = settings.value(f"windows/main/{name}")
            if isinstance(saved, QByteArray) and not saved.isEmpty():
                widget.restoreState(saved)

    def save_state(self) -> None:
        settings = Settings()
        settings.set_value("windows/main/split", self.split.saveState())
        settings.set_value("windows/main/cases", self.cases.view.horizontalHeader().saveState())
