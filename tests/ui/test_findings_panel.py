"""The Findings tab as an editor: add, edit, move, delete and link evidence, all undoable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from casebook.ui.findings_panel import FindingDialog, FindingsPanel
from casebook.ui.ops import Changes

REF = "CB-1"


@pytest.fixture
def panel(qtbot, window, tmp_path):
    """The Findings tab of case CB-1, which has one graded and one ungraded evidence item."""
    book = window.host.book
    book.create_case(title="Lathes via Kazakhstan", ref=REF)
    for name, grade in (("invoice.txt", "B2"), ("rumour.txt", None)):
        (tmp_path / name).write_text(name, encoding="utf-8")
        book.add_evidence(tmp_path / name, case_ref=REF, grade=grade)
    window.host.notify(Changes(cases=True))
    assert window.page.select(REF)
    tab = window.page.workspace.tab("findings")
    assert isinstance(tab, FindingsPanel)  # shown before the first finding: it is added here
    window.page.workspace.tabs.setCurrentWidget(tab)
    return tab


@pytest.fixture
def answers(monkeypatch):
    """What the finding dialog answers, and what it was asked."""
    asked = []

    def ask(cls, parent, *, finding=None, evidence=()):
        asked.append({"finding": finding, "evidence": list(evidence)})
        return dict(answers.values)

    answers.asked = asked
    monkeypatch.setattr(FindingDialog, "ask", classmethod(ask))
    return answers


def uid_of(book, number: int) -> str:
    return next(e["uid"] for e in book.list_evidence(case_ref=REF) if e["id"] == f"E{number}")


def stored(window) -> list[tuple]:
    return [
        (f["text"], f["likelihood"], f["confidence"], [e["id"] for e in f["evidence"]])
        for f in window.host.book.list_findings(case_ref=REF)
    ]


def test_adding_a_finding_with_evidence_shows_it_with_grades_and_undo_removes_it(
    qtbot, window, panel, answers, editing
):
    book = window.host.book
    answers.values = {
        "text": "Tehnostanok likely re-exports lathes to Russia.",
        "likelihood": "likely",
        "confidence": "moderate",
        "evidence": [uid_of(book, 1), uid_of(book, 2)],
    }
    editing.click(qtbot, panel, panel.add_button)
    assert [e["id"] for e in answers.asked[0]["evidence"]] == ["E1", "E2"]
    assert stored(window) == [
        ("Tehnostanok likely re-exports lathes to Russia.", "likely", "moderate", ["E1", "E2"])
    ]
    assert panel.findings() == ["Tehnostanok likely re-exports lathes to Russia."]
    row = panel.model.item(0, 0)
    assert [row.child(r, 3).text() for r in range(row.rowCount())] == [
        "E1 invoice — B2",
        "E2 rumour — ungraded",
    ]
    assert panel.selected_uid() == book.list_findings(case_ref=REF)[0]["uid"]
    assert window.host.undo_stack.undoText() == "Add finding"
    editing.undo(qtbot, window, panel)
    assert stored(window) == [] and panel.findings() == []
    editing.redo(qtbot, window, panel)
    assert [s[0] for s in stored(window)] == ["Tehnostanok likely re-exports lathes to Russia."]
    editing.undo(qtbot, window, panel)  # the re-created finding (new uid) is the one removed
    assert stored(window) == []


def test_editing_text_terms_and_evidence_is_one_undoable_change(
    qtbot, window, panel, answers, editing
):
    book = window.host.book
    first = uid_of(book, 1)
    book.add_finding(
        case_ref=REF, text="Firm X is a front.", likelihood="likely", confidence="low",
        evidence=[first],
    )  # fmt: skip
    book.link_evidence(first, "finding", book.list_findings(case_ref=REF)[0]["uid"], note="p. 2")
    window.host.notify(Changes(findings=True, case_ref=REF))
    panel.select(book.list_findings(case_ref=REF)[0]["uid"])
    answers.values = {
        "text": "Firm X is very likely a front.",
        "likelihood": "very likely",
        "confidence": "high",
        "evidence": [uid_of(book, 2)],
    }
    editing.click(qtbot, panel, panel.edit_button)
    assert answers.asked[0]["finding"]["text"] == "Firm X is a front."
    assert stored(window) == [("Firm X is very likely a front.", "very likely", "high", ["E2"])]
    assert "no graded evidence" in panel.model.item(0, 0).child(0, 3).text()
    editing.undo(qtbot, window, panel)
    assert stored(window) == [("Firm X is a front.", "likely", "low", ["E1"])]
    assert book.list_findings(case_ref=REF)[0]["evidence"][0]["note"] == "p. 2"
    assert panel.findings() == ["Firm X is a front."]


def test_moving_up_and_down_reorders_and_undo_restores(qtbot, window, panel, editing):
    book = window.host.book
    for text in ("First.", "Second.", "Third."):
        book.add_finding(case_ref=REF, text=text, likelihood="likely", confidence="low")
    window.host.notify(Changes(findings=True, case_ref=REF))
    third = book.list_findings(case_ref=REF)[2]["uid"]
    panel.select(third)
    assert not panel.down_button.isEnabled()
    editing.click(qtbot, panel, panel.up_button)
    assert panel.findings() == ["First.", "Third.", "Second."]
    assert panel.selected_uid() == third  # the moved finding stays selected
    editing.click(qtbot, panel, panel.up_button)
    assert panel.findings() == ["Third.", "First.", "Second."]
    assert not panel.up_button.isEnabled()
    editing.click(qtbot, panel, panel.down_button)
    assert [s[0] for s in stored(window)] == ["First.", "Third.", "Second."]
    editing.undo(qtbot, window, panel)
    editing.undo(qtbot, window, panel)
    editing.undo(qtbot, window, panel)
    assert [s[0] for s in stored(window)] == ["First.", "Second.", "Third."]


def test_delete_asks_first_and_undo_brings_the_finding_back_in_place(
    qtbot, window, panel, monkeypatch, editing
):
    book = window.host.book
    for text in ("First.", "Second.", "Third."):
        book.add_finding(
            case_ref=REF, text=text, likelihood="probable", confidence="moderate",
            evidence=[uid_of(book, 1)],
        )  # fmt: skip
    second = book.list_findings(case_ref=REF)[1]["uid"]
    book.link_evidence(uid_of(book, 1), "finding", second, note="table 3")
    window.host.notify(Changes(findings=True, case_ref=REF))
    asked = []
    monkeypatch.setattr(
        FindingsPanel, "confirm_delete", classmethod(lambda cls, p, f: asked.append(f) or False)
    )
    panel.select(second)
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert [f["text"] for f in asked] == ["Second."]
    assert len(stored(window)) == 3  # said no
    monkeypatch.setattr(FindingsPanel, "confirm_delete", classmethod(lambda cls, p, f: True))
    editing.click(qtbot, panel, panel.delete_button)
    assert panel.findings() == ["First.", "Third."]
    editing.undo(qtbot, window, panel)
    assert panel.findings() == ["First.", "Second.", "Third."]
    restored = book.list_findings(case_ref=REF)[1]
    assert restored["likelihood"] == "probable" and restored["evidence"][0]["note"] == "table 3"
    editing.redo(qtbot, window, panel)  # deletes the restored finding (new uid)
    assert [s[0] for s in stored(window)] == ["First.", "Third."]
    assert audited(book).count("finding.delete") == 2


def audited(book) -> list[str]:
    from sqlmodel import select

    from casebook.store import models as m

    with book.store.read() as session:
        return list(session.exec(select(m.AuditEvent.action).order_by(m.AuditEvent.id)))


def test_the_dialog_warns_about_ungraded_evidence_and_mixed_vocabularies(qtbot, panel, window):
    evidence = window.host.book.list_evidence(case_ref=REF)
    dialog = FindingDialog(panel, evidence=evidence)
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()  # no text yet
    dialog.text.setPlainText("Firm X likely re-exports lathes.")
    assert dialog.ok.isEnabled()
    assert "no graded evidence" in dialog.warnings.text()
    dialog.evidence.item(0).setCheckState(Qt.CheckState.Checked)  # E1, graded B2
    assert dialog.warnings.text() == ""
    dialog.likelihood.setCurrentIndex(dialog.likelihood.findData("highly probable"))
    assert "mixes the two ICD 203 vocabularies" in dialog.warnings.text()
    assert dialog.values() == {
        "text": "Firm X likely re-exports lathes.",
        "likelihood": "highly probable",
        "confidence": "moderate",
        "evidence": [evidence[0]["uid"]],
    }
