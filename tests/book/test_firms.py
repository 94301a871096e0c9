"""Firms through the facade: list, show, merge (every spelling kept) and split (undo)."""

from __future__ import annotations

import pytest

from casebook.core.errors import NotFound, Refused

CSV = (
    "Date,Exporter,Importer,Importer INN,Country of Dispatch,Destination,HS Code,Value USD\n"
    "2022-01-05,Acme Machine Co,ООО Ромашка,7707083893,CN,RU,845811,100\n"
    "2022-01-06,ACME MACHINE CO LTD,Romashka LLC,,CN,RU,845811,50\n"
    "2022-01-07,Beta Tools,Лютик АО,7736050003,TR,RU,845811,25\n"
)


@pytest.fixture
def imported(book, tmp_path):
    path = tmp_path / "shipments.csv"
    path.write_text(CSV, encoding="utf-8")
    book.create_case(title="Case", ref="CB-F-1")
    book.import_file(path, case_ref="CB-F-1")
    return {f["name"]: f for f in book.list_firms(case_ref="CB-F-1")}


def firm_named(firms, prefix):
    return next(f for name, f in firms.items() if name.startswith(prefix))


def test_firms_list_has_the_design_fields(imported):
    firm = firm_named(imported, "ООО Ромашка")
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
    assert set(firm) == expected


def test_firms_list_counts_shipments_and_value(imported):
    firm = firm_named(imported, "ООО Ромашка")
    assert (firm["shipments"], firm["value_usd"], firm["listed"]) == (2, 150.0, False)


def test_firm_country_comes_from_destination_for_importers(imported):
    assert firm_named(imported, "ООО Ромашка")["country"] == "RU"


def test_show_firm_lists_cases_and_identifiers(book, imported):
    shown = book.show_firm(firm_named(imported, "ООО Ромашка")["uid"])
    assert (shown["identifiers"], shown["cases"]) == (
        {"ru_inn": "7707083893"},
        [{"case": "CB-F-1", "role": "importer"}],
    )


def test_show_unknown_firm_is_not_found(book):
    with pytest.raises(NotFound):
        book.show_firm("nope")


def test_merge_keeps_every_spelling_as_an_alias(book, imported):
    keep, other = firm_named(imported, "ООО Ромашка"), firm_named(imported, "Лютик")
    book.merge_firms(keep=keep["uid"], other=other["uid"])
    assert set(book.show_firm(keep["uid"])["aliases"]) == {
        "ООО Ромашка",
        "Romashka LLC",
        "Лютик АО",
    }


def test_merge_moves_the_shipments(book, imported):
    keep, other = firm_named(imported, "ООО Ромашка"), firm_named(imported, "Лютик")
    book.merge_firms(keep=keep["uid"], other=other["uid"])
    assert book.show_firm(keep["uid"])["shipments"] == 3


def test_merged_firm_leaves_the_list(book, imported):
    keep, other = firm_named(imported, "ООО Ромашка"), firm_named(imported, "Лютик")
    book.merge_firms(keep=keep["uid"], other=other["uid"])
    assert other["uid"] not in {f["uid"] for f in book.list_firms(case_ref="CB-F-1")}


def test_merge_with_itself_is_refused(book, imported):
    uid = firm_named(imported, "Beta")["uid"]
    with pytest.raises(Refused):
        book.merge_firms(keep=uid, other=uid)


def test_merging_a_merged_firm_is_refused(book, imported):
    keep, other = firm_named(imported, "ООО Ромашка"), firm_named(imported, "Лютик")
    book.merge_firms(keep=keep["uid"], other=other["uid"])
    with pytest.raises(Refused, match="already merged"):
        book.merge_firms(keep=firm_named(imported, "Beta")["uid"], other=other["uid"])


def test_split_restores_the_merged_firm(book, imported):
    keep, other = firm_named(imported, "ООО Ромашка"), firm_named(imported, "Лютик")
    book.merge_firms(keep=keep["uid"], other=other["uid"])
    book.split_firm(other["uid"])
    after = {f["uid"]: f for f in book.list_firms(case_ref="CB-F-1")}
    assert (after[keep["uid"]], after[other["uid"]]) == (keep, other)


def test_split_by_the_kept_firm_undoes_its_newest_merge(book, imported):
    keep, other = firm_named(imported, "ООО Ромашка"), firm_named(imported, "Лютик")
    book.merge_firms(keep=keep["uid"], other=other["uid"])
    assert book.split_firm(keep["uid"])["restored"] == other["uid"]


def test_split_without_a_merge_is_refused(book, imported):
    with pytest.raises(Refused, match="no merge to undo"):
        book.split_firm(firm_named(imported, "Beta")["uid"])


def test_merge_and_split_are_audited(book, imported, store_sql):
    keep, other = firm_named(imported, "ООО Ромашка"), firm_named(imported, "Лютик")
    book.merge_firms(keep=keep["uid"], other=other["uid"])
    book.split_firm(other["uid"])
    actions = [a for (a,) in store_sql("SELECT action FROM auditevent ORDER BY id")]
    assert actions[-2:] == ["firm.merge", "firm.split"]


def test_merge_keeps_the_audit_chain_and_integrity_clean(book, imported):
    keep, other = firm_named(imported, "ООО Ромашка"), firm_named(imported, "Лютик")
    book.merge_firms(keep=keep["uid"], other=other["uid"])
    assert book.verify()["ok"]


def test_deleting_a_dataset_that_suggested_merges_keeps_the_suggestions(book, tmp_path):
    """Same name the file places in two countries: the import suggests a merge. Deleting that
    dataset used to fail with a bare FOREIGN KEY error; the suggestion stays (both firms do)."""
    path = tmp_path / "two.csv"
    path.write_text(
        "Date,Exporter,Exporter Country,Importer,Country of Dispatch,HS Code,Value USD\n"
        "2022-01-07,Beta Tools,TR,Лютик АО,TR,845811,25\n"
        "2022-01-08,Beta Tools,CN,Лютик АО,CN,845811,5\n",
        encoding="utf-8",
    )
    book.create_case(title="Case", ref="CB-F-2")
    book.import_file(path, case_ref="CB-F-2")
    assert book.merge_queue(case_ref="CB-F-2")
    book.delete_dataset(book.list_datasets(case_ref="CB-F-2")[0]["uid"])
    assert book.list_datasets(case_ref="CB-F-2") == []
    assert book.merge_queue(case_ref="CB-F-2")
