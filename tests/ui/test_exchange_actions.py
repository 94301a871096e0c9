"""File → Back Up…, Export Case…, Import Case…; Tools → Verify Store; the check on open."""

from __future__ import annotations

import importlib.util
import os
import stat
import sys
from pathlib import Path

import pytest

from casebook.ui import exchange_actions
from casebook.ui.exchange_actions import ExchangeDialogs


def _fill_case():
    spec = importlib.util.spec_from_file_location(
        "exchange_fixtures", Path(__file__).parents[1] / "exchange" / "conftest.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("exchange_fixtures", module)
    spec.loader.exec_module(module)
    return module.fill_case


@pytest.fixture
def reports(monkeypatch):
    shown = []
    monkeypatch.setattr(
        ExchangeDialogs,
        "report",
        staticmethod(
            lambda parent, title, text, warning=False: shown.append((title, text, warning))
        ),
    )
    return shown


@pytest.fixture
def filled_db(tmp_path):
    from casebook.book import Casebook

    db = tmp_path / "filled.db"
    with Casebook.open(db, user="tester", create=True) as book:
        filled = _fill_case()(book, tmp_path)
    return db, filled


def open_window(qtbot, db):
    from casebook.ui.main_window import MainWindow

    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=10_000):
        win.open_store_at(db, create=False)
    return win


def settle(qtbot, window) -> None:
    """Let every queued job (the tabs of a selected case load in the background) finish."""
    qtbot.wait(200)
    qtbot.waitUntil(lambda: not window.host.worker.busy, timeout=20_000)
    qtbot.wait(200)
    qtbot.waitUntil(lambda: not window.host.worker.busy, timeout=20_000)


def _menu_texts(window) -> dict[str, list[str]]:
    out = {}
    for action in window.menuBar().actions():
        if action.menu():
            out[action.text()] = [a.text() for a in action.menu().actions() if a.text()]
    return out


def test_menus_hold_the_actions(window):
    menus = _menu_texts(window)
    assert {"E&xport Case…", "Import &Case…", "&Back Up…"} <= set(menus["&File"])
    assert menus["&Tools"] == ["&Verify Store"]
    assert list(menus).index("&Tools") == list(menus).index("&Help") - 1


def test_back_up_writes_the_zip(qtbot, window, tmp_path):
    out = tmp_path / "backup.zip"
    exchange_actions.back_up(window, str(out))
    qtbot.waitUntil(lambda: out.exists() and "Backed up" in window.statusBar().currentMessage(),
                    timeout=15_000)  # fmt: skip


def test_export_then_import_into_another_store(qtbot, filled_db, tmp_path, reports):
    db, filled = filled_db
    win = open_window(qtbot, db)
    win.page.select(filled.ref)
    out = tmp_path / "case.casebook"
    exchange_actions.export_case(win, str(out))
    qtbot.waitUntil(out.exists, timeout=15_000)
    with qtbot.waitSignal(win.host.store_opened, timeout=10_000):
        win.open_store_at(tmp_path / "empty.db", create=True)
    with qtbot.waitSignal(win.host.changed, timeout=15_000):
        exchange_actions.import_case(win, str(out))
    qtbot.waitUntil(lambda: win.page is not None and win.page.selected_ref() == filled.ref,
                    timeout=10_000)  # fmt: skip
    settle(qtbot, win)
    assert reports == []


def test_verify_store_reports_ok(qtbot, window, reports):
    window.actions["verify"].trigger()
    qtbot.waitUntil(lambda: bool(reports), timeout=15_000)
    assert reports[0][0] == "Store verified" and not reports[0][2]


def test_a_damaged_store_warns_on_open_and_verify_names_it(qtbot, filled_db, reports, monkeypatch):
    from casebook.ui.errors import ErrorDialog

    errors = []  # the evidence preview may fail on the missing file too: not modal here
    monkeypatch.setattr(
        ErrorDialog, "present", classmethod(lambda cls, parent, **kw: errors.append(kw))
    )
    db, filled = filled_db
    blob = (
        db.with_name(db.stem + ".files") / "vault" / filled.evidence_sha[:2] / filled.evidence_sha
    )
    os.chmod(blob, stat.S_IRWXU)
    blob.unlink()
    win = open_window(qtbot, db)
    qtbot.waitUntil(lambda: bool(reports), timeout=15_000)
    title, text, warning = reports[0]
    assert warning and "damaged" in title and filled.evidence_sha in text
    win.actions["verify"].trigger()
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=15_000)
    assert reports[1][0] == "Problems found" and filled.evidence_sha in reports[1][1]
    settle(qtbot, win)


def test_gui_file_argument_imports_a_bundle(qtbot, filled_db, tmp_path, reports, monkeypatch):
    from casebook.book import Casebook

    db, filled = filled_db
    out = tmp_path / "case.casebook"
    with Casebook.open(db) as book:
        book.export_case(case_ref=filled.ref, out=out)
    from casebook.ui.main_window import MainWindow

    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    exchange_actions.open_bundle_when_ready(win, str(out))
    with qtbot.waitSignal(win.host.changed, timeout=15_000):
        win.open_store_at(tmp_path / "fresh.db", create=True)
    qtbot.waitUntil(lambda: win.page is not None and win.page.selected_ref() == filled.ref,
                    timeout=15_000)  # fmt: skip
    settle(qtbot, win)


def test_backup_on_exit_when_the_setting_is_on(qtbot, window):
    from casebook.ui.settings import Settings

    folder = window.host.book.folder / "backups"
    assert exchange_actions.auto_backup_now(window) is None  # off by default
    Settings().set_value(exchange_actions.BACKUP_ON_EXIT, 3)
    qtbot.waitUntil(lambda: not window.host.worker.busy, timeout=10_000)
    window.close()
    assert len(list(folder.glob("*.zip"))) == 1


def test_closing_waits_for_the_check_on_open_before_closing_the_store(qtbot, window, monkeypatch):
    """The check on open reads in a thread of its own; quitting (or opening another store)
    must not close the store under it: SQLite crashes the process when a connection closes
    under a running statement (seen once as a segfault in the suite)."""
    import threading

    book = window.host.book
    started, release, order = threading.Event(), threading.Event(), []

    def slow_check():
        started.set()
        release.wait(10)
        order.append("check done")
        return []

    monkeypatch.setattr(book, "quick_check", slow_check)
    monkeypatch.setattr(book, "close", lambda: order.append("store closed"))
    exchange_actions.quick_check(window)
    assert started.wait(10)
    closer = threading.Thread(target=window.host.close)
    closer.start()
    closer.join(0.3)
    assert order == []  # still waiting for the check
    release.set()
    closer.join(10)
    assert order == ["check done", "store closed"]
