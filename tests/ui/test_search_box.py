"""The Ctrl+K search box, driven like a user."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from casebook.book.cases import find_case
from casebook.core.names import name_key
from casebook.store import models as m
from casebook.ui.evidence_tab import EvidenceTab
from casebook.ui.ops import Changes
from casebook.ui.search_box import SearchBox


def add_case_firm(book, *, case_ref: str, name: str, role: str = "supplier") -> str:
    """A firm linked to a case (without the customs import); returns its uid."""
    with book.store.write() as session:
        case = find_case(session, case_ref)
        firm = m.Firm(name=name, name_key=name_key(name))
        session.add(firm)
        session.flush()
        session.add(m.CaseFirm(case_id=case.id, firm_id=firm.id, role=role))
        return firm.uid


@pytest.fixture
def store(window):
    """Two cases; the firm belongs to the second, the first is selected."""
    book = window.host.book
    book.create_case(title="Milling centres", ref="CB-1")
    book.create_case(title="Lathes via Kazakhstan", ref="CB-2")
    uid = add_case_firm(book, case_ref="CB-2", name="Beijing Jingdiao Technology Group")
    window.host.notify(Changes(cases=True))
    assert window.page.select("CB-1")
    return {"firm": uid}


def press_ctrl_k(qtbot, window) -> SearchBox:
    window.activateWindow()  # shortcuts reach only the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    qtbot.keyClick(window.page.cases.view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    return window.findChild(SearchBox)


def search(qtbot, window, text: str) -> SearchBox:
    box = press_ctrl_k(qtbot, window)
    assert box is not None and box.isVisible()
    with qtbot.waitSignal(box.results_shown, timeout=10_000):
        qtbot.keyClicks(box.edit, text)
    return box


def test_ctrl_k_is_the_search_shortcut(window):
    assert window.actions["search"].shortcut() == QKeySequence("Ctrl+K")


def test_ctrl_k_search_opens_a_firm_in_its_case(qtbot, window, store):
    box = search(qtbot, window, "jingdiao")
    heading = box.model.item(0)
    assert heading.text().startswith("Firms")
    assert heading.child(0).data(Qt.ItemDataRole.UserRole)["uid"] == store["firm"]
    with qtbot.waitSignal(box.opened, timeout=10_000) as opened:
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    assert opened.args == ["firm", store["firm"], "CB-2"]
    assert not box.isVisible()
    assert window.page.selected_ref() == "CB-2"
    assert window.page.workspace.case["ref"] == "CB-2"


def test_results_are_grouped_by_kind_and_enter_opens_a_case(qtbot, window, store):
    box = search(qtbot, window, "lathes")
    assert [box.model.item(r).text().split(" ·")[0] for r in range(box.model.rowCount())] == [
        "Cases"
    ]
    with qtbot.waitSignal(box.opened, timeout=10_000):
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    assert window.page.selected_ref() == "CB-2"
    assert window.page.workspace.tabs.currentIndex() == 0


def test_enter_opens_evidence_in_the_evidence_tab(qtbot, window, store, tmp_path):
    scan = tmp_path / "invoice.txt"
    scan.write_text("Invoice for two CNC lathes", encoding="utf-8")
    added = window.host.book.add_evidence(scan, case_ref="CB-2", title="Invoice 2291", grade="C3")
    box = search(qtbot, window, "invoice 2291")
    kinds = [box.model.item(r).text().split(" ·")[0] for r in range(box.model.rowCount())]
    assert "Evidence" in kinds
    box.edit.setFocus()
    while box.view.currentIndex().data(Qt.ItemDataRole.UserRole)["kind"] != "evidence":
        qtbot.keyClick(box.edit, Qt.Key.Key_Down)
    with qtbot.waitSignal(box.opened, timeout=10_000):
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    tab = window.page.workspace.tabs.currentWidget()
    assert isinstance(tab, EvidenceTab)
    assert tab.selected()["uid"] == added.evidence.uid


def test_typing_then_enter_at_once_opens_the_first_result(qtbot, window, store):
    box = press_ctrl_k(qtbot, window)
    qtbot.keyClicks(box.edit, "jingdiao")
    with qtbot.waitSignal(box.opened, timeout=10_000) as opened:
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)  # before the debounce ran the search
    assert opened.args[0] == "firm"
