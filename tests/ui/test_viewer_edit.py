"""Team mode in the app: a viewer of a case connects to the server, sees the case, and a
change they try to save is refused ("read-only access to REF") with nothing saved."""

from __future__ import annotations

import uuid

import pytest
from tests.conftest import sql_on

from casebook.book import Casebook
from casebook.core.location import parse_location
from casebook.ui.case_dialog import CaseDialog
from casebook.ui.errors import ErrorDialog

REF = "CB-V-1"


@pytest.fixture
def viewer(pg_database, monkeypatch):
    """A login role with the global role viewer and viewer access to case CB-V-1 (made by the
    server's superuser), reached over TCP with a password; dropped after."""
    name = f"cb_viewer_{uuid.uuid4().hex[:8]}"
    with Casebook.open(pg_database, create=True) as admin:
        admin.create_case(title="Lathes via Almaty", ref=REF)
        admin.add_user(name, role="viewer")
        admin.grant_case(REF, name, access="viewer")
    sql_on(pg_database, f"ALTER ROLE {name} PASSWORD 'viewer-pw'")
    monkeypatch.setenv("PGPASSWORD", "viewer-pw")
    dbname = parse_location(pg_database).dbname
    yield name, f"postgresql://{name}@127.0.0.1/{dbname}"
    sql_on(pg_database, f"DROP OWNED BY {name}")
    sql_on(pg_database, f"DROP ROLE {name}")


@pytest.mark.postgresql
def test_a_viewers_case_edit_is_refused_in_the_app(qtbot, viewer, pg_database, monkeypatch):
    from casebook.ui.main_window import MainWindow

    name, url = viewer
    shown = []
    monkeypatch.setattr(
        ErrorDialog, "present", classmethod(lambda cls, parent, **kw: shown.append(kw["message"]))
    )
    monkeypatch.setattr(
        CaseDialog,
        "ask",
        classmethod(lambda cls, parent, on_accept, **kw: on_accept({"title": "Renamed"})),
    )
    win = MainWindow(user=None)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=30_000):
        win.open_store_at(url, create=False)
    assert f"{name} — Casebook" in win.windowTitle()
    assert win.page.select(REF)  # a viewer sees the case granted to them

    win.edit_selected_case()

    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown == [f"read-only access to {REF}"]
    assert sql_on(pg_database, 'SELECT title FROM "case"') == [("Lathes via Almaty",)]
    win.host.close()
