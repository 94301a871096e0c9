"""Issue 24, finding 11: values no analyst would accept are refused, named, never silent —
NaN and infinity, negative amounts, formulas with no saved value, a list file cut short."""

from __future__ import annotations

import csv

import pytest

from casebook.book.demo import HEADER
from casebook.core.errors import Refused, RowErrors
from casebook.ingest.lists import load_list

REF = "CB-H"


def _row(number: int, **values) -> dict:
    row = dict.fromkeys(HEADER, "")
    row.update(
        {
            "Declaration No": f"10702030/010122/{number:07d}",
            "Item No": "1",
            "Date": "2022-02-10",
            "Exporter": "Shandong Jinma Co Ltd",
            "Exporter Country": "CN",
            "Importer": "ООО Техностанок",
            "Country of Origin": "CN",
            "HS Code": "8458110000",
            "Goods Description": "CNC lathe",
            "Value USD": "1000",
        }
    )
    row.update(values)
    return row


def _csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows([r[h] for h in HEADER] for r in rows)
    return path


@pytest.fixture
def case(book):
    return book.create_case(title="Hostile values", ref=REF).ref


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("Value USD", "NaN", "not a finite number"),
        ("Value USD", "inf", "not a finite number"),
        ("Value USD", "-Infinity", "not a finite number"),
        ("Value USD", "-1500.50", "negative"),
        ("Value USD", "(1 500,50)", "negative"),
        ("Net Weight (kg)", "-3", "negative"),
        ("Quantity", "nan", "not a finite number"),
        ("Value USD", "1e308", "implausibly large"),
        ("Value USD", "1e309", "not a number"),  # beyond a float
    ],
)
def test_non_finite_and_negative_numbers_are_invalid_rows(
    book, case, tmp_path, column, cell, reason
):
    path = _csv(tmp_path / "dt.csv", [_row(1), _row(2, **{column: cell}), _row(3)])
    with pytest.raises(RowErrors) as caught:
        book.import_file(path, case_ref=case, preset="generic-en")
    (error,) = caught.value.errors
    assert (error.file, error.row, error.column, error.value) == ("dt.csv", 3, column, cell)
    assert reason in error.reason
    assert book.list_datasets(case_ref=case) == []  # nothing imported
    result = book.import_file(path, case_ref=case, preset="generic-en", skip_bad_rows=True)
    assert (result["rows_imported"], result["rows_rejected"]) == (2, 1)


def test_formula_cells_without_saved_values_are_named_in_a_warning(book, case, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Декларации"
    sheet.append(HEADER)
    for number in (1, 2, 3):
        row = _row(number)
        row["Value USD"] = "=1000*2" if number != 2 else 1000  # openpyxl saves no result
        sheet.append([row[h] for h in HEADER])
    path = tmp_path / "formulas.xlsx"
    workbook.save(path)
    result = book.import_file(path, case_ref=case, preset="generic-en")
    assert result["rows_imported"] == 3
    column = "T"  # Value USD is the 20th column
    (warning,) = result["warnings"]
    assert "formulas.xlsx [Декларации]" in warning
    assert "2 formula cells" in warning and f"{column}2, {column}4" in warning


def test_a_saved_workbook_has_no_formula_warning(book, case, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append([_row(1)[h] for h in HEADER])
    path = tmp_path / "plain.xlsx"
    workbook.save(path)
    assert book.import_file(path, case_ref=case, preset="generic-en")["warnings"] == []


CSL_HEADER = "_id,source,entity_number,type,programs,name,title,addresses,alt_names,ids\n"
CSL_ROWS = (
    'a1,Entity List (EL) - Bureau of Industry and Security,,,,"Alpha Machine Tools",,'
    '"1 Road, Moscow, RU",,\n'
    'a2,Entity List (EL) - Bureau of Industry and Security,,,,"Beta Precision",,'
    '"2 Street, Beijing, CN","Beta Prec; BP Co",\n'
)


@pytest.mark.parametrize(
    "cut",
    [
        CSL_ROWS[: CSL_ROWS.index('"Beta Precision"') + 16],  # inside the row, after a name
        CSL_ROWS[: CSL_ROWS.index("Beta Prec;")],  # inside a quoted field
    ],
)
def test_a_csl_file_cut_mid_row_is_refused_naming_file_and_line(tmp_path, cut):
    path = tmp_path / "csl.csv"
    path.write_text(CSL_HEADER + cut, encoding="utf-8")
    with pytest.raises(Refused) as caught:
        load_list(path, fmt="csl")
    assert "csl.csv, line 3" in str(caught.value) and "cut short" in str(caught.value)


def test_a_whole_csl_file_loads(tmp_path):
    path = tmp_path / "csl.csv"
    path.write_text(CSL_HEADER + CSL_ROWS, encoding="utf-8")
    names = {r.name for r in load_list(path, fmt="csl").records}
    assert names == {"Alpha Machine Tools", "Beta Precision"}


def test_an_eu_journal_csv_cut_mid_row_is_refused(tmp_path):
    path = tmp_path / "eu.csv"
    header = "celex,recordId,annex,schema,name,alias,innCode\n"
    rows = '32022R0001,1,I,Company,"Alpha Machine Tools",,7707083893\n32022R0001,2,I,Company,"Beta'
    path.write_text(header + rows, encoding="utf-8")
    with pytest.raises(Refused) as caught:
        load_list(path, fmt="eu-csv")
    assert "eu.csv, line 3" in str(caught.value) and "cut short" in str(caught.value)
