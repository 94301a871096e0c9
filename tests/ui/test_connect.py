"""File → Connect to Server…: a checked postgresql:// URL, remembered among the recent servers;
the window title and the status bar name the server and the login."""

from __future__ import annotations

import getpass

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from casebook.core.location import parse_location
from casebook.ui.connect_dialog import ConnectDialog, check_url
from casebook.ui.settings import Settings


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Give the server's URL"),
        ("cases.db", "Not a server URL"),
        ("mysql://db/cases", "unsupported URL scheme 'mysql'"),
        ("postgresql://alice:secret@db/cases", "a password in the URL is refused"),
        ("postgresql://db.example:5432/", "names no database"),
    ],
)
def test_a_bad_url_is_named_and_cannot_be_connected(qtbot, typed, says):
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    dialog.url.setEditText(typed)
    assert says in check_url(typed)
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_a_good_url_can_be_connected_and_recent_servers_are_offered(qtbot):
    Settings().add_recent_server("postgresql://alice@db.example/cases")
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    assert dialog.value() == "postgresql://alice@db.example/cases"  # the newest, offered first
    dialog.url.setEditText("postgresql:///cases?host=/var/run/postgresql")
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


@pytest.mark.postgresql
def test_connecting_to_a_server_names_it_and_the_login(qtbot, pg_database, monkeypatch):
    from casebook.ui.main_window import MainWindow

    win = MainWindow(user=None)
    qtbot.addWidget(win)
    win.show()
    monkeypatch.setattr(ConnectDialog, "ask", classmethod(lambda cls, parent: pg_database))
    with qtbot.waitSignal(win.host.store_opened, timeout=30_000):
        win.actions["connect_server"].trigger()

    login = getpass.getuser()  # the role libpq logs in as, with no user in the URL
    dbname = parse_location(pg_database).dbname
    assert win.windowTitle() == f"{dbname} on this computer — {login} — Casebook"
    assert win.store_label.text() == f"{pg_database} · signed in as {login}"
    assert Settings().recent_servers[0] == pg_database
    assert Settings().recent_stores == []  # a server is not a store file
    win.host.close()
