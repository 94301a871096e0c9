"""Acceptance: trade statistics import into TradeFlow and ``stats --source trade`` over them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlmodel import select

from casebook.core.errors import Cancelled, Refused, RowErrors
from casebook.store import models as m

EUROSTAT = "eurostat_eu_exports_machine_tool_cn8_to_ru_and_neighbours_2020-2022.xlsx"
TIDY = "eu_sanctioned_goods_exports_monthly_2020-2022.xlsx"
MAPPING = Path(__file__).parents[1] / "ingest" / "data" / "eu_sanctioned_monthly_trade.toml"


def jan_to_nov(book, year: int, partner: str) -> float:
    result = book.stats(
        case_ref="T-1",
        source="trade",
        by="year",
        partner=partner,
        date_from=f"{year}-01",
        date_to=f"{year}-11",
        compare=False,
    )
    [row] = result["rows"]
    assert row["currency"] == "EUR" and result["unit"] == "EUR"
    return row["value"]


@pytest.fixture
def case(book):
    return book.create_case(title="Eurasian roundabout", ref="T-1")


def test_eurostat_workbook_without_a_mapping(book, case, reference_dir):
    result = book.import_trade(reference_dir / EUROSTAT, case_ref="T-1")
    assert result["kind"] == "trade" and result["preset"] == "eurostat"
    assert result["rows_rejected"] == 0 and len(result["sheets"]) == 17
    assert jan_to_nov(book, 2021, "KZ") == 1_759_860
    assert jan_to_nov(book, 2022, "KZ") == 6_333_313
    assert jan_to_nov(book, 2021, "RU") == 106_755_621
    assert jan_to_nov(book, 2022, "RU") == 64_244_431
    by_reporter = book.stats(case_ref="T-1", source="trade", by="reporter,flow,product", top=3)
    assert {r["flow"] for r in by_reporter["rows"]} == {"export"}
    [dataset] = book.list_datasets(case_ref="T-1")
    assert dataset["kind"] == "trade" and dataset["rows"] == result["rows_imported"]
    assert book.dataset_mappings(case_ref="T-1")[dataset["uid"]]["preset"] == "eurostat"


def test_same_file_twice_is_refused_and_delete_removes_flows(book, case, reference_dir):
    first = book.import_trade(reference_dir / EUROSTAT, case_ref="T-1")
    with pytest.raises(Refused, match="already imported"):
        book.import_trade(reference_dir / EUROSTAT, case_ref="T-1")
    book.delete_dataset(first["dataset_uid"])
    with book.store.read() as session:
        assert session.exec(select(m.TradeFlow)).first() is None


def test_tidy_monthly_workbook_with_a_small_mapping_file(book, case, reference_dir):
    result = book.import_trade(reference_dir / TIDY, case_ref="T-1", mapping=MAPPING)
    assert result["rows_imported"] == 6804
    rows = book.stats(case_ref="T-1", source="trade", by="year,partner", partner="KG")["rows"]
    values = {r["year"]: r["value"] for r in rows}
    assert round(values["2021"] / 1e6) == 75 and round(values["2022"] / 1e6) == 495


def test_comtrade_csv_written_here(book, case, tmp_path):
    path = tmp_path / "comtrade.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["refYear", "period", "reporterISO", "flowCode", "partnerISO", "cmdCode",
             "primaryValue"]
        )  # fmt: skip
        writer.writerow(["2023", "202307", "CHN", "X", "RUS", "845710", "68000000"])
        writer.writerow(["2022", "202202", "CHN", "X", "RUS", "845710", "6500000"])
        writer.writerow(["2023", "202307", "CHN", "X", "W00", "845710", "99000000"])
    result = book.import_trade(path, case_ref="T-1")
    assert (result["preset"], result["rows_imported"], result["rows_skipped"]) == ("comtrade", 2, 1)
    rows = book.stats(case_ref="T-1", source="trade", by="month,reporter", hs="8457")["rows"]
    assert [(r["month"], r["reporter"], r["value"], r["currency"]) for r in rows] == [
        ("2022-02", "CN", 6_500_000, "USD"),
        ("2023-07", "CN", 68_000_000, "USD"),
    ]


def test_bad_rows_and_cancel_leave_the_store_unchanged(book, case, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "reporter,partner,period,value\nDE,RU,2022-01,5\nDE,Atlantis,2022-02,6\n", "utf-8"
    )
    mapping = {"kind": "trade", "columns": {"reporter": "reporter", "partner": "partner",
               "period": "period", "value": "value"}, "constants": {"currency": "EUR"}}  # fmt: skip
    with pytest.raises(RowErrors) as caught:
        book.import_trade(path, case_ref="T-1", mapping=mapping)
    assert Path(caught.value.rejects_file).is_file()
    with pytest.raises(Cancelled):
        book.import_trade(path, case_ref="T-1", mapping=mapping, cancelled=lambda: True,
                          skip_bad_rows=True)  # fmt: skip
    assert book.list_datasets(case_ref="T-1") == []
    result = book.import_trade(path, case_ref="T-1", mapping=mapping, skip_bad_rows=True)
    assert (result["rows_imported"], result["rows_rejected"]) == (1, 1)


def test_cli_routes_trade_files(run_cli, reference_dir, tmp_path):
    assert run_cli("case", "new", "Trade", "--ref", "T-1").code == 0
    done = run_cli("import", str(reference_dir / EUROSTAT), "--case", "T-1", "--json")
    assert done.code == 0, done.err
    assert done.json["kind"] == "trade"
    mapped = run_cli(
        "import", str(reference_dir / TIDY), "--case", "T-1", "--mapping", str(MAPPING)
    )
    assert mapped.code == 0, mapped.err
    assert "6,804 trade flows" in mapped.out
    stats = run_cli(
        "stats", "--case", "T-1", "--source", "trade", "--by", "partner", "--partner", "KZ",
        "--from", "2022-01", "--to", "2022-11", "--dataset", done.json["dataset_uid"], "--json",
    )  # fmt: skip
    assert stats.code == 0, stats.err
    assert json.loads(stats.out)["rows"][0]["value"] == 6_333_313


def test_a_file_imported_while_it_was_being_read_is_refused(book, case, reference_dir, monkeypatch):
    """The file is read with no lock held, so the same file may be imported meanwhile: the
    write transaction checks again and refuses it, leaving one dataset."""
    from casebook.ingest import trade as ingest

    path, read = reference_dir / EUROSTAT, ingest.read_trade
    earlier = {}

    def read_while_another_import_lands(*args, **kwargs):
        monkeypatch.setattr(ingest, "read_trade", read)
        earlier.update(book.import_trade(path, case_ref="T-1"))
        return read(*args, **kwargs)

    monkeypatch.setattr(ingest, "read_trade", read_while_another_import_lands)
    with pytest.raises(Refused, match="already imported into this case") as refused:
        book.import_trade(path, case_ref="T-1")
    assert earlier["dataset_uid"] in str(refused.value)
    assert [d["uid"] for d in book.list_datasets(case_ref="T-1")] == [earlier["dataset_uid"]]
