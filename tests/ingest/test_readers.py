"""Readers: delimiters, encodings, header rows, XLSX sheets, and rows that cannot be read."""

from __future__ import annotations

import codecs

import pytest

from casebook.core.errors import Refused
from casebook.ingest.presets import best_score
from casebook.ingest.readers import open_sheets, sniff_delimiter

HEADER = ["Date", "Exporter", "Importer", "HS Code", "Value USD"]
ROWS = [["2022-01-05", "Acme Ltd", "ООО Ромашка", "845811", "100.5"]]


def write_text(path, rows, *, sep=",", encoding="utf-8", prefix=b""):
    text = "\r\n".join(sep.join(r) for r in rows) + "\r\n"
    path.write_bytes(prefix + text.encode(encoding))
    return path


def rows_of(sheet):
    chunks = list(sheet.chunks())
    return [list(row) for chunk in chunks for row in zip(*chunk.columns, strict=True)]


def only(path, **kwargs):
    (sheet,) = open_sheets(path, header_score=best_score, **kwargs)
    return sheet


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path, sep):
    sheet = only(write_text(tmp_path / "a.txt", [HEADER, *ROWS], sep=sep))
    assert sheet.delimiter == sep


def test_delimiter_ignores_commas_inside_fields():
    text = "a;b;c\n1,5;2,5;x, y\n3,5;4,5;z\n"
    assert sniff_delimiter(text) == ";"


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16", b"", "utf-16"),
        ("cp1251", b"", "cp1251"),
        ("gb18030", b"", "gb18030"),
    ],
)
def test_encoding_is_detected(tmp_path, encoding, prefix, expected):
    chinese = "上海机床厂有限公司" if encoding != "cp1251" else "Шанхайский станкозавод"
    rows = [HEADER, *ROWS * 20, ["2022-02-01", chinese, "ООО Техностанок", "845811", "7"]]
    sheet = only(write_text(tmp_path / "a.csv", rows, encoding=encoding, prefix=prefix))
    assert sheet.encoding == expected


def test_cp1251_text_decodes_to_cyrillic(tmp_path):
    sheet = only(write_text(tmp_path / "a.csv", [HEADER, *ROWS * 5], sep=";", encoding="cp1251"))
    assert rows_of(sheet)[0][2] == "ООО Ромашка"


def test_latin1_text_decodes(tmp_path):
    rows = [HEADER, *[["2022-01-05", "Müller Straße GmbH", "Señor SA", "845811", "1"]] * 10]
    sheet = only(write_text(tmp_path / "a.csv", rows, encoding="latin-1"))
    assert rows_of(sheet)[0][1] == "Müller Straße GmbH"


def test_encoding_can_be_overridden(tmp_path):
    path = write_text(tmp_path / "a.csv", [HEADER, *ROWS], encoding="cp1251")
    sheet = only(path, encoding="koi8-r")
    assert sheet.encoding == "koi8-r"


def test_unknown_encoding_override_is_refused(tmp_path):
    path = write_text(tmp_path / "a.csv", [HEADER, *ROWS])
    with pytest.raises(Refused, match="unknown encoding"):
        only(path, encoding="no-such-codec")


def test_header_is_found_below_title_rows(tmp_path):
    rows = [["Выгрузка ДТ за 2022 год", "", "", "", ""], ["", "", "", "", ""], HEADER, *ROWS]
    sheet = only(write_text(tmp_path / "a.csv", rows))
    assert (sheet.header, sheet.header_row) == (HEADER, 3)


def test_rows_keep_their_line_numbers(tmp_path):
    rows = [["Report", "", "", "", ""], HEADER, *ROWS, *ROWS]
    chunk = next(only(write_text(tmp_path / "a.csv", rows)).chunks())
    assert chunk.rows == [3, 4]


def test_quoted_line_break_keeps_later_line_numbers(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        'Date,Exporter,Importer,HS Code,Value USD\n2022-01-01,"Acme\nLtd",B,845811,1\n'
        "2022-01-02,C,D,845811,2\n",
        encoding="utf-8",
    )
    chunk = next(only(path).chunks())
    assert chunk.rows == [2, 4]


def test_row_with_more_fields_is_a_row_error(tmp_path):
    rows = [HEADER, *ROWS, [*ROWS[0], "extra"], *ROWS]
    sheet = only(write_text(tmp_path / "a.csv", rows))
    data = rows_of(sheet)
    assert (len(data), [(e.row, "6 fields" in e.reason) for e in sheet.errors]) == (2, [(3, True)])


def test_row_with_fewer_fields_is_a_row_error(tmp_path):
    rows = [HEADER, *ROWS, ROWS[0][:3]]
    sheet = only(write_text(tmp_path / "a.csv", rows))
    rows_of(sheet)
    assert [(e.row, "3 fields" in e.reason) for e in sheet.errors] == [(3, True)]


def test_blank_lines_are_skipped_silently(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(",".join(HEADER) + "\n\n" + ",".join(ROWS[0]) + "\n\n", encoding="utf-8")
    sheet = only(path)
    assert (len(rows_of(sheet)), sheet.errors) == (1, [])


def test_megabyte_cell_is_read_whole(tmp_path):
    big = "станок " * 150_000
    sheet = only(write_text(tmp_path / "a.csv", [HEADER, ["2022-01-05", "A", "B", "845811", big]]))
    assert rows_of(sheet)[0][4] == big


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(Refused, match="no data rows"):
        only(path)


def test_binary_garbage_is_refused(tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 400)
    with pytest.raises(Refused, match="not a readable CSV/XLSX file"):
        only(path)


def test_old_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(Refused, match="save it as .xlsx"):
        only(path)


def _workbook(path, sheets: dict[str, list[list]]):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def test_xlsx_header_is_found_below_title_rows(tmp_path):
    path = _workbook(tmp_path / "a.xlsx", {"Data": [["Customs extract"], [], HEADER, ROWS[0]]})
    sheet = only(path)
    assert (sheet.header, sheet.header_row, rows_of(sheet)[0][1]) == (HEADER, 3, "Acme Ltd")


def test_xlsx_every_sheet_is_offered(tmp_path):
    path = _workbook(tmp_path / "a.xlsx", {"A": [HEADER, ROWS[0]], "B": [HEADER, ROWS[0]]})
    assert [s.sheet for s in open_sheets(path, header_score=best_score)] == ["A", "B"]


def test_xlsx_chosen_sheet_only(tmp_path):
    path = _workbook(tmp_path / "a.xlsx", {"A": [HEADER, ROWS[0]], "B": [HEADER, ROWS[0]]})
    assert [s.sheet for s in open_sheets(path, sheet="B")] == ["B"]


def test_xlsx_missing_sheet_is_refused(tmp_path):
    path = _workbook(tmp_path / "a.xlsx", {"A": [HEADER, ROWS[0]]})
    with pytest.raises(Refused, match="no sheet 'Z'"):
        open_sheets(path, sheet="Z")


def test_xlsx_whole_float_cells_become_ints(tmp_path):
    path = _workbook(
        tmp_path / "a.xlsx", {"A": [HEADER, ["2022-01-05", "A", "B", 8458110000.0, 5]]}
    )
    assert rows_of(only(path))[0][3] == 8458110000


def test_truncated_xlsx_is_refused(tmp_path):
    path = _workbook(tmp_path / "a.xlsx", {"A": [HEADER, ROWS[0]]})
    path.write_bytes(path.read_bytes()[:700])
    with pytest.raises(Refused, match="not a readable CSV/XLSX file"):
        only(path)


def test_quoted_field_holding_the_delimiter_is_one_field(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(",".join(HEADER) + '\n2022-01-05,"Acme, Ltd",B,845811,1\n', encoding="utf-8")
    sheet = only(path)
    assert (rows_of(sheet)[0][1], sheet.errors) == ("Acme, Ltd", [])


def test_fast_and_csv_module_paths_read_the_same_rows(tmp_path):
    rows = [HEADER, *ROWS, ["2022-01-06", 'ООО "Лютик"', "", "8458", "2,5"], ROWS[0][:2], *ROWS]
    fast = only(write_text(tmp_path / "fast.csv", rows, sep=";", encoding="utf-8"))
    slow = only(write_text(tmp_path / "slow.csv", rows, sep=";", encoding="utf-16"))
    assert (rows_of(fast), [e.row for e in fast.errors]) == (
        rows_of(slow),
        [e.row for e in slow.errors],
    )
