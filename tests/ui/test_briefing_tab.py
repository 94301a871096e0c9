""" "Open demo case" on the start screen, and the Briefing tab driven like a user."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton

from casebook.ui.briefing_tab import BriefingTab, SaveDialog, pdftoppm

DEMO = "DEMO-CNC-RU"


def briefing_tab(window) -> BriefingTab:
    workspace = window.page.workspace
    tab = next(
        workspace.tabs.widget(i)
        for i in range(workspace.tabs.count())
        if isinstance(workspace.tabs.widget(i), BriefingTab)
    )
    workspace.tabs.setCurrentWidget(tab)
    return tab


def test_open_demo_case_then_generate_preview_and_save_its_briefing(
    qtbot, window, monkeypatch, tmp_path
):
    qtbot.mouseClick(window.page.empty.demo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.page.selected_ref() == DEMO, timeout=60_000)
    tab = briefing_tab(window)
    markings = [tab.marking.itemText(i) for i in range(tab.marking.count())]
    assert markings[0] == "TLP:GREEN" and "TLP:CLEAR" not in markings  # never below the case's
    assert not tab.save_button.isEnabled()

    tab.top.setValue(5)
    tab.appendix_rows.setValue(3)
    with qtbot.waitSignal(tab.generated, timeout=60_000) as generated:
        qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)
    result = generated.args[0]
    assert result["pages"] > 5 and tab.save_button.isEnabled()
    assert result["appendix_rows"] == 3 and result["table_rows"] > 3
    if pdftoppm():
        qtbot.waitUntil(lambda: tab.pages_layout.count() == result["pages"], timeout=30_000)

    target = tmp_path / "copy.pdf"
    monkeypatch.setattr(SaveDialog, "ask", classmethod(lambda cls, parent, s: str(target)))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes() == tab.pdf_path.read_bytes()
    table = tmp_path / "copy.shipments.csv"  # the full table travels with the copy
    assert hashlib.sha256(table.read_bytes()).hexdigest() == result["table_sha256"]


def test_cancelled_briefing_writes_nothing_and_the_tab_is_ready_again(qtbot, window):
    qtbot.mouseClick(window.page.empty.demo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.page.selected_ref() == DEMO, timeout=60_000)
    tab = briefing_tab(window)
    qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)
    assert not tab.generate.isEnabled()
    dialog = tab.findChild(QProgressDialog)
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    cancel.click()  # as the user does in the progress dialog
    qtbot.waitUntil(tab.generate.isEnabled, timeout=60_000)
    assert "Cancelled" in tab.status.text()
    assert list(tab.pdf_path.parent.iterdir()) == []  # neither the PDF nor its table
    assert not tab.save_button.isEnabled()
    with qtbot.waitSignal(tab.generated, timeout=60_000):  # and it generates again
        qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)


def test_no_section_chosen_is_said_not_generated(qtbot, window):
    window.host.book.create_case(title="Empty", ref="CB-1")
    from casebook.ui.ops import Changes

    window.host.notify(Changes(cases=True))
    assert window.page.select("CB-1")
    tab = briefing_tab(window)
    for box in tab.sections.values():
        box.setChecked(False)
    qtbot.mouseClick(tab.generate, Qt.MouseButton.LeftButton)
    assert "at least one section" in tab.status.text()
