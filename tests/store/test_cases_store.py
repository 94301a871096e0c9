"""store.cases: the queries behind the cases facade (find, list, change, delete, count)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from casebook.store import cases
from casebook.store import models as m


@pytest.fixture
def two_cases(book):
    with book.store.write() as session:
        first = cases.add_case(session, ref="CB-2024-001", title="Станки")
        second = cases.add_case(session, ref="CB-2024-009", title="Lathes", status="archived")
        other = cases.add_case(session, ref="OTHER-1", title="Other")
        return first.uid, second.uid, other.uid


def test_a_case_is_found_by_reference_or_uid_and_none_otherwise(book, two_cases):
    first_uid = two_cases[0]
    with book.store.read() as session:
        assert cases.get_case(session, ref="CB-2024-001").title == "Станки"
        assert cases.get_case(session, ref=first_uid).ref == "CB-2024-001"
        assert cases.get_case(session, ref="CB-2024-002") is None
        assert cases.ref_taken(session, ref="OTHER-1")
        assert not cases.ref_taken(session, ref="other-1")


def test_refs_starting_lists_only_that_prefix(book, two_cases):
    with book.store.read() as session:
        assert sorted(cases.refs_starting(session, prefix="CB-2024-")) == [
            "CB-2024-001",
            "CB-2024-009",
        ]


def test_list_cases_newest_first_and_can_leave_archived_out(book, two_cases):
    with book.store.read() as session:
        every = [c.ref for c in cases.list_cases(session)]
        open_ones = [c.ref for c in cases.list_cases(session, include_archived=False)]
    assert every == ["OTHER-1", "CB-2024-009", "CB-2024-001"]
    assert open_ones == ["OTHER-1", "CB-2024-001"]


def test_the_listing_reads_the_case_table_as_the_models_do(book, two_cases):
    """``store.case_list`` names the case table's columns without the models (so that
    ``case list`` need not define them): same columns and types, same values row for row."""
    from sqlalchemy import inspect

    from casebook.store.case_list import CASE
    from casebook.store.case_list import list_cases as light_list

    table = inspect(m.Case).local_table
    for col in CASE.c:
        assert col.name in table.c
        assert repr(col.type) == repr(table.c[col.name].type), col.name
    names = [col.name for col in CASE.c]
    with book.store.write() as session:  # a summary and a later update, so no field is default
        case = cases.get_case(session, ref="OTHER-1")
        cases.update_case(session, case=case, changes={"summary": "Сводка", "marking": "TLP:RED"})
    with book.store.read() as session:
        models = session.exec(
            select(m.Case).order_by(m.Case.created.desc(), m.Case.id.desc())
        ).all()
        expected = [tuple(getattr(c, name) for name in names) for c in models]
        rows = [tuple(getattr(row, name) for name in names) for row in light_list(session)]
    assert rows == expected and len(rows) == 3
    assert rows[0][names.index("created")].tzinfo is not None  # aware, as the models read it


def test_update_case_sets_fields_and_stamps_the_change(book, two_cases):
    with book.store.write() as session:
        case = cases.get_case(session, ref="OTHER-1")
        created = case.updated
        cases.update_case(session, case=case, changes={"title": "Renamed", "priority": "high"})
    with book.store.read() as session:
        again = cases.get_case(session, ref="OTHER-1")
    assert (again.title, again.priority) == ("Renamed", "high")
    assert again.updated >= created


def test_delete_case_removes_its_view_settings_too(book, two_cases):
    with book.store.write() as session:
        case = cases.get_case(session, ref="OTHER-1")
        session.add(m.CaseSetting(case_id=case.id, key="network", value={"x": 1}))
    with book.store.write() as session:
        cases.delete_case(session, case=cases.get_case(session, ref="OTHER-1"))
    with book.store.read() as session:
        assert cases.get_case(session, ref="OTHER-1") is None
        assert session.exec(select(m.CaseSetting)).all() == []


def test_count_records_counts_what_a_case_holds_and_refs_of_firm(book, two_cases):
    with book.store.write() as session:
        case = cases.get_case(session, ref="CB-2024-001")
        firm = m.Firm(name="ООО «Техностанок»")
        session.add(firm)
        session.flush()
        session.add(m.CaseFirm(case_id=case.id, firm_id=firm.id))
        session.add(m.Finding(case_id=case.id, text="a finding"))
        firm_uid = firm.uid
    with book.store.read() as session:
        counts = cases.count_records(session, case_id=case.id)
        empty = cases.count_records(session, case_id=cases.get_case(session, ref="OTHER-1").id)
        refs = cases.refs_of_firm(session, firm_uid=firm_uid)
    assert counts == {
        "datasets": 0,
        "shipments": 0,
        "firms": 1,
        "evidence": 0,
        "findings": 1,
        "relationships": 0,
        "hits": 0,
        "persons": 0,
    }
    assert not any(empty.values())
    assert refs == ["CB-2024-001"]
