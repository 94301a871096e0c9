"""The main window driven like a user: cases created, edited, undone; errors presented."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from casebook.core.errors import Cancelled, Refused
from casebook.ui.case_dialog import CaseDialog
from casebook.ui.errors import ErrorDialog
from casebook.ui.ops import Changes, Op


@pytest.fixture
def presented(monkeypatch):
    """Errors the presenter showed, instead of a modal dialog."""
    shown = []
    monkeypatch.setattr(
        ErrorDialog, "present", classmethod(lambda cls, parent, **kw: shown.append(kw))
    )
    return shown


def type_text(qtbot, widget, text: str) -> None:
    """Type like a user: keys for ASCII, an input-method commit (as an IME sends) otherwise."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _dialog(window) -> CaseDialog:
    dialogs = [d for d in window.findChildren(CaseDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def _ok(qtbot, dialog: CaseDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.parent().host.changed, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _create(qtbot, window, title: str, ref: str = "") -> None:
    window.actions["new_case"].trigger()
    dialog = _dialog(window)
    type_text(qtbot, dialog.title, title)
    if ref:
        type_text(qtbot, dialog.ref, ref)
    _ok(qtbot, dialog)


def _titles(window) -> list[str]:
    return [c["title"] for c in window.page.cases.model.cases]


def _audit_actions(window) -> list[tuple[str, str]]:
    with sqlite3.connect(window.host.book.path) as con:
        return con.execute("SELECT action, actor FROM auditevent ORDER BY id").fetchall()


def test_a_new_store_shows_the_empty_state(window):
    assert window.page.currentWidget() is window.page.empty
    assert window.page.empty.create.isVisible()
    assert window.page.empty.demo.isVisible()  # "Open demo case" (tests/ui/test_briefing_tab.py)


def test_create_a_case_through_the_dialog_and_see_it_in_the_list(qtbot, window):
    qtbot.mouseClick(window.page.empty.create, Qt.MouseButton.LeftButton)
    dialog = _dialog(window)
    type_text(qtbot, dialog.title, "北京精雕科技 数控机床")
    type_text(qtbot, dialog.ref, "CB-CN-001")
    dialog.marking.setCurrentIndex(dialog.marking.findData("TLP:RED"))
    _ok(qtbot, dialog)
    qtbot.waitUntil(lambda: window.page.workspace.ref == "CB-CN-001")
    assert window.page.currentWidget() is window.page.split
    assert _titles(window) == ["北京精雕科技 数控机床"]
    assert window.page.workspace.header.title.text() == "北京精雕科技 数控机床"
    assert "TLP:RED" in window.page.workspace.banner.text()
    assert _audit_actions(window) == [("case.create", "tester")]


def test_the_dialog_refuses_an_empty_title_and_a_bad_reference(qtbot, window):
    window.actions["new_case"].trigger()
    dialog = _dialog(window)
    assert not dialog.ok.isEnabled()
    type_text(qtbot, dialog.title, "Станки через Турцию")
    assert dialog.ok.isEnabled()
    type_text(qtbot, dialog.ref, "bad ref!")
    assert not dialog.ok.isEnabled()
    assert "reference" in dialog.error.text()
    dialog.reject()


def test_undo_and_redo_a_case_creation(qtbot, window):
    _create(qtbot, window, "Станки через Турцию", "CB-TR-001")
    assert _titles(window) == ["Станки через Турцию"]
    with qtbot.waitSignal(window.host.changed, timeout=10_000):
        window.actions["undo"].trigger()
    assert _titles(window) == []
    assert window.page.currentWidget() is window.page.empty
    with qtbot.waitSignal(window.host.changed, timeout=10_000):
        window.actions["redo"].trigger()
    assert _titles(window) == ["Станки через Турцию"]
    actions = [a for a, _ in _audit_actions(window)]
    assert actions == ["case.create", "case.delete", "case.create"]


def test_edit_a_case_then_undo_the_edit(qtbot, window):
    _create(qtbot, window, "CNC tools to Russia via Turkey", "CB-TR-002")
    qtbot.waitUntil(lambda: window.page.workspace.ref == "CB-TR-002")
    qtbot.mouseClick(window.page.workspace.header.edit, Qt.MouseButton.LeftButton)
    dialog = _dialog(window)
    assert dialog.ref.isReadOnly()
    dialog.title.clear()
    type_text(qtbot, dialog.title, "CNC tools to Russian defence plants via Turkey")
    dialog.marking.setCurrentIndex(dialog.marking.findData("TLP:AMBER+STRICT"))
    type_text(qtbot, dialog.summary, "Turning centres re-exported through Istanbul.")
    _ok(qtbot, dialog)
    assert (
        window.page.workspace.header.title.text()
        == "CNC tools to Russian defence plants via Turkey"
    )
    assert "TLP:AMBER+STRICT" in window.page.workspace.banner.text()
    assert "Istanbul" in window.page.workspace.overview.summary.text()
    with qtbot.waitSignal(window.host.changed, timeout=10_000):
        window.actions["undo"].trigger()
    assert window.page.workspace.header.title.text() == "CNC tools to Russia via Turkey"
    assert [a for a, _ in _audit_actions(window)] == ["case.create", "case.edit", "case.edit"]


def test_a_worker_error_reaches_the_presenter(qtbot, window, presented):
    def refuse(book):
        raise Refused("the store refused", details=["row 3: bad date"])

    with qtbot.waitSignal(window.host.worker.finished, timeout=10_000):
        Op(window.host, refuse, changes=Changes(cases=True)).run()
    assert presented == [
        {"title": "Casebook", "message": "the store refused", "details": "row 3: bad date"}
    ]


def test_a_duplicate_reference_from_the_dialog_is_presented(qtbot, window, presented):
    _create(qtbot, window, "First", "CB-DUP-001")
    window.actions["new_case"].trigger()
    dialog = _dialog(window)
    type_text(qtbot, dialog.title, "Second")
    type_text(qtbot, dialog.ref, "CB-DUP-001")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    # Other jobs (the workspace's reads) may finish first: wait for the presenter itself.
    qtbot.waitUntil(lambda: bool(presented), timeout=10_000)
    assert "already exists" in presented[0]["message"]
    assert _titles(window) == ["First"]


def test_an_unexpected_error_shows_its_traceback(qtbot, window, presented):
    with qtbot.waitSignal(window.host.worker.finished, timeout=10_000):
        Op(window.host, lambda book: 1 / 0).run()
    assert presented[0]["title"] == "Unexpected error"
    assert "ZeroDivisionError" in presented[0]["details"]


def test_a_cancelled_op_is_silent(qtbot, window, presented):
    def cancelled(book):
        raise Cancelled("cancelled")

    with qtbot.waitSignal(window.host.worker.finished, timeout=10_000):
        Op(window.host, cancelled).run()
    assert presented == []


def test_filtering_the_case_list(qtbot, window):
    for title, ref in [("Станки через Турцию", "CB-A"), ("北京精雕科技 数控机床", "CB-B")]:
        _create(qtbot, window, title, ref)
    type_text(qtbot, window.page.cases.filter, "精雕")
    assert window.page.cases.proxy.rowCount() == 1
    window.page.cases.filter.clear()
    window.page.cases.status.setCurrentIndex(window.page.cases.status.findData("closed"))
    assert window.page.cases.proxy.rowCount() == 0


def test_an_op_queued_after_the_window_closed_is_dropped_quietly(window):
    window.host.close()
    assert Op(window.host, lambda book: 1).run() is None


def test_a_narrow_case_list_keeps_the_title_readable(qtbot, window):
    window.resize(1440, 900)  # wider than the test screen, where a new window opens smaller
    _create(qtbot, window, "Станки через Казахстан — 机床")
    header = window.page.cases.view.horizontalHeader()
    window.page.split.setSizes([360, 1000])
    # Updated, priority and status give way, in that order, so the title keeps its room.
    qtbot.waitUntil(lambda: header.isSectionHidden(5) and header.sectionSize(1) >= 120)
    assert not header.isSectionHidden(0) and not header.isSectionHidden(4)
    window.page.split.setSizes([900, 460])
    qtbot.waitUntil(lambda: not any(header.isSectionHidden(c) for c in range(6)))
    assert header.sectionSize(1) >= window.page.cases.TITLE_MIN


def test_ctrl_y_redoes_as_well_as_ctrl_shift_z(qtbot, monkeypatch, tmp_path):
    from PySide6.QtGui import QKeySequence

    from casebook.ui.main_window import MainWindow

    # As on GNOME and KDE, whose standard Redo is only Ctrl+Shift+Z.
    standard = QKeySequence.keyBindings
    only_shift_z = [QKeySequence("Ctrl+Shift+Z")]
    monkeypatch.setattr(
        QKeySequence,
        "keyBindings",
        lambda key: only_shift_z if key == QKeySequence.StandardKey.Redo else standard(key),
    )
    window = MainWindow(user="tester")
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.host.store_opened, timeout=10_000):
        window.open_store_at(tmp_path / "cases.db")
    keys = window.actions["redo"].shortcuts()
    assert QKeySequence("Ctrl+Y") in keys and QKeySequence("Ctrl+Shift+Z") in keys
    _create(qtbot, window, "Redo by Ctrl+Y", "CB-TR-009")
    with qtbot.waitSignal(window.host.changed, timeout=10_000):
        window.actions["undo"].trigger()
    assert _titles(window) == []
    window.activateWindow()  # shortcuts reach only the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    with qtbot.waitSignal(window.host.changed, timeout=10_000):
        qtbot.keyClick(window.page.cases.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert _titles(window) == ["Redo by Ctrl+Y"]


def test_the_status_bar_names_the_job_running_now_not_the_first_of_a_queue(window, qtbot):
    """A tab that reads in two steps (the Network's largest links, then the whole chart) said
    "Reading the largest links…" for the whole read: the status names each job as it runs."""
    import threading

    from casebook.ui.worker import Job

    first_done, second_done = threading.Event(), threading.Event()
    first = window.host.submit(Job(lambda: first_done.wait(10)), "Reading the largest links")
    window.host.submit(Job(lambda: second_done.wait(10)), "Reading the whole chart")
    assert window.busy_label.text() == "Reading the largest links…"
    first_done.set()
    qtbot.waitUntil(lambda: first not in window.host.worker._pending, timeout=5000)
    assert window.busy_label.text() == "Reading the whole chart…"
    second_done.set()
    qtbot.waitUntil(lambda: not window.host.worker.busy, timeout=5000)
    assert window.busy_label.text() == ""
