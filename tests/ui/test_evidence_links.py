"""Evidence linked to what it supports: dropped on a firm, the link editor, undoable edits."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from casebook.book.cases import find_case
from casebook.core.names import name_key
from casebook.store import models as m
from casebook.ui.evidence_dialog import EvidenceDialog
from casebook.ui.evidence_tab import COLUMNS, EvidenceTab
from casebook.ui.firms_tab import FirmsTab
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


def file_mime(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drag_and_drop(widget, point: QPointF, mime: QMimeData) -> bool:
    """Enter, move to ``point`` and drop, as the window system delivers them; True when the
    move was accepted (the drop would be taken there)."""
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(point, *args)
    enter.ignore()
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():  # Qt sends moves only to the widget that accepted the enter
        return False
    move = QDragMoveEvent(point, *args)
    QApplication.sendEvent(widget, move)
    if move.isAccepted():
        QApplication.sendEvent(widget, QDropEvent(point, *args))
    return move.isAccepted()


def firms_tab(window) -> FirmsTab:
    tab = window.page.workspace.tab("firms")
    window.page.workspace.tabs.setCurrentWidget(tab)
    return tab


def row_point(tab: FirmsTab, name: str) -> QPointF:
    row = next(
        r for r in range(tab.firm_proxy.rowCount()) if tab.firm_proxy.index(r, 0).data() == name
    )
    return QPointF(tab.firm_view.visualRect(tab.firm_proxy.index(row, 1)).center())


def test_dropping_a_file_onto_a_firm_links_it_and_the_evidence_tab_lists_it_with_its_grade(
    qtbot, window, case, answers, tmp_path
):
    scan = tmp_path / "agreement.txt"
    scan.write_text("Exclusive distributor of Jingdiao machines in Kazakhstan", encoding="utf-8")
    tab = firms_tab(window)
    point = row_point(tab, "OOO TEHNOSTANOK")
    with qtbot.waitSignal(tab.evidence_added, timeout=TIMEOUT):
        assert drag_and_drop(tab.firm_view.viewport(), point, file_mime(scan))
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


def test_a_drop_beside_the_firm_rows_is_refused(qtbot, window, case, answers, tmp_path):
    scan = tmp_path / "agreement.txt"
    scan.write_text("text", encoding="utf-8")
    tab = firms_tab(window)
    below = QPointF(10, tab.firm_view.viewport().height() - 5)
    assert tab.firm_at(below.toPoint()) is None
    assert not drag_and_drop(tab.firm_view.viewport(), below, file_mime(scan))
    assert answers.asked == []
    assert window.host.book.list_evidence(case_ref="CB-1") == []


def test_dropping_text_on_a_firm_is_refused(qtbot, window, case, answers):
    tab = firms_tab(window)
    mime = QMimeData()
    mime.setText("not a file")
    assert not drag_and_drop(tab.firm_view.viewport(), row_point(tab, "BEIJING JINGDIAO"), mime)
    assert answers.asked == []
