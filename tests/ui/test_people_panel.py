"""The People tab (issue 21): a case's persons in their own script with their links; adding one
through the dialog, and undoing it."""

from __future__ import annotations

import pytest

from casebook.ui.people_panel import PeoplePanel, PersonDialog

TIMEOUT = 15_000
REF = "CB-P-1"


@pytest.fixture
def panel(window, qtbot):
    book = window.host.book
    book.create_case(title="People", ref=REF)
    ivan = book.add_person(case_ref=REF, name="Ivan Petrov", native_name="Иван Петров",
                           birth_date="1970", identifiers=["ru_inn:773407989940"])  # fmt: skip
    olga = book.add_person(case_ref=REF, name="Olga Petrova")
    book.add_relationship(case_ref=REF, from_uid=ivan["uid"], to_uid=olga["uid"], kind="family")
    widget = PeoplePanel(window.host, REF)
    window.host.changed.connect(widget.on_changes)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_lists_persons_with_native_names_identifiers_and_links(panel):
    assert panel.count.text() == "2 persons"
    cells = [panel.table.item(0, c).text() for c in range(panel.table.columnCount())]
    assert cells[:4] == ["Ivan Petrov", "Иван Петров", "1970", ""]
    assert cells[4] == "ru_inn 773407989940" and cells[5] == "1"
    assert panel.reveal("person", panel.persons[1]["uid"])
    assert "Olga Petrova" in panel.detail.toPlainText()
    assert "Ivan Petrov → Olga Petrova (family)" in panel.detail.toPlainText()
    assert not panel.reveal("firm", panel.persons[1]["uid"])


def test_add_person_and_undo_it(panel, window, qtbot, monkeypatch):
    fields = {"name": "Lin Haoran", "native_name": "林浩然", "birth_date": "1979-04-12",
              "nationality": "HK", "identifiers": []}  # fmt: skip
    monkeypatch.setattr(PersonDialog, "ask", classmethod(lambda cls, parent: fields))
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        panel.add_button.click()
    assert [p["name"] for p in panel.persons] == ["Ivan Petrov", "Lin Haoran", "Olga Petrova"]
    assert panel.table.item(1, 1).text() == "林浩然"
    stack = window.host.undo_stack
    qtbot.waitUntil(lambda: stack.count() == 1, timeout=TIMEOUT)
    assert stack.undoText() == "Add person Lin Haoran"
    with qtbot.waitSignal(panel.loaded, timeout=TIMEOUT):
        stack.undo()
    assert [p["name"] for p in panel.persons] == ["Ivan Petrov", "Olga Petrova"]
