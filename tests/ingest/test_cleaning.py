"""Cleaning raw rows into typed columns: numbers, dates, countries, codes, USD, row errors."""

from __future__ import annotations

import math

import pytest

from casebook.core.errors import Refused
from casebook.ingest import presets
from casebook.ingest.readers import open_sheets
from casebook.ingest.shipments import clean_sheet, load_rates

HEADER = ["Date", "Exporter", "Country of Origin", "HS Code", "Value", "Currency", "Net Weight"]


def table(tmp_path, rows, *, header=HEADER, sep=",", encoding="utf-8", rates=None, raw=None):
    path = tmp_path / "data.csv"
    if raw is not None:
        path.write_bytes(raw)
    else:
        lines = [sep.join(header), *(sep.join(r) for r in rows)]
        path.write_text("\n".join(lines) + "\n", encoding=encoding)
    (sheet,) = open_sheets(path, header_score=presets.best_score)
    return clean_sheet(sheet, presets.recognise(sheet.header), rates=rates)


def row(
    date="2022-01-05", exporter="Acme", origin="CN", hs="845811", value="10", cur="USD", kg="1"
):
    return [date, exporter, origin, hs, value, cur, kg]


@pytest.mark.parametrize(
    ("text", "code"),
    [("КИТАЙ", "CN"), ("CN", "CN"), ("China", "CN"), ("ЕВРОСОЮЗ", "EU"), ("НЕИЗВЕСТНА", "XX")],
)
def test_countries_become_codes(tmp_path, text, code):
    assert table(tmp_path, [row(origin=text)]).columns["origin"][0] == code


def test_russian_country_names_with_commas_and_brackets(tmp_path):
    rows = [row(origin='"КОРЕЯ, РЕСПУБЛИКА"'), row(origin="ТАЙВАНЬ (КИТАЙ)")]
    assert table(tmp_path, rows).columns["origin"].tolist() == ["KR", "TW"]


def test_decimal_comma_and_nbsp_thousands(tmp_path):
    rows = [row(value="1\u00a0234\u00a0567,89", kg="12,5")]
    data = table(tmp_path, rows, sep=";").columns
    assert (data["value"][0], data["net_weight"][0]) == (1234567.89, 12.5)


def test_comma_grouping_proved_by_the_column_reads_1_234_as_thousands(tmp_path):
    rows = [row(value="1,234"), row(value="1,234,567.50")]
    rows = [[f'"{c}"' if "," in c else c for c in r] for r in rows]
    assert table(tmp_path, rows).columns["value"].tolist() == [1234.0, 1234567.5]


def test_1_234_alone_is_a_decimal(tmp_path):
    rows = [row(value='"1,234"')]
    assert table(tmp_path, rows).columns["value"][0] == 1.234


@pytest.mark.parametrize("marker", ["", "-", "N/A"])
def test_missing_markers_are_missing(tmp_path, marker):
    assert math.isnan(table(tmp_path, [row(value=marker)]).columns["value"][0])


def test_text_in_a_number_column_is_a_row_error_naming_row_and_column(tmp_path):
    data = table(tmp_path, [row(), row(value="about ten"), row(kg="heavy")])
    found = [(e.row, e.column, e.value) for e in data.errors]
    assert found == [(3, "Value", "about ten"), (4, "Net Weight", "heavy")]


def test_bad_rows_are_left_out_of_the_columns(tmp_path):
    data = table(tmp_path, [row(), row(value="about ten"), row()])
    assert data.rows.tolist() == [2, 4]


def test_iso_and_dotted_dates_mixed(tmp_path):
    rows = [row(date="2022-03-01"), row(date="15.03.2022")]
    assert table(tmp_path, rows).columns["date"].tolist() == ["2022-03-01", "2022-03-15"]


def test_month_first_column_is_decided_from_the_data(tmp_path):
    rows = [row(date="03/04/2022"), row(date="12/31/2022")]
    assert table(tmp_path, rows).columns["date"].tolist() == ["2022-03-04", "2022-12-31"]


def test_day_first_column_is_decided_from_the_data(tmp_path):
    rows = [row(date="03/04/2022"), row(date="31/12/2022")]
    assert table(tmp_path, rows).columns["date"].tolist() == ["2022-04-03", "2022-12-31"]


def test_column_mixing_day_first_and_month_first_is_refused(tmp_path):
    with pytest.raises(Refused, match="date_order"):
        table(tmp_path, [row(date="13/01/2022"), row(date="01/13/2022")])


def test_tn_ved_code_with_spaces_gives_hs6(tmp_path):
    data = table(tmp_path, [row(hs="8458 11 000 0")]).columns
    assert (data["hs_code"][0], data["hs6"][0]) == ("8458110000", "845811")


def test_usd_currency_value_is_usd(tmp_path):
    assert table(tmp_path, [row(value="10", cur="USD")]).columns["value_usd"][0] == 10.0


def test_other_currency_is_never_converted_without_rates(tmp_path):
    assert math.isnan(table(tmp_path, [row(value="10", cur="CNY")]).columns["value_usd"][0])


def test_rates_file_converts_by_month_and_currency(tmp_path):
    rates_path = tmp_path / "rates.csv"
    rates_path.write_text("month,currency,usd_per_unit\n2022-01,CNY,0.25\n", encoding="utf-8")
    data = table(tmp_path, [row(value="10", cur="CNY")], rates=load_rates(rates_path))
    assert data.columns["value_usd"][0] == 2.5


def test_rates_for_another_month_do_not_apply(tmp_path):
    rates_path = tmp_path / "rates.csv"
    rates_path.write_text("month,currency,usd_per_unit\n2022-02,CNY,0.25\n", encoding="utf-8")
    data = table(tmp_path, [row(value="10", cur="CNY")], rates=load_rates(rates_path))
    assert math.isnan(data.columns["value_usd"][0])


def test_usd_column_wins_over_conversion(tmp_path):
    header = ["Date", "Exporter", "HS Code", "Value", "Currency", "Value USD"]
    data = table(
        tmp_path, [["2022-01-05", "A", "845811", "10", "EUR", "11,5"]], header=header, sep=";"
    )
    assert data.columns["value_usd"][0] == 11.5


def test_direction_words(tmp_path):
    header = ["Дата ДТ", "Направление", "Код ТН ВЭД", "Отправитель"]
    rows = [["01.02.2022", "ИМ", "8458", "A"], ["01.02.2022", "ЭК", "8458", "B"]]
    data = table(tmp_path, rows, header=header, sep=";")
    assert data.columns["direction"].tolist() == ["import", "export"]


def test_line_in_another_encoding_is_a_row_error(tmp_path):
    good = "Date,Exporter,Country of Origin,HS Code,Value,Currency,Net Weight\n"
    good += "2022-01-05,ООО Ромашка,CN,845811,1,USD,1\n" * 30
    bad = "2022-01-06,ООО Лютик,CN,845811,1,USD,1\n".encode("cp1251")
    data = table(tmp_path, [], raw=good.encode("utf-8") + bad)
    assert [(e.row, e.column, "utf-8" in e.reason) for e in data.errors] == [(32, "Exporter", True)]


def test_utf8_line_in_a_cp1251_file_is_a_row_error(tmp_path):
    head = "Date;Exporter;Country of Origin;HS Code;Value;Currency;Net Weight\n"
    good = (head + "2022-01-05;ООО Ромашка;CN;845811;1;USD;1\n" * 30).encode("cp1251")
    bad = "2022-01-06;ООО Лютик;CN;845811;1;USD;1\n".encode()
    data = table(tmp_path, [], raw=good + bad)
    assert [(e.row, e.column) for e in data.errors] == [(32, "Exporter")]


def test_rates_file_without_its_columns_is_refused(tmp_path):
    from casebook.core.errors import UsageError

    path = tmp_path / "rates.csv"
    path.write_text("period,rate\n2022-01,1\n", encoding="utf-8")
    with pytest.raises(UsageError, match="month, currency, usd_per_unit"):
        load_rates(path)
