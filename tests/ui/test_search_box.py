"""The Ctrl+K search box, driven like a user."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from casebook.book.cases import find_case
from casebook.core.names import name_key
from casebook.store import models as m
from casebook.ui.evidence_tab import EvidenceTab
from casebook.ui.findings_panel import FindingsPanel
from casebook.ui.firms_tab import FirmsTab
from casebook.ui.ops import Changes
from casebook.ui.search_box import SearchBox
from casebook.ui.shipments_tab import ShipmentsTab


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
    tab = window.page.workspace.tabs.currentWidget()
    assert isinstance(tab, FirmsTab)
    # Selected once the firms, read on the worker, arrive (issue 18).
    qtbot.waitUntil(lambda: tab.ready, timeout=10_000)
    assert [f["uid"] for f in tab.selected_firms()] == [store["firm"]]
    assert "Beijing Jingdiao Technology Group" in tab.detail.toPlainText()


def test_ctrl_k_opens_a_firm_hidden_by_the_firms_filter(qtbot, window, store):
    book = window.host.book
    add_case_firm(book, case_ref="CB-2", name="OOO Tehnostanok")
    window.host.notify(Changes(firms=True, case_ref="CB-2"))
    assert window.page.select("CB-2")
    firms = window.page.workspace.tab("firms")
    firms.filter.setText("tehnostanok")
    box = search(qtbot, window, "jingdiao")
    with qtbot.waitSignal(box.opened, timeout=10_000):
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    assert window.page.workspace.tabs.currentWidget() is firms
    assert firms.filter.text() == ""
    assert [f["uid"] for f in firms.selected_firms()] == [store["firm"]]


def test_enter_opens_a_finding_in_the_findings_tab(qtbot, window, store):
    book = window.host.book
    finding = book.add_finding(
        case_ref="CB-2",
        text="Jingdiao machines likely reach Russia through Almaty.",
        likelihood="likely",
        confidence="moderate",
    )
    window.host.notify(Changes(findings=True, case_ref="CB-2"))
    box = search(qtbot, window, "through almaty")
    with qtbot.waitSignal(box.opened, timeout=10_000) as opened:
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    assert opened.args == ["finding", finding["uid"], "CB-2"]
    panel = window.page.workspace.tabs.currentWidget()
    assert isinstance(panel, FindingsPanel)
    assert panel.selected_uid() == finding["uid"]


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
    assert tab.selected()["uid"] == added.evidence["uid"]


def test_typing_then_enter_at_once_opens_the_first_result(qtbot, window, store):
    box = press_ctrl_k(qtbot, window)
    qtbot.keyClicks(box.edit, "jingdiao")
    with qtbot.waitSignal(box.opened, timeout=10_000) as opened:
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)  # before the debounce ran the search
    assert opened.args[0] == "firm"


def test_enter_opens_a_shipment_in_the_shipments_tab_with_its_row_selected(
    qtbot, window, store, tmp_path
):
    path = tmp_path / "s.csv"
    path.write_text(
        "Declaration No,Item No,Date,Exporter,Importer,Country of Origin,Country of Dispatch,"
        "HS Code,Goods Description,Value,Currency\n"
        "D-1,1,2022-01-10,SHANDONG JINMA,OOO TEHNOSTANOK,CN,CN,8458110000,CNC lathe,1200,USD\n"
        "D-2,1,2022-03-11,SHANDONG JINMA,OOO TEHNOSTANOK,CN,KZ,8458110000,"
        "СТАНОК ТОКАРНЫЙ С ЧПУ,99000,USD\n",
        encoding="utf-8",
    )
    window.host.book.import_file(path, case_ref="CB-2")
    window.host.notify(Changes(shipments=True, firms=True, datasets=True, case_ref="CB-2"))
    box = press_ctrl_k(qtbot, window)
    with qtbot.waitSignal(box.results_shown, timeout=10_000):
        box.edit.insert("танок токарный")  # QTest types ASCII only
    assert box.model.item(0).text().startswith("Shipments")
    with qtbot.waitSignal(box.opened, timeout=10_000) as opened:
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    assert opened.args[0] == "shipment"
    tab = window.page.workspace.tabs.currentWidget()
    assert isinstance(tab, ShipmentsTab)
    assert (tab.lens.date_from, tab.lens.date_to) == ("2022-03-11", "2022-03-11")
    qtbot.waitUntil(lambda: bool(tab.selected_rows()), timeout=10_000)  # once counted
    [row] = tab.selected_rows()
    assert "СТАНОК ТОКАРНЫЙ" in tab.detail.toPlainText()


def test_search_and_opening_a_firm_go_through_the_facade(qtbot, window, store, monkeypatch):
    calls = []
    facade = type(window.host.book)
    for name in ("search", "firm_case_refs"):
        real = getattr(facade, name)

        def spy(self, *args, _real=real, _name=name, **kwargs):
            calls.append((_name, args))
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(facade, name, spy)
    box = search(qtbot, window, "jingdiao")
    with qtbot.waitSignal(box.opened, timeout=10_000) as opened:
        qtbot.keyClick(box.edit, Qt.Key.Key_Return)
    assert opened.args == ["firm", store["firm"], "CB-2"]
    assert ("search", ("jingdiao",)) in calls
    assert calls[-1] == ("firm_case_refs", (store["firm"],))


UI_ROOT = Path(__file__).resolve().parents[2] / "desktop" / "casebook"
FACADE_ONLY = [
    "ui/search_box.py",
    "ui/screening_ops.py",
    "ui/screening_tab.py",
    "ui/case_list.py",
    "ui/case_dialog.py",
    "ui/cases_page.py",
    "ui/link_editor.py",
    "ui/relationship_dialog.py",
    "cli/context.py",
    "cli/cases.py",
    "cli/screening.py",
    "cli/search.py",
    "cli/verify.py",
]
ALLOWED = ("casebook.book", "casebook.core", "casebook.resources", "casebook.ui", "casebook.cli")


@pytest.mark.parametrize("path", FACADE_ONLY)
def test_the_ui_and_cli_reach_the_store_only_through_the_facade(path):
    tree = ast.parse((UI_ROOT / path).read_text(encoding="utf-8"))
    imported = [
        f"{node.module}.{alias.name}" if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    wrong = [
        name
        for name in imported
        if name and name.startswith("casebook") and not name.startswith(ALLOWED)
    ]
    assert wrong == []
