"""Importing through the facade: totals, firms, provenance, duplicates, safety and cancel."""

from __future__ import annotations

import sqlite3

import pytest

from casebook.core.errors import Cancelled, Refused, RowErrors

INN_A, INN_B = "7707083893", "7736050003"
HEADER = (
    "Номер ДТ;Дата ДТ;Направление;Номер товара;Отправитель;Получатель;ИНН получателя;"
    "Страна отправления;Страна происхождения;Страна назначения;Код ТН ВЭД;Описание товара;"
    "Товарный знак;Количество;Вес нетто, кг;Статистическая стоимость, USD"
)
NBSP = "\u00a0"
ROWS = [
    f'10702070/100122/0000001;10.01.2022;ИМ;1;SHANDONG JINMA CO., LTD;ООО "Техностанок";{INN_A};'
    f"КИТАЙ;КИТАЙ;РОССИЯ;8458 11 000 0;СТАНОК ТОКАРНЫЙ С ЧПУ;SMTCL;2;5{NBSP}400,5;"
    f"1{NBSP}234{NBSP}567,89",
    f"10702070/100122/0000001;10.01.2022;ИМ;2;SHANDONG JINMA CO., LTD;ООО «Техностанок»;{INN_A};"
    f"КИТАЙ;ЯПОНИЯ;РОССИЯ;8537 10 100 0;СИСТЕМА ЧПУ;FANUC;2;40,0;10{NBSP}000,50",
    f"10702070/150122/0000002;15.01.2022;ИМ;1;Shandong Jinma Co Ltd;TEKHNOSTANOK LLC;{INN_A};"
    "КИТАЙ;КИТАЙ;РОССИЯ;8466 93 400 0;ЧАСТИ СТАНКОВ;DMTG;1;12,5;2 500,00",
    f"10702070/030222/0000003;03.02.2022;ИМ;1;DAEWOO TRADING;Техностанок, ООО;{INN_A};"
    'КИТАЙ;"КОРЕЯ, РЕСПУБЛИКА";РОССИЯ;8459 61 100 0;СТАНОК ФРЕЗЕРНЫЙ;DOOSAN;1;900;999,99',
    f'10702070/040222/0000004;04.02.2022;ИМ;1;HIWIN CORP;ООО "Техностанок";{INN_B};'
    "ТАЙВАНЬ (КИТАЙ);ТАЙВАНЬ (КИТАЙ);РОССИЯ;8466 93 400 0;НАПРАВЛЯЮЩИЕ;HIWIN;5;10;100,01",
]


def write_extract(path, rows=ROWS, header=HEADER):
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode("cp1251"))
    return path


@pytest.fixture
def case(book):
    return book.create_case(title="CNC to Russia", ref="CB-T-1").ref


@pytest.fixture
def extract(tmp_path):
    return write_extract(tmp_path / "dt_2022.csv")


def query(book, sql, *args):
    with sqlite3.connect(book.path) as conn:
        return conn.execute(sql, args).fetchall()


def test_totals_per_month_and_origin_are_exact(book, case, extract):
    book.import_file(extract, case_ref=case)
    rows = book.stats(case_ref=case, by="month,origin")["rows"]
    found = {(r["month"], r["origin"]): r["value_usd"] for r in rows}
    expected = {
        ("2022-01", "CN"): 1237067.89,
        ("2022-01", "JP"): 10000.5,
        ("2022-02", "KR"): 999.99,
        ("2022-02", "TW"): 100.01,
    }
    assert found == expected


def test_origin_and_dispatch_are_kept_apart(book, case, extract):
    book.import_file(extract, case_ref=case)
    found = query(book, "SELECT origin, dispatch FROM shipment WHERE hs6 = '853710'")
    assert found == [("JP", "CN")]


def test_four_spellings_with_one_inn_are_one_firm(book, case, extract):
    book.import_file(extract, case_ref=case)
    firms = [f for f in book.list_firms(case_ref=case) if f["identifiers"].get("ru_inn") == INN_A]
    assert len(firms) == 1 and len(firms[0]["aliases"]) == 4


def test_same_name_key_with_different_inns_stays_two_firms(book, case, extract):
    book.import_file(extract, case_ref=case)
    inns = {f["identifiers"].get("ru_inn") for f in book.list_firms(case_ref=case)}
    assert {INN_A, INN_B} <= inns


def write_generic(path, rows: list[str]):
    head = "Declaration No,Date,Exporter,Importer,Country of Dispatch,HS Code,Value USD,Exporter Country"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


def firm_countries(book, case, name: str) -> list[str | None]:
    return sorted(f["country"] for f in book.list_firms(case_ref=case) if f["name"] == name)


def test_a_name_the_file_gives_a_country_once_keeps_it_on_rows_without(book, case, tmp_path):
    rows = [
        "D-1,2023-05-01,Dalian Machine Tool Group,Alfa LLC,HK,845811,1,CN",
        "D-2,2023-05-02,Dalian Machine Tool Group,Alfa LLC,KZ,845811,2,",
        "D-3,2023-05-03,DALIAN MACHINE TOOL GROUP,Alfa LLC,TR,845811,3,",
    ]
    book.import_file(write_generic(tmp_path / "g.csv", rows), case_ref=case)
    assert firm_countries(book, case, "Dalian Machine Tool Group") == ["CN"]


def test_without_a_country_a_firm_takes_the_one_it_ships_from_most(book, case, tmp_path):
    rows = [
        "D-1,2023-05-01,Dalian Machine Tool Group,Alfa LLC,HK,845811,1,",
        "D-2,2023-05-02,Dalian Machine Tool Group,Alfa LLC,KZ,845811,2,",
        "D-3,2023-05-03,Dalian Machine Tool Group,Alfa LLC,KZ,845811,3,",
    ]
    book.import_file(write_generic(tmp_path / "g.csv", rows), case_ref=case)
    assert firm_countries(book, case, "Dalian Machine Tool Group") == ["KZ"]


def test_import_json_has_the_design_fields(book, case, extract):
    result = book.import_file(extract, case_ref=case)
    fields = {
        "dataset_uid", "kind", "rows_read", "rows_imported", "rows_skipped", "rows_rejected",
        "firms_created", "firms_matched", "merge_suggestions", "rejects_file", "seconds",
    }  # fmt: skip
    assert fields <= set(result) and result["rows_imported"] == 5


def test_firms_are_counted(book, case, extract):
    result = book.import_file(extract, case_ref=case)
    assert (result["firms_created"], result["firms_matched"]) == (5, 0)


def test_second_import_matches_known_firms(book, case, extract, tmp_path):
    book.import_file(extract, case_ref=case)
    other = book.create_case(title="Other", ref="CB-T-2").ref
    assert book.import_file(extract, case_ref=other)["firms_matched"] == 5


def test_every_shipment_keeps_dataset_and_source_row(book, case, extract):
    uid = book.import_file(extract, case_ref=case)["dataset_uid"]
    rows = query(
        book,
        "SELECT s.source_row FROM shipment s JOIN dataset d ON d.id = s.dataset_id "
        "WHERE d.uid = ? ORDER BY s.source_row",
        uid,
    )
    assert [r for (r,) in rows] == [2, 3, 4, 5, 6]


def test_dataset_records_a_content_hash_that_matches_the_rows(book, case, extract):
    from casebook.store.shipments import stored_content_hash

    book.import_file(extract, case_ref=case)
    with book._read() as session:
        (dataset_id, recorded), *_ = query(book, "SELECT id, content_hash FROM dataset")
        assert stored_content_hash(session, dataset_id=dataset_id) == recorded


def test_untouched_dataset_has_no_problems(book, case, extract):
    book.import_file(extract, case_ref=case)
    assert book.dataset_problems(case_ref=case) == []


def test_edited_row_no_longer_matches_the_content_hash(book, case, extract):
    uid = book.import_file(extract, case_ref=case)["dataset_uid"]
    with sqlite3.connect(book.path) as conn:
        conn.execute("UPDATE shipment SET value_usd = 1 WHERE source_row = 2")
    assert [p["ref"] for p in book.dataset_problems()] == [uid]


def test_one_import_is_one_audit_event_with_the_content_hash(book, case, extract):
    before = query(book, "SELECT count(*) FROM auditevent")[0][0]
    book.import_file(extract, case_ref=case)
    events = query(book, "SELECT action, after FROM auditevent")[before:]
    recorded = query(book, "SELECT content_hash FROM dataset")[0][0]
    assert [e[0] for e in events] == ["dataset.import"] and recorded in events[0][1]


def test_bad_row_aborts_and_leaves_the_store_unchanged(book, case, tmp_path):
    bad = ROWS[2].replace("2 500,00", "две тысячи")
    path = write_extract(tmp_path / "bad.csv", [ROWS[0], bad])
    with pytest.raises(RowErrors) as caught:
        book.import_file(path, case_ref=case)
    counts = query(book, "SELECT (SELECT count(*) FROM shipment), (SELECT count(*) FROM firm)")
    assert (counts, caught.value.errors[0].row) == ([(0, 0)], 3)


def test_rejects_file_lists_every_bad_row(book, case, tmp_path):
    bad = [ROWS[0].replace(";SMTCL;2;", ";SMTCL;many;"), ROWS[1].replace(";FANUC;2;", ";FANUC;x;")]
    path = write_extract(tmp_path / "bad.csv", bad)
    with pytest.raises(RowErrors) as caught:
        book.import_file(path, case_ref=case)
    lines = open(caught.value.rejects_file, encoding="utf-8").read().splitlines()
    assert lines[0] == "file,row,column,value,reason" and len(lines) == 3


def test_skip_bad_rows_lands_the_rest(book, case, tmp_path):
    bad = ROWS[2].replace("2 500,00", "две тысячи")
    path = write_extract(tmp_path / "bad.csv", [ROWS[0], bad, ROWS[3]])
    result = book.import_file(path, case_ref=case, skip_bad_rows=True)
    assert (result["rows_imported"], result["rows_rejected"]) == (2, 1)


def test_same_file_into_the_same_case_is_refused(book, case, extract):
    book.import_file(extract, case_ref=case)
    with pytest.raises(Refused, match="already imported"):
        book.import_file(extract, case_ref=case)


def test_forced_reimport_skips_rows_already_in_the_case(book, case, extract):
    book.import_file(extract, case_ref=case)
    result = book.import_file(extract, case_ref=case, force=True)
    assert (result["rows_imported"], result["rows_skipped"]) == (0, 5)


def test_rows_keyed_by_an_earlier_release_are_still_known_as_duplicates(book, case, extract):
    """Stores written before 0006 hold a hash key on every row (of declaration and item, where
    the import now keys such rows by the two as they are); a new import still skips them."""
    import hashlib

    def legacy(declaration: str, item: str) -> str:
        text = f"{declaration}\x1f{item}".encode()
        return hashlib.blake2b(text, digest_size=16).hexdigest()

    book.import_file(extract, case_ref=case)
    with sqlite3.connect(book.store.path) as conn:
        rows = conn.execute("SELECT id, declaration_no, item_no FROM shipment").fetchall()
        conn.executemany(
            "UPDATE shipment SET row_key = ? WHERE id = ?", [(legacy(d, i), n) for n, d, i in rows]
        )
    result = book.import_file(extract, case_ref=case, force=True)
    assert (result["rows_imported"], result["rows_skipped"]) == (0, 5)


def test_same_file_into_another_case_is_a_new_dataset(book, case, extract):
    first = book.import_file(extract, case_ref=case)["dataset_uid"]
    other = book.create_case(title="Other", ref="CB-T-2").ref
    second = book.import_file(extract, case_ref=other)
    assert second["dataset_uid"] != first and second["rows_imported"] == 5


def test_overlapping_file_skips_known_declaration_items(book, case, extract, tmp_path):
    book.import_file(extract, case_ref=case)
    more = ROWS[4].replace("0000004;04.02.2022;ИМ;1;", "0000004;04.02.2022;ИМ;2;")
    result = book.import_file(write_extract(tmp_path / "more.csv", [ROWS[4], more]), case_ref=case)
    assert (result["rows_imported"], result["rows_skipped"]) == (1, 1)


def test_without_item_numbers_duplicates_are_keyed_on_row_content(book, case, tmp_path):
    header = HEADER.replace("Номер товара;", "")
    rows = [r.replace(";ИМ;1;", ";ИМ;").replace(";ИМ;2;", ";ИМ;") for r in ROWS]
    book.import_file(write_extract(tmp_path / "a.csv", rows[:3], header), case_ref=case)
    result = book.import_file(write_extract(tmp_path / "b.csv", rows[:4], header), case_ref=case)
    assert (result["rows_imported"], result["rows_skipped"]) == (1, 3)


def test_cancel_leaves_the_store_unchanged(book, case, extract):
    with pytest.raises(Cancelled):
        book.import_file(extract, case_ref=case, cancelled=lambda: True)
    assert query(book, "SELECT count(*) FROM dataset") == [(0,)]


def test_progress_reaches_the_end(book, case, extract):
    seen = []
    book.import_file(
        extract, case_ref=case, progress=lambda done, total: seen.append((done, total))
    )
    assert seen[-1] == (1000, 1000)


def test_datasets_are_listed(book, case, extract):
    uid = book.import_file(extract, case_ref=case)["dataset_uid"]
    (listed,) = book.list_datasets(case_ref=case)
    assert (listed["uid"], listed["shipments"], listed["file_name"]) == (uid, 5, "dt_2022.csv")


def test_deleting_a_dataset_removes_its_shipments(book, case, extract):
    uid = book.import_file(extract, case_ref=case)["dataset_uid"]
    book.delete_dataset(uid)
    assert query(book, "SELECT count(*) FROM shipment") == [(0,)]


def test_deleting_a_dataset_is_audited(book, case, extract):
    uid = book.import_file(extract, case_ref=case)["dataset_uid"]
    book.delete_dataset(uid)
    assert query(book, "SELECT action, target_uid FROM auditevent")[-1] == ("dataset.delete", uid)


def test_mapping_file_with_constants(book, case, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("When;Who;Code;Amount\n2022-03-01;Acme;845811;10\n", encoding="utf-8")
    mapping = tmp_path / "odd.toml"
    mapping.write_text(
        '[columns]\nWhen = "date"\nWho = "exporter"\nCode = "hs_code"\nAmount = "value_usd"\n'
        '[constants]\ndirection = "export"\norigin = "CN"\n',
        encoding="utf-8",
    )
    book.import_file(path, case_ref=case, mapping=mapping)
    assert query(book, "SELECT direction, origin, value_usd FROM shipment") == [
        ("export", "CN", 10.0)
    ]


def test_xlsx_with_two_recognised_sheets_gives_two_datasets(book, case, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Jan"
    for ws in (wb.active, wb.create_sheet("Feb")):
        ws.append(["Customs extract"])
        ws.append(["Date", "Exporter", "Importer", "HS Code", "Value USD"])
        ws.append([f"2022-0{len(wb.sheetnames)}-01", "Acme", "Romashka", 845811, 10.5])
    wb.create_sheet("Notes").append(["nothing", "here"])
    wb.save(tmp_path / "book.xlsx")
    result = book.import_file(tmp_path / "book.xlsx", case_ref=case)
    assert (len(result["datasets"]), result["rows_imported"]) == (2, 2)
