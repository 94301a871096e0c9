"""The Evidence tab and the Findings tab, driven like a user."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from casebook.ui.evidence_dialog import EvidenceDialog
from casebook.ui.evidence_tab import COLUMNS, Desktop, EvidenceTab, FileChooser
from casebook.ui.findings_panel import FindingsPanel
from casebook.ui.ops import Changes

GRADE = [key for key, _title, _w in COLUMNS].index("grade")


@pytest.fixture
def case(qtbot, window):
    """Case CB-1 in the window's store, selected in the list."""
    window.host.book.create_case(title="Lathes via Kazakhstan", ref="CB-1")
    window.host.notify(Changes(cases=True))
    assert window.page.select("CB-1")
    return "CB-1"


@pytest.fixture
def answers(monkeypatch):
    """What the evidence dialog answers (instead of a modal dialog), and what it was asked."""
    asked = []

    def ask(cls, parent, *, paths=(), item=None):
        asked.append({"paths": list(paths), "item": item})
        return dict(answers.values)

    answers.values = {"title": "Customs declaration", "grade": "B2", "kind": None}
    monkeypatch.setattr(EvidenceDialog, "ask", classmethod(ask))
    answers.asked = asked
    return answers


def evidence_tab(window) -> EvidenceTab:
    workspace = window.page.workspace
    tab = next(
        workspace.tabs.widget(i)
        for i in range(workspace.tabs.count())
        if isinstance(workspace.tabs.widget(i), EvidenceTab)
    )
    workspace.tabs.setCurrentWidget(tab)
    return tab


def drop(widget, mime: QMimeData) -> None:
    """Deliver a drag-enter and a drop as the window system would."""
    point = QPointF(widget.rect().center())
    actions = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), actions, mime, buttons, keys)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(point, actions, mime, buttons, keys))


def file_mime(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def test_dropping_a_file_links_it_to_the_case_and_lists_it_with_its_grade(
    qtbot, window, case, answers, tmp_path
):
    scan = tmp_path / "declaration.txt"
    scan.write_text("СТАНОК ТОКАРНЫЙ С ЧПУ, 2 шт.", encoding="utf-8")
    tab = evidence_tab(window)
    with qtbot.waitSignal(tab.added, timeout=10_000):
        drop(tab, file_mime(scan))
    assert answers.asked[0]["paths"] == [scan]
    [item] = window.host.book.list_evidence(case_ref=case)
    assert item["grade"] == "B2" and item["title"] == "Customs declaration"
    assert [(k["kind"], k["uid"]) for k in item["links"]] == [("case", case)]
    index = tab.model.index(0, GRADE)
    assert index.data() == "B2"
    assert "Usually reliable, probably true" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert tab.selected()["uid"] == item["uid"]


def test_a_drag_without_files_is_refused(qtbot, window, case):
    tab = evidence_tab(window)
    mime = QMimeData()
    mime.setText("just text")
    enter = QDragEnterEvent(
        tab.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter.ignore()
    QApplication.sendEvent(tab, enter)
    assert not enter.isAccepted()


def test_the_same_file_twice_is_one_item_and_says_so(
    qtbot, window, case, answers, tmp_path, monkeypatch
):
    page = tmp_path / "page.txt"
    page.write_text("Jingdiao distributor list", encoding="utf-8")
    monkeypatch.setattr(FileChooser, "ask", staticmethod(lambda parent: [str(page)]))
    tab = evidence_tab(window)
    for _ in range(2):
        with qtbot.waitSignal(tab.added, timeout=10_000):
            qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == 1
    assert "already holds this file" in tab.notice.text()


def test_a_text_file_previews_and_opens_as_a_working_copy(
    qtbot, window, case, answers, tmp_path, monkeypatch
):
    note = tmp_path / "note.txt"
    note.write_text("Shipped via Almaty in March", encoding="utf-8")
    tab = evidence_tab(window)
    with qtbot.waitSignal(tab.added, timeout=10_000):
        tab.add_files([note])
    qtbot.waitUntil(lambda: "Almaty" in tab.detail.preview.text.toPlainText(), timeout=10_000)
    opened = []
    monkeypatch.setattr(Desktop, "open", staticmethod(opened.append))
    with qtbot.waitSignal(window.host.worker.finished, timeout=10_000):
        qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert opened and opened[0].read_text(encoding="utf-8") == "Shipped via Almaty in March"
    vault = window.host.book.vault.path_of(tab.selected()["sha256"])
    assert opened[0] != vault


def test_regrading_an_item_updates_the_register(qtbot, window, case, answers, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("Registry extract", encoding="utf-8")
    tab = evidence_tab(window)
    with qtbot.waitSignal(tab.added, timeout=10_000):
        tab.add_files([note])
    answers.values = {"title": "Registry extract", "grade": None, "kind": "registry extract"}
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    assert answers.asked[-1]["item"]["grade"] == "B2"
    assert tab.model.index(0, GRADE).data() == "—"


def test_findings_list_their_evidence_with_grades_and_warnings(qtbot, window, case, tmp_path):
    book = window.host.book
    for name, grade in (("a.txt", "A1"), ("b.txt", None)):
        (tmp_path / name).write_text(name, encoding="utf-8")
        book.add_evidence(tmp_path / name, case_ref=case, grade=grade)
    book.add_finding(
        case_ref=case,
        text="Firm X likely re-exports lathes to Russia.",
        likelihood="likely",
        confidence="moderate",
        evidence=["E1", "E2"],
    )
    book.add_finding(
        case_ref=case, text="Firm Y is a front.", likelihood="highly probable", confidence="low"
    )
    window.host.notify(Changes(findings=True, evidence=True, case_ref=case))
    workspace = window.page.workspace
    panel = next(
        workspace.tabs.widget(i)
        for i in range(workspace.tabs.count())
        if isinstance(workspace.tabs.widget(i), FindingsPanel)
    )
    assert panel.findings() == ["Firm X likely re-exports lathes to Russia.", "Firm Y is a front."]
    first = panel.model.item(0, 0)
    children = [first.child(r, 3).text() for r in range(first.rowCount())]
    assert children == ["E1 a — A1", "E2 b — ungraded"]
    second = panel.model.item(1, 0)
    assert "no graded evidence" in second.child(0, 3).text()


def test_a_pdf_shows_its_first_page_text_read_through_the_facade(
    qtbot, window, case, answers, tmp_path
):
    from reportlab.pdfgen import canvas

    path = tmp_path / "registry.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, "Registry extract Jingdiao Machine Tools")
    pdf.save()
    tab = evidence_tab(window)
    with qtbot.waitSignal(tab.added, timeout=10_000):
        tab.add_files([path])
    shown = tab.detail.preview.text
    qtbot.waitUntil(lambda: "Jingdiao" in shown.toPlainText(), timeout=10_000)
    assert shown.toPlainText().startswith("First page as extracted text")
    assert tab.detail.preview.currentWidget() is shown


def test_an_image_is_shown_from_the_bytes_the_facade_reads(qtbot, window, case, answers, tmp_path):
    from PySide6.QtGui import QColor, QImage

    path = tmp_path / "photo.png"
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    assert image.save(str(path))
    tab = evidence_tab(window)
    with qtbot.waitSignal(tab.added, timeout=10_000):
        tab.add_files([path])
    preview = tab.detail.preview
    qtbot.waitUntil(lambda: preview.currentWidget() is preview.image, timeout=10_000)
    assert preview.image.pixmap().toImage().pixelColor(0, 0) == QColor("red")


def test_the_evidence_tab_reads_files_only_through_the_facade():
    """Vault, store and PDF parsing stay beneath casebook.book (issue #16)."""
    import ast
    import inspect

    from casebook.ui import evidence_tab

    tree = ast.parse(inspect.getsource(evidence_tab))
    modules = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    allowed = ("casebook.book", "casebook.core", "casebook.resources", "casebook.ui")
    outside = {
        name
        for name in modules
        if name.startswith("casebook") and not name.startswith(allowed) or name == "pypdf"
    }
    assert outside == set()


def test_the_records_field_names_stay_readable_after_a_theme_switch(qtbot):
    """Seen in the dark screenshots: the field names (Grade, Kind, Source…) kept the light
    theme's grey, almost black on the dark background, until another item was selected."""
    import re

    from PySide6.QtGui import QColor, QPalette

    from casebook.ui import theme
    from casebook.ui.evidence_tab import EvidenceDetail

    def contrast(a: QColor, b: QColor) -> float:
        def lum(c: QColor) -> float:
            def ch(v: float) -> float:
                return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

            return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

        high, low = sorted((lum(a), lum(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    detail = EvidenceDetail()
    qtbot.addWidget(detail)
    item = {"id": "E1", "title": "Registry extract", "grade": "B2", "grade_label": "Usually "
            "reliable", "kind": "registry extract", "source": "Registry", "original_name": "r.txt",
            "size": 307, "mime": "text/plain", "sha256": "ab" * 32, "added": "2026-01-01",
            "added_by": "analyst"}  # fmt: skip
    app = QApplication.instance()
    try:
        for choice in ("light", "dark", "light"):
            if choice == "light":
                detail.show_item(item)  # shown before the switch to dark
            theme.apply_theme(app, choice)
            QApplication.processEvents()
            html = detail.facts.text()
            match = re.search(r"color:\s*(#[0-9a-fA-F]{6})[^>]*>Grade<", html)
            assert match, html
            back = detail.facts.palette().color(QPalette.ColorRole.Window)
            assert contrast(QColor(match.group(1)), back) >= 4.5, (choice, match.group(1))
    finally:
        theme.apply_theme(app, "system")
