"""The live app: a colleague's commit shows in the open case within 2 s, with no manual
refresh (a store file is polled; a server notifies); a save on a version a colleague changed
since is refused with a dialog that offers to reload."""

from __future__ import annotations

import re
import time

import pytest

from casebook.book import Casebook
from casebook.ui.errors import StaleDialog
from casebook.ui.findings_panel import FindingDialog, FindingsPanel
from casebook.ui.ops import Changes

REF = "CB-L-1"


def _open_findings(window) -> FindingsPanel:
    window.host.book.create_case(title="Team case", ref=REF)
    window.host.notify(Changes(cases=True))
    assert window.page.select(REF)
    tab = window.page.workspace.tab("findings")
    window.page.workspace.tabs.setCurrentWidget(tab)
    return tab


def _colleague_adds_a_finding(location, text: str) -> float:
    with Casebook.open(location, user="alice") as alice:
        alice.add_finding(case_ref=REF, text=text, likelihood="likely", confidence="low")
    return time.monotonic()


def _shows_within_2s(qtbot, panel: FindingsPanel, text: str, committed: float) -> float:
    qtbot.waitUntil(lambda: text in panel.findings(), timeout=2000)
    seconds = time.monotonic() - committed
    print(f"a colleague's finding showed {seconds:.2f} s after the commit")
    return seconds


def test_a_colleagues_finding_appears_within_2s_on_a_store_file(qtbot, window, tmp_path):
    panel = _open_findings(window)
    assert panel.findings() == []
    text = "The lathes are likely re-exported via Almaty."
    committed = _colleague_adds_a_finding(tmp_path / "cases.db", text)
    assert _shows_within_2s(qtbot, panel, text, committed) < 2.0


@pytest.mark.postgresql
def test_a_colleagues_finding_appears_within_2s_on_a_server(qtbot, pg_database):
    from casebook.ui.main_window import MainWindow

    win = MainWindow(user=None)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.host.store_opened, timeout=20_000):
        win.open_store_at(pg_database)
    panel = _open_findings(win)
    text = "The lathes are likely re-exported via Almaty."
    committed = _colleague_adds_a_finding(pg_database, text)
    assert _shows_within_2s(qtbot, panel, text, committed) < 2.0
    win.host.close()


def test_a_save_on_a_stale_finding_is_refused_with_a_reload(qtbot, window, tmp_path, monkeypatch):
    panel = _open_findings(window)
    window.host.book.add_finding(
        case_ref=REF, text="The firm is likely a front.", likelihood="likely", confidence="low"
    )
    panel.reload()
    panel.select(panel.items[0]["uid"])
    asked = []
    monkeypatch.setattr(
        StaleDialog, "ask", classmethod(lambda cls, parent, *, message: asked.append(message) or 1)
    )
    monkeypatch.setattr(
        FindingDialog,
        "ask",
        classmethod(
            lambda cls, parent, **_: {
                "text": "Mine: the firm is likely a front company.",
                "likelihood": "likely",
                "confidence": "moderate",
                "evidence": [],
            }
        ),
    )
    with Casebook.open(tmp_path / "cases.db", user="alice") as alice:  # she saves first
        alice.edit_finding(
            panel.items[0]["uid"], text="Alice: the firm is almost certainly a front."
        )
    panel.edit_selected()  # on the version read before alice's save

    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert re.fullmatch(r"finding \w{8} was changed by alice at \d\d:\d\d — reload", asked[0])
    qtbot.waitUntil(
        lambda: panel.findings() == ["Alice: the firm is almost certainly a front."], timeout=3000
    )
    assert window.host.undo_stack.count() == 0  # nothing was saved, nothing to undo


def test_a_case_edit_on_a_stale_version_is_refused(qtbot, window, tmp_path, monkeypatch):
    from casebook.ui.case_dialog import CaseDialog

    _open_findings(window)
    asked = []
    monkeypatch.setattr(
        StaleDialog, "ask", classmethod(lambda cls, parent, *, message: asked.append(message) or 0)
    )

    def ask(cls, parent, on_accept, **_):
        with Casebook.open(
            tmp_path / "cases.db", user="alice"
        ) as alice:  # while the dialog is open
            alice.edit_case(REF, title="Alice's title")
        on_accept({"title": "My title"})

    monkeypatch.setattr(CaseDialog, "ask", classmethod(ask))
    window.edit_selected_case()

    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert re.fullmatch(rf"case {REF} was changed by alice at \d\d:\d\d — reload", asked[0])
    assert window.host.book.get_case(REF).title == "Alice's title"
