"""The main window: case list and workspace, menus, status bar, stores and preferences."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QStackedWidget,
    QWidget,
)

from casebook.core.errors import Refused
from casebook.core.users import os_user
from casebook.core.words import plural
from casebook.ui import exchange_actions, import_wizard, theme
from casebook.ui.ops import Changes, Host
from casebook.ui.placeholders import Placeholder
from casebook.ui.settings import Settings

if TYPE_CHECKING:
    from casebook.ui.cases_page import CasesPage

# Views and dialogs are imported when first needed: the window's first paint waits for nothing
# but its frame (menus, status bar, "Opening store…").

STORE_FILTER = "Casebook stores (*.db *.casebook.db);;All files (*)"
Std = QKeySequence.StandardKey
#: Switching the case's tabs, as browsers and editors do (Ctrl+Shift+Tab arrives as Backtab).
TAB_KEYS = {
    "next_tab": ("Ctrl+Tab", "Ctrl+PgDown"),
    "previous_tab": ("Ctrl+Shift+Tab", "Ctrl+Shift+Backtab", "Ctrl+PgUp"),  # named as typed
}


class StoreDialogs:
    """File choosers for stores; tests patch these two methods."""

    @staticmethod
    def ask_new(parent: QWidget) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(parent, "New store", "cases.db", STORE_FILTER)
        return path or None

    @staticmethod
    def ask_open(parent: QWidget) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(parent, "Open store", "", STORE_FILTER)
        return path or None


class MainWindow(QMainWindow):
    """Cases on the left, the selected case on the right."""

    def __init__(self, *, user: str | None = None):
        super().__init__()
        self.setWindowTitle("Casebook")
        self.setWindowIcon(theme.app_icon())
        self.host = Host(self, user=user)
        self.actions: dict[str, QAction] = {}
        self._build_central()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        self._connect()
        self._restore_state()
        import_wizard.install(self)  # File → Import… and file drops (issue 5)
        exchange_actions.install(self)  # back up, export/import case, verify (issue 11)

    # --- building ---------------------------------------------------------------------------

    def _build_central(self) -> None:
        self.opening = Placeholder(None, "Opening store…")
        self.page: CasesPage | None = None
        self.central = QStackedWidget()
        self.central.addWidget(self.opening)
        self.setCentralWidget(self.central)

    def _ensure_page(self) -> CasesPage:
        """The case list and workspace, built when the first store has opened."""
        if self.page is None:
            from casebook.ui.cases_page import CasesPage

            self.page = CasesPage(self.host, on_demo=self._demo_handler())
            self.page.create_requested.connect(self.new_case)
            self.page.edit_requested.connect(self._edit_case)
            self.page.import_requested.connect(lambda: self.actions["import"].trigger())
            self.page.selection_changed.connect(lambda _ref: self._update_actions())
            self.central.addWidget(self.page)
        return self.page

    def _demo_handler(self) -> Callable | None:
        from casebook.ui.briefing_tab import run_demo_op

        return lambda: run_demo_op(
            self.host, on_done=lambda r: self._ensure_page().select(r["case_ref"])
        )

    def _action(self, key, text, slot, *, shortcut=None, icon=None, tip="") -> QAction:
        action = QAction(text, self)
        if icon:
            action.setIcon(theme.icon(icon))
        if shortcut is not None:
            keys = QKeySequence.keyBindings(shortcut) if isinstance(shortcut, Std) else None
            action.setShortcuts(keys or [QKeySequence(shortcut)])
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.actions[key] = action
        return action

    def _build_actions(self) -> None:
        a = self._action
        a(
            "new_case",
            "&New Case…",
            self.new_case,
            shortcut=Std.New,
            icon="case-new",
            tip="Create a case in this store",
        )
        a(
            "edit_case",
            "&Edit Case…",
            self.edit_selected_case,
            shortcut="Ctrl+E",
            icon="edit",
            tip="Change the title, marking, status, priority or summary",
        )
        a(
            "new_store",
            "New &Store…",
            self.new_store,
            shortcut="Ctrl+Shift+N",
            icon="store-new",
            tip="Create an empty store file",
        )
        a(
            "open_store",
            "&Open Store…",
            self.open_store,
            shortcut=Std.Open,
            icon="store-open",
            tip="Open another store file",
        )
        a(
            "connect_server",
            "&Connect to Server…",
            self.connect_server,
            icon="store-open",
            tip="Work on a shared PostgreSQL server with your team",
        )
        a("quit", "&Quit", self.close, shortcut=Std.Quit, icon="quit")
        a("find", "&Find Case", self.focus_filter, shortcut=Std.Find, icon="search")
        a("search", "&Search Everything…", self.open_search, shortcut="Ctrl+K", icon="search")
        a(
            "refresh",
            "&Refresh",
            lambda: self.host.notify(Changes.everything()),
            shortcut=Std.Refresh,
            icon="refresh",
        )
        # Preferences has no standard key on Linux or Windows; Ctrl+, is the common choice.
        prefs = Std.Preferences if QKeySequence.keyBindings(Std.Preferences) else "Ctrl+,"
        a("preferences", "&Preferences…", self.show_preferences, shortcut=prefs, icon="preferences")
        a("about", "&About Casebook", self.show_about, icon="about")
        undo = self.host.undo_stack.createUndoAction(self, "&Undo")
        redo = self.host.undo_stack.createRedoAction(self, "&Redo")
        for key, action, std, icon in (
            ("undo", undo, Std.Undo, "undo"),
            ("redo", redo, Std.Redo, "redo"),
        ):
            action.setShortcuts(QKeySequence.keyBindings(std))
            action.setIcon(theme.icon(icon))
            self.actions[key] = action
        # Ctrl+Y redoes too, as in most Windows and office programs (besides Ctrl+Shift+Z).
        redo_keys = self.actions["redo"].shortcuts()
        for extra in (QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")):
            if extra not in redo_keys:
                redo_keys.append(extra)
        self.actions["redo"].setShortcuts(redo_keys)
        # Tabs of the case, wherever the focus is (the case list would take Ctrl+PgDown as
        # "next case" otherwise).
        a("next_tab", "&Next Tab", lambda: self._step_tab(1))
        a("previous_tab", "&Previous Tab", lambda: self._step_tab(-1))
        for key, keys in TAB_KEYS.items():
            self.actions[key].setShortcuts([QKeySequence(k) for k in keys])
        for n in range(1, 10):
            a(f"tab_{n}", f"Tab {n}", lambda _c=False, n=n: self._go_to_tab(n), shortcut=f"Alt+{n}")
            self.addAction(self.actions[f"tab_{n}"])  # no menu item: the keys work anywhere
        self.theme_group = QActionGroup(self)
        for key, text in theme.THEMES.items():
            action = a(f"theme_{key}", text, lambda _c=False, k=key: self.set_theme(k))
            action.setCheckable(True)
            action.setChecked(key == Settings().theme)
            self.theme_group.addAction(action)
        self.actions["quit"].setMenuRole(QAction.MenuRole.QuitRole)
        self.actions["preferences"].setMenuRole(QAction.MenuRole.PreferencesRole)
        self.actions["about"].setMenuRole(QAction.MenuRole.AboutRole)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addActions([self.actions["new_case"], self.actions["new_store"]])
        file.addSeparator()
        file.addAction(self.actions["open_store"])
        self.recent_menu = file.addMenu(theme.icon("recent"), "Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file.addAction(self.actions["connect_server"])
        file.addSeparator()
        file.addAction(self.actions["quit"])
        edit = bar.addMenu("&Edit")
        edit.addActions([self.actions["undo"], self.actions["redo"]])
        edit.addSeparator()
        edit.addActions([self.actions["edit_case"], self.actions["find"]])
        edit.addAction(self.actions["search"])
        edit.addSeparator()
        edit.addAction(self.actions["preferences"])
        view = bar.addMenu("&View")
        view.addAction(self.actions["refresh"])
        view.addSeparator()
        view.addActions([self.actions["next_tab"], self.actions["previous_tab"]])
        view.addSeparator()
        themes = view.addMenu("&Theme")
        themes.addActions(self.theme_group.actions())
        help_ = bar.addMenu("&Help")
        help_.addAction(self.actions["about"])

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.busy = QProgressBar(maximumWidth=110, maximumHeight=14, textVisible=False)
        self.busy.setRange(0, 0)
        self.busy.hide()
        self.busy_label = QLabel()
        self.store_label = QLabel()
        self.count_label = QLabel()
        status.addPermanentWidget(self.busy_label)
        status.addPermanentWidget(self.busy)
        status.addPermanentWidget(self.count_label)
        status.addPermanentWidget(self.store_label)
        self.host.message.connect(lambda text: status.showMessage(text, 8000))

    def _connect(self) -> None:
        self.host.changed.connect(self.on_changes)
        self.host.busy_changed.connect(self._on_busy)
        self.host.store_opened.connect(self._on_store_opened)
        self._update_actions()

    # --- state ------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        """Where the window was when it closed, kept on a screen that is there now; at first
        start, most of the screen (the workspace has eleven tabs)."""
        geometry, state = Settings().window_state("main")
        restored = isinstance(geometry, QByteArray) and not geometry.isEmpty()
        if restored:
            self.restoreGeometry(geometry)
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            self.setGeometry(on_screen(self.geometry(), screen, fill=0.0 if restored else 0.9))
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def save_state(self) -> None:
        settings = Settings()
        settings.save_window_state("main", self.saveGeometry(), self.saveState())
        if self.page is not None:
            self.page.save_state()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.host.close()
        super().closeEvent(event)

    # --- stores -----------------------------------------------------------------------------

    def open_store_at(self, path: str | Path | None, *, create: bool = True) -> None:
        """Open (or create) the store at ``path`` on the worker; the window stays live."""
        if self.host.book is None:
            self.central.setCurrentWidget(self.opening)
        self.statusBar().showMessage(f"Opening {path or 'the default store'}…")
        self.host.open_store(path, create=create)

    def new_store(self) -> None:
        path = StoreDialogs.ask_new(self)
        if path:
            if Path(path).exists():
                self.host.present_error(Refused(f"{path} exists; choose a new file name"))
                return
            self.open_store_at(path, create=True)

    def open_store(self) -> None:
        path = StoreDialogs.ask_open(self)
        if path:
            self.open_store_at(path, create=False)

    def connect_server(self) -> None:
        """File → Connect to Server…: open the store on a PostgreSQL server by its URL."""
        from casebook.ui.connect_dialog import ConnectDialog

        url = ConnectDialog.ask(self)
        if url:
            self.open_store_at(url, create=True)

    def _fill_recent(self) -> None:
        menu: QMenu = self.recent_menu
        menu.clear()
        recent = Settings().recent_stores
        for path in recent:
            action = menu.addAction(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_store_at(p, create=False))
        if not recent:
            menu.addAction("No recent stores").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear list", lambda: Settings().set_value("stores/recent", []))

    def _on_store_opened(self) -> None:
        book = self.host.book
        who = book.identity()
        if who["server"]:
            Settings().add_recent_server(who["server"])
            where = book.store.location
            place = f"{where.dbname} on {where.host or 'this computer'}"
            self.setWindowTitle(f"{place} — {who['login']} — Casebook")
            self.store_label.setText(f"{who['server']} · signed in as {who['login']}")
            self.store_label.setToolTip(f"Server {who['server']}, login {who['login']}")
            self.statusBar().showMessage(f"Connected to {who['server']} as {who['login']}", 5000)
            return
        Settings().add_recent_store(book.path)
        self.setWindowTitle(f"{book.path.name} — Casebook")
        self.store_label.setText(_elide_path(book.path))
        self.store_label.setToolTip(str(book.path))
        self.statusBar().showMessage(f"Opened {book.path}", 5000)

    # --- cases ------------------------------------------------------------------------------

    def on_changes(self, changes: Changes) -> None:
        """Refresh the list when cases changed, and switch between empty and list views."""
        if self.host.book is None:
            self.central.setCurrentWidget(self.opening)
            return
        if not changes.touches("cases"):
            return
        from casebook.book.cases import case_json  # loaded with the open store

        cases = [case_json(c) for c in self.host.book.list_cases()]
        page = self._ensure_page()
        page.show_cases(cases, select_first=changes.store)
        self.central.setCurrentWidget(page)
        self.count_label.setText(plural(len(cases), "case"))
        self._update_actions()

    def new_case(self) -> None:
        if self.host.book is None:
            return
        from casebook.ui.case_dialog import CaseDialog

        CaseDialog.ask(self, self._create_case, marking=Settings().default_marking)

    def _create_case(self, values: dict) -> None:
        from casebook.ui.case_ops import create_case

        create_case(self.host, values, on_created=self._case_created)

    def _case_created(self, case: dict) -> None:
        self._ensure_page().select(case["ref"])
        self.statusBar().showMessage(f"Created case {case['ref']}", 5000)

    def edit_selected_case(self) -> None:
        if self.page is not None:
            self.page.edit_current()

    def _edit_case(self, case: dict) -> None:
        from casebook.ui.case_dialog import CaseDialog

        # the version the editor starts from: a colleague's save meanwhile refuses this one
        version = self.host.book.record_version("case", case["ref"])["version"]
        CaseDialog.ask(
            self, lambda values: self._save_case(case, values, version=version), case=case
        )

    def _save_case(self, before: dict, values: dict, *, version: str | None = None) -> None:
        from casebook.ui.case_ops import edit_case

        ref = before["ref"]
        job = edit_case(
            self.host,
            before,
            values,
            on_edited=lambda _c: self.statusBar().showMessage(f"Saved case {ref}", 5000),
            version=version,
        )
        if job is None:
            self.statusBar().showMessage("Nothing changed", 3000)

    def open_search(self) -> None:
        """Ctrl+K: the search box over everything in the store."""
        if self.host.book is not None and self.page is not None:
            from casebook.ui.search_box import SearchBox

            SearchBox.for_window(self).popup()

    def focus_filter(self) -> None:
        if self.page is not None:
            self.page.focus_filter()

    def _update_actions(self) -> None:
        has_store = self.host.book is not None
        selected = self.page is not None and self.page.selected_ref() is not None
        self.actions["new_case"].setEnabled(has_store)
        self.actions["edit_case"].setEnabled(has_store and selected)

    def _on_busy(self, busy: bool, label: str) -> None:
        self.busy.setVisible(busy)
        self.busy_label.setText(f"{label}…" if busy and label else "")

    # --- tabs and theme ---------------------------------------------------------------------

    def _workspace(self):
        """The case workspace when a case is shown, else None."""
        page = self.page
        if page is None or page.right.currentWidget() is not page.workspace:
            return None
        return page.workspace

    def _step_tab(self, step: int) -> None:
        workspace = self._workspace()
        if workspace is not None:
            tabs = workspace.tabs
            tabs.setCurrentIndex((tabs.currentIndex() + step) % tabs.count())

    def _go_to_tab(self, n: int) -> None:
        workspace = self._workspace()
        if workspace is not None and n <= workspace.tabs.count():
            workspace.tabs.setCurrentIndex(n - 1)

    def set_theme(self, choice: str) -> None:
        """View → Theme: light, dark or the system's, kept for the next start."""
        choice = theme.apply_theme(QApplication.instance(), choice)
        Settings().theme = choice
        self.actions[f"theme_{choice}"].setChecked(True)

    # --- dialogs ----------------------------------------------------------------------------

    def show_preferences(self) -> None:
        from casebook.ui.preferences import PreferencesDialog

        PreferencesDialog.ask(self, self._preferences_saved, os_user=os_user(missing=""))

    def _preferences_saved(self) -> None:
        self.host.set_analyst(Settings().analyst)
        self.statusBar().showMessage("Preferences saved", 3000)

    def show_about(self) -> None:
        from casebook.ui.about import AboutDialog

        book = self.host.book
        head = book.head_hash() if book is not None else ""
        AboutDialog.ask(self, store=book.path if book else None, head_hash=head)


def on_screen(frame: QRect, screen: QRect, *, fill: float = 0.0) -> QRect:
    """``frame`` moved and shrunk to lie on ``screen`` (a window saved on a monitor that is gone,
    or larger than this screen); with ``fill``, first sized to that part of the screen."""
    rect = QRect(frame)
    if fill:
        rect.setSize(screen.size() * fill)
        rect.moveCenter(screen.center())
    rect.setWidth(min(rect.width(), screen.width()))
    rect.setHeight(min(rect.height(), screen.height()))
    x = min(max(rect.x(), screen.left()), screen.right() + 1 - rect.width())
    y = min(max(rect.y(), screen.top()), screen.bottom() + 1 - rect.height())
    rect.moveTo(x, y)
    return rect


def _elide_path(path: Path, limit: int = 60) -> str:
    text = str(path)
    if sys.platform != "win32" and text.startswith(str(Path.home())):
        text = "~" + text[len(str(Path.home())) :]
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]
