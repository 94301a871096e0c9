"""``casebook import``, ``datasets`` and ``firms`` from the command line: the acceptance points
of issue 4 and its table of bad input (each row a test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import sql_on

INN_A, INN_B = "7707083893", "7736050003"
NBSP = "\u00a0"
HEADER = (
    "Номер ДТ;Дата ДТ;Номер товара;Отправитель;Получатель;ИНН получателя;Страна отправления;"
    "Страна происхождения;Код ТН ВЭД;Описание товара;Статистическая стоимость, USD"
)
ROWS = [
    f'10702070/100122/0000001;10.01.2022;1;SHANDONG JINMA CO., LTD;ООО "Техностанок";{INN_A};'
    f"КИТАЙ;КИТАЙ;8458 11 000 0;СТАНОК ТОКАРНЫЙ С ЧПУ;1{NBSP}234{NBSP}567,89",
    f"10702070/100122/0000001;10.01.2022;2;SHANDONG JINMA CO., LTD;OOO TEHNOSTANOK;{INN_A};"
    "КИТАЙ;ЯПОНИЯ;8537 10 100 0;СИСТЕМА ЧПУ;10 000,50",
    f"10702070/030222/0000003;03.02.2022;1;Shandong Jinma Co Ltd;ООО Техностанок;{INN_B};"
    "КИТАЙ;КИТАЙ;8459 61 100 0;СТАНОК ФРЕЗЕРНЫЙ;999,99",
]
IMPORT_FIELDS = {
    "dataset_uid", "kind", "rows_read", "rows_imported", "rows_skipped", "rows_rejected",
    "firms_created", "firms_matched", "merge_suggestions", "rejects_file", "seconds",
    "unmapped_columns",
}  # fmt: skip


def write(path, rows=ROWS, header=HEADER, encoding="cp1251"):
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def case(run_cli):
    result = run_cli("case", "new", "CNC", "--ref", "CB-C-1", "--json")
    assert result.code == 0, result.err
    return "CB-C-1"


def count(db_path, table: str) -> int:
    return sql_on(db_path, f"SELECT count(*) FROM {table}")[0][0]


def run_import(run_cli, path, case, *extra):
    return run_cli("import", str(path), "--case", case, "--json", *extra)


# --- acceptance -----------------------------------------------------------------------------


def test_import_json_has_the_design_fields(run_cli, case, tmp_path):
    result = run_import(run_cli, write(tmp_path / "dt.csv"), case)
    assert (result.code, IMPORT_FIELDS <= set(result.json)) == (0, True)


def test_import_json_counts(run_cli, case, tmp_path):
    data = run_import(run_cli, write(tmp_path / "dt.csv"), case).json
    assert (data["rows_read"], data["rows_imported"], data["rejects_file"]) == (3, 3, None)


def test_stats_show_exact_totals_per_month_and_origin(run_cli, case, tmp_path):
    run_import(run_cli, write(tmp_path / "dt.csv"), case)
    rows = run_cli("stats", "--case", case, "--by", "month,origin", "--json").json["rows"]
    found = {(r["month"], r["origin"]): r["value_usd"] for r in rows}
    assert found == {
        ("2022-01", "CN"): 1234567.89,
        ("2022-01", "JP"): 10000.5,
        ("2022-02", "CN"): 999.99,
    }


def test_one_bad_row_exits_1_naming_the_row(run_cli, case, tmp_path):
    bad = ROWS[1].replace("10 000,50", "n/a USD")
    result = run_import(run_cli, write(tmp_path / "dt.csv", [ROWS[0], bad]), case)
    assert (result.code, result.out, "row 3" in result.err) == (1, "", True)


def test_one_bad_row_leaves_the_store_unchanged(run_cli, case, db_path, tmp_path):
    events = count(db_path, "auditevent")
    bad = ROWS[1].replace("10 000,50", "n/a USD")
    run_import(run_cli, write(tmp_path / "dt.csv", [ROWS[0], bad]), case)
    found = [count(db_path, t) for t in ("dataset", "shipment", "firm", "auditevent")]
    assert found == [0, 0, 0, events]


def test_skip_bad_rows_lands_the_rest_and_names_the_rejects_file(run_cli, case, tmp_path):
    bad = ROWS[1].replace("10 000,50", "n/a USD")
    path = write(tmp_path / "dt.csv", [ROWS[0], bad, ROWS[2]])
    data = run_import(run_cli, path, case, "--skip-bad-rows").json
    rejects = open(data["rejects_file"], encoding="utf-8").read()
    assert (data["rows_imported"], data["rows_rejected"], "n/a USD" in rejects) == (2, 1, True)


def test_rejects_file_is_in_the_stores_rejects_folder(run_cli, case, db_path, tmp_path):
    bad = ROWS[1].replace("10 000,50", "n/a USD")
    path = write(tmp_path / "dt.csv", [ROWS[0], bad])
    data = run_import(run_cli, path, case, "--skip-bad-rows").json
    assert "/rejects/" in data["rejects_file"] and Path(data["rejects_file"]).is_file()
    if not isinstance(db_path, str):  # a store file: in its folder (a server's: a local one)
        assert str(db_path.parent) in data["rejects_file"]


def test_same_name_key_different_inns_stay_two_firms(run_cli, case, tmp_path):
    run_import(run_cli, write(tmp_path / "dt.csv"), case)
    firms = run_cli("firms", "list", "--case", case, "--json").json["firms"]
    inns = sorted(f["identifiers"]["ru_inn"] for f in firms if "ru_inn" in f["identifiers"])
    assert inns == [INN_A, INN_B]


def test_firms_list_json_fields(run_cli, case, tmp_path):
    run_import(run_cli, write(tmp_path / "dt.csv"), case)
    firm = run_cli("firms", "list", "--json").json["firms"][0]
    expected = {
        "uid",
        "name",
        "country",
        "identifiers",
        "aliases",
        "shipments",
        "value_usd",
        "listed",
    }
    assert expected <= set(firm)


def test_same_file_twice_is_refused_unless_forced(run_cli, case, tmp_path):
    path = write(tmp_path / "dt.csv")
    run_import(run_cli, path, case)
    again, forced = run_import(run_cli, path, case), run_import(run_cli, path, case, "--force")
    assert (again.code, forced.code, forced.json["rows_skipped"]) == (1, 0, 3)


def test_datasets_list_and_delete(run_cli, case, db_path, tmp_path):
    uid = run_import(run_cli, write(tmp_path / "dt.csv"), case).json["dataset_uid"]
    listed = run_cli("datasets", "list", "--case", case, "--json").json["datasets"]
    deleted = run_cli("datasets", "delete", uid, "--json")
    assert ([d["uid"] for d in listed], deleted.code, count(db_path, "shipment")) == ([uid], 0, 0)


def test_firms_merge_and_split(run_cli, case, tmp_path):
    run_import(run_cli, write(tmp_path / "dt.csv"), case)
    firms = run_cli("firms", "list", "--case", case, "--json").json["firms"]
    a, b = (f["uid"] for f in firms if "ru_inn" in f["identifiers"])
    merged = run_cli("firms", "merge", a, b, "--json")
    split = run_cli("firms", "split", b, "--json")
    assert (merged.code, split.code, split.json["restored"]) == (0, 0, b)


def test_firms_show_unknown_uid_exits_2(run_cli, case):
    assert run_cli("firms", "show", "nope", "--json").code == 2


def test_import_into_unknown_case_exits_2(run_cli, tmp_path):
    assert run_import(run_cli, write(tmp_path / "dt.csv"), "NOPE").code == 2


def test_cancel_exits_130_and_leaves_the_store_unchanged(
    run_cli, case, db_path, tmp_path, monkeypatch
):
    from casebook.cli.context import Context

    monkeypatch.setattr(Context, "cancelled", lambda self: True)
    result = run_import(run_cli, write(tmp_path / "dt.csv"), case)
    assert (result.code, count(db_path, "dataset")) == (130, 0)


# --- bad input (issue 4 table) ----------------------------------------------------------------


def test_empty_file(run_cli, case, db_path, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = run_import(run_cli, path, case)
    assert (result.code, "no data rows" in result.err, count(db_path, "dataset")) == (1, True, 0)


def test_header_only(run_cli, case, db_path, tmp_path):
    result = run_import(run_cli, write(tmp_path / "h.csv", []), case)
    assert (result.code, "no data rows" in result.err, count(db_path, "dataset")) == (1, True, 0)


def test_binary_garbage(run_cli, case, tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 64)
    result = run_import(run_cli, path, case)
    assert (result.code, "not a readable CSV/XLSX file" in result.err) == (1, True)


def test_truncated_xlsx(run_cli, case, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Date", "Exporter", "HS Code", "Value USD"])
    wb.save(tmp_path / "t.xlsx")
    path = tmp_path / "t.xlsx"
    path.write_bytes(path.read_bytes()[:900])
    result = run_import(run_cli, path, case)
    assert (result.code, "not a readable CSV/XLSX file" in result.err) == (1, True)


def test_megabyte_description_is_imported_whole(run_cli, case, db_path, tmp_path):
    big = "СТАНОК " * 150_000
    row = ROWS[0].replace("СТАНОК ТОКАРНЫЙ С ЧПУ", big.strip())
    run_import(run_cli, write(tmp_path / "big.csv", [row]), case)
    ((stored,),) = sql_on(db_path, "SELECT description FROM shipment")
    assert stored == big.strip()


def test_text_in_number_columns_names_each_row_and_column(run_cli, case, tmp_path):
    rows = [ROWS[0].replace(f"1{NBSP}234{NBSP}567,89", "много"), ROWS[1].replace("10 000,50", "x")]
    result = run_import(run_cli, write(tmp_path / "t.csv", rows), case)
    column = "'Статистическая стоимость, USD'"
    assert (result.code, f"row 2, column {column}" in result.err, "row 3" in result.err) == (
        1,
        True,
        True,
    )


@pytest.mark.parametrize("change", ["more", "fewer"])
def test_row_with_more_or_fewer_fields(run_cli, case, tmp_path, change):
    odd = ROWS[1] + ";extra" if change == "more" else ROWS[1].rsplit(";", 2)[0]
    result = run_import(run_cli, write(tmp_path / "t.csv", [ROWS[0], odd, ROWS[2]]), case)
    assert (result.code, "row 3" in result.err, "fields where the header has 11" in result.err) == (
        1,
        True,
        True,
    )


def test_line_in_another_encoding(run_cli, case, tmp_path):
    path = tmp_path / "mixed.csv"
    good = "\r\n".join([HEADER, *ROWS * 10]) + "\r\n"
    path.write_bytes(good.encode("utf-8") + (ROWS[2] + "\r\n").encode("cp1251"))
    result = run_import(run_cli, path, case)
    assert (result.code, "row 32" in result.err, "utf-8" in result.err) == (1, True, True)


def test_duplicate_unmapped_header_names_are_fine(run_cli, case, tmp_path):
    header = HEADER + ";Примечание;Примечание"
    rows = [r + ";a;b" for r in ROWS]
    assert run_import(run_cli, write(tmp_path / "d.csv", rows, header), case).code == 0


def test_ambiguous_mapped_header_asks_for_a_mapping(run_cli, case, tmp_path):
    header = HEADER + ";Получатель"
    rows = [r + ";X" for r in ROWS]
    result = run_import(run_cli, write(tmp_path / "d.csv", rows, header), case)
    assert (result.code, "--mapping" in result.err) == (1, True)


def test_iso_and_dotted_dates_mixed_are_both_accepted(run_cli, case, db_path, tmp_path):
    rows = [ROWS[0].replace("10.01.2022", "2022-01-10"), ROWS[2]]
    run_import(run_cli, write(tmp_path / "d.csv", rows), case)
    dates = sorted(d for (d,) in sql_on(db_path, "SELECT date FROM shipment"))
    assert dates == ["2022-01-10", "2022-02-03"]


def test_contradicting_slash_dates_are_an_error(run_cli, case, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "Date,Exporter,HS Code,Value USD\n13/01/2022,A,845811,1\n01/13/2022,B,845811,2\n",
        encoding="utf-8",
    )
    result = run_import(run_cli, path, case)
    assert (result.code, "date_order" in result.err) == (1, True)


def test_ten_thousand_columns_without_shipment_fields(run_cli, case, tmp_path):
    path = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(10_000))
    path.write_text(header + "\n" + ",".join("1" for _ in range(10_000)) + "\n", encoding="utf-8")
    result = run_import(run_cli, path, case)
    assert (result.code, "no shipment columns recognised" in result.err) == (1, True)


def test_country_spellings_become_codes(run_cli, case, db_path, tmp_path):
    names = ["КИТАЙ", "CN", "China", "ЕВРОСОЮЗ", "НЕИЗВЕСТНА"]
    rows = [
        ROWS[0].replace(";1;", f";{n};", 1).replace("КИТАЙ;КИТАЙ", f"КИТАЙ;{c}")
        for n, c in enumerate(names, start=1)
    ]
    run_import(run_cli, write(tmp_path / "c.csv", rows), case)
    found = [o for (o,) in sql_on(db_path, "SELECT origin FROM shipment ORDER BY source_row")]
    assert found == ["CN", "CN", "CN", "EU", "XX"]


def test_datasets_list_text_counts_trade_rows(run_cli, reference_dir):
    run_cli("case", "new", "Trade", "--ref", "CB-TRADE")
    book = (
        reference_dir / "eurostat_eu_exports_machine_tool_cn8_to_ru_and_neighbours_2020-2022.xlsx"
    )
    imported = run_cli("import", str(book), "--case", "CB-TRADE", "--json")
    assert imported.code == 0, imported.err
    listed = run_cli("datasets", "list", "--case", "CB-TRADE").out.splitlines()[1].split()
    assert listed[1] == "trade"
    assert int(listed[2].replace(",", "")) > 1000  # flows, not the 0 shipments
