"""``casebook stats`` against a store with known totals (DESIGN.md contract)."""

from __future__ import annotations

import pytest

REF = "CB-T-1"


@pytest.fixture
def known(factory):
    """Shipments with totals worked out by hand; two are transshipped, one has no USD value."""
    factory.case(REF)
    maker = factory.firm("Jinan Machine Tool Co", "CN")
    trader = factory.firm("Anatolia Trading Ltd", "TR")
    buyer = factory.firm("OOO Stankoimport", "RU")
    rows = [
        ("2021-12-31", "CN", "CN", "8457101000", 5.55, maker),
        ("2022-01-01", "CN", "CN", "8457101000", 100.10, maker),
        ("2022-01-20", "JP", "CN", "8458110000", 200.20, maker),  # Japanese, shipped from China
        ("2022-02-03", "CN", "CN", "8457101000", 300.33, maker),
        ("2022-02-10", "CN", "CN", "8458119000", None, maker),  # no USD value
        ("2022-02-28", "DE", "TR", "8466938000", 50.05, trader),  # German, shipped via Türkiye
        ("2022-03-31", "CN", "CN", "8459610000", 1.01, maker),
        ("2022-04-01", "CN", "CN", "8457101000", 7.77, maker),
        ("2022-03-15", "CN", "CN", "8456110000", 9.99, maker),  # laser, 8456
    ]
    factory.shipments(
        REF,
        [
            {
                "date": d,
                "origin": o,
                "dispatch": di,
                "hs_code": hs,
                "value_usd": v,
                "exporter": ex,
                "importer": buyer,
            }
            for d, o, di, hs, v, ex in rows
        ],
    )
    return {"maker": maker, "trader": trader, "buyer": buyer}


def _rows(result, *keys):
    return {tuple(r[k] for k in keys): r for r in result.json["rows"]}


def test_month_origin_sums_are_exact_to_the_cent(known, run_cli):
    result = run_cli("stats", "--case", REF, "--by", "month,origin", "--json")
    assert result.code == 0, result.err
    rows = _rows(result, "month", "origin")
    assert rows[("2022-01", "CN")]["value_usd"] == 100.10
    assert rows[("2022-01", "JP")]["value_usd"] == 200.20
    assert rows[("2022-02", "CN")]["value_usd"] == 300.33
    assert rows[("2022-03", "CN")]["value_usd"] == 11.00


def test_month_origin_shares_are_of_the_month_total(known, run_cli):
    rows = _rows(
        run_cli("stats", "--case", REF, "--by", "month,origin", "--json"), "month", "origin"
    )
    assert rows[("2022-01", "CN")]["share"] == pytest.approx(100.10 / 300.30, abs=1e-6)
    assert rows[("2022-01", "JP")]["share"] == pytest.approx(200.20 / 300.30, abs=1e-6)
    assert rows[("2022-02", "DE")]["share"] == pytest.approx(50.05 / 350.38, abs=1e-6)


def test_share_is_rounded_to_six_places(known, run_cli):
    rows = _rows(
        run_cli("stats", "--case", REF, "--by", "month,origin", "--json"), "month", "origin"
    )
    assert rows[("2022-01", "CN")]["share"] == 0.333333


def test_shipment_without_usd_value_counts_but_is_reported_missing(known, run_cli):
    rows = _rows(
        run_cli("stats", "--case", REF, "--by", "month,origin", "--json"), "month", "origin"
    )
    feb = rows[("2022-02", "CN")]
    assert (feb["shipments"], feb["missing_value"], feb["value_usd"]) == (2, 1, 300.33)


def test_rows_are_sorted_by_the_group_keys(known, run_cli):
    rows = run_cli("stats", "--case", REF, "--by", "month,origin", "--json").json["rows"]
    keys = [(r["month"], r["origin"]) for r in rows]
    assert keys == sorted(keys)


def test_origin_and_dispatch_differ_for_transshipped_goods(known, run_cli):
    by_origin = _rows(run_cli("stats", "--case", REF, "--by", "origin", "--json"), "origin")
    by_dispatch = _rows(run_cli("stats", "--case", REF, "--by", "dispatch", "--json"), "dispatch")
    assert by_origin[("JP",)]["value_usd"] == 200.20
    assert ("JP",) not in by_dispatch
    assert by_dispatch[("TR",)]["value_usd"] == 50.05
    assert by_dispatch[("CN",)]["value_usd"] == round(
        5.55 + 100.10 + 200.20 + 300.33 + 1.01 + 7.77 + 9.99, 2
    )


def test_share_without_period_is_of_the_grand_total(known, run_cli):
    rows = _rows(run_cli("stats", "--case", REF, "--by", "origin", "--json"), "origin")
    assert sum(r["share"] for r in rows.values()) == pytest.approx(1.0, abs=1e-5)
    assert rows[("DE",)]["share"] == pytest.approx(50.05 / 675.0, abs=1e-6)


def test_hs_filter_matches_code_prefixes(known, run_cli):
    result = run_cli("stats", "--case", REF, "--by", "hs4", "--hs", "8457,8458", "--json")
    assert [r["hs4"] for r in result.json["rows"]] == ["8457", "8458"]
    assert _rows(result, "hs4")[("8457",)]["value_usd"] == round(5.55 + 100.10 + 300.33 + 7.77, 2)


def test_from_and_to_months_are_inclusive(known, run_cli):
    result = run_cli(
        "stats", "--case", REF, "--by", "month", "--from", "2022-01", "--to", "2022-03", "--json"
    )
    rows = _rows(result, "month")
    assert sorted(m for (m,) in rows) == ["2022-01", "2022-02", "2022-03"]
    assert rows[("2022-03",)]["value_usd"] == 11.00  # 2022-03-31 is inside


def test_from_and_to_days_are_inclusive(known, run_cli):
    result = run_cli("stats", "--case", REF, "--from", "2022-01-01", "--to", "2022-03-31", "--json")
    (row,) = result.json["rows"]
    assert row["value_usd"] == round(100.10 + 200.20 + 300.33 + 50.05 + 1.01 + 9.99, 2)
    assert row["shipments"] == 7


def test_filters_are_echoed(known, run_cli):
    result = run_cli(
        "stats", "--case", REF, "--by", "month", "--hs", "8457", "--from", "2022-01", "--json"
    )
    filters = result.json["filters"]
    assert (filters["case"], filters["hs"], filters["from"], filters["by"]) == (
        REF,
        ["8457"],
        "2022-01",
        ["month"],
    )
    assert result.json["unit"] == "USD"


def test_exporter_rows_carry_uid_and_name(known, run_cli):
    rows = run_cli("stats", "--case", REF, "--by", "exporter", "--json").json["rows"]
    names = {r["exporter"]: r["exporter_name"] for r in rows}
    assert names == {
        known["maker"].uid: "Jinan Machine Tool Co",
        known["trader"].uid: "Anatolia Trading Ltd",
    }


def test_count_measure_shares_are_of_shipments(known, run_cli):
    rows = _rows(
        run_cli("stats", "--case", REF, "--by", "origin", "--measure", "count", "--json"), "origin"
    )
    assert rows[("CN",)]["share"] == pytest.approx(7 / 9, abs=1e-6)


def test_unknown_case_exits_2(known, run_cli):
    result = run_cli("stats", "--case", "NOPE", "--json")
    assert (result.code, result.out) == (2, "")
    assert "NOPE" in result.err


def test_bad_by_key_exits_2(known, run_cli):
    result = run_cli("stats", "--case", REF, "--by", "month,colour", "--json")
    assert (result.code, result.out) == (2, "")
    assert "colour" in result.err


def test_bad_date_exits_2(known, run_cli):
    assert run_cli("stats", "--case", REF, "--from", "2022-13", "--json").code == 2


def test_missing_store_exits_2(tmp_path, run_cli):
    assert run_cli("stats", "--case", REF, db=tmp_path / "none.db").code == 2


def test_text_output_lists_the_groups(known, run_cli):
    result = run_cli("stats", "--case", REF, "--by", "origin")
    assert result.code == 0
    assert "JP" in result.out and "VALUE_USD" in result.out


def test_trade_source_reports_value_and_currency(factory, run_cli):
    factory.case(REF)
    factory.trade(
        REF,
        [
            {
                "reporter": "DE",
                "partner": "KG",
                "flow": "export",
                "product": "84661038",
                "period": "2022-06",
                "value": 2000.5,
                "currency": "EUR",
            },
            {
                "reporter": "DE",
                "partner": "RU",
                "flow": "export",
                "product": "84661038",
                "period": "2022-06",
                "value": 15000.25,
                "currency": "EUR",
            },
            {
                "reporter": "DE",
                "partner": "RU",
                "flow": "export",
                "product": "84661038",
                "period": "2021-06",
                "value": 500000.0,
                "currency": "EUR",
            },
        ],
    )
    result = run_cli("stats", "--case", REF, "--source", "trade", "--by", "month,partner", "--json")
    assert result.code == 0, result.err
    rows = _rows(result, "month", "partner")
    kg = rows[("2022-06", "KG")]
    assert (kg["value"], kg["currency"]) == (2000.5, "EUR")
    assert kg["share"] == pytest.approx(2000.5 / 17000.75, abs=1e-6)
    assert "value_usd" not in kg
    assert rows[("2022-06", "RU")]["change"] == pytest.approx(15000.25 / 500000 - 1, abs=1e-6)
    assert result.json["unit"] == "EUR"


def test_trade_source_rejects_shipment_keys(factory, run_cli):
    factory.case(REF)
    assert run_cli("stats", "--case", REF, "--source", "trade", "--by", "origin").code == 2
