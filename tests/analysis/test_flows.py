"""Flows through the facade: keys, measures, top N, change on a year earlier, chart tables."""

from __future__ import annotations

import pytest

from casebook.analysis import flows
from casebook.core.errors import UsageError
from casebook.core.filters import clean_bound

REF = "CB-T-1"


@pytest.fixture
def data(factory):
    factory.case(REF)
    a = factory.firm("Jinan Machine Tool Co", "CN")
    b = factory.firm("OOO Stankoinvest", "RU")
    rows = [
        ("2021-03-05", "CN", "CN", 100.0, 2, "шт", 500.0, "HAAS"),
        ("2022-03-05", "CN", "CN", 300.0, 3, "шт", 700.0, "HAAS"),
        ("2022-03-20", "TW", "TW", 50.0, 1, "шт", None, None),
        ("2022-04-02", "DE", "TR", 25.0, 1, "kg", 100.0, "DMG"),
        ("2022-05-02", "JP", "CN", 25.0, None, None, 100.0, None),
        ("2022-11-30", "KR", "KR", 10.0, 1, "шт", 100.0, None),
    ]
    keys = "date origin dispatch value_usd quantity unit net_weight brand".split()
    factory.shipments(
        REF,
        [
            {
                **dict(zip(keys, r, strict=True)),
                "hs_code": "8457101000",
                "exporter": a,
                "importer": b,
            }
            for r in rows
        ],
    )
    return {"a": a, "b": b}


def by(rows, *keys):
    return {tuple(r[k] for k in keys): r for r in rows}


def test_quarter_groups_months_of_a_quarter(book, data):
    rows = by(book.stats(case_ref=REF, by="quarter")["rows"], "quarter")
    assert rows[("2022-Q1",)]["value_usd"] == 350.0
    assert rows[("2022-Q2",)]["value_usd"] == 50.0
    assert rows[("2022-Q4",)]["value_usd"] == 10.0


def test_change_compares_with_the_same_month_a_year_earlier(book, data):
    rows = by(book.stats(case_ref=REF, by="month,origin")["rows"], "month", "origin")
    assert rows[("2022-03", "CN")]["previous"] == 100.0
    assert rows[("2022-03", "CN")]["change"] == 2.0


def test_change_looks_before_the_from_bound(book, data):
    result = book.stats(case_ref=REF, by="month,origin", date_from="2022-01")
    rows = by(result["rows"], "month", "origin")
    assert ("2021-03", "CN") not in rows
    assert rows[("2022-03", "CN")]["change"] == 2.0


def test_change_of_a_part_year_compares_the_same_part_a_year_earlier(book, data):
    """--from 2022-01 --to 2022-04 by year: 2022 Jan-Apr (375) against 2021 Jan-Apr (100),
    not against a whole year (the reviewer's -11.5 % that should have been like for like)."""
    [row] = book.stats(case_ref=REF, by="year", date_from="2022-01", date_to="2022-04")["rows"]
    assert (row["year"], row["value_usd"], row["previous"]) == ("2022", 375.0, 100.0)
    [row] = book.stats(case_ref=REF, by="year", date_from="2022-03-10", date_to="2022-12")["rows"]
    assert (row["value_usd"], row["previous"]) == (110.0, None)  # 2021-03-05 is before the part


def test_a_day_bound_cuts_its_first_period(book, data):
    rows = by(book.stats(case_ref=REF, by="month", date_from="2022-03-10")["rows"], "month")
    assert rows[("2022-03",)]["value_usd"] == 50.0  # the 5th is before the bound


def test_change_is_null_without_an_earlier_period(book, data):
    rows = by(book.stats(case_ref=REF, by="month,origin")["rows"], "month", "origin")
    assert rows[("2022-03", "TW")]["previous"] is None
    assert rows[("2022-03", "TW")]["change"] is None


def test_top_n_folds_the_rest_into_other(book, data):
    rows = book.stats(case_ref=REF, by="origin", top=2)["rows"]
    assert [r["origin"] for r in rows] == ["CN", "TW", "other"]
    other = rows[-1]
    assert (other["value_usd"], other["shipments"]) == (60.0, 3)
    assert sum(r["share"] for r in rows) == pytest.approx(1.0, abs=1e-6)


def test_top_n_other_for_firms_is_named_other(book, factory, data):
    c = factory.firm("Third Firm", "CN")
    factory.shipments(REF, [{"date": "2022-01-01", "value_usd": 1.0, "exporter": c}])
    rows = book.stats(case_ref=REF, by="exporter", top=1)["rows"]
    assert [(r["exporter"], r["exporter_name"]) for r in rows][-1] == ("other", "Other")


def test_quantity_measure_reports_units(book, data):
    rows = by(book.stats(case_ref=REF, by="origin", measure="quantity")["rows"], "origin")
    assert (rows[("CN",)]["quantity"], rows[("CN",)]["quantity_unit"]) == (5.0, "шт")
    assert rows[("JP",)]["missing_quantity"] == 1


def test_weight_measure_shares_are_of_kilograms(book, data):
    rows = by(book.stats(case_ref=REF, by="origin", measure="weight")["rows"], "origin")
    assert rows[("CN",)]["weight_kg"] == 1200.0
    assert rows[("CN",)]["share"] == pytest.approx(1200 / 1500, abs=1e-6)


def test_brand_key_keeps_unknown_brand_last(book, data):
    rows = book.stats(case_ref=REF, by="brand")["rows"]
    assert [r["brand"] for r in rows] == ["DMG", "HAAS", None]


def test_origin_filter_keeps_those_countries(book, data):
    rows = book.stats(case_ref=REF, by="origin", origin="CN,JP")["rows"]
    assert [r["origin"] for r in rows] == ["CN", "JP"]


def test_dispatch_filter_finds_transshipped_goods(book, data):
    rows = book.stats(case_ref=REF, by="origin", dispatch="TR")["rows"]
    assert [(r["origin"], r["value_usd"]) for r in rows] == [("DE", 25.0)]


def test_firm_filter_matches_exporter_or_importer(book, factory, data):
    other = factory.firm("Unrelated", "KZ")
    factory.shipments(REF, [{"date": "2022-01-01", "value_usd": 9.0, "exporter": other}])
    (row,) = book.stats(case_ref=REF, firms=data["b"].uid)["rows"]
    assert row["value_usd"] == 510.0


def test_dataset_filter_keeps_one_dataset(book, factory, data):
    ds = factory.dataset(REF)
    factory.shipments(REF, [{"date": "2022-01-01", "value_usd": 9.0}], dataset=ds)
    (row,) = book.stats(case_ref=REF, datasets=ds.uid)["rows"]
    assert row["value_usd"] == 9.0


def test_unknown_firm_filter_is_not_found(book, data):
    with pytest.raises(UsageError):
        book.stats(case_ref=REF, firms="nope")


def test_two_period_keys_are_refused():
    with pytest.raises(UsageError):
        flows.clean_keys("month,year")


@pytest.mark.parametrize("bound", ["2022", "2022-02", "2024-02-29"])
def test_clean_bound_accepts_real_dates(bound):
    assert clean_bound(bound, "from") == bound


@pytest.mark.parametrize("bound", ["2022-02-30", "22-01", "2022/01"])
def test_clean_bound_refuses_bad_dates(bound):
    with pytest.raises(UsageError):
        clean_bound(bound, "from")


def test_year_earlier_keeps_the_period_kind():
    assert [flows.year_earlier(p) for p in ("2023-07", "2023-Q3", "2023")] == [
        "2022-07",
        "2022-Q3",
        "2022",
    ]


def test_trade_annual_period_counts_only_when_the_year_is_covered(book, factory):
    factory.case(REF)
    factory.trade(
        REF,
        [
            {
                "reporter": "DE",
                "partner": "RU",
                "product": "8457",
                "period": "2022",
                "value": 5.0,
                "currency": "EUR",
            },
            {
                "reporter": "DE",
                "partner": "RU",
                "product": "8457",
                "period": "2022-03",
                "value": 1.0,
                "currency": "EUR",
            },
        ],
    )
    part = book.stats(case_ref=REF, source="trade", date_from="2022-02", date_to="2022-12")
    whole = book.stats(case_ref=REF, source="trade", date_from="2022-01", date_to="2022-12")
    assert [r["value"] for r in part["rows"]] == [1.0]
    assert [r["value"] for r in whole["rows"]] == [6.0]


def test_trade_change_of_a_part_year_is_like_for_like(book, factory):
    factory.case(REF)
    months = [f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13)]
    factory.trade(
        REF,
        [
            {"reporter": "DE", "partner": "RU", "product": "8457", "period": p,
             "value": 1.0 if p < "2022" else 3.0, "currency": "EUR"}
            for p in months
        ],
    )  # fmt: skip
    result = book.stats(
        case_ref=REF, source="trade", by="year", date_from="2022-01", date_to="2022-06"
    )
    [row] = result["rows"]
    assert (row["value"], row["previous"], row["change"]) == (18.0, 6.0, 2.0)


def test_trade_never_sums_across_currencies(book, factory):
    factory.case(REF)
    factory.trade(
        REF,
        [
            {
                "partner": "RU",
                "product": "8457",
                "period": "2022-01",
                "value": 5.0,
                "currency": "EUR",
            },
            {
                "partner": "RU",
                "product": "8457",
                "period": "2022-01",
                "value": 7.0,
                "currency": "USD",
            },
        ],
    )
    result = book.stats(case_ref=REF, source="trade", by="partner")
    assert [(r["currency"], r["value"], r["share"]) for r in result["rows"]] == [
        ("EUR", 5.0, 1.0),
        ("USD", 7.0, 1.0),
    ]
    assert result["unit"] == "mixed"


def test_chart_monthly_by_origin_is_a_month_by_country_table(book, data):
    table = book.chart("monthly_by_country", case_ref=REF, top=2)
    assert table.columns == ["month", "CN", "TW", "other"]
    rows = {r[0]: r for r in table.rows}
    assert rows["2022-03"] == ("2022-03", 300.0, 50.0, 0.0)
    # Every month from the first to the last, so bars drawn side by side keep the calendar:
    # the eleven months without shipments between 2021-03 and 2022-03 are there, at zero.
    assert (
        len(table.rows) == 21 and table.rows[0][0] == "2021-03" and table.rows[-1][0] == "2022-11"
    )
    assert rows["2021-08"] == ("2021-08", 0.0, 0.0, 0.0)
    share = book.chart("country_share", case_ref=REF, country="CN")
    assert [r[0] for r in share.rows] == [r[0] for r in table.rows]


def test_chart_origin_vs_dispatch_puts_both_side_by_side(book, data):
    table = book.chart("origin_vs_dispatch", case_ref=REF)
    rows = {r[0]: r for r in table.rows}
    assert rows["TR"][1] == 0.0 and rows["TR"][3] == 25.0
    assert rows["JP"][1] == 25.0 and rows["JP"][3] == 0.0


def test_chart_country_share_follows_one_country(book, data):
    table = book.chart("country_share", case_ref=REF, country="CN")
    rows = {r[0]: r for r in table.rows}
    assert rows["2022-03"][2] == pytest.approx(300 / 350, abs=1e-6)
    assert rows["2022-04"][1:] == (0.0, 0.0)


def test_chart_chpl_tiers_sums_listed_codes(book, data):
    table = book.chart("chpl_tiers", case_ref=REF)
    assert table.rows == [("4.B", 510.0, 6)]


def test_chart_foreign_controllers_groups_by_maker_country(book, factory, data):
    factory.shipments(
        REF,
        [
            {
                "date": "2022-06-01",
                "origin": "CN",
                "hs_code": "8458110000",
                "value_usd": 7.0,
                "description": "TOKARNYI S CHPU FANUC",
            }
        ],
    )
    assert book.chart("foreign_controllers", case_ref=REF).rows == [("JP", 7.0, 1)]


def test_chart_exports_csv(book, data):
    csv_text = book.chart("top_parties", case_ref=REF, role="exporter").to_csv()
    assert csv_text.splitlines()[0] == "uid,name,value_usd,shipments,share"
    assert "Jinan Machine Tool Co,510.0,6,1.0" in csv_text


def test_unknown_chart_is_a_usage_error(book, data):
    with pytest.raises(UsageError):
        book.chart("pie", case_ref=REF)


def test_shipment_filters_do_not_apply_to_trade(book, data):
    with pytest.raises(UsageError):
        book.stats(case_ref=REF, source="trade", origin="CN")


def test_previous_of_a_count_is_a_whole_number(book, data):
    rows = by(book.stats(case_ref=REF, by="year", measure="count")["rows"], "year")
    assert rows[("2022",)]["previous"] == 1 and isinstance(rows[("2022",)]["previous"], int)
