"""Steps the GUI tests of the editing tabs share (loaded by conftest.py, the ``editing``
fixture): a firm added to a case, and a click, undo or redo that waits for the tab's reload."""

from __future__ import annotations

from PySide6.QtCore import Qt

from casebook.book.cases import find_case
from casebook.core.names import name_key
from casebook.store import models as m

TIMEOUT = 15_000


def add_firm(book, ref, name, *, native=None, country="CN", inn=None, role="supplier") -> m.Firm:
    """A firm of case ``ref``, its name also its alias (``inn``: a Russian INN); the stored row
    (its ``id`` and ``uid`` stay readable)."""
    with book.store.write() as session:
        case = find_case(session, ref)
        firm = m.Firm(name=name, native_name=native, country=country, name_key=name_key(name))
        session.add(firm)
        session.flush()
        session.add(m.FirmAlias(firm_id=firm.id, name=name, name_key=name_key(name)))
        if inn:
            session.add(m.FirmIdentifier(firm_id=firm.id, scheme="ru_inn", value=inn))
        session.add(m.CaseFirm(case_id=case.id, firm_id=firm.id, role=role))
        return firm


def click(qtbot, tab, button) -> None:
    """Click an enabled button of ``tab`` and wait until the tab reloaded."""
    assert button.isEnabled(), button.text()
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def undo(qtbot, window, tab) -> None:
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        window.host.undo_stack.undo()


def redo(qtbot, window, tab) -> None:
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        window.host.undo_stack.redo()
