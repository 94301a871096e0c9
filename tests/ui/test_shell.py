"""The shell around the cases: preferences, stores, About, fonts, remembered geometry."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QTabWidget

from casebook import __version__
from casebook.ui.about import AboutDialog
from casebook.ui.main_window import MainWindow, StoreDialogs
from casebook.ui.preferences import PreferencesDialog
from casebook.ui.settings import Settings


def _visible(window, kind):
    found = [d for d in window.findChildren(kind) if d.isVisible()]
    assert len(found) == 1
    return found[0]


def test_shipped_fonts_cover_cyrillic_and_chinese(qapp):
    families = set(QFontDatabase.families())
    assert {"DejaVu Sans", "WenQuanYi Micro Hei"} <= families
    assert "WenQuanYi Micro Hei" in QGuiApplication.font().families()


def test_menus_use_standard_shortcuts(window):
    assert (
        window.actions["undo"].shortcut().matches(QKeySequence(QKeySequence.StandardKey.Undo))
        == QKeySequence.SequenceMatch.ExactMatch
    )
    assert window.actions["new_case"].shortcuts() == QKeySequence.keyBindings(
        QKeySequence.StandardKey.New
    )
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Tools", "&Help"]


def test_preferences_name_the_analyst_in_the_audit_log(qtbot, tmp_path):
    window = MainWindow()  # no --user: the preference decides
    qtbot.addWidget(window)
    window.show()
    window.actions["preferences"].trigger()
    dialog = _visible(window, PreferencesDialog)
    qtbot.keyClicks(dialog.analyst, "A. Analyst")
    dialog.paper.setCurrentIndex(dialog.paper.findData("Letter"))
    dialog.marking.setCurrentIndex(dialog.marking.findData("TLP:RED"))
    qtbot.mouseClick(
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok),
        Qt.MouseButton.LeftButton,
    )
    settings = Settings()
    assert (settings.analyst, settings.paper, settings.default_marking) == (
        "A. Analyst",
        "Letter",
        "TLP:RED",
    )
    with qtbot.waitSignal(window.host.store_opened, timeout=10_000):
        window.open_store_at(tmp_path / "prefs.db")
    window.new_case()
    from casebook.ui.case_dialog import CaseDialog

    dialog = _visible(window, CaseDialog)
    assert dialog.marking.currentData() == "TLP:RED"
    qtbot.keyClicks(dialog.title, "Lathes")
    with qtbot.waitSignal(window.host.changed, timeout=10_000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    with sqlite3.connect(tmp_path / "prefs.db") as con:
        assert con.execute("SELECT actor FROM auditevent").fetchall() == [("A. Analyst",)]


def test_new_and_recent_stores(qtbot, window, tmp_path, monkeypatch):
    other = tmp_path / "other.db"
    monkeypatch.setattr(StoreDialogs, "ask_new", staticmethod(lambda parent: str(other)))
    with qtbot.waitSignal(window.host.store_opened, timeout=10_000):
        window.actions["new_store"].trigger()
    assert window.host.book.path == other.resolve()
    assert window.windowTitle().startswith("other.db")
    recent = Settings().recent_stores
    assert recent[:2] == [str(other.resolve()), str((tmp_path / "cases.db").resolve())]
    window.recent_menu.aboutToShow.emit()
    labels = [a.text() for a in window.recent_menu.actions()]
    assert str((tmp_path / "cases.db").resolve()) in labels


def test_about_shows_version_store_and_licences(qtbot, window):
    window.actions["about"].trigger()
    about = _visible(window, AboutDialog)
    text = " ".join(label.text() for label in about.findChildren(QLabel))
    assert __version__ in text and str(window.host.book.path) in text
    tabs = about.findChild(QTabWidget)
    names = [tabs.tabText(i) for i in range(tabs.count())]
    assert any("DejaVu" in n for n in names) and any("WenQuanYi" in n for n in names)
    about.close()


def test_window_geometry_is_remembered(qtbot, tmp_path):
    first = MainWindow(user="tester")
    qtbot.addWidget(first)
    first.setGeometry(QRect(20, 30, 710, 520))
    first.show()
    first.close()
    second = MainWindow(user="tester")
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (710, 520)
    QApplication.processEvents()
