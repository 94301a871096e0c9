"""GUI test setup: offscreen Qt, temporary settings, and bulk shipment stores."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

# Before anything imports Qt: no display needed, no style or theme from the host.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402  (after the environment is set)


def _load_helper(name: str):
    # Tests run with --import-mode=importlib, so sibling helpers are loaded by path.
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


million_rows = _load_helper("million_rows")
editing_steps = _load_helper("editing")
drop_steps = _load_helper("drops")


@pytest.fixture(scope="session")
def bulk():
    """The bulk-store helper module (``build_shipments``, ``CASE_REF``)."""
    return million_rows


@pytest.fixture(scope="session")
def editing():
    """The editing tabs' test steps (``add_firm``, ``click``, ``undo``, ``redo``)."""
    return editing_steps


@pytest.fixture(scope="session")
def drops():
    """Files dragged and dropped in tests (``file_mime``, ``drag_and_drop``)."""
    return drop_steps


@pytest.fixture(autouse=True)
def no_modal_error(monkeypatch):
    """An error dialog no test asked for fails the test that showed it, naming the error,
    instead of waiting offscreen for a click that never comes (the whole suite hung on one)."""
    from casebook.ui.errors import ErrorDialog

    shown: list[str] = []
    monkeypatch.setattr(ErrorDialog, "exec", lambda self: shown.append(self.text()) or 0)
    yield
    assert not shown, f"an error dialog was shown: {shown}"


@pytest.fixture(autouse=True)
def temp_settings(tmp_path, qapp):
    """QSettings in a temporary folder, so tests never read or write the user's settings."""
    from PySide6.QtCore import QSettings

    from casebook.ui.app import configure_application

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    configure_application(qapp)
    return tmp_path / "qs"


@pytest.fixture
def window(qtbot, tmp_path):
    """The main window on a fresh, empty store, once the store is open."""
    from casebook.ui.main_window import MainWindow

    win = MainWindow(user="tester")
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=10_000):
        win.open_store_at(tmp_path / "cases.db")
    return win
