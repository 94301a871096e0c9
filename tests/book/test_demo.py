"""The demo case: built through the real import path, follows the published figures."""

from __future__ import annotations

import pytest

from casebook.book.demo import DEMO_REF, month_plan


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from casebook.book import Casebook

    book = Casebook.open(tmp_path_factory.mktemp("demo") / "demo.db", create=True)
    result = book.build_demo()
    yield book, result
    book.close()


def _china(book, month):
    rows = book.stats(case_ref=DEMO_REF, by="month,origin", date_from=month, date_to=month)
    return next(r for r in rows["rows"] if r["origin"] == "CN")


def test_demo_reports_its_counts(demo):
    _, result = demo
    assert result["case_ref"] == DEMO_REF
    assert 200 <= result["shipments"] <= 600
    assert result["firms"] >= 12 and result["evidence"] >= 4 and result["findings"] >= 3


def test_china_follows_the_published_figures(demo):
    book, _ = demo
    feb, jul = _china(book, "2022-02"), _china(book, "2023-07")
    assert feb["value_usd"] == 6_500_000 and round(feb["share"], 2) == 0.12
    assert jul["value_usd"] == 68_000_000 and round(jul["share"], 2) == 0.57


def test_months_span_feb_2022_to_dec_2023():
    months = [m for m, _, _ in month_plan()]
    assert months[0] == "2022-02" and months[-1] == "2023-12" and len(months) == 23


def test_goods_go_via_third_countries(demo):
    book, _ = demo
    dispatch = {r["dispatch"] for r in book.stats(case_ref=DEMO_REF, by="dispatch")["rows"]}
    assert {"TR", "KZ", "HK"} <= dispatch


def test_required_names_are_firms_of_the_case(demo):
    book, _ = demo
    names = {f["name"] for f in book.list_firms(case_ref=DEMO_REF)}
    assert {"ООО «Техностанок»", "北京精雕科技集团有限公司", "A&B <Trading> Ltd"} <= names


def test_foreign_controllers_are_flagged(demo):
    book, _ = demo
    table = book.chart("foreign_controllers", case_ref=DEMO_REF)
    assert {row[0] for row in table.rows} >= {"JP", "DE", "TW"}


def test_screening_has_one_confirmed_and_one_dismissed_hit(demo):
    book, _ = demo
    statuses = sorted(h["status"] for h in book.list_hits(case_ref=DEMO_REF))
    assert statuses == ["confirmed", "dismissed"]


def test_second_run_returns_the_existing_case(demo):
    book, first = demo
    again = book.build_demo()
    assert again["created"] is False
    assert {k: again[k] for k in ("shipments", "firms", "evidence")} == {
        k: first[k] for k in ("shipments", "firms", "evidence")
    }


def test_the_demo_has_two_people_one_directing_two_intermediaries(demo):
    book, result = demo
    assert result["persons"] == 2
    persons = {p["name"]: p for p in book.list_persons(case_ref=DEMO_REF)}
    assert persons["Lin Haoran"]["native_name"] == "林浩然"
    assert persons["Sergei Volkov"]["native_name"] == "Волков Сергей Петрович"
    roles = {f["uid"]: f for f in book.case_firms(case_ref=DEMO_REF)}
    directed = [
        k["to_uid"]
        for k in book.list_person_links(case_ref=DEMO_REF)
        if k["from_uid"] == persons["Lin Haoran"]["uid"] and k["kind"] == "director"
    ]
    assert len(directed) == 2 and all(roles[u]["role"] == "intermediary" for u in directed)
    flagged = {f["uid"]: f for f in book.flags(case_ref=DEMO_REF)["firms"]}
    for uid in directed:
        assert "shared_person" in {flag["rule"] for flag in flagged[uid]["flags"]}
