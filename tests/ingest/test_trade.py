"""Trade statistics: Eurostat extracts, UN Comtrade CSV, mapped long and wide tables."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from casebook.core.errors import Cancelled, Refused, RowErrors, UsageError
from casebook.ingest import trade

EUROSTAT = "eurostat_eu_exports_machine_tool_cn8_to_ru_and_neighbours_2020-2022.xlsx"
TIDY = "eu_sanctioned_goods_exports_monthly_2020-2022.xlsx"
MAPPING = Path(__file__).parent / "data" / "eu_sanctioned_monthly_trade.toml"

COMTRADE_HEADER = [
    "typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period", "reporterCode",
    "reporterISO", "reporterDesc", "flowCode", "flowDesc", "partnerCode", "partnerISO",
    "partnerDesc", "classificationCode", "cmdCode", "cmdDesc", "aggrLevel", "qtyUnitAbbr", "qty",
    "netWgt", "cifvalue", "fobvalue", "primaryValue",
]  # fmt: skip


def comtrade_row(period, reporter, flow, partner, partner_iso, cmd, value) -> list:
    return [
        "C", "M", f"{period}01", str(period)[:4], str(period)[4:], str(period), "156", reporter,
        "China", flow, "Export" if flow == "X" else "Import", partner, partner_iso, "x", "H6",
        cmd, "Machining centres", "6", "u", "10", "1000", "", value, value,
    ]  # fmt: skip


def write_comtrade(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COMTRADE_HEADER)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("raw", "flow"),
    [("EXPORT", "export"), ("M", "import"), ("X", "export"), (2, "export"), ("RX", "re-export"),
     ("Re-import", "re-import"), ("sideways", None)],
)  # fmt: skip
def test_flows(raw, flow):
    assert trade.clean_flow(raw) == flow


@pytest.mark.parametrize(
    ("raw", "period"),
    [("2020-01", "2020-01"), ("2021", "2021"), (2021, "2021"), (202203, "2022-03"),
     ("2022M03", "2022-03"), (dt.datetime(2022, 5, 1), "2022-05"), ("20220301", "2022-03"),
     ("TIME", None)],
)  # fmt: skip
def test_periods(raw, period):
    assert trade.clean_period(raw) == period


def test_products_and_long_country_labels():
    label = "Way-type unit head machines for drilling, boring [84591000]"
    assert trade.clean_product(label) == "84591000"
    assert trade.clean_product("TOTAL") == "TOTAL"
    france = (
        "France (incl. Saint Barthélemy 'BL' -> 2012; incl. French Guiana 'GF', Guadeloupe "
        "'GP', Martinique 'MQ', Réunion 'RE' from 1997; incl. Mayotte 'YT' from 2014)"
    )
    assert trade.clean_partner(france) == "FR"
    assert trade.clean_partner("Russian Federation (Russia)") == "RU"
    assert trade.clean_partner("Atlantis [FR]") == "FR"
    assert trade.clean_value(":") == (None, True)
    assert trade.clean_value("1 234 p") == (1234.0, False)


def test_eurostat_workbook_is_detected_and_read(reference_dir):
    path = reference_dir / EUROSTAT
    assert trade.detect(path).preset == "eurostat"
    table = trade.read_trade(path)
    assert table.preset == "eurostat"
    assert len(table.sheets) == 17  # Summary and Structure are not product sheets
    assert table.rows_read == 17 * 189  # footnote rows (":  not available") are not data
    assert not table.errors
    rows = list(table.rows())
    assert {r[3] for r in rows} == {"export"}
    assert {r[8] for r in rows} == {"EUR"}
    assert {r[5] for r in rows} == {8}
    assert {r[1] for r in rows} >= {"FR", "DE", "IT", "ES", "BE"}
    assert {r[2] for r in rows} == {"AM", "BY", "GE", "KG", "KZ", "RU", "UZ"}
    assert all(r[6] < "2022-12" for r in rows)  # the empty December column adds nothing


def test_tidy_workbook_with_a_mapping_file(reference_dir):
    table = trade.read_trade(reference_dir / TIDY, mapping=trade.load_mapping(MAPPING))
    assert len(table) == 6804 and not table.errors
    totals: dict[tuple, float] = {}
    for _, _, partner, flow, _, _, period, value, currency in table.rows():
        assert (flow, currency) == ("export", "EUR")
        key = (partner, period[:4])
        totals[key] = totals.get(key, 0.0) + value
    assert round(totals[("RU", "2021")] / 1e9, 1) == 33.2
    assert round(totals[("KZ", "2022")] / 1e9, 2) == 3.66


def test_comtrade_csv(tmp_path):
    path = write_comtrade(
        tmp_path / "comtrade.csv",
        [
            comtrade_row(202201, "CHN", "X", "643", "RUS", "845710", "1500000.5"),
            comtrade_row(202202, "CHN", "X", "643", "RUS", "845710", "2500000"),
            comtrade_row(202202, "CHN", "X", "0", "W00", "845710", "9999999"),
            comtrade_row(202202, "CHN", "M", "398", "KAZ", "845710", ""),
        ],
    )
    detection = trade.detect(path)
    assert detection.preset == "comtrade" and detection.confidence == 1.0
    table = trade.read_trade(path)
    assert list(table.rows()) == [
        (2, "CN", "RU", "export", "845710", 6, "2022-01", 1500000.5, "USD"),
        (3, "CN", "RU", "export", "845710", 6, "2022-02", 2500000.0, "USD"),
    ]
    assert table.rows_left_out == 1  # partner World is the sum of the others
    assert table.cells_missing == 1


def test_comtrade_bad_rows_are_problems(tmp_path):
    path = write_comtrade(
        tmp_path / "c.csv", [comtrade_row(202201, "CHN", "X", "999", "ZZZ", "8457", "abc")]
    )
    table = trade.read_trade(path)
    assert [(p.row, p.column, p.reason) for p in table.errors] == [
        (2, "partnerISO", "unknown partner")
    ]


@pytest.mark.parametrize(("cell", "reason"), [("NaN", "not a finite"), ("-2500", "negative")])
def test_values_not_finite_or_negative_are_problems_not_gaps(tmp_path, cell, reason):
    """Issue 24, finding 11: ``NaN`` is no missing-value marker, a value is never negative."""
    path = write_comtrade(
        tmp_path / "c.csv",
        [
            comtrade_row(202201, "CHN", "X", "643", "RUS", "845710", "1500"),
            comtrade_row(202202, "CHN", "X", "643", "RUS", "845710", cell),
        ],
    )
    table = trade.read_trade(path)
    assert [(p.row, p.value) for p in table.errors] == [(3, cell)]
    assert reason in table.errors[0].reason and table.cells_missing == 0


def test_wide_table_is_melted_even_with_ten_thousand_periods(tmp_path):
    # A month per column, 1990-01 … 2089-12, repeated (e.g. one block per product) to 10,000.
    months = [f"{1990 + i // 12}-{i % 12 + 1:02d}" for i in range(1200)]
    header = ["reporter", "partner", *(months * 8), *months[:400]]
    assert len(header) == 10_002
    path = tmp_path / "wide.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerow(["DE", "Russia", *(["1"] * (len(header) - 2))])
        writer.writerow(["FR", "KZ", *([":"] * (len(header) - 3)), "7"])
    mapping = {
        "kind": "trade",
        "columns": {"reporter": "reporter", "partner": "partner"},
        "constants": {"currency": "EUR", "flow": "export"},
    }
    table = trade.read_trade(path, mapping=mapping)
    assert len(table) == len(header) - 2 + 1
    assert table.cells_missing == len(header) - 3
    assert list(table.rows())[-1][1:3] == ("FR", "KZ")


def test_mapping_problems(tmp_path, reference_dir):
    with pytest.raises(UsageError, match="unknown field"):
        trade.check_mapping({"columns": {"a": "exporter"}})
    with pytest.raises(UsageError, match="no column maps to value"):
        trade.check_mapping({"columns": {"a": "reporter", "b": "period"}})
    with pytest.raises(UsageError, match="no column"):
        trade.read_trade(
            reference_dir / TIDY, mapping={"columns": {"nope": "partner", "x": "value"}}
        )


def test_mapping_round_trip(tmp_path):
    path = tmp_path / "m.toml"
    trade.save_mapping({"columns": {"A": "partner", "B": "value"}, "constants": {}}, path)
    assert trade.mapping_is_trade(path)
    assert trade.load_mapping(path)["columns"] == {"A": "partner", "B": "value"}


def test_not_a_trade_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert trade.detect(path).preset is None
    with pytest.raises(Refused, match="not a Eurostat extract"):
        trade.read_trade(path)


def test_cancel_while_reading(tmp_path):
    rows = [comtrade_row(202201, "CHN", "X", "643", "RUS", "8457", "1")] * 25_000
    path = write_comtrade(tmp_path / "big.csv", rows)
    with pytest.raises(Cancelled):
        trade.read_trade(path, cancelled=lambda: True)


def test_row_errors_type():
    assert issubclass(RowErrors, Exception)


def test_the_content_hash_is_what_verify_recomputes_from_the_stored_flows(book, tmp_path):
    """The importer hashes the rows it inserts exactly as ``verify`` hashes the stored ones,
    a published ``-0`` included (SQLite stores -0.0 as 0.0)."""
    from casebook.store import models as m
    from casebook.store.trade import stored_content_hash

    rows = [
        comtrade_row(202201, "CHN", "X", "643", "RUS", "845811", "-0"),
        comtrade_row(202202, "CHN", "X", "643", "RUS", "845811", "1234.5"),
        comtrade_row(202202, "CHN", "M", "398", "KAZ", "8458", "7"),
    ]
    path = write_comtrade(tmp_path / "comtrade.csv", rows)
    book.create_case(title="Zero", ref="Z-1")
    result = book.import_trade(path, case_ref="Z-1")
    with book.store.read() as session:
        dataset = session.get(m.Dataset, 1)
        assert dataset.uid == result["dataset_uid"]
        assert stored_content_hash(session, dataset_id=dataset.id) == dataset.content_hash
    report = book.verify()
    assert report["ok"], report["problems"]
    assert report["checked"]["trade_flows"] == 3
