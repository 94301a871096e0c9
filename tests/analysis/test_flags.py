"""Red-flag rules: each has a case that triggers it and one that does not."""

from __future__ import annotations

import pytest

from casebook.analysis import flags
from casebook.book.cases import find_case
from casebook.core.countries import country_name

REF = "CB-T-1"


@pytest.fixture
def case(factory):
    factory.case(REF)
    return factory


@pytest.fixture
def firms(case):
    return {
        "maker": case.firm("Jinan Machine Tool Co", "CN"),
        "buyer": case.firm("OOO Stankoinvest", "RU"),
        "other": case.firm("Dalian Precision Works", "CN"),
    }


def hits(book, rule_id: str) -> list[flags.Hit]:
    with book._read() as session:
        case_id = find_case(session, REF).id
        return flags.run_rules(session, case_id=case_id, only={rule_id})[rule_id]


def ship(case, firms, **row):
    row.setdefault("exporter", firms["maker"])
    row.setdefault("importer", firms["buyer"])
    row.setdefault("date", "2022-06-01")
    return case.shipments(REF, [row])


def test_chpl_item_flags_a_tier_4b_machining_centre(book, case, firms):
    ship(case, firms, hs_code="8457101000", value_usd=1000.0)
    (hit,) = [h for h in hits(book, "chpl_item") if h.firm_id == firms["maker"].id]
    assert "845710" in hit.reason and "tier 4.B" in hit.reason


def test_chpl_item_ignores_codes_off_the_list(book, case, firms):
    ship(case, firms, hs_code="8459290000", value_usd=1000.0)
    assert hits(book, "chpl_item") == []


def test_eu_banned_cn8_flags_a_banned_code(book, case, firms):
    ship(case, firms, hs_code="8466103800", value_usd=10.0)
    (hit, _) = hits(book, "eu_banned_cn8")  # exporter and importer
    assert "84661038" in hit.reason


def test_eu_banned_cn8_ignores_a_six_digit_code(book, case, firms):
    ship(case, firms, hs_code="846610", value_usd=10.0)
    assert hits(book, "eu_banned_cn8") == []


def test_origin_dispatch_flags_japanese_goods_shipped_from_china(book, case, firms):
    ship(case, firms, origin="JP", dispatch="CN", hs_code="8458110000")
    found = hits(book, "origin_dispatch")
    assert {h.firm_id for h in found} == {firms["maker"].id, firms["buyer"].id}
    assert "JP (Japan) dispatched from CN (China)" in found[0].reason


def test_origin_dispatch_treats_eu_member_and_eu_as_the_same(book, case, firms):
    ship(case, firms, origin="DE", dispatch="EU")
    ship(case, firms, origin="CN", dispatch="CN")
    ship(case, firms, origin="XX", dispatch="TR")
    assert hits(book, "origin_dispatch") == []


def test_hub_dispatch_flags_german_goods_shipped_from_turkiye(book, case, firms):
    ship(case, firms, origin="DE", dispatch="TR", hs_code="8466938000")
    found = hits(book, "hub_dispatch")
    assert len(found) == 2 and "TR" in found[0].reason


def test_hub_dispatch_ignores_a_chinese_machine_dispatched_from_china(book, case, firms):
    ship(case, firms, origin="CN", dispatch="CN", hs_code="8457101000")
    assert hits(book, "hub_dispatch") == []


def test_hub_dispatch_ignores_dispatch_from_a_country_that_is_no_hub(book, case, firms):
    ship(case, firms, origin="JP", dispatch="DE")
    assert hits(book, "hub_dispatch") == []


@pytest.mark.parametrize(
    ("description", "maker", "country"),
    [
        ("ЦЕНТР ОБРАБАТЫВАЮЩИЙ ВЕРТИКАЛЬНЫЙ С ЧПУ FANUC 0i-MF", "FANUC", "JP"),
        ("СТАНОК ТОКАРНЫЙ, СИСТЕМА ЧПУ СИМЕНС 828D", "Siemens", "DE"),
        ("立式加工中心 发那科系统", "FANUC", "JP"),
        ("LATHE WITH SINUMERIK 808D", "Siemens", "DE"),
    ],
)
def test_foreign_controller_names_maker_and_country(book, case, firms, description, maker, country):
    ship(case, firms, origin="CN", hs_code="8457101000", description=description)
    found = hits(book, "foreign_controller")
    assert found and maker in found[0].reason and country_name(country) in found[0].reason


def test_foreign_controller_ignores_a_chinese_controller(book, case, firms):
    ship(case, firms, origin="CN", hs_code="8457101000", description="ЦЕНТР С ЧПУ GSK 980")
    assert hits(book, "foreign_controller") == []


def test_foreign_controller_ignores_machines_not_of_chinese_origin(book, case, firms):
    ship(case, firms, origin="JP", hs_code="8457101000", description="CENTRE, FANUC 31i")
    assert hits(book, "foreign_controller") == []


def test_foreign_controller_needs_the_maker_as_a_word(book, case, firms):
    ship(case, firms, origin="CN", hs_code="8457101000", description="BALNCED SPINDLE OKUMAX")
    assert hits(book, "foreign_controller") == []


@pytest.mark.parametrize(
    "name",
    ["Anatolia Trading Ltd", 'ООО "ТД СТАНКИ"', "Ningbo Import & Export Co", "深圳物流有限公司"],
)
def test_trading_mark_finds_trading_and_logistics_names(name):
    assert flags.trading_mark(name)


@pytest.mark.parametrize("name", ["Jinan Machine Tool Co", "ООО СТАНКОЗАВОД", "Tradewind"])
def test_trading_mark_ignores_makers(name):
    assert flags.trading_mark(name) is None


def test_trading_name_flags_the_firm_with_its_rows(book, case, firms):
    trader = case.firm("Anatolia Trading Ltd", "TR")
    ship(case, firms, exporter=trader)
    (hit,) = hits(book, "trading_name")
    assert hit.firm_id == trader.id and hit.count == 1 and "Trading" in hit.reason


def test_trading_name_ignores_makers(book, case, firms):
    ship(case, firms)
    assert hits(book, "trading_name") == []


def _monthly(case, firms, firm, values, *, start=(2022, 5), origin="CN"):
    y, m = start
    for value in values:
        ship(case, firms, exporter=firm, date=f"{y:04d}-{m:02d}-10", value_usd=value, origin=origin)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def test_new_fast_growth_flags_a_firm_born_after_the_invasion(book, case, firms):
    ship(case, firms, date="2021-06-01", value_usd=1.0)  # the data starts before the invasion
    newcomer = case.firm("Hengda Machinery", "CN")
    _monthly(case, firms, newcomer, [1000, 1000, 1000, 5000, 10000, 20000])
    found = [h for h in hits(book, "new_fast_growth") if h.firm_id == newcomer.id]
    assert found and "first seen 2022-05-10" in found[0].reason


def test_new_fast_growth_ignores_a_firm_seen_before_the_invasion(book, case, firms):
    old = case.firm("Hengda Machinery", "CN")
    ship(case, firms, exporter=old, date="2021-06-01", value_usd=1000.0)
    _monthly(case, firms, old, [1000, 1000, 1000, 5000, 10000, 20000])
    assert [h for h in hits(book, "new_fast_growth") if h.firm_id == old.id] == []


def test_new_fast_growth_is_silent_when_the_data_starts_after_the_invasion(book, case, firms):
    newcomer = case.firm("Hengda Machinery", "CN")
    _monthly(case, firms, newcomer, [1000, 1000, 1000, 5000, 10000, 20000])
    assert hits(book, "new_fast_growth") == []


def test_firm_jump_flags_a_tenfold_month(book, case, firms):
    _monthly(case, firms, firms["maker"], [10000, 10000, 10000, 100000])
    found = [h for h in hits(book, "firm_jump") if h.firm_id == firms["maker"].id]
    assert found and "2022-08" in found[0].reason and found[0].count == 1


def test_firm_jump_ignores_steady_trade(book, case, firms):
    _monthly(case, firms, firms["maker"], [10000, 12000, 9000, 11000, 30000])
    assert hits(book, "firm_jump") == []


def test_country_jump_names_the_firm_behind_it(book, case, firms):
    _monthly(case, firms, firms["maker"], [10000, 10000, 10000, 10000], origin="TR")
    _monthly(case, firms, firms["other"], [0, 0, 0, 90000], origin="TR")
    found = {h.firm_id: h for h in hits(book, "country_jump")}
    assert firms["other"].id in found and "origin TR" in found[firms["other"].id].reason
    assert firms["maker"].id in found  # 10% of the month: named too


def test_country_jump_ignores_steady_trade(book, case, firms):
    _monthly(case, firms, firms["maker"], [10000, 10000, 10000, 12000], origin="TR")
    assert hits(book, "country_jump") == []


def test_unit_value_flags_a_price_far_above_the_hs6_median(book, case, firms):
    for _ in range(6):
        ship(case, firms, hs_code="8457101000", value_usd=100000.0, net_weight=1000.0)
    odd = case.firm("Odd Pricing Co", "CN")
    ship(case, firms, exporter=odd, hs_code="8457101000", value_usd=500000.0, net_weight=100.0)
    found = [h for h in hits(book, "unit_value") if h.firm_id == odd.id]
    assert found and "far above the median of about $99.5/kg" in found[0].reason


def test_unit_value_ignores_prices_near_the_median(book, case, firms):
    for value in (90000.0, 100000.0, 110000.0, 100000.0, 95000.0, 300000.0):
        ship(case, firms, hs_code="8457101000", value_usd=value, net_weight=1000.0)
    assert hits(book, "unit_value") == []


def test_unit_value_needs_enough_peers(book, case, firms):
    ship(case, firms, hs_code="8457101000", value_usd=100.0, net_weight=1.0)
    ship(case, firms, hs_code="8457101000", value_usd=1_000_000.0, net_weight=1.0)
    assert hits(book, "unit_value") == []


def test_every_rule_has_id_title_explanation_and_weight():
    ids = [r.id for r in flags.RULES]
    assert len(ids) == len(set(ids)) == 10
    assert all(r.title and r.explanation and r.weight > 0 for r in flags.RULES)


def test_firm_score_is_the_sum_of_its_rule_weights(book, case, firms):
    ship(case, firms, origin="DE", dispatch="TR", hs_code="8457101000", value_usd=5.0)
    result = book.flags(case_ref=REF)
    maker = next(f for f in result["firms"] if f["uid"] == firms["maker"].uid)
    rules = {f["rule"] for f in maker["flags"]}
    assert rules == {"chpl_item", "origin_dispatch", "hub_dispatch"}
    assert maker["score"] == 2 + 1 + 2


def test_flags_json_lists_rows_by_dataset_and_source_row(book, case, firms):
    ship(case, firms, hs_code="8457101000")
    flag = book.flags(case_ref=REF)["firms"][0]["flags"][0]
    assert set(flag) >= {"rule", "title", "reason", "shipments"}
    (row,) = flag["shipments"]
    assert set(row) == {"dataset", "row"} and len(row["dataset"]) == 32


def test_flags_cli_prints_firms_by_score(book, case, firms, run_cli):
    ship(case, firms, origin="DE", dispatch="TR", hs_code="8457101000")
    trader = case.firm("Anatolia Trading Ltd", "TR")
    ship(case, firms, exporter=trader, origin="CN", dispatch="CN")
    result = run_cli("flags", "--case", REF, "--json")
    assert result.code == 0, result.err
    scores = [f["score"] for f in result.json["firms"]]
    assert scores == sorted(scores, reverse=True)
    assert {"uid", "name", "country", "score", "flags"} <= set(result.json["firms"][0])
    by_name = {f["name"]: f for f in result.json["firms"]}
    assert by_name["Anatolia Trading Ltd"]["country"] == "TR"  # told apart from a namesake


def test_flags_cli_unknown_case_exits_2(book, run_cli):
    result = run_cli("flags", "--case", "NOPE", "--json")
    assert (result.code, result.out) == (2, "")
