"""File → Back up…, Export Case…, Import Case…, Print Chart…; Tools → Verify Store; a quick
check on open.

Actions run on the DB worker through ``Op`` (the quick check on open reads in a thread of its
own, so the worker's queue is untouched); reports are shown as plain text (never as markup:
names and details come from data). ``ExchangeDialogs`` holds the file choosers and the
report box, which tests patch.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from casebook.core.errors import CasebookError
from casebook.ui.ops import Changes, Op

EXPORT_FILTERS = (
    "Case bundle (*.casebook);;FollowTheMoney entities (*.ftm.json);;"
    "FollowTheMoney lines (*.ftm.jsonl);;Excel workbook (*.xlsx);;CSV files in a zip (*.zip)"
)


class ExchangeDialogs:
    """File choosers and the report box (tests patch these)."""

    @staticmethod
    def ask_backup(parent: QWidget) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        name = f"casebook-backup-{datetime.now():%Y%m%d-%H%M}.zip"
        path, _ = QFileDialog.getSaveFileName(parent, "Back up", name, "Backups (*.zip)")
        return path or None

    @staticmethod
    def ask_export(parent: QWidget, ref: str) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        path, chosen = QFileDialog.getSaveFileName(
            parent, f"Export case {ref}", f"{ref}.casebook", EXPORT_FILTERS
        )
        if path and "." not in Path(path).name:  # no suffix typed: the chosen filter's
            path += chosen[chosen.index("*") + 1 : chosen.index(")")]
        return path or None

    @staticmethod
    def ask_import(parent: QWidget) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            parent, "Import case", "", "Case bundles (*.casebook);;All files (*)"
        )
        return path or None

    @staticmethod
    def ask_print_chart(parent: QWidget, ref: str) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            parent, f"Print the chart of {ref}", f"{ref}-chart.pdf", "PDF files (*.pdf)"
        )
        if path and not path.lower().endswith(".pdf"):
            path += ".pdf"
        return path or None

    @staticmethod
    def report(parent: QWidget, title: str, text: str, *, warning: bool = False) -> None:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information)
        box.setWindowTitle(title)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(text)
        box.open()


def install(window) -> None:
    """Add the actions to the main window's File and Tools menus; check each opened store."""
    bar = window.menuBar()
    file_menu = bar.actions()[0].menu()
    before = window.actions.get("quit")

    def action(key: str, text: str, slot: Callable, tip: str) -> QAction:
        act = QAction(text, window)
        act.setStatusTip(tip)
        act.triggered.connect(slot)
        window.actions[key] = act
        return act

    file_menu.insertSeparator(before)
    file_menu.insertAction(
        before,
        action("export_case", "E&xport Case…", lambda: export_case(window),
               "Write the selected case as a bundle, FollowTheMoney, Excel or CSV"),
    )  # fmt: skip
    file_menu.insertAction(
        before,
        action("import_case", "Import &Case…", lambda: import_case(window),
               "Merge a colleague's .casebook bundle into this store"),
    )  # fmt: skip
    file_menu.insertAction(
        before,
        action("backup", "&Back Up…", lambda: back_up(window),
               "Copy the store and its evidence files into one zip"),
    )  # fmt: skip
    file_menu.insertAction(
        before,
        action("print_chart", "&Print Chart…", lambda: print_chart(window),
               "Write the Network tab's chart, as shown, to a PDF page"),
    )  # fmt: skip
    file_menu.insertSeparator(before)
    help_action = next((a for a in bar.actions() if a.text() == "&Help"), None)
    tools = QMenu("&Tools", window)
    tools.addAction(
        action("verify", "&Verify Store", lambda: verify_store(window),
               "Check the database, the evidence files, the audit chain and dataset hashes"),
    )  # fmt: skip
    if help_action is not None:
        bar.insertMenu(help_action, tools)
    else:
        bar.addMenu(tools)
    window.host.store_opened.connect(lambda: quick_check(window))
    window._backup_on_exit = _BackupOnExit(window)
    window.installEventFilter(window._backup_on_exit)


#: Settings key: keep this many automatic backups, made when the window closes (0: off).
BACKUP_ON_EXIT = "backup/on_exit_keep"


class _BackupOnExit(QObject):
    """When the window closes and the setting is on: back up into ``<store>.files/backups``."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window and event.type() == QEvent.Type.Close:
            auto_backup_now(self.window)
        return False


def auto_backup_now(window) -> dict | None:
    """The optional backup on exit (runs before the worker shuts down; errors are ignored so
    that closing never fails)."""
    from casebook.ui.settings import Settings

    try:
        keep = int(Settings().value(BACKUP_ON_EXIT, 0) or 0)
    except (TypeError, ValueError):
        keep = 0
    book = window.host.book
    if keep <= 0 or book is None or window.host.worker.busy:
        return None
    try:
        return book.auto_backup(keep=keep)
    except (OSError, sqlite3.Error, CasebookError) as exc:  # a full disk must not stop closing
        print(f"casebook: no backup on exit: {exc}", file=sys.stderr)
        return None


def back_up(window, path: str | None = None) -> None:
    if window.host.book is None:
        return
    path = path or ExchangeDialogs.ask_backup(window)
    if not path:
        return
    # The file dialog already asked before replacing a file.
    Op(window.host, lambda book: book.backup(out=path, force=True), label="Backing up").success(
        lambda r: _done(window, f"Backed up to {r['out']} ({r['size']:,} bytes)")
    ).run()


def export_case(window, path: str | None = None) -> None:
    page = window.page
    ref = page.selected_ref() if page is not None else None
    if window.host.book is None or ref is None:
        return
    path = path or ExchangeDialogs.ask_export(window, ref)
    if not path:
        return
    Op(
        window.host,
        lambda book: book.export_case(case_ref=ref, out=path, force=True),
        label=f"Exporting {ref}",
    ).success(lambda r: _done(window, f"Exported {ref} to {r['out']}")).run()


def chart_shown(tab) -> tuple:
    """(model, positions, threshold, caption) of the chart as the Network tab shows it: its
    model (copied: the worker prints it while the tab goes on) and layout (a timeline prints
    its date axis), the positions of the nodes in sight, its trade threshold, and the filters
    named above it."""
    from dataclasses import replace

    model = replace(tab.model, nodes=list(tab.model.nodes), edges=list(tab.model.edges),
                    layout=tab.layout_choice.currentData())  # fmt: skip
    positions = {uid: pos for uid, pos in tab.positions().items() if tab.nodes[uid].isVisible()}
    threshold = float(getattr(tab, "threshold", 0.0) or 0.0)
    caption = tab.caption.text() if tab.caption.isVisible() else ""
    return model, positions, threshold, caption


def print_chart(window, path: str | None = None) -> None:
    """File → Print Chart…: the selected case's chart, as its Network tab shows it, to a PDF
    page (written on the worker)."""
    page = window.page
    workspace = getattr(page, "workspace", None) if page is not None else None
    tab = workspace._extra.built().get("network") if workspace is not None else None
    if window.host.book is None or tab is None or tab.model is None or not tab.nodes:
        ExchangeDialogs.report(window, "Print chart",
                               "Open a case and its Network tab: there is no chart to print.")  # fmt: skip
        return
    ref = tab.ref
    path = path or ExchangeDialogs.ask_print_chart(window, ref)
    if not path:
        return
    model, positions, threshold, caption = chart_shown(tab)
    Op(
        window.host,
        lambda book: book.print_chart(case_ref=ref, model=model, positions=positions, out=path,
                                      threshold=threshold, caption=caption, force=True),
        label="Printing the chart",
    ).success(lambda r: _done(window, f"Printed the chart of {ref} to {r['out']}")).run()  # fmt: skip


def import_case(window, path: str | None = None) -> None:
    if window.host.book is None:
        return
    path = path or ExchangeDialogs.ask_import(window)
    if not path:
        return
    Op(
        window.host,
        lambda book: book.open_bundle(path),
        label="Importing case",
        changes=Changes.everything(),
    ).success(lambda r: _imported(window, r)).run()


def _imported(window, result: dict) -> None:
    if window.page is not None:
        window.page.select(result["case_ref"])
    created = ", ".join(f"{n} {k}" for k, n in result["created"].items() if n) or "nothing new"
    text = f"Case {result['case_ref']}: created {created}."
    if result["conflicts"]:
        lines = [f"• {c['detail']}" for c in result["conflicts"]]
        ExchangeDialogs.report(
            window,
            "Imported with conflicts",
            text + "\n\nKept what this store had where the bundle differs:\n" + "\n".join(lines),
            warning=True,
        )
    window.statusBar().showMessage(text, 8000)


def open_bundle_when_ready(window, path: str) -> None:
    """``casebook gui FILE.casebook``: import the bundle once the store has opened."""

    def once() -> None:
        window.host.store_opened.disconnect(once)
        import_case(window, path)

    window.host.store_opened.connect(once)


def verify_store(window) -> None:
    if window.host.book is None:
        return
    Op(window.host, lambda book: book.verify(), label="Verifying store").success(
        lambda report: _verified(window, report)
    ).run()


def _verified(window, report: dict) -> None:
    counts = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in report["checked"].items())
    if report["ok"]:
        ExchangeDialogs.report(window, "Store verified", f"No problems found.\n\nChecked {counts}.")
        return
    lines = [f"• [{p['kind']}] {p['ref']}: {p['detail']}" for p in report["problems"]]
    ExchangeDialogs.report(
        window,
        "Problems found",
        f"{len(lines)} problem(s) found:\n\n" + "\n".join(lines) + f"\n\nChecked {counts}.",
        warning=True,
    )


class _QuickCheck(QObject):
    """Carries a quick check's result from its thread to the GUI thread."""

    found = Signal(object, object)  # book, problems

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.found.connect(self.deliver)

    def deliver(self, book, problems: list[dict]) -> None:
        if problems and self.window.host.book is book:  # not for a store closed meanwhile
            _warn_damaged(self.window, problems)
        self.deleteLater()


def quick_check(window) -> threading.Thread | None:
    """On open: the cheap checks, in a thread of their own (reads only, so the DB worker's
    queue is untouched); a warning only when something is wrong."""
    book = window.host.book
    if book is None:
        return None
    bridge = _QuickCheck(window)

    def run() -> None:
        try:
            problems = book.quick_check()
        except Exception as exc:  # a store too damaged to query says so too
            problems = [{"detail": f"the check itself failed: {exc}"}]
        try:
            bridge.found.emit(book, problems)
        except RuntimeError:  # the window is gone
            pass

    thread = threading.Thread(target=run, name="casebook-quick-check", daemon=True)
    window.host.readers.append(thread)  # the store is not closed under it
    thread.start()
    return thread


def _warn_damaged(window, problems: list[dict]) -> None:
    lines = [f"• {p['detail']}" for p in problems[:20]]
    ExchangeDialogs.report(
        window,
        "This store may be damaged",
        "A quick check on opening found problems:\n\n"
        + "\n".join(lines)
        + "\n\nRun Tools → Verify Store for a full report, or restore a backup.",
        warning=True,
    )


def _done(window, message: str) -> None:
    window.statusBar().showMessage(message, 8000)
