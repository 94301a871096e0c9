"""The import wizard: a CSV end to end, Cancel, the mapping page's live preview, drops."""

from __future__ import annotations

import threading

import pytest

from casebook.ui.import_wizard import ImportWizard, open_wizard
from casebook.ui.ops import Changes
from casebook.ui.worker import Job

TIMEOUT = 15_000
HEADER = (
    "Declaration No,Item No,Date,Exporter,Importer,Importer INN,Country of Origin,"
    "Country of Dispatch,HS Code,Goods Description,Value,Currency"
)
ROWS = [
    "D-1,1,2023-01-10,SHANDONG JINMA CO LTD,OOO TEHNOSTANOK,7707083893,CN,CN,8458110000,"
    "CNC lathe,120000,USD",
    "D-1,2,2023-01-10,SHANDONG JINMA CO LTD,OOO TEHNOSTANOK,7707083893,CN,TR,8537101000,"
    "CNC control,10000,USD",
    "D-2,1,2023-02-11,Shandong Jinma Co Ltd,OOO STANKI,7736050003,JP,TR,8459610000,"
    "Milling machine,99000,USD",
]
BAD = "D-3,1,not a date,ACME GMBH,OOO STANKI,7736050003,DE,DE,8466930000,Parts,500,EUR"


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "shipments.csv"
    path.write_text("\n".join([HEADER, *ROWS, BAD]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def opened(window, qtbot):
    window.host.book.create_case(title="Machine tools", ref="CB-W-1")
    window.host.notify(Changes(cases=True))
    return window


def start(window, qtbot, path) -> ImportWizard:
    wizard = ImportWizard(window.host, case_ref="CB-W-1", parent=window)
    qtbot.addWidget(wizard)
    wizard.show()
    with qtbot.waitSignal(wizard.preview_ready, timeout=TIMEOUT):
        wizard.load(path)
    return wizard


def to_run_page(wizard, qtbot) -> None:
    for page in (wizard.file_page, wizard.raw_page, wizard.mapping_page, wizard.case_page):
        assert wizard.currentPage() is page
        assert page.isComplete()
        wizard.next()


def test_the_wizard_imports_a_csv_end_to_end(opened, qtbot, csv_file):
    wizard = start(opened, qtbot, csv_file)
    p = wizard.preview
    assert (p["preset"], p["encoding"], p["delimiter"]) == ("generic-en", "utf-8", ",")
    assert "generic-en" in wizard.raw_page.info.text() and "100%" in wizard.raw_page.info.text()
    assert wizard.raw_page.table.rowCount() == 4
    wizard.next()
    wizard.next()
    # The mapping page: the bad date row is red, with the reason as its tooltip.
    preview = wizard.mapping_page.preview
    bad = next(r for r in range(preview.rowCount()) if preview.verticalHeaderItem(r).text() == "5")
    assert preview.item(bad, 0).toolTip() == "Date: not a date"
    assert preview.item(bad, 0).background().color().name().lower() == "#fde7e9"
    wizard.next()
    assert wizard.case_page.skip_bad.isChecked()  # the preview found an invalid row
    with qtbot.waitSignal(wizard.finished_import, timeout=TIMEOUT) as got:
        wizard.next()
    result = got.args[0]
    assert result["rows_imported"] == 3 and result["rows_rejected"] == 1
    assert wizard.currentPage() is wizard.summary_page
    text = wizard.summary_page.label.text()
    assert "Rows imported: <b>3</b>" in text and "rejects.csv" in text
    assert "Firms created" in text
    book = opened.host.book
    assert book.case_counts("CB-W-1")["shipments"] == 3


def test_cancel_leaves_the_store_unchanged(opened, qtbot, csv_file):
    wizard = start(opened, qtbot, csv_file)
    book = opened.host.book
    before = book.case_counts("CB-W-1")
    gate = threading.Event()
    opened.host.submit(Job(lambda: gate.wait(10)), "Holding the worker")
    wizard.next(), wizard.next(), wizard.next()
    with qtbot.waitSignal(wizard.finished_import, timeout=TIMEOUT) as got:
        wizard.next()  # starts the import behind the held job
        wizard.run_page.cancel.click()
        gate.set()
    assert got.args == [None]
    assert "Cancelled" in wizard.run_page.label.text()
    assert book.case_counts("CB-W-1") == before
    assert book.list_datasets(case_ref="CB-W-1") == []


def test_editing_the_mapping_previews_again_and_saves_toml(opened, qtbot, csv_file, tmp_path,
                                                            monkeypatch):  # fmt: skip
    wizard = start(opened, qtbot, csv_file)
    wizard.next(), wizard.next()
    page = wizard.mapping_page
    with qtbot.waitSignal(wizard.preview_ready, timeout=TIMEOUT) as got:
        page.set_field(9, "brand")  # Goods Description → brand
    assert got.args[0]["edited"] and got.args[0]["columns"]["brand"] == 9
    headers = [
        page.preview.horizontalHeaderItem(c).text() for c in range(page.preview.columnCount())
    ]
    assert "Brand" in headers and "Goods description" not in headers
    target = tmp_path / "mine.toml"
    monkeypatch.setattr(ImportWizard, "ask_save", classmethod(lambda cls, parent: str(target)))
    page.save.click()
    qtbot.waitUntil(target.exists, timeout=TIMEOUT)
    assert '"Goods Description" = "brand"' in target.read_text(encoding="utf-8")


def test_file_menu_has_import_and_opens_the_wizard_with_a_file(opened, qtbot, csv_file):
    assert "import" in opened.actions
    file_menu = opened.menuBar().actions()[0].menu()
    assert opened.actions["import"] in file_menu.actions()
    wizard = open_wizard(opened, path=csv_file)
    qtbot.waitUntil(lambda: wizard.preview is not None, timeout=TIMEOUT)
    assert wizard.preview["file"] == "shipments.csv"
    wizard.close()


def test_a_trade_file_is_recognised(opened, qtbot, tmp_path):
    path = tmp_path / "comtrade.csv"
    path.write_text(
        "period,reporterISO,flowCode,partnerISO,cmdCode,primaryValue\n"
        "202307,CHN,X,RUS,845710,68000000\n",
        encoding="utf-8",
    )
    wizard = start(opened, qtbot, path)
    assert wizard.preview["kind"] == "trade" and wizard.preview["preset"] == "comtrade"
    wizard.next(), wizard.next()
    assert "no mapping needed" in wizard.mapping_page.summary.text()
    wizard.next()
    with qtbot.waitSignal(wizard.finished_import, timeout=TIMEOUT) as got:
        wizard.next()
    assert got.args[0]["kind"] == "trade" and got.args[0]["rows_imported"] == 1


def test_dropping_a_file_on_the_window_starts_the_wizard(opened, qtbot, csv_file):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    opened.page.select("CB-W-1")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(csv_file))])
    where, buttons = QPointF(200, 200), (Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(where.toPoint(), Qt.DropAction.CopyAction, mime, *buttons)
    drop = QDropEvent(where, Qt.DropAction.CopyAction, mime, *buttons)
    # What Qt does on a drag over the window and a drop (offscreen has no drag manager).
    assert opened._drop_filter.eventFilter(opened, enter) and enter.isAccepted()
    assert opened._drop_filter.eventFilter(opened, drop)
    wizard = opened.import_wizard
    qtbot.waitUntil(lambda: wizard.preview is not None, timeout=TIMEOUT)
    assert wizard.preview["file"] == "shipments.csv" and wizard.case_ref == "CB-W-1"
    wizard.close()


def test_a_tidy_trade_table_is_mapped_in_the_wizard(opened, qtbot, reference_dir, tmp_path,
                                                    monkeypatch):  # fmt: skip
    path = reference_dir / "eu_sanctioned_goods_exports_monthly_2020-2022.xlsx"
    wizard = start(opened, qtbot, path)
    assert wizard.preview["kind"] == "shipments" and wizard.preview["preset"] is None
    wizard.next(), wizard.next()
    page = wizard.mapping_page
    with qtbot.waitSignal(wizard.preview_ready, timeout=TIMEOUT) as got:
        page.kind.setCurrentIndex(1)
        page._kind_chosen()
    p = got.args[0]
    assert p["kind"] == "trade"
    assert p["trade_mapping"]["columns"] == {"partner": 0, "reporter": 1, "period": 2, "value": 3}
    with qtbot.waitSignal(wizard.preview_ready, timeout=TIMEOUT) as got:
        page.flow.setCurrentText("export")
        page.flow.activated.emit(1)
    assert got.args[0]["cleaned"][0]["values"]["flow"] == "export"
    assert page.isComplete() and "50 of 50 rows previewed are valid" in page.summary.text()
    target = tmp_path / "tidy.toml"
    monkeypatch.setattr(ImportWizard, "ask_save", classmethod(lambda cls, parent: str(target)))
    page.save.click()
    qtbot.waitUntil(target.exists, timeout=TIMEOUT)
    assert 'kind = "trade"' in target.read_text(encoding="utf-8")
    wizard.next()
    with qtbot.waitSignal(wizard.finished_import, timeout=TIMEOUT) as done:
        wizard.next()
    assert done.args[0]["kind"] == "trade" and done.args[0]["rows_imported"] == 6804


def test_typing_a_path_enables_next_without_leaving_the_field(opened, qtbot, csv_file):
    wizard = ImportWizard(opened.host, case_ref="CB-W-1", parent=opened)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.file_page
    page.path.setFocus()
    with qtbot.waitSignal(wizard.preview_ready, timeout=TIMEOUT):
        qtbot.keyClicks(page.path, str(csv_file))
    assert page.isComplete()
    qtbot.waitUntil(lambda: wizard.button(wizard.WizardButton.NextButton).isEnabled())


def test_no_recognised_column_is_explained_in_the_wizards_words(opened, qtbot, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("foo,bar,baz\n1,2,3\n4,5,6\n", encoding="utf-8")
    wizard = start(opened, qtbot, path)
    page = wizard.mapping_page
    assert wizard.preview["rows_valid"] == 0
    assert not page.problems.isHidden()
    assert "No shipment column was recognised" in page.problems.text()
    for text in (page.problems.text(), wizard.raw_page.info.text()):
        assert "--mapping" not in text
    assert "Mapping page" in wizard.raw_page.info.text()


def test_when_no_row_is_valid_the_first_rows_reasons_are_shown(opened, qtbot, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Date,Exporter,Importer,Value,Currency\nnot a date,A,B,x,USD\nbad,C,D,y,USD\n",
        encoding="utf-8",
    )
    wizard = start(opened, qtbot, path)
    problems = wizard.mapping_page.problems.text()
    assert problems.startswith("None of the 2 rows previewed is valid:")
    assert "Row 2, Date: not a date" in problems


def test_the_summary_names_formula_cells_without_a_saved_value(opened, qtbot, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(HEADER.split(","))
    for row in ROWS:
        cells = row.split(",")
        cells[10] = "=1000*2"  # Value: a formula that was never calculated (openpyxl saves none)
        sheet.append(cells)
    path = tmp_path / "calc.xlsx"
    workbook.save(path)
    wizard = start(opened, qtbot, path)
    wizard.next(), wizard.next(), wizard.next()
    with qtbot.waitSignal(wizard.finished_import, timeout=TIMEOUT) as got:
        wizard.next()  # the run page starts the import
    assert "K2, K3, K4" in got.args[0]["warnings"][0]
    assert wizard.currentPage() is wizard.summary_page
    text = wizard.summary_page.label.text()
    assert "<b>Warning:</b> calc.xlsx [Data]: 3 formula cells have no saved value" in text


def test_the_mapping_page_marks_columns_not_imported_and_names_fields_in_words(
    opened, qtbot, tmp_path
):
    path = tmp_path / "plain.csv"
    path.write_text(
        "Date,Exporter,dispatch,hs_code,value_usd,junk\n"
        "2023-05-02,Dalian Machine Tool Group,KZ,845811,1000,x\n",
        encoding="utf-8",
    )
    wizard = start(opened, qtbot, path)
    wizard.next(), wizard.next()
    page = wizard.mapping_page
    marks = {
        page.columns.item(r, 0).text(): page.columns.item(r, 2).text()
        for r in range(page.columns.rowCount())
    }
    assert marks == {
        "Date": "", "Exporter": "", "dispatch": "", "hs_code": "", "value_usd": "",
        "junk": "not imported",
    }  # fmt: skip
    assert page.unmapped.isVisible() and "junk" in page.unmapped.text()
    assert page.combos[2].currentText() == "Country of dispatch"
    labels = [page.combos[2].itemText(i) for i in range(page.combos[2].count())]
    assert "HS code" in labels and not any("_" in label for label in labels)
    headers = [
        page.preview.horizontalHeaderItem(c).text() for c in range(page.preview.columnCount())
    ]
    assert "Country of dispatch" in headers and "Value (USD)" in headers
    assert page.preview.item(0, headers.index("Country of dispatch")).text() == "KZ"
    with qtbot.waitSignal(wizard.preview_ready, timeout=TIMEOUT):
        page.set_field(5, "brand")  # junk → brand: imported now
    assert page.columns.item(5, 2).text() == "" and not page.unmapped.isVisible()


def test_undo_right_after_an_import_undoes_the_import_not_an_older_step(opened, qtbot, csv_file):
    from casebook.ui import case_ops

    host, book = opened.host, opened.host.book
    before = {"ref": "CB-W-1", "title": "Machine tools"}
    with qtbot.waitSignal(host.undo_stack.indexChanged, timeout=TIMEOUT):
        case_ops.edit_case(host, before, {"title": "Machine tools via Türkiye"})
    wizard = start(opened, qtbot, csv_file)
    to_run_page(wizard, qtbot)
    qtbot.waitUntil(lambda: wizard.result is not None, timeout=TIMEOUT)
    (dataset,) = book.list_datasets(case_ref="CB-W-1")
    assert host.undo_stack.undoText() == "Import of shipments.csv"
    host.undo_stack.undo()
    qtbot.waitUntil(lambda: not book.list_datasets(case_ref="CB-W-1"), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not host.worker.busy, timeout=TIMEOUT)
    assert book.case_counts("CB-W-1")["shipments"] == 0
    from sqlmodel import select

    from casebook.store import models as m

    with book.store.read() as session:  # the undo is audited: the dataset's deletion
        events = list(session.exec(select(m.AuditEvent.action, m.AuditEvent.target_uid)))
    assert ("dataset.delete", dataset["uid"]) in [tuple(e) for e in events]
    assert book.get_case("CB-W-1").title == "Machine tools via Türkiye"  # the edit stays
    assert not host.undo_stack.canRedo()  # an import is not redone from a file that may be gone
    assert host.undo_stack.undoText() == "Edit case CB-W-1"  # the older step comes next
