"""The timeline's data (``book.timeline``): day cells for the zoom to days, and persons' roles
at firms (tenures) with their dates — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from casebook.core.errors import UsageError
from casebook.core.filters import ShipmentFilter
from casebook.store import models as m


@pytest.fixture
def case(factory, book):
    ref = factory.case("CB-TLD-1")
    maker = factory.firm("Jinma Machine", "CN")
    buyer = factory.firm("Tekhnostanok", "RU")
    rows = [
        {"exporter": maker, "importer": buyer, "date": "2022-01-10", "hs_code": "845811",
         "value_usd": 100_000.0, "dispatch": "CN", "description": "CNC lathe"},
        {"exporter": maker, "importer": buyer, "date": "2022-01-10", "hs_code": "845811",
         "value_usd": 20_000.0, "dispatch": "CN", "description": "CNC lathe"},
        {"exporter": maker, "importer": buyer, "date": "2022-01-25", "hs_code": "845961",
         "value_usd": 5_000.0, "dispatch": "CN", "description": "milling"},
    ]  # fmt: skip
    factory.shipments(ref, rows)
    with book._write() as session:
        case_id = session.exec(select(m.Case.id).where(m.Case.ref == ref)).one()
        for firm, role in ((maker, "manufacturer"), (buyer, "importer")):
            session.add(m.CaseFirm(case_id=case_id, firm_id=firm.id, role=role))
    person = book.add_person(case_ref=ref, name="Ivan Petrov")
    book.add_person_link(case_ref=ref, from_uid=person["uid"], to_uid=buyer.uid,
                         kind="director", fields={"start": "2021-11-01", "end": None})  # fmt: skip
    return {"ref": ref, "maker": maker.uid, "buyer": buyer.uid, "person": person["uid"]}


def test_the_timeline_by_day(book, case):
    data = book.timeline(case_ref=case["ref"], unit="day")
    assert data["unit"] == "day"
    lanes = {lane["key"]: lane for lane in data["lanes"]}
    assert lanes[case["maker"]]["months"] == {
        "2022-01-10": {"shipments": 2, "value_usd": 120_000.0},
        "2022-01-25": {"shipments": 1, "value_usd": 5_000.0},
    }
    assert data["months"][-1] == "2022-01"  # the month range, as by month
    lens = ShipmentFilter.parse(hs="8459")
    narrowed = book.timeline(case_ref=case["ref"], unit="day", lens=lens)
    lanes = {lane["key"]: lane for lane in narrowed["lanes"]}
    assert lanes[case["maker"]]["months"] == {"2022-01-25": {"shipments": 1, "value_usd": 5000.0}}
    with pytest.raises(UsageError):
        book.timeline(case_ref=case["ref"], unit="week")


def test_the_timeline_carries_persons_roles_with_their_dates(book, case):
    data = book.timeline(case_ref=case["ref"])
    assert data["tenures"] == [
        {"person": case["person"], "name": "Ivan Petrov", "firm": case["buyer"],
         "firm_name": "Tekhnostanok", "kind": "director", "share": None,
         "start": "2021-11-01", "end": None}
    ]  # fmt: skip
    assert data["months"][0] == "2021-11"  # the range reaches back to the role's start
