"""The trigram search index: in sync with the records, bulk-indexed per dataset, any script."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine

from casebook.book import Casebook
from casebook.store import migrations, search
from casebook.store import models as m
from casebook.store.engine import raw_connection


@pytest.fixture
def case(book):
    return book.create_case(title="Станки через Турцию", ref="CB-1")


def add_shipments(book, case_id: int, rows: list[tuple[str, str]]) -> int:
    """Insert a dataset of (declaration, description) rows with plain SQL, then index it."""
    with book.store.write() as session:
        dataset = m.Dataset(case_id=case_id, file_name="gtd.csv", sha256="0" * 64)
        session.add(dataset)
        session.flush()
        raw_connection(session).executemany(
            "INSERT INTO shipment (dataset_id, case_id, source_row, row_key, declaration_no, "
            "description) VALUES (?, ?, ?, '', ?, ?)",
            [(dataset.id, case_id, n, decl, text) for n, (decl, text) in enumerate(rows, 1)],
        )
        search.index_dataset(session, dataset_id=dataset.id)
    return dataset.id


def add_firm(book, name: str, *aliases: str) -> m.Firm:
    with book.store.write() as session:
        firm = m.Firm(name=name)
        session.add(firm)
        session.flush()
        for alias in aliases:
            session.add(m.FirmAlias(firm_id=firm.id, name=alias))
    return firm


def kinds(result: dict, kind: str) -> list[str]:
    return [r["title"] for r in result["results"] if r["kind"] == kind]


def test_cyrillic_substring_finds_shipment_description(book, case):
    add_shipments(book, case.id, [("10702070/010122/0000001", "СТАНОК ТОКАРНЫЙ С ЧПУ 16К20")])
    [hit] = book.search("танок")["results"]
    assert hit["kind"] == "shipment" and "СТАНОК ТОКАРНЫЙ" in hit["title"]
    assert hit["case_ref"] == "CB-1" and hit["uid"].endswith(":1")


def test_chinese_substring_finds_firm(book):
    firm = add_firm(book, "北京精雕科技集团有限公司")
    [hit] = book.search("精雕科")["results"]
    assert (hit["kind"], hit["uid"]) == ("firm", firm.uid)


def test_alias_finds_its_firm(book):
    firm = add_firm(book, "Beijing Jingdiao Group", "ООО Цзиндяо Рус")
    hits = book.search("цзиндяо")["results"]
    assert [(h["kind"], h["uid"]) for h in hits] == [("firm", firm.uid)]


def test_declaration_number_is_found(book, case):
    add_shipments(book, case.id, [("10702070/150323/0045678", "FRESA")])
    assert kinds(book.search("0045678"), "shipment") == ["10702070/150323/0045678 — FRESA"]


@pytest.mark.sqlite_only("reads the store file")
def test_a_repeated_description_is_indexed_once_and_finds_every_shipment(book, case):
    add_shipments(book, case.id, [(f"D{n}", "СТАНОК ТОКАРНЫЙ") for n in range(30)])
    add_shipments(book, case.id, [("E1", "СТАНОК ТОКАРНЫЙ"), ("E2", "ФРЕЗА")])
    with sqlite3.connect(book.path) as conn:
        assert conn.execute("SELECT count(*) FROM shipmenttext").fetchone()[0] == 2
    assert len(kinds(book.search("токарн"), "shipment")) == 31


def test_all_words_must_match(book, case):
    add_shipments(book, case.id, [("1", "СТАНОК ТОКАРНЫЙ"), ("2", "СТАНОК ФРЕЗЕРНЫЙ")])
    assert len(kinds(book.search("станок фрезерный"), "shipment")) == 1


@pytest.mark.sqlite_only("the FTS5 index table")
def test_unindex_dataset_removes_its_shipments(book, case):
    dataset_id = add_shipments(book, case.id, [("1", "СТАНОК ТОКАРНЫЙ")])
    with book.store.write() as session:
        assert search.unindex_dataset(session, dataset_id=dataset_id) == 1
    assert book.search("токарный")["results"] == []


def test_index_dataset_twice_does_not_duplicate(book, case):
    dataset_id = add_shipments(book, case.id, [("1", "СТАНОК ТОКАРНЫЙ")])
    with book.store.write() as session:
        search.index_dataset(session, dataset_id=dataset_id)
        assert search.index_count(session, kind="shipment") == 1


def test_case_edit_is_reindexed_in_the_same_transaction(book, case):
    book.edit_case("CB-1", title="Lathes via Kazakhstan")
    assert kinds(book.search("kazakh"), "case") == ["Lathes via Kazakhstan"]
    assert kinds(book.search("турци"), "case") == []


def test_evidence_text_and_findings_are_searchable(book, case, tmp_path):
    path = tmp_path / "invoice.txt"
    path.write_text("Invoice for a Haas VF-2 vertical machining centre", encoding="utf-8")
    book.add_evidence(path, case_ref="CB-1", title="Invoice 17")
    book.add_finding(
        case_ref="CB-1",
        text="Haas parts likely reached the plant.",
        likelihood="likely",
        confidence="low",
    )
    result = book.search("haas")
    assert kinds(result, "evidence") == ["E1 Invoice 17"]
    assert kinds(result, "finding") == ["Haas parts likely reached the plant."]


def test_deleted_finding_leaves_the_index(book, case):
    uid = book.add_finding(
        case_ref="CB-1", text="Zyxwv judgment.", likelihood="likely", confidence="low"
    )["uid"]
    book.delete_finding(uid)
    assert book.search("zyxwv")["results"] == []


def test_merged_firm_is_not_listed(book):
    keep, other = add_firm(book, "Jingdiao Keep"), add_firm(book, "Jingdiao Other")
    with book.store.write() as session:
        merged = session.get(m.Firm, other.id)
        merged.merged_into = keep.id
        session.add(merged)
    assert [h["uid"] for h in book.search("jingdiao")["results"]] == [keep.uid]


def test_case_filter_limits_results_to_that_case(book, case):
    other = book.create_case(title="Other", ref="CB-2")
    add_shipments(book, case.id, [("1", "СТАНОК ТОКАРНЫЙ")])
    add_shipments(book, other.id, [("2", "СТАНОК ТОКАРНЫЙ")])
    assert {h["case_ref"] for h in book.search("токар", case_ref="CB-2")["results"]} == {"CB-2"}


def test_at_most_fifty_results_per_kind(book, case):
    add_shipments(book, case.id, [(str(n), f"СТАНОК №{n}") for n in range(60)])
    assert len(kinds(book.search("станок"), "shipment")) == 50


def test_short_query_matches_word_starts(book, case):
    add_firm(book, "ООО Ромашка")
    add_firm(book, "Стромашина")
    result = book.search("ро")
    assert kinds(result, "firm") == ["ООО Ромашка"]


def test_short_query_skips_shipments(book, case):
    add_shipments(book, case.id, [("1", "СТАНОК")])
    assert kinds(book.search("ст"), "shipment") == []


def test_short_query_is_case_insensitive_in_cyrillic(book, case):
    assert kinds(book.search("СТ"), "case") == ["Станки через Турцию"]


def test_snippet_marks_the_match(book, case):
    add_shipments(book, case.id, [("1", "СТАНОК ТОКАРНЫЙ С ЧПУ")])
    assert "[ТОКАР]" in book.search("токар")["results"][0]["snippet"]


def test_rebuild_indexes_everything_again(book, case):
    add_shipments(book, case.id, [("1", "СТАНОК")])
    add_firm(book, "Jingdiao")
    assert book.rebuild_search_index() == 3
    assert len(book.search("станок")["results"]) == 1


def test_upgrade_indexes_an_existing_store(tmp_path):
    path = tmp_path / "old.db"
    migrations.upgrade(create_engine(f"sqlite:///{path}"), "0002")
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO firm (uid, name, sort_key, created) VALUES ('f1', '北京精雕科技集团有限公司', '', '2024-01-01')"
        )
    with Casebook.open(path) as book:
        assert [h["uid"] for h in book.search("精雕科")["results"]] == ["f1"]


def firm_documents(book) -> list[tuple]:
    with sqlite3.connect(book.path) as conn:
        return conn.execute(
            "SELECT rowid, title, body FROM search_index WHERE rowid BETWEEN ? AND ? ORDER BY 1",
            (search.SPAN * 2, search.SPAN * 3 - 1),
        ).fetchall()


@pytest.mark.sqlite_only("FTS5 triggers")
def test_import_indexes_its_firms_as_a_rebuild_would_and_keeps_the_triggers(book, tmp_path):
    extract = tmp_path / "dt.csv"
    extract.write_text(
        "Номер ДТ;Дата ДТ;Номер товара;Отправитель;Получатель;ИНН получателя;Описание товара\n"
        "10702070/100122/0000001;10.01.2022;1;SHANDONG JINMA CO., LTD;ООО Техностанок;7707083893;"
        "СТАНОК\n"
        "10702070/100122/0000002;11.01.2022;1;Shandong Jinma Co Ltd;TEKHNOSTANOK LLC;7707083893;"
        "ЧАСТИ\n",
        encoding="utf-8",
    )
    book.create_case(title="Станки", ref="CB-2")
    known = add_firm(book, "Shandong Jinma Co Ltd")
    book.import_file(extract, case_ref="CB-2")
    imported = firm_documents(book)
    book.rebuild_search_index()
    assert imported == firm_documents(book)
    assert {h["kind"] for h in book.search("ТЕХНОСТАНОК")["results"]} == {"firm"}
    with book.store.write() as session:  # the insert triggers are back after the import
        session.add(m.FirmAlias(firm_id=known.id, name="Цзиньма Шаньдун"))
    assert [h["uid"] for h in book.search("Цзиньма")["results"]] == [known.uid]


# --- declaration numbers ----------------------------------------------------------------------

EXTRACT_HEAD = "Номер ДТ;Дата ДТ;Номер товара;Отправитель;Получатель;Описание товара\n"


def write_extract(path, numbers: list[str], text: str = "СТАНОК") -> None:
    lines = [f"{n};10.01.2022;1;SHANDONG JINMA;ООО Техностанок;{text}\n" for n in numbers]
    path.write_text(EXTRACT_HEAD + "".join(lines), encoding="utf-8")


def shipment_titles(book, query: str) -> list[str]:
    return [t.split(" — ")[0] for t in kinds(book.search(query), "shipment")]


def test_an_imported_declaration_number_is_found_by_its_registration_number(book, tmp_path):
    book.create_case(title="Станки", ref="CB-2")
    extract = tmp_path / "dt.csv"
    write_extract(extract, ["10702070/100122/0000001", "10702070/100122/0045678"])
    book.import_file(extract, case_ref="CB-2")
    assert shipment_titles(book, "0045678") == ["10702070/100122/0045678"]
    assert shipment_titles(book, "10702070/100122/0045678") == ["10702070/100122/0045678"]
    assert shipment_titles(book, "070/100122/00") == [
        "10702070/100122/0045678",
        "10702070/100122/0000001",
    ]


def test_a_number_holding_the_query_s_trigrams_apart_is_not_a_hit(book, case):
    # "1234-9345" holds 123, 234 and 345, the trigrams of "12345", but not "12345" itself.
    add_shipments(book, case.id, [("1234-9345", "FRESA"), ("77/12345/1", "FRESA")])
    assert shipment_titles(book, "12345") == ["77/12345/1"]


def test_a_number_on_many_rows_lists_the_newest_fifty(book, case):
    add_shipments(book, case.id, [(f"10702070/010122/{n:07d}", "FRESA") for n in range(80)])
    found = shipment_titles(book, "10702070/010122")
    assert found == [f"10702070/010122/{n:07d}" for n in range(79, 29, -1)]


def test_a_case_filter_and_short_words_apply_to_declaration_hits(book, case):
    other = book.create_case(title="Другое", ref="CB-9")
    add_shipments(book, case.id, [("10702070/010122/0000001", "СТАНОК ЧПУ")])
    add_shipments(book, other.id, [("10702070/010122/0000002", "FRESA")])
    assert len(shipment_titles(book, "10702070")) == 2
    hits = book.search("10702070", case_ref="CB-9")["results"]
    assert [h["title"].split(" — ")[0] for h in hits] == ["10702070/010122/0000002"]
    assert shipment_titles(book, "10702070 ЧП") == ["10702070/010122/0000001"]


def test_a_deleted_dataset_s_numbers_are_not_found_when_its_ids_are_reused(book, tmp_path):
    book.create_case(title="Станки", ref="CB-2")
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_extract(first, ["10702070/100122/0011111", "10702070/100122/0022222"])
    write_extract(second, ["10702070/110122/0033333", "10702070/110122/0044444"])
    uid = book.import_file(first, case_ref="CB-2")["dataset_uid"]
    book.delete_dataset(uid)
    book.import_file(second, case_ref="CB-2")  # SQLite gives the new rows the freed ids
    assert shipment_titles(book, "0011111") == []
    assert shipment_titles(book, "0033333") == ["10702070/110122/0033333"]


@pytest.mark.sqlite_only("the declaration numbers' FTS5 table")
def test_a_store_without_the_declaration_table_still_finds_numbers_and_a_rebuild_makes_it(
    book, case
):
    add_shipments(book, case.id, [("10702070/150323/0045678", "FRESA")])
    with book.store.write() as session:
        raw_connection(session).execute("DROP TABLE search_declaration")
    assert shipment_titles(book, "0045678") == ["10702070/150323/0045678"]
    book.rebuild_search_index()
    with sqlite3.connect(book.path) as conn:
        assert conn.execute(
            "SELECT rowid FROM search_declaration WHERE search_declaration MATCH '\"456\"'"
        ).fetchall() == [(1,)]
    assert shipment_titles(book, "0045678") == ["10702070/150323/0045678"]


@pytest.mark.sqlite_only("the declaration numbers' FTS5 table")
def test_an_import_indexes_its_declaration_numbers(book, tmp_path):
    book.create_case(title="Станки", ref="CB-2")
    extract = tmp_path / "dt.csv"
    write_extract(extract, ["10702070/100122/0045678", "10702070/100122/0000001"])
    book.import_file(extract, case_ref="CB-2")
    with sqlite3.connect(book.path) as conn:
        rows = conn.execute(
            "SELECT s.declaration_no FROM search_declaration AS d JOIN shipment AS s "
            'ON s.id = d.rowid WHERE search_declaration MATCH \'"456" AND "678"\''
        ).fetchall()
    assert rows == [("10702070/100122/0045678",)]


@pytest.mark.sqlite_only("reads the store file")
def test_a_0014_store_keeps_its_shared_texts_and_their_index_after_0015(tmp_path):
    """Migration 0015 gives the texts a case column for a server; a file's texts stay shared by
    its cases (``case_id`` NULL), still indexed, and the store goes back down to 0014 intact."""
    path = tmp_path / "old.db"
    with Casebook.open(path, create=True) as book:
        case = book.create_case(title="Станки", ref="CB-1")
        add_shipments(book, case.id, [("1", "СТАНОК ТОКАРНЫЙ"), ("2", "СТАНОК ТОКАРНЫЙ")])
    from alembic import command

    with create_engine(f"sqlite:///{path}").begin() as conn:
        command.downgrade(migrations._config(conn), "0014")
    with sqlite3.connect(path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(shipmenttext)")]
        assert "case_id" not in columns
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0014",)
    with Casebook.open(path) as book:
        assert len(kinds(book.search("токарн"), "shipment")) == 2
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0015",)
        assert conn.execute("SELECT count(*) FROM search_text").fetchone() == (1,)
        assert conn.execute("SELECT case_id, text FROM shipmenttext").fetchall() == [
            (None, "СТАНОК ТОКАРНЫЙ")
        ]
