"""Relationships in the Firms tab: add, edit, delete (asks first), all undoable and audited;
the dialog keeps OK disabled while the share or the dates are wrong."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from casebook.store import models as m
from casebook.ui.firms_tab import FirmsTab
from casebook.ui.ops import Changes
from casebook.ui.relationship_dialog import RelationshipDialog

REF = "CB-R-1"
JINMA = "SHANDONG JINMA INDUSTRIAL CO LTD"
TEKHNO = "OOO TEKHNOSTANOK"
AB = "AB TRADING LIMITED"
# How the Relationships section names the other firm: both scripts and the country.
JINMA_LABEL = "SHANDONG JINMA INDUSTRIAL CO LTD / 山东金马工业有限公司 (CN)"
TEKHNO_LABEL = "OOO TEKHNOSTANOK / ООО ТЕХНОСТАНОК (RU)"
AB_LABEL = "AB TRADING LIMITED (HK)"


@pytest.fixture
def tab(window, qtbot, tmp_path, editing):
    """The Firms tab of a case with three firms (Chinese, Russian, Hong Kong) and two
    evidence items: E1 graded B2, E2 ungraded."""
    book = window.host.book
    book.create_case(title="Jinma lathes", ref=REF)
    uids = {
        JINMA: editing.add_firm(book, REF, JINMA, native="山东金马工业有限公司").uid,
        TEKHNO: editing.add_firm(book, REF, TEKHNO, native="ООО ТЕХНОСТАНОК", country="RU").uid,
        AB: editing.add_firm(book, REF, AB, country="HK").uid,
    }
    for name, grade in (("registry.txt", "B2"), ("rumour.txt", None)):
        (tmp_path / name).write_text(name, encoding="utf-8")
        book.add_evidence(tmp_path / name, case_ref=REF, title=name, grade=grade)
    widget = FirmsTab(window.host, REF)
    widget.uids = uids
    window.host.changed.connect(widget.on_changes)  # what the case workspace does for its tabs
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitUntil(lambda: widget.ready, timeout=15_000)  # the firms are read on the worker
    return widget


@pytest.fixture
def answers(monkeypatch):
    """What the relationship dialog answers, and what it was asked."""
    asked = []

    def ask(cls, parent, *, firm, firms=(), evidence=(), relationship=None):
        asked.append(
            {"firm": firm, "firms": list(firms), "evidence": list(evidence), "rel": relationship}
        )
        return dict(answers.values)

    answers.asked = asked
    monkeypatch.setattr(RelationshipDialog, "ask", classmethod(ask))
    return answers


def evidence_uid(book, number: int) -> str:
    return next(e["uid"] for e in book.list_evidence(case_ref=REF) if e["id"] == f"E{number}")


def select_firm(tab, name: str) -> None:
    tab.firm_view.clearSelection()
    row = next(
        i
        for i in range(tab.firm_proxy.rowCount())
        if tab.firm_proxy.data(tab.firm_proxy.index(i, 0)) == name
    )
    tab.firm_view.selectRow(row)
    assert tab.selected_firm()["name"] == name


def stored(book) -> list[tuple]:
    return [
        (r["from_name"], r["to_name"], r["kind"], r["share"], r["start"], r["end"], r["notes"],
         [e["id"] for e in r["evidence"]])
        for r in book.list_relationships(case_ref=REF)
    ]  # fmt: skip


def audited(book) -> list[str]:
    from sqlmodel import select

    with book.store.read() as session:
        return list(session.exec(select(m.AuditEvent.action).order_by(m.AuditEvent.id)))


def ownership(tab, book, **extra) -> dict:
    values = {
        "kind": "ownership",
        "from_uid": tab.uids[AB],
        "to_uid": tab.uids[JINMA],
        "share": 51.0,
        "start": "2021-06-01",
        "end": None,
        "notes": "Registry extract, shareholders",
        "evidence": [evidence_uid(book, 1)],
    }
    return values | extra


def test_adding_an_ownership_lists_it_in_both_firms_and_the_store_audited(
    qtbot, window, tab, answers, editing
):
    book = window.host.book
    assert not tab.rel_add.isEnabled()  # no firm selected
    assert "select a firm" in tab.rel_label.text()
    select_firm(tab, AB)
    assert tab.relationship_rows() == [] and "none recorded" in tab.rel_label.text()
    answers.values = ownership(tab, book)
    editing.click(qtbot, tab, tab.rel_add)
    asked = answers.asked[0]
    assert asked["firm"]["name"] == AB and asked["rel"] is None
    assert {f["name"] for f in asked["firms"]} == {JINMA, TEKHNO, AB}
    assert [(e["id"], e["grade"]) for e in asked["evidence"]] == [("E1", "B2"), ("E2", None)]
    assert stored(book) == [
        (AB, JINMA, "ownership", 51.0, "2021-06-01", None, "Registry extract, shareholders",
         ["E1"]),
    ]  # fmt: skip
    assert tab.relationship_rows() == [
        ("Ownership", "owns", JINMA_LABEL, "51 %", "2021-06-01", "", "1",
         "Registry extract, shareholders"),
    ]  # fmt: skip
    assert "1 in this case" in tab.rel_label.text()
    assert tab.selected_relationship()["uid"] == book.list_relationships(case_ref=REF)[0]["uid"]
    assert "relationship.add" in audited(book)
    assert window.host.undo_stack.undoText() == "Add ownership relationship"
    select_firm(tab, JINMA)  # seen from the other end
    assert tab.relationship_rows()[0][:4] == ("Ownership", "is owned by", AB_LABEL, "51 %")
    select_firm(tab, TEKHNO)
    assert tab.relationship_rows() == []
    editing.undo(qtbot, window, tab)
    assert stored(book) == []
    editing.redo(qtbot, window, tab)
    assert len(stored(book)) == 1
    editing.undo(qtbot, window, tab)  # the re-added one (new uid) is the one removed
    assert stored(book) == [] and audited(book).count("relationship.delete") == 2


def test_editing_share_dates_and_evidence_is_one_undoable_change(
    qtbot, window, tab, answers, editing
):
    book = window.host.book
    book.add_relationship(case_ref=REF, **ownership(tab, book))
    window.host.notify(Changes(relationships=True, case_ref=REF))
    select_firm(tab, JINMA)
    tab.rel_list.setCurrentItem(tab.rel_list.topLevelItem(0))
    answers.values = ownership(
        tab, book, share=75.0, start=None, end="2023-12-31", notes="",
        evidence=[evidence_uid(book, 2)],
    )  # fmt: skip
    editing.click(qtbot, tab, tab.rel_edit)
    assert answers.asked[0]["rel"]["share"] == 51.0
    assert stored(book) == [(AB, JINMA, "ownership", 75.0, None, "2023-12-31", "", ["E2"])]
    assert tab.relationship_rows() == [
        ("Ownership", "is owned by", AB_LABEL, "75 %", "", "2023-12-31", "1", "")
    ]
    assert "relationship.edit" in audited(book)
    assert window.host.undo_stack.undoText() == "Edit ownership relationship"
    editing.undo(qtbot, window, tab)
    assert stored(book) == [
        (AB, JINMA, "ownership", 51.0, "2021-06-01", None, "Registry extract, shareholders",
         ["E1"]),
    ]  # fmt: skip
    assert tab.relationship_rows()[0][3:5] == ("51 %", "2021-06-01")


def test_turning_a_relationship_round_records_it_anew_and_undo_turns_it_back(
    qtbot, window, tab, answers, editing
):
    book = window.host.book
    book.add_relationship(
        case_ref=REF, from_uid=tab.uids[JINMA], to_uid=tab.uids[TEKHNO], kind="supplier",
        evidence=[evidence_uid(book, 1)],
    )  # fmt: skip
    book.link_evidence(evidence_uid(book, 1), "relationship",
                       book.list_relationships(case_ref=REF)[0]["uid"], note="p. 4")  # fmt: skip
    window.host.notify(Changes(relationships=True, case_ref=REF))
    select_firm(tab, JINMA)
    assert tab.relationship_rows()[0][:3] == ("Supplier", "supplies", TEKHNO_LABEL)
    tab.rel_list.setCurrentItem(tab.rel_list.topLevelItem(0))
    answers.values = {
        "kind": "customer", "from_uid": tab.uids[AB], "to_uid": tab.uids[JINMA], "share": None,
        "start": None, "end": None, "notes": "", "evidence": [evidence_uid(book, 1)],
    }  # fmt: skip
    editing.click(qtbot, tab, tab.rel_edit)
    assert stored(book) == [(AB, JINMA, "customer", None, None, None, "", ["E1"])]
    assert book.list_relationships(case_ref=REF)[0]["evidence"][0]["note"] == "p. 4"
    assert tab.relationship_rows()[0][:3] == ("Customer", "sells to", AB_LABEL)
    editing.undo(qtbot, window, tab)
    assert stored(book) == [(JINMA, TEKHNO, "supplier", None, None, None, "", ["E1"])]
    editing.redo(qtbot, window, tab)
    assert stored(book) == [(AB, JINMA, "customer", None, None, None, "", ["E1"])]


def test_delete_asks_first_and_undo_restores_it_with_its_evidence(
    qtbot, window, tab, monkeypatch, editing
):
    book = window.host.book
    rel = book.add_relationship(case_ref=REF, **ownership(tab, book))
    book.link_evidence(evidence_uid(book, 2), "relationship", rel["uid"], note="annual report")
    window.host.notify(Changes(relationships=True, case_ref=REF))
    select_firm(tab, AB)
    assert not tab.rel_delete.isEnabled()  # no relationship selected yet
    tab.rel_list.setCurrentItem(tab.rel_list.topLevelItem(0))
    asked = []
    monkeypatch.setattr(
        FirmsTab,
        "confirm_delete_relationship",
        classmethod(lambda cls, p, r, f: asked.append((r["uid"], f["name"])) or False),
    )
    qtbot.mouseClick(tab.rel_delete, Qt.MouseButton.LeftButton)
    assert asked == [(rel["uid"], AB)]
    assert len(stored(book)) == 1 and len(tab.relationship_rows()) == 1  # said no
    monkeypatch.setattr(
        FirmsTab, "confirm_delete_relationship", classmethod(lambda cls, p, r, f: True)
    )
    editing.click(qtbot, tab, tab.rel_delete)
    assert stored(book) == [] and tab.relationship_rows() == []
    assert "relationship.delete" in audited(book)
    editing.undo(qtbot, window, tab)
    assert stored(book) == [
        (AB, JINMA, "ownership", 51.0, "2021-06-01", None, "Registry extract, shareholders",
         ["E1", "E2"]),
    ]  # fmt: skip
    notes = {e["id"]: e["note"] for e in book.list_relationships(case_ref=REF)[0]["evidence"]}
    assert notes == {"E1": "", "E2": "annual report"}
    assert tab.relationship_rows()[0][:4] == ("Ownership", "owns", JINMA_LABEL, "51 %")
    assert tab.relationship_rows()[0][6] == "2"
    editing.redo(qtbot, window, tab)  # deletes the restored one (new uid)
    assert stored(book) == [] and audited(book).count("relationship.delete") == 2


def test_the_dialog_keeps_ok_disabled_for_a_bad_share_or_dates_and_filters_any_script(
    qtbot, window, tab
):
    book = window.host.book
    firm = next(f for f in tab.firms.rows if f["name"] == AB)
    dialog = RelationshipDialog(
        tab, firm=firm, firms=tab.firms.rows, evidence=book.list_evidence(case_ref=REF)
    )
    qtbot.addWidget(dialog)
    labels = [dialog.other.itemText(i) for i in range(dialog.other.count())]
    assert labels == [
        "OOO TEKHNOSTANOK / ООО ТЕХНОСТАНОК (RU)",
        "SHANDONG JINMA INDUSTRIAL CO LTD / 山东金马工业有限公司 (CN)",
    ]  # the firm itself is not offered
    assert not dialog.ok.isEnabled() and "Pick the other firm" in dialog.problem.text()
    completer = dialog.other.completer()
    for typed, expected in (("технос", TEKHNO), ("金马工业", JINMA), ("jinma", JINMA)):
        completer.setCompletionPrefix(typed)
        assert completer.completionCount() == 1, typed
        assert completer.currentCompletion().startswith(expected)
    dialog.other.setCurrentIndex(1)
    assert dialog.ok.isEnabled() and dialog.problem.isHidden()
    assert dialog.direction.itemText(0) == f"{AB} owns {JINMA}"
    assert dialog.direction.itemText(1) == f"{JINMA} owns {AB}"
    for bad in ("150", "-1", "half"):
        dialog.share.setText(bad)
        assert not dialog.ok.isEnabled(), bad
        assert "The share must be a percentage from 0 to 100." in dialog.problem.text()
        assert not dialog.problem.isHidden()
    dialog.share.setText("51 %")
    assert dialog.ok.isEnabled()
    dialog.start.setText("2022-05-01")
    dialog.end.setText("2021-01-31")
    assert not dialog.ok.isEnabled()
    assert dialog.problem.text() == "The end date is before the start date."
    dialog.end.setText("31.13.2023")
    assert "is not a date" in dialog.problem.text() and not dialog.ok.isEnabled()
    dialog.end.setText("2023-12-31")
    assert dialog.ok.isEnabled()
    dialog.evidence.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.direction.setCurrentIndex(1)
    assert dialog.values() == {
        "kind": "ownership", "from_uid": tab.uids[JINMA], "to_uid": tab.uids[AB], "share": 51.0,
        "start": "2022-05-01", "end": "2023-12-31", "notes": "",
        "evidence": [evidence_uid(book, 1)],
    }  # fmt: skip
    dialog.kind.setCurrentIndex(dialog.kind.findData("shared address"))
    assert not dialog.share.isEnabled() and not dialog.direction.isEnabled()
    assert dialog.kind.currentText() == "Shared address" and dialog.values()["share"] is None
    dialog.share.setText("150")  # ignored: only ownership has a share
    assert dialog.ok.isEnabled()
