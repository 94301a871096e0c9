"""Evidence linked to what it supports: dropped on a firm, the link editor, undoable edits."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtWidgets import QApplication

from casebook.book.cases import find_case
from casebook.core.names import name_key
from casebook.store import models as m
from casebook.ui.evidence_dialog import EvidenceDialog
from casebook.ui.evidence_tab import COLUMNS, EvidenceTab
from casebook.ui.firms_tab import FirmsTab
from casebook.ui.link_editor import LinkDialog
from casebook.ui.ops import Changes

TIMEOUT = 10_000
GRADE = [key for key, _title, _w in COLUMNS].index("grade")
SUPPORTS = [key for key, _title, _w in COLUMNS].index("supports")


def add_case_firm(book, *, case_ref: str, name: str) -> str:
    with book.store.write() as session:
        case = find_case(session, case_ref)
        firm = m.Firm(name=name, name_key=name_key(name))
        session.add(firm)
        session.flush()
        session.add(m.CaseFirm(case_id=case.id, firm_id=firm.id, role="supplier"))
        return firm.uid


@pytest.fixture
def case(window):
    """Case CB-1 with two firms, selected in the window."""
    book = window.host.book
    book.create_case(title="Lathes via Kazakhstan", ref="CB-1")
    firms = {
        name: add_case_firm(book, case_ref="CB-1", name=name)
        for name in ("BEIJING JINGDIAO", "OOO TEHNOSTANOK")
    }
    window.host.notify(Changes(cases=True))
    assert window.page.select("CB-1")
    return {"ref": "CB-1", "firms": firms}


@pytest.fixture
def answers(monkeypatch):
    """The evidence dialog's answers (instead of a modal dialog)."""
    asked = []

    def ask(cls, parent, *, paths=(), item=None):
        asked.append({"paths": list(paths), "item": item})
        return dict(answers.values)

    answers.values = {"title": "Distributor agreement", "grade": "B2", "kind": None}
    answers.asked = asked
    monkeypatch.setattr(EvidenceDialog, "ask", classmethod(ask))
    return answers


def firms_tab(window, qtbot) -> FirmsTab:
    tab = window.page.workspace.tab("firms")
    window.page.workspace.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.ready, timeout=TIMEOUT)  # the firms are read on the worker
    return tab


def row_point(tab: FirmsTab, name: str) -> QPointF:
    row = next(
        r for r in range(tab.firm_proxy.rowCount()) if tab.firm_proxy.index(r, 0).data() == name
    )
    return QPointF(tab.firm_view.visualRect(tab.firm_proxy.index(row, 0)).center())


def test_dropping_a_file_onto_a_firm_links_it_and_the_evidence_tab_lists_it_with_its_grade(
    drops, qtbot, window, case, answers, tmp_path
):
    scan = tmp_path / "agreement.txt"
    scan.write_text("Exclusive distributor of Jingdiao machines in Kazakhstan", encoding="utf-8")
    tab = firms_tab(window, qtbot)
    point = row_point(tab, "OOO TEHNOSTANOK")
    with qtbot.waitSignal(tab.evidence_added, timeout=TIMEOUT):
        assert drops.drag_and_drop(tab.firm_view.viewport(), point, drops.file_mime(scan))
    assert answers.asked[0]["paths"] == [scan]
    [item] = window.host.book.list_evidence(case_ref="CB-1")
    assert item["grade"] == "B2" and item["title"] == "Distributor agreement"
    assert [(k["kind"], k["uid"]) for k in item["links"]] == [
        ("firm", case["firms"]["OOO TEHNOSTANOK"])
    ]
    assert "now supports OOO TEHNOSTANOK" in tab.notice.text() and tab.notice.isVisible()
    evidence = window.page.workspace.tab("evidence")
    assert isinstance(evidence, EvidenceTab)
    qtbot.waitUntil(lambda: evidence.model.rowCount() == 1, timeout=TIMEOUT)
    assert evidence.model.index(0, GRADE).data() == "B2"
    assert evidence.model.index(0, SUPPORTS).data() == "Firm: OOO TEHNOSTANOK"


def test_a_drop_beside_the_firm_rows_is_refused(drops, qtbot, window, case, answers, tmp_path):
    scan = tmp_path / "agreement.txt"
    scan.write_text("text", encoding="utf-8")
    tab = firms_tab(window, qtbot)
    below = QPointF(10, tab.firm_view.viewport().height() - 5)
    assert tab.firm_at(below.toPoint()) is None
    assert not drops.drag_and_drop(tab.firm_view.viewport(), below, drops.file_mime(scan))
    assert answers.asked == []
    assert window.host.book.list_evidence(case_ref="CB-1") == []


def test_dropping_text_on_a_firm_is_refused(drops, qtbot, window, case, answers):
    tab = firms_tab(window, qtbot)
    mime = QMimeData()
    mime.setText("not a file")
    assert not drops.drag_and_drop(
        tab.firm_view.viewport(), row_point(tab, "BEIJING JINGDIAO"), mime
    )
    assert answers.asked == []


def evidence_tab(window) -> EvidenceTab:
    tab = window.page.workspace.tab("evidence")
    window.page.workspace.tabs.setCurrentWidget(tab)
    return tab


def wait_loaded(qtbot, tab, action) -> None:
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        action()


@pytest.fixture
def item(window, case, tmp_path):
    """E1 in case CB-1, linked to the case, graded C3, with a finding and a relationship."""
    book = window.host.book
    scan = tmp_path / "invoice.txt"
    scan.write_text("Invoice for two CNC lathes", encoding="utf-8")
    added = book.add_evidence(
        scan, case_ref="CB-1", title="Invoice 2291", grade="C3", links=[("case", "CB-1")]
    )
    firms = case["firms"]
    finding = book.add_finding(
        case_ref="CB-1",
        text="Tehnostanok likely buys Jingdiao machines.",
        likelihood="likely",
        confidence="low",
    )
    rel = book.add_relationship(
        case_ref="CB-1",
        from_uid=firms["BEIJING JINGDIAO"],
        to_uid=firms["OOO TEHNOSTANOK"],
        kind="supplier",
    )
    window.host.notify(Changes(evidence=True, findings=True, relationships=True, case_ref="CB-1"))
    return {"uid": added.evidence["uid"], "finding": finding["uid"], "relationship": rel["uid"]}


def links_of(window, uid) -> list[tuple]:
    return [(k["kind"], k["uid"], k["note"]) for k in window.host.book.show_evidence(uid)["links"]]


def test_the_link_editor_lists_links_adds_one_and_undo_removes_it(
    qtbot, window, case, item, monkeypatch
):
    tab = evidence_tab(window)
    editor = tab.links
    assert tab.selected()["uid"] == item["uid"]
    assert editor.links() == [("Case", "Lathes via Kazakhstan", "")]
    asked = []

    def ask(cls, parent, *, item, targets, linked=()):
        asked.append({"targets": targets, "linked": list(linked)})
        return ("finding", targets["finding"][0][0], "line 4")

    monkeypatch.setattr(LinkDialog, "ask", classmethod(ask))
    wait_loaded(qtbot, tab, lambda: qtbot.mouseClick(editor.link_button, Qt.MouseButton.LeftButton))
    targets = asked[0]["targets"]
    assert [label for _uid, label in targets["firm"]] == ["BEIJING JINGDIAO", "OOO TEHNOSTANOK"]
    assert targets["relationship"] == [
        (item["relationship"], "BEIJING JINGDIAO → OOO TEHNOSTANOK (supplier)")
    ]
    assert asked[0]["linked"] == [("case", "CB-1")]
    assert links_of(window, item["uid"]) == [
        ("case", "CB-1", ""),
        ("finding", item["finding"], "line 4"),
    ]
    assert editor.links()[1] == ("Finding", "Tehnostanok likely buys Jingdiao machines.", "line 4")
    assert "Finding: Tehnostanok" in tab.model.index(0, SUPPORTS).data()
    stack = window.host.undo_stack
    assert stack.undoText() == "Link E1 to a finding"
    wait_loaded(qtbot, tab, stack.undo)
    assert links_of(window, item["uid"]) == [("case", "CB-1", "")]
    assert len(editor.links()) == 1
    wait_loaded(qtbot, tab, stack.redo)
    assert links_of(window, item["uid"])[1] == ("finding", item["finding"], "line 4")


def test_removing_a_link_is_undoable_and_keeps_its_note(qtbot, window, case, item):
    book = window.host.book
    firm = case["firms"]["OOO TEHNOSTANOK"]
    book.link_evidence(item["uid"], "firm", firm, note="p. 2, the buyer's stamp")
    window.host.notify(Changes(evidence=True, case_ref="CB-1"))
    tab = evidence_tab(window)
    editor = tab.links
    assert not editor.remove_button.isEnabled()  # nothing chosen yet
    assert editor.select("firm", firm)
    wait_loaded(
        qtbot, tab, lambda: qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    )
    assert links_of(window, item["uid"]) == [("case", "CB-1", "")]
    assert [row[0] for row in editor.links()] == ["Case"]
    wait_loaded(qtbot, tab, window.host.undo_stack.undo)
    assert links_of(window, item["uid"])[1] == ("firm", firm, "p. 2, the buyer's stamp")
    assert editor.links()[1] == ("Firm", "OOO TEHNOSTANOK", "p. 2, the buyer's stamp")


def test_the_link_dialog_offers_what_is_not_linked_yet_and_a_shipment_by_reference(
    qtbot, window, case, item
):
    book = window.host.book
    from casebook.ui.link_editor import link_targets

    targets = link_targets(book, "CB-1")
    dialog = LinkDialog(
        None,
        item=book.show_evidence(item["uid"]),
        targets=targets,
        linked=[("firm", case["firms"]["BEIJING JINGDIAO"]), ("case", "CB-1")],
    )
    qtbot.addWidget(dialog)
    assert dialog.kind.currentData() == "firm"
    assert [dialog.targets["firm"].itemText(i) for i in range(dialog.targets["firm"].count())] == [
        "OOO TEHNOSTANOK"
    ]
    dialog.kind.setCurrentIndex(dialog.kind.findData("case"))
    assert not dialog.ok.isEnabled() and "No case" in dialog.problem.text()
    dialog.kind.setCurrentIndex(dialog.kind.findData("shipment"))
    assert not dialog.ok.isEnabled()
    dialog.shipment.setText("ab12:7")
    dialog.note.setText("row 7")
    assert dialog.ok.isEnabled()
    assert dialog.values() == ("shipment", "ab12:7", "row 7")


def test_editing_grade_excerpt_and_notes_is_undone_by_ctrl_z(qtbot, window, case, item, answers):
    tab = evidence_tab(window)
    answers.values = {
        "title": "Invoice 2291 (certified)",
        "grade": "A1",
        "kind": None,
        "publisher": None,
        "url": None,
        "excerpt": "2 × CNC lathe CK6150",
        "notes": "Stamp matches the 2023 invoices.",
    }
    wait_loaded(qtbot, tab, lambda: qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton))
    shown = window.host.book.show_evidence(item["uid"])
    assert (shown["grade"], shown["excerpt"], shown["title"]) == (
        "A1",
        "2 × CNC lathe CK6150",
        "Invoice 2291 (certified)",
    )
    assert tab.model.index(0, GRADE).data() == "A1"
    assert "Stamp matches" in tab.detail.facts.text()
    assert window.host.undo_stack.undoText() == "Edit E1"
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    with qtbot.waitSignal(tab.loaded, timeout=TIMEOUT):
        qtbot.keyClick(tab.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    shown = window.host.book.show_evidence(item["uid"])
    assert (shown["grade"], shown["excerpt"], shown["notes"], shown["title"]) == (
        "C3",
        "",
        "",
        "Invoice 2291",
    )
    assert tab.model.index(0, GRADE).data() == "C3"
    wait_loaded(qtbot, tab, window.host.undo_stack.redo)
    assert (
        window.host.book.show_evidence(item["uid"])["notes"] == "Stamp matches the 2023 invoices."
    )
