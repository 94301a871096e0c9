"""``casebook import`` says which formula cells had no saved value (issue 24, finding 11)."""

from __future__ import annotations

from openpyxl import Workbook

from casebook.book.demo import HEADER


def test_import_prints_a_warning_naming_the_formula_cells(run_cli, tmp_path):
    assert run_cli("case", "new", "Formulas", "--ref", "CB-F").code == 0
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(HEADER)
    row = dict.fromkeys(HEADER, "")
    row.update(
        {
            "Declaration No": "10702030/010122/0000001",
            "Item No": "1",
            "Date": "2022-02-10",
            "Exporter": "Shandong Jinma Co Ltd",
            "Importer": "ООО Техностанок",
            "HS Code": "8458110000",
            "Value USD": "=SUM(Q2:S2)",
        }
    )
    sheet.append([row[h] for h in HEADER])
    path = tmp_path / "calc.xlsx"
    workbook.save(path)
    result = run_cli("import", str(path), "--case", "CB-F", "--preset", "generic-en")
    assert result.code == 0, result.err
    assert "warning: calc.xlsx [Data]: 1 formula cell has no saved value" in result.out
    assert "(T2)" in result.out
